//! The closed-loop engine against small in-process servers on 127.0.0.1.
//!
//! Every run here is bounded both in time and in request count, and the assertions are on
//! counts and classifications, never on speed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use podium_load::{ClosedLoop, LoadError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the test server does with each request.
#[derive(Debug, Clone)]
enum Behaviour {
    /// Writes these bytes (a complete response) and keeps the connection.
    Respond(&'static [u8]),
    /// Writes these bytes, then closes the connection.
    RespondThenClose(&'static [u8]),
    /// Writes these pieces one by one, pausing between them.
    Pieces(&'static [&'static [u8]]),
    /// Answers `n - 1` requests with `PONG` and the `n`-th with `PONG_CLOSE`
    /// (`Connection: close`), then closes the connection.
    CloseAfter(usize),
    /// Answers `n` requests with `PONG`, then closes the connection without a word.
    DropAfter(usize),
    /// Answers with these two responses in turn, per connection.
    Alternate(&'static [u8], &'static [u8]),
    /// Closes the connection without answering.
    CloseWithoutAnswer,
    /// Never answers.
    Stall,
}

const PONG: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\npong";
const PONG_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\npong";

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    body_bytes: AtomicU64,
    /// Reads that brought more than one complete request (pipelined batches).
    batched_reads: AtomicU64,
    /// Request line and body of every request, for template tests.
    seen: std::sync::Mutex<Vec<(String, Vec<u8>)>>,
}

#[derive(Debug)]
struct Server {
    addr: SocketAddr,
    counters: Arc<Counters>,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::SeqCst)
    }

    fn batched_reads(&self) -> u64 {
        self.counters.batched_reads.load(Ordering::SeqCst)
    }
}

/// Starts a server on 127.0.0.1:0 in a background thread that lives as long as the test
/// process.
fn serve(behaviour: Behaviour) -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("local addr");
    let counters = Arc::new(Counters::default());
    let shared = Arc::clone(&counters);
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
                tokio::spawn(handle(stream, behaviour.clone(), Arc::clone(&shared)));
            }
        });
    });
    Server { addr, counters }
}

/// Removes one complete request from the front of `buf`; returns its request line and body.
fn take_request(buf: &mut Vec<u8>) -> Option<(String, Vec<u8>)> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    let head = match request.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return None,
        Err(e) => panic!("the load engine sent a malformed request: {e}"),
    };
    let length = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .map_or(0, |h| {
            std::str::from_utf8(h.value)
                .expect("utf-8 length")
                .parse::<usize>()
                .expect("numeric length")
        });
    if buf.len() < head + length {
        return None;
    }
    let line = format!(
        "{} {}",
        request.method.unwrap_or(""),
        request.path.unwrap_or("")
    );
    let body = buf[head..head + length].to_vec();
    buf.drain(..head + length);
    Some((line, body))
}

