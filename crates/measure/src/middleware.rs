//! Middleware cost: `/mw/ping` (recover, request id and JWT check in front of the
//! handler) against `/ping` under the same load.

use crate::MeasureError;
use podium_load::{ClosedLoop, LoadReport};
use podium_stats::{
    BootstrapConfig, CompareConfig, Comparison, Direction, RatioSummary, Summary, compare,
    ratio_of_medians,
};
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// How to measure the middleware cost.
#[derive(Debug, Clone)]
pub struct MiddlewareCostSpec {
    /// Concurrent connections for both routes.
    pub connections: usize,
    /// Generator threads.
    pub threads: usize,
    /// Length of each measured run.
    pub duration: Duration,
    /// Warm-up before each run.
    pub warmup: Duration,
    /// Runs per route, alternated (`/ping`, `/mw/ping`, `/ping`, ...) so that drift in
    /// the machine's state hits both routes alike.
    pub repetitions: u32,
    /// The HS256 secret the server verifies tokens with.
    pub jwt_secret: Vec<u8>,
}

impl Default for MiddlewareCostSpec {
    fn default() -> Self {
        Self {
            connections: 64,
            threads: 1,
            duration: Duration::from_secs(5),
            warmup: Duration::from_secs(1),
            repetitions: 3,
            jwt_secret: podium_token::secret_from_env().into_bytes(),
        }
    }
}

/// What the middleware chain costs a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MiddlewareCost {
    /// Requests per second of `/ping` across repetitions.
    pub ping_rps: Summary,
    /// Requests per second of `/mw/ping` across repetitions.
    pub mw_rps: Summary,
    /// `/mw/ping` throughput over `/ping` throughput (1.0 = free; 0.9 = a 10% cost), with
    /// its bootstrap interval.
    pub throughput_ratio: RatioSummary,
    /// Median latency of `/ping` (ms) across repetitions.
    pub ping_p50_ms: Summary,
    /// Median latency of `/mw/ping` (ms) across repetitions.
    pub mw_p50_ms: Summary,
    /// Whether `/mw/ping` is really slower than `/ping` (throughput), or within noise.
    pub comparison: Comparison,
    /// Failed exchanges over all runs (any makes the figures suspect).
    pub errors: u64,
    /// Connections and run length used, in words.
    pub load: String,
}

/// Runs `/ping` and `/mw/ping` alternately against `base` and compares them. Stops early
/// when `stop` is set (the figures then cover the runs done, at least one per route, or
/// the function returns the interruption as a workload error).
pub fn middleware_cost(
    server_name: &str,
    base: &str,
    spec: &MiddlewareCostSpec,
    stop: &AtomicBool,
) -> Result<MiddlewareCost, MeasureError> {
    let base = base.trim_end_matches('/');
    let token = podium_token::mint(&spec.jwt_secret, "podium-mw-cost", 24 * 3600);
    let mut ping = ClosedLoop::new(format!("{base}/ping"));
    ping.connections = spec.connections;
    ping.threads = spec.threads.clamp(1, spec.connections.max(1));
    ping.duration = Some(spec.duration);
    ping.warmup = spec.warmup;
    ping.expect_status = Some(200);
    let mut mw = ping.clone();
    mw.url = format!("{base}/mw/ping");
    mw.headers = vec![("Authorization".into(), format!("Bearer {token}"))];

    let run = |load: &ClosedLoop, name: &str| -> Result<LoadReport, MeasureError> {
        load.run_with_stop(stop)
            .map_err(|source| MeasureError::Load {
                workload: format!("middleware-cost {name}"),
                source,
            })
    };
    let (mut ping_reports, mut mw_reports) = (Vec::new(), Vec::new());
    for _ in 0..spec.repetitions.max(1) {
        let p = run(&ping, "/ping")?;
        let m = run(&mw, "/mw/ping")?;
        if p.interrupted || m.interrupted {
            break;
        }
        ping_reports.push(p);
        mw_reports.push(m);
    }
    if ping_reports.is_empty() {
        return Err(MeasureError::Workload {
            workload: "middleware-cost".into(),
            problem: "interrupted before one run of each route completed".into(),
        });
    }
    let rps = |r: &[LoadReport]| r.iter().map(|r| r.rps).collect::<Vec<f64>>();
    let p50 = |r: &[LoadReport]| r.iter().map(|r| r.latency_ms.p50).collect::<Vec<f64>>();
    let config = |what: &str| BootstrapConfig::for_label(&format!("{server_name}/mw-cost/{what}"));
    let stats_error = |e: podium_stats::StatsError| MeasureError::Workload {
        workload: "middleware-cost".into(),
        problem: format!("no figure: {e}"),
    };
    let (ping_rps, mw_rps) = (rps(&ping_reports), rps(&mw_reports));
    let errors = ping_reports
        .iter()
        .chain(&mw_reports)
        .map(|r| r.errors.total())
        .sum();
    Ok(MiddlewareCost {
        ping_rps: Summary::of(&ping_rps, &config("ping-rps")).map_err(stats_error)?,
        mw_rps: Summary::of(&mw_rps, &config("mw-rps")).map_err(stats_error)?,
        throughput_ratio: ratio_of_medians(&mw_rps, &ping_rps, &config("ratio"))
            .map_err(stats_error)?,
        ping_p50_ms: Summary::of(&p50(&ping_reports), &config("ping-p50")).map_err(stats_error)?,
        mw_p50_ms: Summary::of(&p50(&mw_reports), &config("mw-p50")).map_err(stats_error)?,
        comparison: compare(
            &mw_rps,
            &ping_rps,
            Direction::HigherIsBetter,
            &CompareConfig {
                bootstrap: config("compare"),
                ..CompareConfig::default()
            },
        )
        .map_err(stats_error)?,
        errors,
        load: format!(
            "{} connections, {} generator thread(s), {:.0} s per run after {:.0} s warm-up, {} runs per route",
            spec.connections,
            ping.threads,
            spec.duration.as_secs_f64(),
            spec.warmup.as_secs_f64(),
            ping_reports.len()
        ),
    })
}
