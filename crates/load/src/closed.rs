//! The closed-loop engine: a fixed number of keep-alive connections, each sending its
//! next request as soon as the previous response is complete (like wrk).

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::task::{Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::future::Either;
use futures_util::stream::FuturesUnordered;
use tokio::sync::Notify;

use crate::check::ResponseCheck;
use crate::conn::{Conn, ExchangeError};
use crate::report::{IntervalMsg, TimelineBuilder};
use crate::request::RequestSource;
use crate::stats::{self, Failure, Totals, run_workers};
use crate::target::Target;
use crate::{LoadError, LoadReport};

/// How often each worker checks the stop flag, rolls the timeline and measures its lag.
const TICK: Duration = Duration::from_millis(10);
/// Pause after a failed connection attempt, so a dead server is not hammered in a spin.
const CONNECT_BACKOFF: Duration = Duration::from_millis(10);

/// A closed-loop HTTP/1.1 load run.
///
/// `connections` keep-alive connections are split across `threads` worker threads, each
/// with its own single-threaded tokio runtime. Every connection sends the same
/// pre-rendered request, waits for the complete response, checks it and sends the next.
/// The run ends when `duration` has passed (requests in flight are then awaited, up to
/// `timeout`), when `requests` responses or failures have been counted, or when the
/// stop flag is set, whichever comes first.
///
/// With [`pipeline`](Self::pipeline) `N > 1` (HTTP/1.1 pipelining, like wrk's
/// `pipeline.lua`), each connection writes `N` requests back to back in one write, then
/// reads the `N` responses in order; see the field for how latency and failures are
/// then counted.
#[derive(Debug, Clone)]
pub struct ClosedLoop {
    /// `http://host:port/path`.
    pub url: String,
    /// Concurrent connections (at least `threads`).
    pub connections: usize,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Length of the measured phase (after warm-up).
    pub duration: Option<Duration>,
    /// Number of exchanges to measure (after warm-up), shared by all connections.
    pub requests: Option<u64>,
    /// Limit for connecting, and for one request until its response is complete
    /// (enforced by each worker's 10 ms tick, so to within 10 ms).
    pub timeout: Duration,
    /// Load sent before measuring; its results are discarded.
    pub warmup: Duration,
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
    /// Requests each connection sends back to back before reading their responses
    /// (HTTP/1.1 pipelining); 1, the default, means no pipelining.
    ///
    /// With `N > 1`, each connection writes a batch of `N` requests (pre-rendered once
    /// as one buffer when the request never changes), then reads the `N` responses in
    /// order. As with wrk's pipeline script, each response's latency is measured from
    /// the write of its whole batch to that response's last byte, so the later
    /// responses of a batch include the time the server took for the earlier ones.
    /// Every response is checked and counted on its own. In request-count mode a
    /// connection claims up to `N` requests at a time, never more than are left, so
    /// the last batches may be shorter. The timeout covers the whole batch: when it
    /// expires, every request of the batch still unanswered counts as a `timeout`
    /// error. When the connection fails (reset, closed before a response was complete,
    /// malformed response), the failed request and every later one of the batch count
    /// as `read` errors. When a response says the connection will close (`Connection:
    /// close`, HTTP/1.0, body until close) before the batch is done, the server has
    /// processed none of the remaining requests (RFC 9112 §9.6), so they are re-sent as
    /// a batch of their own on a new connection (RFC 9112 §9.3.2), their latency
    /// measured from that re-send; during warm-up they are dropped instead.
    pub pipeline: usize,
}

impl ClosedLoop {
    /// wrk's defaults: 10 connections, 2 threads, 10 s, 2 s timeout, `GET`, no warm-up.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            connections: 10,
            threads: 2,
            duration: Some(Duration::from_secs(10)),
            requests: None,
            timeout: Duration::from_secs(2),
            warmup: Duration::ZERO,
            method: "GET".to_string(),
            headers: Vec::new(),
            body: Vec::new(),
            expect_status: None,
            expect_body: None,
            templated: false,
            jsonrpc: false,
            pipeline: 1,
        }
    }

    /// Runs to the end (duration or request count).
    pub fn run(&self) -> Result<LoadReport, LoadError> {
        self.run_with_stop(&AtomicBool::new(false))
    }

    /// Runs until the end or until `stop` is set (e.g. by a Ctrl-C handler); in the latter
    /// case requests in flight are abandoned and the report is marked interrupted.
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

        // A static request is pre-rendered once as a whole batch, sent with one write.
        let batch = (self.pipeline > 1 && !request.static_bytes().is_empty())
            .then(|| request.static_bytes().repeat(self.pipeline));
        let measure_start = Instant::now() + self.warmup;
        let plan = Plan {
            request,
            batch,
            pipeline: self.pipeline,
            connections: self.connections,
            addr,
            head_request: self.method.eq_ignore_ascii_case("HEAD"),
            check: ResponseCheck {
                expect_status: self.expect_status,
                expect_body: self.expect_body.clone(),
                jsonrpc: self.jsonrpc,
            },
            timeout: self.timeout,
            measure_start,
            end: self.duration.map(|d| measure_start + d),
            remaining: self.requests.map(AtomicU64::new),
            stop,
            abort: AtomicBool::new(false),
        };

        let (threads, total) = (self.threads, self.connections);
        let (timeline, results) =
            run_workers(threads, "podium-load", &plan.abort, |worker, tx| {
                let connections = total / threads + usize::from(worker < total % threads);
                // Connections are numbered across workers so templates' {{seq}} never repeats.
                let first_connection = worker * (total / threads) + worker.min(total % threads);
                run_worker(&plan, connections, first_connection, tx)
            })?;
        Ok(self.report(&plan, timeline, results))
    }

    fn validate(&self) -> Result<(), LoadError> {
        let invalid = |msg: String| Err(LoadError::InvalidConfig(msg));
        if self.threads == 0 {
            return invalid("threads must be at least 1".into());
        }
        if self.connections < self.threads {
            return invalid(format!(
                "connections ({}) must be at least threads ({}); raise -c or lower -t",
                self.connections, self.threads
            ));
        }
        if self.duration.is_none() && self.requests.is_none() {
            return invalid("give a duration or a request count".into());
        }
        if self.duration == Some(Duration::ZERO) {
            return invalid("the duration must be longer than zero".into());
        }
        if self.requests == Some(0) {
            return invalid("the request count must be at least 1".into());
        }
        if self.timeout.is_zero() {
            return invalid("the timeout must be longer than zero".into());
        }
        if self.pipeline == 0 {
            return invalid("the pipeline depth must be at least 1 (1 means no pipelining)".into());
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
        let max_lag = totals.max_lag;
        totals.into_report(
            &self.url,
            "closed",
            self.connections,
            self.threads,
            self.pipeline,
            timeline,
            max_lag,
            None,
        )
    }
}

