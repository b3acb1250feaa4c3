//! Running the whole pipeline into the store.

use crate::{
    ARTIFACT_CROSS_CHECK, ARTIFACT_DEPLOYMENT, ARTIFACT_MIDDLEWARE, ARTIFACT_WORKLOAD,
    PipelineError,
};
use podium_deploy::{DeployOptions, deployment_figures};
use podium_env::{EnvironmentRecord, FrameworkVersion, IsolationPlan, RecordInputs, Toolchains};
use podium_measure::{
    MeasureError, MeasureEvent, MeasureOptions, MiddlewareCostSpec, ProfilerKind, ServerUnderTest,
    measure_workload, middleware_cost,
};
use podium_store::{
    Artifact, ArtifactKey, NewRun, RunEnd, RunId, Store, SubjectRecord, SubjectStatus, kind,
    unix_millis_now,
};
use podium_subjects::{LaunchOptions, OutputSink, RunningSubject, Subject};
use podium_verify::{ContractOptions, Runtime, Status};
use podium_workload::Suite;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The highest fixed rate of the vegeta cross-check: vegeta needs about four times
/// Podium's CPU per request (bench/RESULTS.md) and fell short above ~2 000 req/s on one
/// core here.
const VEGETA_MAX_RATE: u64 = 1000;

/// Grace period for a subject's shutdown.
const GRACE: Duration = Duration::from_secs(10);

/// What one `podium run` does.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// The subjects, in the order they run.
    pub subjects: Vec<Subject>,
    /// The suite.
    pub suite: Suite,
    /// The suite's text, stored with the run.
    pub suite_text: String,
    /// A `--quick` run.
    pub quick: bool,
    /// Podium's cache (builds, logs).
    pub cache: PathBuf,
    /// Isolation asked for.
    pub isolation: podium_env::IsolationRequest,
    /// Measurement options (profile policy, repetitions override).
    pub measure: MeasureOptions,
    /// Middleware cost runs; `None` skips them.
    pub middleware: Option<MiddlewareCostSpec>,
    /// Deployment figures: `None` skips them; `Some(cold)` measures them, with cold and
    /// warm builds when `cold`.
    pub deployment: Option<bool>,
    /// Where OCI image tarballs go.
    pub oci_dir: Option<PathBuf>,
    /// Run configuration stored with the run (weights, options), for the report.
    pub config: Value,
    /// The command line, stored with the run.
    pub command_line: Vec<String>,
    /// The JWT secret the subjects verify tokens with.
    pub jwt_secret: String,
    /// Peer tools for the cross-checks; `None` skips them.
    pub cross_check: Option<crate::PeerTools>,
}

/// What the pipeline is doing, for progress bars.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A subject's phase starts.
    Phase {
        /// Subject.
        subject: String,
        /// `build`, `start`, `verify`, `measure`, `middleware`, `deploy`, `stop`.
        phase: &'static str,
        /// Details.
        detail: String,
    },
    /// A workload repetition of a subject.
    Measure {
        /// Subject.
        subject: String,
        /// Workload.
        workload: String,
        /// The measurement event.
        event: MeasureEvent,
    },
    /// A subject is done.
    SubjectDone {
        /// Subject.
        subject: String,
        /// Its status.
        status: SubjectStatus,
        /// Why, when not measured.
        reason: Option<String>,
    },
}

