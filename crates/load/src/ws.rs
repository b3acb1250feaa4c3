//! The WebSocket engine: a fixed number of WebSocket connections, each sending one
//! message and awaiting its echo before sending the next (a closed loop per connection),
//! measuring round trips and connection set-up.

use std::cell::{Cell, RefCell};
use std::net::{SocketAddr, ToSocketAddrs};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use futures_util::stream::FuturesUnordered;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

use crate::check::Verdict;
use crate::report::{IntervalMsg, TimelineBuilder};
use crate::stats::{self, Failure, Totals, run_workers};
use crate::target::Target;
use crate::{LatencyHistogram, LoadError, LoadReport};

/// How often each worker checks the stop flag, rolls the timeline and measures its lag.
const TICK: Duration = Duration::from_millis(10);
/// Pause after a failed connection attempt, so a dead server is not hammered in a spin.
const CONNECT_BACKOFF: Duration = Duration::from_millis(10);
/// The longest wait for the server's answer to a close frame (less when `timeout` is).
const CLOSE_WAIT: Duration = Duration::from_secs(1);
/// tungstenite's default limits, raised when the message itself is larger.
const MIN_MAX_MESSAGE: usize = 64 << 20;
const MIN_MAX_FRAME: usize = 16 << 20;

type Socket = WebSocketStream<TcpStream>;

/// A WebSocket echo load run against a `ws://` URL (like the contract's `GET /ws`).
///
/// `connections` WebSocket connections are split across `threads` worker threads, each
/// with its own single-threaded tokio runtime. Every connection sends `message` (as a
/// text or a binary message), waits for the echo, checks that it is the same message
/// (same opcode, same payload) and sends the next. The round trip is the latency; the
/// set-up of every connection (TCP connect plus upgrade handshake) is timed into a second
/// histogram, reported as [`LoadReport::connect_ms`].
///
/// Failures are counted by kind: a failed or timed-out TCP connect or upgrade is a
/// `connect` error, an echo that differs from the message a `body` error (it still counts
/// as a completed exchange), a close frame, reset or protocol error while awaiting the
/// echo a `read` error, and no echo within `timeout` a `timeout` error; after any failure
/// but `body` the connection is dropped and a new one opened. `bytes_read` counts the
/// data frames of the echoes (headers and payloads, not the handshake).
///
/// The run ends when `duration` has passed (echoes in flight are then awaited, up to
/// `timeout`), when `messages` echoes or failures have been counted, or when the stop flag
/// is set, whichever comes first. Every open connection is then closed with a close
/// handshake (waiting at most 1 s, or `timeout` if shorter, for the server's close frame).
#[derive(Debug, Clone)]
pub struct WsLoad {
    /// `ws://host:port/path`.
    pub url: String,
    /// Concurrent connections (at least `threads`).
    pub connections: usize,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Length of the measured phase (after warm-up).
    pub duration: Option<Duration>,
    /// Number of exchanges to measure (after warm-up), shared by all connections.
    pub messages: Option<u64>,
    /// The payload of every message; must be UTF-8 unless `binary`.
    pub message: Vec<u8>,
    /// Send binary messages instead of text messages.
    pub binary: bool,
    /// Limit for connecting (TCP and upgrade), and for one message until its echo arrives.
    pub timeout: Duration,
    /// Load sent before measuring; its results are discarded (except set-up times, see
    /// [`LoadReport::connect_ms`]).
    pub warmup: Duration,
}

