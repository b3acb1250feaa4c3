//! The report of a run, built from the store alone.

use crate::{
    ARTIFACT_CROSS_CHECK, ARTIFACT_DEPLOYMENT, ARTIFACT_MIDDLEWARE, ARTIFACT_WORKLOAD, PeerFigure,
    PipelineError,
};
use podium_deploy::DeploymentFigures;
use podium_load::LatencyHistogram;
use podium_measure::{MiddlewareCost as MeasuredMiddleware, ProfileResult, WorkloadMeasurement};
use podium_report::{
    Deployment, DeveloperExperience, Figure, FlameGraph, Latency, Memory, MiddlewareCost,
    REPORT_SCHEMA_VERSION, Radar, RadarSeries, RankingEntry, RunInfo, RunReport, Scores,
    SubjectReport, Weights, WorkloadRanking, WorkloadReport,
};
use podium_score::{Axis, AxisValue, SubjectFigures};
use podium_stats::{CompareConfig, Direction, Summary, Verdict, rank};
use podium_store::{ArtifactFilter, RunId, Store, StoredRun, SubjectRecord, kind};
use serde_json::Value;

/// The p99 bound of the open-loop knee when the run's configuration names none.
pub const DEFAULT_KNEE_P99_MS: f64 = 50.0;

/// Percentiles of the latency curves (log-spaced towards the tail).
const CURVE_PERCENTILES: [f64; 12] = [
    50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999, 100.0,
];

/// Builds the report of `run` from what the store holds, and nothing else.
pub fn assemble(store: &dyn Store, run: RunId) -> Result<RunReport, PipelineError> {
    let stored = store.run(run)?;
    let weights = weights_of(&stored.config);
    let knee_bound = stored
        .config
        .get("knee_p99_ms")
        .and_then(Value::as_f64)
        .unwrap_or(DEFAULT_KNEE_P99_MS);
    let mut environment = stored.environment.clone();
    if let Some(warnings) = store
        .artifacts(run, &ArtifactFilter::of_kind(kind::ENVIRONMENT_WARNING))?
        .into_iter()
        .next()
        .and_then(|(_, a)| a.json)
        && let Some(obj) = environment.as_object_mut()
    {
        obj.insert("warnings".into(), warnings);
    }

    // Workloads in the suite's order (the store lists them by name).
    let order: Vec<String> = stored
        .suite_text
        .as_deref()
        .and_then(|text| {
            podium_workload::Suite::parse(text, std::path::Path::new("stored suite")).ok()
        })
        .map(|suite| suite.workloads.into_iter().map(|w| w.name).collect())
        .unwrap_or_default();
    let position = |name: &str| order.iter().position(|n| n == name).unwrap_or(usize::MAX);
    let mut subjects = Vec::new();
    let mut measured: Vec<(String, Vec<WorkloadMeasurement>)> = Vec::new();
    let mut notes = Vec::new();
    for record in &stored.subjects {
        let mut workloads = load_workloads(store, run, &record.name)?;
        workloads.sort_by_key(|w| position(&w.workload));
        let report = subject_report(store, run, record, &workloads, knee_bound, &mut notes)?;
        // A subject that crashed or was cut short is shown with what it measured, but
        // not ranked: its figures do not cover the whole suite.
        if report.verified
            && record.status == podium_store::SubjectStatus::Measured
            && !workloads.is_empty()
        {
            measured.push((record.name.clone(), workloads));
        }
        subjects.push(report);
    }
    let rankings = rankings(&measured);
    let (figures, common) = scoring_figures(&subjects);
    score(&mut subjects, &figures, &common, &weights, &mut notes);
    let radar = radar(&subjects, &figures, &common, &weights);
    // Ranked subjects first, best first; then the others in run order.
    subjects.sort_by_key(|s| s.rank.unwrap_or(u32::MAX));
    if let Some(note) = &stored.summary.note {
        notes.push(note.clone());
    }
    Ok(RunReport {
        schema_version: REPORT_SCHEMA_VERSION,
        run: run_info(&stored, weights),
        environment,
        subjects,
        rankings,
        radar,
        notes,
    })
}

fn weights_of(config: &Value) -> Weights {
    let defaults = podium_score::DEFAULT_WEIGHTS;
    let w = |axis: &str, default: f64| {
        config
            .get("weights")
            .and_then(|w| w.get(axis))
            .and_then(Value::as_f64)
            .unwrap_or(default)
    };
    Weights {
        performance: w("performance", defaults.performance),
        ecosystem: w("ecosystem", defaults.ecosystem),
        observability: w("observability", defaults.observability),
        hot_reload: w("hot_reload", defaults.hot_reload),
    }
}

