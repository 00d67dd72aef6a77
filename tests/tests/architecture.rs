//! ARCHITECTURE.md's absences, checked by reading the source: no SQL outside the store crate,
//! the backend matched only in the store's `sql.rs`, a domain without IO, and no production
//! file a newcomer cannot hold in their head. Each finding names its file and line.
//!
//! The scans read the files as text (comments stripped, string literals found by a small
//! lexer); they build nothing and know nothing of what the code means, so a rule that needs
//! types to check does not belong here.

use std::path::{Path, PathBuf};

use opsroom_tests::rust_files;

/// The repository's root (this crate is `tests/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

/// A Rust source split by a lexer: the code with every comment blanked (lines kept), and each
/// string literal's text with the line it starts on.
struct Lexed {
    code: String,
    literals: Vec<(usize, String)>,
}

fn lex(source: &str) -> Lexed {
    let chars: Vec<char> = source.chars().collect();
    let mut code = String::with_capacity(source.len());
    let mut literals = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Blank a comment but keep its line breaks, so later lines keep their numbers.
    let blank = |c: char, code: &mut String, line: &mut usize| {
        if c == '\n' {
            *line += 1;
            code.push('\n');
        } else {
            code.push(' ');
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                blank(chars[i], &mut code, &mut line);
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    code.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    code.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(chars[i], &mut code, &mut line);
                    i += 1;
                }
            }
        } else if c == '\'' {
            // A character literal ('"', '\'', '\u{…}') or a lifetime ('a).
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&j| chars[j] == '\'').map(|j| j + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                // Its content is no code (a '{' would unbalance the braces).
                Some(end) => {
                    code.push_str("'_'");
                    i = end;
                }
                None => {
                    code.push(c);
                    i += 1;
                }
            }
        } else if c == '"' || (c == 'r' && matches!(next, Some('"' | '#')) && !is_ident(chars.get(i.wrapping_sub(1)))) {
            // A string: "…" with escapes, or raw r"…" / r#"…"#.
            let start_line = line;
            let mut text = String::new();
            if c == 'r' {
                let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
                if chars.get(i + 1 + hashes) != Some(&'"') {
                    code.push(c);
                    i += 1;
                    continue;
                }
                let closing: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                i += 2 + hashes;
                while i < chars.len() && !chars[i..].starts_with(&closing) {
                    line += usize::from(chars[i] == '\n');
                    text.push(chars[i]);
                    i += 1;
                }
                i += closing.len();
            } else {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    if let Some(&ch) = chars.get(i) {
                        line += usize::from(ch == '\n');
                        text.push(ch);
                    }
                    i += 1;
                }
                i += 1;
            }
            code.push_str("\"\"");
            code.extend(std::iter::repeat_n('\n', line - start_line));
            literals.push((start_line, text));
        } else {
            if c == '\n' {
                line += 1;
            }
            code.push(c);
            i += 1;
        }
    }
    Lexed { code, literals }
}

