//! The app crate's layout rules, read from its source the way the authorization matrix reads the
//! router: what ARCHITECTURE.md says the code does not do is checked here.
//!
//! - Serialisable types live only under `src/wire/`: a `Serialize`, `Deserialize`, `ToSchema` or
//!   `IntoParams` derive (or a hand-written `Serialize`/`Deserialize` impl) anywhere else fails,
//!   naming the file and line.
//!
//! (No import cycle between modules is checked for every server crate in
//! `tests/tests/imports.rs`.)

use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, as paths relative to `src/`, in a stable order.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path.strip_prefix(src()).expect("under src").to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// The file's lines without `//` comments (doc comments mention derives and paths freely).
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(src().join(file)).expect("read a source file");
    text.lines().enumerate().map(|(i, line)| (i + 1, line.split("//").next().unwrap_or("").to_owned())).collect()
}

const SERIAL_DERIVES: [&str; 4] = ["Serialize", "Deserialize", "ToSchema", "IntoParams"];

/// `file:line: what` for every serialisable type in `files`.
fn serialisable_in<'a>(files: impl IntoIterator<Item = &'a PathBuf>) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let lines = code_lines(file);
        let mut i = 0;
        while i < lines.len() {
            let (number, line) = &lines[i];
            let trimmed = line.trim_start();
            if trimmed.starts_with("#[derive(") {
                // A derive may run over several lines: read it to its closing `)]`.
                let mut derive = trimmed.to_owned();
                while !derive.contains(")]") && i + 1 < lines.len() {
                    i += 1;
                    derive.push_str(lines[i].1.trim());
                }
                let names: Vec<&str> = derive
                    .trim_start_matches("#[derive(")
                    .split(")]")
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(|n| n.trim().rsplit("::").next().unwrap_or(""))
                    .collect();
                for name in names.iter().filter(|n| SERIAL_DERIVES.contains(n)) {
                    found.push(format!("{}:{number}: derives {name}", file.display()));
                }
            } else if trimmed.starts_with("impl") {
                let header = trimmed.split('{').next().unwrap_or("");
                let trait_name = header.split(" for ").next().filter(|_| header.contains(" for "));
                if let Some(trait_name) = trait_name {
                    let trait_name = trait_name.trim_end().rsplit([' ', ':']).next().unwrap_or("");
                    let trait_name = trait_name.split('<').next().unwrap_or("");
                    if SERIAL_DERIVES.contains(&trait_name) {
                        found.push(format!("{}:{number}: implements {trait_name}", file.display()));
                    }
                }
            }
            i += 1;
        }
    }
    found
}

#[test]
fn serialisable_types_live_only_under_wire() {
    let found = serialisable_in(sources(&src()).iter().filter(|f| !f.starts_with("wire")));
    assert!(
        found.is_empty(),
        "JSON shapes belong in server/app/src/wire/ (one file per resource), not here:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_what_it_looks_for() {
    // The rule above passes vacuously if the scan reads nothing: it must find the wire's derives.
    let files = sources(&src());
    let in_wire = serialisable_in(files.iter().filter(|f| f.starts_with("wire")));
    assert!(in_wire.len() > 100, "the scan finds the wire's derives: {in_wire:?}");
}