fn run_info(stored: &StoredRun, weights: Weights) -> RunInfo {
    RunInfo {
        id: stored.summary.id.0,
        started: podium_store::rfc3339_utc(stored.summary.started_at),
        finished: stored.summary.finished_at.map(podium_store::rfc3339_utc),
        complete: stored.summary.complete,
        quick: stored.summary.quick,
        suite: stored.summary.suite_name.clone(),
        weights,
        podium_version: stored.podium_version.clone(),
        command_line: stored.command_line.clone(),
        note: stored.summary.note.clone(),
    }
}

fn load_workloads(
    store: &dyn Store,
    run: RunId,
    subject: &str,
) -> Result<Vec<WorkloadMeasurement>, PipelineError> {
    let filter = ArtifactFilter {
        subject: Some(subject.to_string()),
        workload: None,
        kind: Some(ARTIFACT_WORKLOAD.to_string()),
    };
    store
        .artifacts(run, &filter)?
        .into_iter()
        .filter_map(|(_, a)| a.json)
        .map(|json| serde_json::from_value(json).map_err(PipelineError::from))
        .collect()
}

fn subject_artifact<T: serde::de::DeserializeOwned>(
    store: &dyn Store,
    run: RunId,
    subject: &str,
    kind: &str,
) -> Result<Option<T>, PipelineError> {
    let filter = ArtifactFilter {
        subject: Some(subject.to_string()),
        workload: None,
        kind: Some(kind.to_string()),
    };
    match store
        .artifacts(run, &filter)?
        .into_iter()
        .next()
        .and_then(|(_, a)| a.json)
    {
        Some(json) => Ok(Some(serde_json::from_value(json)?)),
        None => Ok(None),
    }
}

fn figure(s: &Summary) -> Figure {
    Figure {
        median: s.median,
        ci_low: s.ci_low,
        ci_high: s.ci_high,
        n: s.n,
    }
}

/// The median, or `None` for no values (podium-stats refuses an empty sample).
fn median(values: &[f64]) -> Option<f64> {
    podium_stats::median(values).ok()
}