/// Runs the plan, writing every result into `store` as soon as it exists, so that an
/// interruption (`stop`) or a crash keeps everything measured before it. Returns the run's
/// id; the run is marked complete only when every subject went through.
pub fn execute(
    plan: &RunPlan,
    store: &dyn Store,
    on_event: &mut dyn FnMut(Event),
    stop: &AtomicBool,
) -> Result<RunId, PipelineError> {
    let isolation = IsolationPlan::prepare(&plan.isolation)?;
    let record = EnvironmentRecord::collect(&RecordInputs {
        frameworks: plan
            .subjects
            .iter()
            .map(|s| FrameworkVersion {
                subject: s.manifest.name.clone(),
                framework: s.manifest.framework.clone(),
                version: s.manifest.version.clone(),
            })
            .collect(),
        toolchains: Toolchains::all(),
        isolation: Some(isolation.summary()),
    })?;
    let started_at = unix_millis_now();
    let run = store.begin_run(&NewRun {
        started_at,
        podium_version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: plan.command_line.clone(),
        suite_name: Some(plan.suite.name.clone()),
        suite_text: Some(plan.suite_text.clone()),
        quick: plan.quick,
        config: plan.config.clone(),
        environment: serde_json::to_value(&record)?,
    })?;
    // Ecosystem, OpenTelemetry and hot-reload results are measured by their own commands;
    // the run keeps the newest of each, so its report depends on the run alone.
    for subject in &plan.subjects {
        crate::carry_observations(store, run, started_at, &subject.manifest)?;
    }
    let mut record = record;
    let mut completed = 0;
    for subject in &plan.subjects {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let outcome = run_subject(plan, &isolation, subject, run, store, on_event, stop);
        let (status, reason, details) = match outcome {
            Ok(done) => {
                for w in done.warnings {
                    record.add_warning(w);
                }
                (done.status, done.reason, done.details)
            }
            Err(e) => (SubjectStatus::Crashed, Some(e.to_string()), Value::Null),
        };
        store.record_subject(
            run,
            &SubjectRecord {
                name: subject.manifest.name.clone(),
                language: subject.manifest.language.clone(),
                framework: subject.manifest.framework.clone(),
                version: subject.manifest.version.clone(),
                status,
                reason: reason.clone(),
                details,
            },
        )?;
        on_event(Event::SubjectDone {
            subject: subject.manifest.name.clone(),
            status,
            reason,
        });
        if status != SubjectStatus::Interrupted {
            completed += 1;
        }
    }
    drop(isolation);
    // Warnings learnt during the run (a saturated generator, fewer repetitions) travel
    // with the results.
    store.put_artifact(
        run,
        &ArtifactKey::run_level(kind::ENVIRONMENT_WARNING),
        &Artifact::of_json(serde_json::to_value(&record.warnings)?),
    )?;
    let interrupted = stop.load(Ordering::Relaxed);
    let complete = !interrupted && completed == plan.subjects.len();
    store.finish_run(
        run,
        &RunEnd {
            finished_at: unix_millis_now(),
            complete,
            note: interrupted.then(|| {
                format!(
                    "interrupted (Ctrl-C) after {completed} of {} subjects; what was measured is kept",
                    plan.subjects.len()
                )
            }),
        },
    )?;
    Ok(run)
}

/// One subject's outcome.
struct SubjectDone {
    status: SubjectStatus,
    reason: Option<String>,
    details: Value,
    warnings: Vec<podium_env::Warning>,
}

