//! Podium's OTLP receiver: OTLP/HTTP (protobuf and JSON) on one port, OTLP/gRPC on
//! another, both storing into one [`Sink`]; plus `GET /capture/<tag>` on the HTTP port,
//! which records the headers of the outgoing requests the checks make a server send.
//!
//! Per the OTLP specification: a good export answers 200 (gRPC OK) with an empty
//! `Export*ServiceResponse` in the request's encoding; a payload that does not decode
//! or carries ids of the wrong length answers 400 with a `google.rpc.Status` (gRPC
//! `INVALID_ARGUMENT`); an unsupported content type answers 415; gzip bodies are accepted.

use crate::error::OtelError;
use crate::sink::{CapturedRequest, Sink};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Largest decoded export body accepted (bytes).
const MAX_BODY: usize = 32 << 20;

/// The ports to listen on (127.0.0.1); 0 picks a free port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// OTLP/HTTP and the capture endpoint (the OTLP default is 4318).
    pub http_port: u16,
    /// OTLP/gRPC (the OTLP default is 4317).
    pub grpc_port: u16,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            http_port: 4318,
            grpc_port: 4317,
        }
    }
}

/// A running receiver. Dropping it stops both servers.
#[derive(Debug)]
pub struct Receiver {
    http_addr: SocketAddr,
    grpc_addr: SocketAddr,
    sink: Sink,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Binds both ports on 127.0.0.1 and starts serving on a thread of its own.
    pub fn start(config: ReceiverConfig) -> Result<Self, OtelError> {
        let bind = |port: u16, what: &'static str| {
            TcpListener::bind((Ipv4Addr::LOCALHOST, port))
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .map_err(|source| OtelError::Bind { what, port, source })
        };
        let http = bind(config.http_port, "OTLP/HTTP")?;
        let grpc = bind(config.grpc_port, "OTLP/gRPC")?;
        let local = |l: &TcpListener, what, port| {
            l.local_addr()
                .map_err(|source| OtelError::Bind { what, port, source })
        };
        let http_addr = local(&http, "OTLP/HTTP", config.http_port)?;
        let grpc_addr = local(&grpc, "OTLP/gRPC", config.grpc_port)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(OtelError::Runtime)?;
        let sink = Sink::default();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let serving = sink.clone();
        let thread = std::thread::Builder::new()
            .name("otlp-receiver".into())
            .spawn(move || runtime.block_on(serve(http, grpc, serving, stopped)))
            .map_err(OtelError::Runtime)?;
        Ok(Self {
            http_addr,
            grpc_addr,
            sink,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>` of OTLP/HTTP (and the capture endpoint).
    pub fn http_endpoint(&self) -> String {
        format!("http://{}", self.http_addr)
    }

    /// `http://127.0.0.1:<port>` of OTLP/gRPC.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://{}", self.grpc_addr)
    }

    /// The OTLP/HTTP port.
    pub fn http_port(&self) -> u16 {
        self.http_addr.port()
    }

    /// The OTLP/gRPC port.
    pub fn grpc_port(&self) -> u16 {
        self.grpc_addr.port()
    }

    /// What the receiver stored.
    pub fn sink(&self) -> &Sink {
        &self.sink
    }

    /// The capture URL for `tag`: a request to it is recorded with its headers.
    pub fn capture_url(&self, tag: &str) -> String {
        format!("{}/capture/{tag}", self.http_endpoint())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(http: TcpListener, grpc: TcpListener, sink: Sink, stopped: oneshot::Receiver<()>) {
    let (Ok(http), Ok(grpc)) = (
        tokio::net::TcpListener::from_std(http),
        tokio::net::TcpListener::from_std(grpc),
    ) else {
        return;
    };
    let app = Router::new()
        .route("/v1/traces", post(http_traces))
        .route("/v1/metrics", post(http_metrics))
        .route("/capture/{*tag}", get(capture))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(sink.clone());
    let grpc_server = tonic::transport::Server::builder()
        .add_service(
            TraceServiceServer::new(GrpcReceiver(sink.clone())).max_decoding_message_size(MAX_BODY),
        )
        .add_service(
            MetricsServiceServer::new(GrpcReceiver(sink)).max_decoding_message_size(MAX_BODY),
        );
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let until_stopped = |mut watch: tokio::sync::watch::Receiver<bool>| async move {
        let _ = watch.wait_for(|stopped| *stopped).await;
    };
    let http_task = axum::serve(http, app).with_graceful_shutdown(until_stopped(stopping.clone()));
    let grpc_task = grpc_server.serve_with_incoming_shutdown(
        tonic::transport::server::TcpIncoming::from(grpc),
        until_stopped(stopping),
    );
    let stopper = async move {
        let _ = stopped.await;
        let _ = stop.send(true);
    };
    let _ = tokio::join!(http_task.into_future(), grpc_task, stopper);
}

/// How an OTLP/HTTP body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    fn protocol(self) -> &'static str {
        match self {
            Encoding::Protobuf => "http/protobuf",
            Encoding::Json => "http/json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

/// `google.rpc.Status`, the body of an OTLP/HTTP error response.
#[derive(Clone, PartialEq, Message)]
pub struct RpcStatus {
    /// A `google.rpc.Code` (3 = INVALID_ARGUMENT).
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// What is wrong, in English.
    #[prost(string, tag = "2")]
    pub message: String,
}

/// `google.rpc.Code.INVALID_ARGUMENT`.
const INVALID_ARGUMENT: i32 = 3;

fn reply(status: StatusCode, encoding: Encoding, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(encoding.content_type()),
    );
    response
}

fn error_reply(status: StatusCode, encoding: Encoding, message: String) -> Response {
    let body = match encoding {
        Encoding::Protobuf => RpcStatus {
            code: INVALID_ARGUMENT,
            message,
        }
        .encode_to_vec(),
        Encoding::Json => serde_json::json!({ "code": INVALID_ARGUMENT, "message": message })
            .to_string()
            .into_bytes(),
    };
    reply(status, encoding, body)
}

/// The encoding named by the request's `Content-Type`, or why it is unsupported.
fn encoding_of(headers: &HeaderMap) -> Result<Encoding, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-protobuf" => Ok(Encoding::Protobuf),
        "application/json" => Ok(Encoding::Json),
        _ => Err(format!(
            "unsupported Content-Type {content_type:?}: OTLP/HTTP takes application/x-protobuf or application/json"
        )),
    }
}

/// The body with its `Content-Encoding` undone.
fn decoded_body(headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, String> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "" | "identity" => Ok(body.to_vec()),
        "gzip" => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(body)
                .take(MAX_BODY as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("the gzip body does not decompress: {e}"))?;
            if out.len() > MAX_BODY {
                return Err(format!("the decompressed body exceeds {MAX_BODY} bytes"));
            }
            Ok(out)
        }
        other => Err(format!(
            "unsupported Content-Encoding {other:?}: send gzip or no encoding"
        )),
    }
}

