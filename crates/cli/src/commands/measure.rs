//! `podium measure NAME`: one subject, a suite's workloads, under isolation with probes,
//! statistics, profiles and (optionally) the middleware cost.

use super::env::{describe, isolation_request};
use super::load::ms;
use super::{Context, QUICK_SUITE, spinner};
use crate::cli::MeasureArgs;
use anyhow::Context as _;
use podium_env::{EnvironmentRecord, FrameworkVersion, IsolationPlan, RecordInputs, Toolchains};
use podium_measure::{
    MeasureEvent, MeasureOptions, MiddlewareCost, MiddlewareCostSpec, ProfilePolicy, ProfileResult,
    ProfilerKind, ServerUnderTest, WorkloadMeasurement,
};
use podium_stats::Summary;
use podium_subjects::{LaunchOptions, OutputSink, RunningSubject};
use podium_verify::Status;
use podium_workload::{Suite, Workload};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Grace period for the subject's shutdown.
const GRACE: Duration = Duration::from_secs(10);

/// Everything `podium measure --json` prints.
#[derive(Debug, Serialize)]
struct MeasureDoc<'a> {
    subject: &'a str,
    framework: &'a str,
    version: &'a str,
    suite: &'a str,
    environment: &'a EnvironmentRecord,
    workloads: &'a [WorkloadMeasurement],
    middleware_cost: Option<&'a MiddlewareCost>,
    flame_graphs: &'a [PathBuf],
    error: Option<String>,
    interrupted: bool,
}

