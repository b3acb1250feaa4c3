//! The three checks: tracer, propagator and metric exporter. Each sends requests with
//! known trace context to the server and judges what arrives at the [`Receiver`], item by
//! item, with the evidence (what was expected, what arrived).

use crate::receiver::Receiver;
use crate::sink::{MetricKind, ReceivedPoint, ReceivedSpan, Sink};
use podium_stats::SplitMix64;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every item held.
    Pass,
    /// The essentials held, some details did not.
    Partial,
    /// An essential item did not hold.
    Fail,
}

impl Verdict {
    /// Points on the Observability axis: 1, 0.5 or 0.
    pub fn points(self) -> f64 {
        match self {
            Verdict::Pass => 1.0,
            Verdict::Partial => 0.5,
            Verdict::Fail => 0.0,
        }
    }

    /// `pass`, `partial` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Partial => "partial",
            Verdict::Fail => "fail",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a check looked at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// What was looked at, e.g. `parent span id`.
    pub item: String,
    /// What was expected.
    pub expected: String,
    /// What arrived.
    pub arrived: String,
    /// Whether it held.
    pub ok: bool,
    /// Whether the check fails (rather than passes partially) when it does not hold.
    pub essential: bool,
}

/// A check's verdict with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// The verdict derived from the evidence.
    pub verdict: Verdict,
    /// Every item, in the order checked.
    pub evidence: Vec<Evidence>,
}

impl CheckOutcome {
    fn from_evidence(evidence: Vec<Evidence>) -> Self {
        let verdict = if evidence.iter().any(|e| !e.ok && e.essential) {
            Verdict::Fail
        } else if evidence.iter().any(|e| !e.ok) {
            Verdict::Partial
        } else {
            Verdict::Pass
        };
        Self { verdict, evidence }
    }
}

/// The three checks' outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checks {
    /// Server spans: trace id, parent, HTTP semantic conventions, sampled flag.
    pub tracer: CheckOutcome,
    /// `traceparent`, `tracestate` and `baggage` on the outgoing request.
    pub propagator: CheckOutcome,
    /// `http.server.request.duration` over OTLP.
    pub metrics: CheckOutcome,
}

impl Checks {
    /// Whether all three passed.
    pub fn all_pass(&self) -> bool {
        [&self.tracer, &self.propagator, &self.metrics]
            .iter()
            .all(|c| c.verdict == Verdict::Pass)
    }

    /// Pass = 1, partial = 0.5, fail = 0, summed over the three checks (0 to 3).
    pub fn points(&self) -> f64 {
        self.tracer.verdict.points()
            + self.propagator.verdict.points()
            + self.metrics.verdict.points()
    }
}

/// How the checks talk to the server and how long they wait.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// How long to wait for a span, metric point or captured request to arrive.
    pub wait: Duration,
    /// Requests sent for the metric check.
    pub metric_requests: u32,
    /// Only telemetry with this `service.name` counts for the metric check (`None`:
    /// any service).
    pub service: Option<String>,
    /// Seed of the trace and span ids (fixed in tests for reproducible evidence).
    pub seed: u64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            wait: Duration::from_secs(15),
            metric_requests: 20,
            service: None,
            seed: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64),
        }
    }
}

/// The `tracestate` the checks send (two list members, order matters).
pub const SENT_TRACESTATE: &str = "podium=t61rcWkgMzE,congo=ucfJifl5GOE";
/// The `baggage` the checks send.
pub const SENT_BAGGAGE: &str = "podium.check=propagator,user.id=42";
/// The path the tracer check requests and the route template it expects.
const TRACED_PATH: &str = "/users/42";

/// A plain HTTP client on a runtime of its own.
struct Client {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Client {
    fn new() -> std::io::Result<Self> {
        Ok(Self {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .no_proxy()
                .build()
                .map_err(std::io::Error::other)?,
        })
    }

