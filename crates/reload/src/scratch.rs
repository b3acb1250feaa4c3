//! The scratch copy a scenario edits: the subject folder plus its `[build] inputs`, at
//! the same relative places (so `replace ../common` or a cargo workspace still resolve).

use crate::ReloadError;
use podium_subjects::{Subject, copy_with_inputs};
use std::path::{Path, PathBuf};

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
    let subject_dir = copy_with_inputs(&subject.dir, &subject.manifest.build.inputs, root.path())
        .map_err(|e| ReloadError::Io {
        what: format!(
            "cannot copy {} to a scratch folder ({} {})",
            subject.name(),
            e.action,
            e.path.display()
        ),
        source: e.source,
    })?;
    Ok(Scratch {
        root: root.path().to_path_buf(),
        subject_dir,
        _root: root,
    })
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
