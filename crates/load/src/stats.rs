//! Per-worker statistics shared by every engine: the running figures of one worker
//! thread (responses and failures by kind, status codes, latency, the per-second
//! timeline, thread CPU and lag), and the merge of the workers' results into a
//! [`LoadReport`].
//!
//! Each latency is recorded once, into the current second's histogram, which is added
//! to the worker's histogram when the second rolls over: one record per response.
//! Figures only one engine has live in the engine's `extra`, the `E` of
//! [`WorkerResult`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::check::Verdict;
use crate::cpu::thread_cpu_s;
use crate::report::{GeneratorCheck, IntervalMsg, TimelineBuilder};
use crate::{ErrorCounts, LatencyHistogram, LoadError, LoadReport};

/// Status codes are three digits.
const STATUS_SLOTS: usize = 1000;

/// A failed exchange that produced no response.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    Connect,
    Timeout,
    Read,
}

/// One worker's figures, merged into the report at the end; `extra` holds the figures
/// specific to the engine.
#[derive(Debug)]
pub(crate) struct WorkerResult<E> {
    pub histogram: LatencyHistogram,
    pub errors: ErrorCounts,
    pub status: Vec<u64>,
    pub requests: u64,
    pub bytes_read: u64,
    pub connects: u64,
    /// Measured requests without an outcome yet; at the end, the abandoned ones.
    pub in_flight: u64,
    pub warmup_requests: u64,
    pub cpu_s: f64,
    /// The largest delay of the worker's tick.
    pub max_lag: Duration,
    pub end: Instant,
    pub interrupted: bool,
    pub extra: E,
}

/// A worker's running figures; only touched from its own thread.
#[derive(Debug)]
pub(crate) struct WorkerStats<E> {
    measure_start: Instant,
    timeline: Option<mpsc::Sender<IntervalMsg>>,
    second: u64,
    second_requests: u64,
    second_errors: u64,
    second_histogram: Option<LatencyHistogram>,
    cpu_start: Option<f64>,
    pub result: WorkerResult<E>,
}

impl<E> WorkerStats<E> {
    pub fn new(measure_start: Instant, timeline: mpsc::Sender<IntervalMsg>, extra: E) -> Self {
        let now = Instant::now();
        Self {
            measure_start,
            timeline: Some(timeline),
            second: 0,
            second_requests: 0,
            second_errors: 0,
            second_histogram: None,
            cpu_start: (now >= measure_start).then(thread_cpu_s),
            result: WorkerResult {
                histogram: LatencyHistogram::new(),
                errors: ErrorCounts::default(),
                status: vec![0; STATUS_SLOTS],
                requests: 0,
                bytes_read: 0,
                connects: 0,
                in_flight: 0,
                warmup_requests: 0,
                cpu_s: 0.0,
                max_lag: Duration::ZERO,
                end: now,
                interrupted: false,
                extra,
            },
        }
    }

    /// Sends the current second to the timeline and moves on to the second of `now`.
    #[inline]
    pub fn roll(&mut self, now: Instant) {
        let second = now.saturating_duration_since(self.measure_start).as_secs();
        if second <= self.second {
            return;
        }
        self.flush();
        for empty in self.second + 1..second {
            self.send(IntervalMsg {
                second: empty,
                requests: 0,
                errors: 0,
                histogram: None,
            });
        }
        self.second = second;
    }

    fn flush(&mut self) {
        // Latencies are recorded once, in the second's histogram, and added to the
        // run's here.
        if let Some(second) = &self.second_histogram {
            self.result.histogram.merge(second);
        }
        let msg = IntervalMsg {
            second: self.second,
            requests: std::mem::take(&mut self.second_requests),
            errors: std::mem::take(&mut self.second_errors),
            histogram: self.second_histogram.take(),
        };
        self.send(msg);
    }

    fn send(&self, msg: IntervalMsg) {
        if let Some(tx) = &self.timeline {
            // The receiver lives until every worker has ended.
            let _ = tx.send(msg);
        }
    }

    /// A measured response with HTTP status `status` completed at `at`.
    #[inline]
    pub fn response(
        &mut self,
        status: u16,
        verdict: Verdict,
        latency: Duration,
        at: Instant,
        bytes: u64,
    ) {
        self.result.status[usize::from(status).min(STATUS_SLOTS - 1)] += 1;
        self.answer(verdict, latency, at, bytes);
    }