pub fn run(ctx: &Context, args: &MeasureArgs) -> anyhow::Result<i32> {
    let catalog = ctx.catalog()?;
    let subject = catalog.get(&args.name)?;
    let m = &subject.manifest;
    let suite = match &args.suite {
        Some(path) => Suite::load(path).with_context(|| {
            format!(
                "cannot use the suite {}; pass --suite FILE (the repository has suites/quick.toml and suites/default.toml)",
                path.display()
            )
        })?,
        None => Suite::parse(QUICK_SUITE, std::path::Path::new("suites/quick.toml (built in)"))?,
    };
    let workloads = select(&suite, &args.workloads)?;

    let bar = spinner(format!("building {}", m.name));
    let artifact = podium_subjects::build(subject, &ctx.cache);
    bar.finish_and_clear();
    let artifact = artifact?;

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("cannot install the signal handler")?;
    }

    // The load average is read before anything of ours runs.
    let plan = IsolationPlan::prepare(&isolation_request(&args.isolation)?)?;
    let mut record = EnvironmentRecord::collect(&RecordInputs {
        frameworks: vec![FrameworkVersion {
            subject: m.name.clone(),
            framework: m.framework.clone(),
            version: m.version.clone(),
        }],
        toolchains: Toolchains::all(),
        isolation: Some(plan.summary()),
    })?;
    let human = !args.json;
    if human {
        print!("{}", describe(&record, false));
        println!();
    }

    let jwt_secret = podium_token::secret_from_env();
    let mut env = plan.server_env();
    env.push(("JWT_SECRET".into(), jwt_secret.clone()));
    let opts = LaunchOptions {
        output: OutputSink::File(ctx.cache.join("logs").join(format!("{}.log", m.name))),
        env,
        placement: Some(plan.server_placement()),
        ..Default::default()
    };
    let mut running = RunningSubject::launch(subject, &artifact, &opts)?;
    running.wait_ready(Duration::from_secs(60))?;
    let base = running.base_url();
    if human {
        println!(
            "{} ({} {}) at {base}, pid {}",
            m.name,
            m.framework,
            m.version,
            running.pid()
        );
    }

    if !args.no_verify {
        let failed = verify(&base, &m.language, &jwt_secret)?;
        if !failed.is_empty() {
            running.stop(GRACE);
            anyhow::bail!(
                "{} fails the contract ({}); it is not measured (see `podium verify {}`)",
                m.name,
                failed.join(", "),
                m.name
            );
        }
        if human {
            println!("contract verified");
        }
    }

    plan.pin_generator()
        .context("cannot pin the load generator to its CPUs")?;
    let server = ServerUnderTest {
        name: m.name.clone(),
        base_url: base.clone(),
        pid: running.pid(),
        profiler: ProfilerKind::for_language(&m.language),
    };
    let options = MeasureOptions {
        generator_threads: plan.generator_threads(),
        repetitions: args.repetitions,
        profile: match args.profile.as_str() {
            "always" => ProfilePolicy::Always,
            "never" => ProfilePolicy::Never,
            _ => ProfilePolicy::OnAnomaly,
        },
        profile_seconds: args.profile_seconds.max(1),
        ..MeasureOptions::default()
    };

    let mut measured = Vec::new();
    let mut error = None;
    for workload in &workloads {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let bar = progress(workload);
        let result =
            podium_measure::measure_workload(&server, workload, &options, &stop, &mut |event| {
                match event {
                    MeasureEvent::RepetitionStarted { index, of, .. } => {
                        bar.set_message(format!("{}: repetition {index}/{of}", workload.name));
                    }
                    MeasureEvent::RepetitionDone { rps, .. } => {
                        bar.inc(1);
                        bar.set_message(format!("{}: {rps:.0} req/s", workload.name));
                    }
                    MeasureEvent::ProfilingAnomaly { reasons } => {
                        bar.set_message(format!(
                            "{}: profiling an extra repetition ({})",
                            workload.name,
                            reasons.join("; ")
                        ));
                    }
                }
            });
        bar.finish_and_clear();
        match result {
            Ok(measurement) => {
                note_warnings(&mut record, &measurement);
                if human {
                    print_measurement(&measurement);
                }
                measured.push(measurement);
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }

    let mut mw_cost = None;
    if args.mw_cost && error.is_none() && !stop.load(Ordering::Relaxed) {
        let bar = spinner("middleware cost: /mw/ping against /ping".into());
        let spec = MiddlewareCostSpec {
            threads: plan.generator_threads(),
            duration: Duration::from_secs(args.mw_seconds.max(1)),
            jwt_secret: jwt_secret.clone().into_bytes(),
            ..MiddlewareCostSpec::default()
        };
        let cost = podium_measure::middleware_cost(&m.name, &base, &spec, &stop);
        bar.finish_and_clear();
        match cost {
            Ok(cost) => {
                if human {
                    print_mw_cost(&cost);
                }
                mw_cost = Some(cost);
            }
            Err(e) => error = Some(e.to_string()),
        }
    }

    let stopped = running.stop(GRACE);
    drop(plan);
    let flame_graphs = write_flames(&args.flame_dir, &measured)?;
    let interrupted = stop.load(Ordering::Relaxed);
    if args.json {
        let doc = MeasureDoc {
            subject: &m.name,
            framework: &m.framework,
            version: &m.version,
            suite: &suite.name,
            environment: &record,
            workloads: &measured,
            middleware_cost: mw_cost.as_ref(),
            flame_graphs: &flame_graphs,
            error: error.clone(),
            interrupted,
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for path in &flame_graphs {
            println!("flame graph: {}", path.display());
        }
        if !record.warnings.is_empty() {
            println!("warnings");
            for w in &record.warnings {
                println!("  [{}] {w}", w.code());
            }
        }
    }
    if let Some(e) = error {
        anyhow::bail!(
            "{e} (the subject's log: {}; it exited {})",
            running
                .log_path()
                .map_or_else(|| "none".into(), |p| p.display().to_string()),
            stopped.exit
        );
    }
    Ok(if interrupted { 130 } else { 0 })
}

fn select<'a>(suite: &'a Suite, names: &[String]) -> anyhow::Result<Vec<&'a Workload>> {
    if names.is_empty() {
        return Ok(suite.workloads.iter().collect());
    }
    names
        .iter()
        .map(|name| {
            suite.workload(name).with_context(|| {
                let known: Vec<&str> = suite.workloads.iter().map(|w| w.name.as_str()).collect();
                format!(
                    "suite {} has no workload {name:?}; it has: {}",
                    suite.path.display(),
                    known.join(", ")
                )
            })
        })
        .collect()
}

/// The contract checks that fail (empty when the subject passes).
fn verify(base: &str, language: &str, jwt_secret: &str) -> anyhow::Result<Vec<String>> {
    let bar = spinner(format!("verifying the contract at {base}"));
    let checks = podium_pipeline::verify(base, language, jwt_secret);
    bar.finish_and_clear();
    Ok(checks?
        .into_iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.id)
        .collect())
}