impl WsLoad {
    /// 10 connections, 2 threads, 10 s, 2 s timeout, no warm-up, the text message
    /// `hello, podium`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            connections: 10,
            threads: 2,
            duration: Some(Duration::from_secs(10)),
            messages: None,
            message: b"hello, podium".to_vec(),
            binary: false,
            timeout: Duration::from_secs(2),
            warmup: Duration::ZERO,
        }
    }

    /// Sends `text` as a text message.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.message = text.into().into_bytes();
        self.binary = false;
        self
    }

    /// Sends `bytes` as a binary message.
    pub fn with_binary(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.message = bytes.into();
        self.binary = true;
        self
    }

    /// Runs to the end (duration or message count).
    pub fn run(&self) -> Result<LoadReport, LoadError> {
        self.run_with_stop(&AtomicBool::new(false))
    }

    /// Runs until the end or until `stop` is set (e.g. by a Ctrl-C handler); in the latter
    /// case echoes in flight are abandoned, the connections are closed and the report is
    /// marked interrupted.
    pub fn run_with_stop(&self, stop: &AtomicBool) -> Result<LoadReport, LoadError> {
        let message = self.validate()?;
        let target = parse_ws_url(&self.url)?;
        let request = format!("ws://{}{}", target.authority, target.path);
        // The read buffer is allocated eagerly per connection: size it for the echo
        // rather than tungstenite's 128 KiB, so thousands of connections stay cheap.
        let config = WebSocketConfig::default()
            .read_buffer_size((self.message.len() + 14).clamp(4 << 10, 128 << 10))
            .max_message_size(Some(self.message.len().max(MIN_MAX_MESSAGE)))
            .max_frame_size(Some(self.message.len().max(MIN_MAX_FRAME)));
        let close_wait = self.timeout.min(CLOSE_WAIT);
        let addr = check_reachable(&self.url, &target, &request, config, self.timeout)?;

        let measure_start = Instant::now() + self.warmup;
        let plan = Plan {
            request,
            config,
            addr,
            message,
            payload: self.message.clone(),
            binary: self.binary,
            timeout: self.timeout,
            close_wait,
            measure_start,
            end: self.duration.map(|d| measure_start + d),
            remaining: self.messages.map(AtomicU64::new),
            stop,
            abort: AtomicBool::new(false),
        };

        let (threads, total) = (self.threads, self.connections);
        let (timeline, results) = run_workers(threads, "podium-ws", &plan.abort, |worker, tx| {
            let connections = total / threads + usize::from(worker < total % threads);
            run_worker(&plan, connections, tx)
        })?;
        Ok(self.report(&plan, timeline, results))
    }

    /// Checks the settings; returns the message to send.
    fn validate(&self) -> Result<Message, LoadError> {
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
        if self.duration.is_none() && self.messages.is_none() {
            return invalid("give a duration or a message count".into());
        }
        if self.duration == Some(Duration::ZERO) {
            return invalid("the duration must be longer than zero".into());
        }
        if self.messages == Some(0) {
            return invalid("the message count must be at least 1".into());
        }
        if self.timeout.is_zero() {
            return invalid("the timeout must be longer than zero".into());
        }
        if self.binary {
            return Ok(Message::Binary(Bytes::from(self.message.clone())));
        }
        match Utf8Bytes::try_from(self.message.clone()) {
            Ok(text) => Ok(Message::Text(text)),
            Err(_) => invalid(
                "a text message must be valid UTF-8; send other bytes as a binary message".into(),
            ),
        }
    }

    fn report(
        &self,
        plan: &Plan<'_>,
        timeline: TimelineBuilder,
        results: Vec<WorkerResult>,
    ) -> LoadReport {
        let totals = Totals::merge(plan.measure_start, &results);
        let mut connect = LatencyHistogram::new();
        for r in &results {
            connect.merge(&r.extra.connect);
        }
        let max_lag = totals.max_lag;
        let mut report = totals.into_report(
            &self.url,
            "ws",
            self.connections,
            self.threads,
            1,
            timeline,
            max_lag,
            None,
        );
        report.connect_ms = Some(connect.summary());
        report
    }
}

