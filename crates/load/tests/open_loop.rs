//! The open-loop engine against small in-process servers on 127.0.0.1.
//!
//! Every run here lasts a few seconds at most and sends at most a few thousand requests.
//! Rates are checked with tolerances that hold on a loaded two-core machine; latency is
//! only compared across hundreds of milliseconds.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use podium_load::{ClosedLoop, LoadError, OpenLoop, RateSchedule};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PONG: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\npong";

/// What the test server does before answering each request.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// Answers at once.
    Fast,
    /// Answers after this delay.
    Delay(Duration),
    /// Once, from `after` since its first request and for `length`, holds every answer
    /// until the stall is over.
    StallOnce { after: Duration, length: Duration },
}

#[derive(Debug, Default)]
struct Shared {
    requests: AtomicU64,
    open: AtomicUsize,
    peak_open: AtomicUsize,
    first_request: OnceLock<Instant>,
}

#[derive(Debug)]
struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    fn url(&self) -> String {
        format!("http://{}/ping", self.addr)
    }

    fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    fn peak_connections(&self) -> usize {
        self.shared.peak_open.load(Ordering::SeqCst)
    }
}

/// Starts a server on 127.0.0.1:0 in a background thread that lives as long as the test
/// process.
fn serve(behaviour: Behaviour) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("local addr");
    let shared = Arc::new(Shared::default());
    let server_shared = Arc::clone(&shared);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("tokio listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = Arc::clone(&server_shared);
                let open = shared.open.fetch_add(1, Ordering::SeqCst) + 1;
                shared.peak_open.fetch_max(open, Ordering::SeqCst);
                tokio::spawn(async move {
                    handle(stream, behaviour, &shared).await;
                    shared.open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
    });
    Server { addr, shared }
}

/// Removes one complete request (without a body) from the front of `buf`.
fn take_request(buf: &mut Vec<u8>) -> bool {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(buf) {
        Ok(httparse::Status::Complete(n)) => {
            buf.drain(..n);
            true
        }
        Ok(httparse::Status::Partial) => false,
        Err(e) => panic!("the load engine sent a malformed request: {e}"),
    }
}

