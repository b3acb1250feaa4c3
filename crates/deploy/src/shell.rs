//! Running a subject's `[deploy]` command, and the small process helpers the other
//! modules share (running `go`/`cargo`/`rustc` for their output, file locks).

use crate::error::{DeployError, FailedDeployBuild, io_error};
use podium_subjects::Subject;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Lines of build output kept in a failure message or a `cgo_failure` note.
pub(crate) const TAIL_LINES: usize = 40;

/// How `CGO_ENABLED` is set for one attempt of a Go build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cgo {
    /// `CGO_ENABLED=0`: a static binary without the C toolchain.
    Disabled,
    /// `CGO_ENABLED` removed from the environment: Go's default (on when a C compiler exists).
    ToolchainDefault,
    /// Not a Go subject: the environment is left as it is.
    NotApplicable,
}

impl Cgo {
    /// The first setting to try for a subject.
    pub(crate) fn preferred(subject: &Subject) -> Self {
        if subject.manifest.is_go() {
            Cgo::Disabled
        } else {
            Cgo::NotApplicable
        }
    }

    /// The `cgo_free` figure a successful build with this setting gives.
    pub(crate) fn cgo_free(self) -> Option<bool> {
        match self {
            Cgo::Disabled => Some(true),
            Cgo::ToolchainDefault => Some(false),
            Cgo::NotApplicable => None,
        }
    }

    fn shown_env(self) -> Vec<String> {
        match self {
            Cgo::Disabled => vec!["CGO_ENABLED=0".to_string()],
            Cgo::ToolchainDefault | Cgo::NotApplicable => Vec::new(),
        }
    }
}

/// Where and how a `[deploy]` command runs.
#[derive(Debug)]
pub(crate) struct DeployCommand<'a> {
    /// The subject (for its name and command).
    pub subject: &'a Subject,
    /// The folder the command runs in: the subject's folder, or a copy of it.
    pub dir: &'a Path,
    /// `$PODIUM_OUT`.
    pub out_dir: &'a Path,
    /// `$PODIUM_CACHE`.
    pub cache: &'a Path,
    /// Extra environment (fresh dependency caches for a cold build).
    pub env: &'a [(String, OsString)],
    /// The log every attempt appends to.
    pub log: &'a Path,
}

/// One run of the command.
#[derive(Debug)]
pub(crate) struct Attempt {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its exit status, as text.
    pub status: String,
    /// The end of its output.
    pub tail: String,
    /// Wall time of the command.
    pub duration: Duration,
}

/// A successful deploy build.
#[derive(Debug)]
pub(crate) struct Built {
    /// See [`crate::DeployArtifact::cgo_free`].
    pub cgo_free: Option<bool>,
    /// The end of the failed `CGO_ENABLED=0` attempt's output, when there was one.
    pub cgo_failure: Option<String>,
    /// Wall time of the successful attempt.
    pub duration: Duration,
}

impl DeployCommand<'_> {
    /// The `[deploy]` command text.
    pub(crate) fn command(&self) -> Result<&str, DeployError> {
        self.subject
            .manifest
            .deploy
            .as_ref()
            .map(|deploy| deploy.command.as_str())
            .ok_or_else(|| DeployError::NoDeploySection {
                subject: self.subject.name().to_string(),
            })
    }

    /// Runs the command once with the given CGO setting, appending its output to the log.
    pub(crate) fn attempt(&self, cgo: Cgo) -> Result<Attempt, DeployError> {
        let name = self.subject.name();
        let command = self.command()?;
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log)
            .map_err(io_error(name, "cannot open", self.log))?;
        let start_offset =
            log.seek(SeekFrom::End(0))
                .map_err(io_error(name, "cannot write", self.log))?;
        let header = format!(
            "==> in {}: {}sh -c {command:?}\n",
            self.dir.display(),
            cgo.shown_env()
                .iter()
                .map(|e| format!("{e} "))
                .collect::<String>()
        );
        log.write_all(header.as_bytes())
            .map_err(io_error(name, "cannot write", self.log))?;
        let log_err = log
            .try_clone()
            .map_err(io_error(name, "cannot open", self.log))?;

        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(command)
            .current_dir(self.dir)
            .env("PODIUM_OUT", self.out_dir)
            .env("PODIUM_CACHE", self.cache)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        match cgo {
            Cgo::Disabled => {
                cmd.env("CGO_ENABLED", "0");
            }
            Cgo::ToolchainDefault => {
                cmd.env_remove("CGO_ENABLED");
            }
            Cgo::NotApplicable => {}
        }
        let started = Instant::now();
        let status = cmd.status().map_err(io_error(
            name,
            "cannot start `sh` for the deploy build in",
            self.dir,
        ))?;
        let duration = started.elapsed();
        Ok(Attempt {
            success: status.success(),
            status: status.to_string(),
            tail: tail_from(self.log, start_offset, TAIL_LINES),
            duration,
        })
    }

    /// The error for a failed attempt.
    pub(crate) fn failure(&self, cgo: Cgo, attempt: Attempt) -> DeployError {
        DeployError::BuildFailed(Box::new(FailedDeployBuild {
            subject: self.subject.name().to_string(),
            command: self.command().unwrap_or_default().to_string(),
            env: cgo.shown_env(),
            dir: self.dir.to_path_buf(),
            status: attempt.status,
            log: self.log.to_path_buf(),
            tail: attempt.tail,
        }))
    }

    /// Builds, preferring `CGO_ENABLED=0` for Go: when that fails, the output folder is
    /// emptied and the command runs again with Go's default, and `cgo_free` is false.
    pub(crate) fn build_preferring_cgo_free(&self) -> Result<Built, DeployError> {
        let first = Cgo::preferred(self.subject);
        let attempt = self.attempt(first)?;
        if attempt.success {
            return Ok(Built {
                cgo_free: first.cgo_free(),
                cgo_failure: None,
                duration: attempt.duration,
            });
        }
        if first != Cgo::Disabled {
            return Err(self.failure(first, attempt));
        }
        reset_dir(self.subject.name(), self.out_dir)?;
        let retry = self.attempt(Cgo::ToolchainDefault)?;
        if !retry.success {
            return Err(self.failure(Cgo::ToolchainDefault, retry));
        }
        Ok(Built {
            cgo_free: Some(false),
            cgo_failure: Some(attempt.tail),
            duration: retry.duration,
        })
    }
}

