//! When a workload's figures look wrong enough to deserve a CPU profile.

use crate::Repetition;
use podium_stats::{Anomaly, DEFAULT_CV_THRESHOLD, Summary, detect_anomalies};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A repetition's p99.9 this many times its median latency is a tail worth a profile
/// (when it is also above [`LATENCY_TAIL_FLOOR_MS`]): a server that usually answers in
/// 0.2 ms but sometimes takes 50 ms is stalling on something (GC, locks, a full queue).
pub const LATENCY_TAIL_FACTOR: f64 = 50.0;

/// Tails shorter than this are timer and scheduler noise on a busy machine, not the
/// server's doing.
pub const LATENCY_TAIL_FLOOR_MS: f64 = 10.0;

/// Why a workload's figures look anomalous.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MeasureAnomaly {
    /// The statistics of a figure across repetitions (high variance, outlying
    /// repetitions).
    Figure {
        /// `rps` or `p99`.
        figure: String,
        /// What the statistics found.
        anomaly: Anomaly,
    },
    /// Some exchanges failed.
    Errors {
        /// Failed exchanges over all repetitions.
        errors: u64,
        /// Exchanges over all repetitions.
        requests: u64,
    },
    /// A repetition's latency tail is far from its median.
    LatencyTail {
        /// 1-based repetition.
        repetition: u32,
        /// Its median latency (ms).
        p50_ms: f64,
        /// Its 99.9th percentile (ms).
        p999_ms: f64,
    },
}

impl fmt::Display for MeasureAnomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Figure { figure, anomaly } => write!(f, "{figure}: {anomaly}"),
            Self::Errors { errors, requests } => {
                write!(f, "{errors} failed exchanges out of {requests}")
            }
            Self::LatencyTail {
                repetition,
                p50_ms,
                p999_ms,
            } => write!(
                f,
                "latency tail in repetition {repetition}: p99.9 {p999_ms:.2} ms is {:.0}× the median {p50_ms:.3} ms",
                p999_ms / p50_ms
            ),
        }
    }
}

/// The anomalies of completed repetitions. A single repetition is not an anomaly here
/// (its spread is unknown, which the summary already says).
pub(crate) fn detect(
    reps: &[&Repetition],
    rps: Option<&Summary>,
    p99: Option<&Summary>,
) -> Vec<MeasureAnomaly> {
    let mut found = Vec::new();
    let figure = |name: &str, values: Vec<f64>, summary: Option<&Summary>, variance: bool| {
        let Some(summary) = summary else {
            return Vec::new();
        };
        detect_anomalies(&values, summary, DEFAULT_CV_THRESHOLD)
            .unwrap_or_default()
            .into_iter()
            .filter(|a| match a {
                Anomaly::SingleRepetition => false,
                // Latency percentiles vary more than throughput from run to run; only
                // outlying repetitions count for them.
                Anomaly::HighVariance { .. } => variance,
                _ => true,
            })
            .map(|anomaly| MeasureAnomaly::Figure {
                figure: name.to_string(),
                anomaly,
            })
            .collect()
    };
    found.extend(figure(
        "rps",
        reps.iter().map(|r| r.report.rps).collect(),
        rps,
        true,
    ));
    found.extend(figure(
        "p99",
        reps.iter().map(|r| r.report.latency_ms.p99).collect(),
        p99,
        false,
    ));
    let errors: u64 = reps.iter().map(|r| r.report.errors.total()).sum();
    if errors > 0 {
        let requests = reps
            .iter()
            .map(|r| r.report.requests + r.report.errors.total())
            .sum();
        found.push(MeasureAnomaly::Errors { errors, requests });
    }
    for rep in reps {
        let l = &rep.report.latency_ms;
        if l.count > 0 && l.p999 > LATENCY_TAIL_FLOOR_MS && l.p999 > LATENCY_TAIL_FACTOR * l.p50 {
            found.push(MeasureAnomaly::LatencyTail {
                repetition: rep.index,
                p50_ms: l.p50,
                p999_ms: l.p999,
            });
        }
    }
    found
}