async fn handle(mut stream: TcpStream, behaviour: Behaviour, counters: Arc<Counters>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut answered = 0;
    loop {
        let mut taken = 0;
        while let Some((line, body)) = take_request(&mut buf) {
            taken += 1;
            if taken == 2 {
                counters.batched_reads.fetch_add(1, Ordering::SeqCst);
            }
            answered += 1;
            counters.requests.fetch_add(1, Ordering::SeqCst);
            counters
                .body_bytes
                .fetch_add(body.len() as u64, Ordering::SeqCst);
            counters.seen.lock().expect("lock").push((line, body));
            let written = match &behaviour {
                Behaviour::Respond(bytes) => stream.write_all(bytes).await,
                Behaviour::RespondThenClose(bytes) => {
                    let _ = stream.write_all(bytes).await;
                    return;
                }
                Behaviour::Pieces(pieces) => {
                    let mut result = Ok(());
                    for piece in pieces.iter() {
                        result = stream.write_all(piece).await;
                        if result.is_err() {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    result
                }
                Behaviour::CloseAfter(n) if answered >= *n => {
                    let _ = stream.write_all(PONG_CLOSE).await;
                    return;
                }
                Behaviour::CloseAfter(_) => stream.write_all(PONG).await,
                Behaviour::DropAfter(n) => {
                    let result = stream.write_all(PONG).await;
                    if answered >= *n {
                        return;
                    }
                    result
                }
                Behaviour::Alternate(first, second) => {
                    let bytes = if answered % 2 == 1 { first } else { second };
                    stream.write_all(bytes).await
                }
                Behaviour::CloseWithoutAnswer => return,
                Behaviour::Stall => std::future::pending().await,
            };
            if written.is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A run bounded by both a request count and a duration.
fn bounded(url: String, connections: usize, threads: usize, requests: u64) -> ClosedLoop {
    let mut load = ClosedLoop::new(url);
    load.connections = connections;
    load.threads = threads;
    load.requests = Some(requests);
    load.duration = Some(Duration::from_secs(20));
    load.timeout = Duration::from_secs(5);
    load
}

#[test]
fn request_count_mode_is_exact() {
    let server = serve(Behaviour::Respond(PONG));
    let report = bounded(server.url("/ping"), 8, 2, 500).run().unwrap();
    assert_eq!(report.requests, 500);
    assert_eq!(
        server.requests(),
        500,
        "the server saw what the loader counted"
    );
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(report.status.get(&200), Some(&500));
    assert_eq!(report.latency_ms.count, 500);
    assert_eq!(report.histogram.len(), 500);
    assert_eq!(report.bytes_read, 500 * PONG.len() as u64);
    assert_eq!(report.connects, 8);
    assert_eq!(report.abandoned, 0);
    assert!(!report.interrupted);
    assert!(report.duration_s > 0.0 && report.rps > 0.0);
    let timeline_total: u64 = report.timeline.iter().map(|p| p.requests).sum();
    assert_eq!(timeline_total, 500);
    assert!(report.latency_ms.min <= report.latency_ms.p50);
    assert!(report.latency_ms.p50 <= report.latency_ms.p99);
    assert!(report.latency_ms.p99 <= report.latency_ms.max);
}

#[test]
fn refused_connection_is_one_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let started = Instant::now();
    let err = bounded(format!("http://{addr}/ping"), 4, 2, 100)
        .run()
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it must not hang"
    );
    match &err {
        LoadError::Connect { addr: tried, .. } => assert_eq!(*tried, addr),
        other => panic!("expected a connect error, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&addr.to_string()), "{message}");
    assert!(
        message.contains("check that the server is running"),
        "{message}"
    );
}

#[test]
fn server_errors_count_as_status_errors() {
    let server = serve(Behaviour::Respond(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\noops",
    ));
    let report = bounded(server.url("/"), 4, 2, 100).run().unwrap();
    assert_eq!(report.requests, 100, "wrong answers are still responses");
    assert_eq!(report.errors.status, 100);
    assert_eq!(report.errors.total(), 100, "{:?}", report.errors);
    assert_eq!(report.status.get(&500), Some(&100));
    assert_eq!(server.requests(), 100);
}

#[test]
fn expected_status_is_what_counts() {
    let server = serve(Behaviour::Respond(
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
    ));
    let mut load = bounded(server.url("/missing"), 2, 1, 50);
    load.expect_status = Some(404);
    let report = load.run().unwrap();
    assert_eq!((report.requests, report.errors.total()), (50, 0));

    let server = serve(Behaviour::Respond(PONG));
    let mut load = bounded(server.url("/ping"), 2, 1, 50);
    load.expect_status = Some(201);
    let report = load.run().unwrap();
    assert_eq!(report.errors.status, 50);
}

#[test]
fn wrong_body_counts_as_body_error() {
    let server = serve(Behaviour::Respond(
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npang",
    ));
    let mut load = bounded(server.url("/ping"), 4, 2, 80);
    load.expect_body = Some(b"pong".to_vec());
    let report = load.run().unwrap();
    assert_eq!(report.requests, 80);
    assert_eq!(report.errors.body, 80);
    assert_eq!(report.errors.total(), 80, "{:?}", report.errors);
}

#[test]
fn chunked_responses_are_decoded() {
    static PIECES: &[&[u8]] = &[
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\npo",
        b"\r\n2;ext=x\r\nng\r\n",
        b"0\r\nX-Trailer: t\r\n",
        b"\r\n",
    ];
    let server = serve(Behaviour::Pieces(PIECES));
    let mut load = bounded(server.url("/json"), 4, 2, 40);
    load.expect_body = Some(b"pong".to_vec());
    let report = load.run().unwrap();
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(report.requests, 40);
    assert_eq!(server.requests(), 40);
    assert_eq!(report.connects, 4, "chunked responses keep the connection");
}

#[test]
fn connection_close_reconnects_without_errors() {
    let server = serve(Behaviour::RespondThenClose(
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\npong",
    ));
    let mut load = bounded(server.url("/ping"), 3, 1, 60);
    load.expect_body = Some(b"pong".to_vec());
    let report = load.run().unwrap();
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(report.requests, 60);
    assert_eq!(report.connects, 60, "one connection per response");
    assert_eq!(server.requests(), 60);
}

#[test]
fn body_until_close_is_read_to_the_end() {
    let server = serve(Behaviour::RespondThenClose(
        b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npong",
    ));
    let mut load = bounded(server.url("/ping"), 2, 1, 20);
    load.expect_body = Some(b"pong".to_vec());
    let report = load.run().unwrap();
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(report.requests, 20);
}

#[test]
fn closing_without_an_answer_is_a_read_error() {
    let server = serve(Behaviour::CloseWithoutAnswer);
    let report = bounded(server.url("/ping"), 3, 1, 30).run().unwrap();
    assert_eq!(report.requests, 0);
    assert_eq!(report.errors.read, 30, "{:?}", report.errors);
    assert_eq!(report.errors.total(), 30, "{:?}", report.errors);
}

#[test]
fn a_stalled_server_times_out() {
    let server = serve(Behaviour::Stall);
    let mut load = bounded(server.url("/slow"), 2, 1, 4);
    load.timeout = Duration::from_millis(200);
    let report = load.run().unwrap();
    assert_eq!(report.requests, 0);
    assert_eq!(report.errors.timeout, 4, "{:?}", report.errors);
    assert_eq!(report.errors.total(), 4);
    assert_eq!(report.abandoned, 0);
}

#[test]
fn every_budgeted_exchange_has_one_outcome() {
    // Requests and connection-level failures together add up to the budget.
    let server = serve(Behaviour::Respond(PONG));
    let report = bounded(server.url("/ping"), 5, 2, 333).run().unwrap();
    assert_eq!(report.requests + report.errors.without_response(), 333);
}

#[test]
fn duration_mode_ends_on_time_and_matches_the_server() {
    let server = serve(Behaviour::Respond(PONG));
    let mut load = bounded(server.url("/ping"), 4, 2, 5_000_000);
    load.duration = Some(Duration::from_millis(1000));
    let started = Instant::now();
    let report = load.run().unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(1000), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
    assert!(report.duration_s >= 0.99, "{}", report.duration_s);
    assert!(report.requests > 0);
    assert!(!report.interrupted);
    assert_eq!(
        server.requests(),
        report.requests,
        "requests in flight at the end are awaited, so the counts agree"
    );
    let timeline_total: u64 = report.timeline.iter().map(|p| p.requests).sum();
    assert_eq!(timeline_total, report.requests);
    assert!(!report.timeline.is_empty() && report.timeline.len() <= 3);
    assert_eq!(report.timeline[0].t_s, 0);
}

#[test]
fn the_stop_flag_ends_the_run_early() {
    let server = serve(Behaviour::Respond(PONG));
    let mut load = bounded(server.url("/ping"), 4, 2, 5_000_000);
    load.duration = Some(Duration::from_secs(30));
    let stop = Arc::new(AtomicBool::new(false));
    let setter = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            stop.store(true, Ordering::SeqCst);
        })
    };
    let started = Instant::now();
    let report = load.run_with_stop(&stop).unwrap();
    setter.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(report.interrupted);
    assert!(report.requests > 0);
    assert!(report.duration_s < 10.0);
}

#[test]
fn the_stop_flag_interrupts_a_stalled_run() {
    let server = serve(Behaviour::Stall);
    let mut load = bounded(server.url("/slow"), 2, 1, 100);
    load.timeout = Duration::from_secs(30);
    let stop = Arc::new(AtomicBool::new(false));
    let setter = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            stop.store(true, Ordering::SeqCst);
        })
    };
    let started = Instant::now();
    let report = load.run_with_stop(&stop).unwrap();
    setter.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(report.interrupted);
    assert_eq!(report.requests, 0);
    assert_eq!(report.abandoned, 2, "one request in flight per connection");
}