fn subject_report(
    store: &dyn Store,
    run: RunId,
    record: &SubjectRecord,
    workloads: &[WorkloadMeasurement],
    knee_bound: f64,
    report_notes: &mut Vec<String>,
) -> Result<SubjectReport, PipelineError> {
    let verification = record.details.get("verification");
    let failed_checks: Vec<String> = verification
        .and_then(|v| v.get("failed_checks"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let verified = verification.is_some() && failed_checks.is_empty();
    let peers: Vec<PeerFigure> =
        subject_artifact(store, run, &record.name, ARTIFACT_CROSS_CHECK)?.unwrap_or_default();
    let mut reports = Vec::new();
    let mut flames = Vec::new();
    for w in workloads {
        if let Some(mut r) = workload_report(store, run, &record.name, w, knee_bound)? {
            r.cross_checks = peers
                .iter()
                .filter(|p| p.workload == r.name)
                .map(|p| podium_report::CrossCheck {
                    tool: p.tool.clone(),
                    rps: p.rps,
                    p99_ms: p.p99_ms,
                    disagrees: p.disagrees,
                    note: p.note.clone(),
                })
                .collect();
            reports.push(r);
        }
        for p in &w.profiles {
            let (top, svg, unavailable) = match &p.result {
                ProfileResult::Taken { top, svg, .. } => (
                    top.iter()
                        .map(|f| (f.name.clone(), f.self_fraction))
                        .collect(),
                    Some(svg.clone()),
                    None,
                ),
                ProfileResult::Unavailable { reason } => (Vec::new(), None, Some(reason.clone())),
                ProfileResult::Failed { error } => (Vec::new(), None, Some(error.clone())),
            };
            flames.push(FlameGraph {
                workload: w.workload.clone(),
                reason: p.reason.clone(),
                profiler: serde_json::to_value(p.profiler)?
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                top,
                svg,
                unavailable,
            });
        }
    }
    let middleware: Option<MeasuredMiddleware> =
        subject_artifact(store, run, &record.name, ARTIFACT_MIDDLEWARE)?;
    let deployment: Option<DeploymentFigures> =
        subject_artifact(store, run, &record.name, ARTIFACT_DEPLOYMENT)?;
    let notes = record.details.get("notes");
    let note = |key: &str| {
        notes
            .and_then(|n| n.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Ok(SubjectReport {
        name: record.name.clone(),
        language: record.language.clone(),
        framework: record.framework.clone(),
        version: record.version.clone(),
        verified,
        status: record.status.as_str().to_string(),
        reason: record.reason.clone(),
        failed_checks,
        rank: None,
        memory: memory(workloads),
        middleware_cost: middleware.map(|m| MiddlewareCost {
            ping_rps: figure(&m.ping_rps),
            mw_rps: figure(&m.mw_rps),
            ratio: m.throughput_ratio.ratio,
            ratio_ci_low: m.throughput_ratio.ci_low,
            ratio_ci_high: m.throughput_ratio.ci_high,
            verdict: format!(
                "{}: {}",
                match m.comparison.verdict {
                    Verdict::Worse => "slower",
                    Verdict::Better => "faster",
                    Verdict::WithinNoise => "within noise",
                },
                m.comparison.explain("req/s")
            ),
        }),
        deployment: deployment.map(|d| Deployment {
            binary_bytes: d.binary_bytes,
            cgo_free: d.cgo_free,
            static_binary: d.static_binary,
            build_cold_s: d.build_cold_s,
            build_warm_s: d.build_warm_s,
            deps: d.deps.map(|d| d.count as u64),
            oci_image_bytes: d.oci_image_bytes,
            first_response_ms: d.first_response_ms,
        }),
        observability: carried_or_note(
            crate::observability(store, run, &record.name),
            format!("podium otel {}", record.name),
            report_notes,
        )?,
        scores: Scores {
            performance: None,
            ecosystem: None,
            observability: None,
            hot_reload: None,
            composite: None,
        },
        developer_experience: DeveloperExperience {
            routes: note("routes"),
            middleware: note("middleware"),
            errors: note("errors"),
            lines: record.details.get("source_lines").and_then(Value::as_u64),
        },
        flame_graphs: flames,
        ecosystem: carried_or_note(
            crate::ecosystem::ecosystem_of(store, run, &record.name),
            "podium eco MODULE",
            report_notes,
        )?,
        workloads: reports,
        hot_reload: carried_or_note(
            crate::hot_reload::hot_reload_of(store, run, &record.name),
            format!("podium reload {}", record.name),
            report_notes,
        )?,
    })
}

/// A section carried from an observation (ecosystem, OpenTelemetry, hot reload) that
/// cannot be read is left out of the report with a note naming it and the `command`
/// that measures it again, so that one damaged result does not hide the rest of the
/// run. Errors of the store itself still stop the report.
fn carried_or_note<T>(
    section: Result<Option<T>, PipelineError>,
    command: impl std::fmt::Display,
    notes: &mut Vec<String>,
) -> Result<Option<T>, PipelineError> {
    match section {
        Err(PipelineError::BadArtifact { what, .. }) => {
            notes.push(format!(
                "{what}; left out of this report (`{command}` measures it again)"
            ));
            Ok(None)
        }
        other => other,
    }
}

fn workload_report(
    store: &dyn Store,
    run: RunId,
    subject: &str,
    w: &WorkloadMeasurement,
    knee_bound: f64,
) -> Result<Option<WorkloadReport>, PipelineError> {
    let (Some(rps), Some(p99)) = (&w.rps, &w.p99_ms) else {
        return Ok(None);
    };
    let complete: Vec<_> = w
        .repetitions
        .iter()
        .filter(|r| !r.report.interrupted)
        .collect();
    let Some(last) = complete.last() else {
        return Ok(None);
    };
    let med = |f: &dyn Fn(&podium_load::LatencySummary) -> f64| {
        median(
            &complete
                .iter()
                .map(|r| f(&r.report.latency_ms))
                .collect::<Vec<_>>(),
        )
        .unwrap_or(0.0)
    };
    let latency = Latency {
        p50: med(&|l| l.p50),
        p75: med(&|l| l.p75),
        p90: med(&|l| l.p90),
        p99: med(&|l| l.p99),
        p999: med(&|l| l.p999),
        max: med(&|l| l.max),
    };
    // The curve comes from the stored raw histogram of the last complete repetition.
    let key = podium_store::ArtifactKey::measurement(
        subject,
        &w.workload,
        last.index,
        kind::HDR_HISTOGRAM,
    );
    let latency_curve = match store.artifact(run, &key)? {
        Some(a) => {
            let clamped = a
                .json
                .as_ref()
                .and_then(|j| j.get("clamped"))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let blob = a.blob.unwrap_or_default();
            let h = LatencyHistogram::from_v2(&blob, clamped).map_err(|e| {
                PipelineError::BadArtifact {
                    run: run.0,
                    what: format!("{subject}/{}: {e}", w.workload),
                }
            })?;
            CURVE_PERCENTILES
                .iter()
                .filter(|_| !h.is_empty())
                .map(|p| (*p, h.quantile_us(p / 100.0) as f64 / 1000.0))
                .collect()
        }
        None => Vec::new(),
    };
    let knee_rps = (last.report.model == "open").then(|| {
        complete
            .iter()
            .flat_map(|r| r.report.timeline.iter())
            .filter(|t| t.errors == 0 && t.requests > 0 && t.p99_ms <= knee_bound)
            .map(|t| t.rps)
            .fold(0.0, f64::max)
    });
    Ok(Some(WorkloadReport {
        name: w.workload.clone(),
        protocol: w.protocol.clone(),
        model: last.report.model.clone(),
        connections: last.report.connections,
        rps: figure(rps),
        p99_ms: figure(p99),
        latency,
        latency_curve,
        requests: complete.iter().map(|r| r.report.requests).sum(),
        errors: complete.iter().map(|r| r.report.errors.total()).sum(),
        repetitions: u32::try_from(complete.len()).unwrap_or(u32::MAX),
        knee_p99_bound_ms: knee_rps.map(|_| knee_bound),
        knee_rps,
        generator_saturated: complete.iter().any(|r| r.report.generator.saturated),
        counter_consistent: complete
            .iter()
            .map(|r| r.cross_check.as_ref().map(|c| c.consistent))
            .collect::<Option<Vec<bool>>>()
            .map(|all| all.iter().all(|c| *c)),
        anomalies: w.anomalies.iter().map(ToString::to_string).collect(),
        cross_checks: Vec::new(),
    }))
}

fn memory(workloads: &[WorkloadMeasurement]) -> Option<Memory> {
    let reps: Vec<_> = workloads.iter().flat_map(|w| &w.repetitions).collect();
    let mems: Vec<_> = reps.iter().filter_map(|r| r.memory.as_ref()).collect();
    if mems.is_empty() {
        return None;
    }
    let gos: Vec<_> = reps.iter().filter_map(|r| r.go.as_ref()).collect();
    let go_median = |f: &dyn Fn(&podium_probe::GoRuntimeFigures) -> Option<f64>| {
        median(&gos.iter().filter_map(|g| f(g)).collect::<Vec<_>>())
    };
    Some(Memory {
        rss_peak_bytes: mems.iter().map(|m| m.rss_peak_bytes).max().unwrap_or(0),
        rss_steady_bytes: median(
            &mems
                .iter()
                .map(|m| m.rss_steady_bytes as f64)
                .collect::<Vec<_>>(),
        )
        .map_or(0, |v| v as u64),
        alloc_bytes_per_sec: go_median(&|g| Some(g.alloc_bytes_per_sec)),
        allocs_per_request: go_median(&|g| g.allocs_per_request),
        gc_pause_p99_ms: gos
            .iter()
            .filter_map(|g| g.gc_pause_p99_ms)
            .fold(None, |acc: Option<f64>, v| {
                Some(acc.map_or(v, |a| a.max(v)))
            }),
        gc_count: (!gos.is_empty()).then(|| gos.iter().map(|g| g.gc_count).sum()),
        threads_max: mems.iter().map(|m| m.threads_max).max().unwrap_or(0),
    })
}

/// Per workload, the verified subjects by throughput, with ties within noise.
fn rankings(measured: &[(String, Vec<WorkloadMeasurement>)]) -> Vec<WorkloadRanking> {
    let mut names: Vec<String> = Vec::new();
    for (_, ws) in measured {
        for w in ws {
            if !names.contains(&w.workload) {
                names.push(w.workload.clone());
            }
        }
    }
    names
        .into_iter()
        .filter_map(|workload| {
            let samples: Vec<(String, Vec<f64>)> = measured
                .iter()
                .filter_map(|(subject, ws)| {
                    let w = ws.iter().find(|w| w.workload == workload)?;
                    let values: Vec<f64> = w
                        .repetitions
                        .iter()
                        .filter(|r| !r.report.interrupted)
                        .map(|r| r.report.rps)
                        .collect();
                    (!values.is_empty()).then(|| (subject.clone(), values))
                })
                .collect();
            let ranked = rank(
                &samples,
                Direction::HigherIsBetter,
                &CompareConfig::default(),
            )
            .ok()?;
            Some(WorkloadRanking {
                workload,
                entries: ranked
                    .into_iter()
                    .map(|e| RankingEntry {
                        subject: e.name,
                        rank: u32::try_from(e.rank).unwrap_or(u32::MAX),
                        rps: figure(&e.summary),
                        within_noise_of_previous: e.tied_with_previous,
                        versus_previous: e.versus_previous.map(|c| c.explain("req/s")),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The figures scoring needs, from a report's subjects: the performance axis (see
/// [`assemble`]'s notes: the geometric mean, over the workloads every verified subject
/// completed, of the subject's median throughput relative to the best one's) and the
/// extras recommendation profiles use (`binary_bytes`, `oci_image_bytes`, `lines`,
/// `build_warm_s`, `build_cold_s`, `deps`, `rps_<workload>`). Only verified subjects
/// measured through the whole suite take part. Also returns the workloads used.
pub fn scoring_figures(subjects: &[SubjectReport]) -> (Vec<SubjectFigures>, Vec<String>) {
    let eligible: Vec<&SubjectReport> = subjects
        .iter()
        .filter(|s| s.verified && s.status == "measured" && !s.workloads.is_empty())
        .collect();
    let common: Vec<String> = eligible
        .first()
        .map(|first| {
            first
                .workloads
                .iter()
                .map(|w| w.name.clone())
                .filter(|name| {
                    eligible.iter().all(|s| {
                        s.workloads
                            .iter()
                            .any(|w| &w.name == name && w.rps.median > 0.0)
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let rps = |s: &SubjectReport, workload: &str| {
        s.workloads
            .iter()
            .find(|w| w.name == workload)
            .map_or(0.0, |w| w.rps.median)
    };
    let best: Vec<f64> = common
        .iter()
        .map(|w| eligible.iter().map(|s| rps(s, w)).fold(0.0, f64::max))
        .collect();
    let figures = eligible
        .iter()
        .map(|s| {
            let mut f = SubjectFigures::new(s.name.clone());
            if !common.is_empty() {
                let logs: f64 = common
                    .iter()
                    .zip(&best)
                    .map(|(w, b)| (rps(s, w) / b).max(1e-9).ln())
                    .sum();
                f = f.with_axis(
                    Axis::Performance,
                    AxisValue::fresh((logs / common.len() as f64).exp()),
                );
            }
            for w in &s.workloads {
                f = f.with_extra(format!("rps_{}", w.name), w.rps.median);
            }
            if let Some(d) = &s.deployment {
                f = f
                    .with_extra("binary_bytes", d.binary_bytes as f64)
                    .with_extra("oci_image_bytes", d.oci_image_bytes as f64);
                if let Some(v) = d.build_warm_s {
                    f = f.with_extra("build_warm_s", v);
                }
                if let Some(v) = d.build_cold_s {
                    f = f.with_extra("build_cold_s", v);
                }
                if let Some(v) = d.deps {
                    f = f.with_extra("deps", v as f64);
                }
            }
            if let Some(lines) = s.developer_experience.lines {
                f = f.with_extra("lines", lines as f64);
            }
            if let Some(score) = s
                .ecosystem
                .as_ref()
                .and_then(|e| e.score.map(|v| (v, e.age_runs)))
            {
                f = f.with_axis(Axis::Ecosystem, AxisValue::aged(score.0, score.1));
            }
            if let Some(h) = &s.hot_reload {
                if let Some(points) = crate::hot_reload::grade_points(&h.grade) {
                    f = f.with_axis(Axis::HotReload, AxisValue::aged(points, h.age_runs));
                }
            }
            if let Some(o) = &s.observability {
                if let Some(value) = crate::observability_axis_value(o) {
                    f = f.with_axis(Axis::Observability, AxisValue::aged(value, o.age_runs));
                }
            }
            f
        })
        .collect();
    (figures, common)
}

/// The report's weights as podium-score's.
pub fn score_weights(w: &Weights) -> podium_score::Weights {
    podium_score::Weights {
        performance: w.performance,
        ecosystem: w.ecosystem,
        observability: w.observability,
        hot_reload: w.hot_reload,
    }
}

/// Scores per axis and composite, and the ranks, through podium-score. The ecosystem,
/// OpenTelemetry and hot-reload axes come from their own commands; until a run holds
/// them they are left out of the composite and the report says so.
fn score(
    subjects: &mut [SubjectReport],
    figures: &[SubjectFigures],
    common: &[String],
    weights: &Weights,
    notes: &mut Vec<String>,
) {
    if figures.is_empty() || common.is_empty() {
        notes.push(
            "no verified subject was measured on a common workload: nothing is ranked".into(),
        );
        return;
    }
    let board = match podium_score::score(figures, &score_weights(weights)) {
        Ok(board) => board,
        Err(e) => {
            notes.push(format!("no ranking: {e}"));
            return;
        }
    };
    for scored in &board.subjects {
        if let Some(s) = subjects.iter_mut().find(|s| s.name == scored.name) {
            let radar = |a: Axis| scored.axes.get(a).as_ref().map(|x| x.radar);
            s.scores = Scores {
                performance: radar(Axis::Performance),
                ecosystem: radar(Axis::Ecosystem),
                observability: radar(Axis::Observability),
                hot_reload: radar(Axis::HotReload),
                composite: Some(scored.composite),
            };
            s.rank = Some(u32::try_from(scored.rank).unwrap_or(u32::MAX));
        }
    }
    notes.push(format!(
        "performance is the geometric mean over {} workloads ({}) of each subject's median throughput relative to the best",
        common.len(),
        common.join(", ")
    ));
    notes.extend(board.notes.iter().cloned());
    // How much the top of the ranking depends on the weights (each moved by ±10%).
    if let Ok(sensitivity) = podium_score::sensitivity(figures, &score_weights(weights)) {
        notes.push(format!("sensitivity: {}", sensitivity.summary));
    }
}

/// The radar's raw ecosystem figure: the score, what it lacks, and when it was observed.
fn ecosystem_raw(s: &SubjectReport) -> Option<String> {
    let e = s.ecosystem.as_ref()?;
    let score = e.score?;
    let without = if e.score_without.is_empty() {
        String::new()
    } else {
        format!(", without {}", e.score_without.join(", "))
    };
    Some(format!(
        "ecosystem score {score:.3}{without} ({} {}; observed {})",
        e.module, e.version, e.observed_at
    ))
}

/// The radar's raw hot-reload figure: the grade, the p90 reload and when it was graded.
fn hot_reload_raw(s: &SubjectReport) -> Option<String> {
    let h = s.hot_reload.as_ref()?;
    let p90 = h.reload_p90_ms.map_or_else(
        || "no reload took effect".to_string(),
        |ms| format!("p90 reload {ms:.0} ms"),
    );
    Some(format!(
        "grade {} with {} ({p90}; observed {})",
        h.grade, h.tool, h.observed_at
    ))
}

fn radar(
    subjects: &[SubjectReport],
    figures: &[SubjectFigures],
    common: &[String],
    weights: &Weights,
) -> Radar {
    let performance_raw = |name: &str| {
        figures
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.axes.performance)
            .map(|v| {
                format!(
                    "{:.2} of the best throughput (geometric mean over {} workloads)",
                    v.value,
                    common.len()
                )
            })
    };
    Radar {
        axes: vec![
            "Performance".into(),
            "Ecosystem".into(),
            "Observability".into(),
            "Hot reload".into(),
        ],
        normalisation: format!(
            "per axis: max(0.05, value × weight × decay / max(values)), decay 0.95^age for figures older than the run; weights performance {}, ecosystem {}, observability {}, hot reload {}",
            weights.performance, weights.ecosystem, weights.observability, weights.hot_reload
        ),
        series: subjects
            .iter()
            .filter(|s| s.rank.is_some())
            .map(|s| RadarSeries {
                subject: s.name.clone(),
                values: vec![
                    s.scores.performance,
                    s.scores.ecosystem,
                    s.scores.observability,
                    s.scores.hot_reload,
                ],
                raw: vec![
                    performance_raw(&s.name),
                    ecosystem_raw(s),
                    crate::observability_radar_raw(s),
                    hot_reload_raw(s),
                ],
            })
            .collect(),
    }
}