    /// GETs `url` with `headers`; the status code or the error in words.
    fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<u16, String> {
        let mut request = self.http.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        // reqwest's timeout needs the runtime as soon as the request is sent.
        self.runtime
            .block_on(async { request.send().await })
            .map(|r| r.status().as_u16())
            .map_err(|e| format!("{e}"))
    }
}

/// Random trace and span ids.
struct Ids(SplitMix64);

impl Ids {
    fn hex(&mut self, bytes: usize) -> String {
        let mut out = String::new();
        while out.len() < bytes * 2 {
            out.push_str(&format!("{:016x}", self.0.next_u64()));
        }
        out.truncate(bytes * 2);
        out
    }
    fn trace(&mut self) -> String {
        self.hex(16)
    }
    fn span(&mut self) -> String {
        self.hex(8)
    }
}

fn item(item: &str, expected: impl Into<String>, arrived: impl Into<String>, ok: bool) -> Evidence {
    Evidence {
        item: item.to_string(),
        expected: expected.into(),
        arrived: arrived.into(),
        ok,
        essential: true,
    }
}

fn detail(
    item: &str,
    expected: impl Into<String>,
    arrived: impl Into<String>,
    ok: bool,
) -> Evidence {
    Evidence {
        essential: false,
        ..self::item(item, expected, arrived, ok)
    }
}

/// Runs the three checks against the server at `base_url`, which exports to `receiver`.
pub fn run_checks(
    base_url: &str,
    receiver: &Receiver,
    options: &CheckOptions,
) -> Result<Checks, std::io::Error> {
    let client = Client::new()?;
    let base = base_url.trim_end_matches('/');
    let mut ids = Ids(SplitMix64::new(options.seed));
    let tracer = tracer_check(&client, base, receiver.sink(), options, &mut ids);
    let propagator = propagator_check(&client, base, receiver, options, &mut ids);
    let metrics = metric_check(&client, base, receiver.sink(), options);
    Ok(Checks {
        tracer,
        propagator,
        metrics,
    })
}

fn server_span<'a>(spans: &'a [ReceivedSpan], trace_id: &str) -> Option<&'a ReceivedSpan> {
    spans
        .iter()
        .find(|s| s.trace_id == trace_id && s.kind == "SERVER")
        .or_else(|| spans.iter().find(|s| s.trace_id == trace_id))
}

fn tracer_check(
    client: &Client,
    base: &str,
    sink: &Sink,
    options: &CheckOptions,
    ids: &mut Ids,
) -> CheckOutcome {
    let (trace_id, parent) = (ids.trace(), ids.span());
    let traceparent = format!("00-{trace_id}-{parent}-01");
    let url = format!("{base}{TRACED_PATH}");
    let mut evidence = Vec::new();
    let status = client.get(&url, &[("traceparent", &traceparent)]);
    evidence.push(item(
        &format!("GET {TRACED_PATH}"),
        "200",
        status.clone().map_or_else(|e| e, |s| s.to_string()),
        status == Ok(200),
    ));
    let arrived = sink.wait_until(options.wait, |spans, _, _| {
        spans
            .iter()
            .any(|s| s.trace_id == trace_id && s.kind == "SERVER")
    });
    let spans = sink.spans();
    let Some(span) = server_span(&spans, &trace_id).cloned() else {
        evidence.push(item(
            "server span",
            format!("a SERVER span with trace id {trace_id}"),
            format!(
                "nothing with that trace id within {:?} ({} spans from other traces)",
                options.wait,
                spans.len()
            ),
            false,
        ));
        return CheckOutcome::from_evidence(evidence);
    };
    evidence.push(item(
        "span kind",
        "SERVER",
        format!("{} ({:?})", span.kind, span.name),
        arrived && span.kind == "SERVER",
    ));
    evidence.push(item(
        "trace id",
        trace_id.clone(),
        span.trace_id.clone(),
        true,
    ));
    evidence.push(item(
        "parent span id",
        parent.clone(),
        or_none(&span.parent_span_id),
        span.parent_span_id == parent,
    ));
    let attr = |key: &str| span.attributes.get(key).cloned();
    let show = |value: &Option<String>| value.clone().unwrap_or_else(|| "(absent)".into());
    let method = attr("http.request.method");
    evidence.push(detail(
        "http.request.method",
        "GET",
        show(&method).to_string() + &old_name_hint(&span, "http.method"),
        method.as_deref() == Some("GET"),
    ));
    let route = attr("http.route");
    evidence.push(detail(
        "http.route",
        "the route template, e.g. /users/{id} or /users/:id",
        show(&route),
        route.as_deref().is_some_and(is_user_route_template),
    ));
    let status_code = attr("http.response.status_code");
    evidence.push(detail(
        "http.response.status_code",
        "200",
        show(&status_code) + &old_name_hint(&span, "http.status_code"),
        status_code.as_deref() == Some("200"),
    ));
    let (path, scheme) = (attr("url.path"), attr("url.scheme"));
    evidence.push(detail(
        "url.path / url.scheme",
        format!("url.path {TRACED_PATH} or url.scheme http"),
        format!("url.path {}, url.scheme {}", show(&path), show(&scheme))
            + &old_name_hint(&span, "http.target"),
        path.as_deref() == Some(TRACED_PATH) || scheme.as_deref() == Some("http"),
    ));

    // The sampled flag: an unsampled request exports nothing. A sampled request sent
    // after it marks when the exporter has flushed past it.
    let (unsampled, marker) = (ids.trace(), ids.trace());
    let _ = client.get(
        &url,
        &[("traceparent", &format!("00-{unsampled}-{}-00", ids.span()))],
    );
    let _ = client.get(
        &url,
        &[("traceparent", &format!("00-{marker}-{}-01", ids.span()))],
    );
    let flushed = sink.wait_until(options.wait, |spans, _, _| {
        spans.iter().any(|s| s.trace_id == marker)
    });
    if flushed {
        // Spans of one batch can be split across exports; give a straggler time to come.
        std::thread::sleep(Duration::from_millis(800));
    }
    let leaked = sink
        .spans()
        .iter()
        .filter(|s| s.trace_id == unsampled)
        .count();
    evidence.push(detail(
        "sampled flag 00 honoured",
        "no span for the unsampled request",
        if !flushed {
            "unknown: the sampled request sent after it exported nothing either".to_string()
        } else if leaked == 0 {
            "no span".to_string()
        } else {
            format!("{leaked} span(s) with the unsampled trace id {unsampled}")
        },
        flushed && leaked == 0,
    ));
    CheckOutcome::from_evidence(evidence)
}

