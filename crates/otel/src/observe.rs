//! One subject's whole observation: its OTel variant built and checked, the older SDK
//! lines of the compatibility matrix, the lines the variant adds and its cost. This is
//! what `podium otel NAME` stores and the report reads back.

use crate::checks::{CheckOptions, Checks, Verdict, run_checks};
use crate::cost::{Cost, CostSpec, measure_cost};
use crate::error::OtelError;
use crate::lines::{LinesAdded, lines_added};
use crate::receiver::Receiver;
use crate::variant::{
    Protocol, build_older_variant, build_variant, exporter_env, launch, otel_spec,
};
use podium_subjects::{LaunchOptions, OutputSink, RunningSubject, Subject};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// One row of the compatibility matrix: the variant built with one SDK release line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixRow {
    /// The SDK module and version.
    pub sdk: String,
    /// True for the SDK the subject pins (the newest line), false for an older one.
    pub pinned: bool,
    /// The checks' outcomes; `None` when the variant could not be built or started.
    pub checks: Option<Checks>,
    /// Why there are no checks (the build or start-up error).
    pub error: Option<String>,
}

impl MatrixRow {
    /// The verdict of each check, `None` when not checked.
    pub fn verdicts(&self) -> [Option<Verdict>; 3] {
        match &self.checks {
            Some(c) => [
                Some(c.tracer.verdict),
                Some(c.propagator.verdict),
                Some(c.metrics.verdict),
            ],
            None => [None; 3],
        }
    }
}

/// What `podium otel NAME` found out about one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtelObservation {
    /// Subject name.
    pub subject: String,
    /// The OTLP protocol the variant exported with.
    pub protocol: String,
    /// How it is instrumented (from `[otel] instrumentation`).
    pub instrumentation: String,
    /// Who maintains the instrumentation (from `[otel] maintainer`).
    pub maintainer: String,
    /// The SDK it pins.
    pub sdk: String,
    /// The checks of the variant with the pinned SDK; `None` when it could not run.
    pub checks: Option<Checks>,
    /// Why `checks` is missing.
    pub error: Option<String>,
    /// The compatibility matrix: the pinned SDK first, then the older lines.
    pub matrix: Vec<MatrixRow>,
    /// Lines the variant adds; `None` when they could not be counted (see `notes`).
    pub lines_added: Option<LinesAdded>,
    /// Throughput and p99 overhead; `None` when not measured (see `notes`).
    pub cost: Option<Cost>,
    /// What was skipped or went wrong, in words.
    pub notes: Vec<String>,
}

/// What to do besides the checks of the pinned SDK.
#[derive(Debug, Clone, Default)]
pub struct ObserveOptions {
    /// The protocol the variant exports with.
    pub protocol: Protocol,
    /// Also build and check the older SDK lines.
    pub matrix: bool,
    /// Measure the cost with this load; `None` skips it.
    pub cost: Option<CostSpec>,
    /// Waits and request counts of the checks.
    pub checks: CheckOptions,
}

