//! A copy of a subject folder with its inputs, for commands that must change or rebuild a
//! subject without touching the original: `podium reload` edits the copy, `podium otel`
//! pins an older SDK in it.
//!
//! The inputs (`../common`, `../Cargo.toml`, ...) keep their places relative to the
//! subject, so a Go `replace ../common` or a cargo workspace still resolves in the copy.

use std::path::{Component, Path, PathBuf};

/// Folders never copied: build outputs, version control and package caches.
const SKIPPED: &[&str] = &["target", ".git", "node_modules"];

/// A file or folder that could not be read or written while copying.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} {}: {source}", path.display())]
pub struct CopyError {
    /// What was being done ("read", "create", "copy").
    pub action: &'static str,
    /// The path it was done to.
    pub path: PathBuf,
    /// The operating system's reason.
    pub source: std::io::Error,
}

fn failed(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> CopyError {
    let path = path.to_path_buf();
    move |source| CopyError {
        action,
        path,
        source,
    }
}

/// Copies the subject folder `dir` and its `inputs` (paths relative to `dir`, such as
/// `../common` or `../Cargo.toml`) into `into`, keeping their relative places below their
/// deepest common folder; returns where the copy of `dir` is. An input naming a cargo
/// workspace manifest brings the whole workspace folder, whose members the manifest
/// needs. Build outputs and version control (`target`, `.git`, `node_modules`) are left
/// out.
pub fn copy_with_inputs(dir: &Path, inputs: &[PathBuf], into: &Path) -> Result<PathBuf, CopyError> {
    let src = std::fs::canonicalize(dir).map_err(failed("read", dir))?;
    let mut paths = vec![src.clone()];
    for input in inputs {
        let joined = dir.join(input);
        let path = std::fs::canonicalize(&joined).map_err(failed("read input", &joined))?;
        if path.file_name().is_some_and(|n| n == "Cargo.toml")
            && let Some(workspace) = path.parent()
        {
            paths.push(workspace.to_path_buf());
        }
        paths.push(path);
    }
    let base = common_ancestor(&paths);
    for path in &paths {
        let rel = path.strip_prefix(&base).unwrap_or(path);
        copy_tree(path, &into.join(rel))?;
    }
    Ok(into.join(src.strip_prefix(&base).unwrap_or(&src)))
}

/// The deepest folder holding every path, never a path itself (its name stays in the
/// copy).
fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let mut base: Vec<Component> = match paths.first() {
        Some(p) => p.parent().unwrap_or(p).components().collect(),
        None => return PathBuf::from("/"),
    };
    for path in paths {
        let parts: Vec<Component> = path.components().collect();
        let same = base.iter().zip(&parts).take_while(|(a, b)| a == b).count();
        base.truncate(same.min(parts.len().saturating_sub(1)));
    }
    base.iter().collect()
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), CopyError> {
    let meta = std::fs::metadata(from).map_err(failed("read", from))?;
    if meta.is_file() {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(failed("create", parent))?;
        }
        std::fs::copy(from, to).map_err(failed("copy", from))?;
        return Ok(());
    }
    std::fs::create_dir_all(to).map_err(failed("create", to))?;
    for entry in std::fs::read_dir(from).map_err(failed("read", from))? {
        let entry = entry.map_err(failed("read", from))?;
        let name = entry.file_name();
        if SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        copy_tree(&entry.path(), &to.join(&name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_keep_their_relative_places_in_the_copy() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let subjects = root.path().join("subjects");
        let go = subjects.join("go");
        for dir in ["gin/target", "common/sub"] {
            std::fs::create_dir_all(go.join(dir)).expect("created");
        }
        for (file, text) in [
            ("go/gin/main.go", "package main"),
            ("go/gin/target/junk", "x"),
            ("go/common/sub/c.go", "package c"),
            ("go/stdlib.go", "not an input"),
            ("Cargo.lock", "lock"),
        ] {
            std::fs::write(subjects.join(file), text).expect("written");
        }
        let into = tempfile::tempdir().expect("a temporary folder");
        let copy = copy_with_inputs(
            &go.join("gin"),
            &[
                PathBuf::from("../common"),
                PathBuf::from("../../Cargo.lock"),
            ],
            into.path(),
        )
        .expect("copied");
        assert_eq!(copy, into.path().join("go/gin"));
        assert!(copy.join("main.go").is_file());
        assert!(!copy.join("target").exists(), "build outputs are left out");
        assert!(copy.join("../common/sub/c.go").is_file());
        assert!(copy.join("../../Cargo.lock").is_file());
        assert!(!into.path().join("go/stdlib.go").exists(), "not an input");
    }

    #[test]
    fn a_workspace_manifest_brings_its_members() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let rust = root.path().join("rust");
        for dir in ["axum/src", "common/src"] {
            std::fs::create_dir_all(rust.join(dir)).expect("created");
        }
        std::fs::write(rust.join("Cargo.toml"), "[workspace]").expect("written");
        std::fs::write(rust.join("common/src/lib.rs"), "").expect("written");
        let into = tempfile::tempdir().expect("a temporary folder");
        let copy = copy_with_inputs(
            &rust.join("axum"),
            &[PathBuf::from("../Cargo.toml")],
            into.path(),
        )
        .expect("copied");
        assert!(copy.join("../common/src/lib.rs").is_file());
    }

    #[test]
    fn a_missing_input_is_named() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let into = tempfile::tempdir().expect("a temporary folder");
        let err = copy_with_inputs(root.path(), &[PathBuf::from("../nope")], into.path())
            .expect_err("the input is missing");
        assert!(err.to_string().starts_with("cannot read input "), "{err}");
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