/// Resolves the target and opens one connection, so that a dead server is reported once,
/// clearly, before any worker starts.
pub(crate) fn check_reachable(
    url: &str,
    target: &Target,
    timeout: Duration,
) -> Result<SocketAddr, LoadError> {
    let resolve_error = |reason: String| LoadError::Resolve {
        url: url.to_string(),
        host: target.host.clone(),
        port: target.port,
        reason,
    };
    let addrs: Vec<SocketAddr> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| resolve_error(e.to_string()))?
        .collect();
    let mut last = None;
    for addr in addrs {
        match std::net::TcpStream::connect_timeout(&addr, timeout) {
            Ok(_) => return Ok(addr),
            Err(source) => last = Some((addr, source)),
        }
    }
    match last {
        Some((addr, source)) => Err(LoadError::Connect {
            url: url.to_string(),
            addr,
            source,
        }),
        None => Err(resolve_error("no address found".to_string())),
    }
}

/// Everything the workers share, read-only except for the atomics.
#[derive(Debug)]
struct Plan<'a> {
    request: RequestSource,
    /// With pipelining and a static request: `pipeline` copies of it, back to back.
    batch: Option<Vec<u8>>,
    /// Requests per batch (1: no pipelining).
    pipeline: usize,
    connections: usize,
    addr: SocketAddr,
    head_request: bool,
    check: ResponseCheck,
    timeout: Duration,
    measure_start: Instant,
    end: Option<Instant>,
    /// Exchanges left to measure, in request-count mode.
    remaining: Option<AtomicU64>,
    /// The caller's stop flag.
    stop: &'a AtomicBool,
    /// Set when the run cannot go on (a worker failed to start).
    abort: AtomicBool,
}