    /// A measured answer (of no HTTP status) completed at `at`.
    #[inline]
    pub fn answer(&mut self, verdict: Verdict, latency: Duration, at: Instant, bytes: u64) {
        self.roll(at);
        let r = &mut self.result;
        r.requests += 1;
        r.bytes_read += bytes;
        self.second_requests += 1;
        self.second_histogram
            .get_or_insert_with(LatencyHistogram::new)
            .record(latency);
        match verdict {
            Verdict::Ok => {}
            Verdict::Status => {
                r.errors.status += 1;
                self.second_errors += 1;
            }
            Verdict::Body => {
                r.errors.body += 1;
                self.second_errors += 1;
            }
        }
    }

    /// A measured exchange failed at `at`.
    pub fn failure(&mut self, kind: Failure, at: Instant) {
        self.roll(at);
        let errors = &mut self.result.errors;
        match kind {
            Failure::Connect => errors.connect += 1,
            Failure::Timeout => errors.timeout += 1,
            Failure::Read => errors.read += 1,
        }
        self.second_errors += 1;
    }

    /// Called at every tick of the worker: rolls the timeline even when nothing
    /// completes, and records the tick's `lag`.
    pub fn tick(&mut self, now: Instant, lag: Duration) {
        if now < self.measure_start {
            return;
        }
        if self.cpu_start.is_none() {
            self.cpu_start = Some(thread_cpu_s());
        }
        self.result.max_lag = self.result.max_lag.max(lag);
        self.roll(now);
    }

    /// Ends the worker's measurement at `end`.
    pub fn finish(mut self, end: Instant, interrupted: bool) -> WorkerResult<E> {
        if end >= self.measure_start {
            self.roll(end);
            self.flush();
        }
        self.timeline = None;
        self.result.cpu_s = self
            .cpu_start
            .map_or(0.0, |start| (thread_cpu_s() - start).max(0.0));
        self.result.end = end;
        self.result.interrupted = interrupted;
        self.result
    }
}

/// Runs `threads` worker threads, named `{name}-{worker}`, each running
/// `work(worker, timeline)`, and gathers their per-second figures into the timeline and
/// their results. When a thread cannot be started, `abort` is set (the workers already
/// started are to stop on it) and the error returned once they have ended.
pub(crate) fn run_workers<E, F>(
    threads: usize,
    name: &str,
    abort: &AtomicBool,
    work: F,
) -> Result<(TimelineBuilder, Vec<WorkerResult<E>>), LoadError>
where
    E: Send,
    F: Fn(usize, mpsc::Sender<IntervalMsg>) -> std::io::Result<WorkerResult<E>> + Sync,
{
    let (tx, rx) = mpsc::channel();
    thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        let mut spawn_error = None;
        for worker in 0..threads {
            let tx = tx.clone();
            let work = &work;
            let spawned = thread::Builder::new()
                .name(format!("{name}-{worker}"))
                .spawn_scoped(scope, move || work(worker, tx));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(source) => {
                    abort.store(true, Ordering::Relaxed);
                    spawn_error = Some(LoadError::Worker { worker, source });
                    break;
                }
            }
        }
        drop(tx);
        let mut timeline = TimelineBuilder::new(handles.len());
        for msg in rx {
            timeline.add(msg);
        }
        let mut results = Vec::with_capacity(handles.len());
        for (worker, handle) in handles.into_iter().enumerate() {
            match handle.join() {
                Ok(Ok(result)) => results.push(result),
                Ok(Err(source)) => {
                    spawn_error.get_or_insert(LoadError::Worker { worker, source });
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        match spawn_error {
            Some(e) => Err(e),
            None => Ok((timeline, results)),
        }
    })
}

/// The workers' common figures, summed.
#[derive(Debug)]
pub(crate) struct Totals {
    pub histogram: LatencyHistogram,
    pub errors: ErrorCounts,
    pub status: BTreeMap<u16, u64>,
    pub requests: u64,
    pub bytes_read: u64,
    pub connects: u64,
    pub abandoned: u64,
    pub warmup_requests: u64,
    pub cpu_s: f64,
    pub max_lag: Duration,
    pub end: Instant,
    pub interrupted: bool,
    /// Wall time of the measured phase, from `measure_start` to the last worker's end.
    pub duration_s: f64,
}

