#![allow(clippy::unwrap_used)]
//! The receiver against exporters Podium did not write (the OpenTelemetry Python SDK over
//! OTLP/HTTP and OTLP/gRPC), a recorded OTLP/JSON payload from the specification's
//! examples, and malformed payloads (which get the OTLP-specified error answers).

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use podium_otel::{MetricKind, Receiver, ReceiverConfig, RpcStatus};
use prost::Message;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

fn receiver() -> Receiver {
    Receiver::start(ReceiverConfig {
        http_port: 0,
        grpc_port: 0,
    })
    .expect("receiver starts on free ports")
}

/// The Python of the venv `scripts/setup.sh` installs the OpenTelemetry SDK into.
fn python() -> PathBuf {
    let python = std::env::var_os("PODIUM_OTEL_PYTHON").map_or_else(
        || {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                .join(".cache/podium/otel-venv/bin/python")
        },
        PathBuf::from,
    );
    assert!(
        python.is_file(),
        "{} is missing: run scripts/setup.sh (it installs the OpenTelemetry Python SDK from crates/otel/tests/python/requirements.txt)",
        python.display()
    );
    python
}

fn export_with_python(protocol: &str, endpoint: &str, trace_id: &str, parent: &str) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/export.py");
    let output = Command::new(python())
        .arg(&script)
        .args([protocol, endpoint, trace_id, parent])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "the Python SDK's {protocol} export failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn python_sdk_round_trip(protocol: &str) {
    let receiver = receiver();
    let endpoint = if protocol == "grpc" {
        receiver.grpc_endpoint()
    } else {
        receiver.http_endpoint()
    };
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent = "00f067aa0ba902b7";
    export_with_python(protocol, &endpoint, trace_id, parent);

    let spans = receiver.sink().spans();
    assert_eq!(spans.len(), 2, "{spans:#?}");
    let server = spans
        .iter()
        .find(|s| s.kind == "SERVER")
        .expect("server span");
    let client = spans
        .iter()
        .find(|s| s.kind == "CLIENT")
        .expect("client span");
    assert_eq!(server.trace_id, trace_id);
    assert_eq!(server.parent_span_id, parent);
    assert_eq!(server.name, "GET /users/{id}");
    assert_eq!(
        server.service,
        format!("python-sdk-{}", protocol.replace('/', "-"))
    );
    assert_eq!(server.attributes["http.route"], "/users/{id}");
    assert_eq!(server.attributes["http.response.status_code"], "200");
    assert_eq!(server.protocol, protocol);
    assert_eq!(client.trace_id, trace_id);
    assert_eq!(client.parent_span_id, server.span_id);
    assert_eq!(server.span_id.len(), 16);

    let points = receiver.sink().points();
    let duration: Vec<_> = points
        .iter()
        .filter(|p| p.metric == "http.server.request.duration")
        .collect();
    // force_flush and shutdown each export the cumulative series: the same 7 values.
    assert!(!duration.is_empty(), "{points:#?}");
    for point in duration {
        assert_eq!(point.kind, MetricKind::Histogram);
        assert_eq!(point.unit, "s");
        assert_eq!(point.count, 7);
        assert_eq!(point.temporality, "CUMULATIVE");
        assert_eq!(point.attributes["http.route"], "/ping");
        assert_eq!(point.protocol, protocol);
    }
}

#[test]
fn python_sdk_exports_over_http_protobuf() {
    python_sdk_round_trip("http/protobuf");
}

#[test]
fn python_sdk_exports_over_grpc() {
    python_sdk_round_trip("grpc");
}

/// POSTs `body` to the receiver with raw headers; returns status, headers and body.
fn post(
    receiver: &Receiver,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = client
        .post(format!("{}{path}", receiver.http_endpoint()))
        .body(body.to_vec());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    runtime.block_on(async {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (
            status,
            content_type,
            response.bytes().await.unwrap().to_vec(),
        )
    })
}

/// The OTLP/JSON trace example of the opentelemetry-proto repository
/// (examples/trace.json), as an exporter sends it.
const SPEC_TRACE_JSON: &str = r#"{
  "resourceSpans": [
    {
      "resource": {
        "attributes": [
          { "key": "service.name", "value": { "stringValue": "my.service" } }
        ]
      },
      "scopeSpans": [
        {
          "scope": {
            "name": "my.library",
            "version": "1.0.0",
            "attributes": [
              { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
            ]
          },
          "spans": [
            {
              "traceId": "5B8EFFF798038103D269B633813FC60C",
              "spanId": "EEE19B7EC3C1B174",
              "parentSpanId": "EEE19B7EC3C1B173",
              "name": "I'm a server span",
              "startTimeUnixNano": "1544712660000000000",
              "endTimeUnixNano": "1544712661000000000",
              "kind": 2,
              "attributes": [
                { "key": "my.span.attr", "value": { "stringValue": "some value" } },
                { "key": "http.response.status_code", "value": { "intValue": "200" } }
              ]
            }
          ]
        }
      ]
    }
  ]
}"#;

/// The OTLP/JSON metrics example (examples/metrics.json), its histogram part.
const SPEC_METRICS_JSON: &str = r#"{
  "resourceMetrics": [
    {
      "resource": {
        "attributes": [ { "key": "service.name", "value": { "stringValue": "my.service" } } ]
      },
      "scopeMetrics": [
        {
          "scope": { "name": "my.library", "version": "1.0.0" },
          "metrics": [
            {
              "name": "my.histogram",
              "unit": "1",
              "description": "I am a Histogram",
              "histogram": {
                "aggregationTemporality": 1,
                "dataPoints": [
                  {
                    "startTimeUnixNano": "1544712660300000000",
                    "timeUnixNano": "1544712660300000000",
                    "count": "2",
                    "sum": 2,
                    "bucketCounts": ["1", "1"],
                    "explicitBounds": [1],
                    "min": 0,
                    "max": 2,
                    "attributes": [ { "key": "my.histogram.attr", "value": { "stringValue": "some value" } } ]
                  }
                ]
              }
            }
          ]
        }
      ]
    }
  ]
}"#;