impl Plan<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.abort.load(Ordering::Relaxed)
    }

    /// Takes up to `n` exchanges from the request budget; returns how many (0 when none
    /// is left, never more than are left).
    fn claim(&self, n: u64) -> u64 {
        match &self.remaining {
            None => n,
            Some(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    (left > 0).then(|| left - left.min(n))
                })
                .map_or(0, |left| left.min(n)),
        }
    }
}

/// A closed-loop worker's figures: only the common ones.
type WorkerStats = stats::WorkerStats<()>;
type WorkerResult = stats::WorkerResult<()>;

/// The timeout of one connection's request (or batch) in flight, enforced by the
/// worker's [`watch`] at each [`TICK`] rather than by a timer per request: arming and
/// disarming it costs two stores, no timer-wheel entry.
#[derive(Debug, Default)]
struct Deadline {
    /// When the exchange in flight times out; `None` when nothing is in flight.
    due: Cell<Option<Instant>>,
    /// Set by the watcher once `due` has passed; the exchange then gives up.
    expired: Cell<bool>,
    /// Wakes the connection waiting on the exchange.
    waker: RefCell<Option<Waker>>,
}

impl Deadline {
    /// Arms the deadline for an exchange starting at `start`.
    fn arm(&self, start: Instant, timeout: Duration) {
        self.expired.set(false);
        self.due.set(Some(start + timeout));
    }

    fn disarm(&self) {
        self.due.set(None);
    }

    /// Marks the exchange as timed out when its deadline has passed, and wakes it.
    fn check(&self, now: Instant) {
        if self.due.get().is_some_and(|due| now >= due) {
            self.due.set(None);
            self.expired.set(true);
            if let Some(waker) = self.waker.borrow_mut().take() {
                waker.wake();
            }
        }
    }

    /// Runs `work` for at most `limit` (rounded up to the next [`TICK`]): `None` when it
    /// did not complete in time.
    async fn limit<T>(&self, limit: Duration, work: impl Future<Output = T>) -> Option<T> {
        self.arm(Instant::now(), limit);
        let out = self.run(work).await;
        self.disarm();
        out
    }

    /// Runs `exchange` until it completes (`Some`) or the deadline expires (`None`).
    async fn run<T>(&self, exchange: impl Future<Output = T>) -> Option<T> {
        let mut exchange = std::pin::pin!(exchange);
        poll_fn(|cx| {
            if self.expired.get() {
                return Poll::Ready(None);
            }
            match exchange.as_mut().poll(cx) {
                Poll::Ready(out) => Poll::Ready(Some(out)),
                Poll::Pending => {
                    let mut waker = self.waker.borrow_mut();
                    if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        *waker = Some(cx.waker().clone());
                    }
                    Poll::Pending
                }
            }
        })
        .await
    }
}

/// A worker's clock: a small thread that wakes the worker's [`watch`] every [`TICK`].
///
/// The worker's runtime has no timer driver, whose bookkeeping would otherwise cost a
/// clock reading and a timer-wheel check at every wake-up of the event loop, that is
/// for every few responses.
#[derive(Debug, Default)]
struct Ticker {
    notify: Notify,
    /// When the oldest tick not yet handled by the worker was due, for the lag.
    pending: Mutex<Option<Instant>>,
    done: AtomicBool,
}

