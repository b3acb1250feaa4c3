//! Building a subject's OpenTelemetry variant (with its pinned SDK or an older release
//! line) and starting it with the standard `OTEL_*` variables pointing at the receiver.

use crate::error::OtelError;
use crate::receiver::Receiver;
use podium_subjects::{Artifact, LaunchOptions, OtelSpec, OutputSink, RunningSubject, Subject};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How the variant exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// OTLP/HTTP with protobuf bodies (the default of the SDKs).
    #[default]
    HttpProtobuf,
    /// OTLP/HTTP with JSON bodies.
    HttpJson,
    /// OTLP/gRPC.
    Grpc,
}

impl Protocol {
    /// The `OTEL_EXPORTER_OTLP_PROTOCOL` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::HttpProtobuf => "http/protobuf",
            Protocol::HttpJson => "http/json",
            Protocol::Grpc => "grpc",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The standard variables that make an OpenTelemetry SDK export to `receiver` as `service`.
pub fn exporter_env(
    receiver: &Receiver,
    protocol: Protocol,
    service: &str,
) -> Vec<(String, String)> {
    let endpoint = match protocol {
        Protocol::Grpc => receiver.grpc_endpoint(),
        Protocol::HttpProtobuf | Protocol::HttpJson => receiver.http_endpoint(),
    };
    [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.as_str()),
        ("OTEL_SERVICE_NAME", service),
        ("OTEL_TRACES_EXPORTER", "otlp"),
        ("OTEL_METRICS_EXPORTER", "otlp"),
        ("OTEL_LOGS_EXPORTER", "none"),
        ("OTEL_PROPAGATORS", "tracecontext,baggage"),
        ("OTEL_TRACES_SAMPLER", "parentbased_always_on"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "1000"),
        ("OTEL_BSP_SCHEDULE_DELAY", "200"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The subject's `[otel]` section, or the error saying it has none.
pub fn otel_spec(subject: &Subject) -> Result<&OtelSpec, OtelError> {
    subject
        .manifest
        .otel
        .as_ref()
        .ok_or_else(|| OtelError::NoVariant {
            subject: subject.name().to_string(),
        })
}

/// The subject as Podium builds its variant: the `[otel]` command and inputs, under the
/// name `<name>-<suffix>` so that its builds are cached apart from the plain ones.
fn variant_subject(subject: &Subject, dir: &Path, suffix: &str) -> Result<Subject, OtelError> {
    let spec = otel_spec(subject)?;
    let mut variant = subject.clone();
    variant.dir = dir.to_path_buf();
    variant.manifest.name = format!("{}-{suffix}", subject.name());
    variant.manifest.build.command = spec.command.clone();
    variant
        .manifest
        .build
        .inputs
        .extend(spec.inputs.iter().cloned());
    Ok(variant)
}

/// Builds the variant with the SDK it pins (cached per source content like any build).
pub fn build_variant(subject: &Subject, cache: &Path) -> Result<(Subject, Artifact), OtelError> {
    let variant = variant_subject(subject, &subject.dir, "otel")?;
    let artifact = podium_subjects::build(&variant, cache).map_err(|source| OtelError::Build {
        what: format!("{} (OpenTelemetry variant)", subject.name()),
        source,
    })?;
    Ok((variant, artifact))
}

/// Builds the variant against the older SDK line `index` of `[[otel.older_sdk]]`: its
/// `prepare` runs in a scratch copy of the subject folder and its inputs (kept at the
/// same relative places), then the `[otel]` command builds it. `scratch` must outlive the
/// returned subject.
pub fn build_older_variant(
    subject: &Subject,
    cache: &Path,
    index: usize,
    scratch: &Path,
) -> Result<(Subject, Artifact), OtelError> {
    let spec = otel_spec(subject)?;
    let Some(older) = spec.older_sdk.get(index) else {
        return Err(OtelError::NoVariant {
            subject: format!("{} (older SDK line #{index})", subject.name()),
        });
    };
    let inputs: Vec<PathBuf> = subject
        .manifest
        .build
        .inputs
        .iter()
        .chain(&spec.inputs)
        .cloned()
        .collect();
    let copy = podium_subjects::copy_with_inputs(&subject.dir, &inputs, &scratch.join("src"))
        .map_err(|source| OtelError::Copy {
            subject: subject.name().to_string(),
            source,
        })?;
    let log = scratch.join("prepare.log");
    let out = std::fs::File::create(&log).map_err(io("cannot create", &log))?;
    let err = out.try_clone().map_err(io("cannot open", &log))?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(&older.prepare)
        .current_dir(&copy)
        .env("PODIUM_CACHE", cache)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .map_err(io("cannot start `sh` in", &copy))?;
    if !status.success() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        return Err(OtelError::Prepare {
            subject: subject.name().to_string(),
            label: older.label.clone(),
            command: older.prepare.clone(),
            status: status.to_string(),
            tail: lines[lines.len().saturating_sub(30)..].join("\n"),
        });
    }
    let variant = variant_subject(subject, &copy, &format!("otel-older{index}"))?;
    let artifact = podium_subjects::build(&variant, cache).map_err(|source| OtelError::Build {
        what: format!("{} with {}", subject.name(), older.label),
        source,
    })?;
    Ok((variant, artifact))
}

/// Maps an I/O error on `path` to [`OtelError::Io`].
fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OtelError {
    let path = path.to_path_buf();
    move |source| OtelError::Io {
        action,
        path,
        source,
    }
}

/// Starts a built variant exporting to `receiver` as `service` and waits until it listens.
pub fn launch(
    variant: &Subject,
    artifact: &Artifact,
    env: Vec<(String, String)>,
    log: &Path,
) -> Result<RunningSubject, OtelError> {
    let mut running = RunningSubject::launch(
        variant,
        artifact,
        &LaunchOptions {
            env,
            output: OutputSink::File(log.to_path_buf()),
            ..LaunchOptions::default()
        },
    )?;
    running.wait_ready(Duration::from_secs(30))?;
    Ok(running)
}
