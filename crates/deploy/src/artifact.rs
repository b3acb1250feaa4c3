//! The shipping binary: the subject's `[deploy]` command, run once per source content.

use crate::elf::is_static_executable;
use crate::error::{DeployError, io_error};
use crate::shell::{DeployCommand, lock, reset_dir, round3, write_atomically};
use podium_subjects::Subject;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file the `[deploy]` command must write into `$PODIUM_OUT`.
pub const DEPLOY_BINARY: &str = "server";
/// The deploy build's output, kept beside the binary.
const LOG_FILE: &str = "deploy-build.log";
/// What the build found out that the binary alone does not tell (CGO).
const RECORD_FILE: &str = "artifact.json";
/// Present once the folder holds a finished build.
const COMPLETE_MARKER: &str = ".complete";

/// A built shipping binary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeployArtifact {
    /// The binary (`<cache>/deploy/<name>/<hash>/server`).
    pub binary: PathBuf,
    /// Its size in bytes.
    pub binary_bytes: u64,
    /// True when it has no `PT_INTERP` program header: it needs no dynamic loader or
    /// shared libraries, so an image holding only this file runs it.
    pub static_binary: bool,
    /// Go: whether it builds with `CGO_ENABLED=0`. `None` for other languages.
    pub cgo_free: Option<bool>,
    /// Go, when `cgo_free` is false: the end of the failed `CGO_ENABLED=0` build's output.
    pub cgo_failure: Option<String>,
    /// The full output of the deploy build.
    pub build_log: PathBuf,
    /// Hash of the sources it was built from ([`podium_subjects::source_hash`]).
    pub source_hash: String,
    /// True when an earlier build of the same sources was reused.
    pub reused: bool,
    /// Wall time of the successful build command, in seconds (with whatever caches the
    /// machine had; see [`crate::measure_build_times`] for cold and warm figures).
    pub build_s: f64,
}

/// The part of [`DeployArtifact`] stored beside the binary.
#[derive(Debug, Serialize, Deserialize)]
struct BuildRecord {
    cgo_free: Option<bool>,
    cgo_failure: Option<String>,
    build_s: f64,
}

/// `<cache>/deploy/<name>`: every deploy build and figure of one subject.
pub(crate) fn subject_deploy_dir(cache: &Path, subject: &Subject) -> PathBuf {
    cache.join("deploy").join(subject.name())
}

/// Builds the subject's shipping binary into `<cache>/deploy/<name>/<hash>/server` with
/// its `[deploy]` command, unless that build exists already. Go subjects are built with
/// `CGO_ENABLED=0` first; if that fails they are built again with Go's default and
/// `cgo_free` is false. One deploy build of a subject runs at a time (a lock file).
pub fn deploy_build(subject: &Subject, cache: &Path) -> Result<DeployArtifact, DeployError> {
    let name = subject.name();
    if subject.manifest.deploy.is_none() {
        return Err(DeployError::NoDeploySection {
            subject: name.to_string(),
        });
    }
    let source_hash = podium_subjects::source_hash(subject)?;
    let subject_dir = subject_deploy_dir(cache, subject);
    let _lock = lock(name, &subject_dir.join(".lock"))?;

    let out_dir = subject_dir.join(&source_hash);
    if out_dir.join(COMPLETE_MARKER).is_file() {
        if let Some(record) = read_record(&out_dir) {
            return describe(&out_dir, &source_hash, record, true);
        }
    }

    let tmp = subject_dir.join(format!(".build-{}", std::process::id()));
    reset_dir(name, &tmp)?;
    let log = subject_dir.join(LOG_FILE);
    let _ = std::fs::remove_file(&log);
    let command = DeployCommand {
        subject,
        dir: &subject.dir,
        out_dir: &tmp,
        cache,
        env: &[],
        log: &log,
    };
    let built = command.build_preferring_cgo_free().inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&tmp);
    })?;
    if !tmp.join(DEPLOY_BINARY).is_file() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(DeployError::MissingBinary {
            subject: name.to_string(),
            path: out_dir.join(DEPLOY_BINARY),
        });
    }
    // A binary Podium cannot inspect is refused before it is cached as a finished build.
    is_static_executable(&tmp.join(DEPLOY_BINARY)).inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&tmp);
    })?;
    let record = BuildRecord {
        cgo_free: built.cgo_free,
        cgo_failure: built.cgo_failure,
        build_s: round3(built.duration.as_secs_f64()),
    };
    let record_json = serde_json::to_vec_pretty(&record).unwrap_or_default();
    write_atomically(name, &tmp.join(RECORD_FILE), &record_json)?;
    let _ = std::fs::rename(&log, tmp.join(LOG_FILE));
    std::fs::write(tmp.join(COMPLETE_MARKER), b"").map_err(io_error(name, "cannot write", &tmp))?;
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::rename(&tmp, &out_dir).map_err(io_error(
        name,
        "cannot move the deploy build into",
        &out_dir,
    ))?;
    remove_stale_builds(&subject_dir, &source_hash);
    describe(&out_dir, &source_hash, record, false)
}

