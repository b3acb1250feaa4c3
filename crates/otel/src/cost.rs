//! The cost of observability: throughput and p99 latency of the OpenTelemetry variant
//! against the plain subject under the same closed-loop load, runs alternated (plain,
//! OTel, plain, ...) so that drift in the machine's state hits both alike.

use crate::error::OtelError;
use podium_load::{ClosedLoop, LoadReport};
use podium_stats::{BootstrapConfig, RatioSummary, Summary, ratio_of_medians};
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// How to load both servers.
#[derive(Debug, Clone)]
pub struct CostSpec {
    /// The path requested (a route with a parameter, so the route template is resolved).
    pub path: String,
    /// Concurrent connections.
    pub connections: usize,
    /// Length of each measured run.
    pub duration: Duration,
    /// Warm-up before each run.
    pub warmup: Duration,
    /// Runs per server, alternated.
    pub repetitions: u32,
}

impl Default for CostSpec {
    fn default() -> Self {
        Self {
            path: "/users/42".into(),
            connections: 32,
            duration: Duration::from_secs(3),
            warmup: Duration::from_secs(1),
            repetitions: 3,
        }
    }
}

/// What the instrumentation costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    /// Requests per second of the plain subject across runs.
    pub plain_rps: Summary,
    /// Requests per second of the OTel variant across runs.
    pub otel_rps: Summary,
    /// OTel throughput over plain throughput (1.0 = free), with its bootstrap interval.
    pub throughput_ratio: RatioSummary,
    /// p99 latency of the plain subject (ms) across runs.
    pub plain_p99_ms: Summary,
    /// p99 latency of the OTel variant (ms) across runs.
    pub otel_p99_ms: Summary,
    /// OTel p99 over plain p99 (1.0 = no overhead), with its bootstrap interval.
    pub p99_ratio: RatioSummary,
    /// Failed exchanges over all runs (any makes the figures suspect).
    pub errors: u64,
    /// Requests the OTel variant answered during its runs, warm-ups included (0 in
    /// observations stored before it was counted).
    #[serde(default)]
    pub otel_requests: u64,
    /// Spans Podium received from the variant meanwhile (`None` when not counted). Fewer
    /// than `otel_requests` means the SDK dropped spans under load (a batch processor
    /// drops when its queue is full), which also lowers the measured cost.
    #[serde(default)]
    pub spans_received: Option<u64>,
    /// The load, in words.
    pub load: String,
}

/// Loads `plain` and `otel` (base URLs) alternately and compares them.
pub fn measure_cost(
    subject: &str,
    plain: &str,
    otel: &str,
    spec: &CostSpec,
    stop: &AtomicBool,
) -> Result<Cost, OtelError> {
    let mut load = ClosedLoop::new(format!("{}{}", plain.trim_end_matches('/'), spec.path));
    load.connections = spec.connections.max(1);
    load.threads = 1;
    load.duration = Some(spec.duration);
    load.warmup = spec.warmup;
    load.expect_status = Some(200);
    let mut otel_load = load.clone();
    otel_load.url = format!("{}{}", otel.trim_end_matches('/'), spec.path);
    let run = |load: &ClosedLoop, what: &str| -> Result<LoadReport, OtelError> {
        load.run_with_stop(stop).map_err(|source| OtelError::Load {
            what: format!("{subject} {what}"),
            source,
        })
    };
    let (mut plains, mut otels) = (Vec::new(), Vec::new());
    for _ in 0..spec.repetitions.max(1) {
        let p = run(&load, "plain")?;
        let o = run(&otel_load, "OpenTelemetry variant")?;
        if p.interrupted || o.interrupted {
            break;
        }
        plains.push(p);
        otels.push(o);
    }
    let rps = |r: &[LoadReport]| r.iter().map(|r| r.rps).collect::<Vec<f64>>();
    let p99 = |r: &[LoadReport]| r.iter().map(|r| r.latency_ms.p99).collect::<Vec<f64>>();
    let config = |what: &str| BootstrapConfig::for_label(&format!("{subject}/otel-cost/{what}"));
    let errors = plains.iter().chain(&otels).map(|r| r.errors.total()).sum();
    let otel_requests = otels.iter().map(|r| r.requests + r.warmup_requests).sum();
    Ok(Cost {
        otel_requests,
        spans_received: None,
        plain_rps: Summary::of(&rps(&plains), &config("plain-rps"))?,
        otel_rps: Summary::of(&rps(&otels), &config("otel-rps"))?,
        throughput_ratio: ratio_of_medians(&rps(&otels), &rps(&plains), &config("rps-ratio"))?,
        plain_p99_ms: Summary::of(&p99(&plains), &config("plain-p99"))?,
        otel_p99_ms: Summary::of(&p99(&otels), &config("otel-p99"))?,
        p99_ratio: ratio_of_medians(&p99(&otels), &p99(&plains), &config("p99-ratio"))?,
        errors,
        load: format!(
            "GET {} with {} connections, {:.0} s per run after {:.0} s warm-up, {} runs per server, alternated; the OTel variant exports every request's span and its metrics to Podium's receiver on the same machine",
            spec.path,
            load.connections,
            spec.duration.as_secs_f64(),
            spec.warmup.as_secs_f64(),
            plains.len()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_stored_before_the_span_count_still_read() {
        let summary =
            |v: f64| Summary::of(&[v, v + 1.0], &BootstrapConfig::for_label("t")).unwrap();
        let ratio =
            ratio_of_medians(&[1.0, 1.1], &[2.0, 2.1], &BootstrapConfig::for_label("r")).unwrap();
        let cost = Cost {
            plain_rps: summary(100.0),
            otel_rps: summary(50.0),
            throughput_ratio: ratio.clone(),
            plain_p99_ms: summary(1.0),
            otel_p99_ms: summary(2.0),
            p99_ratio: ratio,
            errors: 0,
            otel_requests: 10,
            spans_received: Some(9),
            load: "l".into(),
        };
        let mut json = serde_json::to_value(&cost).unwrap();
        let object = json.as_object_mut().unwrap();
        object.remove("otel_requests");
        object.remove("spans_received");
        let old: Cost = serde_json::from_value(json).unwrap();
        assert_eq!((old.otel_requests, old.spans_received), (0, None));
    }
}
