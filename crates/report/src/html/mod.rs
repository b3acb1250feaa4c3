//! `report.html`: the whole report in one self-contained file.
//!
//! Everything is inline: the style sheet, the charts (SVG drawn in [`charts`]), the
//! small script that makes them interactive, and the flame graphs (as `data:` images).
//! A Content-Security-Policy forbids the page any other source, so even a string that
//! slipped through could not make it load something. Every string from the model goes
//! through [`esc`].

mod charts;

use crate::environment::{EnvView, control_label};
use crate::error::ReportError;
use crate::export::Exporter;
use crate::format::{self, DASH};
use crate::lang::{Lang, Text};
use crate::model::{FlameGraph, RunReport, SubjectReport};
use crate::view;
use base64::Engine as _;
use charts::{Bar, Curve};
use std::fmt::Write as _;

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// `report.html`, with labels and explanations in `lang`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlExporter {
    /// The language of labels and explanations.
    pub lang: Lang,
}

impl Exporter for HtmlExporter {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn render(&self, report: &RunReport) -> Result<String, ReportError> {
        Ok(Page {
            out: String::with_capacity(256 * 1024),
            r: report,
            t: self.lang,
        }
        .render())
    }
}

/// The page's only policy: nothing but itself. Inline style and script, `data:` images
/// (the flame graphs); no fetch, no frame, no font, no form.
const CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; \
                   script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Escapes text for HTML element content and (quoted) attribute values alike.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn esc_or_dash(text: Option<&str>) -> String {
    text.map_or_else(|| DASH.to_string(), esc)
}

/// A section: its anchor, its title and what draws its body.
type Section = (&'static str, Text, fn(&mut Page<'_>));

/// The sections in page order.
const SECTIONS: [Section; 15] = [
    ("ranking", Text::SecRanking, |p| p.ranking()),
    ("radar", Text::SecRadar, |p| p.radar()),
    ("throughput", Text::SecThroughput, |p| p.throughput()),
    ("latency", Text::SecLatency, |p| p.latency()),
    ("knee", Text::SecKnee, |p| p.knee()),
    ("memory", Text::SecMemory, |p| p.memory()),
    ("middleware", Text::SecMiddleware, |p| p.middleware()),
    ("deployment", Text::SecDeployment, |p| p.deployment()),
    ("ecosystem", Text::SecEcosystem, |p| p.ecosystem()),
    ("hot-reload", Text::SecHotReload, |p| p.hot_reload()),
    ("observability", Text::SecObservability, |p| {
        p.observability()
    }),
    ("developer-experience", Text::SecDx, |p| {
        p.developer_experience()
    }),
    ("flame-graphs", Text::SecFlame, |p| p.flame_graphs()),
    ("environment", Text::SecEnvironment, |p| p.environment()),
    ("notes", Text::SecNotes, |p| p.notes()),
];

struct Page<'a> {
    out: String,
    r: &'a RunReport,
    t: Lang,
}

