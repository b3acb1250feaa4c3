//! What the Markdown and HTML reports both derive from the model: the workloads in
//! reading order, each workload's throughput order with its "within noise" marks, axis
//! names and weights, labels for the model's codes. Kept in one place so that the two
//! documents cannot disagree.

use crate::format::{self, DASH};
use crate::lang::{Lang, Text};
use crate::model::{Figure, RunReport, SubjectReport, Weights, WorkloadReport};

/// One subject's place in one workload's throughput order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placing<'a> {
    pub subject: &'a str,
    /// The shared rank; `None` when the run ranked nobody on this workload.
    pub rank: Option<u32>,
    pub rps: Figure,
    /// Within noise of the placing above it.
    pub within_noise: bool,
    /// The comparison with the placing above, in words.
    pub versus_previous: Option<&'a str>,
}

/// Every workload name: the ranked ones in the order of `rankings`, then any that only
/// unranked subjects ran, in the order they first appear.
pub(crate) fn workload_names(report: &RunReport) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let ranked = report.rankings.iter().map(|r| r.workload.as_str());
    let measured = report
        .subjects
        .iter()
        .flat_map(|s| s.workloads.iter().map(|w| w.name.as_str()));
    for name in ranked.chain(measured) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// A subject's figures for one workload.
pub(crate) fn workload_of<'a>(
    subject: &'a SubjectReport,
    name: &str,
) -> Option<&'a WorkloadReport> {
    subject.workloads.iter().find(|w| w.name == name)
}

/// The subjects that ran a workload, with their figures, in report order.
pub(crate) fn runs_of<'a>(
    report: &'a RunReport,
    name: &str,
) -> Vec<(&'a SubjectReport, &'a WorkloadReport)> {
    report
        .subjects
        .iter()
        .filter_map(|s| workload_of(s, name).map(|w| (s, w)))
        .collect()
}

/// The throughput order of one workload: the run's ranking when it has one (with its
/// ranks and noise marks); otherwise the subjects that ran it by median, unranked and
/// without noise marks, since no comparison was made.
pub(crate) fn placings<'a>(report: &'a RunReport, name: &str) -> Vec<Placing<'a>> {
    if let Some(ranking) = report.rankings.iter().find(|r| r.workload == name)
        && !ranking.entries.is_empty()
    {
        return ranking
            .entries
            .iter()
            .map(|e| Placing {
                subject: &e.subject,
                rank: Some(e.rank),
                rps: e.rps,
                within_noise: e.within_noise_of_previous,
                versus_previous: e.versus_previous.as_deref(),
            })
            .collect();
    }
    let mut runs: Vec<Placing<'a>> = runs_of(report, name)
        .into_iter()
        .map(|(s, w)| Placing {
            subject: &s.name,
            rank: None,
            rps: w.rps,
            within_noise: false,
            versus_previous: None,
        })
        .collect();
    runs.sort_by(|a, b| b.rps.median.total_cmp(&a.rps.median));
    runs
}

/// The workloads measured as an open-loop ramp with a knee bound.
pub(crate) fn ramp_workloads(report: &RunReport) -> Vec<&str> {
    workload_names(report)
        .into_iter()
        .filter(|name| {
            runs_of(report, name)
                .iter()
                .any(|(_, w)| w.knee_rps.is_some() || w.knee_p99_bound_ms.is_some())
        })
        .collect()
}

/// Which radar axis a name from `Radar::axes` is. Matching is by meaning, not exact
/// spelling, so `hot_reload`, `Hot reload` and `hot-reload` are the same axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Axis {
    Performance,
    Ecosystem,
    Observability,
    HotReload,
}

impl Axis {
    pub(crate) const ALL: [Axis; 4] = [
        Axis::Performance,
        Axis::Ecosystem,
        Axis::Observability,
        Axis::HotReload,
    ];

    pub(crate) fn from_name(name: &str) -> Option<Axis> {
        let key: String = name
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        match key.as_str() {
            "performance" => Some(Axis::Performance),
            "ecosystem" | "ecosystemmaturity" => Some(Axis::Ecosystem),
            "observability" | "opentelemetry" => Some(Axis::Observability),
            "hotreload" => Some(Axis::HotReload),
            _ => None,
        }
    }

    pub(crate) fn weight(self, weights: &Weights) -> f64 {
        match self {
            Axis::Performance => weights.performance,
            Axis::Ecosystem => weights.ecosystem,
            Axis::Observability => weights.observability,
            Axis::HotReload => weights.hot_reload,
        }
    }

    pub(crate) fn text(self) -> Text {
        match self {
            Axis::Performance => Text::AxisPerformance,
            Axis::Ecosystem => Text::AxisEcosystem,
            Axis::Observability => Text::AxisObservability,
            Axis::HotReload => Text::AxisHotReload,
        }
    }
}

/// An axis name from the model in `lang` (unknown names stay as recorded).
pub(crate) fn axis_label(name: &str, lang: Lang) -> String {
    Axis::from_name(name).map_or_else(|| name.to_string(), |a| lang.s(a.text()).to_string())
}

/// A subject status code in words.
pub(crate) fn status_label(status: &str, lang: Lang) -> String {
    let text = match status {
        "measured" => Text::StatusMeasured,
        "build_failed" => Text::StatusBuildFailed,
        "verify_failed" => Text::StatusVerifyFailed,
        "crashed" => Text::StatusCrashed,
        "skipped" => Text::StatusSkipped,
        "interrupted" => Text::StatusInterrupted,
        _ => return status.to_string(),
    };
    lang.s(text).to_string()
}

