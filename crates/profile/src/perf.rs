//! Rust subjects (no pprof endpoint): a CPU profile taken with Linux `perf`.
//!
//! `perf record -e cpu-clock` samples on a software timer: virtual machines often expose
//! no hardware counters (`perf stat -e instructions` answers "not supported"), and the
//! timer works everywhere. Call graphs are unwound from DWARF CFI (`.eh_frame`, which a
//! release binary keeps) because optimised Rust code omits frame pointers.

use crate::CpuProfile;
use crate::error::{ProfileError, ProfileUnavailable};
use crate::folded::{FoldedStacks, ProfileSource};
use inferno::collapse::Collapse;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

/// What the installed `perf` is, once it has been seen to work.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PerfInfo {
    /// `perf --version`, e.g. `perf version 6.1.187`.
    pub version: String,
    /// `/proc/sys/kernel/perf_event_paranoid`, when readable.
    pub perf_event_paranoid: Option<i32>,
}

/// The program run as perf (found on PATH); tests pass stand-ins by path.
const PERF: &str = "perf";

/// How to install perf, for messages.
const INSTALL_HINT: &str =
    "install it (Debian: apt-get install linux-perf; Ubuntu: apt-get install linux-tools-generic)";

/// How much of perf's standard error to quote.
const STDERR_QUOTE_CHARS: usize = 600;

/// Checks that `perf` is installed and may sample another process with the exact event
/// and call-graph mode [`perf_cpu_profile`] uses, by attaching to a short-lived child
/// for a moment. The error says what is missing and how to fix it.
pub fn perf_availability() -> Result<PerfInfo, ProfileUnavailable> {
    availability_of(Path::new(PERF))
}

fn availability_of(perf: &Path) -> Result<PerfInfo, ProfileUnavailable> {
    let version = perf_version(perf)?;
    let unavailable = |reason: String| ProfileUnavailable { reason };
    let dir = tempfile::Builder::new()
        .prefix("podium-perf-probe")
        .tempdir()
        .map_err(|e| unavailable(format!("cannot create a temporary folder: {e}")))?;
    let mut target = KillOnDrop(
        Command::new("sleep")
            .arg("10")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| unavailable(format!("cannot start `sleep` to probe perf with: {e}")))?,
    );
    let data = dir.path().join("probe.data");
    let output = Command::new(perf)
        .args(record_args(target.0.id(), 99, &data))
        .args(["--", "sleep", "0.2"])
        .stdin(Stdio::null())
        .output();
    target.kill();
    let output = output.map_err(|e| unavailable(format!("cannot run `perf record`: {e}")))?;
    if !output.status.success() {
        return Err(unavailable(record_failure_reason(&output.stderr)));
    }
    Ok(PerfInfo {
        version,
        perf_event_paranoid: paranoid_level(),
    })
}