#[test]
fn a_stop_flag_set_before_the_start_sends_nothing() {
    let server = serve(Behaviour::Respond(PONG));
    let stop = AtomicBool::new(true);
    let report = bounded(server.url("/ping"), 2, 1, 100)
        .run_with_stop(&stop)
        .unwrap();
    assert!(report.interrupted);
    assert_eq!(report.requests, 0);
    assert_eq!(server.requests(), 0);
}

#[test]
fn warmup_is_excluded_from_the_figures() {
    let server = serve(Behaviour::Respond(PONG));
    let mut load = bounded(server.url("/ping"), 2, 1, 200);
    load.warmup = Duration::from_millis(300);
    let report = load.run().unwrap();
    assert_eq!(report.requests, 200);
    assert!(report.warmup_requests > 0);
    assert_eq!(server.requests(), 200 + report.warmup_requests);
    assert_eq!(report.latency_ms.count, 200);
}

#[test]
fn a_post_body_is_sent_with_its_length() {
    let server = serve(Behaviour::Respond(
        b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}",
    ));
    let body = br#"{"name":"a","email":"a@example.com"}"#;
    let mut load = bounded(server.url("/users"), 2, 1, 10);
    load.method = "POST".to_string();
    load.headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    load.body = body.to_vec();
    load.expect_status = Some(201);
    let report = load.run().unwrap();
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(
        server.counters.body_bytes.load(Ordering::SeqCst),
        10 * body.len() as u64
    );
}