/// A decoded OTLP export request the receiver understands.
trait Export: Message + Default + serde::de::DeserializeOwned {
    /// Problems that make the request invalid (ids of the wrong length).
    fn invalid(&self) -> Option<String>;
    /// Stores it.
    fn store(&self, sink: &Sink, protocol: &str);
}

fn id_problem(what: &str, id: &[u8], len: usize, optional: bool) -> Option<String> {
    if (optional && id.is_empty()) || id.len() == len {
        None
    } else {
        Some(format!(
            "{what} has {} bytes; OTLP requires {len}",
            id.len()
        ))
    }
}

impl Export for ExportTraceServiceRequest {
    fn invalid(&self) -> Option<String> {
        self.resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
            .find_map(|span| {
                id_problem("a span's trace_id", &span.trace_id, 16, false)
                    .or_else(|| id_problem("a span's span_id", &span.span_id, 8, false))
                    .or_else(|| {
                        id_problem("a span's parent_span_id", &span.parent_span_id, 8, true)
                    })
            })
    }

    fn store(&self, sink: &Sink, protocol: &str) {
        sink.add_traces(self, protocol);
    }
}

impl Export for ExportMetricsServiceRequest {
    fn invalid(&self) -> Option<String> {
        None
    }

    fn store(&self, sink: &Sink, protocol: &str) {
        sink.add_metrics(self, protocol);
    }
}

/// Decodes, validates and stores one OTLP/HTTP export; `response` is the encoded empty
/// success message.
fn handle_http<T: Export>(sink: &Sink, headers: &HeaderMap, body: &[u8]) -> Response {
    let encoding = match encoding_of(headers) {
        Ok(encoding) => encoding,
        Err(message) => {
            return error_reply(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Encoding::Protobuf,
                message,
            );
        }
    };
    let bad = |message: String| error_reply(StatusCode::BAD_REQUEST, encoding, message);
    let body = match decoded_body(headers, body) {
        Ok(body) => body,
        Err(message) => return bad(message),
    };
    let request = match encoding {
        Encoding::Protobuf => T::decode(body.as_slice())
            .map_err(|e| format!("the protobuf body does not decode: {e}")),
        Encoding::Json => serde_json::from_slice::<T>(&body)
            .map_err(|e| format!("the JSON body is not an OTLP export request: {e}")),
    };
    let request = match request {
        Ok(request) => request,
        Err(message) => return bad(message),
    };
    if let Some(problem) = request.invalid() {
        return bad(problem);
    }
    request.store(sink, encoding.protocol());
    let body = match encoding {
        // The empty Export*ServiceResponse: no fields set.
        Encoding::Protobuf => Vec::new(),
        Encoding::Json => b"{}".to_vec(),
    };
    reply(StatusCode::OK, encoding, body)
}

async fn http_traces(State(sink): State<Sink>, headers: HeaderMap, body: Bytes) -> Response {
    handle_http::<ExportTraceServiceRequest>(&sink, &headers, &body)
}

async fn http_metrics(State(sink): State<Sink>, headers: HeaderMap, body: Bytes) -> Response {
    handle_http::<ExportMetricsServiceRequest>(&sink, &headers, &body)
}

async fn capture(
    State(sink): State<Sink>,
    Path(tag): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut recorded = std::collections::BTreeMap::<String, String>::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        recorded
            .entry(name.as_str().to_string())
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    sink.add_captured(CapturedRequest {
        tag,
        headers: recorded,
    });
    (StatusCode::OK, "captured\n").into_response()
}

/// The gRPC services.
#[derive(Debug, Clone)]
struct GrpcReceiver(Sink);

fn grpc_store<T: Export>(sink: &Sink, request: &T) -> Result<(), tonic::Status> {
    if let Some(problem) = request.invalid() {
        return Err(tonic::Status::invalid_argument(problem));
    }
    request.store(sink, "grpc");
    Ok(())
}

#[tonic::async_trait]
impl TraceService for GrpcReceiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        grpc_store(&self.0, request.get_ref())?;
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for GrpcReceiver {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        grpc_store(&self.0, request.get_ref())?;
        Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
    }
}
