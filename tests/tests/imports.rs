//! No import cycle between the modules of any server crate: for each crate under `server/`, the
//! graph of `crate::…` (and `super::…`) paths between its top-level modules and the files of its
//! folder modules (`http::cases`, `live::socket`, `partners::writes`; a folder's `mod.rs` is a
//! node of its own) has no cycle. A cycle fails, named edge by edge with the line that makes it.
//!
//! Like `architecture.rs`, this reads the source as text: it knows paths, not types.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use opsroom_tests::rust_files;

/// The `src/` folders of the server's crates.
fn crate_sources() -> Vec<(String, PathBuf)> {
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("server");
    let mut crates: Vec<(String, PathBuf)> = std::fs::read_dir(&server)
        .expect("read server/")
        .map(|entry| entry.expect("a folder entry").path().join("src"))
        .filter(|src| src.is_dir())
        .map(|src| {
            (src.parent().and_then(Path::file_name).expect("a crate folder").to_string_lossy().into_owned(), src)
        })
        .collect();
    crates.sort();
    crates
}

/// Every `.rs` file under `src`, relative to it.
fn sources(src: &Path) -> Vec<PathBuf> {
    rust_files(src).into_iter().map(|f| f.strip_prefix(src).expect("under src").to_path_buf()).collect()
}

/// The file's lines without `//` comments (doc comments mention paths freely), up to its unit
/// tests: a `#[cfg(test)]` line followed by `mod tests` ends the production code (a test may
/// use any module to check this one).
fn code_lines(src: &Path, file: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(src.join(file)).expect("read a source file");
    let lines: Vec<&str> = text.lines().collect();
    let tests_start = lines
        .windows(2)
        .position(|pair| pair[0].trim() == "#[cfg(test)]" && pair[1].trim_start().starts_with("mod tests"))
        .unwrap_or(lines.len());
    lines[..tests_start]
        .iter()
        .enumerate()
        .map(|(i, line)| (i + 1, line.split("//").next().unwrap_or("").to_owned()))
        .collect()
}

/// The module a file belongs to in the graph: `http::x` for `http/x.rs` and `http/x/…`, `http`
/// for `http/mod.rs`, the top-level module for a file of its own (`lib.rs`, the crate root, is
/// left out, as are `main.rs` and `bin/`).
fn node_of(file: &Path) -> Option<String> {
    let parts: Vec<String> = file.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    match parts.as_slice() {
        [root] if root == "lib" || root == "main" => None,
        [bin, ..] if bin == "bin" => None,
        [folder, sub, ..] if sub != "mod" => Some(format!("{folder}::{sub}")),
        [top, ..] => Some(top.clone()),
        [] => None,
    }
}

/// The node a path below the crate root names (`http::error::ApiError` → `http::error`,
/// `live::Hub` → `live`).
fn node_of_path(segments: &[&str], nodes: &BTreeSet<String>) -> Option<String> {
    match segments {
        [top, sub, ..] if nodes.contains(&format!("{top}::{sub}")) => Some(format!("{top}::{sub}")),
        [top, ..] if !top.is_empty() => Some((*top).to_owned()),
        _ => None,
    }
}

/// Every path a line names after `crate::` (with `use crate::{a, b::c}` groups expanded), as
/// segment lists.
fn crate_paths(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
        let head = head.trim_end_matches(':');
        if head.is_empty() && rest.starts_with('{') {
            // `crate::{a, b::c}`: each item of the group.
            let group = rest[1..].split('}').next().unwrap_or("");
            for item in group.split(',') {
                let item: String =
                    item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                paths.push(item.split("::").map(str::to_owned).collect());
            }
        } else if !head.is_empty() {
            let mut segments: Vec<String> = head.split("::").map(str::to_owned).collect();
            // `crate::http::{error, extract}`: the group's first item is enough to name a child.
            if rest[head.len()..].starts_with("::{") {
                let item = rest[head.len() + 3..].split([',', '}', ':']).next().unwrap_or("").trim().to_owned();
                segments.push(item);
            }
            paths.push(segments);
        }
    }
    paths
}

/// The module graph: node → the nodes it names, and for each edge one place that names it.
fn module_graph(src: &Path, files: &[PathBuf]) -> BTreeMap<String, BTreeMap<String, String>> {
    let nodes: BTreeSet<String> = files.iter().filter_map(|f| node_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let Some(from) = node_of(file) else { continue };
        let entry = graph.entry(from.clone()).or_default();
        // `super::x` in a file of a folder (`http/cases.rs`) names `http::x`; one deeper
        // (`http/evacuation/places.rs`), `http::evacuation::x`: the same node.
        let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
        let folder = folder.map(|p| p.to_string_lossy().replace('/', "::"));
        for (number, line) in code_lines(src, file) {
            let mut named = crate_paths(&line, "crate::");
            if let Some(folder) = &folder {
                named.extend(crate_paths(&line, "super::").into_iter().map(|mut p| {
                    p.insert(0, folder.clone());
                    p
                }));
            }
            for segments in named {
                let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
                let Some(to) = node_of_path(&segments, &nodes) else { continue };
                if to != from {
                    entry.entry(to).or_insert_with(|| format!("{}:{number}", file.display()));
                }
            }
        }
    }
    graph
}

/// A cycle of the graph, as its nodes with the place of each edge, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_owned(), Mark::Open);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flat_map(BTreeMap::keys) {
            match marks.get(next) {
                Some(Mark::Open) => {
                    let start = stack.iter().position(|n| n == next).expect("an open node is on the stack");
                    let mut cycle: Vec<String> = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, marks, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if !marks.contains_key(node)
            && let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn no_import_cycle_between_modules_of_a_crate() {
    let mut found = Vec::new();
    for (name, src) in crate_sources() {
        let graph = module_graph(&src, &sources(&src));
        if let Some(cycle) = find_cycle(&graph) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|pair| format!("{} → {} ({})", pair[0], pair[1], graph[&pair[0]][&pair[1]]))
                .collect();
            found.push(format!("an import cycle between modules of the {name} crate:\n{}", steps.join("\n")));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n\n"));
}

#[test]
fn the_scan_sees_what_it_looks_for() {
    // The rule passes vacuously if the scan reads nothing: it must see the crates, their edges,
    // and a cycle when one is made.
    let crates: BTreeMap<String, PathBuf> = crate_sources().into_iter().collect();
    for name in ["app", "store", "domain"] {
        assert!(crates.contains_key(name), "{crates:?}");
    }
    let app = module_graph(&crates["app"], &sources(&crates["app"]));
    assert!(app.get("http::cases").is_some_and(|to| to.contains_key("wire")), "{app:?}");
    let store = module_graph(&crates["store"], &sources(&crates["store"]));
    assert!(store.get("batch").is_some_and(|to| to.contains_key("search")), "{store:?}");
    let mut cyclic = store.clone();
    cyclic.entry("search".to_owned()).or_default().insert("batch".to_owned(), "test".to_owned());
    assert!(find_cycle(&cyclic).is_some());
    assert_eq!(crate_paths("use crate::{auth, http::error::ApiError};", "crate::").len(), 2);
}
