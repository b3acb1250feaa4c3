//! The ecosystem section: per subject, the ecosystem result `podium eco` observed (or
//! `podium run` collected before it began) and the run carried — the four scored
//! signals raw and normalised with their sources and ages, and the reported facts.
//! The tables are built here once and drawn by both the Markdown and HTML exporters.

use crate::lang::{Lang, Text};
use crate::model::{RunReport, SubjectReport};
use crate::view::SubjectTable;
use serde::{Deserialize, Serialize};

/// A subject's ecosystem, as carried into the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ecosystem {
    /// The module (`github.com/gin-gonic/gin`, `net/http`, `crate:axum`).
    pub module: String,
    /// The version examined.
    pub version: String,
    /// When it was observed (RFC 3339).
    pub observed_at: String,
    /// Runs started between the observation and this run (the axis decays by 0.95^age).
    pub age_runs: u32,
    /// `live` or `offline`.
    pub mode: String,
    /// The weighted score in [0, 1]; `None` when no signal could be obtained.
    pub score: Option<f64>,
    /// The signals the score was computed without.
    pub score_without: Vec<String>,
    /// The four signals, in model order.
    pub signals: Vec<EcoSignal>,
    /// Merged pull requests per month over 12 months.
    pub merged_prs_per_month: Option<f64>,
    /// Known vulnerabilities; `None`: not checked.
    pub vulnerabilities: Option<EcoVulnerabilities>,
    /// Support status of the pinned major version (`supported`, `superseded`, ...).
    pub support: Option<String>,
    /// JWT and OpenTelemetry middleware.
    pub middleware: Vec<EcoMiddleware>,
    /// CVE response times; `None`: not checked.
    pub cve_response: Option<Vec<EcoCve>>,
    /// Share of exported identifiers with a doc comment.
    pub doc_coverage: Option<f64>,
    /// What could not be obtained and why.
    pub notes: Vec<String>,
}

/// One scored signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcoSignal {
    /// `stars`, `forks`, `releases_per_month` or `decoupling`.
    pub name: String,
    /// The figure as measured; `None` when missing.
    pub raw: Option<f64>,
    /// Normalised to [0, 1].
    pub normalised: Option<f64>,
    /// Its weight in the model.
    pub weight: f64,
    /// Whole 30-day periods between its observation and the ecosystem result.
    pub age: Option<u32>,
    /// Where it comes from.
    pub source: String,
    /// When it was observed.
    pub observed_at: Option<String>,
}

/// Vulnerability ids found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcoVulnerabilities {
    /// Records affecting the pinned version of the module.
    pub module: Vec<String>,
    /// Records affecting its dependencies (`id (package version)`).
    pub dependencies: Vec<String>,
    /// Dependencies checked.
    pub dependencies_checked: u64,
}

/// A middleware finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcoMiddleware {
    /// `jwt` or `opentelemetry`.
    pub purpose: String,
    /// The module, `None` when none is known.
    pub module: Option<String>,
    /// `framework`, `built_in`, `opentelemetry_contrib`, `third_party` or `none`.
    pub maintainer: String,
    /// What the registry check found.
    pub detail: String,
}

/// Days from an OSV record's publication to its first fixed release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcoCve {
    /// OSV id.
    pub id: String,
    /// Days; `None` when no fixed release was found.
    pub days: Option<f64>,
}

/// The table with every cell passed through the exporter's escaping.
pub(crate) fn escaped(table: SubjectTable<'_>, escape: fn(&str) -> String) -> SubjectTable<'_> {
    SubjectTable {
        head: table.head,
        rows: table
            .rows
            .into_iter()
            .map(|(s, cells)| (s, cells.iter().map(|c| escape(c)).collect()))
            .collect(),
    }
}

fn with_ecosystem(report: &RunReport) -> impl Iterator<Item = (&SubjectReport, &Ecosystem)> {
    report
        .subjects
        .iter()
        .filter_map(|s| s.ecosystem.as_ref().map(|e| (s, e)))
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() >= 1.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
    }
}

fn maintainer(lang: Lang, m: &str) -> &'static str {
    lang.s(match m {
        "framework" => Text::EcoByFramework,
        "built_in" => Text::EcoBuiltIn,
        "opentelemetry_contrib" => Text::EcoByOtelContrib,
        "third_party" => Text::EcoByThirdParty,
        _ => Text::EcoNone,
    })
}

