//! Coupling entropy of a module's own package graph, and the decoupling signal.
//!
//! Definition (the one Podium reports): take the module's own packages (Go: the
//! packages `go list -e -json ./...` finds inside the module, test files excluded; Rust:
//! the crate root and its top-level modules). An edge `A → B` exists when package `A`
//! imports package `B` (Go: `B` is in `A`'s `Imports`; Rust: a file of module `A`
//! names `crate::B`), `A ≠ B`, each ordered pair counted once. With `n` packages and `e`
//! edges, **coupling entropy** = `e / (n·(n−1))`, the density of the directed graph, in
//! [0, 1] (0 when `n < 2`: a single package references no other). The **decoupling**
//! signal is `1 − entropy`. Go forbids import cycles, so a Go module's entropy is at
//! most 0.5 (every pair linked one way).

use crate::{EcoError, registry};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's own import graph and its density.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coupling {
    /// Number of the module's own packages (`n`).
    pub packages: usize,
    /// Directed edges between distinct own packages (`e`).
    pub edges: usize,
    /// `e / (n·(n−1))`, 0 when `n < 2`.
    pub entropy: f64,
}

impl Coupling {
    /// From packages and their imports (imports outside the set are ignored).
    pub fn of_graph(graph: &BTreeMap<String, BTreeSet<String>>) -> Coupling {
        let n = graph.len();
        let edges = graph
            .iter()
            .map(|(from, imports)| {
                imports
                    .iter()
                    .filter(|to| *to != from && graph.contains_key(*to))
                    .count()
            })
            .sum::<usize>();
        let entropy = if n < 2 {
            0.0
        } else {
            edges as f64 / (n as f64 * (n as f64 - 1.0))
        };
        Coupling {
            packages: n,
            edges,
            entropy,
        }
    }

    /// The decoupling signal, `1 − entropy`.
    pub fn decoupling(&self) -> f64 {
        1.0 - self.entropy
    }
}

/// The import graph of the Go packages under `dir` whose import path is `prefix` or
/// starts with `prefix/` (`pattern` is `./...` for a module, `net/http/...` for a
/// standard-library package run inside GOROOT/src).
pub fn go_graph(
    dir: &Path,
    prefix: &str,
    pattern: &str,
) -> Result<BTreeMap<String, BTreeSet<String>>, EcoError> {
    let out = registry::go(&["list", "-e", "-json", pattern], Some(dir))?;
    let own = |path: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    let mut graph = BTreeMap::new();
    for package in registry::json_stream("go list -json", &out)? {
        let Some(path) = package.get("ImportPath").and_then(Value::as_str) else {
            continue;
        };
        if !own(path) || package.get("Name").and_then(Value::as_str).is_none() {
            continue;
        }
        let imports = package
            .get("Imports")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .filter(|i| own(i))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        graph.insert(path.to_string(), imports);
    }
    if graph.is_empty() {
        return Err(EcoError::NotFound(format!(
            "`go list {pattern}` in {} found no package of {prefix}",
            dir.display()
        )));
    }
    Ok(graph)
}

/// The coupling of a Go module whose source is in `dir`.
pub fn go_module(dir: &Path, module: &str) -> Result<Coupling, EcoError> {
    Ok(Coupling::of_graph(&go_graph(dir, module, "./...")?))
}

/// The module graph of an unpacked crate: the root (`crate`) and each top-level
/// module of `src/` (a file `src/a.rs` or folder `src/a/`; deeper modules belong to
/// their top-level one); `src/bin` and `src/main.rs` are left out. An edge `A → B` when
/// a file of `A` contains `crate::B`.
pub fn rust_graph(crate_dir: &Path) -> Result<BTreeMap<String, BTreeSet<String>>, EcoError> {
    let src = crate_dir.join("src");
    let mut files: Vec<(String, String)> = Vec::new();
    collect_rs(&src, &src, &mut files)?;
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, _) in &files {
        graph.entry(module.clone()).or_default();
    }
    for (module, text) in &files {
        for target in graph
            .keys()
            .filter(|m| *m != module)
            .cloned()
            .collect::<Vec<_>>()
        {
            if references(text, &format!("crate::{target}")) {
                graph.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    if graph.is_empty() {
        return Err(EcoError::NotFound(format!(
            "{} holds no Rust source",
            src.display()
        )));
    }
    Ok(graph)
}

/// Whether `text` contains `path` followed by something that ends an identifier.
fn references(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(at, _)| {
        let before_ok = at == 0
            || !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        let after_ok = !text[at + path.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        before_ok && after_ok
    })
}

fn collect_rs(src: &Path, dir: &Path, files: &mut Vec<(String, String)>) -> Result<(), EcoError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EcoError::io(dir, e))?;
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let relative = path.strip_prefix(src).unwrap_or(&path);
        let first = relative
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        if first == "bin" || first == "main.rs" {
            continue;
        }
        if path.is_dir() {
            collect_rs(src, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = match first.trim_end_matches(".rs") {
                "lib" => "crate".to_string(),
                m => m.to_string(),
            };
            let text = std::fs::read_to_string(&path).map_err(|e| EcoError::io(&path, e))?;
            files.push((module, text));
        }
    }
    Ok(())
}

/// The coupling of an unpacked crate.
pub fn rust_crate(crate_dir: &Path) -> Result<Coupling, EcoError> {
    Ok(Coupling::of_graph(&rust_graph(crate_dir)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        edges
            .iter()
            .map(|(from, to)| (from.to_string(), to.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn density_of_known_graphs() {
        let star = graph(&[
            ("hub", &[]),
            ("a", &["hub"]),
            ("b", &["hub"]),
            ("c", &["hub"]),
        ]);
        assert_eq!(Coupling::of_graph(&star).edges, 3);
        assert!((Coupling::of_graph(&star).entropy - 0.25).abs() < 1e-12);
        let full = graph(&[("a", &["b", "c"]), ("b", &["a", "c"]), ("c", &["a", "b"])]);
        assert!((Coupling::of_graph(&full).decoupling()).abs() < 1e-12);
        let single = graph(&[("a", &["a", "elsewhere"])]);
        assert_eq!(Coupling::of_graph(&single).entropy, 0.0);
    }

    #[test]
    fn rust_modules_reference_each_other_through_crate_paths() {
        let dir = tempfile::tempdir().expect("temp dir");
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("a")).expect("mkdir");
        std::fs::write(src.join("lib.rs"), "mod a; mod b; pub use crate::a::X;").expect("write");
        std::fs::write(src.join("a/mod.rs"), "mod deep;").expect("write");
        std::fs::write(src.join("a/deep.rs"), "use crate::b::Y; // crate::bogus").expect("write");
        std::fs::write(src.join("b.rs"), "pub struct Y; fn f() { crate::ab(); }").expect("write");
        let g = rust_graph(dir.path()).expect("graph");
        assert_eq!(g.len(), 3);
        assert_eq!(g["crate"], BTreeSet::from(["a".to_string()]));
        assert_eq!(g["a"], BTreeSet::from(["b".to_string()]));
        assert!(g["b"].is_empty(), "crate::ab is not crate::a");
        let c = rust_crate(dir.path()).expect("coupling");
        assert!((c.entropy - 2.0 / 6.0).abs() < 1e-12);
    }
}
