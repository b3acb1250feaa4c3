//! The open-loop engine: requests go out on a schedule of intended send times, whatever
//! the server's speed (like wrk2 and vegeta), and latency is measured from each request's
//! intended send time, so that a server stall shows up in the figures instead of quietly
//! lowering the request rate (coordinated omission).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use podium_workload::RateSchedule;

use crate::check::{ResponseCheck, Verdict};
use crate::closed::check_reachable;
use crate::conn::Conn;
use crate::report::{IntervalMsg, OpenLoopFigures, TimelineBuilder};
use crate::request::RequestSource;
use crate::stats::{self, Failure, Totals, run_workers};
use crate::target::Target;
use crate::{LatencyHistogram, LoadError, LoadReport};

/// How often each worker checks the stop flag, rolls the timeline and measures its lag.
const TICK: Duration = Duration::from_millis(10);
/// A send the generator gets to later than this after its intended time is a missed
/// send. On Linux the schedule is kept with a `timerfd` (microsecond precision), so a
/// healthy generator stays far below it; elsewhere tokio's 1 ms timer is the limit.
#[cfg(target_os = "linux")]
pub const MISSED_SEND_THRESHOLD: Duration = Duration::from_millis(1);
/// A send the generator gets to later than this after its intended time is a missed
/// send (tokio's timer has a 1 ms resolution on this platform).
#[cfg(not(target_os = "linux"))]
pub const MISSED_SEND_THRESHOLD: Duration = Duration::from_millis(2);

/// An open-loop HTTP/1.1 load run.
///
/// Requests go out at the intended send times of `schedule`, split round-robin across
/// `threads` worker threads (each with its own single-threaded tokio runtime). A request
/// uses an idle keep-alive connection, or a new one while fewer than `max_connections`
/// are open; otherwise it waits for the next free connection. Latency is measured from
/// the intended send time into `latency_ms` (so waits for a connection, and the backlog
/// a stalled server causes, count) and from the moment the request was written into
/// `uncorrected_latency_ms`.
///
/// Warm-up sends at the schedule's starting rate; its results are discarded. The
/// measured phase asks for the sends of `duration`; the backlog is then worked off
/// (requests waiting for a connection give up as timeouts once they have waited
/// `timeout`). The stop flag ends the run at once, marked interrupted.
#[derive(Debug, Clone)]
pub struct OpenLoop {
    /// `http://host:port/path`.
    pub url: String,
    /// The arrival rate over time.
    pub schedule: RateSchedule,
    /// Length of the measured phase (after warm-up).
    pub duration: Duration,
    /// The most connections open at once (at least `threads`).
    pub max_connections: usize,
    /// Limit for connecting, for one request from write to complete response, and for a
    /// request's wait for a free connection.
    pub timeout: Duration,
    /// Load sent before measuring; its results are discarded.
    pub warmup: Duration,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Request method.
    pub method: String,
    /// Extra request headers (`Host` is added unless given).
    pub headers: Vec<(String, String)>,
    /// Request body (sent with `Content-Length`).
    pub body: Vec<u8>,
    /// The status every response must have; by default any of 200–399.
    pub expect_status: Option<u16>,
    /// The exact body every response must have (after chunked decoding).
    pub expect_body: Option<Vec<u8>>,
    /// The path, header values and body are templates (`{{seq}}`, `{{faker.email}}`,
    /// `{{token}}`, ...) rendered per request; when false they are sent literally.
    pub templated: bool,
    /// Responses are JSON-RPC: one carrying an error object counts as a `body` error.
    pub jsonrpc: bool,
}

impl OpenLoop {
    /// Defaults: 10 s, up to 100 connections, 2 threads, 2 s timeout, `GET`, no warm-up.
    pub fn new(url: impl Into<String>, schedule: RateSchedule) -> Self {
        Self {
            url: url.into(),
            schedule,
            duration: Duration::from_secs(10),
            max_connections: 100,
            timeout: Duration::from_secs(2),
            warmup: Duration::ZERO,
            threads: 2,
            method: "GET".to_string(),
            headers: Vec::new(),
            body: Vec::new(),
            expect_status: None,
            expect_body: None,
            templated: false,
            jsonrpc: false,
        }
    }

    /// Runs to the end of the schedule.
    pub fn run(&self) -> Result<LoadReport, LoadError> {
        self.run_with_stop(&AtomicBool::new(false))
    }

