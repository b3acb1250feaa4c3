//! `report.md`: the report as Markdown tables, for reading in a terminal, a pull
//! request or a wiki. The same content as report.html without the charts; flame graphs
//! are only referenced (an SVG does not belong in Markdown).

use crate::environment::{EnvView, control_label};
use crate::error::ReportError;
use crate::export::Exporter;
use crate::format::{self, DASH};
use crate::lang::{Lang, Text};
use crate::model::RunReport;
use crate::view::{self, Axis};

/// `report.md`, with labels and explanations in `lang`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownExporter {
    /// The language of labels and explanations.
    pub lang: Lang,
}

impl Exporter for MarkdownExporter {
    fn file_name(&self) -> &'static str {
        "report.md"
    }

    fn render(&self, report: &RunReport) -> Result<String, ReportError> {
        let mut doc = Doc {
            out: String::new(),
            t: self.lang,
        };
        doc.header(report);
        doc.ranking(report);
        doc.radar(report);
        doc.throughput(report);
        doc.latency(report);
        doc.knee(report);
        doc.memory(report);
        doc.middleware(report);
        doc.deployment(report);
        doc.ecosystem(report);
        doc.hot_reload(report);
        doc.observability(report);
        doc.developer_experience(report);
        doc.flame_graphs(report);
        doc.environment(report);
        doc.notes(report);
        Ok(doc.out)
    }
}

/// Escapes text from the model for Markdown: every character that could start markup
/// (emphasis, links, inline HTML, code, table cells) is backslash-escaped, and line
/// breaks become spaces so a value cannot break out of its table row.
pub(crate) fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// `md` of an optional value, "—" when absent.
fn md_or_dash(text: Option<&str>) -> String {
    text.map_or_else(|| DASH.to_string(), md)
}

struct Doc {
    out: String,
    t: Lang,
}

impl Doc {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn section(&mut self, title: Text) {
        let title = self.t.s(title);
        if !self.out.ends_with("\n\n") {
            self.blank();
        }
        self.line(&format!("## {title}"));
        self.blank();
    }

    fn para(&mut self, text: Text) {
        let text = self.t.s(text);
        self.line(text);
        self.blank();
    }

    /// A table; cells are already escaped.
    fn table(&mut self, head: &[&str], rows: &[Vec<String>]) {
        self.line(&format!("| {} |", head.join(" | ")));
        self.line(&format!("|{}", "---|".repeat(head.len())));
        for row in rows {
            self.line(&format!("| {} |", row.join(" | ")));
        }
        self.blank();
    }

    fn header(&mut self, r: &RunReport) {
        let t = self.t;
        let run = &r.run;
        self.line(&format!(
            "# {} — {}",
            t.s(Text::ReportTitle),
            t.fill(Text::RunHeading, &[("id", &run.id.to_string())])
        ));
        self.blank();
        let mut banners = Vec::new();
        if run.complete {
            banners.push(t.s(Text::BannerComplete).to_string());
        } else {
            banners.push(format!("**{}**", t.s(Text::BannerIncomplete)));
        }
        if run.quick {
            banners.push(format!("**{}**", t.s(Text::BannerQuick)));
        }
        if let Some(note) = &run.note {
            banners.push(format!("{}{}{}", t.s(Text::RunNote), t.colon(), md(note)));
        }
        let quoted: Vec<String> = banners.iter().map(|b| format!("> {b}")).collect();
        self.line(&quoted.join("\n>\n"));
        self.blank();
        let finished = run
            .finished
            .as_deref()
            .map_or_else(|| t.s(Text::NotFinished).to_string(), md);
        let items = [
            (Text::Started, md(&run.started)),
            (Text::Finished, finished),
            (Text::Suite, md_or_dash(run.suite.as_deref())),
            (Text::PodiumVersion, md(&run.podium_version)),
            (Text::CommandLine, md(&run.command_line.join(" "))),
        ];
        for (label, value) in items {
            self.line(&format!("- {}{}{value}", t.s(label), t.colon()));
        }
    }

