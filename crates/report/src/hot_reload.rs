//! The hot-reload section: each subject's newest `podium reload` grade, carried into the
//! run, and the table both documents draw from it.

use crate::format::{self, DASH};
use crate::lang::{Lang, Text};
use crate::model::RunReport;
use crate::view::{SubjectTable, yes_no};
use serde::{Deserialize, Serialize};

/// A subject's hot-reload grade as `podium reload` measured it (an observation carried
/// into the run; it may be older than the run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotReload {
    /// The dev-loop tool (`air`, `watchexec`, `cargo-watch`, `command`).
    pub tool: String,
    /// The tool's version as it reported it.
    pub tool_version: Option<String>,
    /// A, B, C or D.
    pub grade: String,
    /// Reload time (file write to first correct response), median, ms.
    pub reload_p50_ms: Option<f64>,
    /// Reload time, 90th percentile, ms.
    pub reload_p90_ms: Option<f64>,
    /// Reload time, slowest, ms.
    pub reload_max_ms: Option<f64>,
    /// Handler edits made.
    pub edits: u64,
    /// Edits whose effect never appeared.
    pub missed: u64,
    /// Restarts caused by edits in ignored paths.
    pub spurious_rebuilds: u64,
    /// Whether a configuration change took effect (`None`: not checked).
    pub config_applied: Option<bool>,
    /// Whether the loop survived a syntax error and served its fix.
    pub recovered_from_error: bool,
    /// Processes left running after their server stopped.
    pub leftover_processes: u64,
    /// Port-rebind failures.
    pub port_rebind_failures: u64,
    /// Goroutine growth of the served process across reloads (Go).
    pub goroutine_growth: Option<i64>,
    /// Thread growth of the served process across reloads.
    pub thread_growth: Option<i64>,
    /// File-descriptor growth of the served process across reloads.
    pub fd_growth: Option<i64>,
    /// When it was measured, RFC 3339 UTC.
    pub observed_at: String,
    /// Runs between the measurement and this run (0: measured for this run).
    pub age_runs: u32,
}

fn growth(v: Option<i64>) -> String {
    v.map_or_else(|| DASH.to_string(), |v| format!("{v:+}"))
}

/// The hot-reload table: one row per subject with a grade.
pub(crate) fn hot_reload_table(report: &RunReport, lang: Lang) -> SubjectTable<'_> {
    SubjectTable {
        head: [
            Text::HrGrade,
            Text::HrTool,
            Text::HrReload,
            Text::HrMissed,
            Text::HrSpurious,
            Text::HrConfig,
            Text::HrRecovered,
            Text::HrLeftovers,
            Text::HrRebind,
            Text::HrGrowth,
            Text::HrMeasured,
        ]
        .map(|t| lang.s(t))
        .to_vec(),
        rows: report
            .subjects
            .iter()
            .filter_map(|s| s.hot_reload.as_ref().map(|h| (s, h)))
            .map(|(s, h)| {
                let reload = match (h.reload_p50_ms, h.reload_p90_ms, h.reload_max_ms) {
                    (Some(p50), Some(p90), Some(max)) => format!(
                        "{} / {} / {}",
                        format::ms(p50),
                        format::ms(p90),
                        format::ms(max)
                    ),
                    _ => lang.s(Text::NotMeasured).to_string(),
                };
                let cells = vec![
                    h.grade.clone(),
                    h.tool_version
                        .as_ref()
                        .map_or_else(|| h.tool.clone(), |v| format!("{} ({v})", h.tool)),
                    reload,
                    format!("{} / {}", h.missed, h.edits),
                    format::int(h.spurious_rebuilds),
                    h.config_applied.map_or_else(
                        || lang.s(Text::NotMeasured).to_string(),
                        |c| yes_no(c, lang).to_string(),
                    ),
                    yes_no(h.recovered_from_error, lang).to_string(),
                    format::int(h.leftover_processes),
                    format::int(h.port_rebind_failures),
                    format!(
                        "{} / {} / {}",
                        growth(h.goroutine_growth),
                        growth(h.thread_growth),
                        growth(h.fd_growth)
                    ),
                    format!(
                        "{}{}",
                        h.observed_at.get(..10).unwrap_or(&h.observed_at),
                        if h.age_runs == 0 {
                            String::new()
                        } else {
                            lang.s(Text::HrAge).replace("{n}", &h.age_runs.to_string())
                        }
                    ),
                ];
                (s, cells)
            })
            .collect(),
    }
}