    /// Runs until the end or until `stop` is set (e.g. by a Ctrl-C handler); in the latter
    /// case requests in flight or waiting are abandoned and the report is marked
    /// interrupted.
    pub fn run_with_stop(&self, stop: &AtomicBool) -> Result<LoadReport, LoadError> {
        self.validate()?;
        let target = Target::parse(&self.url)?;
        let request = RequestSource::build(
            &target,
            &self.method,
            &self.headers,
            &self.body,
            self.templated,
        )?;
        let addr = check_reachable(&self.url, &target, self.timeout)?;

        let run_start = Instant::now();
        let measure_start = run_start + self.warmup;
        let plan = Plan {
            request,
            addr,
            head_request: self.method.eq_ignore_ascii_case("HEAD"),
            check: ResponseCheck {
                expect_status: self.expect_status,
                expect_body: self.expect_body.clone(),
                jsonrpc: self.jsonrpc,
            },
            timeout: self.timeout,
            schedule: self.schedule,
            threads: self.threads,
            run_start,
            measure_start,
            end: measure_start + self.duration,
            stop,
            abort: AtomicBool::new(false),
        };

        let (threads, total) = (self.threads, self.max_connections);
        let (timeline, results) =
            run_workers(threads, "podium-open", &plan.abort, |worker, tx| {
                let max_connections = total / threads + usize::from(worker < total % threads);
                run_worker(&plan, worker, max_connections, tx)
            })?;
        Ok(self.report(&plan, timeline, results))
    }

    fn validate(&self) -> Result<(), LoadError> {
        let invalid = |msg: String| Err(LoadError::InvalidConfig(msg));
        if let Err(e) = self.schedule.validate() {
            return invalid(e.to_string());
        }
        if self.threads == 0 {
            return invalid("threads must be at least 1".into());
        }
        if self.max_connections < self.threads {
            return invalid(format!(
                "max connections ({}) must be at least threads ({}); raise --max-connections or lower -t",
                self.max_connections, self.threads
            ));
        }
        if self.duration.is_zero() {
            return invalid("the duration must be longer than zero".into());
        }
        if self.timeout.is_zero() {
            return invalid("the timeout must be longer than zero".into());
        }
        Ok(())
    }

    fn report(
        &self,
        plan: &Plan<'_>,
        timeline: TimelineBuilder,
        results: Vec<WorkerResult>,
    ) -> LoadReport {
        let totals = Totals::merge(plan.measure_start, &results);
        let mut uncorrected = LatencyHistogram::new();
        let mut sums = [0u64; 4];
        let mut send_lag = Duration::ZERO;
        for r in &results {
            let o = &r.extra;
            uncorrected.merge(&o.uncorrected);
            for (sum, value) in
                sums.iter_mut()
                    .zip([o.scheduled, o.sent, o.sent_in_time, o.missed_sends])
            {
                *sum += value;
            }
            send_lag = send_lag.max(o.max_send_lag);
        }
        let [scheduled, sent, sent_in_time, missed_sends] = sums;
        let peak_connections: usize = results.iter().map(|r| r.extra.peak_connections).sum();
        let (end, interrupted) = (totals.end, totals.interrupted);
        // The window the schedule covered: the whole duration, or up to the stop.
        let window = if interrupted {
            end.saturating_duration_since(plan.measure_start)
                .min(self.duration)
        } else {
            self.duration
        };
        let window_s = window.as_secs_f64();
        let per_window = |count: f64| {
            if window_s > 0.0 {
                count / window_s
            } else {
                0.0
            }
        };
        let max_lag = totals.max_lag.max(send_lag);
        let mut report = totals.into_report(
            &self.url,
            "open",
            peak_connections,
            self.threads,
            1,
            timeline,
            max_lag,
            Some((missed_sends, scheduled)),
        );
        report.uncorrected_latency_ms = Some(uncorrected.summary());
        report.uncorrected_histogram = Some(uncorrected);
        report.open = Some(OpenLoopFigures {
            schedule: self.schedule.to_string(),
            asked_rps: per_window(self.schedule.sends_within(window)),
            achieved_rps: per_window(sent_in_time as f64),
            scheduled,
            sent,
            missed_sends,
            missed_send_threshold_ms: MISSED_SEND_THRESHOLD.as_secs_f64() * 1000.0,
            max_send_lag_ms: send_lag.as_secs_f64() * 1000.0,
            max_connections: self.max_connections,
        });
        report
    }
}