#[test]
fn spec_example_json_payloads_are_accepted() {
    let receiver = receiver();
    let (status, content_type, body) = post(
        &receiver,
        "/v1/traces",
        &[("content-type", "application/json")],
        SPEC_TRACE_JSON.as_bytes(),
    );
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    assert_eq!(body, b"{}");
    let spans = receiver.sink().spans();
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].trace_id, "5b8efff798038103d269b633813fc60c");
    assert_eq!(spans[0].parent_span_id, "eee19b7ec3c1b173");
    assert_eq!(spans[0].kind, "SERVER");
    assert_eq!(spans[0].service, "my.service");
    assert_eq!(spans[0].attributes["http.response.status_code"], "200");
    assert_eq!(spans[0].protocol, "http/json");

    let (status, _, _) = post(
        &receiver,
        "/v1/metrics",
        &[("content-type", "application/json; charset=utf-8")],
        SPEC_METRICS_JSON.as_bytes(),
    );
    assert_eq!(status, 200);
    let points = receiver.sink().points();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].count, 2);
    assert_eq!(points[0].temporality, "DELTA");
    assert_eq!(points[0].kind, MetricKind::Histogram);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn one_span(trace_id: Vec<u8>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans {
                spans: vec![Span {
                    trace_id,
                    span_id: vec![7; 8],
                    name: "s".into(),
                    kind: 2,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[test]
fn gzip_protobuf_is_accepted() {
    let receiver = receiver();
    let body = gzip(&one_span(vec![9; 16]).encode_to_vec());
    let (status, content_type, body) = post(
        &receiver,
        "/v1/traces",
        &[
            ("content-type", "application/x-protobuf"),
            ("content-encoding", "gzip"),
        ],
        &body,
    );
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/x-protobuf")
    );
    assert!(body.is_empty(), "an empty ExportTraceServiceResponse");
    assert_eq!(receiver.sink().spans()[0].trace_id, "09".repeat(16));
}

#[test]
fn malformed_payloads_get_the_otlp_error_answers_and_nothing_is_stored() {
    let receiver = receiver();
    let protobuf = [("content-type", "application/x-protobuf")];
    // Not protobuf at all: 400 with a google.rpc.Status saying why.
    let (status, content_type, body) =
        post(&receiver, "/v1/traces", &protobuf, b"\xff\xff\xff\xff");
    assert_eq!(
        (status, content_type.as_str()),
        (400, "application/x-protobuf")
    );
    let rpc = RpcStatus::decode(body.as_slice()).expect("a google.rpc.Status");
    assert_eq!(rpc.code, 3);
    assert!(rpc.message.contains("does not decode"), "{}", rpc.message);
    // Decodes, but a trace id of 3 bytes.
    let (status, _, body) = post(
        &receiver,
        "/v1/traces",
        &protobuf,
        &one_span(vec![1, 2, 3]).encode_to_vec(),
    );
    assert_eq!(status, 400);
    let rpc = RpcStatus::decode(body.as_slice()).unwrap();
    assert!(
        rpc.message.contains("trace_id has 3 bytes"),
        "{}",
        rpc.message
    );
    // Bad JSON: 400 with the status as JSON.
    let (status, content_type, body) = post(
        &receiver,
        "/v1/metrics",
        &[("content-type", "application/json")],
        b"{\"resourceMetrics\": 12}",
    );
    assert_eq!((status, content_type.as_str()), (400, "application/json"));
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["code"], 3);
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("not an OTLP export request")
    );
    // Broken gzip.
    let (status, _, _) = post(
        &receiver,
        "/v1/traces",
        &[
            ("content-type", "application/x-protobuf"),
            ("content-encoding", "gzip"),
        ],
        b"not gzip",
    );
    assert_eq!(status, 400);
    // Unsupported content type.
    let (status, _, _) = post(
        &receiver,
        "/v1/traces",
        &[("content-type", "text/plain")],
        b"x",
    );
    assert_eq!(status, 415);
    assert!(receiver.sink().spans().is_empty());
    assert!(receiver.sink().points().is_empty());

    // gRPC: a span with a short trace id is INVALID_ARGUMENT; a good one is accepted.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut client = TraceServiceClient::connect(receiver.grpc_endpoint())
            .await
            .unwrap();
        let err = client.export(one_span(vec![1; 5])).await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        assert!(
            err.message().contains("trace_id has 5 bytes"),
            "{}",
            err.message()
        );
        client.export(one_span(vec![2; 16])).await.unwrap();
    });
    assert_eq!(receiver.sink().spans().len(), 1);
    // Still serving after all that.
    let (status, _, _) = post(
        &receiver,
        "/v1/traces",
        &protobuf,
        &one_span(vec![3; 16]).encode_to_vec(),
    );
    assert_eq!(status, 200);
}

#[test]
fn ports_in_use_are_a_clear_error() {
    let first = receiver();
    let err = Receiver::start(ReceiverConfig {
        http_port: first.http_port(),
        grpc_port: 0,
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(&format!("127.0.0.1:{}", first.http_port())),
        "{err}"
    );
    assert!(err.contains("--http-port"), "{err}");
}
