//! What the receiver stored: spans, histogram points and the requests the capture
//! endpoint saw, flattened to what the checks look at, with waits bounded in time.

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A span as received, ids in lowercase hex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedSpan {
    /// `service.name` of the resource that exported it.
    pub service: String,
    /// Trace id, 32 hex digits.
    pub trace_id: String,
    /// Span id, 16 hex digits.
    pub span_id: String,
    /// Parent span id, 16 hex digits, or empty for a root span.
    pub parent_span_id: String,
    /// The span's name.
    pub name: String,
    /// `SERVER`, `CLIENT`, `INTERNAL`, `PRODUCER`, `CONSUMER` or `UNSPECIFIED`.
    pub kind: String,
    /// Attributes, values rendered as text.
    pub attributes: BTreeMap<String, String>,
    /// Which transport delivered it: `http/protobuf`, `http/json` or `grpc`.
    pub protocol: String,
}

/// The kind of a received metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Explicit-bucket histogram.
    Histogram,
    /// Exponential histogram.
    ExponentialHistogram,
    /// Sum (counter or up-down counter).
    Sum,
    /// Gauge.
    Gauge,
    /// Summary (legacy).
    Summary,
    /// A metric without data.
    Empty,
}

/// One data point of a metric as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedPoint {
    /// `service.name` of the resource that exported it.
    pub service: String,
    /// The metric's name.
    pub metric: String,
    /// Its unit as exported (UCUM, e.g. `s`).
    pub unit: String,
    /// Its kind.
    pub kind: MetricKind,
    /// `CUMULATIVE` or `DELTA` (histograms and sums), else empty.
    pub temporality: String,
    /// The point's attributes, values rendered as text.
    pub attributes: BTreeMap<String, String>,
    /// Histograms: the number of recorded values; other kinds: 0.
    pub count: u64,
    /// The start of the point's aggregation window (ns since the epoch): a cumulative
    /// series of one process keeps it, a restarted process starts a new one.
    pub start_time_unix_nano: u64,
    /// The point's end time (ns since the epoch).
    pub time_unix_nano: u64,
    /// Which transport delivered it.
    pub protocol: String,
}

/// A request the capture endpoint received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapturedRequest {
    /// The path after `/capture/`.
    pub tag: String,
    /// Header names in lowercase, values as sent (repeated headers joined with `,`).
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct Contents {
    spans: Vec<ReceivedSpan>,
    points: Vec<ReceivedPoint>,
    captured: Vec<CapturedRequest>,
    exports: u64,
    /// Spans accepted, kept or not.
    spans_seen: u64,
    /// When set, exports are decoded and answered but their contents are not kept (under
    /// load, where only the exporter's cost matters and keeping would grow without bound).
    discarding: bool,
}

/// Shared store of everything the receiver accepted. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct Sink {
    inner: Arc<(Mutex<Contents>, Condvar)>,
}

impl Sink {
    fn lock(&self) -> MutexGuard<'_, Contents> {
        // A panic while holding the lock cannot leave the vectors half-written.
        self.inner.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn changed(&self) {
        self.inner.1.notify_all();
    }

    /// Stores the spans of an accepted trace export.
    pub fn add_traces(&self, request: &ExportTraceServiceRequest, protocol: &str) {
        let mut spans = Vec::new();
        for resource_spans in &request.resource_spans {
            let service = service_name(resource_spans.resource.as_ref().map(|r| &r.attributes));
            for scope in &resource_spans.scope_spans {
                for span in &scope.spans {
                    spans.push(ReceivedSpan {
                        service: service.clone(),
                        trace_id: hex(&span.trace_id),
                        span_id: hex(&span.span_id),
                        parent_span_id: hex(&span.parent_span_id),
                        name: span.name.clone(),
                        kind: span_kind(span.kind).to_string(),
                        attributes: attributes(&span.attributes),
                        protocol: protocol.to_string(),
                    });
                }
            }
        }
        let mut contents = self.lock();
        contents.spans_seen += spans.len() as u64;
        if !contents.discarding {
            contents.spans.extend(spans);
        }
        contents.exports += 1;
        drop(contents);
        self.changed();
    }

