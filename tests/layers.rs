//! The layout of `src/` is the pipeline: no module reaches up to one that builds on it. Read
//! from the source, as a reviewer would: every `crate::<module>` a top-level module names
//! outside its tests is an edge, and the edges must form no circle; `commands` (the edge the
//! binary dispatches to) is named by no other module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "main" || top == "cli" {
            continue; // The binary: it may name anything.
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                edges.entry(top.clone()).or_default().insert(name);
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_one_that_builds_on_it() {
    let edges = edges();
    assert!(
        edges.contains_key("run") && edges.contains_key("report"),
        "{edges:?}"
    );
    // Kahn's algorithm: what is left over sits on a circle.
    let mut left: BTreeMap<&str, BTreeSet<&str>> = edges
        .iter()
        .map(|(k, v)| (k.as_str(), v.iter().map(String::as_str).collect()))
        .collect();
    loop {
        let leaves: Vec<&str> = left
            .iter()
            .filter(|(_, deps)| deps.iter().all(|d| !left.contains_key(d)))
            .map(|(k, _)| *k)
            .collect();
        if leaves.is_empty() {
            break;
        }
        for l in leaves {
            left.remove(l);
        }
    }
    assert!(left.is_empty(), "modules on an import circle: {left:?}");
    let up: Vec<&String> = edges
        .iter()
        .filter(|(k, v)| *k != "commands" && v.contains("commands"))
        .map(|(k, _)| k)
        .collect();
    assert!(up.is_empty(), "modules importing commands: {up:?}");
}