    fn ranking(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecRanking);
        self.para(Text::RankingExplain);
        let (ranked, unranked) = view::ranked(r);
        if ranked.is_empty() {
            self.para(Text::NoRankedSubjects);
        } else {
            let rows: Vec<Vec<String>> = ranked
                .iter()
                .map(|s| {
                    vec![
                        s.rank.map_or_else(|| DASH.to_string(), |n| n.to_string()),
                        md(&s.name),
                        format!("{} {}", md(&s.framework), md(&s.version)),
                        md(&s.language),
                        format!("**{}**", format::score(s.scores.composite)),
                        format::score(s.scores.performance),
                        format::score(s.scores.ecosystem),
                        format::score(s.scores.observability),
                        format::score(s.scores.hot_reload),
                    ]
                })
                .collect();
            self.table(
                &[
                    t.s(Text::Rank),
                    t.s(Text::Subject),
                    t.s(Text::Framework),
                    t.s(Text::Language),
                    t.s(Text::Composite),
                    t.s(Text::AxisPerformance),
                    t.s(Text::AxisEcosystem),
                    t.s(Text::AxisObservability),
                    t.s(Text::AxisHotReload),
                ],
                &rows,
            );
        }
        if !unranked.is_empty() {
            self.line(&format!("### {}", t.s(Text::NotRanked)));
            self.blank();
            self.para(Text::NotRankedExplain);
            let rows: Vec<Vec<String>> = unranked
                .iter()
                .map(|s| {
                    let checks = if s.failed_checks.is_empty() {
                        DASH.to_string()
                    } else {
                        s.failed_checks
                            .iter()
                            .map(|c| md(c))
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    vec![
                        md(&s.name),
                        format!("{} {}", md(&s.framework), md(&s.version)),
                        md(&view::status_label(&s.status, t)),
                        md_or_dash(s.reason.as_deref()),
                        checks,
                    ]
                })
                .collect();
            self.table(
                &[
                    t.s(Text::Subject),
                    t.s(Text::Framework),
                    t.s(Text::Status),
                    t.s(Text::Reason),
                    t.s(Text::FailedChecks),
                ],
                &rows,
            );
        }
    }