/// Everything the workers share, read-only except for the atomics.
#[derive(Debug)]
struct Plan<'a> {
    request: RequestSource,
    addr: std::net::SocketAddr,
    head_request: bool,
    check: ResponseCheck,
    timeout: Duration,
    schedule: RateSchedule,
    threads: usize,
    run_start: Instant,
    measure_start: Instant,
    end: Instant,
    /// The caller's stop flag.
    stop: &'a AtomicBool,
    /// Set when the run cannot go on (a worker failed to start).
    abort: AtomicBool,
}

impl Plan<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.abort.load(Ordering::Relaxed)
    }
}

/// One worker's share of a schedule: every `stride`th send from `next`, from `origin`
/// until `until` (exclusive).
#[derive(Debug)]
struct Pacer {
    schedule: RateSchedule,
    origin: Instant,
    until: Instant,
    next: u64,
    stride: u64,
}

impl Pacer {
    /// The intended time of this worker's next send, if it is before `until`.
    fn peek(&self) -> Option<Instant> {
        let at = self.origin + self.schedule.send_time(self.next)?;
        (at < self.until).then_some(at)
    }

    fn advance(&mut self) {
        self.next += self.stride;
    }
}

/// A request whose intended send time has come.
#[derive(Debug, Clone, Copy)]
struct Job {
    intended: Instant,
    measured: bool,
}

/// A keep-alive connection and its body buffer.
#[derive(Debug)]
struct Slot {
    conn: Conn,
    body: Vec<u8>,
}

/// What became of one job.
#[derive(Debug)]
struct Done {
    job: Job,
    /// The connection, when it can be reused.
    slot: Option<Slot>,
    /// Whether a connection was opened for it.
    connected: bool,
    /// When the request was written, if it was.
    sent: Option<Instant>,
    at: Instant,
    bytes: u64,
    outcome: Result<(u16, Verdict), Failure>,
}

/// An open-loop worker's own figures, beside the common ones.
#[derive(Debug)]
struct OpenFigures {
    /// Latency from the moment each request was written.
    uncorrected: LatencyHistogram,
    scheduled: u64,
    sent: u64,
    /// Requests written before the end of the measured phase.
    sent_in_time: u64,
    missed_sends: u64,
    peak_connections: usize,
    max_send_lag: Duration,
}

type WorkerStats = stats::WorkerStats<OpenFigures>;
type WorkerResult = stats::WorkerResult<OpenFigures>;

impl WorkerStats {
    /// A measured send became due; `lag` is how late the generator got to it.
    fn scheduled(&mut self, lag: Duration) {
        let o = &mut self.result.extra;
        o.scheduled += 1;
        o.max_send_lag = o.max_send_lag.max(lag);
        if lag > MISSED_SEND_THRESHOLD {
            o.missed_sends += 1;
        }
    }

    /// Records a measured job's outcome.
    fn done(&mut self, done: &Done, end: Instant) {
        let r = &mut self.result;
        if done.connected {
            r.connects += 1;
        }
        if let Some(sent) = done.sent {
            r.extra.sent += 1;
            if sent < end {
                r.extra.sent_in_time += 1;
            }
        }
        match done.outcome {
            Ok((status, verdict)) => {
                if let Some(sent) = done.sent {
                    r.extra
                        .uncorrected
                        .record(done.at.saturating_duration_since(sent));
                }
                let latency = done.at.saturating_duration_since(done.job.intended);
                self.response(status, verdict, latency, done.at, done.bytes);
            }
            Err(kind) => {
                r.bytes_read += done.bytes;
                self.failure(kind, done.at);
            }
        }
    }
}

/// One worker thread: its own single-threaded runtime, its share of the schedule and of
/// the connections.
fn run_worker(
    plan: &Plan<'_>,
    worker: usize,
    max_connections: usize,
    timeline: mpsc::Sender<IntervalMsg>,
) -> std::io::Result<WorkerResult> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let open = OpenFigures {
        uncorrected: LatencyHistogram::new(),
        scheduled: 0,
        sent: 0,
        sent_in_time: 0,
        missed_sends: 0,
        peak_connections: 0,
        max_send_lag: Duration::ZERO,
    };
    let mut stats = WorkerStats::new(plan.measure_start, timeline, open);
    let interrupted = runtime.block_on(drive(plan, worker, max_connections, &mut stats))?;
    Ok(stats.finish(Instant::now(), interrupted))
}

