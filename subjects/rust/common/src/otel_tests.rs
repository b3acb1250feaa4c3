//! Tests of the OpenTelemetry set-up (`otel.rs`), kept apart so that `otel.rs`
//! holds only the lines the OTel variant adds.

use std::io::{Read, Write};
use std::net::TcpListener;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::{Context, KeyValue, baggage::BaggageExt, global};

use crate::otel::*;

#[test]
fn refuses_what_is_not_http_on_loopback() {
    for ok in [
        "http://127.0.0.1:9/x",
        "http://localhost/",
        "http://[::1]:8080/?a=b",
    ] {
        assert!(check_downstream_url(ok).is_ok(), "{ok} refused");
    }
    for bad in [
        "",
        "https://127.0.0.1/",
        "http://example.com/",
        "http://10.0.0.1/",
        "127.0.0.1:80",
    ] {
        assert!(check_downstream_url(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn propagators_follow_otel_propagators() {
    // Only the default is checked here: the variable is process-wide and tests run in parallel.
    let fields: Vec<String> = propagators_from_env()
        .expect("default propagators")
        .fields()
        .map(str::to_string)
        .collect();
    assert!(fields.contains(&"traceparent".to_string()), "{fields:?}");
    assert!(fields.contains(&"baggage".to_string()), "{fields:?}");
}

/// The outgoing request carries the trace, tracestate and baggage of `cx`.
#[tokio::test]
async fn downstream_injects_the_context() {
    global::set_text_map_propagator(propagators_from_env().expect("propagators"));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/down", listener.local_addr().expect("addr"));
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf).expect("read");
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .expect("write");
        String::from_utf8_lossy(&buf[..n]).to_lowercase()
    });
    let span = SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").expect("trace id"),
        SpanId::from_hex("00f067aa0ba902b7").expect("span id"),
        TraceFlags::SAMPLED,
        true,
        "podium=abc,x=1".parse::<TraceState>().expect("tracestate"),
    );
    let cx = Context::new()
        .with_remote_span_context(span)
        .with_baggage([KeyValue::new("k1", "v1")]);
    let client = reqwest::Client::new();
    let (status, body) = downstream(&client, &cx, Some(&url)).await;
    assert_eq!(status, 200, "{body}");
    let request = server.join().expect("server thread");
    assert!(
        request.contains("traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        "{request}"
    );
    assert!(request.contains("tracestate: podium=abc,x=1"), "{request}");
    assert!(request.contains("baggage: k1=v1"), "{request}");

    let (status, _) = downstream(&client, &cx, Some("http://example.com/")).await;
    assert_eq!(status, 400);
    let (status, _) = downstream(&client, &cx, None).await;
    assert_eq!(status, 400);
}