impl Totals {
    /// Sums the workers' results of a run whose measured phase began at `measure_start`.
    pub fn merge<E>(measure_start: Instant, results: &[WorkerResult<E>]) -> Self {
        let mut histogram = LatencyHistogram::new();
        let mut errors = ErrorCounts::default();
        let mut status = BTreeMap::new();
        let (mut requests, mut bytes_read, mut connects, mut abandoned, mut warmup_requests) =
            (0, 0, 0, 0, 0);
        let (mut cpu_s, mut max_lag) = (0.0, Duration::ZERO);
        let mut end = measure_start;
        let mut interrupted = false;
        for r in results {
            histogram.merge(&r.histogram);
            errors.add(&r.errors);
            for (code, count) in r.status.iter().enumerate() {
                if *count > 0 {
                    *status.entry(code as u16).or_insert(0) += count;
                }
            }
            requests += r.requests;
            bytes_read += r.bytes_read;
            connects += r.connects;
            abandoned += r.in_flight;
            warmup_requests += r.warmup_requests;
            cpu_s += r.cpu_s;
            max_lag = max_lag.max(r.max_lag);
            end = end.max(r.end);
            interrupted |= r.interrupted;
        }
        let duration_s = end.saturating_duration_since(measure_start).as_secs_f64();
        Self {
            histogram,
            errors,
            status,
            requests,
            bytes_read,
            connects,
            abandoned,
            warmup_requests,
            cpu_s,
            max_lag,
            end,
            interrupted,
            duration_s,
        }
    }

    /// The report of these figures; the engine-specific fields (`connect_ms`, the open
    /// loop's) are left empty for the engine to fill in. `max_lag` is the generator's
    /// largest lag, `missed_sends` the open loop's `(missed, scheduled)` sends.
    #[allow(clippy::too_many_arguments)]
    pub fn into_report(
        self,
        url: &str,
        model: &'static str,
        connections: usize,
        threads: usize,
        pipeline: usize,
        timeline: TimelineBuilder,
        max_lag: Duration,
        missed_sends: Option<(u64, u64)>,
    ) -> LoadReport {
        let duration_s = self.duration_s;
        let max_lag_ms = max_lag.as_secs_f64() * 1000.0;
        LoadReport {
            url: url.to_string(),
            model: model.to_string(),
            connections,
            threads,
            pipeline,
            requests: self.requests,
            duration_s,
            rps: if duration_s > 0.0 {
                self.requests as f64 / duration_s
            } else {
                0.0
            },
            bytes_read: self.bytes_read,
            errors: self.errors,
            status: self.status,
            latency_ms: self.histogram.summary(),
            histogram: self.histogram,
            connect_ms: None,
            timeline: timeline.finish(duration_s),
            cpu_s: self.cpu_s,
            max_lag_ms,
            connects: self.connects,
            abandoned: self.abandoned,
            warmup_requests: self.warmup_requests,
            interrupted: self.interrupted,
            uncorrected_latency_ms: None,
            uncorrected_histogram: None,
            open: None,
            generator: GeneratorCheck::assess(
                self.cpu_s,
                duration_s,
                threads,
                max_lag_ms,
                missed_sends,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_reach_the_run_histogram_through_the_seconds() {
        let start = Instant::now();
        let (tx, rx) = mpsc::channel();
        let mut stats = WorkerStats::new(start, tx, ());
        let ms = Duration::from_millis;
        stats.response(200, Verdict::Ok, ms(1), start, 10);
        stats.response(503, Verdict::Status, ms(2), start + ms(500), 10);
        stats.failure(Failure::Timeout, start + ms(2500));
        stats.answer(Verdict::Body, ms(3), start + ms(2600), 5);
        let result = stats.finish(start + ms(2700), false);
        let msgs: Vec<IntervalMsg> = rx.iter().collect();
        let seconds: Vec<(u64, u64, u64)> = msgs
            .iter()
            .map(|m| (m.second, m.requests, m.errors))
            .collect();
        assert_eq!(seconds, [(0, 2, 1), (1, 0, 0), (2, 1, 2)]);
        assert_eq!(result.histogram.len(), 3);
        assert_eq!(result.requests, 3);
        assert_eq!(result.bytes_read, 25);
        assert_eq!(
            (
                result.errors.status,
                result.errors.timeout,
                result.errors.body
            ),
            (1, 1, 1)
        );
        let totals = Totals::merge(start, &[result]);
        assert_eq!(totals.status, BTreeMap::from([(200, 1), (503, 1)]));
        assert_eq!(totals.histogram.len(), 3);
        assert!((totals.duration_s - 2.7).abs() < 1e-9);
    }
}