/// The worker's event loop: moves due sends to the queue, starts queued requests on free
/// connections, records outcomes and ticks. Returns true when stopped by the flag.
async fn drive(
    plan: &Plan<'_>,
    worker: usize,
    max_connections: usize,
    stats: &mut WorkerStats,
) -> std::io::Result<bool> {
    let stride = plan.threads as u64;
    let mut writer = plan.request.writer(worker, plan.threads);
    // Warm-up runs at the schedule's starting rate (no warm-up for a ramp from zero).
    let warm_rate = plan.schedule.rate_at(Duration::ZERO);
    let mut warm = Pacer {
        schedule: RateSchedule::Constant {
            rate_per_s: warm_rate,
        },
        origin: plan.run_start,
        until: if warm_rate > 0.0 {
            plan.measure_start
        } else {
            plan.run_start
        },
        next: worker as u64,
        stride,
    };
    let mut main = Pacer {
        schedule: plan.schedule,
        origin: plan.measure_start,
        until: plan.end,
        next: worker as u64,
        stride,
    };
    let timer = precise::Timer::new()?;
    let mut idle: Vec<Slot> = Vec::new();
    let mut open = 0usize;
    let mut queue: VecDeque<Job> = VecDeque::new();
    let mut in_flight = FuturesUnordered::new();
    let mut measured_pending = 0u64;
    let mut tick_due = Instant::now() + TICK;
    let tick = tokio::time::sleep_until(tick_due.into());
    tokio::pin!(tick);
    loop {
        if plan.stopped() {
            stats.result.in_flight += measured_pending;
            return Ok(true);
        }
        let now = Instant::now();
        // Sends whose time has come join the queue.
        loop {
            let (pacer, measured) = if warm.peek().is_some() {
                (&mut warm, false)
            } else {
                (&mut main, true)
            };
            match pacer.peek() {
                Some(intended) if intended <= now => {
                    pacer.advance();
                    if measured {
                        stats.scheduled(now - intended);
                        measured_pending += 1;
                    }
                    queue.push_back(Job { intended, measured });
                }
                _ => break,
            }
        }
        // Requests that waited a whole timeout for a connection give up.
        while let Some(job) = queue.front().copied() {
            if now.saturating_duration_since(job.intended) < plan.timeout {
                break;
            }
            queue.pop_front();
            if job.measured {
                measured_pending -= 1;
                stats.failure(Failure::Timeout, now);
            }
        }
        // Queued requests go out on idle connections, or on new ones up to the limit.
        while let Some(&job) = queue.front() {
            let slot = match idle.pop() {
                Some(slot) => Some(slot),
                None if open < max_connections => {
                    open += 1;
                    stats.result.extra.peak_connections =
                        stats.result.extra.peak_connections.max(open);
                    None
                }
                None => break,
            };
            queue.pop_front();
            in_flight.push(exchange(plan, slot, job, writer.next_owned()));
        }
        let next_send = warm.peek().or_else(|| main.peek());
        if next_send.is_none() && queue.is_empty() && in_flight.is_empty() {
            return Ok(false);
        }
        tokio::select! {
            biased;
            Some(done) = in_flight.next() => {
                let mut done = done;
                match done.slot.take() {
                    Some(slot) => idle.push(slot),
                    None => open -= 1,
                }
                if done.job.measured {
                    measured_pending -= 1;
                    stats.done(&done, plan.end);
                } else if done.outcome.is_ok() {
                    stats.result.warmup_requests += 1;
                }
            }
            () = timer.sleep_until(next_send.unwrap_or(now)), if next_send.is_some() => {}
            () = &mut tick => {
                let now = Instant::now();
                stats.tick(now, now.saturating_duration_since(tick_due));
                tick_due = now + TICK;
                tick.as_mut().reset(tick_due.into());
            }
        }
    }
}

/// Sends one request on `slot` (or on a new connection) and reads the response.
async fn exchange(
    plan: &Plan<'_>,
    slot: Option<Slot>,
    job: Job,
    rendered: Option<Vec<u8>>,
) -> Done {
    let failed = |kind, connected, sent, slot: Option<Slot>| Done {
        job,
        slot,
        connected,
        sent,
        at: Instant::now(),
        bytes: 0,
        outcome: Err(kind),
    };
    let (mut slot, connected) = match slot {
        Some(slot) => (slot, false),
        None => match tokio::time::timeout(plan.timeout, Conn::connect(plan.addr)).await {
            Ok(Ok(conn)) => (
                Slot {
                    conn,
                    body: Vec::new(),
                },
                true,
            ),
            Ok(Err(_)) => return failed(Failure::Connect, false, None, None),
            Err(_) => return failed(Failure::Connect, false, None, None),
        },
    };
    slot.body.clear();
    let collect_body = plan.check.needs_body();
    let sent = Instant::now();
    let outcome = tokio::time::timeout(
        plan.timeout,
        slot.conn.exchange(
            rendered.as_deref().unwrap_or(plan.request.static_bytes()),
            plan.head_request,
            collect_body.then_some(&mut slot.body),
        ),
    )
    .await;
    let at = Instant::now();
    let bytes = slot.conn.take_bytes();
    let (outcome, keep) = match outcome {
        Ok(Ok(response)) => (
            Ok((
                response.status,
                plan.check.verdict(response.status, &slot.body),
            )),
            !response.close,
        ),
        Ok(Err(_)) => (Err(Failure::Read), false),
        Err(_) => (Err(Failure::Timeout), false),
    };
    Done {
        job,
        slot: keep.then_some(slot),
        connected,
        sent: Some(sent),
        at,
        bytes,
        outcome,
    }
}

