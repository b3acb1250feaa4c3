//! Building a subject from source, once per distinct source content.
//!
//! The output folder is named by a hash of every file the build reads (the subject's
//! folder plus its declared `inputs`), so an unchanged subject is never rebuilt and a
//! changed one always is. Concurrent Podium processes serialise on a lock file per subject.

use crate::catalog::{Subject, hex};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A built subject, ready to run.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The output folder (`$PODIUM_OUT` during the build).
    pub out_dir: PathBuf,
    /// The executable named by `run.command[0]`.
    pub executable: PathBuf,
    /// Hash of the sources the artifact was built from.
    pub source_hash: String,
    /// True when an earlier build of the same sources was reused.
    pub reused: bool,
    /// Wall time of the build (zero when reused).
    pub build_time: Duration,
}

/// Why a subject could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Reading sources or writing the output failed.
    #[error("{subject}: {action} {path}: {source}")]
    Io {
        /// Subject name.
        subject: String,
        /// What Podium was doing.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The build command failed.
    #[error("{0}")]
    Failed(Box<FailedBuild>),
    /// The build succeeded but did not produce the executable `run.command` names.
    #[error(
        "{subject}: the build command succeeded but produced no executable at {path}; make `build.command` write it there or fix `run.command`"
    )]
    MissingExecutable {
        /// Subject name.
        subject: String,
        /// The expected path.
        path: PathBuf,
    },
}

/// A failed build: the command, where it ran, and the end of its output.
#[derive(Debug)]
pub struct FailedBuild {
    /// Subject name.
    pub subject: String,
    /// The command that ran.
    pub command: String,
    /// Where it ran.
    pub dir: PathBuf,
    /// Its exit status.
    pub status: String,
    /// The log file holding all its output.
    pub log: PathBuf,
    /// The end of its output.
    pub tail: String,
}

impl std::fmt::Display for FailedBuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: build failed ({}).\n  command: {}\n  in: {}\n  full log: {}\n--- last lines of the build output ---\n{}",
            self.subject,
            self.status,
            self.command,
            self.dir.display(),
            self.log.display(),
            self.tail
        )
    }
}

/// Lines of build output shown in a failure message.
const TAIL_LINES: usize = 40;

/// Builds `subject` into `<cache>/builds/<name>/<hash>/` unless that build exists already.
pub fn build(subject: &Subject, cache: &Path) -> Result<Artifact, BuildError> {
    let name = subject.name().to_string();
    let io = |action: &'static str, path: &Path| {
        let (name, path) = (name.clone(), path.to_path_buf());
        move |source| BuildError::Io {
            subject: name,
            action,
            path,
            source,
        }
    };
    let source_hash = source_hash(subject)?;
    let subject_builds = cache.join("builds").join(&name);
    std::fs::create_dir_all(&subject_builds).map_err(io("cannot create", &subject_builds))?;
    let lock_path = subject_builds.join(".lock");
    let lock = File::create(&lock_path).map_err(io("cannot create", &lock_path))?;
    // Held until the end of this function: one build of a subject at a time.
    // SAFETY: flock on a file descriptor we own; it is released when `lock` is dropped.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io("cannot lock", &lock_path)(
            std::io::Error::last_os_error(),
        ));
    }

    let out_dir = subject_builds.join(&source_hash);
    let executable = out_dir.join(&subject.manifest.run.command[0]);
    if out_dir.join(".complete").is_file() && executable.is_file() {
        return Ok(Artifact {
            out_dir,
            executable,
            source_hash,
            reused: true,
            build_time: Duration::ZERO,
        });
    }

    let tmp = subject_builds.join(format!(".build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(io("cannot create", &tmp))?;
    let log_path = subject_builds.join("last-build.log");
    let log = File::create(&log_path).map_err(io("cannot create", &log_path))?;
    let log_err = log.try_clone().map_err(io("cannot open", &log_path))?;

    let command = &subject.manifest.build.command;
    let started = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(&subject.dir)
        .env("PODIUM_OUT", &tmp)
        .env("PODIUM_CACHE", cache)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .status()
        .map_err(io("cannot start `sh` for the build of", &subject.dir))?;
    let build_time = started.elapsed();
    if !status.success() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(BuildError::Failed(Box::new(FailedBuild {
            subject: name,
            command: command.clone(),
            dir: subject.dir.clone(),
            status: status.to_string(),
            tail: tail(&log_path, TAIL_LINES),
            log: log_path,
        })));
    }
    let built = tmp.join(&subject.manifest.run.command[0]);
    if !built.is_file() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(BuildError::MissingExecutable {
            subject: name,
            path: executable,
        });
    }
    std::fs::write(tmp.join(".complete"), b"").map_err(io("cannot write", &tmp))?;
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::rename(&tmp, &out_dir).map_err(io("cannot move the build into", &out_dir))?;
    remove_stale_builds(&subject_builds, &source_hash);
    Ok(Artifact {
        out_dir,
        executable,
        source_hash,
        reused: false,
        build_time,
    })
}

