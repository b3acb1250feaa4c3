//! The Prometheus text exposition format (version 0.0.4), parsed.
//!
//! <https://prometheus.io/docs/instrumenting/exposition_formats/>: one sample or comment
//! per line; `# HELP name text` and `# TYPE name type` lines; samples
//! `name{label="value",...} value [timestamp]` where label values escape `\\`, `\"` and
//! `\n`, values are Go floats (including `NaN`, `+Inf`, `-Inf`) and the timestamp is
//! an integer in milliseconds. Histogram (`_bucket{le=...}`, `_sum`, `_count`) and summary
//! (`{quantile=...}`, `_sum`, `_count`) samples are grouped under their family.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// The longest excerpt of a bad line an error repeats.
const MAX_EXCERPT: usize = 200;

/// A line of an exposition that could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {kind}: {content:?}")]
pub struct MetricsError {
    /// 1-based line number.
    pub line: usize,
    /// The line (cut at 200 characters).
    pub content: String,
    /// What is wrong with it.
    pub kind: MetricsErrorKind,
}

/// What is wrong with a line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsErrorKind {
    /// A metric name does not match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    #[error("invalid metric name (expected [a-zA-Z_:][a-zA-Z0-9_:]*)")]
    MetricName,
    /// A label name does not match `[a-zA-Z_][a-zA-Z0-9_]*`.
    #[error("invalid label name (expected [a-zA-Z_][a-zA-Z0-9_]*)")]
    LabelName,
    /// The label set is not `{name="value",...}`.
    #[error("malformed label set: {0}")]
    Labels(&'static str),
    /// A backslash sequence other than `\\`, `\"` (label values only) and `\n`.
    #[error("unknown escape sequence \\{0}")]
    Escape(char),
    /// The same label twice in one sample.
    #[error("label {0} appears twice")]
    DuplicateLabel(String),
    /// The value is not a float.
    #[error("invalid value {0:?} (expected a float, NaN, +Inf or -Inf)")]
    Value(String),
    /// The timestamp is not an integer.
    #[error("invalid timestamp {0:?} (expected integer milliseconds)")]
    Timestamp(String),
    /// Something follows the timestamp.
    #[error("unexpected text after the timestamp")]
    TrailingText,
    /// A sample line without a value.
    #[error("sample has no value")]
    MissingValue,
    /// `# TYPE` with a type other than counter, gauge, histogram, summary, untyped.
    #[error("unknown metric type {0:?} (expected counter, gauge, histogram, summary or untyped)")]
    UnknownType(String),
    /// `# HELP` or `# TYPE` without its metric name or type.
    #[error("incomplete {0} line")]
    IncompleteComment(&'static str),
    /// A second `# TYPE` or `# HELP` for one metric.
    #[error("second {0} line for this metric")]
    DuplicateComment(&'static str),
    /// `# TYPE` after samples of that metric.
    #[error("TYPE line after samples of this metric")]
    LateType,
    /// The same series (name and label set) twice.
    #[error("duplicate series")]
    DuplicateSeries,
    /// A histogram or summary sample without its required label, or with a bad one.
    #[error("{family} sample needs a numeric {label} label")]
    MissingSpecialLabel {
        /// histogram or summary.
        family: &'static str,
        /// le or quantile.
        label: &'static str,
    },
    /// A sample in a histogram family without the `_bucket`, `_sum` or `_count` suffix.
    #[error("histogram sample without a _bucket, _sum or _count suffix")]
    HistogramSuffix,
}

/// A metric type, from `# TYPE` (`Untyped` when there is none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// A value that only goes up (reset at restart).
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Cumulative buckets (`_bucket{le}`), `_sum` and `_count`.
    Histogram,
    /// Quantiles (`{quantile}`), `_sum` and `_count`.
    Summary,
    /// No type declared.
    Untyped,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The sample's name (with any `_bucket`/`_sum`/`_count` suffix).
    pub name: String,
    /// Labels, in the order written.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
    /// Milliseconds since the epoch, when given.
    pub timestamp_ms: Option<i64>,
}

impl Sample {
    /// The value of a label.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the sample's labels, leaving out `except`, are exactly `labels` (in any
    /// order).
    fn labels_are(&self, labels: &[(&str, &str)], except: Option<&str>) -> bool {
        let mut own = self
            .labels
            .iter()
            .filter(|(n, _)| Some(n.as_str()) != except);
        own.clone().count() == labels.len()
            && own.all(|(n, v)| labels.iter().any(|(ln, lv)| ln == n && lv == v))
    }
}

/// A metric family: its name, help, type and samples.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFamily {
    /// The family name (without histogram or summary suffixes).
    pub name: String,
    /// The `# HELP` text, unescaped.
    pub help: Option<String>,
    /// The `# TYPE`, or `Untyped`.
    pub kind: MetricKind,
    /// The samples, in the order written.
    pub samples: Vec<Sample>,
}