/// Score and the four signals (raw → normalised), with the observation's date and age.
/// Cells are plain text: the exporter escapes them.
pub(crate) fn signals_table(report: &RunReport, lang: Lang) -> SubjectTable<'_> {
    let missing = lang.s(Text::NotMeasured);
    SubjectTable {
        head: [
            Text::EcoModule,
            Text::EcoScore,
            Text::EcoStars,
            Text::EcoForks,
            Text::EcoReleases,
            Text::EcoDecoupling,
            Text::EcoObserved,
        ]
        .map(|t| lang.s(t))
        .to_vec(),
        rows: with_ecosystem(report)
            .map(|(s, e)| {
                let signal = |name: &str| {
                    e.signals
                        .iter()
                        .find(|x| x.name == name)
                        .and_then(|x| Some(format!("{} → {:.3}", number(x.raw?), x.normalised?)))
                        .unwrap_or_else(|| missing.to_string())
                };
                let mut score = e
                    .score
                    .map_or_else(|| missing.to_string(), |v| format!("{v:.3}"));
                if e.score.is_some() && !e.score_without.is_empty() {
                    score = format!(
                        "{score} ({})",
                        lang.fill(
                            Text::EcoWithout,
                            &[("signals", &e.score_without.join(", "))]
                        )
                    );
                }
                let cells = vec![
                    format!("{} {}", e.module, e.version),
                    score,
                    signal("stars"),
                    signal("forks"),
                    signal("releases_per_month"),
                    signal("decoupling"),
                    lang.fill(
                        Text::EcoAge,
                        &[
                            ("date", e.observed_at.get(..10).unwrap_or(&e.observed_at)),
                            ("runs", &e.age_runs.to_string()),
                            ("mode", &e.mode),
                        ],
                    ),
                ];
                (s, cells)
            })
            .collect(),
    }
}

/// The reported facts. Cells are plain text: the exporter escapes them.
pub(crate) fn facts_table(report: &RunReport, lang: Lang) -> SubjectTable<'_> {
    let missing = lang.s(Text::NotMeasured);
    let not_checked = lang.s(Text::NotChecked);
    SubjectTable {
        head: [
            Text::EcoMergedPrs,
            Text::EcoVulns,
            Text::EcoSupport,
            Text::EcoJwt,
            Text::EcoOtel,
            Text::EcoCveDays,
            Text::EcoDocs,
        ]
        .map(|t| lang.s(t))
        .to_vec(),
        rows: with_ecosystem(report)
            .map(|(s, e)| {
                let middleware = |purpose: &str| {
                    e.middleware
                        .iter()
                        .find(|m| m.purpose == purpose)
                        .map_or_else(
                            || not_checked.to_string(),
                            |m| match &m.module {
                                Some(module) => format!(
                                    "{module} ({}): {}",
                                    maintainer(lang, &m.maintainer),
                                    m.detail
                                ),
                                None => maintainer(lang, &m.maintainer).to_string(),
                            },
                        )
                };
                let vulns = e.vulnerabilities.as_ref().map_or_else(
                    || not_checked.to_string(),
                    |v| {
                        let list = |ids: &[String]| {
                            if ids.is_empty() {
                                "0".to_string()
                            } else {
                                format!("{} ({})", ids.len(), ids.join(", "))
                            }
                        };
                        lang.fill(
                            Text::EcoVulnCounts,
                            &[
                                ("module", &list(&v.module)),
                                ("deps", &list(&v.dependencies)),
                                ("checked", &v.dependencies_checked.to_string()),
                            ],
                        )
                    },
                );
                let cve = e.cve_response.as_ref().map_or_else(
                    || not_checked.to_string(),
                    |list| {
                        if list.is_empty() {
                            return "0".to_string();
                        }
                        list.iter()
                            .map(|c| {
                                format!(
                                    "{}: {}",
                                    c.id,
                                    c.days
                                        .map_or_else(|| missing.to_string(), |d| format!("{d:.1}"))
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                );
                let cells = vec![
                    e.merged_prs_per_month
                        .map_or_else(|| missing.to_string(), |v| format!("{v:.1}")),
                    vulns,
                    e.support.clone().unwrap_or_else(|| missing.to_string()),
                    middleware("jwt"),
                    middleware("opentelemetry"),
                    cve,
                    e.doc_coverage
                        .map_or_else(|| missing.to_string(), |v| format!("{:.1}%", v * 100.0)),
                ];
                (s, cells)
            })
            .collect(),
    }
}

/// Per subject, where each signal came from and the notes: plain-text lines.
pub(crate) fn sources(report: &RunReport) -> Vec<(&SubjectReport, Vec<String>)> {
    with_ecosystem(report)
        .map(|(s, e)| {
            let mut lines: Vec<String> = e
                .signals
                .iter()
                .map(|x| {
                    format!(
                        "{}: {}{}{}",
                        x.name,
                        x.source,
                        x.observed_at
                            .as_ref()
                            .map(|d| format!(", {d}"))
                            .unwrap_or_default(),
                        x.age.map(|a| format!(", age {a}")).unwrap_or_default()
                    )
                })
                .collect();
            lines.extend(e.notes.iter().cloned());
            (s, lines)
        })
        .collect()
}
