//! The WebSocket engine against small in-process echo servers on 127.0.0.1.
//!
//! Every run here is bounded both in time and in message count, and the assertions are
//! on counts and classifications, never on speed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use podium_load::{LoadError, WsLoad};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// What the test server does with each data message.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// Echoes it unchanged.
    Echo,
    /// Answers with the payload plus one byte.
    WrongPayload,
    /// Answers text with binary and binary with text (same payload).
    WrongOpcode,
    /// Echoes this many messages per connection, then sends a close frame.
    CloseAfter(u64),
    /// Echoes this many messages per connection, then drops the TCP connection.
    DropAfter(u64),
    /// Never answers.
    Stall,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    text: AtomicU64,
    binary: AtomicU64,
    closes: AtomicU64,
}

#[derive(Debug)]
struct Server {
    addr: SocketAddr,
    counters: Arc<Counters>,
}

impl Server {
    fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    fn messages(&self) -> u64 {
        self.counters.text.load(Ordering::SeqCst) + self.counters.binary.load(Ordering::SeqCst)
    }

    fn count(&self, counter: fn(&Counters) -> &AtomicU64) -> u64 {
        counter(&self.counters).load(Ordering::SeqCst)
    }
}

/// Starts a WebSocket server on 127.0.0.1:0 in a background thread that lives as long as
/// the test process.
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
                tokio::spawn(handle(stream, behaviour, Arc::clone(&shared)));
            }
        });
    });
    Server { addr, counters }
}

async fn handle(stream: TcpStream, behaviour: Behaviour, counters: Arc<Counters>) {
    let _ = stream.set_nodelay(true);
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    counters.connections.fetch_add(1, Ordering::SeqCst);
    let mut echoed = 0;
    while let Some(Ok(msg)) = ws.next().await {
        let reply = match msg {
            Message::Text(ref text) => {
                counters.text.fetch_add(1, Ordering::SeqCst);
                match behaviour {
                    Behaviour::WrongPayload => Message::text(format!("{}!", text.as_str())),
                    Behaviour::WrongOpcode => {
                        Message::Binary(Bytes::copy_from_slice(text.as_bytes()))
                    }
                    _ => msg,
                }
            }
            Message::Binary(ref bytes) => {
                counters.binary.fetch_add(1, Ordering::SeqCst);
                match behaviour {
                    Behaviour::WrongPayload => {
                        let mut more = bytes.to_vec();
                        more.push(0);
                        Message::binary(more)
                    }
                    Behaviour::WrongOpcode => Message::text(
                        String::from_utf8(bytes.to_vec()).expect("utf-8 payload in this test"),
                    ),
                    _ => msg,
                }
            }
            Message::Close(_) => {
                // tungstenite answers with a close frame on the next read.
                counters.closes.fetch_add(1, Ordering::SeqCst);
                continue;
            }
            _ => continue,
        };
        match behaviour {
            Behaviour::CloseAfter(n) if echoed == n => {
                let _ = ws.close(None).await;
                while let Some(Ok(_)) = ws.next().await {}
                return;
            }
            Behaviour::DropAfter(n) if echoed == n => return,
            Behaviour::Stall => continue,
            _ => {}
        }
        if ws.send(reply).await.is_err() {
            return;
        }
        echoed += 1;
    }
}

/// A run that cannot take long whatever happens: a message budget, a duration cap and a
/// short timeout.
fn bounded(url: String, messages: u64) -> WsLoad {
    let mut load = WsLoad::new(url);
    load.connections = 4;
    load.threads = 2;
    load.messages = Some(messages);
    load.duration = Some(Duration::from_secs(10));
    load.timeout = Duration::from_secs(2);
    load
}

fn assert_timeline_sums(report: &podium_load::LoadReport) {
    let requests: u64 = report.timeline.iter().map(|p| p.requests).sum();
    let errors: u64 = report.timeline.iter().map(|p| p.errors).sum();
    assert_eq!(requests, report.requests, "{:?}", report.timeline);
    assert_eq!(errors, report.errors.total(), "{:?}", report.timeline);
}

