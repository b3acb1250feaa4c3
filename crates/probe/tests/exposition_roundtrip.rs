#![allow(clippy::unwrap_used)]
//! Property: any exposition rendered from random metric families (every type, escaped
//! label values and help texts, NaN and infinities, timestamps) parses back to the same
//! families, types, help texts and values.

use podium_probe::{MetricKind, MetricsText};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Series {
    labels: Vec<(String, String)>,
    value: f64,
    timestamp_ms: Option<i64>,
}

#[derive(Debug, Clone)]
struct SummarySeries {
    labels: Vec<(String, String)>,
    quantiles: Vec<(f64, f64)>,
    sum: f64,
    count: f64,
}

#[derive(Debug, Clone)]
struct HistogramSeries {
    labels: Vec<(String, String)>,
    /// Finite upper bounds, ascending, with their cumulative counts.
    buckets: Vec<(f64, f64)>,
    count: f64,
    sum: f64,
}

#[derive(Debug, Clone)]
enum Body {
    Plain(MetricKind, Vec<Series>),
    Summary(Vec<SummarySeries>),
    Histogram(Vec<HistogramSeries>),
}

#[derive(Debug, Clone)]
struct Family {
    name: String,
    help: Option<String>,
    declare_type: bool,
    body: Body,
}

/// Any float, including the special values the format spells out.
fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        -1e6f64..1e6,
        any::<f64>(),
    ]
}

/// Finite, non-negative values (counts, sums, bucket bounds).
fn finite_value() -> impl Strategy<Value = f64> {
    prop_oneof![0.0f64..1e3, 0.0f64..1e12, Just(0.0)]
}

/// Label values and help texts: escapes, quotes, braces and non-ASCII text included.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('\\'),
            Just('"'),
            Just('\n'),
            Just('{'),
            Just('}'),
            Just(','),
            Just('='),
            Just(' '),
            Just('#'),
            Just('é'),
            Just('→'),
            proptest::char::range('a', 'z'),
        ],
        0..12,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn label_names() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set("[a-zA-Z_][a-zA-Z0-9_]{0,6}", 0..3).prop_map(|names| {
        names
            .into_iter()
            // Reserved for the index label and for histograms and summaries.
            .filter(|n| !matches!(n.as_str(), "series" | "le" | "quantile"))
            .collect()
    })
}

/// Label sets for `n` series: a distinct `series` label plus the family's other labels
/// with random values, in a random order.
fn label_sets(n: usize) -> impl Strategy<Value = Vec<Vec<(String, String)>>> {
    label_names().prop_flat_map(move |names| {
        proptest::collection::vec(
            (
                proptest::collection::vec(text(), names.len()),
                any::<bool>(),
            ),
            n,
        )
        .prop_map(move |sets| {
            sets.into_iter()
                .enumerate()
                .map(|(i, (values, index_first))| {
                    let mut labels: Vec<(String, String)> =
                        names.iter().cloned().zip(values).collect();
                    let index = ("series".to_string(), i.to_string());
                    if index_first {
                        labels.insert(0, index);
                    } else {
                        labels.push(index);
                    }
                    labels
                })
                .collect()
        })
    })
}

fn plain_body() -> impl Strategy<Value = Body> {
    (
        prop_oneof![
            Just(MetricKind::Counter),
            Just(MetricKind::Gauge),
            Just(MetricKind::Untyped)
        ],
        1usize..4,
    )
        .prop_flat_map(|(kind, n)| {
            (
                label_sets(n),
                proptest::collection::vec((any_value(), proptest::option::of(any::<i64>())), n),
            )
                .prop_map(move |(labels, values)| {
                    Body::Plain(
                        kind,
                        labels
                            .into_iter()
                            .zip(values)
                            .map(|(labels, (value, timestamp_ms))| Series {
                                labels,
                                value,
                                timestamp_ms,
                            })
                            .collect(),
                    )
                })
        })
}