impl Ticker {
    fn run(&self) {
        let mut due = Instant::now() + TICK;
        while !self.done.load(Ordering::Relaxed) {
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            self.pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(due);
            self.notify.notify_one();
            due = (due + TICK).max(Instant::now());
        }
    }

    /// Waits for the next tick; returns when it was due.
    async fn tick(&self) -> Option<Instant> {
        self.notify.notified().await;
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

/// One worker thread: its own single-threaded runtime driving `connections` connections.
fn run_worker(
    plan: &Plan<'_>,
    connections: usize,
    first_connection: usize,
    timeline: mpsc::Sender<IntervalMsg>,
) -> std::io::Result<WorkerResult> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let ticker = Ticker::default();
    thread::scope(|scope| {
        thread::Builder::new()
            .name("podium-tick".to_string())
            .spawn_scoped(scope, || ticker.run())?;
        // Stops the ticker however `drive` ends, a panic included, so the scope can end.
        struct StopTicker<'a>(&'a Ticker);
        impl Drop for StopTicker<'_> {
            fn drop(&mut self) {
                self.0.done.store(true, Ordering::Relaxed);
            }
        }
        let _stop = StopTicker(&ticker);
        Ok(drive(
            plan,
            connections,
            first_connection,
            timeline,
            &runtime,
            &ticker,
        ))
    })
}

/// Runs a worker's connections on its runtime until they end or the run is stopped.
fn drive(
    plan: &Plan<'_>,
    connections: usize,
    first_connection: usize,
    timeline: mpsc::Sender<IntervalMsg>,
    runtime: &tokio::runtime::Runtime,
    ticker: &Ticker,
) -> WorkerResult {
    let stats = RefCell::new(WorkerStats::new(plan.measure_start, timeline, ()));
    let deadlines: Vec<Deadline> = (0..connections).map(|_| Deadline::default()).collect();
    let interrupted = runtime.block_on(async {
        // The watcher runs among the connections, so that it is polled only when its
        // tick wakes it, not at every wake-up of a connection.
        let mut tasks: FuturesUnordered<_> = deadlines
            .iter()
            .enumerate()
            .map(|(i, deadline)| {
                let stats = &stats;
                Either::Left(async move {
                    Some(connection(plan, stats, deadline, first_connection + i).await)
                })
            })
            .collect();
        tasks.push(Either::Right(async {
            watch(plan, &stats, &deadlines, ticker).await;
            None
        }));
        let mut left = connections;
        let mut stopped = false;
        while let Some(ended) = tasks.next().await {
            match ended {
                // A connection ended, because the run is over or (`true`) was stopped.
                Some(by_flag) => {
                    stopped |= by_flag;
                    left -= 1;
                    if left == 0 {
                        break;
                    }
                }
                // The watcher saw the stop flag.
                None => return true,
            }
        }
        stopped
    });
    stats.into_inner().finish(Instant::now(), interrupted)
}

/// Ticks until the run is stopped: checks the flag, times out exchanges past their
/// deadline, rolls the timeline, measures lag.
async fn watch(
    plan: &Plan<'_>,
    stats: &RefCell<WorkerStats>,
    deadlines: &[Deadline],
    ticker: &Ticker,
) {
    loop {
        let due = ticker.tick().await;
        if plan.stopped() {
            return;
        }
        let now = Instant::now();
        let due = due.unwrap_or(now);
        for deadline in deadlines {
            deadline.check(now);
        }
        stats
            .borrow_mut()
            .tick(now, now.saturating_duration_since(due));
    }
}

