//! The app crate's layout rules, read from its source the way the authorization matrix reads the
//! router: what ARCHITECTURE.md says the code does not do is checked here.
//!
//! - Serialisable types live only under `src/wire/`: a `Serialize`, `Deserialize`, `ToSchema` or
//!   `IntoParams` derive (or a hand-written `Serialize`/`Deserialize` impl) anywhere else fails,
//!   naming the file and line.
//! - No import cycle between modules: the graph of `crate::…` (and `super::…`) paths between the
//!   top-level modules and the files of the folder modules (`http::cases`, `live::socket`,
//!   `wire::cases`; a folder's `mod.rs` is a node of its own) has no cycle; a cycle fails, named.

use std::collections::{BTreeMap, BTreeSet};
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

/// The module a file belongs to in the graph: `http::x` for `http/x.rs` and `http/x/…`, `http`
/// for `http/mod.rs`, the top-level module for a file of its own (`lib.rs`, the crate root, is
/// left out).
fn node_of(file: &Path) -> Option<String> {
    let parts: Vec<String> = file.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    match parts.as_slice() {
        [root] if root == "lib" => None,
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
fn module_graph(files: &[PathBuf]) -> BTreeMap<String, BTreeMap<String, String>> {
    let nodes: BTreeSet<String> = files.iter().filter_map(|f| node_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let Some(from) = node_of(file) else { continue };
        let entry = graph.entry(from.clone()).or_default();
        // `super::x` in a file of a folder (`http/cases.rs`) names `http::x`; one deeper
        // (`http/evacuation/places.rs`), `http::evacuation::x`: the same node.
        let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
        let folder = folder.map(|p| p.to_string_lossy().replace('/', "::"));
        for (number, line) in code_lines(file) {
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
fn no_import_cycle_between_modules() {
    let graph = module_graph(&sources(&src()));
    if let Some(cycle) = find_cycle(&graph) {
        let steps: Vec<String> =
            cycle.windows(2).map(|pair| format!("{} → {} ({})", pair[0], pair[1], graph[&pair[0]][&pair[1]])).collect();
        panic!("an import cycle between modules of the app crate:\n{}", steps.join("\n"));
    }
}

#[test]
fn the_scans_see_what_they_look_for() {
    // The rules above pass vacuously if the scans read nothing: they must find the wire's
    // derives and some edges.
    let files = sources(&src());
    let in_wire = serialisable_in(files.iter().filter(|f| f.starts_with("wire")));
    assert!(in_wire.len() > 100, "the scan finds the wire's derives: {in_wire:?}");
    let graph = module_graph(&files);
    assert!(graph.get("http::cases").is_some_and(|to| to.contains_key("wire")), "{graph:?}");
    let mut cyclic = graph.clone();
    cyclic.entry("wire".to_owned()).or_default().insert("http::cases".to_owned(), "test".to_owned());
    assert!(find_cycle(&cyclic).is_some());
    assert_eq!(crate_paths("use crate::{auth, http::error::ApiError};", "crate::").len(), 2);
}