#[test]
fn invalid_settings_are_rejected_before_connecting() {
    let mut load = ClosedLoop::new("http://127.0.0.1:9/");
    load.threads = 4;
    load.connections = 2;
    assert!(matches!(load.run(), Err(LoadError::InvalidConfig(_))));

    let mut load = ClosedLoop::new("http://127.0.0.1:9/");
    load.duration = None;
    load.requests = None;
    assert!(matches!(load.run(), Err(LoadError::InvalidConfig(_))));

    let load = ClosedLoop::new("https://127.0.0.1:9/");
    assert!(matches!(load.run(), Err(LoadError::InvalidUrl { .. })));
}

#[test]
fn the_report_serialises_with_the_documented_keys() {
    let server = serve(Behaviour::Respond(PONG));
    let report = bounded(server.url("/ping"), 2, 1, 20).run().unwrap();
    let json = serde_json::to_value(&report).unwrap();
    for key in [
        "requests",
        "duration_s",
        "rps",
        "errors",
        "status",
        "latency_ms",
        "timeline",
        "interrupted",
        "cpu_s",
        "max_lag_ms",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    for kind in ["connect", "timeout", "read", "status", "body"] {
        assert!(json["errors"].get(kind).is_some(), "missing errors.{kind}");
    }
    for stat in [
        "min", "mean", "stdev", "p50", "p75", "p90", "p99", "p999", "max",
    ] {
        assert!(
            json["latency_ms"].get(stat).is_some(),
            "missing latency_ms.{stat}"
        );
    }
    assert_eq!(json["status"]["200"], 20);
}

#[test]
fn templates_are_rendered_per_request_with_disjoint_sequences() {
    let server = serve(Behaviour::Respond(PONG));
    let mut load = bounded(server.url("/users/{{seq}}"), 6, 2, 120);
    load.templated = true;
    load.method = "POST".into();
    load.body = br#"{"name":"{{faker.name}}","email":"{{faker.email}}"}"#.to_vec();
    let report = load.run().unwrap();
    assert_eq!(report.requests, 120);
    let seen = server.counters.seen.lock().unwrap().clone();
    let mut seqs: Vec<u64> = seen
        .iter()
        .map(|(line, _)| line.trim_start_matches("POST /users/").parse().unwrap())
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    // The check connection sends nothing; every measured request has its own number.
    assert_eq!(seqs.len(), seen.len(), "{seen:?}");
    for (_, body) in &seen {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert!(v["email"].as_str().unwrap().contains('@'), "{v}");
        assert!(!v["name"].as_str().unwrap().trim().is_empty(), "{v}");
    }
}

#[test]
fn literal_requests_are_not_templated_unless_asked() {
    let server = serve(Behaviour::Respond(PONG));
    let report = bounded(server.url("/x/{{seq}}"), 1, 1, 3).run().unwrap();
    assert_eq!(report.requests, 3);
    assert!(
        server
            .counters
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|(line, _)| line == "GET /x/{{seq}}")
    );
    let mut bad = bounded(server.url("/x/{{nope}}"), 1, 1, 3);
    bad.templated = true;
    let err = bad.run().unwrap_err().to_string();
    assert!(err.contains("unknown placeholder"), "{err}");
}