fn perf_version(perf: &Path) -> Result<String, ProfileUnavailable> {
    let output = Command::new(perf)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| ProfileUnavailable {
            reason: if e.kind() == std::io::ErrorKind::NotFound {
                format!("perf is not installed (not found on PATH); {INSTALL_HINT}")
            } else {
                format!("cannot run perf: {e}")
            },
        })?;
    if !output.status.success() {
        // Debian's /usr/bin/perf is a wrapper that fails when no perf matches the
        // running kernel; its message says which package is missing.
        return Err(ProfileUnavailable {
            reason: format!(
                "`perf --version` failed ({}): {}; {INSTALL_HINT}",
                output.status,
                tail(&output.stderr)
            ),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Records the CPU of process `pid` (all its threads) for `seconds` at `frequency`
/// samples per second, then folds the stacks (weights are sample counts). A missing or
/// refused perf is [`ProfileError::Unavailable`] with the reason, never a fake profile.
pub fn perf_cpu_profile(
    pid: u32,
    seconds: u32,
    frequency: u32,
) -> Result<CpuProfile, ProfileError> {
    cpu_profile_with(Path::new(PERF), pid, seconds, frequency)
}

fn cpu_profile_with(
    perf: &Path,
    pid: u32,
    seconds: u32,
    frequency: u32,
) -> Result<CpuProfile, ProfileError> {
    if seconds == 0 || frequency == 0 {
        return Err(ProfileError::InvalidRequest {
            detail: format!(
                "perf needs at least 1 second and 1 Hz (asked for {seconds} s at {frequency} Hz)"
            ),
        });
    }
    if !Path::new(&format!("/proc/{pid}")).exists() {
        return Err(ProfileError::NoSuchProcess { pid });
    }
    let dir = tempfile::Builder::new()
        .prefix("podium-perf")
        .tempdir()
        .map_err(ProfileError::io(
            "cannot create a temporary folder for perf data",
        ))?;
    let data = dir.path().join("perf.data");

    let mut record = Command::new(perf);
    record
        .args(record_args(pid, frequency, &data))
        .args(["--", "sleep", &seconds.to_string()])
        .stdin(Stdio::null());
    let output = record.output().map_err(|e| spawn_error(&e))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if is_permission_problem(&stderr) {
            return Err(ProfileUnavailable {
                reason: refusal_reason(&output.stderr),
            }
            .into());
        }
        if !Path::new(&format!("/proc/{pid}")).exists() {
            return Err(ProfileError::NoSuchProcess { pid });
        }
        return Err(perf_failed(&record, output.status, &output.stderr));
    }

    let folded = collapse_perf_data(perf, &data, dir.path())?;
    Ok(CpuProfile {
        source: ProfileSource::Perf,
        seconds,
        samples: folded.total,
        folded,
    })
}

/// `perf script` streamed straight into inferno's perf collapser: the text is large
/// (one block per sample) and only its folded form is kept.
fn collapse_perf_data(perf: &Path, data: &Path, dir: &Path) -> Result<FoldedStacks, ProfileError> {
    let stderr_path = dir.join("perf-script.stderr");
    let stderr_file = File::create(&stderr_path)
        .map_err(ProfileError::io("cannot create a file for perf's output"))?;
    let mut script = Command::new(perf);
    script
        .arg("script")
        .arg("-i")
        .arg(data)
        // No period field: each sample then counts 1, so weights are sample counts.
        .args(["-F", "comm,tid,time,event,ip,sym,dso"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr_file);
    let mut child = KillOnDrop(script.spawn().map_err(|e| spawn_error(&e))?);
    let Some(stdout) = child.0.stdout.take() else {
        return Err(ProfileError::Io {
            action: "reading perf script's output".into(),
            source: std::io::Error::other("no stdout pipe"),
        });
    };
    let mut options = inferno::collapse::perf::Options::default();
    // Threads would only reorder work; one keeps the folding cheap and predictable
    // next to the benchmark.
    options.nthreads = 1;
    let mut folder = inferno::collapse::perf::Folder::from(options);
    let mut folded_text = Vec::new();
    let collapsed = folder.collapse(BufReader::new(stdout), &mut folded_text);
    let status = child
        .0
        .wait()
        .map_err(ProfileError::io("waiting for perf script"))?;
    if !status.success() {
        let stderr = std::fs::read(&stderr_path).unwrap_or_default();
        return Err(perf_failed(&script, status, &stderr));
    }
    collapsed.map_err(|e| ProfileError::PerfFailed {
        command: describe(&script),
        status: "its output could not be folded".into(),
        stderr: e.to_string(),
    })?;
    let text = String::from_utf8_lossy(&folded_text);
    FoldedStacks::from_folded_text(&text, "samples", ProfileSource::Perf)
}

fn record_args(pid: u32, frequency: u32, data: &Path) -> Vec<String> {
    vec![
        "record".into(),
        "-q".into(),
        "-e".into(),
        "cpu-clock".into(),
        "-F".into(),
        frequency.to_string(),
        "--call-graph".into(),
        "dwarf".into(),
        "-p".into(),
        pid.to_string(),
        "-o".into(),
        data.display().to_string(),
    ]
}

fn is_permission_problem(stderr: &str) -> bool {
    let lower = stderr.to_ascii_lowercase();
    [
        "perf_event_paranoid",
        "permission denied",
        "access to performance monitoring",
        "operation not permitted",
        "no permission",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

fn record_failure_reason(stderr: &[u8]) -> String {
    if is_permission_problem(&String::from_utf8_lossy(stderr)) {
        return refusal_reason(stderr);
    }
    format!(
        "`perf record -e cpu-clock --call-graph dwarf -p PID` fails here: {}",
        tail(stderr)
    )
}

fn refusal_reason(stderr: &[u8]) -> String {
    let paranoid = match paranoid_level() {
        Some(level) => format!("kernel.perf_event_paranoid is {level}"),
        None => "kernel.perf_event_paranoid is unreadable".into(),
    };
    format!(
        "`perf record -e cpu-clock --call-graph dwarf -p PID` is not permitted here ({paranoid}); run Podium as root, or allow it with `sysctl kernel.perf_event_paranoid=1` (or CAP_PERFMON). perf said: {}",
        tail(stderr)
    )
}

fn spawn_error(error: &std::io::Error) -> ProfileError {
    if error.kind() == std::io::ErrorKind::NotFound {
        ProfileUnavailable {
            reason: format!("perf is not installed (not found on PATH); {INSTALL_HINT}"),
        }
        .into()
    } else {
        ProfileError::Io {
            action: "cannot run perf".into(),
            source: std::io::Error::new(error.kind(), error.to_string()),
        }
    }
}

fn perf_failed(command: &Command, status: ExitStatus, stderr: &[u8]) -> ProfileError {
    ProfileError::PerfFailed {
        command: describe(command),
        status: status.to_string(),
        stderr: tail(stderr),
    }
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn paranoid_level() -> Option<i32> {
    std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The last few hundred characters of a tool's standard error, on one line.
fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return "(no message)".into();
    }
    let skip = text.chars().count().saturating_sub(STDERR_QUOTE_CHARS);
    let cut: String = text.chars().skip(skip).collect();
    if skip > 0 { format!("…{cut}") } else { cut }
}

/// A child process that is killed and reaped when dropped, so an error path never
/// leaves perf or the probe target running.
struct KillOnDrop(Child);

impl KillOnDrop {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A stand-in for perf: a shell script that answers `--version` and fails every
    /// other command the way a kernel with perf_event_paranoid=3 makes perf fail.
    fn refusing_perf(dir: &Path) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("perf");
        std::fs::write(
            &path,
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'perf version 0.0'; exit 0; fi\n\
             echo 'Error: Access to performance monitoring and observability operations is limited.' >&2\n\
             exit 255\n",
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn a_missing_perf_is_unavailable_with_an_install_hint() {
        let reason = availability_of(Path::new("/nonexistent/podium/perf"))
            .unwrap_err()
            .reason;
        assert!(
            reason.contains("not installed") && reason.contains("linux-perf"),
            "{reason}"
        );
        let err = cpu_profile_with(
            Path::new("/nonexistent/podium/perf"),
            std::process::id(),
            1,
            99,
        )
        .unwrap_err();
        assert!(matches!(err, ProfileError::Unavailable(_)), "{err}");
        assert!(
            err.to_string()
                .starts_with("perf profiling is unavailable: "),
            "{err}"
        );
    }

    #[test]
    fn a_refused_perf_is_unavailable_with_the_paranoid_setting() {
        let dir = tempfile::tempdir().unwrap();
        let perf = refusing_perf(dir.path());
        let reason = availability_of(&perf).unwrap_err().reason;
        assert!(reason.contains("perf_event_paranoid"), "{reason}");
        assert!(
            reason.contains("Access to performance monitoring"),
            "{reason}"
        );
        let err = cpu_profile_with(&perf, std::process::id(), 1, 99).unwrap_err();
        match err {
            ProfileError::Unavailable(u) => assert!(u.reason.contains("not permitted"), "{u}"),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn permission_messages_are_recognised() {
        assert!(is_permission_problem(
            "Error:\nAccess to performance monitoring and observability operations is limited."
        ));
        assert!(is_permission_problem(
            "check /proc/sys/kernel/perf_event_paranoid"
        ));
        assert!(!is_permission_problem(
            "failed to mmap with 12 (Cannot allocate memory)"
        ));
    }

    #[test]
    fn tails_are_short_and_on_one_line() {
        assert_eq!(tail(b"a\nb  c\n"), "a b c");
        assert_eq!(tail(b""), "(no message)");
        let long = "x".repeat(5000);
        let cut = tail(long.as_bytes());
        assert!(cut.starts_with('…'));
        assert_eq!(cut.chars().count(), STDERR_QUOTE_CHARS + 1);
    }

    #[test]
    fn zero_seconds_or_hertz_is_refused() {
        for (seconds, frequency) in [(0, 99), (1, 0)] {
            let err = perf_cpu_profile(std::process::id(), seconds, frequency).unwrap_err();
            assert!(matches!(err, ProfileError::InvalidRequest { .. }), "{err}");
        }
    }

    #[test]
    fn a_missing_process_is_named() {
        // Pids above the kernel's pid_max (4194304 at most) never exist.
        let err = perf_cpu_profile(u32::MAX - 1, 1, 99).unwrap_err();
        assert!(matches!(err, ProfileError::NoSuchProcess { .. }), "{err}");
    }
}