async fn handle(mut stream: TcpStream, behaviour: Behaviour, shared: &Shared) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while take_request(&mut buf) {
            shared.requests.fetch_add(1, Ordering::SeqCst);
            let first = *shared.first_request.get_or_init(Instant::now);
            match behaviour {
                Behaviour::Fast => {}
                Behaviour::Delay(delay) => tokio::time::sleep(delay).await,
                Behaviour::StallOnce { after, length } => {
                    let (from, to) = (first + after, first + after + length);
                    let now = Instant::now();
                    if now >= from && now < to {
                        tokio::time::sleep_until(to.into()).await;
                    }
                }
            }
            if stream.write_all(PONG).await.is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn open_loop(url: String, schedule: RateSchedule, duration: Duration) -> OpenLoop {
    let mut load = OpenLoop::new(url, schedule);
    load.duration = duration;
    load.threads = 2;
    load.max_connections = 32;
    load.timeout = Duration::from_secs(5);
    load
}

fn constant(rate_per_s: f64) -> RateSchedule {
    RateSchedule::Constant { rate_per_s }
}

#[test]
fn a_stall_shows_in_corrected_latency_but_not_in_a_closed_loop() {
    let stall = Behaviour::StallOnce {
        after: Duration::from_millis(1000),
        length: Duration::from_millis(1000),
    };

    let server = serve(stall);
    let mut load = open_loop(server.url(), constant(200.0), Duration::from_secs(3));
    load.max_connections = 4;
    let open = load.run().unwrap();
    assert_eq!(open.model, "open");
    assert_eq!(open.errors.total(), 0, "{:?}", open.errors);
    assert!(
        (580..=620).contains(&open.requests),
        "{} requests",
        open.requests
    );
    // About a third of the requests were due during the stall or its backlog, each
    // late by up to a second: the corrected p99 shows it.
    assert!(
        open.latency_ms.p99 >= 300.0,
        "corrected p99 {} ms",
        open.latency_ms.p99
    );
    assert!(open.latency_ms.max >= 500.0, "{:?}", open.latency_ms);
    // Only the 4 requests in flight when the stall began saw it after being written.
    let uncorrected = open.uncorrected_latency_ms.expect("open loop keeps both");
    assert!(
        uncorrected.p99 < 100.0,
        "uncorrected p99 {} ms",
        uncorrected.p99
    );
    assert!(uncorrected.max >= 500.0, "{uncorrected:?}");
    assert_eq!(uncorrected.count, open.latency_ms.count);

    // A closed loop on one connection sends nothing while it waits: one slow request.
    let server = serve(stall);
    let mut closed = ClosedLoop::new(server.url());
    closed.connections = 1;
    closed.threads = 1;
    closed.duration = Some(Duration::from_secs(3));
    closed.requests = Some(200_000);
    closed.timeout = Duration::from_secs(5);
    let closed = closed.run().unwrap();
    assert_eq!(closed.errors.total(), 0, "{:?}", closed.errors);
    assert!(
        closed.requests > 300,
        "{} requests in the closed loop",
        closed.requests
    );
    assert!(
        closed.latency_ms.p99 < 100.0,
        "closed p99 {} ms",
        closed.latency_ms.p99
    );
    assert!(closed.latency_ms.max >= 500.0, "{:?}", closed.latency_ms);
    assert!(closed.uncorrected_latency_ms.is_none());
}

#[test]
fn a_constant_rate_is_kept() {
    let server = serve(Behaviour::Fast);
    let load = open_loop(server.url(), constant(500.0), Duration::from_secs(2));
    let report = load.run().unwrap();
    let open = report.open.as_ref().expect("open-loop figures");
    assert_eq!(open.scheduled, 1000);
    assert!(
        (990..=1010).contains(&report.requests),
        "{} requests",
        report.requests
    );
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(server.requests(), report.requests);
    assert!((open.asked_rps - 500.0).abs() < 1e-6, "{open:?}");
    assert!(
        (open.achieved_rps - open.asked_rps).abs() <= open.asked_rps * 0.02,
        "{open:?}"
    );
    assert_eq!(open.sent, report.requests);
    assert!(open.max_send_lag_ms >= 0.0);
    assert!(!report.interrupted);
    let timeline_total: u64 = report.timeline.iter().map(|p| p.requests).sum();
    assert_eq!(timeline_total, report.requests);
    assert!(report.generator.cpu_share >= 0.0 && report.generator.cpu_share < 1.0);
}

#[test]
fn a_ramp_follows_its_schedule() {
    let server = serve(Behaviour::Fast);
    let schedule: RateSchedule = "50:+50/s:200".parse().unwrap();
    let load = open_loop(server.url(), schedule, Duration::from_secs(4));
    let report = load.run().unwrap();
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    let open = report.open.as_ref().expect("open-loop figures");
    // 75 + 125 + 175 + 200 sends in the four seconds.
    assert_eq!(open.scheduled, 575);
    assert!(
        (report.requests as i64 - 575).abs() <= 6,
        "{}",
        report.requests
    );
    assert_eq!(open.schedule, "50:+50/s:200");
    assert!((open.asked_rps - 575.0 / 4.0).abs() < 0.5, "{open:?}");
    let per_second: Vec<u64> = report.timeline.iter().map(|p| p.requests).collect();
    assert!(per_second.len() >= 4, "{:?}", report.timeline);
    for (second, expected) in [75u64, 125, 175, 200].into_iter().enumerate() {
        let got = per_second[second];
        assert!(
            got.abs_diff(expected) <= expected / 10 + 3,
            "second {second}: {got} requests, expected about {expected} ({per_second:?})"
        );
    }
}

#[test]
fn connections_stay_within_the_limit() {
    // 200/s against 50 ms answers needs about 10 connections; only 3 are allowed.
    let server = serve(Behaviour::Delay(Duration::from_millis(50)));
    let mut load = open_loop(server.url(), constant(200.0), Duration::from_secs(1));
    load.max_connections = 3;
    load.threads = 1;
    let report = load.run().unwrap();
    assert!(
        server.peak_connections() <= 3,
        "{}",
        server.peak_connections()
    );
    assert!(report.connections <= 3, "{}", report.connections);
    assert!(report.connects <= 3, "{}", report.connects);
    assert!(report.requests > 0);
    // The wait for a connection counts in corrected latency, not in uncorrected.
    let uncorrected = report.uncorrected_latency_ms.expect("open loop keeps both");
    assert!(uncorrected.p50 < 200.0, "{uncorrected:?}");
    assert!(
        report.latency_ms.p99 > 2.0 * uncorrected.p99,
        "corrected {:?} vs uncorrected {uncorrected:?}",
        report.latency_ms
    );
    // Waiting for a busy connection is the server's doing, not a missed send: were it
    // counted, about two thirds of the sends (those beyond 3 × 20/s) would be missed. A
    // starved test machine still makes the generator itself late now and then.
    let open = report.open.as_ref().expect("open-loop figures");
    assert!(open.missed_sends * 3 < open.scheduled, "{open:?}");
    assert!(open.achieved_rps < 100.0, "{open:?}");
}

#[test]
fn the_stop_flag_ends_the_run_early() {
    let server = serve(Behaviour::Fast);
    let load = open_loop(server.url(), constant(200.0), Duration::from_secs(30));
    let stop = Arc::new(AtomicBool::new(false));
    let setter = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            stop.store(true, Ordering::SeqCst);
        })
    };
    let started = Instant::now();
    let report = load.run_with_stop(&stop).unwrap();
    setter.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(report.interrupted);
    assert!(report.requests > 20, "{}", report.requests);
    assert!(report.duration_s < 10.0);
    let open = report.open.as_ref().expect("open-loop figures");
    // The asked rate is over the part that ran, not the planned 30 s.
    assert!((open.asked_rps - 200.0).abs() < 20.0, "{open:?}");
}