/// A quantile of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantile {
    /// The quantile (0 to 1).
    pub quantile: f64,
    /// Its value.
    pub value: f64,
}

/// One summary series: quantiles (ascending), `_sum` and `_count`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryValue {
    /// Quantiles, ascending.
    pub quantiles: Vec<Quantile>,
    /// `_sum`, when exposed.
    pub sum: Option<f64>,
    /// `_count`, when exposed.
    pub count: Option<f64>,
}

/// A cumulative histogram bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// The inclusive upper bound (finite).
    pub le: f64,
    /// Observations at or below `le`.
    pub count: f64,
}

/// One histogram series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramValue {
    /// The finite buckets, ascending by `le`. The `+Inf` bucket is `count` (kept apart
    /// because JSON has no infinity).
    pub buckets: Vec<Bucket>,
    /// All observations: the `+Inf` bucket, or `_count` when that is missing.
    pub count: f64,
    /// `_sum`, when exposed.
    pub sum: Option<f64>,
}

/// A parsed exposition.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricsText {
    families: Vec<MetricFamily>,
}

impl MetricsText {
    /// Parses a whole exposition; the first bad line is the error.
    pub fn parse(text: &str) -> Result<Self, MetricsError> {
        let mut parser = Parser::default();
        for (index, raw) in text.split('\n').enumerate() {
            // Tolerate CRLF line ends; a CR anywhere else is an error in its token.
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            parser.line(line).map_err(|kind| MetricsError {
                line: index + 1,
                content: excerpt(line),
                kind,
            })?;
        }
        Ok(MetricsText {
            families: parser.families,
        })
    }

    /// The families, in the order they first appeared.
    pub fn families(&self) -> &[MetricFamily] {
        &self.families
    }

    /// The family named `name`.
    pub fn family(&self, name: &str) -> Option<&MetricFamily> {
        self.families.iter().find(|f| f.name == name)
    }

    /// Every sample called `name` (suffix included, e.g. `foo_bucket`).
    pub fn samples<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Sample> + 'a {
        self.families
            .iter()
            .flat_map(|f| f.samples.iter())
            .filter(move |s| s.name == name)
    }

    /// The value of the series `name` whose label set is exactly `labels`.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples(name)
            .find(|s| s.labels_are(labels, None))
            .map(|s| s.value)
    }

    /// The sum over every series called `name`; `None` when there is none.
    pub fn sum(&self, name: &str) -> Option<f64> {
        self.samples(name)
            .map(|s| s.value)
            .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
    }

    /// The summary `name` without labels other than `quantile`.
    pub fn summary_quantiles(&self, name: &str) -> Option<SummaryValue> {
        self.summary_with(name, &[])
    }

    /// The summary series `name` whose labels, apart from `quantile`, are exactly
    /// `labels`; `None` when it has no quantile, `_sum` or `_count` sample.
    pub fn summary_with(&self, name: &str, labels: &[(&str, &str)]) -> Option<SummaryValue> {
        let mut quantiles: Vec<Quantile> = self
            .samples(name)
            .filter(|s| s.labels_are(labels, Some("quantile")))
            .filter_map(|s| {
                let quantile = s.label("quantile")?.parse().ok()?;
                Some(Quantile {
                    quantile,
                    value: s.value,
                })
            })
            .collect();
        quantiles.sort_by(|a, b| a.quantile.total_cmp(&b.quantile));
        let sum = self.value(&format!("{name}_sum"), labels);
        let count = self.value(&format!("{name}_count"), labels);
        if quantiles.is_empty() && sum.is_none() && count.is_none() {
            return None;
        }
        Some(SummaryValue {
            quantiles,
            sum,
            count,
        })
    }

    /// The histogram `name` without labels other than `le`.
    pub fn histogram(&self, name: &str) -> Option<HistogramValue> {
        self.histogram_with(name, &[])
    }

    /// The histogram series `name` whose labels, apart from `le`, are exactly `labels`;
    /// `None` without buckets.
    pub fn histogram_with(&self, name: &str, labels: &[(&str, &str)]) -> Option<HistogramValue> {
        let mut buckets: Vec<(f64, f64)> = self
            .samples(&format!("{name}_bucket"))
            .filter(|s| s.labels_are(labels, Some("le")))
            .filter_map(|s| Some((parse_float(s.label("le")?)?, s.value)))
            .collect();
        if buckets.is_empty() {
            return None;
        }
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        let count_sample = self.value(&format!("{name}_count"), labels);
        let inf = buckets
            .iter()
            .find(|(le, _)| *le == f64::INFINITY)
            .map(|(_, c)| *c);
        let count = inf.or(count_sample).unwrap_or_else(|| {
            // Neither +Inf nor _count: the largest bucket is the best lower bound.
            buckets.iter().map(|(_, c)| *c).fold(0.0, f64::max)
        });
        Some(HistogramValue {
            buckets: buckets
                .into_iter()
                .filter(|(le, _)| le.is_finite())
                .map(|(le, count)| Bucket { le, count })
                .collect(),
            count,
            sum: self.value(&format!("{name}_sum"), labels),
        })
    }
}