    /// Stores the data points of an accepted metrics export.
    pub fn add_metrics(&self, request: &ExportMetricsServiceRequest, protocol: &str) {
        let mut points = Vec::new();
        for resource_metrics in &request.resource_metrics {
            let service = service_name(resource_metrics.resource.as_ref().map(|r| &r.attributes));
            for scope in &resource_metrics.scope_metrics {
                for metric in &scope.metrics {
                    let point =
                        |kind,
                         temporality: i32,
                         attrs: &[KeyValue],
                         count,
                         (start, time): (u64, u64)| ReceivedPoint {
                            service: service.clone(),
                            metric: metric.name.clone(),
                            unit: metric.unit.clone(),
                            kind,
                            temporality: temporality_name(temporality).to_string(),
                            attributes: attributes(attrs),
                            count,
                            start_time_unix_nano: start,
                            time_unix_nano: time,
                            protocol: protocol.to_string(),
                        };
                    match &metric.data {
                        Some(Data::Histogram(h)) => points.extend(h.data_points.iter().map(|p| {
                            point(
                                MetricKind::Histogram,
                                h.aggregation_temporality,
                                &p.attributes,
                                p.count,
                                (p.start_time_unix_nano, p.time_unix_nano),
                            )
                        })),
                        Some(Data::ExponentialHistogram(h)) => {
                            points.extend(h.data_points.iter().map(|p| {
                                point(
                                    MetricKind::ExponentialHistogram,
                                    h.aggregation_temporality,
                                    &p.attributes,
                                    p.count,
                                    (p.start_time_unix_nano, p.time_unix_nano),
                                )
                            }))
                        }
                        Some(Data::Sum(s)) => points.extend(s.data_points.iter().map(|p| {
                            point(
                                MetricKind::Sum,
                                s.aggregation_temporality,
                                &p.attributes,
                                0,
                                (p.start_time_unix_nano, p.time_unix_nano),
                            )
                        })),
                        Some(Data::Gauge(g)) => points.extend(g.data_points.iter().map(|p| {
                            point(
                                MetricKind::Gauge,
                                0,
                                &p.attributes,
                                0,
                                (p.start_time_unix_nano, p.time_unix_nano),
                            )
                        })),
                        Some(Data::Summary(s)) => points.extend(s.data_points.iter().map(|p| {
                            point(
                                MetricKind::Summary,
                                0,
                                &p.attributes,
                                p.count,
                                (p.start_time_unix_nano, p.time_unix_nano),
                            )
                        })),
                        None => points.push(point(MetricKind::Empty, 0, &[], 0, (0, 0))),
                    }
                }
            }
        }
        let mut contents = self.lock();
        if !contents.discarding {
            contents.points.extend(points);
        }
        contents.exports += 1;
        drop(contents);
        self.changed();
    }

    /// Records a request to the capture endpoint.
    pub fn add_captured(&self, request: CapturedRequest) {
        self.lock().captured.push(request);
        self.changed();
    }

    /// Spans accepted so far, including those not kept.
    pub fn spans_seen(&self) -> u64 {
        self.lock().spans_seen
    }

    /// Whether accepted exports are counted only, not kept.
    pub fn set_discarding(&self, discarding: bool) {
        self.lock().discarding = discarding;
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.lock().spans.clone()
    }

    /// Every metric point received so far.
    pub fn points(&self) -> Vec<ReceivedPoint> {
        self.lock().points.clone()
    }

    /// Every captured request so far.
    pub fn captured(&self) -> Vec<CapturedRequest> {
        self.lock().captured.clone()
    }

    /// Number of accepted export requests (traces and metrics).
    pub fn exports(&self) -> u64 {
        self.lock().exports
    }

