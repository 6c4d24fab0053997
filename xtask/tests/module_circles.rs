//! No two modules of a workspace crate import each other, directly or around a circle: a
//! module's imports say what it stands on, and a circle means neither can be read (or moved
//! into a crate of its own) first. A module is a file or folder directly under `src/`; an
//! import is a `crate::module` in code (comments and the `tests` module are left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules each top-level module of the crate at `src` names through `crate::`.
fn imports(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let named = graph.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let rest = &line[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let preceded = line[..at].chars().next_back();
                let own_crate = !preceded.is_some_and(|c| c.is_alphanumeric() || c == '_');
                if own_crate && !name.is_empty() && name != module {
                    named.insert(name);
                }
            }
        }
    }
    graph
}

/// A circle through `start`, as the modules along it.
fn circle_from(graph: &Graph, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &Graph,
        at: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if graph.contains_key(next) && seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_module_of_a_workspace_crate_is_in_an_import_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut circles = Vec::new();
    let crates = [
        "highlevel-runtime",
        "highlevel-sandbox",
        "highlevel-webhooks",
        "highlevel-codegen",
    ];
    let sources = crates
        .iter()
        .map(|krate| (*krate, root.join("crates").join(krate).join("src")))
        .chain([
            ("highlevel-calendars", root.join("src")),
            ("xtask", root.join("xtask/src")),
        ]);
    for (krate, src) in sources {
        let graph = imports(&src);
        assert!(graph.len() > 3, "{krate}: modules were read");
        for module in graph.keys() {
            if let Some(circle) = circle_from(&graph, module) {
                circles.push(format!("{krate}: {} -> {module}", circle.join(" -> ")));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn a_circle_is_found() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
        .into_iter()
        .fold(Graph::new(), |mut graph, (from, to)| {
            graph.entry(from.into()).or_default().insert(to.into());
            graph.entry(to.into()).or_default();
            graph
        });
    assert_eq!(circle_from(&graph, "a").unwrap(), ["a", "b", "c"]);
    assert_eq!(circle_from(&graph, "d"), None);
}
