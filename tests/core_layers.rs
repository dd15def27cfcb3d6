//! The core has no import circle: every module of `src/core` uses only
//! modules that do not use it back, directly or through others. A module
//! is a file `src/core/NAME.rs` or a folder `src/core/NAME/`; its uses are
//! `super::NAME` in a file at the top and `crate::core::NAME` anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every module of the core and the core modules its sources name.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut sources: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for entry in fs::read_dir(&core).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if name == "mod" {
            continue;
        }
        let files = if path.is_dir() {
            fs::read_dir(&path)
                .unwrap()
                .map(|e| (fs::read_to_string(e.unwrap().path()).unwrap(), false))
                .collect()
        } else {
            vec![(fs::read_to_string(&path).unwrap(), true)]
        };
        sources.insert(name, files);
    }
    let names: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, files) in &sources {
        let mut uses = BTreeSet::new();
        for (text, top_level) in files {
            let mut prefixes = vec!["crate::core::"];
            if *top_level {
                prefixes.push("super::");
            }
            for prefix in prefixes {
                for (i, _) in text.match_indices(prefix) {
                    let rest = &text[i + prefix.len()..];
                    let word: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if names.contains(&word) && word != *module {
                        uses.insert(word);
                    }
                }
            }
        }
        graph.insert(module.clone(), uses);
    }
    graph
}

/// A circle in the graph, if there is one (depth-first search).
fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut circle = path[at..].to_vec();
            circle.push(node.to_string());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in &graph[node] {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_core_has_no_import_circle() {
    let g = graph();
    // The walk sees the uses that make the layers (so it is not blind).
    assert!(g["tcp_peer"].contains("socket_stream"), "{g:?}");
    assert!(g["peer"].contains("stream_peer"), "{g:?}");
    assert!(g["uds_server"].contains("socket_server"), "{g:?}");
    if let Some(circle) = find_circle(&g) {
        panic!("import circle in src/core: {}", circle.join(" -> "));
    }
}

#[test]
fn the_circle_finder_finds_circles() {
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(find_circle(&g).unwrap(), ["a", "b", "c", "a"]);
    g.insert("c".to_string(), BTreeSet::new());
    assert_eq!(find_circle(&g), None);
}