/// A load model code in words.
pub(crate) fn model_label(model: &str, lang: Lang) -> String {
    let text = match model {
        "closed" => Text::ModelClosed,
        "open" => Text::ModelOpen,
        "ws" => Text::ModelWs,
        _ => return model.to_string(),
    };
    lang.s(text).to_string()
}

pub(crate) fn yes_no(value: bool, lang: Lang) -> &'static str {
    lang.s(if value { Text::Yes } else { Text::No })
}

/// The ranked subjects in rank order, then the rest in report order.
pub(crate) fn ranked(report: &RunReport) -> (Vec<&SubjectReport>, Vec<&SubjectReport>) {
    let (mut ranked, unranked): (Vec<&SubjectReport>, Vec<&SubjectReport>) =
        report.subjects.iter().partition(|s| s.rank.is_some());
    ranked.sort_by_key(|s| s.rank);
    (ranked, unranked)
}

/// A fixed colour per subject (its position in the report), the same in every chart.
/// Tableau 10: distinguishable, and readable for the common colour-vision deficiencies.
pub(crate) fn subject_colour(report: &RunReport, subject: &str) -> &'static str {
    const PALETTE: [&str; 10] = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
        "#9c755f", "#bab0ac",
    ];
    let index = report
        .subjects
        .iter()
        .position(|s| s.name == subject)
        .unwrap_or(report.subjects.len());
    PALETTE[index % PALETTE.len()]
}

/// A per-subject table both documents draw the same way: the column headings after
/// "Subject", and per subject the cells after its name. The cells are formatted figures
/// and fixed labels, never free text from the model, so neither document escapes them;
/// each draws the subject's name cell its own way.
pub(crate) struct SubjectTable<'a> {
    pub head: Vec<&'static str>,
    pub rows: Vec<(&'a SubjectReport, Vec<String>)>,
}

/// Memory and GC per subject that has figures.
pub(crate) fn memory_table(report: &RunReport, lang: Lang) -> SubjectTable<'_> {
    SubjectTable {
        head: [
            Text::RssPeak,
            Text::RssSteady,
            Text::AllocRate,
            Text::AllocsPerRequest,
            Text::GcPause,
            Text::GcCount,
            Text::ThreadsMax,
        ]
        .map(|t| lang.s(t))
        .to_vec(),
        rows: report
            .subjects
            .iter()
            .filter_map(|s| s.memory.as_ref().map(|m| (s, m)))
            .map(|(s, m)| {
                let cells = vec![
                    format::bytes(m.rss_peak_bytes),
                    format::bytes(m.rss_steady_bytes),
                    m.alloc_bytes_per_sec
                        .map_or_else(|| DASH.to_string(), format::bytes_per_sec),
                    format::opt_num(m.allocs_per_request, 1),
                    format::opt_ms(m.gc_pause_p99_ms),
                    m.gc_count.map_or_else(|| DASH.to_string(), format::int),
                    format::int(m.threads_max),
                ];
                (s, cells)
            })
            .collect(),
    }
}

/// Deployment figures per subject that has them.
pub(crate) fn deployment_table(report: &RunReport, lang: Lang) -> SubjectTable<'_> {
    SubjectTable {
        head: [
            Text::Binary,
            Text::CgoFree,
            Text::Static,
            Text::BuildCold,
            Text::BuildWarm,
            Text::Deps,
            Text::OciImage,
            Text::FirstResponse,
        ]
        .map(|t| lang.s(t))
        .to_vec(),
        rows: report
            .subjects
            .iter()
            .filter_map(|s| s.deployment.as_ref().map(|d| (s, d)))
            .map(|(s, d)| {
                let cells = vec![
                    format::bytes(d.binary_bytes),
                    d.cgo_free.map_or_else(
                        || lang.s(Text::NotApplicable).to_string(),
                        |c| yes_no(c, lang).to_string(),
                    ),
                    yes_no(d.static_binary, lang).to_string(),
                    format::opt_secs(d.build_cold_s),
                    format::opt_secs(d.build_warm_s),
                    d.deps.map_or_else(|| DASH.to_string(), format::int),
                    format::bytes(d.oci_image_bytes),
                    format::ms(d.first_response_ms),
                ];
                (s, cells)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_names_match_by_meaning() {
        assert_eq!(Axis::from_name("Hot reload"), Some(Axis::HotReload));
        assert_eq!(Axis::from_name("hot_reload"), Some(Axis::HotReload));
        assert_eq!(Axis::from_name("PERFORMANCE"), Some(Axis::Performance));
        assert_eq!(Axis::from_name("Ecosystem maturity"), Some(Axis::Ecosystem));
        assert_eq!(Axis::from_name("Cost"), None);
        assert_eq!(axis_label("Cost", Lang::Zh), "Cost");
        assert_eq!(axis_label("Hot reload", Lang::Zh), "热重载");
        let weights = Weights {
            performance: 0.4,
            ecosystem: 0.3,
            observability: 0.2,
            hot_reload: 0.1,
        };
        let sum: f64 = Axis::ALL.iter().map(|a| a.weight(&weights)).sum();
        assert!((sum - 1.0).abs() < 1e-12);
    }

    #[test]
    fn codes_read_as_words() {
        assert_eq!(
            status_label("verify_failed", Lang::En),
            "failed the contract check"
        );
        assert_eq!(status_label("verify_failed", Lang::Zh), "未通过契约检查");
        assert_eq!(status_label("mystery", Lang::Zh), "mystery");
        assert_eq!(model_label("open", Lang::En), "open loop");
        assert_eq!(yes_no(true, Lang::Zh), "是");
    }
}