fn summary_body() -> impl Strategy<Value = Body> {
    (1usize..3).prop_flat_map(|n| {
        (
            label_sets(n),
            proptest::collection::vec(
                (
                    proptest::collection::btree_map(0u32..=1000, any_value(), 0..5),
                    finite_value(),
                    finite_value(),
                ),
                n,
            ),
        )
            .prop_map(|(labels, parts)| {
                Body::Summary(
                    labels
                        .into_iter()
                        .zip(parts)
                        .map(|(labels, (quantiles, sum, count))| SummarySeries {
                            labels,
                            quantiles: quantiles
                                .into_iter()
                                .map(|(q, v)| (f64::from(q) / 1000.0, v))
                                .collect(),
                            sum,
                            count,
                        })
                        .collect(),
                )
            })
    })
}

fn histogram_body() -> impl Strategy<Value = Body> {
    (1usize..3).prop_flat_map(|n| {
        (
            label_sets(n),
            proptest::collection::vec(
                (
                    proptest::collection::btree_map(1u32..1_000_000, 0u32..1000, 0..6),
                    0u32..1000,
                    finite_value(),
                ),
                n,
            ),
        )
            .prop_map(|(labels, parts)| {
                Body::Histogram(
                    labels
                        .into_iter()
                        .zip(parts)
                        .map(|(labels, (bounds, above, sum))| {
                            let mut cumulative = 0.0;
                            let buckets = bounds
                                .into_iter()
                                .map(|(le, count)| {
                                    cumulative += f64::from(count);
                                    (f64::from(le) / 1e4, cumulative)
                                })
                                .collect();
                            HistogramSeries {
                                labels,
                                buckets,
                                count: cumulative + f64::from(above),
                                sum,
                            }
                        })
                        .collect(),
                )
            })
    })
}

fn family(index: usize) -> impl Strategy<Value = Family> {
    (
        "[a-zA-Z_:][a-zA-Z0-9_:]{0,8}",
        // The blanks after the metric name separate it from the text, so a help text
        // cannot start with one.
        proptest::option::of(text().prop_map(|t| t.trim_start_matches(' ').to_string())),
        any::<bool>(),
        prop_oneof![plain_body(), summary_body(), histogram_body()],
    )
        .prop_map(move |(name, help, declare_type, body)| Family {
            // A distinct prefix keeps one family's suffixed names out of another's.
            name: format!("m{index}_{name}"),
            help,
            // Histograms and summaries need their TYPE line to be grouped.
            declare_type: declare_type || !matches!(body, Body::Plain(..)),
            body,
        })
}

fn families() -> impl Strategy<Value = Vec<Family>> {
    (0usize..5).prop_flat_map(|n| (0..n).map(family).collect::<Vec<_>>())
}

