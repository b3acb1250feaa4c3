//! What a load run measured.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{LatencyHistogram, LatencySummary};

/// Failed exchanges, by kind. `status` and `body` errors are complete responses (they
/// are also counted in [`LoadReport::requests`]); the other kinds are not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ErrorCounts {
    /// A connection could not be opened (refused, unreachable, or not within the timeout).
    pub connect: u64,
    /// No complete response arrived within the timeout.
    pub timeout: u64,
    /// The connection failed after it was opened: reset, closed before the response was
    /// complete, or a malformed response.
    pub read: u64,
    /// A response with an unexpected status (by default, any status outside 200–399).
    pub status: u64,
    /// A response whose body differs from the expected one.
    pub body: u64,
}

impl ErrorCounts {
    /// All errors.
    pub fn total(&self) -> u64 {
        self.connect + self.timeout + self.read + self.status + self.body
    }

    /// Errors that produced no response (connect, timeout, read).
    pub fn without_response(&self) -> u64 {
        self.connect + self.timeout + self.read
    }

    pub(crate) fn add(&mut self, other: &ErrorCounts) {
        self.connect += other.connect;
        self.timeout += other.timeout;
        self.read += other.read;
        self.status += other.status;
        self.body += other.body;
    }
}

/// One second of the run (the last one may be shorter).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimelinePoint {
    /// Start of the interval, in seconds since the measurement started.
    pub t_s: u64,
    /// Length of the interval in seconds (1, or less for the last one).
    pub span_s: f64,
    /// Responses completed in the interval.
    pub requests: u64,
    /// Responses per second in the interval.
    pub rps: f64,
    /// Errors of any kind in the interval.
    pub errors: u64,
    /// 99th percentile latency of the interval's responses, in milliseconds (0 if none).
    pub p99_ms: f64,
}

/// The result of a load run. Only the measured phase counts: warm-up is excluded.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// The URL that was loaded.
    pub url: String,
    /// The load model, e.g. `closed`.
    pub model: &'static str,
    /// Connections used.
    pub connections: usize,
    /// Worker threads used.
    pub threads: usize,
    /// Complete responses received (of any status, including `status` and `body` errors).
    pub requests: u64,
    /// Wall time of the measured phase, in seconds.
    pub duration_s: f64,
    /// `requests / duration_s`.
    pub rps: f64,
    /// Bytes read from the server during the measured phase (heads and bodies).
    pub bytes_read: u64,
    /// Failed exchanges by kind.
    pub errors: ErrorCounts,
    /// Responses by status code.
    pub status: BTreeMap<u16, u64>,
    /// Latency of the complete responses, from just before the request was written to
    /// the last byte of the response.
    pub latency_ms: LatencySummary,
    /// The merged histogram behind `latency_ms`.
    #[serde(skip)]
    pub histogram: LatencyHistogram,
    /// Per-second throughput, errors and p99.
    pub timeline: Vec<TimelinePoint>,
    /// CPU time (user + system) used by the generator's worker threads while measuring.
    pub cpu_s: f64,
    /// The largest delay of a worker's 10 ms timer; large values mean the generator was
    /// overloaded and its figures understate the server.
    pub max_lag_ms: f64,
    /// TCP connections opened during the measured phase (reconnects included).
    pub connects: u64,
    /// Requests sent during the measured phase that had no outcome when the run ended
    /// (only on interruption, or when a worker was cut off).
    pub abandoned: u64,
    /// Responses received during warm-up (not in any other figure).
    pub warmup_requests: u64,
    /// Whether the run was ended early by the stop flag.
    pub interrupted: bool,
}

/// One worker's figures for one second of the run.
#[derive(Debug)]
pub(crate) struct IntervalMsg {
    pub second: u64,
    pub requests: u64,
    pub errors: u64,
    pub histogram: Option<LatencyHistogram>,
}