fn progress(workload: &Workload) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(u64::from(workload.repetitions));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:20} {pos}/{len} {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Warnings that travel with the results: a saturated generator, missing repetitions.
fn note_warnings(record: &mut EnvironmentRecord, m: &WorkloadMeasurement) {
    for rep in &m.repetitions {
        if rep.report.generator.saturated {
            record.add_warning(podium_env::Warning::GeneratorSaturated {
                workload: m.workload.clone(),
                reason: rep
                    .report
                    .generator
                    .reason
                    .clone()
                    .unwrap_or_else(|| "no reason recorded".into()),
            });
        }
    }
    let done = u32::try_from(m.repetitions.len()).unwrap_or(u32::MAX);
    if done < m.repetitions_asked {
        record.add_warning(podium_env::Warning::FewerRepetitions {
            workload: m.workload.clone(),
            asked: m.repetitions_asked,
            done,
        });
    }
}

/// A median with its 95% interval and sample size, e.g. "22063 req/s [19653 – 22856] (n=3)".
fn spread(s: &Summary, unit: &str, fmt: impl Fn(f64) -> String) -> String {
    if s.spread_known {
        format!(
            "{}{unit} [{} – {}] (n={})",
            fmt(s.median),
            fmt(s.ci_low),
            fmt(s.ci_high),
            s.n
        )
    } else {
        format!("{}{unit} (n={}, spread unknown)", fmt(s.median), s.n)
    }
}

fn print_measurement(m: &WorkloadMeasurement) {
    println!("{} ({})", m.workload, m.protocol);
    if let Some(rps) = &m.rps {
        println!(
            "  throughput  {}",
            spread(rps, " req/s", |v| format!("{v:.0}"))
        );
    }
    if let (Some(p50), Some(p99)) = (&m.p50_ms, &m.p99_ms) {
        println!("  latency p50 {}", spread(p50, "", ms));
        println!("  latency p99 {}", spread(p99, "", ms));
    }
    let errors: u64 = m.repetitions.iter().map(|r| r.report.errors.total()).sum();
    if errors > 0 {
        println!("  errors      {errors}");
    }
    if let Some(memory) = m
        .repetitions
        .iter()
        .filter_map(|r| r.memory.as_ref())
        .next_back()
    {
        println!(
            "  memory      RSS peak {:.1} MiB, steady {:.1} MiB (without page cache); {} threads, {} fds",
            memory.rss_peak_bytes as f64 / 1048576.0,
            memory.rss_steady_bytes as f64 / 1048576.0,
            memory.threads_max,
            memory.fds_max
        );
    }
    if let Some(go) = m
        .repetitions
        .iter()
        .filter_map(|r| r.go.as_ref())
        .next_back()
    {
        println!(
            "  go runtime  {:.1} MiB/s allocated, {} allocs/request, {} GCs, GC pause p99 {}, {} goroutines max",
            go.alloc_bytes_per_sec / 1048576.0,
            go.allocs_per_request
                .map_or_else(|| "?".into(), |a| format!("{a:.1}")),
            go.gc_count,
            go.gc_pause_p99_ms.map_or_else(|| "n/a".into(), ms),
            go.goroutines_max
        );
    }
    for rep in &m.repetitions {
        if let Some(check) = rep.cross_check.as_ref().filter(|c| !c.consistent) {
            println!(
                "  counter     repetition {}: MISMATCH: {}",
                rep.index, check.note
            );
        }
        for note in &rep.notes {
            println!("  note        repetition {}: {note}", rep.index);
        }
    }
    if m.repetitions
        .iter()
        .all(|r| r.cross_check.as_ref().is_some_and(|c| c.consistent))
    {
        println!("  counter     the server's http_requests_total agrees with the generator");
    }
    for a in &m.anomalies {
        println!("  anomaly     {a}");
    }
    for p in &m.profiles {
        match &p.result {
            ProfileResult::Taken { top, .. } => {
                let names: Vec<String> = top
                    .iter()
                    .take(3)
                    .map(|f| format!("{} {:.0}%", f.name, f.self_fraction * 100.0))
                    .collect();
                println!("  profile     ({}) hottest: {}", p.reason, names.join(", "));
            }
            ProfileResult::Unavailable { reason } => {
                println!("  profile     unavailable: {reason}");
            }
            ProfileResult::Failed { error } => println!("  profile     failed: {error}"),
        }
    }
}

fn print_mw_cost(cost: &MiddlewareCost) {
    let r = &cost.throughput_ratio;
    println!("middleware cost (/mw/ping against /ping; {})", cost.load);
    println!(
        "  /ping       {}",
        spread(&cost.ping_rps, " req/s", |v| format!("{v:.0}"))
    );
    println!(
        "  /mw/ping    {}",
        spread(&cost.mw_rps, " req/s", |v| format!("{v:.0}"))
    );
    println!(
        "  ratio       {:.3} [{:.3} – {:.3}]: {}",
        r.ratio,
        r.ci_low,
        r.ci_high,
        cost.comparison.explain("req/s")
    );
    if cost.errors > 0 {
        println!("  errors      {} (figures suspect)", cost.errors);
    }
}

/// Writes every flame graph as `<dir>/<subject>-<workload>-<n>.svg`.
fn write_flames(
    dir: &std::path::Path,
    measured: &[WorkloadMeasurement],
) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for m in measured {
        for (i, p) in m.profiles.iter().enumerate() {
            if let Some(svg) = p.svg() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                let path = dir.join(format!("{}-{}-{}.svg", m.server, m.workload, i + 1));
                std::fs::write(&path, svg)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                paths.push(path);
            }
        }
    }
    Ok(paths)
}