/// Builds, starts and checks the OTel variant of `subject` (and the older SDK lines and
/// the cost when asked), exporting to `receiver`. `step` is told what is happening.
/// Errors of one part become notes; only a subject without `[otel]` is an error.
pub fn observe_subject(
    subject: &Subject,
    cache: &Path,
    receiver: &Receiver,
    options: &ObserveOptions,
    stop: &AtomicBool,
    step: &dyn Fn(&str),
) -> Result<OtelObservation, OtelError> {
    let spec = otel_spec(subject)?;
    let name = subject.name();
    let mut notes = Vec::new();
    let lines = match lines_added(&subject.dir, &spec.files) {
        Ok(lines) => Some(lines),
        Err(e) => {
            notes.push(format!("lines added not counted: {e}"));
            None
        }
    };
    let logs = cache.join("otel").join("logs");
    let check_options = CheckOptions {
        service: Some(name.to_string()),
        ..options.checks.clone()
    };
    let env = exporter_env(receiver, options.protocol, name);

    step(&format!(
        "{name}: building the OpenTelemetry variant ({})",
        spec.sdk
    ));
    let pinned = build_variant(subject, cache).and_then(|(variant, artifact)| {
        step(&format!(
            "{name}: checking the variant over {}",
            options.protocol
        ));
        let running = launch(
            &variant,
            &artifact,
            env.clone(),
            &logs.join(format!("{name}.log")),
        )?;
        let checks =
            run_checks(&running.base_url(), receiver, &check_options).map_err(OtelError::Runtime);
        Ok((running, checks?))
    });
    let (mut running, checks, error) = match pinned {
        Ok((running, checks)) => (Some(running), Some(checks), None),
        Err(e) => (None, None, Some(e.to_string())),
    };
    let mut matrix = vec![MatrixRow {
        sdk: spec.sdk.clone(),
        pinned: true,
        checks: checks.clone(),
        error: error.clone(),
    }];

    let interrupted = || stop.load(std::sync::atomic::Ordering::Relaxed);
    let mut cost = None;
    match (&options.cost, &running) {
        (Some(_), _) if interrupted() => notes.push("cost not measured: interrupted".into()),
        (None, _) => notes.push("cost not measured (--no-cost)".into()),
        (Some(_), None) => notes.push("cost not measured: the variant did not run".into()),
        (Some(cost_spec), Some(otel)) => {
            step(&format!(
                "{name}: measuring the cost (plain against OpenTelemetry)"
            ));
            // The exports under load are received and answered, not kept.
            receiver.sink().set_discarding(true);
            let spans_before = receiver.sink().spans_seen();
            let measured =
                measure_against_plain(subject, cache, &otel.base_url(), cost_spec, stop, &logs)
                    .map(|mut cost| {
                        // The last batch leaves within the schedule delay (200 ms).
                        std::thread::sleep(Duration::from_secs(1));
                        cost.spans_received =
                            Some(receiver.sink().spans_seen().saturating_sub(spans_before));
                        cost
                    });
            receiver.sink().set_discarding(false);
            match measured {
                Ok(c) => cost = Some(c),
                Err(e) => notes.push(format!("cost not measured: {e}")),
            }
        }
    }
    if let Some(running) = running.as_mut() {
        running.stop(Duration::from_secs(5));
    }

    if options.matrix {
        for (index, older) in spec.older_sdk.iter().enumerate() {
            if interrupted() {
                notes.push(format!("{} not checked: interrupted", older.label));
                continue;
            }
            step(&format!(
                "{name}: building and checking with {}",
                older.label
            ));
            let row = check_older(subject, cache, receiver, index, &env, &check_options, &logs);
            matrix.push(match row {
                Ok(checks) => MatrixRow {
                    sdk: older.label.clone(),
                    pinned: false,
                    checks: Some(checks),
                    error: None,
                },
                Err(e) => MatrixRow {
                    sdk: older.label.clone(),
                    pinned: false,
                    checks: None,
                    error: Some(e.to_string()),
                },
            });
        }
        if spec.older_sdk.is_empty() {
            notes.push("no older SDK line declared ([[otel.older_sdk]])".into());
        }
    } else if !spec.older_sdk.is_empty() {
        notes.push("older SDK lines not checked (--no-matrix)".into());
    }

    Ok(OtelObservation {
        subject: name.to_string(),
        protocol: options.protocol.to_string(),
        instrumentation: spec.instrumentation.clone(),
        maintainer: spec.maintainer.as_str().to_string(),
        sdk: spec.sdk.clone(),
        checks,
        error,
        matrix,
        lines_added: lines,
        cost,
        notes,
    })
}

fn check_older(
    subject: &Subject,
    cache: &Path,
    receiver: &Receiver,
    index: usize,
    env: &[(String, String)],
    options: &CheckOptions,
    logs: &Path,
) -> Result<Checks, OtelError> {
    let scratch = tempfile::tempdir().map_err(|source| OtelError::Io {
        action: "cannot create a scratch folder in",
        path: std::env::temp_dir(),
        source,
    })?;
    let (variant, artifact) = build_older_variant(subject, cache, index, scratch.path())?;
    let log = logs.join(format!("{}.log", variant.name()));
    let mut running = launch(&variant, &artifact, env.to_vec(), &log)?;
    let checks = run_checks(&running.base_url(), receiver, options).map_err(OtelError::Runtime);
    running.stop(Duration::from_secs(5));
    checks
}

fn measure_against_plain(
    subject: &Subject,
    cache: &Path,
    otel_url: &str,
    spec: &CostSpec,
    stop: &AtomicBool,
    logs: &Path,
) -> Result<Cost, OtelError> {
    let artifact = podium_subjects::build(subject, cache).map_err(|source| OtelError::Build {
        what: format!("{} (plain)", subject.name()),
        source,
    })?;
    let mut plain = RunningSubject::launch(
        subject,
        &artifact,
        &LaunchOptions {
            output: OutputSink::File(logs.join(format!("{}-plain.log", subject.name()))),
            ..LaunchOptions::default()
        },
    )?;
    let cost = plain
        .wait_ready(Duration::from_secs(30))
        .map_err(OtelError::from)
        .and_then(|_| measure_cost(subject.name(), &plain.base_url(), otel_url, spec, stop));
    plain.stop(Duration::from_secs(5));
    cost
}