/// Removes and recreates a folder, so a retried build starts from an empty one.
pub(crate) fn reset_dir(context: &str, dir: &Path) -> Result<(), DeployError> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(io_error(context, "cannot create", dir))
}

/// The last `n` lines written to `path` after byte `offset`.
fn tail_from(path: &Path, offset: u64, n: usize) -> String {
    let mut bytes = Vec::new();
    let read = File::open(path).and_then(|mut file| {
        file.seek(SeekFrom::Start(offset))?;
        file.read_to_end(&mut bytes)
    });
    if read.is_err() {
        return String::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs `program args` in `dir` and returns its standard output; a failure carries the
/// end of its standard error.
pub(crate) fn tool_output(
    context: &str,
    program: &str,
    args: &[&str],
    dir: &Path,
    env: &[(String, OsString)],
) -> Result<String, DeployError> {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()
        .map_err(|source| DeployError::ToolMissing {
            context: context.to_string(),
            program: program.to_string(),
            source,
        })?;
    let command = std::iter::once(program)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        return Err(DeployError::ToolFailed {
            context: context.to_string(),
            command,
            dir: dir.to_path_buf(),
            status: output.status.to_string(),
            output: lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n"),
        });
    }
    String::from_utf8(output.stdout).map_err(|_| DeployError::ToolOutput {
        context: context.to_string(),
        command,
        problem: "it is not UTF-8".to_string(),
    })
}

/// An exclusive `flock` on `path`, held until the returned file is dropped.
pub(crate) fn lock(context: &str, path: &Path) -> Result<File, DeployError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io_error(context, "cannot create", dir))?;
    }
    let file = File::create(path).map_err(io_error(context, "cannot create", path))?;
    // SAFETY: flock on a file descriptor we own; the lock is released when `file` is dropped.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io_error(context, "cannot lock", path)(
            std::io::Error::last_os_error(),
        ));
    }
    Ok(file)
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader never sees
/// half a file.
pub(crate) fn write_atomically(
    context: &str,
    path: &Path,
    bytes: &[u8],
) -> Result<(), DeployError> {
    let tmp = PathBuf::from(format!("{}.tmp-{}", path.display(), std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io_error(context, "cannot write", &tmp))?;
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        io_error(context, "cannot write", path)(source)
    })
}

/// Lowercase hexadecimal of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `value` rounded to three decimals: milliseconds of a figure in seconds, microseconds
/// of one in milliseconds. Finer digits are noise, and short decimals survive a JSON
/// round trip exactly, so a cached record reads back equal to what was measured.
pub(crate) fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_from_reads_only_what_follows_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        std::fs::write(&log, "old 1\nold 2\n").unwrap();
        let offset = std::fs::metadata(&log).unwrap().len();
        let mut file = OpenOptions::new().append(true).open(&log).unwrap();
        for i in 0..5 {
            writeln!(file, "new {i}").unwrap();
        }
        assert_eq!(tail_from(&log, offset, 2), "new 3\nnew 4");
        assert_eq!(tail_from(&log, offset, 100).lines().count(), 5);
        assert_eq!(tail_from(&dir.path().join("missing"), 0, 3), "");
    }

    #[test]
    fn tool_output_reports_missing_programs_and_failures() {
        let dir = tempfile::tempdir().unwrap();
        let err = tool_output("t", "podium-no-such-program", &[], dir.path(), &[]).unwrap_err();
        assert!(matches!(err, DeployError::ToolMissing { .. }), "{err}");
        let err = tool_output("t", "sh", &["-c", "echo boom >&2; exit 4"], dir.path(), &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("exit status: 4") && err.contains("boom"),
            "{err}"
        );
        let out = tool_output(
            "t",
            "sh",
            &["-c", "echo \"$X\""],
            dir.path(),
            &[("X".to_string(), OsString::from("set"))],
        )
        .unwrap();
        assert_eq!(out, "set\n");
    }

    #[test]
    fn rounded_figures_survive_a_json_round_trip() {
        for value in [21.426394000000002, 87.45200200000001, 0.0004, 246.123456] {
            let rounded = round3(value);
            assert!((rounded - value).abs() <= 0.0005);
            let back: f64 =
                serde_json::from_str(&serde_json::to_string(&rounded).unwrap()).unwrap();
            assert_eq!(back, rounded);
        }
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