#[derive(Debug, Default)]
struct Partial {
    parts: usize,
    requests: u64,
    errors: u64,
    histogram: Option<LatencyHistogram>,
}

/// Merges the workers' per-second figures into the timeline, keeping only the seconds
/// that not every worker has reported yet (so memory does not grow with run length).
#[derive(Debug)]
pub(crate) struct TimelineBuilder {
    workers: usize,
    pending: BTreeMap<u64, Partial>,
    done: BTreeMap<u64, (u64, u64, f64)>,
}

impl TimelineBuilder {
    pub fn new(workers: usize) -> Self {
        Self {
            workers,
            pending: BTreeMap::new(),
            done: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, msg: IntervalMsg) {
        let partial = self.pending.entry(msg.second).or_default();
        partial.parts += 1;
        partial.requests += msg.requests;
        partial.errors += msg.errors;
        if let Some(h) = msg.histogram {
            match &mut partial.histogram {
                Some(total) => total.merge(&h),
                None => partial.histogram = Some(h),
            }
        }
        if partial.parts >= self.workers {
            self.finalize(msg.second);
        }
    }

    fn finalize(&mut self, second: u64) {
        if let Some(p) = self.pending.remove(&second) {
            let p99 = p
                .histogram
                .map_or(0.0, |h| h.quantile_us(0.99) as f64 / 1000.0);
            let entry = self.done.entry(second).or_insert((0, 0, 0.0));
            entry.0 += p.requests;
            entry.1 += p.errors;
            entry.2 = entry.2.max(p99);
        }
    }

    /// The timeline of a measured phase that lasted `duration_s`; seconds with no
    /// report at all (every worker stalled) appear with zeros.
    pub fn finish(mut self, duration_s: f64) -> Vec<TimelinePoint> {
        let seconds: Vec<u64> = self.pending.keys().copied().collect();
        for s in seconds {
            self.finalize(s);
        }
        let last = self.done.keys().next_back().copied().unwrap_or(0);
        let full = duration_s.ceil().max(1.0) as u64;
        let count = (last + 1).max(full);
        if self.done.is_empty() && duration_s <= 0.0 {
            return Vec::new();
        }
        (0..count)
            .map(|t| {
                let (requests, errors, p99_ms) = self.done.get(&t).copied().unwrap_or_default();
                let span_s = (duration_s - t as f64).clamp(0.001, 1.0);
                TimelinePoint {
                    t_s: t,
                    span_s,
                    requests,
                    rps: requests as f64 / span_s,
                    errors,
                    p99_ms,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(second: u64, requests: u64, latency_us: u64) -> IntervalMsg {
        let mut h = LatencyHistogram::new();
        for _ in 0..requests {
            h.record_us(latency_us);
        }
        IntervalMsg {
            second,
            requests,
            errors: 1,
            histogram: (requests > 0).then_some(h),
        }
    }

    #[test]
    fn merges_workers_per_second_and_fills_gaps() {
        let mut b = TimelineBuilder::new(2);
        b.add(msg(0, 10, 1000));
        b.add(msg(0, 10, 3000));
        b.add(msg(2, 5, 2000));
        let t = b.finish(2.5);
        assert_eq!(t.len(), 3);
        assert_eq!((t[0].requests, t[0].errors), (20, 2));
        assert!((t[0].p99_ms - 3.0).abs() < 0.01, "{t:?}");
        assert_eq!((t[1].requests, t[1].errors, t[1].p99_ms), (0, 0, 0.0));
        assert_eq!(t[2].requests, 5);
        assert!((t[2].span_s - 0.5).abs() < 1e-9);
        assert!((t[2].rps - 10.0).abs() < 1e-9);
    }

    #[test]
    fn error_totals() {
        let e = ErrorCounts {
            connect: 1,
            timeout: 2,
            read: 3,
            status: 4,
            body: 5,
        };
        assert_eq!(e.total(), 15);
        assert_eq!(e.without_response(), 6);
    }
}