impl Page<'_> {
    fn render(mut self) -> String {
        let t = self.t;
        let title = format!(
            "{} — {}",
            t.s(Text::ReportTitle),
            t.fill(Text::RunHeading, &[("id", &self.r.run.id.to_string())])
        );
        w!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"generator\" content=\"Podium {}\">\
             <title>{}</title><style>{STYLE}</style></head><body>",
            t.html_lang(),
            esc(&self.r.run.podium_version),
            esc(&title)
        );
        self.header(&title);
        self.out.push_str("<main>");
        for (id, text, body) in SECTIONS {
            w!(self.out, "<section id=\"{id}\"><h2>{}</h2>", esc(t.s(text)));
            body(&mut self);
            self.out.push_str("</section>");
        }
        let version = self.r.run.podium_version.clone();
        w!(
            self.out,
            "</main><footer>{}</footer><div id=\"tip\" role=\"tooltip\" hidden></div><script>{SCRIPT}</script></body></html>\n",
            esc(&t.fill(Text::GeneratedBy, &[("version", &version)]))
        );
        self.out
    }

    fn para(&mut self, text: Text) {
        w!(self.out, "<p class=\"explain\">{}</p>", esc(self.t.s(text)));
    }

    /// A table; `head` is plain text, cells are HTML (already escaped).
    fn table(&mut self, class: &str, head: &[&str], rows: &[Vec<String>]) {
        w!(
            self.out,
            "<div class=\"table-wrap\"><table class=\"{class}\"><thead><tr>"
        );
        for h in head {
            w!(self.out, "<th>{}</th>", esc(h));
        }
        self.out.push_str("</tr></thead><tbody>");
        for row in rows {
            self.out.push_str("<tr>");
            for cell in row {
                w!(self.out, "<td>{cell}</td>");
            }
            self.out.push_str("</tr>");
        }
        self.out.push_str("</tbody></table></div>");
    }

    fn swatch(&self, subject: &str) -> String {
        format!(
            "<span class=\"swatch\" style=\"background:{}\"></span>{}",
            view::subject_colour(self.r, subject),
            esc(subject)
        )
    }

    fn header(&mut self, title: &str) {
        let t = self.t;
        let run = &self.r.run;
        w!(self.out, "<header><h1>{}</h1>", esc(title));
        if run.complete {
            w!(
                self.out,
                "<p class=\"banner ok\">{}</p>",
                esc(t.s(Text::BannerComplete))
            );
        } else {
            w!(
                self.out,
                "<p class=\"banner bad\" id=\"incomplete\">{}</p>",
                esc(t.s(Text::BannerIncomplete))
            );
        }
        if run.quick {
            w!(
                self.out,
                "<p class=\"banner warn\" id=\"quick\">{}</p>",
                esc(t.s(Text::BannerQuick))
            );
        }
        if let Some(note) = &run.note {
            w!(
                self.out,
                "<p class=\"run-note\"><strong>{}{}</strong>{}</p>",
                esc(t.s(Text::RunNote)),
                t.colon(),
                esc(note)
            );
        }
        let finished = run
            .finished
            .as_deref()
            .map_or_else(|| esc(t.s(Text::NotFinished)), esc);
        let items = [
            (Text::Started, esc(&run.started)),
            (Text::Finished, finished),
            (Text::Suite, esc_or_dash(run.suite.as_deref())),
            (Text::PodiumVersion, esc(&run.podium_version)),
            (
                Text::CommandLine,
                format!("<code>{}</code>", esc(&run.command_line.join(" "))),
            ),
        ];
        self.out.push_str("<dl class=\"meta\">");
        for (label, value) in items {
            w!(
                self.out,
                "<div><dt>{}</dt><dd>{value}</dd></div>",
                esc(t.s(label))
            );
        }
        w!(
            self.out,
            "</dl><nav aria-label=\"{0}\"><span class=\"legend-title\">{0}</span>",
            esc(t.s(Text::Contents))
        );
        for (id, text, _) in SECTIONS {
            w!(self.out, "<a href=\"#{id}\">{}</a>", esc(t.s(text)));
        }
        self.out.push_str("</nav></header>");
    }

    fn ranking(&mut self) {
        let t = self.t;
        self.para(Text::RankingExplain);
        let (ranked, unranked) = view::ranked(self.r);
        if ranked.is_empty() {
            self.para(Text::NoRankedSubjects);
        } else {
            let score = |v: Option<f64>| match v.filter(|v| v.is_finite()) {
                Some(v) => format!(
                    "<span class=\"score\" style=\"--v:{:.3}\">{}</span>",
                    v.clamp(0.0, 1.0),
                    format::num(v, 2)
                ),
                None => DASH.to_string(),
            };
            let rows: Vec<Vec<String>> = ranked
                .iter()
                .map(|s| {
                    vec![
                        s.rank.map_or_else(|| DASH.to_string(), |n| n.to_string()),
                        self.swatch(&s.name),
                        format!(
                            "{} <span class=\"version\">{}</span>",
                            esc(&s.framework),
                            esc(&s.version)
                        ),
                        esc(&s.language),
                        format!("<strong>{}</strong>", score(s.scores.composite)),
                        score(s.scores.performance),
                        score(s.scores.ecosystem),
                        score(s.scores.observability),
                        score(s.scores.hot_reload),
                    ]
                })
                .collect();
            self.table(
                "ranking",
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
            w!(self.out, "<h3>{}</h3>", esc(t.s(Text::NotRanked)));
            self.para(Text::NotRankedExplain);
            let rows: Vec<Vec<String>> = unranked
                .iter()
                .map(|s| {
                    let checks = if s.failed_checks.is_empty() {
                        DASH.to_string()
                    } else {
                        let items: String = s
                            .failed_checks
                            .iter()
                            .map(|c| format!("<li><code>{}</code></li>", esc(c)))
                            .collect();
                        format!("<ul class=\"checks\">{items}</ul>")
                    };
                    vec![
                        esc(&s.name),
                        format!("{} {}", esc(&s.framework), esc(&s.version)),
                        esc(&view::status_label(&s.status, t)),
                        esc_or_dash(s.reason.as_deref()),
                        checks,
                    ]
                })
                .collect();
            self.table(
                "unranked",
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

    fn radar(&mut self) {
        let t = self.t;
        if self.r.radar.series.is_empty() {
            self.para(Text::NoRadar);
        } else {
            w!(
                self.out,
                "<p class=\"how\">{}</p>",
                esc(t.s(Text::RadarHowTo))
            );
            self.out.push_str("<div class=\"radar-wrap\">");
            charts::radar(&mut self.out, self.r, t);
            self.out.push_str("</div>");
        }
        let weights: String = charts::weight_items(&self.r.run.weights, t)
            .into_iter()
            .map(|(axis, w)| format!("<li>{} <strong>{w}</strong></li>", esc(&axis)))
            .collect();
        w!(
            self.out,
            "<div class=\"formula\"><p><strong>{}</strong></p><ul class=\"weights\">{weights}</ul><p><strong>{}{}</strong>{}</p>",
            esc(t.s(Text::Weights)),
            esc(t.s(Text::Normalisation)),
            t.colon(),
            esc(t.s(Text::RadarExplain))
        );
        if !self.r.radar.normalisation.trim().is_empty() {
            w!(
                self.out,
                "<p><strong>{}{}</strong>{}</p>",
                esc(t.s(Text::RecordedNormalisation)),
                t.colon(),
                esc(&self.r.radar.normalisation)
            );
        }
        self.out.push_str("</div>");
    }

    fn workload_heading(&mut self, name: &str) {
        let t = self.t;
        let runs = view::runs_of(self.r, name);
        let detail = runs.first().map_or_else(String::new, |(_, w)| {
            format!(
                " <span class=\"sub\">{} · {} · {} {}</span>",
                esc(&w.protocol),
                esc(&view::model_label(&w.model, t)),
                w.connections,
                esc(&t.s(Text::Connections).to_lowercase())
            )
        });
        w!(self.out, "<h3>{}{detail}</h3>", esc(name));
    }

    fn throughput(&mut self) {
        let t = self.t;
        self.para(Text::ThroughputExplain);
        let names = view::workload_names(self.r);
        if names.is_empty() {
            self.para(Text::NoWorkloads);
        }
        let unit = t.s(Text::ReqPerSec);
        for name in names {
            self.workload_heading(name);
            let placings = view::placings(self.r, name);
            let bars: Vec<Bar> = placings
                .iter()
                .map(|p| {
                    let f = p.rps;
                    Bar {
                        label: match p.rank {
                            Some(rank) => format!("{rank}. {}", p.subject),
                            None => p.subject.to_string(),
                        },
                        colour: view::subject_colour(self.r, p.subject),
                        value: Some(f.median),
                        interval: (f.n > 1).then_some((f.ci_low, f.ci_high)),
                        value_text: format!("{} {unit}", format::rate(f.median)),
                        tip: format!(
                            "{}: {} {unit}, {} {}, n={}",
                            p.subject,
                            format::rate(f.median),
                            t.s(Text::Ci95),
                            format::interval(f.ci_low, f.ci_high, format::rate),
                            f.n
                        ),
                        within_noise: p.within_noise.then(|| {
                            p.versus_previous
                                .map_or_else(|| t.s(Text::WithinNoise).to_string(), String::from)
                        }),
                    }
                })
                .collect();
            charts::bars(
                &mut self.out,
                &bars,
                &format!("{} — {name}", t.s(Text::SecThroughput)),
                t,
            );
            // The table follows the bars: throughput order.
            let mut runs = view::runs_of(self.r, name);
            runs.sort_by_key(|(s, _)| {
                placings
                    .iter()
                    .position(|p| p.subject == s.name)
                    .unwrap_or(usize::MAX)
            });
            let rows: Vec<Vec<String>> = runs
                .iter()
                .map(|(s, w)| {
                    let counter = w.counter_consistent.map_or_else(
                        || t.s(Text::NotChecked).to_string(),
                        |c| view::yes_no(c, t).to_string(),
                    );
                    let saturated = if w.generator_saturated {
                        format!("<span class=\"flag\">{}</span>", esc(view::yes_no(true, t)))
                    } else {
                        esc(view::yes_no(false, t))
                    };
                    vec![
                        self.swatch(&s.name),
                        format::rate_figure(&w.rps, unit),
                        format!("{} / {}", format::int(w.errors), format::int(w.requests)),
                        w.repetitions.to_string(),
                        saturated,
                        esc(&counter),
                    ]
                })
                .collect();
            self.table(
                "details",
                &[
                    t.s(Text::Subject),
                    &format!("{} ({})", t.s(Text::RequestsPerSecond), t.s(Text::Ci95)),
                    &format!("{} / {}", t.s(Text::Errors), t.s(Text::Requests)),
                    t.s(Text::Repetitions),
                    t.s(Text::GeneratorSaturated),
                    t.s(Text::CounterCheck),
                ],
                &rows,
            );
            // Anomalies and peer-tool figures are sentences: a list under the table
            // reads better than two more narrow columns.
            let mut items = String::new();
            for (s, w) in &runs {
                for anomaly in &w.anomalies {
                    w!(
                        items,
                        "<li><strong>{}</strong> — {}{}{}</li>",
                        esc(&s.name),
                        esc(t.s(Text::Anomalies)),
                        t.colon(),
                        esc(anomaly)
                    );
                }
                for c in &w.cross_checks {
                    w!(
                        items,
                        "<li class=\"{}\"><strong>{}</strong> — {}{}{} {} {unit}, p99 {} — {}: {}</li>",
                        if c.disagrees { "disagrees" } else { "agrees" },
                        esc(&s.name),
                        esc(t.s(Text::CrossChecks)),
                        t.colon(),
                        esc(&c.tool),
                        format::rate(c.rps),
                        format::opt_ms(c.p99_ms),
                        esc(t.s(if c.disagrees {
                            Text::Disagrees
                        } else {
                            Text::Agrees
                        })),
                        esc(&c.note)
                    );
                }
            }
            if !items.is_empty() {
                w!(self.out, "<ul class=\"workload-notes\">{items}</ul>");
            }
        }
    }

    fn latency(&mut self) {
        let t = self.t;
        self.para(Text::LatencyExplain);
        for name in view::workload_names(self.r) {
            self.workload_heading(name);
            let runs = view::runs_of(self.r, name);
            let curves: Vec<Curve> = runs
                .iter()
                .map(|(s, w)| {
                    let l = &w.latency;
                    let from_summary = w.latency_curve.is_empty();
                    let points = if from_summary {
                        vec![
                            (50.0, l.p50),
                            (75.0, l.p75),
                            (90.0, l.p90),
                            (99.0, l.p99),
                            (99.9, l.p999),
                        ]
                    } else {
                        w.latency_curve.clone()
                    };
                    Curve {
                        subject: s.name.clone(),
                        colour: view::subject_colour(self.r, &s.name),
                        points,
                        from_summary,
                    }
                })
                .collect();
            charts::latency(
                &mut self.out,
                &curves,
                &format!("{} — {name}", t.s(Text::SecLatency)),
                t,
            );
            self.out.push_str("<div class=\"legend static\">");
            for curve in &curves {
                w!(self.out, "<span>{}", self.swatch(&curve.subject));
                if curve.from_summary {
                    w!(self.out, " <em>({})</em>", esc(t.s(Text::CurveFromSummary)));
                }
                self.out.push_str("</span>");
            }
            self.out.push_str("</div>");
            let rows: Vec<Vec<String>> = runs
                .iter()
                .map(|(s, w)| {
                    let l = &w.latency;
                    let p99 = if w.p99_ms.n > 1 {
                        format!(
                            "{} <span class=\"ci\">({})</span>",
                            format::ms(w.p99_ms.median),
                            format::interval(w.p99_ms.ci_low, w.p99_ms.ci_high, format::ms)
                        )
                    } else {
                        format::ms(w.p99_ms.median)
                    };
                    vec![
                        self.swatch(&s.name),
                        format::ms(l.p50),
                        format::ms(l.p75),
                        format::ms(l.p90),
                        p99,
                        format::ms(l.p999),
                        format::ms(l.max),
                    ]
                })
                .collect();
            let p99_head = format!("p99 ({})", t.s(Text::Ci95));
            self.table(
                "latency",
                &[
                    t.s(Text::Subject),
                    "p50",
                    "p75",
                    "p90",
                    &p99_head,
                    "p99.9",
                    "max",
                ],
                &rows,
            );
        }
    }

    fn knee(&mut self) {
        let t = self.t;
        self.para(Text::KneeExplain);
        let ramps = view::ramp_workloads(self.r);
        if ramps.is_empty() {
            self.para(Text::NoRamp);
        }
        let unit = t.s(Text::ReqPerSec);
        for name in ramps {
            self.workload_heading(name);
            let runs = view::runs_of(self.r, name);
            let mut bounds: Vec<String> = runs
                .iter()
                .filter_map(|(_, w)| w.knee_p99_bound_ms.map(format::ms))
                .collect();
            bounds.dedup();
            if !bounds.is_empty() {
                w!(
                    self.out,
                    "<p class=\"bound\">{}{}p99 ≤ {}</p>",
                    esc(t.s(Text::P99Bound)),
                    t.colon(),
                    esc(&bounds.join(", "))
                );
            }
            let mut by_knee = runs.clone();
            by_knee.sort_by(|a, b| {
                let knee = |w: &crate::model::WorkloadReport| w.knee_rps.filter(|k| k.is_finite());
                knee(b.1)
                    .partial_cmp(&knee(a.1))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let bars: Vec<Bar> = by_knee
                .iter()
                .map(|(s, w)| {
                    let text = w.knee_rps.map_or_else(
                        || t.s(Text::NoKnee).to_string(),
                        |k| format!("{} {unit}", format::rate(k)),
                    );
                    Bar {
                        label: s.name.clone(),
                        colour: view::subject_colour(self.r, &s.name),
                        value: w.knee_rps,
                        interval: None,
                        tip: format!(
                            "{}: {} {text} (p99 ≤ {})",
                            s.name,
                            t.s(Text::Knee),
                            format::opt_ms(w.knee_p99_bound_ms)
                        ),
                        value_text: text,
                        within_noise: None,
                    }
                })
                .collect();
            charts::bars(
                &mut self.out,
                &bars,
                &format!("{} — {name}", t.s(Text::SecKnee)),
                t,
            );
        }
    }

    fn memory(&mut self) {
        self.para(Text::MemoryExplain);
        self.subject_table(view::memory_table(self.r, self.t));
    }

    fn middleware(&mut self) {
        let t = self.t;
        self.para(Text::MiddlewareExplain);
        let unit = t.s(Text::ReqPerSec);
        let rows: Vec<Vec<String>> = self
            .r
            .subjects
            .iter()
            .filter_map(|s| s.middleware_cost.as_ref().map(|m| (s, m)))
            .map(|(s, m)| {
                vec![
                    self.swatch(&s.name),
                    format::rate_figure(&m.ping_rps, unit),
                    format::rate_figure(&m.mw_rps, unit),
                    format!(
                        "<strong>{}</strong> <span class=\"ci\">({})</span>",
                        format::num(m.ratio, 3),
                        format::interval(m.ratio_ci_low, m.ratio_ci_high, |v| format::num(v, 3))
                    ),
                    esc(&m.verdict),
                ]
            })
            .collect();
        if rows.is_empty() {
            self.para(Text::NoData);
            return;
        }
        self.table(
            "numbers",
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

    fn hot_reload(&mut self) {
        self.para(Text::HotReloadExplain);
        self.subject_table(crate::hot_reload::hot_reload_table(self.r, self.t));
    }

    fn deployment(&mut self) {
        self.para(Text::DeploymentExplain);
        self.subject_table(view::deployment_table(self.r, self.t));
    }

    fn ecosystem(&mut self) {
        self.para(Text::EcoExplain);
        for table in [
            crate::ecosystem::signals_table(self.r, self.t),
            crate::ecosystem::facts_table(self.r, self.t),
        ] {
            self.subject_table(crate::ecosystem::escaped(table, esc));
        }
        let sources = crate::ecosystem::sources(self.r);
        if !sources.is_empty() {
            w!(
                self.out,
                "<h3>{}</h3><ul class=\"eco-sources\">",
                esc(self.t.s(Text::EcoSources))
            );
            for (s, lines) in sources {
                for line in lines {
                    w!(self.out, "<li>{}: {}</li>", esc(&s.name), esc(&line));
                }
            }
            w!(self.out, "</ul>");
        }
    }

    fn observability(&mut self) {
        self.para(Text::ObservabilityExplain);
        self.subject_table(crate::observability::observability_table(
            self.r, self.t, esc,
        ));
        self.para(Text::OtelMatrixExplain);
        self.subject_table(crate::observability::matrix_table(self.r, self.t, esc));
        let findings = crate::observability::findings(self.r);
        if !findings.is_empty() {
            w!(
                self.out,
                "<h3>{}</h3><ul>",
                esc(self.t.s(Text::OtelFindings))
            );
            for (subject, item) in findings {
                w!(self.out, "<li>{}: {}</li>", esc(subject), esc(&item));
            }
            self.out.push_str("</ul>");
        }
    }

    /// A [`view::SubjectTable`], the subject's swatch and name first; "no data" when it
    /// is empty.
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
            .map(|(s, cells)| std::iter::once(self.swatch(&s.name)).chain(cells).collect())
            .collect();
        self.table("numbers", &head, &rows);
    }

    fn developer_experience(&mut self) {
        let t = self.t;
        self.para(Text::DxExplain);
        let rows: Vec<Vec<String>> = self
            .r
            .subjects
            .iter()
            .map(|s| {
                let dx = &s.developer_experience;
                vec![
                    self.swatch(&s.name),
                    format!(
                        "{} <span class=\"version\">{}</span>",
                        esc(&s.framework),
                        esc(&s.version)
                    ),
                    esc_or_dash(dx.routes.as_deref()),
                    esc_or_dash(dx.middleware.as_deref()),
                    esc_or_dash(dx.errors.as_deref()),
                    dx.lines.map_or_else(|| DASH.to_string(), format::int),
                ]
            })
            .collect();
        self.table(
            "dx",
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

    fn flame_graphs(&mut self) {
        self.para(Text::FlameExplain);
        let flames: Vec<(&SubjectReport, &FlameGraph)> = self
            .r
            .subjects
            .iter()
            .flat_map(|s| s.flame_graphs.iter().map(move |f| (s, f)))
            .collect();
        if flames.is_empty() {
            self.para(Text::NoFlameGraphs);
        }
        for (index, (subject, flame)) in flames.into_iter().enumerate() {
            self.flame_graph(index, subject, flame);
        }
    }

    /// One flame graph, embedded as a `data:` image. Inferno's SVG is a standalone
    /// document whose script finds its elements by fixed ids and takes the page's first
    /// `<svg>` as its own, so inlined it would drive the radar and collide with every
    /// other flame graph. As an image it renders exactly as drawn, runs nothing and
    /// loads nothing; the download link hands over the original file, whose zoom and
    /// search work when opened on its own.
    fn flame_graph(&mut self, index: usize, subject: &SubjectReport, flame: &FlameGraph) {
        let t = self.t;
        w!(
            self.out,
            "<figure class=\"flame\"><figcaption><strong>{}</strong> — {} · {} · {}</figcaption>",
            self.swatch(&subject.name),
            esc(&flame.workload),
            esc(&flame.reason),
            esc(&flame.profiler)
        );
        match (&flame.svg, &flame.unavailable) {
            (Some(svg), None) if svg.contains("<svg") => {
                let id = format!("flame-{index}");
                let data = base64::engine::general_purpose::STANDARD.encode(svg.as_bytes());
                w!(
                    self.out,
                    "<img id=\"{id}\" src=\"data:image/svg+xml;base64,{data}\" alt=\"{}\">\
                     <p><a class=\"svg-download\" href=\"#{id}\" data-for=\"{id}\" download=\"{}\">{}</a></p>",
                    esc(&format!(
                        "{} — {} {}",
                        t.s(Text::FlameGraph),
                        subject.name,
                        flame.workload
                    )),
                    esc(&download_name(&subject.name, &flame.workload)),
                    esc(t.s(Text::DownloadSvg))
                );
            }
            (_, Some(why)) => w!(
                self.out,
                "<p class=\"unavailable\"><strong>{}{}</strong>{}</p>",
                esc(t.s(Text::Unavailable)),
                t.colon(),
                esc(why)
            ),
            (_, None) => w!(
                self.out,
                "<p class=\"unavailable\"><strong>{}</strong></p>",
                esc(t.s(Text::Unavailable))
            ),
        }
        if !flame.top.is_empty() {
            let items: String = flame
                .top
                .iter()
                .map(|(name, share)| {
                    format!(
                        "<li><code>{}</code> {}</li>",
                        esc(name),
                        format::percent(*share)
                    )
                })
                .collect();
            w!(
                self.out,
                "<p><strong>{}</strong></p><ol class=\"top\">{items}</ol>",
                esc(t.s(Text::HottestFunctions))
            );
        }
        self.out.push_str("</figure>");
    }

    fn environment(&mut self) {
        let t = self.t;
        self.para(Text::EnvExplain);
        let env = EnvView::new(&self.r.environment);
        if !env.is_present() {
            self.para(Text::EnvMissing);
            return;
        }
        self.out.push_str("<dl class=\"env\">");
        for (label, value) in env.rows(t) {
            w!(
                self.out,
                "<div><dt>{}</dt><dd>{}</dd></div>",
                esc(label),
                esc(&value)
            );
        }
        self.out.push_str("</dl>");

        let frameworks = env.frameworks();
        if !frameworks.is_empty() {
            w!(self.out, "<h3>{}</h3>", esc(t.s(Text::Frameworks)));
            let rows: Vec<Vec<String>> = frameworks
                .iter()
                .map(|f| vec![esc(&f.subject), esc(&f.framework), esc(&f.version)])
                .collect();
            self.table(
                "frameworks",
                &[t.s(Text::Subject), t.s(Text::Framework), t.s(Text::Version)],
                &rows,
            );
        }

        let enforcement = env.enforcement();
        w!(self.out, "<h3>{}</h3>", esc(t.s(Text::Isolation)));
        if !enforcement.is_empty() {
            let rows: Vec<Vec<String>> = enforcement
                .iter()
                .map(|e| {
                    let enforced = match e.enforced {
                        Some(true) => {
                            format!("<span class=\"yes\">{}</span>", esc(view::yes_no(true, t)))
                        }
                        Some(false) => {
                            format!("<span class=\"no\">{}</span>", esc(view::yes_no(false, t)))
                        }
                        None => esc(t.s(Text::Unknown)),
                    };
                    vec![esc(&control_label(&e.what, t)), enforced, esc(&e.detail)]
                })
                .collect();
            self.table(
                "enforcement",
                &[t.s(Text::What), t.s(Text::Enforced), t.s(Text::Detail)],
                &rows,
            );
        }
        let not_enforced: Vec<_> = enforcement
            .iter()
            .filter(|e| e.enforced != Some(true))
            .collect();
        w!(
            self.out,
            "<div class=\"callout\" id=\"not-enforced\"><p><strong>{}.</strong> ",
            esc(t.s(Text::NotEnforced))
        );
        if not_enforced.is_empty() {
            w!(self.out, "{}</p>", esc(t.s(Text::NothingNotEnforced)));
        } else {
            w!(self.out, "{}</p><ul>", esc(t.s(Text::NotEnforcedExplain)));
            for e in not_enforced {
                w!(
                    self.out,
                    "<li><strong>{}</strong>: {}</li>",
                    esc(&control_label(&e.what, t)),
                    esc(&e.detail)
                );
            }
            self.out.push_str("</ul>");
        }
        self.out.push_str("</div>");

        w!(self.out, "<h3>{}</h3>", esc(t.s(Text::Warnings)));
        let warnings = env.warnings(t);
        if warnings.is_empty() {
            self.para(Text::NoWarnings);
        } else {
            self.out.push_str("<ul class=\"warnings\">");
            for warning in warnings {
                w!(self.out, "<li>{}</li>", esc(&warning));
            }
            self.out.push_str("</ul>");
        }

        let other = env.other_fields();
        if !other.is_empty() {
            w!(
                self.out,
                "<h3>{}</h3><dl class=\"env\">",
                esc(t.s(Text::OtherFields))
            );
            for (k, v) in other {
                w!(
                    self.out,
                    "<div><dt>{}</dt><dd><code>{}</code></dd></div>",
                    esc(&k),
                    esc(&v)
                );
            }
            self.out.push_str("</dl>");
        }
    }

    fn notes(&mut self) {
        if self.r.notes.is_empty() {
            self.para(Text::NoNotes);
            return;
        }
        self.out.push_str("<ul class=\"notes\">");
        for note in &self.r.notes {
            w!(self.out, "<li>{}</li>", esc(note));
        }
        self.out.push_str("</ul>");
    }
}

/// A file name for a downloaded flame graph: only characters every file system takes.
fn download_name(subject: &str, workload: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("flame-{}-{}.svg", clean(subject), clean(workload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_open_markup() {
        assert_eq!(
            esc(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(esc("plain 12 345"), "plain 12 345");
    }

    #[test]
    fn download_names_are_safe() {
        assert_eq!(
            download_name("go-zero", "GET /json"),
            "flame-go-zero-GET__json.svg"
        );
        assert_eq!(download_name("../x", "a\"b"), "flame-.._x-a_b.svg");
    }
}