fn excerpt(line: &str) -> String {
    match line.char_indices().nth(MAX_EXCERPT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

/// Go's `strconv.ParseFloat` spellings that matter here: decimal and exponent forms,
/// `NaN`, `Inf`, `+Inf`, `-Inf` (any case). Rust's parser accepts the same set.
fn parse_float(text: &str) -> Option<f64> {
    text.parse().ok()
}

#[derive(Debug, Default)]
struct FamilyState {
    typed: bool,
    helped: bool,
}

#[derive(Debug, Default)]
struct Parser {
    families: Vec<MetricFamily>,
    state: Vec<FamilyState>,
    by_name: HashMap<String, usize>,
    series: HashSet<String>,
}

impl Parser {
    fn line(&mut self, line: &str) -> Result<(), MetricsErrorKind> {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() {
            return Ok(());
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            return self.comment(comment);
        }
        let sample = parse_sample(trimmed)?;
        self.add_sample(sample)
    }

    fn comment(&mut self, comment: &str) -> Result<(), MetricsErrorKind> {
        let comment = comment.trim_start_matches([' ', '\t']);
        let (keyword, rest) = split_token(comment);
        match keyword {
            "HELP" => {
                let (name, text) = split_token(rest);
                if name.is_empty() {
                    return Err(MetricsErrorKind::IncompleteComment("HELP"));
                }
                check_metric_name(name)?;
                let help = unescape(text, false)?;
                let index = self.family_index(name);
                if self.state[index].helped {
                    return Err(MetricsErrorKind::DuplicateComment("HELP"));
                }
                self.state[index].helped = true;
                self.families[index].help = Some(help);
                Ok(())
            }
            "TYPE" => {
                let (name, rest) = split_token(rest);
                let (kind, trailing) = split_token(rest);
                if name.is_empty() || kind.is_empty() {
                    return Err(MetricsErrorKind::IncompleteComment("TYPE"));
                }
                check_metric_name(name)?;
                if !trailing.is_empty() {
                    return Err(MetricsErrorKind::TrailingText);
                }
                let kind = match kind {
                    "counter" => MetricKind::Counter,
                    "gauge" => MetricKind::Gauge,
                    "histogram" => MetricKind::Histogram,
                    "summary" => MetricKind::Summary,
                    "untyped" => MetricKind::Untyped,
                    other => return Err(MetricsErrorKind::UnknownType(other.to_string())),
                };
                let index = self.family_index(name);
                if self.state[index].typed {
                    return Err(MetricsErrorKind::DuplicateComment("TYPE"));
                }
                if !self.families[index].samples.is_empty() {
                    return Err(MetricsErrorKind::LateType);
                }
                self.state[index].typed = true;
                self.families[index].kind = kind;
                Ok(())
            }
            // Any other comment is free text.
            _ => Ok(()),
        }
    }

    fn family_index(&mut self, name: &str) -> usize {
        if let Some(&index) = self.by_name.get(name) {
            return index;
        }
        self.families.push(MetricFamily {
            name: name.to_string(),
            help: None,
            kind: MetricKind::Untyped,
            samples: Vec::new(),
        });
        self.state.push(FamilyState::default());
        self.by_name
            .insert(name.to_string(), self.families.len() - 1);
        self.families.len() - 1
    }

    /// The family a sample belongs to: its own name's if that was declared, else a
    /// histogram or summary whose suffixed name it is, else its own (untyped) one.
    fn family_of(&mut self, name: &str) -> usize {
        if let Some(&index) = self.by_name.get(name) {
            if self.state[index].typed || !self.families[index].samples.is_empty() {
                return index;
            }
        }
        for (suffix, kinds) in [
            ("_bucket", &[MetricKind::Histogram][..]),
            ("_sum", &[MetricKind::Histogram, MetricKind::Summary][..]),
            ("_count", &[MetricKind::Histogram, MetricKind::Summary][..]),
        ] {
            if let Some(base) = name.strip_suffix(suffix) {
                if let Some(&index) = self.by_name.get(base) {
                    if kinds.contains(&self.families[index].kind) {
                        return index;
                    }
                }
            }
        }
        self.family_index(name)
    }

    fn add_sample(&mut self, sample: Sample) -> Result<(), MetricsErrorKind> {
        let index = self.family_of(&sample.name);
        let family = &self.families[index];
        let base = sample.name == family.name;
        match family.kind {
            MetricKind::Histogram => {
                if sample.name == format!("{}_bucket", family.name) {
                    if sample.label("le").and_then(parse_float).is_none() {
                        return Err(MetricsErrorKind::MissingSpecialLabel {
                            family: "histogram",
                            label: "le",
                        });
                    }
                } else if base {
                    return Err(MetricsErrorKind::HistogramSuffix);
                }
            }
            MetricKind::Summary
                if base && sample.label("quantile").and_then(parse_float).is_none() =>
            {
                return Err(MetricsErrorKind::MissingSpecialLabel {
                    family: "summary",
                    label: "quantile",
                });
            }
            _ => {}
        }
        if !self.series.insert(series_key(&sample)) {
            return Err(MetricsErrorKind::DuplicateSeries);
        }
        self.families[index].samples.push(sample);
        Ok(())
    }
}

/// The identity of a series: name plus sorted labels, in a form no two different
/// series share (label values are escaped the way they were written).
fn series_key(sample: &Sample) -> String {
    let mut labels: Vec<&(String, String)> = sample.labels.iter().collect();
    labels.sort();
    let mut key = sample.name.clone();
    for (n, v) in labels {
        key.push('\u{0}');
        key.push_str(n);
        key.push('=');
        key.push_str(&v.replace('\\', "\\\\").replace('\u{0}', "\\0"));
    }
    key
}

/// Splits off the first blank-separated token; the rest starts at the next non-blank.
fn split_token(text: &str) -> (&str, &str) {
    let end = text.find([' ', '\t']).unwrap_or(text.len());
    let (token, rest) = text.split_at(end);
    (token, rest.trim_start_matches([' ', '\t']))
}

fn is_name_start(c: u8, colon: bool) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || (colon && c == b':')
}

fn is_name_char(c: u8, colon: bool) -> bool {
    is_name_start(c, colon) || c.is_ascii_digit()
}

fn check_metric_name(name: &str) -> Result<(), MetricsErrorKind> {
    let bytes = name.as_bytes();
    if bytes.first().is_some_and(|&c| is_name_start(c, true))
        && bytes.iter().all(|&c| is_name_char(c, true))
    {
        Ok(())
    } else {
        Err(MetricsErrorKind::MetricName)
    }
}

/// Undoes the escapes of a label value (`quoted`: `\\`, `\"`, `\n`) or a HELP text
/// (`\\`, `\n`).
fn unescape(text: &str, quoted: bool) -> Result<String, MetricsErrorKind> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('"') if quoted => out.push('"'),
            Some(other) => return Err(MetricsErrorKind::Escape(other)),
            // A HELP text may end in a lone backslash; keep it as written.
            None if !quoted => out.push('\\'),
            None => return Err(MetricsErrorKind::Labels("unterminated label value")),
        }
    }
    Ok(out)
}

