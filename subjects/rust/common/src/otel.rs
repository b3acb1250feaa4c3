//! The OpenTelemetry set-up every Rust subject's OTel variant shares (feature
//! `otel`, issue #8): global tracer and meter providers and the propagator from
//! the standard `OTEL_*` variables, and the contract's extra route
//! `GET /otel/downstream`. The request instrumentation itself is each subject's.
//!
//! What the Rust SDK reads itself: `OTEL_EXPORTER_OTLP_ENDPOINT` and
//! `OTEL_EXPORTER_OTLP_PROTOCOL` (opentelemetry-otlp), `OTEL_TRACES_SAMPLER`,
//! `OTEL_BSP_*`, `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_SERVICE_NAME`
//! (opentelemetry_sdk). What it does not, read here: `OTEL_TRACES_EXPORTER`,
//! `OTEL_METRICS_EXPORTER` (`otlp` or `none`) and `OTEL_PROPAGATORS`
//! (`tracecontext`, `baggage`, `none`).

use std::fmt;
use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::Duration;

use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::{Context, global};
use opentelemetry_http::HeaderInjector;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
use opentelemetry_sdk::trace::SdkTracerProvider;

/// Bounds the final export on shutdown: the contract gives a subject 5 s from
/// SIGTERM to exit and the HTTP drain may take up to 4 s.
pub const FLUSH_TIMEOUT: Duration = Duration::from_millis(900);

