//! The Observability section (OpenTelemetry conformance from `podium otel`), derived once
//! for the Markdown and HTML reports: the per-subject table, the compatibility matrix
//! (subject × SDK line × check) and the items that did not hold. Text from the model is
//! escaped with the exporter's `escape`.

use crate::format::{self, DASH};
use crate::lang::{Lang, Text};
use crate::model::{Ratio, RunReport, SubjectReport};
use crate::view::SubjectTable;

/// A verdict (`pass`, `partial`, `fail`) in the report's language; "not measured" when
/// missing.
pub(crate) fn verdict(v: Option<&str>, lang: Lang) -> String {
    lang.s(match v {
        Some("pass") => Text::OtelPass,
        Some("partial") => Text::OtelPartial,
        Some("fail") => Text::OtelFail,
        _ => Text::NotMeasured,
    })
    .to_string()
}

/// `×0.35 (0.28–0.38)`; the interval is left out when there was one run per side.
fn ratio(r: Option<&Ratio>) -> String {
    let Some(r) = r else {
        return DASH.to_string();
    };
    let two = |v: f64| format::num(v, 2);
    if r.n <= 1 {
        format!("×{}", two(r.value))
    } else {
        format!(
            "×{} ({})",
            two(r.value),
            format::interval(r.ci_low, r.ci_high, two)
        )
    }
}

/// Per subject with an observation: verdicts, instrumentation, lines added, cost, date.
pub(crate) fn observability_table(
    report: &RunReport,
    lang: Lang,
    escape: fn(&str) -> String,
) -> SubjectTable<'_> {
    SubjectTable {
        head: [
            Text::OtelTracer,
            Text::OtelPropagator,
            Text::OtelMetrics,
            Text::OtelInstrumentation,
            Text::OtelMaintainer,
            Text::OtelLinesAdded,
            Text::OtelThroughput,
            Text::OtelP99,
            Text::OtelSpansUnderLoad,
            Text::OtelObserved,
        ]
        .map(|t| lang.s(t))
        .to_vec(),
        rows: report
            .subjects
            .iter()
            .filter_map(|s| s.observability.as_ref().map(|o| (s, o)))
            .map(|(s, o)| {
                let cells = vec![
                    verdict(o.tracer.as_deref(), lang),
                    verdict(o.propagator.as_deref(), lang),
                    verdict(o.metrics.as_deref(), lang),
                    format!("{} ({})", escape(&o.instrumentation), escape(&o.sdk)),
                    escape(&o.maintainer),
                    o.lines_added.map_or_else(|| DASH.to_string(), format::int),
                    ratio(o.throughput_ratio.as_ref()),
                    ratio(o.p99_ratio.as_ref()),
                    o.spans_under_load.map_or_else(
                        || DASH.to_string(),
                        |(spans, requests)| {
                            lang.fill(
                                Text::OtelSpansOf,
                                &[
                                    ("spans", &format::int(spans)),
                                    ("requests", &format::int(requests)),
                                ],
                            )
                        },
                    ),
                    format!(
                        "{}{}",
                        escape(&o.observed_at),
                        if o.age_runs > 0 {
                            lang.fill(Text::OtelAge, &[("runs", &o.age_runs.to_string())])
                        } else {
                            String::new()
                        }
                    ),
                ];
                (s, cells)
            })
            .collect(),
    }
}

/// The compatibility matrix: one row per subject and SDK line.
pub(crate) fn matrix_table(
    report: &RunReport,
    lang: Lang,
    escape: fn(&str) -> String,
) -> SubjectTable<'_> {
    let mut rows: Vec<(&SubjectReport, Vec<String>)> = Vec::new();
    for s in &report.subjects {
        let Some(o) = &s.observability else { continue };
        for entry in &o.matrix {
            rows.push((
                s,
                vec![
                    format!(
                        "{}{}",
                        escape(&entry.sdk),
                        if entry.pinned {
                            format!(" ({})", lang.s(Text::OtelPinned))
                        } else {
                            String::new()
                        }
                    ),
                    verdict(entry.tracer.as_deref(), lang),
                    verdict(entry.propagator.as_deref(), lang),
                    verdict(entry.metrics.as_deref(), lang),
                    entry
                        .error
                        .as_deref()
                        .map_or_else(|| DASH.to_string(), escape),
                ],
            ));
        }
    }
    SubjectTable {
        head: [
            Text::OtelSdk,
            Text::OtelTracer,
            Text::OtelPropagator,
            Text::OtelMetrics,
            Text::OtelNotChecked,
        ]
        .map(|t| lang.s(t))
        .to_vec(),
        rows,
    }
}

/// `subject: item` lines for every check item that did not hold, and every subject whose
/// checks could not run.
pub(crate) fn findings(report: &RunReport) -> Vec<(&str, String)> {
    let mut out = Vec::new();
    for s in &report.subjects {
        let Some(o) = &s.observability else { continue };
        if let Some(error) = &o.error {
            out.push((
                s.name.as_str(),
                error.lines().next().unwrap_or_default().to_string(),
            ));
        }
        out.extend(o.failed_items.iter().map(|i| (s.name.as_str(), i.clone())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_ratios_are_shown_in_the_report_language() {
        assert_eq!(verdict(Some("pass"), Lang::En), "pass");
        assert_eq!(verdict(Some("fail"), Lang::Zh), "失败");
        assert_eq!(verdict(None, Lang::En), "not measured");
        let r = Ratio {
            value: 0.346,
            ci_low: 0.28,
            ci_high: 0.383,
            n: 3,
        };
        assert_eq!(ratio(Some(&r)), "×0.35 (0.28–0.38)");
        assert_eq!(ratio(Some(&Ratio { n: 1, ..r })), "×0.35");
        assert_eq!(ratio(None), DASH);
    }
}