#[test]
fn message_count_is_exact_and_connections_close_cleanly() {
    let server = serve(Behaviour::Echo);
    let report = bounded(server.url(), 500).run().expect("run");
    assert_eq!(report.model, "ws");
    assert_eq!(report.requests, 500, "{:?}", report.errors);
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    // One extra connection is the pre-flight check; it sends no data message.
    assert_eq!(server.messages(), 500);
    assert_eq!(report.connects, 4);
    assert_eq!(server.count(|c| &c.connections), 5);
    // Every connection, the pre-flight one included, ended with a close handshake,
    // which the engine awaited before returning.
    assert_eq!(server.count(|c| &c.closes), 5);
    assert_eq!(report.latency_ms.count, 500);
    assert!(report.latency_ms.p50 > 0.0);
    assert_eq!(report.bytes_read, 500 * (2 + "hello, podium".len() as u64));
    assert!(!report.interrupted);
    assert_eq!(report.abandoned, 0);
    assert!(report.status.is_empty());
    assert_timeline_sums(&report);
}

#[test]
fn connect_times_are_reported() {
    let server = serve(Behaviour::Echo);
    let report = bounded(server.url(), 100).run().expect("run");
    let connect = report.connect_ms.expect("connect_ms in a ws report");
    assert_eq!(connect.count, 4);
    assert!(
        connect.min > 0.0 && connect.max >= connect.min,
        "{connect:?}"
    );
    assert!(connect.max < 2000.0, "{connect:?}");
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["model"], "ws");
    assert_eq!(json["connect_ms"]["count"], 4);
    assert!(json["latency_ms"]["p99"].is_number());
}

#[test]
fn text_and_binary_modes_send_their_opcode() {
    let server = serve(Behaviour::Echo);
    let text = bounded(server.url(), 50)
        .with_text("héllo ✓")
        .run()
        .expect("text run");
    assert_eq!((text.requests, text.errors.total()), (50, 0));
    assert_eq!(server.count(|c| &c.text), 50);
    assert_eq!(server.count(|c| &c.binary), 0);

    let payload: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let binary = bounded(server.url(), 50)
        .with_binary(payload)
        .run()
        .expect("binary run");
    assert_eq!((binary.requests, binary.errors.total()), (50, 0));
    assert_eq!(server.count(|c| &c.binary), 50);
    assert_eq!(server.count(|c| &c.text), 50);
    assert_eq!(binary.bytes_read, 50 * (10 + 70_000));
}

#[test]
fn a_wrong_echo_is_a_body_error() {
    for behaviour in [Behaviour::WrongPayload, Behaviour::WrongOpcode] {
        let server = serve(behaviour);
        let report = bounded(server.url(), 200).run().expect("run");
        assert_eq!(report.requests, 200, "{behaviour:?}");
        assert_eq!(
            report.errors.body, 200,
            "{behaviour:?}: {:?}",
            report.errors
        );
        assert_eq!(report.errors.without_response(), 0, "{behaviour:?}");
        assert_eq!(report.connects, 4, "{behaviour:?}");
        assert_timeline_sums(&report);
    }
    let server = serve(Behaviour::WrongOpcode);
    let report = bounded(server.url(), 100)
        .with_binary(b"bytes".to_vec())
        .run()
        .expect("run");
    assert_eq!(report.errors.body, 100, "{:?}", report.errors);
}

#[test]
fn a_server_closing_mid_run_gives_read_errors_and_reconnects() {
    for behaviour in [Behaviour::CloseAfter(10), Behaviour::DropAfter(10)] {
        let server = serve(behaviour);
        let report = bounded(server.url(), 300).run().expect("run");
        let e = report.errors;
        assert!(e.read > 0, "{behaviour:?}: {e:?}");
        assert_eq!(e.connect + e.timeout + e.body, 0, "{behaviour:?}: {e:?}");
        // The budget counts echoes and failures alike.
        assert_eq!(report.requests + e.read, 300, "{behaviour:?}: {e:?}");
        assert!(report.connects > 4, "{behaviour:?}: {}", report.connects);
        assert!(report.requests >= 200, "{behaviour:?}: {}", report.requests);
        assert_eq!(server.messages(), report.requests + e.read, "{behaviour:?}");
        assert_timeline_sums(&report);
    }
}