/// `code` (as [`lex`] leaves it) with every `#[cfg(test)]` item blanked, lines kept: unit tests
/// inside `src/` may draw random ids and read clocks; what ships may not.
fn without_test_items(code: &str) -> String {
    const ATTRIBUTE: &str = "#[cfg(test)]";
    let mut kept = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(ATTRIBUTE) {
        kept.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its first `;` (`mod tests;`) or at the brace closing its first `{`.
        let mut depth = 0usize;
        let mut end = item.len();
        for (offset, c) in item.char_indices().skip(ATTRIBUTE.len()) {
            match c {
                ';' if depth == 0 => {
                    end = offset + 1;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = offset + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        kept.extend(item[..end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        rest = &item[end..];
    }
    kept.push_str(rest);
    kept
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The SQL statement a string literal holds, if it reads like one: `select … from`,
/// `insert into`, `update … set`, `delete from`, `create table`/`index`.
fn sql_statement(literal: &str) -> Option<&'static str> {
    let lower = literal.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let followed = |first: &str, then: &str| {
        words.iter().position(|w| *w == first).is_some_and(|at| words[at + 1..].contains(&then))
    };
    let adjacent = |first: &str, then: &str| words.windows(2).any(|pair| pair == [first, then]);
    if followed("select", "from") {
        Some("select … from")
    } else if adjacent("insert", "into") {
        Some("insert into")
    } else if followed("update", "set") {
        Some("update … set")
    } else if adjacent("delete", "from") {
        Some("delete from")
    } else if adjacent("create", "table") || adjacent("create", "index") {
        Some("create table/index")
    } else {
        None
    }
}

/// The crates under `server/` other than the store (the only code that knows SQL) and the
/// benchmark (whose baselines are SQL on purpose, each named and documented as one).
const SQL_ALLOWED: &[&str] = &["store", "bench"];

/// ARCHITECTURE.md: "The only code that knows SQL" is the store crate; handlers never talk SQL.
#[test]
fn no_sql_outside_the_store() {
    let server = root().join("server");
    let mut findings = Vec::new();
    for entry in std::fs::read_dir(&server).expect("reading server/") {
        let crate_dir = entry.expect("a directory entry").path();
        let name = crate_dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let src = crate_dir.join("src");
        if SQL_ALLOWED.contains(&name.as_str()) || !src.is_dir() {
            continue;
        }
        for file in rust_files(&src) {
            let source = std::fs::read_to_string(&file).expect("a UTF-8 source file");
            for (line, literal) in lex(&source).literals {
                if let Some(statement) = sql_statement(&literal) {
                    findings.push(format!("{}:{line}: `{statement}` in a string literal", relative(&file)));
                }
            }
        }
    }
    assert!(
        findings.is_empty(),
        "SQL outside the store crate (move it into server/store behind a method of `Store`):\n{}",
        findings.join("\n")
    );
}

/// ARCHITECTURE.md: `sql` is the only place that matches on the backend; everything else in the
/// store is written once for both.
#[test]
fn the_backend_is_matched_only_in_sql_rs() {
    let store = root().join("server/store/src");
    let mut findings = Vec::new();
    for file in rust_files(&store) {
        if file == store.join("sql.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("a UTF-8 source file");
        for (n, line) in lex(&source).code.lines().enumerate() {
            if line.contains("Backend::") {
                findings.push(format!("{}:{}: {}", relative(&file), n + 1, line.trim()));
            }
        }
    }
    assert!(
        findings.is_empty(),
        "the backend matched outside sql.rs (add a method to sql::Conn):\n{}",
        findings.join("\n")
    );
}

/// The most lines a production source file may have before its tests (`#[cfg(test)]`).
const MOST_LINES: usize = 600;

/// Files a newcomer can hold in their head: no production source over [`MOST_LINES`] lines
/// (tests below a file's `#[cfg(test)]` do not count; test crates are not production).
#[test]
fn no_production_file_is_too_long() {
    let server = root().join("server");
    let mut findings = Vec::new();
    for entry in std::fs::read_dir(&server).expect("reading server/") {
        let src = entry.expect("a directory entry").path().join("src");
        if !src.is_dir() {
            continue;
        }
        for file in rust_files(&src) {
            let source = std::fs::read_to_string(&file).expect("a UTF-8 source file");
            let lines = source.lines().take_while(|line| line.trim() != "#[cfg(test)]").count();
            if lines > MOST_LINES {
                findings.push(format!("{}: {lines} lines", relative(&file)));
            }
        }
    }
    assert!(findings.is_empty(), "split along its seams:\n{}", findings.join("\n"));
}

/// Dependencies the domain may not have: an async runtime, a database driver, HTTP.
const IO_CRATES: &[&str] = &["tokio", "sqlx", "axum", "reqwest", "hyper", "hyper-util", "tower", "tokio-tungstenite"];

/// What in the domain's source would read a clock, draw a random number or touch the machine.
const IO_CALLS: &[&str] = &[
    "SystemTime::now",
    "Instant::now",
    "Utc::now",
    "OffsetDateTime::now",
    "Timestamp::now",
    "Zoned::now",
    "thread_rng",
    "rand::rng",
    "Uuid::new_v4",
    "Uuid::now_v7",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
];

/// ARCHITECTURE.md: the domain does no IO — no tokio, sqlx or axum dependency, no clock, no
/// random number; time, ids and random bits come in as arguments.
#[test]
fn the_domain_does_no_io() {
    let domain = root().join("server/domain");
    let manifest_path = domain.join("Cargo.toml");
    let manifest: toml::Table =
        std::fs::read_to_string(&manifest_path).expect("reading server/domain/Cargo.toml").parse().expect("valid TOML");
    let mut findings = Vec::new();
    // Tests may use what they like; what the domain ships with may not.
    let mut sections: Vec<(String, &toml::Table)> = ["dependencies", "build-dependencies"]
        .iter()
        .filter_map(|s| manifest.get(*s).and_then(|t| t.as_table()).map(|t| (s.to_string(), t)))
        .collect();
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for (target, table) in targets {
            if let Some(dependencies) = table.get("dependencies").and_then(|t| t.as_table()) {
                sections.push((format!("target.{target}.dependencies"), dependencies));
            }
        }
    }
    for (section, dependencies) in sections {
        for name in dependencies.keys().filter(|name| IO_CRATES.contains(&name.as_str())) {
            findings.push(format!("server/domain/Cargo.toml: [{section}] {name}"));
        }
    }
    for file in rust_files(&domain.join("src")) {
        let source = std::fs::read_to_string(&file).expect("a UTF-8 source file");
        for (n, line) in without_test_items(&lex(&source).code).lines().enumerate() {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            for call in IO_CALLS.iter().filter(|call| compact.contains(*call)) {
                findings.push(format!("{}:{}: {call}", relative(&file), n + 1));
            }
        }
    }
    assert!(
        findings.is_empty(),
        "the domain does IO (pass the time, ids and random bits in as arguments; keep IO in the app or the store):\n{}",
        findings.join("\n")
    );
}

/// The lexer the scans stand on: comments are not code, literals are found whole, lines count.
#[test]
fn the_lexer_finds_literals_and_skips_comments() {
    let source = "let a = '\"'; // select x from y\n/* delete from t */ let b = r#\"insert\ninto t\"#;\nlet c: &'static str = \"update t \\\n set x\";\n";
    let lexed = lex(source);
    assert_eq!(
        lexed.literals.iter().map(|(line, text)| (*line, sql_statement(text))).collect::<Vec<_>>(),
        [(2, Some("insert into")), (4, Some("update … set"))]
    );
    assert!(!lexed.code.contains("select") && !lexed.code.contains("delete"), "{}", lexed.code);
    assert_eq!(lexed.code.lines().count(), source.lines().count());
    assert_eq!(sql_statement("Select a place from the list"), Some("select … from"));
    let tested =
        lex("fn f() {}\n#[cfg(test)]\nmod tests {\n    fn g() { let c = '{'; Instant::now(); }\n}\nfn h() {}\n");
    let shipped = without_test_items(&tested.code);
    assert!(!shipped.contains("Instant") && shipped.contains("fn h()"), "{shipped}");
    assert_eq!(shipped.lines().count(), 6);
    assert_eq!(sql_statement("Delete the draft"), None);
}