/// Parses `name{labels} value [timestamp]` (leading blanks already removed).
fn parse_sample(line: &str) -> Result<Sample, MetricsErrorKind> {
    let bytes = line.as_bytes();
    let name_end = bytes
        .iter()
        .position(|&c| !is_name_char(c, true))
        .unwrap_or(bytes.len());
    let name = &line[..name_end];
    check_metric_name(name)?;
    let mut pos = skip_blanks(bytes, name_end);
    let mut labels: Vec<(String, String)> = Vec::new();
    if bytes.get(pos) == Some(&b'{') {
        pos = parse_labels(line, pos + 1, &mut labels)?;
        pos = skip_blanks(bytes, pos);
    } else if pos == name_end && pos < bytes.len() {
        // Something glued to the name that is neither a blank nor a label set.
        return Err(MetricsErrorKind::MetricName);
    }
    let rest = &line[pos..];
    let (value, rest) = split_token(rest);
    if value.is_empty() {
        return Err(MetricsErrorKind::MissingValue);
    }
    let value = parse_float(value).ok_or_else(|| MetricsErrorKind::Value(value.to_string()))?;
    let (timestamp, rest) = split_token(rest);
    let timestamp_ms = if timestamp.is_empty() {
        None
    } else {
        Some(
            timestamp
                .parse::<i64>()
                .map_err(|_| MetricsErrorKind::Timestamp(timestamp.to_string()))?,
        )
    };
    if !rest.is_empty() {
        return Err(MetricsErrorKind::TrailingText);
    }
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
        timestamp_ms,
    })
}