    /// Waits until `done` holds for the spans, points and captured requests, or until
    /// `timeout` passes; returns whether it held.
    pub fn wait_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&[ReceivedSpan], &[ReceivedPoint], &[CapturedRequest]) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        let mut contents = self.lock();
        loop {
            if done(&contents.spans, &contents.points, &contents.captured) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            contents = self
                .inner
                .1
                .wait_timeout(contents, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// Lowercase hexadecimal of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn span_kind(kind: i32) -> &'static str {
    match kind {
        1 => "INTERNAL",
        2 => "SERVER",
        3 => "CLIENT",
        4 => "PRODUCER",
        5 => "CONSUMER",
        _ => "UNSPECIFIED",
    }
}

fn temporality_name(value: i32) -> &'static str {
    match value {
        1 => "DELTA",
        2 => "CUMULATIVE",
        _ => "",
    }
}

fn service_name(attrs: Option<&Vec<KeyValue>>) -> String {
    attrs
        .and_then(|attrs| attrs.iter().find(|kv| kv.key == "service.name"))
        .map(|kv| value_text(kv.value.as_ref()))
        .unwrap_or_default()
}

fn attributes(attrs: &[KeyValue]) -> BTreeMap<String, String> {
    attrs
        .iter()
        .map(|kv| (kv.key.clone(), value_text(kv.value.as_ref())))
        .collect()
}

/// An attribute value as text: strings as they are, numbers and booleans in decimal,
/// arrays and maps as JSON-like lists.
fn value_text(value: Option<&AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        None => String::new(),
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(any_value::Value::BytesValue(b)) => hex(b),
        Some(any_value::Value::StringValueStrindex(i)) => format!("#{i}"),
        Some(any_value::Value::ArrayValue(a)) => format!(
            "[{}]",
            a.values
                .iter()
                .map(|v| value_text(Some(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Some(any_value::Value::KvlistValue(kv)) => format!(
            "{{{}}}",
            kv.values
                .iter()
                .map(|kv| format!("{}={}", kv.key, value_text(kv.value.as_ref())))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

    #[test]
    fn spans_are_flattened_with_hex_ids_and_text_attributes() {
        let sink = Sink::default();
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(opentelemetry_proto::tonic::resource::v1::Resource {
                    attributes: vec![KeyValue {
                        key: "service.name".into(),
                        value: Some(AnyValue {
                            value: Some(any_value::Value::StringValue("gin".into())),
                        }),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
                scope_spans: vec![ScopeSpans {
                    spans: vec![Span {
                        trace_id: vec![0xab; 16],
                        span_id: vec![1; 8],
                        kind: 2,
                        name: "GET /x".into(),
                        attributes: vec![KeyValue {
                            key: "http.response.status_code".into(),
                            value: Some(AnyValue {
                                value: Some(any_value::Value::IntValue(200)),
                            }),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            }],
        };
        sink.add_traces(&request, "grpc");
        let spans = sink.spans();
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].service, "gin");
        assert_eq!(spans[0].trace_id, "ab".repeat(16));
        assert_eq!(spans[0].span_id, "0101010101010101");
        assert_eq!(spans[0].parent_span_id, "");
        assert_eq!(spans[0].kind, "SERVER");
        assert_eq!(spans[0].attributes["http.response.status_code"], "200");
        assert_eq!(sink.exports(), 1);
        sink.set_discarding(true);
        sink.add_traces(&request, "grpc");
        assert_eq!(
            (sink.spans().len(), sink.exports()),
            (1, 2),
            "counted, not kept"
        );
    }

    #[test]
    fn wait_until_returns_false_after_the_timeout_and_true_once_data_arrives() {
        let sink = Sink::default();
        let started = Instant::now();
        assert!(!sink.wait_until(Duration::from_millis(100), |s, _, _| !s.is_empty()));
        assert!(started.elapsed() >= Duration::from_millis(100));
        let writer = sink.clone();
        let handle = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            writer.add_captured(CapturedRequest {
                tag: "t".into(),
                headers: BTreeMap::new(),
            });
        });
        assert!(sink.wait_until(Duration::from_secs(5), |_, _, c| c.len() == 1));
        handle.join().unwrap();
    }
}