#[test]
fn jsonrpc_error_objects_count_as_body_errors() {
    const RPC_ERROR: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 77\r\n\r\n{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":1}";
    let server = serve(Behaviour::Respond(RPC_ERROR));
    let mut load = bounded(server.url("/rpc"), 2, 1, 40);
    load.jsonrpc = true;
    let report = load.run().unwrap();
    assert_eq!(report.requests, 40);
    assert_eq!(report.errors.body, 40);
    // Without the JSON-RPC check the same answers are plain 200s.
    let report = bounded(server.url("/rpc"), 2, 1, 40).run().unwrap();
    assert_eq!(report.errors.total(), 0);
}

/// A request-count run with pipelining.
fn pipelined(url: String, connections: usize, requests: u64, depth: usize) -> ClosedLoop {
    let mut load = bounded(url, connections, 1, requests);
    load.pipeline = depth;
    load
}

#[test]
fn pipelined_request_counts_are_exact() {
    for budget in [400, 502] {
        let server = serve(Behaviour::Respond(PONG));
        let mut load = pipelined(server.url("/ping"), 3, budget, 4);
        load.threads = 3;
        load.expect_body = Some(b"pong".to_vec());
        let report = load.run().unwrap();
        assert_eq!(report.requests, budget, "never more than the budget");
        assert_eq!(server.requests(), budget, "the server saw what was counted");
        assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
        assert_eq!(report.latency_ms.count, budget);
        assert_eq!(report.bytes_read, budget * PONG.len() as u64);
        assert_eq!(report.connects, 3);
        assert_eq!(report.abandoned, 0);
        assert_eq!(report.pipeline, 4);
        let timeline_total: u64 = report.timeline.iter().map(|p| p.requests).sum();
        assert_eq!(timeline_total, budget);
        assert!(
            server.batched_reads() > 0,
            "requests arrive batched: {} reads with several",
            server.batched_reads()
        );
    }
}

#[test]
fn without_pipelining_requests_arrive_one_at_a_time() {
    let server = serve(Behaviour::Respond(PONG));
    let report = bounded(server.url("/ping"), 2, 1, 100).run().unwrap();
    assert_eq!((report.requests, report.pipeline), (100, 1));
    assert_eq!(server.batched_reads(), 0);
}

#[test]
fn the_pipeline_depth_is_in_the_json_report() {
    let server = serve(Behaviour::Respond(PONG));
    let report = pipelined(server.url("/ping"), 1, 8, 2).run().unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["pipeline"], 2);
    let report = bounded(server.url("/ping"), 1, 1, 8).run().unwrap();
    assert_eq!(serde_json::to_value(&report).unwrap()["pipeline"], 1);
}

#[test]
fn pipelined_templates_render_every_request() {
    let server = serve(Behaviour::Respond(PONG));
    let mut load = pipelined(server.url("/users/{{seq}}"), 2, 30, 4);
    load.templated = true;
    let report = load.run().unwrap();
    assert_eq!(report.requests, 30);
    assert!(server.batched_reads() > 0);
    let seen = server.counters.seen.lock().unwrap().clone();
    let mut seqs: Vec<u64> = seen
        .iter()
        .map(|(line, _)| line.trim_start_matches("GET /users/").parse().unwrap())
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 30, "{seen:?}");
}