fn skip_blanks(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    pos
}

/// Parses labels from just after `{` to just after `}`; returns that position.
fn parse_labels(
    line: &str,
    mut pos: usize,
    labels: &mut Vec<(String, String)>,
) -> Result<usize, MetricsErrorKind> {
    let bytes = line.as_bytes();
    loop {
        pos = skip_blanks(bytes, pos);
        match bytes.get(pos) {
            Some(b'}') => return Ok(pos + 1),
            None => return Err(MetricsErrorKind::Labels("missing closing }")),
            _ => {}
        }
        let start = pos;
        if !bytes.get(pos).is_some_and(|&c| is_name_start(c, false)) {
            return Err(MetricsErrorKind::LabelName);
        }
        while bytes.get(pos).is_some_and(|&c| is_name_char(c, false)) {
            pos += 1;
        }
        let label = &line[start..pos];
        pos = skip_blanks(bytes, pos);
        if bytes.get(pos) != Some(&b'=') {
            return Err(MetricsErrorKind::Labels("expected = after the label name"));
        }
        pos = skip_blanks(bytes, pos + 1);
        if bytes.get(pos) != Some(&b'"') {
            return Err(MetricsErrorKind::Labels(
                "label value must be in double quotes",
            ));
        }
        pos += 1;
        let value_start = pos;
        // Find the closing quote: a quote not preceded by an odd run of backslashes.
        loop {
            match bytes.get(pos) {
                None => return Err(MetricsErrorKind::Labels("unterminated label value")),
                Some(b'\\') => pos += 2,
                Some(b'"') => break,
                Some(_) => pos += 1,
            }
        }
        let value = unescape(&line[value_start..pos], true)?;
        if labels.iter().any(|(n, _)| n == label) {
            return Err(MetricsErrorKind::DuplicateLabel(label.to_string()));
        }
        labels.push((label.to_string(), value));
        pos = skip_blanks(bytes, pos + 1);
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b'}') => return Ok(pos + 1),
            _ => return Err(MetricsErrorKind::Labels("expected , or } after a label")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 1.5e-05
go_gc_duration_seconds{quantile="0.25"} 2e-05
go_gc_duration_seconds{quantile="1"} 0.0003
go_gc_duration_seconds{quantile="0.5"} 3e-05
go_gc_duration_seconds_sum 0.0012
go_gc_duration_seconds_count 21
# HELP http_requests_total Requests.\nSecond line with a \\ backslash.
# TYPE http_requests_total counter
http_requests_total{code="200",path="/json"} 100
http_requests_total{code="404",path="/x\"y\\z\nw"} 5 1700000000000
# TYPE lat histogram
lat_bucket{le="0.1"} 3
lat_bucket{le="+Inf"} 10
lat_bucket{le="1"} 7
lat_sum 12.5
lat_count 10
untyped_thing   NaN
  spaced { a = "1" , b="2", } -Inf
# free comment
"#;

    #[test]
    fn parses_every_sample_kind() {
        let m = MetricsText::parse(SAMPLE).unwrap();
        assert_eq!(
            m.families()
                .iter()
                .map(|f| (f.name.as_str(), f.kind))
                .collect::<Vec<_>>(),
            [
                ("go_gc_duration_seconds", MetricKind::Summary),
                ("http_requests_total", MetricKind::Counter),
                ("lat", MetricKind::Histogram),
                ("untyped_thing", MetricKind::Untyped),
                ("spaced", MetricKind::Untyped),
            ]
        );
        assert_eq!(
            m.family("http_requests_total").unwrap().help.as_deref(),
            Some("Requests.\nSecond line with a \\ backslash.")
        );
        assert_eq!(m.sum("http_requests_total"), Some(105.0));
        assert_eq!(
            m.value(
                "http_requests_total",
                &[("path", "/x\"y\\z\nw"), ("code", "404")]
            ),
            Some(5.0)
        );
        // Labels must match exactly, not as a subset.
        assert_eq!(m.value("http_requests_total", &[("code", "404")]), None);
        assert_eq!(
            m.samples("http_requests_total")
                .nth(1)
                .unwrap()
                .timestamp_ms,
            Some(1_700_000_000_000)
        );
        assert!(m.value("untyped_thing", &[]).unwrap().is_nan());
        assert_eq!(
            m.value("spaced", &[("b", "2"), ("a", "1")]),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(m.sum("absent"), None);
    }

    #[test]
    fn summary_quantiles_are_sorted_with_sum_and_count() {
        let m = MetricsText::parse(SAMPLE).unwrap();
        let s = m.summary_quantiles("go_gc_duration_seconds").unwrap();
        assert_eq!(
            s.quantiles
                .iter()
                .map(|q| (q.quantile, q.value))
                .collect::<Vec<_>>(),
            [(0.0, 1.5e-5), (0.25, 2e-5), (0.5, 3e-5), (1.0, 3e-4)]
        );
        assert_eq!((s.sum, s.count), (Some(0.0012), Some(21.0)));
        assert_eq!(m.summary_quantiles("lat_nothing"), None);
    }

    #[test]
    fn histogram_buckets_are_sorted_and_inf_is_the_count() {
        let m = MetricsText::parse(SAMPLE).unwrap();
        let h = m.histogram("lat").unwrap();
        assert_eq!(
            h.buckets,
            [
                Bucket {
                    le: 0.1,
                    count: 3.0
                },
                Bucket {
                    le: 1.0,
                    count: 7.0
                }
            ]
        );
        assert_eq!((h.count, h.sum), (10.0, Some(12.5)));
        assert_eq!(m.histogram("go_gc_duration_seconds"), None);
    }

    #[test]
    fn labelled_histograms_and_summaries_are_told_apart() {
        let text = "# TYPE h histogram\n\
                    h_bucket{route=\"a\",le=\"1\"} 1\nh_bucket{route=\"a\",le=\"+Inf\"} 2\n\
                    h_bucket{route=\"b\",le=\"1\"} 5\nh_bucket{route=\"b\",le=\"+Inf\"} 9\n\
                    h_count{route=\"b\"} 9\n\
                    # TYPE s summary\ns{route=\"a\",quantile=\"0.5\"} 3\ns_count{route=\"a\"} 4\n";
        let m = MetricsText::parse(text).unwrap();
        let b = m.histogram_with("h", &[("route", "b")]).unwrap();
        assert_eq!((b.buckets[0].count, b.count), (5.0, 9.0));
        assert_eq!(m.histogram("h"), None);
        let s = m.summary_with("s", &[("route", "a")]).unwrap();
        assert_eq!((s.quantiles[0].value, s.count), (3.0, Some(4.0)));
    }

    fn error_of(text: &str) -> MetricsError {
        MetricsText::parse(text).unwrap_err()
    }

    #[test]
    fn errors_name_the_line_and_its_content() {
        let text = "# TYPE ok counter\nok 1\n\nbad{x=\"1\" 2\n";
        let err = error_of(text);
        assert_eq!(err.line, 4);
        assert_eq!(err.content, "bad{x=\"1\" 2");
        let msg = err.to_string();
        assert!(
            msg.starts_with("line 4: malformed label set") && msg.contains("bad{x"),
            "{msg}"
        );
    }

    #[test]
    fn each_malformation_has_its_own_error() {
        use MetricsErrorKind as K;
        let cases: &[(&str, MetricsErrorKind)] = &[
            ("9lives 1", K::MetricName),
            ("name-with-dash 1", K::MetricName),
            ("m{9=\"1\"} 1", K::LabelName),
            (
                "m{a=1} 1",
                K::Labels("label value must be in double quotes"),
            ),
            ("m{a=\"1\"", K::Labels("expected , or } after a label")),
            ("m{a=\"1} 1", K::Labels("unterminated label value")),
            ("m{a \"1\"} 1", K::Labels("expected = after the label name")),
            ("m{a=\"\\t\"} 1", K::Escape('t')),
            ("m{a=\"1\",a=\"2\"} 1", K::DuplicateLabel("a".into())),
            ("m", K::MissingValue),
            ("m{}", K::MissingValue),
            ("m one", K::Value("one".into())),
            ("m 1 12.5", K::Timestamp("12.5".into())),
            ("m 1 12 extra", K::TrailingText),
            ("# TYPE m gaugez", K::UnknownType("gaugez".into())),
            ("# TYPE m", K::IncompleteComment("TYPE")),
            ("# HELP", K::IncompleteComment("HELP")),
            (
                "# TYPE m gauge\n# TYPE m gauge",
                K::DuplicateComment("TYPE"),
            ),
            ("# HELP m a\n# HELP m b", K::DuplicateComment("HELP")),
            ("m 1\n# TYPE m gauge", K::LateType),
            ("m{a=\"1\"} 1\nm{a=\"1\"} 2", K::DuplicateSeries),
            (
                "# TYPE h histogram\nh_bucket 1",
                K::MissingSpecialLabel {
                    family: "histogram",
                    label: "le",
                },
            ),
            (
                "# TYPE h histogram\nh_bucket{le=\"x\"} 1",
                K::MissingSpecialLabel {
                    family: "histogram",
                    label: "le",
                },
            ),
            ("# TYPE h histogram\nh 1", K::HistogramSuffix),
            (
                "# TYPE s summary\ns 1",
                K::MissingSpecialLabel {
                    family: "summary",
                    label: "quantile",
                },
            ),
        ];
        for (text, kind) in cases {
            let err = error_of(text);
            assert_eq!(&err.kind, kind, "for {text:?}");
            assert_eq!(err.line, text.lines().count(), "for {text:?}");
        }
    }

    #[test]
    fn long_lines_are_cut_in_errors() {
        let line = format!("m {}", "x".repeat(10_000));
        let err = error_of(&line);
        assert!(err.content.chars().count() <= MAX_EXCERPT + 1);
        assert!(err.content.ends_with('…'));
    }

    #[test]
    fn crlf_and_blank_lines_are_accepted() {
        let m = MetricsText::parse("a 1\r\n\r\n   \r\nb 2 3\r\n").unwrap();
        assert_eq!(
            (m.value("a", &[]), m.value("b", &[])),
            (Some(1.0), Some(2.0))
        );
    }

    #[test]
    fn counter_named_like_a_suffix_stays_its_own_family() {
        let text = "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\n\
                    # TYPE x_count counter\nx_count 4\n";
        let m = MetricsText::parse(text).unwrap();
        assert_eq!(m.family("x_count").unwrap().kind, MetricKind::Counter);
        assert_eq!(m.value("x_count", &[]), Some(4.0));
    }
}