/// A timer precise enough to keep a schedule of sends microseconds apart: tokio's own
/// timer rounds to whole milliseconds, which would add up to 1 ms to every corrected
/// latency.
#[cfg(target_os = "linux")]
mod precise {
    use std::cell::Cell;
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Instant;

    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    /// A one-shot `timerfd` on `CLOCK_MONOTONIC` (the clock behind `Instant`).
    #[derive(Debug)]
    pub(super) struct Timer {
        fd: AsyncFd<OwnedFd>,
        armed: Cell<Option<Instant>>,
    }

    impl Timer {
        pub fn new() -> io::Result<Self> {
            // SAFETY: a plain system call with constant arguments.
            let raw = unsafe {
                libc::timerfd_create(
                    libc::CLOCK_MONOTONIC,
                    libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
                )
            };
            if raw < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `raw` is a descriptor just created for us and owned by nobody else.
            let fd = unsafe { OwnedFd::from_raw_fd(raw) };
            // SAFETY: the `AsyncFd` owns `fd`, which stays open, and the same descriptor,
            // until the `AsyncFd` is dropped.
            let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }?;
            Ok(Self {
                fd,
                armed: Cell::new(None),
            })
        }

        fn arm(&self, deadline: Instant, now: Instant) -> io::Result<()> {
            let wait = deadline - now;
            // SAFETY: an all-zero `itimerspec` is a valid value of this plain C struct.
            let mut spec: libc::itimerspec = unsafe { std::mem::zeroed() };
            spec.it_value.tv_sec = wait.as_secs() as libc::time_t;
            spec.it_value.tv_nsec = wait.subsec_nanos() as libc::c_long;
            // SAFETY: the descriptor is open and `spec` is a valid `itimerspec`.
            let rc = unsafe {
                libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut())
            };
            if rc != 0 {
                return Err(io::Error::last_os_error());
            }
            self.armed.set(Some(deadline));
            Ok(())
        }

        /// Completes at `deadline` or just after. Dropping it early is harmless: a stale
        /// expiry only makes a later call look at the clock once more.
        pub async fn sleep_until(&self, deadline: Instant) {
            loop {
                let now = Instant::now();
                if now >= deadline {
                    return;
                }
                if self.armed.get() != Some(deadline) && self.arm(deadline, now).is_err() {
                    return tokio::time::sleep_until(deadline.into()).await;
                }
                let Ok(mut guard) = self.fd.readable().await else {
                    return tokio::time::sleep_until(deadline.into()).await;
                };
                let read = guard.try_io(|fd| {
                    let mut expirations = [0u8; 8];
                    // SAFETY: reads at most 8 bytes into a buffer of 8 bytes.
                    let n =
                        unsafe { libc::read(fd.as_raw_fd(), expirations.as_mut_ptr().cast(), 8) };
                    if n < 0 {
                        Err(io::Error::last_os_error())
                    } else {
                        Ok(())
                    }
                });
                if let Ok(Ok(())) = read {
                    // The expiry count was read: nothing is left to read until the next.
                    guard.clear_ready();
                }
            }
        }
    }
}

/// Elsewhere tokio's timer (1 ms resolution) keeps the schedule.
#[cfg(not(target_os = "linux"))]
mod precise {
    use std::time::Instant;

    #[derive(Debug)]
    pub(super) struct Timer;

    impl Timer {
        pub fn new() -> std::io::Result<Self> {
            Ok(Self)
        }

        pub async fn sleep_until(&self, deadline: Instant) {
            tokio::time::sleep_until(deadline.into()).await;
        }
    }
}
