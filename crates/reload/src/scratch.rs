//! The scratch copy a scenario edits: the subject folder plus its `[build] inputs`, at
//! the same relative places (so `replace ../common` or a cargo workspace still resolve).

use crate::ReloadError;
use podium_subjects::Subject;
use std::path::{Component, Path, PathBuf};

/// Folders never copied: build outputs and version control.
const SKIPPED: &[&str] = &["target", ".git", "node_modules"];

/// A scratch copy, removed when dropped.
#[derive(Debug)]
pub struct Scratch {
    /// Holds the copy; removed on drop.
    _root: tempfile::TempDir,
    /// The root of the copy.
    pub root: PathBuf,
    /// The subject's folder inside the copy.
    pub subject_dir: PathBuf,
}

/// Copies `subject` and its inputs into a new folder under `parent`.
pub fn scratch_copy(subject: &Subject, parent: &Path) -> Result<Scratch, ReloadError> {
    let io = |what: String| move |source| ReloadError::Io { what, source };
    std::fs::create_dir_all(parent).map_err(io(format!("cannot create {}", parent.display())))?;
    let root = tempfile::Builder::new()
        .prefix(&format!("{}-", subject.name()))
        .tempdir_in(parent)
        .map_err(io(format!(
            "cannot create a folder in {}",
            parent.display()
        )))?;
    let src = std::fs::canonicalize(&subject.dir)
        .map_err(io(format!("cannot read {}", subject.dir.display())))?;
    let mut paths = vec![src.clone()];
    for input in &subject.manifest.build.inputs {
        let path = subject.dir.join(input);
        let path = std::fs::canonicalize(&path)
            .map_err(io(format!("cannot read input {}", path.display())))?;
        // A cargo workspace manifest needs its members: copy the whole workspace.
        if path.file_name().is_some_and(|n| n == "Cargo.toml") {
            if let Some(dir) = path.parent() {
                paths.push(dir.to_path_buf());
            }
        }
        paths.push(path);
    }
    let base = common_ancestor(&paths);
    for path in &paths {
        let rel = path.strip_prefix(&base).unwrap_or(path);
        copy_tree(path, &root.path().join(rel))?;
    }
    let subject_dir = root.path().join(src.strip_prefix(&base).unwrap_or(&src));
    Ok(Scratch {
        root: root.path().to_path_buf(),
        subject_dir,
        _root: root,
    })
}

fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let mut base: Vec<Component> = match paths.first() {
        Some(p) => p.parent().unwrap_or(p).components().collect(),
        None => return PathBuf::from("/"),
    };
    for path in paths {
        let parts: Vec<Component> = path.components().collect();
        let same = base.iter().zip(&parts).take_while(|(a, b)| a == b).count();
        // A path is never its own base: its name must stay in the copy.
        base.truncate(same.min(parts.len().saturating_sub(1)));
    }
    base.iter().collect()
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), ReloadError> {
    let io = |what: String| move |source| ReloadError::Io { what, source };
    let meta = std::fs::metadata(from).map_err(io(format!("cannot read {}", from.display())))?;
    if meta.is_file() {
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
        }
        std::fs::copy(from, to).map_err(io(format!("cannot copy {}", from.display())))?;
        return Ok(());
    }
    std::fs::create_dir_all(to).map_err(io(format!("cannot create {}", to.display())))?;
    let entries = std::fs::read_dir(from).map_err(io(format!("cannot read {}", from.display())))?;
    for entry in entries {
        let entry = entry.map_err(io(format!("cannot read {}", from.display())))?;
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
    use podium_subjects::{Origin, SubjectManifest};

    #[test]
    fn copies_subject_and_inputs_at_their_relative_places() {
        let repo = tempfile::tempdir().unwrap();
        let go = repo.path().join("subjects/go");
        std::fs::create_dir_all(go.join("gin/target")).unwrap();
        std::fs::create_dir_all(go.join("common")).unwrap();
        std::fs::write(go.join("gin/main.go"), "package main").unwrap();
        std::fs::write(go.join("gin/target/junk"), "x").unwrap();
        std::fs::write(go.join("common/c.go"), "package common").unwrap();
        std::fs::write(go.join("stdlib.go"), "not an input").unwrap();
        let text = "name = \"gin\"\nlanguage = \"go\"\nframework = \"Gin\"\nmodule = \"m\"\nversion = \"v1\"\n[build]\ncommand = \"true\"\ninputs = [\"../common\"]\n[run]\ncommand = [\"server\"]\n";
        let manifest = SubjectManifest::parse(text, Path::new("subject.toml")).unwrap();
        let subject = Subject {
            manifest,
            dir: go.join("gin"),
            origin: Origin::UserDir(repo.path().to_path_buf()),
        };
        let parent = tempfile::tempdir().unwrap();
        let scratch = scratch_copy(&subject, parent.path()).unwrap();
        assert!(scratch.subject_dir.ends_with("gin"));
        assert!(scratch.subject_dir.join("main.go").is_file());
        assert!(scratch.subject_dir.join("../common/c.go").is_file());
        assert!(!scratch.subject_dir.join("target").exists());
        assert!(!scratch.root.join("stdlib.go").exists());
        let root = scratch.root.clone();
        drop(scratch);
        assert!(!root.exists());
    }
}