fn run_subject(
    plan: &RunPlan,
    isolation: &IsolationPlan,
    subject: &Subject,
    run: RunId,
    store: &dyn Store,
    on_event: &mut dyn FnMut(Event),
    stop: &AtomicBool,
) -> Result<SubjectDone, PipelineError> {
    let m = &subject.manifest;
    let name = m.name.clone();
    let phase = |on_event: &mut dyn FnMut(Event), phase: &'static str, detail: String| {
        on_event(Event::Phase {
            subject: name.clone(),
            phase,
            detail,
        });
    };
    let failed = |status, reason: String, details: Value| SubjectDone {
        status,
        reason: Some(reason),
        details,
        warnings: Vec::new(),
    };

    phase(on_event, "build", String::new());
    let artifact = match podium_subjects::build(subject, &plan.cache) {
        Ok(a) => a,
        Err(e) => {
            return Ok(failed(
                SubjectStatus::BuildFailed,
                e.to_string(),
                Value::Null,
            ));
        }
    };

    phase(on_event, "start", String::new());
    let mut env = isolation.server_env();
    env.push(("JWT_SECRET".into(), plan.jwt_secret.clone()));
    let log = plan.cache.join("logs").join(format!("{}.log", m.name));
    let opts = LaunchOptions {
        output: OutputSink::File(log),
        env,
        placement: Some(isolation.server_placement()),
        ..Default::default()
    };
    let mut running = match RunningSubject::launch(subject, &artifact, &opts) {
        Ok(r) => r,
        Err(e) => return Ok(failed(SubjectStatus::Crashed, e.to_string(), Value::Null)),
    };
    if let Err(e) = running.wait_ready(Duration::from_secs(60)) {
        return Ok(failed(SubjectStatus::Crashed, e.to_string(), Value::Null));
    }
    let base = running.base_url();

    phase(on_event, "verify", base.clone());
    let checks = verify(&base, &m.language, &plan.jwt_secret)?;
    let failed_checks: Vec<String> = checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| format!("{}: expected {}; got {}", c.id, c.expected, c.actual))
        .collect();
    let passed = checks.iter().filter(|c| c.status == Status::Pass).count();
    let verification = json!({
        "passed": passed,
        "failed": failed_checks.len(),
        "skipped": checks.iter().filter(|c| c.status == Status::Skip).count(),
        "failed_checks": failed_checks,
    });
    if !failed_checks.is_empty() {
        running.stop(GRACE);
        return Ok(failed(
            SubjectStatus::VerifyFailed,
            format!(
                "fails {} contract check(s): not ranked",
                failed_checks.len()
            ),
            json!({ "verification": verification }),
        ));
    }

    isolation.pin_generator()?;
    let server = ServerUnderTest {
        name: m.name.clone(),
        base_url: base.clone(),
        pid: running.pid(),
        profiler: ProfilerKind::for_language(&m.language),
    };
    let options = MeasureOptions {
        generator_threads: isolation.generator_threads(),
        ..plan.measure.clone()
    };
    let mut warnings = Vec::new();
    let mut crashed = None;
    // The first closed-loop GET /ping workload, for the peer-tool cross-checks.
    let mut ping: Option<(&podium_workload::Workload, podium_stats::Summary, f64)> = None;
    for workload in &plan.suite.workloads {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        phase(on_event, "measure", workload.name.clone());
        let result = measure_workload(&server, workload, &options, stop, &mut |event| {
            on_event(Event::Measure {
                subject: m.name.clone(),
                workload: workload.name.clone(),
                event,
            });
        });
        match result {
            Ok(measured) => {
                for rep in &measured.repetitions {
                    if rep.report.generator.saturated {
                        warnings.push(podium_env::Warning::GeneratorSaturated {
                            workload: format!("{}/{}", m.name, workload.name),
                            reason: rep.report.generator.reason.clone().unwrap_or_default(),
                        });
                    }
                    // The raw histogram, so any percentile can be recomputed later.
                    store.put_artifact(
                        run,
                        &ArtifactKey::measurement(
                            &m.name,
                            &workload.name,
                            rep.index,
                            kind::HDR_HISTOGRAM,
                        ),
                        &Artifact {
                            json: Some(json!({ "clamped": rep.report.histogram.clamped() })),
                            blob: Some(rep.report.histogram.to_v2_deflate()),
                            content_type: Some("application/x-hdrhistogram-v2-deflate".into()),
                        },
                    )?;
                }
                let done = u32::try_from(measured.repetitions.len()).unwrap_or(u32::MAX);
                if done < measured.repetitions_asked && !measured.interrupted {
                    warnings.push(podium_env::Warning::FewerRepetitions {
                        workload: format!("{}/{}", m.name, workload.name),
                        asked: measured.repetitions_asked,
                        done,
                    });
                }
                if ping.is_none()
                    && workload.path.source() == "/ping"
                    && workload.method == "GET"
                    && matches!(workload.load, podium_workload::LoadModel::Closed(_))
                    && matches!(workload.protocol, podium_workload::Protocol::Http)
                    && let (Some(rps), Some(p99)) = (&measured.rps, &measured.p99_ms)
                {
                    ping = Some((workload, rps.clone(), p99.median));
                }
                store.put_artifact(
                    run,
                    &ArtifactKey {
                        subject: Some(m.name.clone()),
                        workload: Some(workload.name.clone()),
                        repetition: None,
                        kind: ARTIFACT_WORKLOAD.into(),
                    },
                    &Artifact::of_json(serde_json::to_value(&measured)?),
                )?;
            }
            Err(e @ MeasureError::ServerExited { .. }) => {
                crashed = Some(e.to_string());
                break;
            }
            Err(e) => {
                crashed = Some(e.to_string());
                break;
            }
        }
    }
    if let Some(reason) = crashed {
        let _ = running.stop(Duration::from_secs(2));
        return Ok(SubjectDone {
            status: SubjectStatus::Crashed,
            reason: Some(format!(
                "{reason}; earlier workloads are kept (log: {})",
                running
                    .log_path()
                    .map_or_else(String::new, |p| p.display().to_string())
            )),
            details: json!({ "verification": verification }),
            warnings,
        });
    }

    if let Some(spec) = plan
        .middleware
        .as_ref()
        .filter(|_| !stop.load(Ordering::Relaxed))
    {
        phase(on_event, "middleware", "/mw/ping against /ping".into());
        let spec = MiddlewareCostSpec {
            threads: isolation.generator_threads(),
            jwt_secret: plan.jwt_secret.clone().into_bytes(),
            ..spec.clone()
        };
        match middleware_cost(&m.name, &base, &spec, stop) {
            Ok(cost) => store.put_artifact(
                run,
                &ArtifactKey {
                    subject: Some(m.name.clone()),
                    workload: None,
                    repetition: None,
                    kind: ARTIFACT_MIDDLEWARE.into(),
                },
                &Artifact::of_json(serde_json::to_value(&cost)?),
            )?,
            Err(e) if stop.load(Ordering::Relaxed) => drop(e),
            Err(e) => {
                let _ = running.stop(Duration::from_secs(2));
                return Ok(SubjectDone {
                    status: SubjectStatus::Crashed,
                    reason: Some(format!("middleware cost: {e}")),
                    details: json!({ "verification": verification }),
                    warnings,
                });
            }
        }
    }

    if let (Some(tools), Some((workload, rps, p99))) = (
        plan.cross_check
            .as_ref()
            .filter(|_| !stop.load(Ordering::Relaxed)),
        &ping,
    ) {
        phase(
            on_event,
            "cross-check",
            "wrk and vegeta against /ping".into(),
        );
        let figures = cross_check(
            tools,
            &base,
            workload,
            rps,
            *p99,
            isolation.generator_threads(),
        );
        store.put_artifact(
            run,
            &ArtifactKey {
                subject: Some(m.name.clone()),
                workload: None,
                repetition: None,
                kind: ARTIFACT_CROSS_CHECK.into(),
            },
            &Artifact::of_json(serde_json::to_value(&figures)?),
        )?;
    }

    phase(on_event, "stop", String::new());
    let stopped = running.stop(GRACE);
    let interrupted = stop.load(Ordering::Relaxed);

    let mut deployment_note = None;
    if let Some(cold) = plan.deployment.filter(|_| !interrupted) {
        phase(
            on_event,
            "deploy",
            if cold {
                "shipping build, cold and warm builds, OCI image".into()
            } else {
                "shipping build, first response, OCI image".into()
            },
        );
        let options = DeployOptions {
            measure_cold_build: cold,
            oci_dir: plan.oci_dir.clone(),
        };
        match deployment_figures(subject, &plan.cache, &options) {
            Ok(figures) => store.put_artifact(
                run,
                &ArtifactKey {
                    subject: Some(m.name.clone()),
                    workload: None,
                    repetition: None,
                    kind: ARTIFACT_DEPLOYMENT.into(),
                },
                &Artifact::of_json(serde_json::to_value(&figures)?),
            )?,
            Err(e) => deployment_note = Some(format!("no deployment figures: {e}")),
        }
    }

    Ok(SubjectDone {
        status: if interrupted {
            SubjectStatus::Interrupted
        } else {
            SubjectStatus::Measured
        },
        reason: if interrupted {
            Some("interrupted (Ctrl-C): the workloads measured before are kept".into())
        } else {
            deployment_note.clone()
        },
        details: json!({
            "verification": verification,
            "stop": {
                "exit": stopped.exit.to_string(),
                "stop_time_s": stopped.stop_time.as_secs_f64(),
                "leftovers": stopped.leftovers.len(),
            },
            "deployment_note": deployment_note,
            "notes": subject.manifest.notes,
            "source_lines": crate::source_lines(&subject.dir, &subject.manifest.language),
        }),
        warnings,
    })
}