/// One connection's loop: connect when needed, send a request (or a pipelined batch),
/// read, check and record each response. Returns true when it ended because the run was
/// stopped rather than finished.
async fn connection(
    plan: &Plan<'_>,
    stats: &RefCell<WorkerStats>,
    deadline: &Deadline,
    index: usize,
) -> bool {
    let mut conn: Option<Conn> = None;
    let mut writer = plan.request.writer(index, plan.connections);
    let mut body = Vec::new();
    // Templated requests of a pipelined batch, rendered back to back.
    let mut batch_buf = Vec::new();
    let collect_body = plan.check.needs_body();
    let static_request = !plan.request.static_bytes().is_empty();
    let pipeline = plan.pipeline as u64;
    // Measured requests left unanswered by a `Connection: close` mid-batch, to re-send;
    // they stay counted in flight meanwhile.
    let mut resend = 0u64;
    // When the previous response completed: a clock reading saved for the next round.
    let mut last_done: Option<Instant> = None;
    loop {
        if plan.stopped() {
            return true;
        }
        // On the steady path (the same connection, a request that needs no rendering),
        // the previous response's completion time also serves as this request's send
        // time: nothing but bookkeeping happens in between, and one clock reading per
        // request is saved.
        let reuse_clock = last_done.is_some() && conn.is_some() && static_request;
        let now = last_done.take().unwrap_or_else(Instant::now);
        let resending = resend > 0;
        let measured = resending || now >= plan.measure_start;
        let count = if resend > 0 {
            std::mem::take(&mut resend)
        } else if !measured {
            pipeline
        } else if plan.end.is_some_and(|end| now >= end) {
            return false;
        } else {
            match plan.claim(pipeline) {
                0 => return false,
                n => n,
            }
        };
        let c = match &mut conn {
            Some(c) => c,
            None => match deadline.limit(plan.timeout, Conn::connect(plan.addr)).await {
                Some(Ok(c)) => {
                    if measured {
                        stats.borrow_mut().result.connects += 1;
                    }
                    conn.insert(c)
                }
                Some(Err(_)) | None => {
                    if measured {
                        let mut stats = stats.borrow_mut();
                        if resending {
                            stats.result.in_flight -= count;
                        }
                        let at = Instant::now();
                        for _ in 0..count {
                            stats.failure(Failure::Connect, at);
                        }
                    }
                    deadline
                        .limit(CONNECT_BACKOFF, std::future::pending::<()>())
                        .await;
                    continue;
                }
            },
        };
        let requests: &[u8] = if plan.pipeline == 1 {
            writer.next()
        } else if let Some(batch) = &plan.batch {
            &batch[..batch.len() / plan.pipeline * count as usize]
        } else {
            batch_buf.clear();
            for _ in 0..count {
                batch_buf.extend_from_slice(writer.next());
            }
            &batch_buf
        };
        if measured && !resending {
            stats.borrow_mut().result.in_flight += count;
        }
        // Responses of this batch recorded so far, and whether the last one closed.
        let mut answered = 0u64;
        let mut closed = false;
        let sent = if reuse_clock { now } else { Instant::now() };
        deadline.arm(sent, plan.timeout);
        let outcome = deadline
            .run(async {
                c.write(requests).await?;
                while answered < count && !closed {
                    let last = answered + 1 == count;
                    body.clear();
                    let response = c
                        .read_response(plan.head_request, collect_body.then_some(&mut body), last)
                        .await?;
                    let done = Instant::now();
                    let bytes = c.take_bytes();
                    answered += 1;
                    closed = response.close;
                    last_done = Some(done);
                    let mut stats = stats.borrow_mut();
                    if measured {
                        stats.result.in_flight -= 1;
                        let verdict = plan.check.verdict(response.status, &body);
                        stats.response(response.status, verdict, done - sent, done, bytes);
                    } else {
                        stats.result.warmup_requests += 1;
                    }
                }
                Ok::<(), ExchangeError>(())
            })
            .await;
        deadline.disarm();
        let unanswered = count - answered;
        let failure = match outcome {
            Some(Ok(())) if closed => {
                conn = None;
                if measured {
                    // The server will not process them: they go out again.
                    resend = unanswered;
                }
                continue;
            }
            Some(Ok(())) => continue,
            Some(Err(_)) => Failure::Read,
            None => Failure::Timeout,
        };
        last_done = None;
        conn = None;
        if measured {
            let done = Instant::now();
            let mut stats = stats.borrow_mut();
            stats.result.in_flight -= unanswered;
            for _ in 0..unanswered {
                stats.failure(failure, done);
            }
        }
    }
}