/// Parses `ws://host[:port][/path][?query]` (port 80 by default).
fn parse_ws_url(url: &str) -> Result<Target, LoadError> {
    let bad = |reason: &str| LoadError::InvalidUrl {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("it has no scheme; write it as ws://HOST:PORT/PATH"))?;
    if scheme.eq_ignore_ascii_case("wss") {
        return Err(bad(
            "wss:// (WebSocket over TLS) is not supported by the load engine; use a ws:// URL",
        ));
    }
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        return Err(bad(
            "WebSocket load needs a ws:// URL; write it as ws://HOST:PORT/PATH, e.g. ws://127.0.0.1:8080/ws",
        ));
    }
    if !scheme.eq_ignore_ascii_case("ws") {
        return Err(bad(
            "only ws:// URLs are supported for WebSocket load; write it as ws://HOST:PORT/PATH",
        ));
    }
    Target::parse(&format!("http://{rest}")).map_err(|e| match e {
        LoadError::InvalidUrl { reason, .. } => LoadError::InvalidUrl {
            url: url.to_string(),
            reason: reason.replace("http://", "ws://"),
        },
        other => other,
    })
}

/// Resolves the target and opens one WebSocket connection (TCP and upgrade), so that a
/// dead server, or one that does not speak WebSocket at that path, is reported once,
/// clearly, before any worker starts. The connection is closed with a close handshake.
fn check_reachable(
    url: &str,
    target: &Target,
    request: &str,
    config: WebSocketConfig,
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|source| LoadError::Worker { worker: 0, source })?;
    let connect_error = |addr, source| LoadError::Connect {
        url: url.to_string(),
        addr,
        source,
    };
    runtime.block_on(async {
        let mut last = None;
        for addr in addrs {
            let tcp = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
                Ok(Ok(tcp)) => tcp,
                Ok(Err(source)) => {
                    last = Some((addr, source));
                    continue;
                }
                Err(_) => {
                    let source = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no connection within {timeout:?}"),
                    );
                    last = Some((addr, source));
                    continue;
                }
            };
            let upgrade = tokio::time::timeout(timeout, handshake(tcp, request, config)).await;
            let reason = match upgrade {
                Ok(Ok(socket)) => {
                    close(socket, timeout.min(CLOSE_WAIT)).await;
                    return Ok(addr);
                }
                Ok(Err(e)) => e.to_string(),
                Err(_) => format!("no answer within {timeout:?}"),
            };
            let source = std::io::Error::other(format!(
                "the WebSocket upgrade of {request} failed ({reason})"
            ));
            return Err(connect_error(addr, source));
        }
        match last {
            Some((addr, source)) => Err(connect_error(addr, source)),
            None => Err(resolve_error("no address found".to_string())),
        }
    })
}

/// The upgrade handshake on an open TCP connection.
async fn handshake(
    tcp: TcpStream,
    request: &str,
    config: WebSocketConfig,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    // Small messages must not wait for Nagle's algorithm.
    let _ = tcp.set_nodelay(true);
    let (socket, _response) =
        tokio_tungstenite::client_async_with_config(request, tcp, Some(config)).await?;
    Ok(socket)
}

/// Opens one WebSocket connection: TCP connect and upgrade.
async fn open(plan: &Plan<'_>) -> Result<Socket, ()> {
    let tcp = TcpStream::connect(plan.addr).await.map_err(|_| ())?;
    handshake(tcp, &plan.request, plan.config)
        .await
        .map_err(|_| ())
}

/// Closes a connection with a close handshake: sends a close frame and reads until the
/// server's close frame and the end of the stream, waiting at most `wait`.
async fn close(mut socket: Socket, wait: Duration) {
    let frame = CloseFrame {
        code: CloseCode::Normal,
        reason: Utf8Bytes::from_static(""),
    };
    let _ = tokio::time::timeout(wait, async {
        if socket.close(Some(frame)).await.is_err() {
            return;
        }
        while let Some(Ok(_)) = socket.next().await {}
    })
    .await;
}