/// The contract checks of a running server (`podium_verify::check_contract` on a runtime
/// of its own), for callers that are not async.
pub fn verify(
    base: &str,
    language: &str,
    jwt_secret: &str,
) -> Result<Vec<podium_verify::CheckOutcome>, PipelineError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PipelineError::Runtime(e.to_string()))?;
    let opts = ContractOptions {
        runtime: match language {
            "go" => Runtime::Go,
            "rust" => Runtime::Rust,
            _ => Runtime::Unknown,
        },
        jwt_secret: jwt_secret.to_string(),
    };
    Ok(runtime.block_on(podium_verify::check_contract(base, &opts)))
}

/// The peer-tool runs for one subject; a tool that fails is recorded as a note-only entry.
fn cross_check(
    tools: &crate::PeerTools,
    base: &str,
    workload: &podium_workload::Workload,
    rps: &podium_stats::Summary,
    p99_ms: f64,
    threads: usize,
) -> Vec<crate::PeerFigure> {
    let url = format!("{base}/ping");
    let failed = |tool: &str, note: String| crate::PeerFigure {
        tool: tool.into(),
        workload: workload.name.clone(),
        command: String::new(),
        rps: 0.0,
        p99_ms: None,
        podium_rps: rps.median,
        podium_p99_ms: None,
        disagrees: false,
        note,
    };
    let connections = match &workload.load {
        podium_workload::LoadModel::Closed(c) => c.connections as usize,
        podium_workload::LoadModel::Open(o) => o.max_connections as usize,
    };
    let duration = workload.load.duration();
    let mut out = Vec::new();
    if let Some(wrk) = &tools.wrk {
        out.push(
            crate::crosscheck::wrk_closed_loop(
                wrk,
                &url,
                &workload.name,
                connections,
                threads,
                duration,
                (rps.median, rps.ci_low, rps.ci_high),
                p99_ms,
            )
            .unwrap_or_else(|e| failed("wrk", e)),
        );
    }
    if let Some(vegeta) = &tools.vegeta {
        // Half the closed loop's throughput (a rate the server keeps without queueing, so
        // both tools measure service latency, not a backlog), capped at what vegeta, a
        // heavier generator, sends from one core of a small machine.
        let rate = ((rps.median / 2.0) as u64).clamp(100, VEGETA_MAX_RATE);
        out.push(
            crate::crosscheck::vegeta_fixed_rate(
                vegeta,
                &url,
                &workload.name,
                rate,
                duration,
                threads,
            )
            .unwrap_or_else(|e| failed("vegeta", e)),
        );
    }
    out
}