#[test]
fn an_unanswered_message_times_out() {
    let server = serve(Behaviour::Stall);
    let mut load = bounded(server.url(), 6);
    load.connections = 2;
    load.threads = 1;
    load.timeout = Duration::from_millis(200);
    let started = Instant::now();
    let report = load.run().expect("run");
    assert_eq!(report.errors.timeout, 6, "{:?}", report.errors);
    assert_eq!(report.requests, 0);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_refused_connection_is_one_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let started = Instant::now();
    let err = bounded(format!("ws://{addr}/ws"), 10)
        .run()
        .expect_err("nothing listens there");
    match &err {
        LoadError::Connect { addr: tried, .. } => assert_eq!(*tried, addr),
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(err.to_string().contains("cannot connect"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_server_that_does_not_upgrade_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            listener.set_nonblocking(true).expect("nonblocking");
            let listener = TcpListener::from_std(listener).expect("listener");
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    .await;
            }
        });
    });
    let err = bounded(format!("ws://{addr}/nope"), 10)
        .run()
        .expect_err("no upgrade");
    assert!(matches!(err, LoadError::Connect { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("WebSocket upgrade") && text.contains("404"),
        "{text}"
    );
}

#[test]
fn urls_must_be_ws() {
    for url in ["http://127.0.0.1:8080/ws", "https://127.0.0.1/ws"] {
        match WsLoad::new(url).run() {
            Err(LoadError::InvalidUrl { reason, .. }) => {
                assert!(reason.contains("ws://"), "{reason}");
            }
            other => panic!("expected an invalid URL for {url}, got {other:?}"),
        }
    }
    for url in [
        "wss://127.0.0.1/ws",
        "127.0.0.1:80/ws",
        "ws://",
        "ws://host:0/",
    ] {
        assert!(
            matches!(WsLoad::new(url).run(), Err(LoadError::InvalidUrl { .. })),
            "{url}"
        );
    }
}

#[test]
fn bad_settings_are_rejected() {
    let mut load = WsLoad::new("ws://127.0.0.1:9/ws");
    load.message = vec![0xff, 0xfe];
    assert!(matches!(load.run(), Err(LoadError::InvalidConfig(_))));
    let mut load = WsLoad::new("ws://127.0.0.1:9/ws");
    load.connections = 1;
    assert!(matches!(load.run(), Err(LoadError::InvalidConfig(_))));
    let mut load = WsLoad::new("ws://127.0.0.1:9/ws");
    load.messages = Some(0);
    assert!(matches!(load.run(), Err(LoadError::InvalidConfig(_))));
}

#[test]
fn the_stop_flag_ends_the_run_and_closes_connections() {
    let server = serve(Behaviour::Echo);
    let mut load = bounded(server.url(), u64::MAX);
    load.duration = Some(Duration::from_secs(30));
    let stop = Arc::new(AtomicBool::new(false));
    let setter = Arc::clone(&stop);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        setter.store(true, Ordering::SeqCst);
    });
    let started = Instant::now();
    let report = load.run_with_stop(&stop).expect("run");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(report.interrupted);
    assert!(report.requests > 0);
    assert_eq!(report.errors.total(), 0, "{:?}", report.errors);
    assert!(
        report.duration_s > 0.1 && report.duration_s < 5.0,
        "{}",
        report.duration_s
    );
    assert!(report.abandoned <= 4);
    // The server may still be reading the last echoes, but it must see the close
    // frames of all four connections shortly.
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.count(|c| &c.closes) < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(server.count(|c| &c.closes), 5);
}

#[test]
fn warmup_is_excluded() {
    let server = serve(Behaviour::Echo);
    let mut load = bounded(server.url(), 100);
    load.warmup = Duration::from_millis(200);
    let report = load.run().expect("run");
    assert_eq!(report.requests, 100);
    assert!(report.warmup_requests > 0);
    assert_eq!(server.messages(), 100 + report.warmup_requests);
    // Set-up times include the connections opened during warm-up.
    assert_eq!(report.connect_ms.expect("connect_ms").count, 4);
    assert_eq!(report.connects, 0);
}

#[test]
fn a_duration_run_ends_on_time() {
    let server = serve(Behaviour::Echo);
    let mut load = bounded(server.url(), u64::MAX);
    load.messages = None;
    load.duration = Some(Duration::from_millis(1500));
    let report = load.run().expect("run");
    assert!(
        report.duration_s >= 1.5 && report.duration_s < 3.0,
        "{}",
        report.duration_s
    );
    assert_eq!(
        report.timeline.len() as f64,
        report.duration_s.ceil(),
        "{:?}",
        report.timeline
    );
    assert_eq!(server.messages(), report.requests);
    assert_timeline_sums(&report);
}