/// `/users/{id}`, `/users/:id`, `/users/<id>` and the like: a template, not the raw path.
fn is_user_route_template(route: &str) -> bool {
    let route = route.rsplit(' ').next().unwrap_or(route);
    route.starts_with("/users/") && route != TRACED_PATH && route.len() > "/users/".len()
}

fn or_none(value: &str) -> String {
    if value.is_empty() {
        "(none)".into()
    } else {
        value.to_string()
    }
}

/// A note when the span carries the pre-1.0 semantic-convention name instead.
fn old_name_hint(span: &ReceivedSpan, old: &str) -> String {
    span.attributes
        .get(old)
        .map(|v| format!(" (old semantic conventions: {old}={v})"))
        .unwrap_or_default()
}

/// `key=value` members of a baggage header, properties and spaces dropped.
fn baggage_members(header: &str) -> BTreeMap<String, String> {
    header
        .split(',')
        .filter_map(|member| {
            let member = member.split(';').next()?.trim();
            let (k, v) = member.split_once('=')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// `key=value` members of a tracestate header in order, spaces dropped.
fn tracestate_members(header: &str) -> Vec<String> {
    header
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

fn propagator_check(
    client: &Client,
    base: &str,
    receiver: &Receiver,
    options: &CheckOptions,
    ids: &mut Ids,
) -> CheckOutcome {
    let sink = receiver.sink();
    let (trace_id, parent) = (ids.trace(), ids.span());
    let tag = format!("propagator-{}", ids.span());
    let target = receiver.capture_url(&tag);
    let url = format!("{base}/otel/downstream?url={}", percent_encode(&target));
    let traceparent = format!("00-{trace_id}-{parent}-01");
    let mut evidence = Vec::new();
    let status = client.get(
        &url,
        &[
            ("traceparent", &traceparent),
            ("tracestate", SENT_TRACESTATE),
            ("baggage", SENT_BAGGAGE),
        ],
    );
    evidence.push(item(
        "GET /otel/downstream",
        "200 after an outgoing GET to Podium",
        status.clone().map_or_else(|e| e, |s| s.to_string()),
        status == Ok(200),
    ));
    sink.wait_until(options.wait, |_, _, captured| {
        captured.iter().any(|c| c.tag == tag)
    });
    let Some(captured) = sink.captured().into_iter().find(|c| c.tag == tag) else {
        evidence.push(item(
            "outgoing request",
            format!("a GET to {target}"),
            format!("none within {:?}", options.wait),
            false,
        ));
        return CheckOutcome::from_evidence(evidence);
    };
    let header = |name: &str| captured.headers.get(name).cloned().unwrap_or_default();
    let out_traceparent = header("traceparent");
    let parts: Vec<&str> = out_traceparent.split('-').collect();
    let (out_trace, out_parent, out_flags) = match parts.as_slice() {
        [_, trace, span, flags] => (trace.to_string(), span.to_string(), flags.to_string()),
        _ => (String::new(), String::new(), String::new()),
    };
    evidence.push(item(
        "traceparent trace id",
        trace_id.clone(),
        if out_traceparent.is_empty() {
            "(no traceparent header)".to_string()
        } else {
            out_traceparent.clone()
        },
        out_trace == trace_id,
    ));
    evidence.push(detail(
        "traceparent sampled flag",
        "01",
        or_none(&out_flags),
        out_flags == "01",
    ));
    let out_tracestate = header("tracestate");
    let sent = tracestate_members(SENT_TRACESTATE);
    let got = tracestate_members(&out_tracestate);
    // A vendor may add its own member in front; ours must all be there, in order.
    let kept: Vec<&String> = got.iter().filter(|m| sent.contains(m)).collect();
    evidence.push(item(
        "tracestate",
        SENT_TRACESTATE,
        or_none(&out_tracestate),
        kept.len() == sent.len() && kept.iter().zip(&sent).all(|(a, b)| *a == b),
    ));
    let out_baggage = header("baggage");
    let sent_baggage = baggage_members(SENT_BAGGAGE);
    let got_baggage = baggage_members(&out_baggage);
    evidence.push(item(
        "baggage",
        SENT_BAGGAGE,
        or_none(&out_baggage),
        sent_baggage
            .iter()
            .all(|(k, v)| got_baggage.get(k) == Some(v)),
    ));
    // The outgoing request's parent is the server span or a span below it (the client span).
    let linked = sink.wait_until(options.wait, |spans, _, _| {
        descends_from_server_span(spans, &trace_id, &parent, &out_parent).is_some()
    });
    let spans = sink.spans();
    let server = spans
        .iter()
        .find(|s| s.trace_id == trace_id && s.parent_span_id == parent);
    evidence.push(detail(
        "outgoing parent",
        "the server span or a span below it (e.g. the client span)",
        match (server, linked) {
            (None, _) => format!(
                "{} (no server span with parent {parent} arrived)",
                or_none(&out_parent)
            ),
            (Some(server), true) => {
                format!("{out_parent}, below server span {}", server.span_id)
            }
            (Some(server), false) => format!(
                "{} is not the server span {} nor below it",
                or_none(&out_parent),
                server.span_id
            ),
        },
        linked,
    ));
    CheckOutcome::from_evidence(evidence)
}

/// The server span (parent = `caller`) when `span_id` is it or one of its descendants.
fn descends_from_server_span<'a>(
    spans: &'a [ReceivedSpan],
    trace_id: &str,
    caller: &str,
    span_id: &str,
) -> Option<&'a ReceivedSpan> {
    let server = spans
        .iter()
        .find(|s| s.trace_id == trace_id && s.parent_span_id == caller)?;
    let mut current = span_id.to_string();
    for _ in 0..32 {
        if current == server.span_id {
            return Some(server);
        }
        current = spans
            .iter()
            .find(|s| s.trace_id == trace_id && s.span_id == current)?
            .parent_span_id
            .clone();
    }
    None
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The metric the metric check looks for.
pub const DURATION_METRIC: &str = "http.server.request.duration";
/// The route the metric check requests.
const METRIC_PATH: &str = "/ping";

/// Requests recorded for `/ping` by points at or after `since` (ns): for cumulative
/// series the growth of each series' latest count over its count before; for delta
/// series the sum of the new points.
fn ping_count(
    points: &[ReceivedPoint],
    service: Option<&str>,
    baseline: &BTreeMap<String, u64>,
    since: u64,
) -> u64 {
    let mut latest: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut delta = 0;
    for p in points.iter().filter(|p| is_ping_point(p, service)) {
        if p.temporality == "DELTA" {
            if p.time_unix_nano >= since {
                delta += p.count;
            }
        } else {
            let key = series_key(p);
            let entry = latest.entry(key).or_insert((0, 0));
            if p.time_unix_nano >= entry.0 {
                *entry = (p.time_unix_nano, p.count);
            }
        }
    }
    let cumulative: u64 = latest
        .iter()
        .map(|(key, (_, count))| count.saturating_sub(baseline.get(key).copied().unwrap_or(0)))
        .sum();
    cumulative + delta
}

fn is_ping_point(p: &ReceivedPoint, service: Option<&str>) -> bool {
    p.metric == DURATION_METRIC
        && service.is_none_or(|s| p.service == s)
        && p.attributes.get("http.route").map(String::as_str) == Some(METRIC_PATH)
}

fn series_key(p: &ReceivedPoint) -> String {
    format!(
        "{}|{}|{:?}",
        p.service, p.start_time_unix_nano, p.attributes
    )
}

fn metric_check(client: &Client, base: &str, sink: &Sink, options: &CheckOptions) -> CheckOutcome {
    let service = options.service.as_deref();
    // What the series counted before this check's requests.
    let mut baseline = BTreeMap::new();
    for p in sink.points().iter().filter(|p| is_ping_point(p, service)) {
        if p.temporality != "DELTA" {
            let entry = baseline.entry(series_key(p)).or_insert(0);
            *entry = p.count.max(*entry);
        }
    }
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let sent = options.metric_requests.max(1);
    let url = format!("{base}{METRIC_PATH}");
    let ok = (0..sent)
        .filter(|_| client.get(&url, &[]) == Ok(200))
        .count() as u64;
    let mut evidence = vec![item(
        &format!("GET {METRIC_PATH} × {sent}"),
        format!("{sent} × 200"),
        format!("{ok} × 200"),
        ok == u64::from(sent),
    )];
    let started = Instant::now();
    sink.wait_until(options.wait, |_, points, _| {
        ping_count(points, service, &baseline, since) >= ok
    });
    // One more export interval, so that an over-count would show.
    std::thread::sleep(
        Duration::from_millis(1200).min(options.wait.saturating_sub(started.elapsed())),
    );
    let points = sink.points();
    let of_service: Vec<&ReceivedPoint> = points
        .iter()
        .filter(|p| service.is_none_or(|s| p.service == s))
        .collect();
    let named: Vec<&ReceivedPoint> = of_service
        .iter()
        .copied()
        .filter(|p| p.metric == DURATION_METRIC)
        .collect();
    let Some(first) = named.first() else {
        let mut names: Vec<&str> = of_service.iter().map(|p| p.metric.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        evidence.push(item(
            DURATION_METRIC,
            "a histogram over OTLP",
            if names.is_empty() {
                format!("no metrics at all within {:?}", options.wait)
            } else {
                format!("not among the metrics received: {}", names.join(", "))
            },
            false,
        ));
        return CheckOutcome::from_evidence(evidence);
    };
    evidence.push(item(
        "instrument kind",
        "histogram",
        format!("{:?}", first.kind).to_lowercase(),
        matches!(
            first.kind,
            MetricKind::Histogram | MetricKind::ExponentialHistogram
        ),
    ));
    evidence.push(detail("unit", "s", or_none(&first.unit), first.unit == "s"));
    let ping: Vec<&&ReceivedPoint> = named
        .iter()
        .filter(|p| p.attributes.get("http.route").map(String::as_str) == Some(METRIC_PATH))
        .collect();
    let sample = ping.first().copied().copied().unwrap_or(first);
    let has = |key: &str, want: &str| sample.attributes.get(key).map(String::as_str) == Some(want);
    evidence.push(detail(
        "attributes",
        format!("http.request.method=GET, http.route={METRIC_PATH}, http.response.status_code=200"),
        format!("{:?}", sample.attributes),
        has("http.request.method", "GET")
            && has("http.route", METRIC_PATH)
            && has("http.response.status_code", "200"),
    ));
    let counted = ping_count(&points, service, &baseline, since);
    evidence.push(detail(
        "request count",
        format!("{ok} for http.route={METRIC_PATH}"),
        if ping.is_empty() {
            format!("no point with http.route={METRIC_PATH}")
        } else {
            counted.to_string()
        },
        counted == ok,
    ));
    CheckOutcome::from_evidence(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(trace: &str, id: &str, parent: &str) -> ReceivedSpan {
        ReceivedSpan {
            service: "s".into(),
            trace_id: trace.into(),
            span_id: id.into(),
            parent_span_id: parent.into(),
            name: "n".into(),
            kind: "SERVER".into(),
            attributes: BTreeMap::new(),
            protocol: "grpc".into(),
        }
    }

    #[test]
    fn verdict_follows_the_evidence() {
        let ok = item("a", "x", "x", true);
        let bad_detail = detail("b", "x", "y", false);
        let bad = item("c", "x", "y", false);
        assert_eq!(
            CheckOutcome::from_evidence(vec![ok.clone()]).verdict,
            Verdict::Pass
        );
        assert_eq!(
            CheckOutcome::from_evidence(vec![ok.clone(), bad_detail.clone()]).verdict,
            Verdict::Partial
        );
        assert_eq!(
            CheckOutcome::from_evidence(vec![ok, bad_detail, bad]).verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn outgoing_parent_must_descend_from_the_server_span() {
        let spans = vec![
            span("t", "server", "caller"),
            span("t", "client", "server"),
            span("t", "other", "elsewhere"),
        ];
        assert!(descends_from_server_span(&spans, "t", "caller", "client").is_some());
        assert!(descends_from_server_span(&spans, "t", "caller", "server").is_some());
        assert!(descends_from_server_span(&spans, "t", "caller", "other").is_none());
        assert!(descends_from_server_span(&spans, "t", "nobody", "client").is_none());
    }

    #[test]
    fn header_members_ignore_spaces_and_properties() {
        assert_eq!(
            baggage_members("a=1 , b = 2;prop=x"),
            BTreeMap::from([("a".into(), "1".into()), ("b".into(), "2".into())])
        );
        assert_eq!(tracestate_members(" x=1,, y=2 "), vec!["x=1", "y=2"]);
    }

    #[test]
    fn route_templates_are_recognised() {
        assert!(is_user_route_template("/users/{id}"));
        assert!(is_user_route_template("/users/:id"));
        assert!(is_user_route_template("GET /users/{id}"));
        assert!(!is_user_route_template("/users/42"));
        assert!(!is_user_route_template("/"));
    }

    #[test]
    fn cumulative_and_delta_counts_are_taken_against_the_baseline() {
        let point = |count, time, temporality: &str| ReceivedPoint {
            service: "s".into(),
            metric: DURATION_METRIC.into(),
            unit: "s".into(),
            kind: MetricKind::Histogram,
            temporality: temporality.into(),
            attributes: BTreeMap::from([("http.route".into(), "/ping".into())]),
            count,
            start_time_unix_nano: 1,
            time_unix_nano: time,
            protocol: "grpc".into(),
        };
        let before = [point(5, 1, "CUMULATIVE")];
        let baseline = BTreeMap::from([(series_key(&before[0]), 5)]);
        let points = [
            point(5, 1, "CUMULATIVE"),
            point(25, 3, "CUMULATIVE"),
            point(15, 2, "CUMULATIVE"),
        ];
        assert_eq!(ping_count(&points, Some("s"), &baseline, 2), 20);
        assert_eq!(ping_count(&points, Some("other"), &baseline, 2), 0);
        let delta = [
            point(7, 1, "DELTA"),
            point(12, 3, "DELTA"),
            point(8, 4, "DELTA"),
        ];
        assert_eq!(ping_count(&delta, None, &BTreeMap::new(), 2), 20);
    }

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(
            percent_encode("http://127.0.0.1:1/capture/a-b"),
            "http%3A%2F%2F127.0.0.1%3A1%2Fcapture%2Fa-b"
        );
    }
}