/// Bounds the outgoing request of `GET /otel/downstream`.
pub const DOWNSTREAM_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the OpenTelemetry variant could not start.
#[derive(Debug)]
pub struct SetupError(String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// The installed providers; [`Telemetry::flush`] exports what is buffered.
pub struct Telemetry {
    tracer: Option<SdkTracerProvider>,
    meter: Option<SdkMeterProvider>,
}

impl Telemetry {
    /// Exports what is still buffered and stops the providers, each within
    /// [`FLUSH_TIMEOUT`]. Errors go to stderr: at exit nothing else can be done.
    pub fn flush(self) {
        if let Some(tracer) = self.tracer
            && let Err(err) = tracer.shutdown_with_timeout(FLUSH_TIMEOUT)
        {
            eprintln!("flushing spans on shutdown: {err}");
        }
        if let Some(meter) = self.meter
            && let Err(err) = meter.shutdown_with_timeout(FLUSH_TIMEOUT)
        {
            eprintln!("flushing metrics on shutdown: {err}");
        }
    }
}

impl Telemetry {
    /// [`Telemetry::flush`] from async code: the SDK's shutdown blocks, so it runs
    /// on Tokio's blocking pool, not on a worker of the server.
    pub async fn flush_async(self) {
        if let Err(err) = tokio::task::spawn_blocking(move || self.flush()).await {
            eprintln!("flushing telemetry on shutdown: {err}");
        }
    }
}

/// `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER`: `otlp` (the default) or `none`.
fn exporter_enabled(variable: &str) -> Result<bool, SetupError> {
    match std::env::var(variable).as_deref() {
        Err(_) | Ok("") | Ok("otlp") => Ok(true),
        Ok("none") => Ok(false),
        Ok(other) => Err(SetupError(format!(
            "{variable}={other:?} is not supported by this subject: use otlp or none"
        ))),
    }
}

/// Installs everything: [`tracing`], [`metrics`] and [`propagation`]. Call it
/// inside the Tokio runtime (the gRPC exporter needs one).
pub fn start() -> Result<Telemetry, SetupError> {
    let tracer = tracing()?;
    let meter = metrics()?;
    propagation()?;
    Ok(Telemetry { tracer, meter })
}

/// [`start`] for a `main`: a set-up error (a bad `OTEL_*` value) is printed on
/// stderr as one line and the process exits with status 1.
pub fn must_start() -> Telemetry {
    start().unwrap_or_else(|err| {
        eprintln!("{err}");
        std::process::exit(1)
    })
}

/// The global tracer provider: a batch processor over the OTLP span exporter
/// (protocol and endpoint from `OTEL_EXPORTER_OTLP_*`), or none when
/// `OTEL_TRACES_EXPORTER=none`.
pub fn tracing() -> Result<Option<SdkTracerProvider>, SetupError> {
    if !exporter_enabled("OTEL_TRACES_EXPORTER")? {
        return Ok(None);
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .build()
        .map_err(|err| {
            SetupError(format!(
                "OpenTelemetry span exporter (check OTEL_EXPORTER_OTLP_*): {err}"
            ))
        })?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .build();
    global::set_tracer_provider(provider.clone());
    Ok(Some(provider))
}

/// The global meter provider: a periodic reader over the OTLP metric exporter,
/// or none when `OTEL_METRICS_EXPORTER=none`.
pub fn metrics() -> Result<Option<SdkMeterProvider>, SetupError> {
    if !exporter_enabled("OTEL_METRICS_EXPORTER")? {
        return Ok(None);
    }
    let exporter = opentelemetry_otlp::MetricExporter::builder()
        .build()
        .map_err(|err| {
            SetupError(format!(
                "OpenTelemetry metric exporter (check OTEL_EXPORTER_OTLP_*): {err}"
            ))
        })?;
    let provider = SdkMeterProvider::builder()
        .with_periodic_exporter(exporter)
        .build();
    global::set_meter_provider(provider.clone());
    Ok(Some(provider))
}

/// The propagators `OTEL_PROPAGATORS` lists (default `tracecontext,baggage`).
pub fn propagators_from_env() -> Result<TextMapCompositePropagator, SetupError> {
    let listed = std::env::var("OTEL_PROPAGATORS").unwrap_or_default();
    let listed = if listed.trim().is_empty() {
        "tracecontext,baggage"
    } else {
        listed.as_str()
    };
    let mut propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>> = Vec::new();
    for name in listed.split(',').map(str::trim) {
        match name {
            "tracecontext" => propagators.push(Box::new(TraceContextPropagator::new())),
            "baggage" => propagators.push(Box::new(BaggagePropagator::new())),
            "none" => propagators.clear(),
            other => {
                return Err(SetupError(format!(
                    "OTEL_PROPAGATORS names {other:?}, which this subject does not support: use tracecontext, baggage or none"
                )));
            }
        }
    }
    Ok(TextMapCompositePropagator::new(propagators))
}

/// Installs [`propagators_from_env`] as the global propagator.
pub fn propagation() -> Result<(), SetupError> {
    global::set_text_map_propagator(propagators_from_env()?);
    Ok(())
}

/// Accepts only an `http://` URL whose host is a loopback address or
/// `localhost`: the route must not become an open proxy.
pub fn check_downstream_url(raw: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(raw).map_err(|err| format!("url {raw:?}: {err}"))?;
    if url.scheme() != "http" {
        return Err(format!("url must be an http:// URL, got {raw:?}"));
    }
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!("url must name a loopback host, got {host:?}"));
    }
    Ok(url)
}

/// The client for [`downstream`], shared so that connections are pooled.
pub fn client() -> &'static reqwest::Client {
    static CLIENT: LazyLock<reqwest::Client> = LazyLock::new(reqwest::Client::new);
    &CLIENT
}

/// `GET /otel/downstream?url=U` without the framework: a GET to U carrying `cx`
/// (the server span's context) injected with the global propagator. Returns the
/// status to answer with (400 for a refused U, 200 when U answered 2xx, 502
/// otherwise) and a one-line text body.
pub async fn downstream(
    client: &reqwest::Client,
    cx: &Context,
    raw: Option<&str>,
) -> (u16, String) {
    let url = match check_downstream_url(raw.unwrap_or_default()) {
        Ok(url) => url,
        Err(message) => return (400, message),
    };
    let mut request = client.get(url).timeout(DOWNSTREAM_TIMEOUT);
    let mut headers = reqwest::header::HeaderMap::new();
    global::get_text_map_propagator(|propagator| {
        propagator.inject_context(cx, &mut HeaderInjector(&mut headers));
    });
    request = request.headers(headers);
    match request.send().await {
        Ok(response) if response.status().is_success() => {
            (200, format!("downstream answered {}", response.status()))
        }
        Ok(response) => (502, format!("downstream answered {}", response.status())),
        Err(err) => (502, format!("downstream: {err}")),
    }
}