#[test]
fn a_refused_url_is_one_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let started = Instant::now();
    let err = open_loop(
        format!("http://{addr}/ping"),
        constant(100.0),
        Duration::from_secs(1),
    )
    .run()
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    match &err {
        LoadError::Connect { addr: tried, .. } => assert_eq!(*tried, addr),
        other => panic!("expected a connect error, got {other:?}"),
    }
}

#[test]
fn warmup_is_excluded_from_the_figures() {
    let server = serve(Behaviour::Fast);
    let mut load = open_loop(server.url(), constant(200.0), Duration::from_secs(1));
    load.warmup = Duration::from_millis(500);
    let report = load.run().unwrap();
    let open = report.open.as_ref().expect("open-loop figures");
    assert_eq!(open.scheduled, 200);
    assert!(report.requests.abs_diff(200) <= 2, "{}", report.requests);
    assert!(
        report.warmup_requests.abs_diff(100) <= 2,
        "{}",
        report.warmup_requests
    );
    assert_eq!(server.requests(), report.requests + report.warmup_requests);
}

#[test]
fn invalid_settings_are_rejected_before_connecting() {
    let mut load = OpenLoop::new("http://127.0.0.1:9/", constant(100.0));
    load.threads = 4;
    load.max_connections = 2;
    assert!(matches!(load.run(), Err(LoadError::InvalidConfig(_))));

    let load = OpenLoop::new("http://127.0.0.1:9/", constant(0.0));
    assert!(matches!(load.run(), Err(LoadError::InvalidConfig(_))));

    let mut load = OpenLoop::new("http://127.0.0.1:9/", constant(10.0));
    load.duration = Duration::ZERO;
    assert!(matches!(load.run(), Err(LoadError::InvalidConfig(_))));
}

#[test]
fn the_report_serialises_both_latencies_and_the_schedule() {
    let server = serve(Behaviour::Fast);
    let report = open_loop(server.url(), constant(100.0), Duration::from_millis(300))
        .run()
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["model"], "open");
    for key in [
        "latency_ms",
        "uncorrected_latency_ms",
        "schedule",
        "asked_rps",
        "achieved_rps",
        "scheduled",
        "sent",
        "missed_sends",
        "max_send_lag_ms",
        "max_lag_ms",
        "cpu_s",
    ] {
        assert!(json.get(key).is_some(), "missing {key} in {json}");
    }
    for key in ["cpu_s", "cpu_share", "max_lag_ms", "saturated", "reason"] {
        assert!(
            json["generator"].get(key).is_some(),
            "missing generator.{key}"
        );
    }
}