/// Older builds of the same subject are dead weight once a newer one exists.
fn remove_stale_builds(subject_builds: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(subject_builds) else {
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

/// The last `n` lines of a file.
pub(crate) fn tail(path: &Path, n: usize) -> String {
    let Ok(file) = File::open(path) else {
        return String::new();
    };
    let lines: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Hash of every source file the build reads: the subject folder and its `inputs`,
/// skipping build outputs and hidden files. Paths are hashed relative to the subject
/// folder, so the same sources hash the same wherever they are unpacked.
pub fn source_hash(subject: &Subject) -> Result<String, BuildError> {
    let mut files = Vec::new();
    let roots =
        std::iter::once(PathBuf::new()).chain(subject.manifest.build.inputs.iter().cloned());
    for rel in roots {
        let abs = subject.dir.join(&rel);
        if abs.is_file() {
            files.push((rel.to_string_lossy().into_owned(), abs));
        } else if abs.is_dir() {
            collect_files(&abs, &rel, &mut files);
        } else {
            return Err(BuildError::Io {
                subject: subject.name().to_string(),
                action: "build input does not exist:",
                path: abs,
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
    }
    files.sort();
    files.dedup();
    let mut hasher = Sha256::new();
    for (rel, abs) in &files {
        let bytes = std::fs::read(abs).map_err(|source| BuildError::Io {
            subject: subject.name().to_string(),
            action: "cannot read",
            path: abs.clone(),
            source,
        })?;
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hex(&hasher.finalize()[..10]))
}

fn collect_files(dir: &Path, rel: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with('.') || name_str == "target" || name_str == "node_modules" {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let rel = rel.join(&name);
        if kind.is_dir() {
            collect_files(&entry.path(), &rel, out);
        } else if kind.is_file() {
            out.push((rel.to_string_lossy().into_owned(), entry.path()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Origin;
    use crate::manifest::SubjectManifest;

    fn subject(dir: &Path, build: &str) -> Subject {
        let text = format!(
            "name = \"t\"\nlanguage = \"sh\"\nframework = \"F\"\nmodule = \"m\"\nversion = \"1\"\n\
             [build]\ncommand = '''{build}'''\ninputs = [\"../shared.txt\"]\n[run]\ncommand = [\"server\"]\n"
        );
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("subject.toml"), &text).unwrap();
        Subject {
            manifest: SubjectManifest::parse(&text, &dir.join("subject.toml")).unwrap(),
            dir: dir.to_path_buf(),
            origin: Origin::Bundled,
        }
    }

    #[test]
    fn builds_once_then_reuses_until_an_input_changes() {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("shared.txt"), "v1").unwrap();
        let s = subject(
            &root.path().join("t"),
            r#"echo built >> ../count; printf '#!/bin/sh\n' > "$PODIUM_OUT/server"; chmod +x "$PODIUM_OUT/server""#,
        );
        let first = build(&s, cache.path()).unwrap();
        assert!(!first.reused && first.executable.is_file());
        let second = build(&s, cache.path()).unwrap();
        assert!(second.reused);
        assert_eq!(first.source_hash, second.source_hash);
        // A change in a declared input outside the folder triggers a rebuild.
        std::fs::write(root.path().join("shared.txt"), "v2").unwrap();
        let third = build(&s, cache.path()).unwrap();
        assert!(!third.reused);
        assert_ne!(third.source_hash, first.source_hash);
        assert!(!first.out_dir.exists(), "stale build removed");
        let count = std::fs::read_to_string(root.path().join("count")).unwrap();
        assert_eq!(count.lines().count(), 2);
    }

    #[test]
    fn failed_build_shows_command_and_compiler_output() {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("shared.txt"), "").unwrap();
        let s = subject(
            &root.path().join("t"),
            "echo 'main.go:3: undefined: foo' >&2; exit 3",
        );
        let err = build(&s, cache.path()).unwrap_err().to_string();
        assert!(err.contains("build failed (exit status: 3)"), "{err}");
        assert!(err.contains("command: echo 'main.go:3"), "{err}");
        assert!(err.contains("main.go:3: undefined: foo"), "{err}");
    }

    #[test]
    fn missing_executable_is_reported() {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("shared.txt"), "").unwrap();
        let s = subject(&root.path().join("t"), "true");
        let err = build(&s, cache.path()).unwrap_err();
        assert!(matches!(err, BuildError::MissingExecutable { .. }), "{err}");
    }

    #[test]
    fn missing_input_is_reported() {
        let root = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let s = subject(&root.path().join("t"), "true");
        let err = build(&s, cache.path()).unwrap_err().to_string();
        assert!(
            err.contains("build input does not exist") && err.contains("shared.txt"),
            "{err}"
        );
    }
}
