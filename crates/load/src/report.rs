//! What a load run measured.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{LatencyHistogram, LatencySummary};

/// Failed exchanges, by kind. `status` and `body` errors are complete responses (they
/// are also counted in [`LoadReport::requests`]); the other kinds are not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    /// The URL that was loaded.
    pub url: String,
    /// The load model, e.g. `closed`.
    pub model: String,
    /// Connections used.
    pub connections: usize,
    /// Worker threads used.
    pub threads: usize,
    /// HTTP/1.1 pipelining depth: requests each connection sent back to back before
    /// reading their responses. 1 (no pipelining) except for a closed-loop run with
    /// `--pipeline N`, whose latencies are then measured from each batch's write; every
    /// display of the figures labels a pipelined run as such.
    pub pipeline: usize,
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
    /// Connection set-up time (TCP connect plus protocol handshake, e.g. the WebSocket
    /// upgrade) of every connection the workers opened, warm-up included (the first
    /// set-ups usually fall in it); only for models that measure it (WebSocket).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<LatencySummary>,
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
    /// (only on interruption, or when a worker was cut off); in open loop also the
    /// scheduled requests still waiting for a connection then.
    pub abandoned: u64,
    /// Responses received during warm-up (not in any other figure).
    pub warmup_requests: u64,
    /// Whether the run was ended early by the stop flag.
    pub interrupted: bool,
    /// Open loop only: latency from the moment each request was actually written (no
    /// coordinated-omission correction, like wrk2's `-U`); `latency_ms` is then measured
    /// from each request's intended send time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncorrected_latency_ms: Option<LatencySummary>,
    /// Open loop only: the merged histogram behind `uncorrected_latency_ms`.
    #[serde(skip)]
    pub uncorrected_histogram: Option<LatencyHistogram>,
    /// Open loop only: the schedule and how well the generator kept to it (serialised
    /// at the top level: `schedule`, `asked_rps`, `achieved_rps`, …).
    #[serde(flatten)]
    pub open: Option<OpenLoopFigures>,
    /// The generator's self-check: whether the client, not the server, may have been
    /// the bottleneck.
    pub generator: GeneratorCheck,
}

/// How an open-loop run kept to its schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenLoopFigures {
    /// The rate schedule, as written on the command line (`1000`, `100:+100/s:1000`).
    pub schedule: String,
    /// The rate the schedule asked for, averaged over the measured phase (for an
    /// interrupted run, over the part that ran).
    pub asked_rps: f64,
    /// Requests actually written within the measured phase, per second of it.
    pub achieved_rps: f64,
    /// Sends the schedule asked for during the measured phase.
    pub scheduled: u64,
    /// Requests written during the measured phase (including after its end, while the
    /// backlog drained).
    pub sent: u64,
    /// Sends the generator noticed more than `missed_send_threshold_ms` after their
    /// intended time because it was late itself (a send that waited for a busy
    /// connection is not a missed send: that wait is the server's and counts in
    /// `latency_ms`).
    pub missed_sends: u64,
    /// The threshold behind `missed_sends`, in milliseconds.
    pub missed_send_threshold_ms: f64,
    /// The largest delay between a send's intended time and the moment the generator
    /// got to it, in milliseconds.
    pub max_send_lag_ms: f64,
    /// The connection limit.
    pub max_connections: usize,
}

/// The generator's self-check, for both load models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratorCheck {
    /// CPU time of the worker threads while measuring (as `LoadReport::cpu_s`).
    pub cpu_s: f64,
    /// `cpu_s / (duration_s * threads)`: the share of their time the worker threads were
    /// busy.
    pub cpu_share: f64,
    /// The largest scheduling lag, in milliseconds (as `LoadReport::max_lag_ms`).
    pub max_lag_ms: f64,
    /// Whether the generator was (close to) saturated; its figures then describe the
    /// client, not the server's limit.
    pub saturated: bool,
    /// Why it counts as saturated, in words; `None` when it does not.
    pub reason: Option<String>,
}

impl GeneratorCheck {
    /// Above this share of busy time the worker threads count as saturated.
    pub const MAX_CPU_SHARE: f64 = 0.90;
    /// Above this scheduling lag (a late 10 ms tick, or in open loop a late send) the
    /// generator counts as saturated.
    pub const MAX_LAG_MS: f64 = 50.0;
    /// In open loop, above this share of missed sends the generator counts as saturated.
    pub const MAX_MISSED_SHARE: f64 = 0.01;

    /// Judges a run from its figures; `missed` is `(missed_sends, scheduled)` in open loop.
    pub fn assess(
        cpu_s: f64,
        duration_s: f64,
        threads: usize,
        max_lag_ms: f64,
        missed: Option<(u64, u64)>,
    ) -> Self {
        let capacity = duration_s * threads.max(1) as f64;
        let cpu_share = if capacity > 0.0 {
            cpu_s / capacity
        } else {
            0.0
        };
        let mut reasons = Vec::new();
        if cpu_share > Self::MAX_CPU_SHARE {
            reasons.push(format!(
                "the generator's threads were busy {:.0}% of the time (limit {:.0}%)",
                cpu_share * 100.0,
                Self::MAX_CPU_SHARE * 100.0
            ));
        }
        if max_lag_ms > Self::MAX_LAG_MS {
            reasons.push(format!(
                "the generator fell up to {max_lag_ms:.1} ms behind its schedule (limit {} ms)",
                Self::MAX_LAG_MS
            ));
        }
        if let Some((missed, scheduled)) = missed {
            if scheduled > 0 && missed as f64 > scheduled as f64 * Self::MAX_MISSED_SHARE {
                reasons.push(format!(
                    "{missed} of {scheduled} sends went out late because the generator could not keep up (limit {:.0}%)",
                    Self::MAX_MISSED_SHARE * 100.0
                ));
            }
        }
        let saturated = !reasons.is_empty();
        Self {
            cpu_s,
            cpu_share,
            max_lag_ms,
            saturated,
            reason: saturated.then(|| reasons.join("; ")),
        }
    }
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
    fn generator_check_flags_a_busy_or_late_generator() {
        let calm = GeneratorCheck::assess(1.0, 10.0, 2, 1.0, Some((0, 1000)));
        assert!(!calm.saturated && calm.reason.is_none(), "{calm:?}");
        assert!((calm.cpu_share - 0.05).abs() < 1e-9);
        let busy = GeneratorCheck::assess(19.0, 10.0, 2, 1.0, None);
        assert!(busy.saturated, "{busy:?}");
        assert!(busy.reason.as_deref().is_some_and(|r| r.contains("95%")));
        let late = GeneratorCheck::assess(0.1, 10.0, 2, 80.0, None);
        assert!(late.saturated && late.reason.as_deref().is_some_and(|r| r.contains("behind")));
        let missing = GeneratorCheck::assess(0.1, 10.0, 2, 2.0, Some((50, 1000)));
        assert!(missing.saturated, "{missing:?}");
        let empty = GeneratorCheck::assess(0.0, 0.0, 1, 0.0, None);
        assert!(!empty.saturated && empty.cpu_share == 0.0);
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