    fn radar(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecRadar);
        self.para(Text::RadarExplain);
        let weights = &r.run.weights;
        let rows: Vec<Vec<String>> = Axis::ALL
            .iter()
            .map(|a| vec![t.s(a.text()).to_string(), format::num(a.weight(weights), 2)])
            .collect();
        self.table(&[t.s(Text::Axes), t.s(Text::Weights)], &rows);
        if !r.radar.normalisation.trim().is_empty() {
            self.line(&format!(
                "{}{}{}",
                t.s(Text::RecordedNormalisation),
                t.colon(),
                md(&r.radar.normalisation)
            ));
            self.blank();
        }
        if r.radar.series.is_empty() {
            self.para(Text::NoRadar);
            return;
        }
        let axes: Vec<String> = r
            .radar
            .axes
            .iter()
            .map(|a| md(&view::axis_label(a, t)))
            .collect();
        let mut head = vec![t.s(Text::Subject)];
        head.extend(axes.iter().map(String::as_str));
        let rows: Vec<Vec<String>> = r
            .radar
            .series
            .iter()
            .map(|series| {
                let mut row = vec![md(&series.subject)];
                for i in 0..r.radar.axes.len() {
                    let value = series.values.get(i).copied().flatten();
                    let raw = series.raw.get(i).and_then(|v| v.as_deref());
                    row.push(match (value, raw) {
                        (Some(v), Some(raw)) => format!("{} ({})", format::num(v, 2), md(raw)),
                        (Some(v), None) => format::num(v, 2),
                        (None, Some(raw)) => format!("{DASH} ({})", md(raw)),
                        (None, None) => t.s(Text::NotMeasured).to_string(),
                    });
                }
                row
            })
            .collect();
        self.table(&head, &rows);
    }

    fn throughput(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecThroughput);
        self.para(Text::ThroughputExplain);
        let names = view::workload_names(r);
        if names.is_empty() {
            self.para(Text::NoWorkloads);
            return;
        }
        for name in names {
            let runs = view::runs_of(r, name);
            let heading = runs.first().map_or_else(
                || md(name),
                |(_, w)| {
                    format!(
                        "{} — {} · {} · {} {}",
                        md(name),
                        md(&w.protocol),
                        md(&view::model_label(&w.model, t)),
                        w.connections,
                        t.s(Text::Connections).to_lowercase()
                    )
                },
            );
            self.line(&format!("### {heading}"));
            self.blank();
            let rows: Vec<Vec<String>> = view::placings(r, name)
                .iter()
                .map(|p| {
                    let mark = if p.within_noise {
                        format!("≈ {}", t.s(Text::WithinNoise))
                    } else {
                        String::new()
                    };
                    vec![
                        p.rank.map_or_else(|| DASH.to_string(), |n| n.to_string()),
                        md(p.subject),
                        format::rate(p.rps.median),
                        format::interval(p.rps.ci_low, p.rps.ci_high, format::rate),
                        p.rps.n.to_string(),
                        mark,
                        md_or_dash(p.versus_previous),
                    ]
                })
                .collect();
            self.table(
                &[
                    t.s(Text::Rank),
                    t.s(Text::Subject),
                    t.s(Text::RequestsPerSecond),
                    t.s(Text::Ci95),
                    "n",
                    "≈",
                    t.s(Text::VersusPrevious),
                ],
                &rows,
            );
            let rows: Vec<Vec<String>> = runs
                .iter()
                .map(|(s, w)| {
                    let counter = w.counter_consistent.map_or_else(
                        || t.s(Text::NotChecked).to_string(),
                        |c| view::yes_no(c, t).to_string(),
                    );
                    let anomalies = if w.anomalies.is_empty() {
                        DASH.to_string()
                    } else {
                        w.anomalies
                            .iter()
                            .map(|a| md(a))
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    let cross = if w.cross_checks.is_empty() {
                        DASH.to_string()
                    } else {
                        w.cross_checks
                            .iter()
                            .map(|c| {
                                format!(
                                    "{}: {} {}, p99 {} ({}; {})",
                                    md(&c.tool),
                                    format::rate(c.rps),
                                    t.s(Text::ReqPerSec),
                                    format::opt_ms(c.p99_ms),
                                    t.s(if c.disagrees {
                                        Text::Disagrees
                                    } else {
                                        Text::Agrees
                                    }),
                                    md(&c.note)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    vec![
                        md(&s.name),
                        format::int(w.requests),
                        format::int(w.errors),
                        w.repetitions.to_string(),
                        view::yes_no(w.generator_saturated, t).to_string(),
                        counter,
                        anomalies,
                        cross,
                    ]
                })
                .collect();
            self.table(
                &[
                    t.s(Text::Subject),
                    t.s(Text::Requests),
                    t.s(Text::Errors),
                    t.s(Text::Repetitions),
                    t.s(Text::GeneratorSaturated),
                    t.s(Text::CounterCheck),
                    t.s(Text::Anomalies),
                    t.s(Text::CrossChecks),
                ],
                &rows,
            );
        }
    }

    fn latency(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecLatency);
        for name in view::workload_names(r) {
            self.line(&format!("### {}", md(name)));
            self.blank();
            let rows: Vec<Vec<String>> = view::runs_of(r, name)
                .iter()
                .map(|(s, w)| {
                    let l = &w.latency;
                    let p99 = if w.p99_ms.n > 1 {
                        format!(
                            "{} ({})",
                            format::ms(w.p99_ms.median),
                            format::interval(w.p99_ms.ci_low, w.p99_ms.ci_high, format::ms)
                        )
                    } else {
                        format::ms(w.p99_ms.median)
                    };
                    vec![
                        md(&s.name),
                        format::ms(l.p50),
                        format::ms(l.p75),
                        format::ms(l.p90),
                        p99,
                        format::ms(l.p999),
                        format::ms(l.max),
                    ]
                })
                .collect();
            self.table(
                &[
                    t.s(Text::Subject),
                    "p50",
                    "p75",
                    "p90",
                    &format!("p99 ({})", t.s(Text::Ci95)),
                    "p99.9",
                    "max",
                ],
                &rows,
            );
        }
    }

    fn knee(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecKnee);
        self.para(Text::KneeExplain);
        let ramps = view::ramp_workloads(r);
        if ramps.is_empty() {
            self.para(Text::NoRamp);
            return;
        }
        for name in ramps {
            self.line(&format!("### {}", md(name)));
            self.blank();
            let rows: Vec<Vec<String>> = view::runs_of(r, name)
                .iter()
                .map(|(s, w)| {
                    let knee = w.knee_rps.map_or_else(
                        || t.s(Text::NoKnee).to_string(),
                        |k| format!("{} {}", format::rate(k), t.s(Text::ReqPerSec)),
                    );
                    vec![md(&s.name), knee, format::opt_ms(w.knee_p99_bound_ms)]
                })
                .collect();
            self.table(
                &[t.s(Text::Subject), t.s(Text::Knee), t.s(Text::P99Bound)],
                &rows,
            );
        }
    }

    fn memory(&mut self, r: &RunReport) {
        self.section(Text::SecMemory);
        self.para(Text::MemoryExplain);
        self.subject_table(view::memory_table(r, self.t));
    }

    fn middleware(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecMiddleware);
        self.para(Text::MiddlewareExplain);
        let unit = t.s(Text::ReqPerSec);
        let rows: Vec<Vec<String>> = r
            .subjects
            .iter()
            .filter_map(|s| s.middleware_cost.as_ref().map(|m| (s, m)))
            .map(|(s, m)| {
                vec![
                    md(&s.name),
                    format::rate_figure(&m.ping_rps, unit),
                    format::rate_figure(&m.mw_rps, unit),
                    format!(
                        "{} ({})",
                        format::num(m.ratio, 3),
                        format::interval(m.ratio_ci_low, m.ratio_ci_high, |v| format::num(v, 3))
                    ),
                    md(&m.verdict),
                ]
            })
            .collect();
        if rows.is_empty() {
            self.para(Text::NoData);
            return;
        }
        self.table(
            &[
                t.s(Text::Subject),
                t.s(Text::PingRps),
                t.s(Text::MwRps),
                t.s(Text::Ratio),
                t.s(Text::Verdict),
            ],
            &rows,
        );
    }

    fn hot_reload(&mut self, r: &RunReport) {
        self.section(Text::SecHotReload);
        self.para(Text::HotReloadExplain);
        self.subject_table(crate::hot_reload::hot_reload_table(r, self.t));
    }

    fn deployment(&mut self, r: &RunReport) {
        self.section(Text::SecDeployment);
        self.para(Text::DeploymentExplain);
        self.subject_table(view::deployment_table(r, self.t));
    }

    fn ecosystem(&mut self, r: &RunReport) {
        self.section(Text::SecEcosystem);
        self.para(Text::EcoExplain);
        for table in [
            crate::ecosystem::signals_table(r, self.t),
            crate::ecosystem::facts_table(r, self.t),
        ] {
            self.subject_table(crate::ecosystem::escaped(table, md));
        }
        let sources = crate::ecosystem::sources(r);
        if !sources.is_empty() {
            self.line(&format!("**{}**", self.t.s(Text::EcoSources)));
            self.blank();
            for (s, lines) in sources {
                for line in lines {
                    self.line(&format!("- {}: {}", md(&s.name), md(&line)));
                }
            }
            self.blank();
        }
    }

    fn observability(&mut self, r: &RunReport) {
        self.section(Text::SecObservability);
        self.para(Text::ObservabilityExplain);
        self.subject_table(crate::observability::observability_table(r, self.t, md));
        self.para(Text::OtelMatrixExplain);
        self.subject_table(crate::observability::matrix_table(r, self.t, md));
        let findings = crate::observability::findings(r);
        if !findings.is_empty() {
            let title = self.t.s(Text::OtelFindings);
            self.line(&format!("**{}**", md(title)));
            self.blank();
            for (subject, item) in findings {
                self.line(&format!("- {}: {}", md(subject), md(&item)));
            }
            self.blank();
        }
    }

    /// A [`view::SubjectTable`], the subject's name first; "no data" when it is empty.
    fn subject_table(&mut self, table: view::SubjectTable<'_>) {
        if table.rows.is_empty() {
            self.para(Text::NoData);
            return;
        }
        let head: Vec<&str> = std::iter::once(self.t.s(Text::Subject))
            .chain(table.head)
            .collect();
        let rows: Vec<Vec<String>> = table
            .rows
            .into_iter()
            .map(|(s, cells)| std::iter::once(md(&s.name)).chain(cells).collect())
            .collect();
        self.table(&head, &rows);
    }

    fn developer_experience(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecDx);
        self.para(Text::DxExplain);
        let rows: Vec<Vec<String>> = r
            .subjects
            .iter()
            .map(|s| {
                let dx = &s.developer_experience;
                vec![
                    md(&s.name),
                    format!("{} {}", md(&s.framework), md(&s.version)),
                    md_or_dash(dx.routes.as_deref()),
                    md_or_dash(dx.middleware.as_deref()),
                    md_or_dash(dx.errors.as_deref()),
                    dx.lines.map_or_else(|| DASH.to_string(), format::int),
                ]
            })
            .collect();
        self.table(
            &[
                t.s(Text::Subject),
                t.s(Text::Framework),
                t.s(Text::Routes),
                t.s(Text::MiddlewareHow),
                t.s(Text::ErrorsHow),
                t.s(Text::Lines),
            ],
            &rows,
        );
    }

    fn flame_graphs(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecFlame);
        self.para(Text::FlameInHtml);
        let rows: Vec<Vec<String>> = r
            .subjects
            .iter()
            .flat_map(|s| s.flame_graphs.iter().map(move |f| (s, f)))
            .map(|(s, f)| {
                let graph = match (&f.svg, &f.unavailable) {
                    (_, Some(why)) => format!("{}{}{}", t.s(Text::Unavailable), t.colon(), md(why)),
                    (Some(_), None) => t.s(Text::InReportHtml).to_string(),
                    (None, None) => DASH.to_string(),
                };
                let top = if f.top.is_empty() {
                    DASH.to_string()
                } else {
                    f.top
                        .iter()
                        .map(|(name, share)| format!("{} {}", md(name), format::percent(*share)))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                vec![
                    md(&s.name),
                    md(&f.workload),
                    md(&f.reason),
                    md(&f.profiler),
                    graph,
                    top,
                ]
            })
            .collect();
        if rows.is_empty() {
            self.para(Text::NoFlameGraphs);
            return;
        }
        self.table(
            &[
                t.s(Text::Subject),
                t.s(Text::Workload),
                t.s(Text::Reason),
                t.s(Text::Profiler),
                t.s(Text::FlameGraph),
                t.s(Text::HottestFunctions),
            ],
            &rows,
        );
    }

    fn environment(&mut self, r: &RunReport) {
        let t = self.t;
        self.section(Text::SecEnvironment);
        self.para(Text::EnvExplain);
        let env = EnvView::new(&r.environment);
        if !env.is_present() {
            self.para(Text::EnvMissing);
            return;
        }
        let rows: Vec<Vec<String>> = env
            .rows(t)
            .into_iter()
            .map(|(label, value)| vec![label.to_string(), md(&value)])
            .collect();
        self.table(&[t.s(Text::What), t.s(Text::Detail)], &rows);

        let frameworks = env.frameworks();
        if !frameworks.is_empty() {
            self.line(&format!("### {}", t.s(Text::Frameworks)));
            self.blank();
            let rows: Vec<Vec<String>> = frameworks
                .iter()
                .map(|f| vec![md(&f.subject), md(&f.framework), md(&f.version)])
                .collect();
            self.table(
                &[t.s(Text::Subject), t.s(Text::Framework), t.s(Text::Version)],
                &rows,
            );
        }

        let enforcement = env.enforcement();
        self.line(&format!("### {}", t.s(Text::Isolation)));
        self.blank();
        if !enforcement.is_empty() {
            let rows: Vec<Vec<String>> = enforcement
                .iter()
                .map(|e| {
                    vec![
                        md(&control_label(&e.what, t)),
                        e.enforced.map_or_else(
                            || t.s(Text::Unknown).to_string(),
                            |b| view::yes_no(b, t).to_string(),
                        ),
                        md(&e.detail),
                    ]
                })
                .collect();
            self.table(
                &[t.s(Text::What), t.s(Text::Enforced), t.s(Text::Detail)],
                &rows,
            );
        }
        let not_enforced: Vec<_> = enforcement
            .iter()
            .filter(|e| e.enforced != Some(true))
            .collect();
        self.line(&format!("**{}.** ", t.s(Text::NotEnforced)));
        if not_enforced.is_empty() {
            self.para(Text::NothingNotEnforced);
        } else {
            self.para(Text::NotEnforcedExplain);
            for e in not_enforced {
                self.line(&format!(
                    "- {}: {}",
                    md(&control_label(&e.what, t)),
                    md(&e.detail)
                ));
            }
            self.blank();
        }

        self.line(&format!("### {}", t.s(Text::Warnings)));
        self.blank();
        let warnings = env.warnings(t);
        if warnings.is_empty() {
            self.para(Text::NoWarnings);
        } else {
            for w in warnings {
                self.line(&format!("- {}", md(&w)));
            }
            self.blank();
        }

        let other = env.other_fields();
        if !other.is_empty() {
            self.line(&format!("### {}", t.s(Text::OtherFields)));
            self.blank();
            for (k, v) in other {
                self.line(&format!("- {}: {}", md(&k), md(&v)));
            }
            self.blank();
        }
    }

    fn notes(&mut self, r: &RunReport) {
        self.section(Text::SecNotes);
        if r.notes.is_empty() {
            self.para(Text::NoNotes);
        } else {
            for note in &r.notes {
                self.line(&format!("- {}", md(note)));
            }
            self.blank();
        }
        let version = md(&r.run.podium_version);
        let generated = self.t.fill(Text::GeneratedBy, &[("version", &version)]);
        self.line(&format!("_{generated}_"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_line_breaks() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<script>"), "\\<script\\>");
        assert_eq!(
            md("*x* _y_ [l](u) `c`"),
            "\\*x\\* \\_y\\_ \\[l\\](u) \\`c\\`"
        );
        assert_eq!(md("one\r\ntwo"), "one two");
        assert_eq!(md("&lt;"), "\\&lt;");
        assert_eq!(md_or_dash(None), DASH);
    }
}