#[test]
fn pipelined_responses_are_checked_one_by_one() {
    let server = serve(Behaviour::Alternate(
        PONG,
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npang",
    ));
    let mut load = pipelined(server.url("/ping"), 2, 80, 4);
    load.expect_body = Some(b"pong".to_vec());
    let report = load.run().unwrap();
    assert_eq!(report.requests, 80);
    assert_eq!(report.errors.body, 40, "every other response is wrong");
    assert_eq!(report.errors.total(), 40, "{:?}", report.errors);
    assert_eq!(report.connects, 2);
}

#[test]
fn connection_close_mid_batch_resends_the_rest() {
    // The server answers two requests of each batch of four, the second with
    // `Connection: close`: the other two are sent again on a new connection.
    let server = serve(Behaviour::CloseAfter(2));
    let mut load = pipelined(server.url("/ping"), 1, 42, 4);
    load.expect_body = Some(b"pong".to_vec());
    let report = load.run().unwrap();
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(report.requests, 42);
    assert_eq!(
        server.requests(),
        42,
        "unanswered requests were not processed"
    );
    assert_eq!(report.connects, 21, "a new connection every two responses");
    assert_eq!(report.abandoned, 0);
}

#[test]
fn a_connection_dropped_mid_batch_fails_the_rest() {
    // Closed after two responses without `Connection: close`: the third response is a
    // read error, and so is the fourth, never answered.
    let server = serve(Behaviour::DropAfter(2));
    let report = pipelined(server.url("/ping"), 1, 40, 4).run().unwrap();
    assert_eq!(report.requests, 20);
    assert_eq!(report.errors.read, 20, "{:?}", report.errors);
    assert_eq!(report.errors.total(), 20, "{:?}", report.errors);
    assert_eq!(server.requests(), 20);
    assert_eq!(report.connects, 10);
}

#[test]
fn the_timeout_covers_the_whole_batch() {
    let server = serve(Behaviour::Stall);
    let mut load = pipelined(server.url("/slow"), 2, 16, 4);
    load.timeout = Duration::from_millis(200);
    let started = Instant::now();
    let report = load.run().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report.requests, 0);
    assert_eq!(report.errors.timeout, 16, "{:?}", report.errors);
    assert_eq!(report.errors.total(), 16);
    assert_eq!(report.abandoned, 0);
}

#[test]
fn pipelined_warmup_and_duration_match_the_server() {
    let server = serve(Behaviour::Respond(PONG));
    let mut load = pipelined(server.url("/ping"), 2, 5_000_000, 8);
    load.warmup = Duration::from_millis(200);
    load.duration = Some(Duration::from_millis(500));
    let report = load.run().unwrap();
    assert!(report.requests > 0 && report.warmup_requests > 0);
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert_eq!(
        server.requests(),
        report.requests + report.warmup_requests,
        "batches in flight at the end are awaited"
    );
    assert_eq!(report.latency_ms.count, report.requests);
}

#[test]
fn the_stop_flag_interrupts_a_stalled_pipelined_run() {
    let server = serve(Behaviour::Stall);
    let mut load = pipelined(server.url("/slow"), 2, 100, 4);
    load.timeout = Duration::from_secs(30);
    let stop = Arc::new(AtomicBool::new(false));
    let setter = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            stop.store(true, Ordering::SeqCst);
        })
    };
    let started = Instant::now();
    let report = load.run_with_stop(&stop).unwrap();
    setter.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(report.interrupted);
    assert_eq!(report.requests, 0);
    assert_eq!(
        report.abandoned, 8,
        "a batch of four in flight per connection"
    );
}

#[test]
fn a_pipeline_depth_of_zero_is_rejected() {
    let mut load = ClosedLoop::new("http://127.0.0.1:9/");
    load.pipeline = 0;
    match load.run() {
        Err(LoadError::InvalidConfig(message)) => {
            assert!(message.contains("pipeline"), "{message}");
        }
        other => panic!("expected an invalid-config error, got {other:?}"),
    }
}