fn render_value(v: f64, plain: bool) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v == f64::INFINITY {
        "+Inf".to_string()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_string()
    } else if plain {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn render_labels(labels: &[(String, String)], extra: Option<(&str, String)>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(n, v)| format!("{n}=\"{}\"", escape_label(v)))
        .collect();
    if let Some((n, v)) = extra {
        parts.push(format!("{n}=\"{v}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

fn render(families: &[Family]) -> String {
    let mut out = String::new();
    for (i, f) in families.iter().enumerate() {
        let plain = i % 2 == 0;
        if let Some(help) = &f.help {
            let escaped = help.replace('\\', "\\\\").replace('\n', "\\n");
            out.push_str(&format!("# HELP {} {escaped}\n", f.name));
        }
        let kind = match &f.body {
            Body::Plain(kind, _) => *kind,
            Body::Summary(_) => MetricKind::Summary,
            Body::Histogram(_) => MetricKind::Histogram,
        };
        if f.declare_type {
            let word = match kind {
                MetricKind::Counter => "counter",
                MetricKind::Gauge => "gauge",
                MetricKind::Histogram => "histogram",
                MetricKind::Summary => "summary",
                MetricKind::Untyped => "untyped",
            };
            out.push_str(&format!("# TYPE {} {word}\n", f.name));
        }
        match &f.body {
            Body::Plain(_, series) => {
                for s in series {
                    out.push_str(&format!(
                        "{}{} {}",
                        f.name,
                        render_labels(&s.labels, None),
                        render_value(s.value, plain)
                    ));
                    if let Some(ts) = s.timestamp_ms {
                        out.push_str(&format!(" {ts}"));
                    }
                    out.push('\n');
                }
            }
            Body::Summary(series) => {
                for s in series {
                    for (q, v) in &s.quantiles {
                        out.push_str(&format!(
                            "{}{} {}\n",
                            f.name,
                            render_labels(&s.labels, Some(("quantile", render_value(*q, plain)))),
                            render_value(*v, plain)
                        ));
                    }
                    let labels = render_labels(&s.labels, None);
                    out.push_str(&format!(
                        "{}_sum{labels} {}\n",
                        f.name,
                        render_value(s.sum, plain)
                    ));
                    out.push_str(&format!(
                        "{}_count{labels} {}\n",
                        f.name,
                        render_value(s.count, plain)
                    ));
                }
            }
            Body::Histogram(series) => {
                for s in series {
                    let inf = std::iter::once((f64::INFINITY, s.count));
                    for (le, count) in s.buckets.iter().copied().chain(inf) {
                        out.push_str(&format!(
                            "{}_bucket{} {}\n",
                            f.name,
                            render_labels(&s.labels, Some(("le", render_value(le, plain)))),
                            render_value(count, plain)
                        ));
                    }
                    let labels = render_labels(&s.labels, None);
                    out.push_str(&format!(
                        "{}_sum{labels} {}\n",
                        f.name,
                        render_value(s.sum, plain)
                    ));
                    out.push_str(&format!(
                        "{}_count{labels} {}\n",
                        f.name,
                        render_value(s.count, plain)
                    ));
                }
            }
        }
    }
    out
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

fn borrowed(labels: &[(String, String)]) -> Vec<(&str, &str)> {
    labels
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

proptest! {
    #[test]
    fn rendered_families_parse_back_to_the_same_values(families in families()) {
        let text = render(&families);
        let parsed = MetricsText::parse(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- text ---\n{text}")))?;
        prop_assert_eq!(parsed.families().len(), families.len(), "{}", text);
        for f in &families {
            let got = parsed.family(&f.name).unwrap();
            prop_assert_eq!(&got.help, &f.help);
            match &f.body {
                Body::Plain(kind, series) => {
                    let expected_kind = if f.declare_type { *kind } else { MetricKind::Untyped };
                    prop_assert_eq!(got.kind, expected_kind);
                    for s in series {
                        let value = parsed.value(&f.name, &borrowed(&s.labels)).unwrap();
                        prop_assert!(same(value, s.value), "{} vs {}", value, s.value);
                        let sample = got
                            .samples
                            .iter()
                            .find(|x| x.labels == s.labels)
                            .unwrap();
                        prop_assert_eq!(sample.timestamp_ms, s.timestamp_ms);
                    }
                }
                Body::Summary(series) => {
                    prop_assert_eq!(got.kind, MetricKind::Summary);
                    for s in series {
                        let summary = parsed.summary_with(&f.name, &borrowed(&s.labels)).unwrap();
                        prop_assert_eq!(summary.quantiles.len(), s.quantiles.len());
                        for (q, (eq, ev)) in summary.quantiles.iter().zip(&s.quantiles) {
                            prop_assert!(q.quantile == *eq && same(q.value, *ev));
                        }
                        prop_assert_eq!((summary.sum, summary.count), (Some(s.sum), Some(s.count)));
                    }
                }
                Body::Histogram(series) => {
                    prop_assert_eq!(got.kind, MetricKind::Histogram);
                    for s in series {
                        let h = parsed.histogram_with(&f.name, &borrowed(&s.labels)).unwrap();
                        let buckets: Vec<(f64, f64)> =
                            h.buckets.iter().map(|b| (b.le, b.count)).collect();
                        prop_assert_eq!(&buckets, &s.buckets);
                        prop_assert_eq!((h.count, h.sum), (s.count, Some(s.sum)));
                    }
                }
            }
        }
    }
}