fn read_record(out_dir: &Path) -> Option<BuildRecord> {
    let text = std::fs::read(out_dir.join(RECORD_FILE)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// The artifact in `out_dir`; size and linkage are read from the binary itself.
fn describe(
    out_dir: &Path,
    source_hash: &str,
    record: BuildRecord,
    reused: bool,
) -> Result<DeployArtifact, DeployError> {
    let binary = out_dir.join(DEPLOY_BINARY);
    let context = binary.display().to_string();
    let binary_bytes = std::fs::metadata(&binary)
        .map_err(io_error(&context, "cannot read", &binary))?
        .len();
    Ok(DeployArtifact {
        static_binary: is_static_executable(&binary)?,
        binary,
        binary_bytes,
        cgo_free: record.cgo_free,
        cgo_failure: record.cgo_failure,
        build_log: out_dir.join(LOG_FILE),
        source_hash: source_hash.to_string(),
        reused,
        build_s: record.build_s,
    })
}

/// Deploy builds of older sources (and their figures) are dead weight once a newer one
/// exists.
fn remove_stale_builds(subject_dir: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(subject_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name != keep && !name.starts_with('.') && entry.path().is_dir() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{elf_copy, fake_subject};

    #[test]
    fn builds_once_then_reuses_until_the_sources_change() {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let command = format!("echo built >> ../count; {}", elf_copy());
        let subject = fake_subject(&root.path().join("t"), "sh", Some(&command));
        let first = deploy_build(&subject, cache.path()).unwrap();
        assert!(!first.reused);
        assert_eq!(first.cgo_free, None, "not a Go subject");
        assert_eq!(
            first.binary_bytes,
            std::fs::metadata(&first.binary).unwrap().len()
        );
        assert!(first.build_log.is_file());
        let log = std::fs::read_to_string(&first.build_log).unwrap();
        assert!(
            log.contains("sh -c") && !log.contains("CGO_ENABLED=0"),
            "{log}"
        );

        let second = deploy_build(&subject, cache.path()).unwrap();
        assert!(second.reused);
        assert_eq!(second.binary, first.binary);
        assert_eq!(second.build_s, first.build_s);

        std::fs::write(subject.dir.join("main.go"), "changed").unwrap();
        let third = deploy_build(&subject, cache.path()).unwrap();
        assert!(!third.reused);
        assert_ne!(third.source_hash, first.source_hash);
        assert!(!first.binary.exists(), "stale deploy build removed");
        let count = std::fs::read_to_string(root.path().join("count")).unwrap();
        assert_eq!(count.lines().count(), 2);
    }

    #[test]
    fn go_subject_gets_cgo_enabled_zero_and_falls_back_when_it_fails() {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let cgo_free = fake_subject(
            &root.path().join("a"),
            "go",
            Some(&format!(
                "test \"$CGO_ENABLED\" = 0 || exit 9; touch \"$PODIUM_OUT/partial\"; {}",
                elf_copy()
            )),
        );
        let built = deploy_build(&cgo_free, cache.path()).unwrap();
        assert_eq!(built.cgo_free, Some(true));
        assert_eq!(built.cgo_failure, None);

        let needs_cgo = fake_subject(
            &root.path().join("b"),
            "go",
            Some(&format!(
                "touch \"$PODIUM_OUT/leftover-$CGO_ENABLED\"; if [ \"${{CGO_ENABLED-unset}}\" = 0 ]; then echo 'cgo: C compiler required' >&2; exit 1; fi; {}",
                elf_copy()
            )),
        );
        let built = deploy_build(&needs_cgo, cache.path()).unwrap();
        assert_eq!(built.cgo_free, Some(false));
        let failure = built.cgo_failure.unwrap();
        assert!(failure.contains("cgo: C compiler required"), "{failure}");
        let out_dir = built.binary.parent().unwrap();
        assert!(
            !out_dir.join("leftover-0").exists(),
            "the retry starts from an empty output folder"
        );
        assert!(out_dir.join("leftover-").exists());
        // The record survives a reuse.
        let again = deploy_build(&needs_cgo, cache.path()).unwrap();
        assert!(again.reused && again.cgo_free == Some(false) && again.cgo_failure.is_some());
    }

    #[test]
    fn failures_name_the_command_and_show_its_output() {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let broken = fake_subject(
            &root.path().join("a"),
            "go",
            Some("echo 'main.go:3: undefined: foo' >&2; exit 2"),
        );
        let err = deploy_build(&broken, cache.path()).unwrap_err().to_string();
        assert!(
            err.contains("deploy build failed (exit status: 2)"),
            "{err}"
        );
        assert!(err.contains("main.go:3: undefined: foo"), "{err}");
        assert!(
            !err.contains("CGO_ENABLED=0 echo"),
            "the retry is reported: {err}"
        );

        let silent = fake_subject(&root.path().join("b"), "sh", Some("true"));
        let err = deploy_build(&silent, cache.path()).unwrap_err();
        assert!(matches!(err, DeployError::MissingBinary { .. }), "{err}");

        let script = fake_subject(
            &root.path().join("c"),
            "sh",
            Some("printf '#!/bin/sh\\n' > \"$PODIUM_OUT/server\""),
        );
        let err = deploy_build(&script, cache.path()).unwrap_err();
        assert!(matches!(err, DeployError::NotElf { .. }), "{err}");

        let none = fake_subject(&root.path().join("d"), "sh", None);
        let err = deploy_build(&none, cache.path()).unwrap_err().to_string();
        assert!(err.contains("no [deploy] section"), "{err}");
    }
}
