//! Hot-reload grading: how well a subject lives in the edit-run loop.
//!
//! This crate's one job is to run a subject under a dev-loop tool (air, watchexec,
//! cargo-watch, or any watch-and-restart command) in a scratch copy, drive a scripted
//! scenario against it, and grade the measured figures A–D:
//!
//! 1. N edits of the `/ping` handler's literal (`"pong"` → `"pong-<k>"`, from the
//!    subject's `[reload]` manifest section): time from the file write to the first
//!    correct response, or "missed" when it never comes;
//! 2. edits in paths a good setup ignores (a test file, `testdata/`, `docs/`): a restart
//!    of the served process they trigger is a spurious rebuild;
//! 3. a configuration change (`podium-config.json`, served by `GET /config/greeting`):
//!    does it take effect after the reload;
//! 4. a syntax error, then its fix: the loop must survive and serve the fix;
//! 5. throughout: leftover processes (found by the inherited `PODIUM_INSTANCE` tag, outside
//!    the tool's process tree, and all of them after the tool stops), port-rebind failures
//!    ("address already in use" in the output, or a port that never answers again), and
//!    the growth of goroutines (`/metrics`), threads and fds of the served process (found
//!    by the port it listens on) from the first start-up to the last reload.
//!
//! The thresholds of the grade are constants in [`grade`](mod@grade).

pub mod grade;
mod scenario;
mod scratch;
mod served;
pub mod tool;

pub use grade::{Grade, Reason};
pub use scenario::{ReloadOptions, grade_subject, instance_prefix};
pub use scratch::{Scratch, scratch_copy};
pub use served::{ServedSample, listener_pid};
pub use tool::Tool;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Reload times in milliseconds over the edits that took effect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReloadMs {
    /// Median (nearest rank).
    pub p50: f64,
    /// 90th percentile (nearest rank).
    pub p90: f64,
    /// Slowest.
    pub max: f64,
}

impl ReloadMs {
    /// Nearest-rank percentiles of `samples`; `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Self> {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let rank = |q: f64| {
            let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            sorted[i - 1]
        };
        (!sorted.is_empty()).then(|| Self {
            p50: rank(0.5),
            p90: rank(0.9),
            max: rank(1.0),
        })
    }
}

/// Growth of the served process from the first start-up to the last reload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Growth {
    /// Restarts of the served process seen between the first and the last sample.
    pub reloads: u32,
    /// Goroutines (Go subjects, from `/metrics`), last minus first.
    pub goroutines: Option<i64>,
    /// Threads, last minus first.
    pub threads: Option<i64>,
    /// File descriptors, last minus first.
    pub fds: Option<i64>,
    /// Every sample, in scenario order.
    pub samples: Vec<ServedSample>,
}

/// One graded scenario: what `podium reload --json` prints and the store keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReloadResult {
    /// The subject's name.
    pub subject: String,
    /// `air`, `watchexec`, `cargo-watch` or `command`.
    pub tool: String,
    /// The tool's version as it reports it.
    pub tool_version: Option<String>,
    /// The command line that ran (in the scratch copy, with `PORT` set).
    pub command: String,
    /// The grade.
    pub grade: Grade,
    /// Why it is not an A, worst first.
    pub reasons: Vec<Reason>,
    /// Handler edits made.
    pub edits: u32,
    /// Reload times of the edits that took effect.
    pub reload_ms: Option<ReloadMs>,
    /// Each edit's reload time, in order (missed edits left out).
    pub reload_samples_ms: Vec<f64>,
    /// Edits whose effect never appeared.
    pub missed: u32,
    /// Edits made in ignored paths.
    pub ignored_edits: u32,
    /// Restarts of the served process those edits triggered.
    pub spurious_rebuilds: u32,
    /// Whether a configuration change took effect after the reload (`None`: the subject
    /// has no `GET /config/greeting`).
    pub config_applied: Option<bool>,
    /// Whether the loop survived a syntax error and served its fix.
    pub recovered_from_error: bool,
    /// Processes left running after the server that started them was stopped.
    pub leftover_processes: u32,
    /// Their command lines.
    pub leftover_commands: Vec<String>,
    /// "address already in use" in the output, or reloads after which the port never
    /// answered again.
    pub port_rebind_failures: u32,
    /// Growth of the served process across reloads.
    pub growth: Growth,
    /// Wall time of the whole scenario, seconds.
    pub scenario_s: f64,
    /// When the scenario ended, Unix milliseconds.
    pub observed_at_ms: i64,
}

/// Why a subject could not be graded. Each message says what is wrong and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The manifest has no `[reload]` section.
    #[error(
        "{subject}: subject.toml has no [reload] section: add one naming the /ping handler's file, its literal and the dev-loop tool (see subjects/CONTRACT.md)"
    )]
    NoReloadSection {
        /// Subject name.
        subject: String,
    },
    /// The handler file does not contain the literal.
    #[error(
        "{file}: the literal {literal} of [reload] is not in the file: fix reload.literal or reload.handler"
    )]
    LiteralNotFound {
        /// The handler file.
        file: PathBuf,
        /// The literal looked for.
        literal: String,
    },
    /// A file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What Podium was doing.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Installing the tool failed.
    #[error("cannot install {tool} ({command}): {tail}; install it yourself and put it on PATH")]
    Install {
        /// The tool.
        tool: String,
        /// The install command.
        command: String,
        /// The end of its error output.
        tail: String,
    },
    /// The dev-loop command ended before the subject served `/ping`.
    #[error(
        "dev-loop command `{command}` exited at once ({status}) before serving /ping: {last_line}; check that the tool is installed and runs in the subject's folder"
    )]
    ToolExited {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// The last line of its output.
        last_line: String,
    },
    /// The dev-loop command ended in the middle of the scenario.
    #[error(
        "dev-loop command `{command}` exited during the scenario ({status}) while {during}: {last_line}"
    )]
    ToolDied {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// What the scenario was doing.
        during: String,
        /// The last line of its output.
        last_line: String,
    },
    /// The subject never answered `/ping` with its literal after the tool started.
    #[error(
        "dev-loop command `{command}` did not serve GET /ping on port {port} within {timeout_s} s: {last_line}; see the full output in {log}"
    )]
    NeverServed {
        /// The command line.
        command: String,
        /// The port it was given.
        port: u16,
        /// How long Podium waited.
        timeout_s: u64,
        /// The last line of its output.
        last_line: String,
        /// The output file.
        log: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let p = ReloadMs::of(&[300.0, 100.0, 200.0]).unwrap();
        assert_eq!((p.p50, p.p90, p.max), (200.0, 300.0, 300.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        let p = ReloadMs::of(&ten).unwrap();
        assert_eq!((p.p50, p.p90, p.max), (5.0, 9.0, 10.0));
        assert_eq!(ReloadMs::of(&[]), None);
    }
}