/// Everything the workers share, read-only except for the atomics.
#[derive(Debug)]
struct Plan<'a> {
    /// The URL the upgrade request is made for.
    request: String,
    config: WebSocketConfig,
    addr: SocketAddr,
    /// The message sent on every exchange (cloning it shares the payload).
    message: Message,
    payload: Vec<u8>,
    binary: bool,
    timeout: Duration,
    close_wait: Duration,
    measure_start: Instant,
    end: Option<Instant>,
    /// Exchanges left to measure, in message-count mode.
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

    /// Takes one exchange from the message budget; false when none is left.
    fn claim(&self) -> bool {
        match &self.remaining {
            None => true,
            Some(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }

    /// Whether `reply` is the echo of the message sent.
    fn is_echo(&self, reply: &Message) -> bool {
        match reply {
            Message::Text(text) => !self.binary && text.as_bytes() == self.payload.as_slice(),
            Message::Binary(bytes) => self.binary && bytes[..] == self.payload[..],
            _ => false,
        }
    }
}

/// How one exchange ended, short of a timeout.
#[derive(Debug)]
enum Exchange {
    /// A data message arrived: whether it is the echo, and its size on the wire.
    Reply { echo: bool, wire_bytes: u64 },
    /// The server sent a close frame instead of the echo.
    Closed,
    /// The connection failed: reset, end of stream or protocol error.
    Failed,
}

/// Sends the message and waits for the next data message (pings and pongs are skipped;
/// tungstenite answers pings by itself).
async fn round_trip(socket: &mut Socket, plan: &Plan<'_>) -> Exchange {
    if socket.send(plan.message.clone()).await.is_err() {
        return Exchange::Failed;
    }
    loop {
        match socket.next().await {
            Some(Ok(reply @ (Message::Text(_) | Message::Binary(_)))) => {
                return Exchange::Reply {
                    echo: plan.is_echo(&reply),
                    wire_bytes: frame_bytes(reply.len()),
                };
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            Some(Ok(Message::Close(_))) => return Exchange::Closed,
            Some(Err(_)) | None => return Exchange::Failed,
        }
    }
}

/// Size of an unmasked server frame carrying `payload` bytes in one frame.
fn frame_bytes(payload: usize) -> u64 {
    let header = match payload {
        0..=125 => 2,
        126..=65535 => 4,
        _ => 10,
    };
    (header + payload) as u64
}

/// A WebSocket worker's own figures, beside the common ones.
#[derive(Debug)]
struct WsFigures {
    /// Connection set-up times, warm-up included.
    connect: LatencyHistogram,
    /// When the last connection stopped measuring.
    measure_end: Option<Instant>,
}

type WorkerStats = stats::WorkerStats<WsFigures>;
type WorkerResult = stats::WorkerResult<WsFigures>;

impl WorkerStats {
    fn reply(&mut self, echo: bool, latency: Duration, at: Instant, bytes: u64) {
        let verdict = if echo { Verdict::Ok } else { Verdict::Body };
        self.answer(verdict, latency, at, bytes);
    }

    /// A connection stopped measuring at `at` (before closing).
    fn stopped_measuring(&mut self, at: Instant) {
        let end = &mut self.result.extra.measure_end;
        *end = Some(end.map_or(at, |end| end.max(at)));
    }
}

/// One worker thread: its own single-threaded runtime driving `connections` connections.
fn run_worker(
    plan: &Plan<'_>,
    connections: usize,
    timeline: mpsc::Sender<IntervalMsg>,
) -> std::io::Result<WorkerResult> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let ws = WsFigures {
        connect: LatencyHistogram::new(),
        measure_end: None,
    };
    let stats = RefCell::new(WorkerStats::new(plan.measure_start, timeline, ws));
    let interrupted = runtime.block_on(async {
        let stop = Notify::new();
        let stopped = Cell::new(false);
        let watch_done = Cell::new(false);
        let mut conns: FuturesUnordered<_> = (0..connections)
            .map(|_| connection(plan, &stats, &stop))
            .collect();
        let mut watcher = pin!(watch(plan, &stats));
        loop {
            tokio::select! {
                next = conns.next() => match next {
                    Some(by_flag) => stopped.set(stopped.get() | by_flag),
                    None => break,
                },
                () = &mut watcher, if !watch_done.get() => {
                    watch_done.set(true);
                    stopped.set(true);
                    stop.notify_waiters();
                }
            }
        }
        stopped.get()
    });
    let stats = stats.into_inner();
    let end = stats.result.extra.measure_end.unwrap_or_else(Instant::now);
    Ok(stats.finish(end, interrupted))
}

/// Ticks until the run is stopped: checks the flag, rolls the timeline, measures lag.
async fn watch(plan: &Plan<'_>, stats: &RefCell<WorkerStats>) {
    loop {
        let due = Instant::now() + TICK;
        tokio::time::sleep_until(due.into()).await;
        if plan.stopped() {
            return;
        }
        let now = Instant::now();
        stats
            .borrow_mut()
            .tick(now, now.saturating_duration_since(due));
    }
}

/// One connection's loop: connect when needed, send, await the echo, check, record; at
/// the end, close. Returns true when it ended because the run was stopped.
async fn connection(plan: &Plan<'_>, stats: &RefCell<WorkerStats>, stop: &Notify) -> bool {
    let mut socket: Option<Socket> = None;
    let by_flag = loop {
        // Created before the flag is checked, so a stop signalled after the check wakes it.
        let mut stopping = pin!(stop.notified());
        if plan.stopped() {
            break true;
        }
        let now = Instant::now();
        let measured = now >= plan.measure_start;
        if measured && (plan.end.is_some_and(|end| now >= end) || !plan.claim()) {
            break false;
        }
        let ws = match &mut socket {
            Some(ws) => ws,
            None => {
                let started = Instant::now();
                let opened = tokio::select! {
                    opened = tokio::time::timeout(plan.timeout, open(plan)) => opened,
                    () = &mut stopping => break true,
                };
                let done = Instant::now();
                match opened {
                    Ok(Ok(ws)) => {
                        let mut stats = stats.borrow_mut();
                        stats.result.extra.connect.record(done - started);
                        if measured {
                            stats.result.connects += 1;
                        }
                        socket.insert(ws)
                    }
                    Ok(Err(())) | Err(_) => {
                        if measured {
                            stats.borrow_mut().failure(Failure::Connect, done);
                        }
                        tokio::select! {
                            () = tokio::time::sleep(CONNECT_BACKOFF) => continue,
                            () = &mut stopping => break true,
                        }
                    }
                }
            }
        };
        if measured {
            stats.borrow_mut().result.in_flight += 1;
        }
        let sent = Instant::now();
        let outcome = tokio::select! {
            outcome = tokio::time::timeout(plan.timeout, round_trip(ws, plan)) => outcome,
            // The exchange stays counted in flight: it is reported as abandoned.
            () = &mut stopping => break true,
        };
        let done = Instant::now();
        if let Ok(Exchange::Closed) = outcome {
            // Let tungstenite send its answer to the server's close frame.
            let _ = tokio::time::timeout(plan.close_wait, ws.flush()).await;
        }
        let mut stats = stats.borrow_mut();
        if !measured {
            match outcome {
                Ok(Exchange::Reply { .. }) => stats.result.warmup_requests += 1,
                Ok(Exchange::Closed | Exchange::Failed) | Err(_) => socket = None,
            }
            continue;
        }
        stats.result.in_flight -= 1;
        match outcome {
            Ok(Exchange::Reply { echo, wire_bytes }) => {
                stats.reply(echo, done - sent, done, wire_bytes);
            }
            Ok(Exchange::Closed | Exchange::Failed) => {
                socket = None;
                stats.failure(Failure::Read, done);
            }
            Err(_) => {
                socket = None;
                stats.failure(Failure::Timeout, done);
            }
        }
    };
    stats.borrow_mut().stopped_measuring(Instant::now());
    if let Some(ws) = socket {
        close(ws, plan.close_wait).await;
    }
    by_flag
}
