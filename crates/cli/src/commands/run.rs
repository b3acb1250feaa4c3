//! `podium run`: the whole pipeline into the store, then the report.

use super::env::isolation_request;
use super::report::{lang_of, write_report};
use super::{Context, DEFAULT_SUITE, QUICK_SUITE};
use crate::cli::RunArgs;
use anyhow::Context as _;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use podium_measure::{MeasureEvent, MeasureOptions, MiddlewareCostSpec, ProfilePolicy};
use podium_pipeline::{Event, RunPlan};
use podium_store::{SqliteStore, SubjectStatus};
use podium_workload::Suite;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Progress lines on stderr. A run outlives its terminal: when stderr is closed (the
/// reader of a pipe went away), the lines are dropped and the run goes on to store its
/// results and write the report, instead of dying on a failed write.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Rough cost of the steps around the load, per subject: start, contract check, stop.
const PER_SUBJECT_OVERHEAD_S: f64 = 15.0;

/// Rough time of a thorough run's OpenTelemetry step per subject with a variant, builds
/// cached: the checks on each SDK line plus the cost loop (about 25 s of load). Measured
/// at about a minute for stdlib on a 2-core machine.
const OTEL_PER_SUBJECT_S: f64 = 60.0;

/// Rough time of a thorough run's hot-reload grading per subject, builds cached: about
/// 25 s for stdlib under air; Rust debug rebuilds under watchexec take longer.
const RELOAD_PER_SUBJECT_S: f64 = 40.0;

pub fn run(ctx: &Context, args: &RunArgs) -> anyhow::Result<i32> {
    let catalog = ctx.catalog()?;
    let subjects: Vec<_> = if args.subjects.is_empty() {
        catalog.all().to_vec()
    } else {
        args.subjects
            .iter()
            .map(|n| catalog.get(n).cloned())
            .collect::<Result<_, _>>()?
    };
    let (suite, suite_text) = match &args.suite {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "cannot read the suite {}; pass --suite FILE",
                    path.display()
                )
            })?;
            (Suite::parse(&text, path)?, text)
        }
        None if args.quick => (
            Suite::parse(
                QUICK_SUITE,
                std::path::Path::new("suites/quick.toml (built in)"),
            )?,
            QUICK_SUITE.to_string(),
        ),
        None => (
            Suite::parse(
                DEFAULT_SUITE,
                std::path::Path::new("suites/default.toml (built in)"),
            )?,
            DEFAULT_SUITE.to_string(),
        ),
    };
    let weights = match &args.weights {
        Some(path) => podium_score::Profiles::load(path)?.default_weights(),
        None => podium_score::DEFAULT_WEIGHTS,
    };
    // Open the store before measuring anything: a corrupt or foreign file stops the run
    // here, untouched, instead of after an hour of measurements.
    let store = SqliteStore::open(&args.db.db)?;
    let lang = lang_of(args.lang);

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("cannot install the signal handler")?;
    }
    // The ecosystem of each subject, stored before the run begins so that it is carried.
    let manifests: Vec<_> = subjects.iter().map(|s| s.manifest.clone()).collect();
    let stopped = || stop.load(Ordering::Relaxed);
    for note in super::eco::collect_for_run(ctx, &store, &manifests, &args.eco, &stopped)? {
        say!("note: {note}");
    }

    let repetitions = |w: &podium_workload::Workload| args.repetitions.unwrap_or(w.repetitions);
    let middleware = (!args.no_mw_cost).then(|| MiddlewareCostSpec {
        duration: Duration::from_secs(if args.quick { 1 } else { 5 }),
        warmup: Duration::from_millis(if args.quick { 300 } else { 1000 }),
        ..MiddlewareCostSpec::default()
    });
    let deployment = if args.no_deploy || (args.quick && !args.deploy) {
        None
    } else {
        Some(args.cold_builds)
    };
    let load_s: f64 = suite
        .workloads
        .iter()
        .map(|w| (w.warmup + w.load.duration()).as_secs_f64() * f64::from(repetitions(w)))
        .sum();
    let mw_s = middleware.as_ref().map_or(0.0, |m| {
        (m.duration + m.warmup).as_secs_f64() * 2.0 * f64::from(m.repetitions)
    });
    let per_subject = load_s + mw_s + PER_SUBJECT_OVERHEAD_S;
    // Subjects the thorough run's pre-steps will visit (none when a step is skipped).
    let visited = |skipped: bool, has: &dyn Fn(&podium_subjects::Subject) -> bool| {
        if skipped {
            0
        } else {
            subjects.iter().filter(|s| has(s)).count()
        }
    };
    let otel_subjects = visited(args.quick || args.no_otel, &|s| s.manifest.otel.is_some());
    let reload_subjects = visited(args.quick || args.no_reload, &|s| {
        s.manifest.reload.is_some()
    });
    let before =
        otel_subjects as f64 * OTEL_PER_SUBJECT_S + reload_subjects as f64 * RELOAD_PER_SUBJECT_S;
    say!(
        "podium run: {} subjects × {} workloads of suite {:?}: about {:.0} min of measurement{}{} (builds not counted; cached builds are reused)",
        subjects.len(),
        suite.workloads.len(),
        suite.name,
        (per_subject * subjects.len() as f64 + before) / 60.0,
        if before > 0.0 {
            format!(
                ", of which about {:.0} min for the OpenTelemetry checks ({otel_subjects} subjects, --no-otel skips them) and hot-reload grading ({reload_subjects}, --no-reload) first",
                before / 60.0
            )
        } else {
            String::new()
        },
        match deployment {
            Some(true) => ", plus deployment figures with cold builds (minutes per subject)",
            Some(false) => ", plus deployment figures",
            None => "",
        }
    );
    let cross_check = if args.no_cross_check {
        None
    } else {
        let mut tools = podium_pipeline::PeerTools::find();
        if args.cross_check {
            for problem in tools.install_missing() {
                say!("warning: cross-check: {problem}");
            }
        }
        if tools.wrk.is_none() && tools.vegeta.is_none() {
            say!(
                "note: wrk and vegeta are not installed: no cross-checks (--cross-check installs them)"
            );
        }
        Some(tools)
    };
    if !args.quick && !args.no_otel {
        // The OTel observations the run carries are made fresh; --quick uses the stored ones.
        say!("podium run: OpenTelemetry checks of the subjects with an OTel variant first");
        for line in super::otel::refresh_before_run(&subjects, &ctx.cache, &store, &stop) {
            say!("{line}");
        }
    }
    let mut command_line: Vec<String> = std::env::args().collect();
    if let Some(first) = command_line.first_mut() {
        *first = "podium".into();
    }
    let plan = RunPlan {
        subjects: subjects.clone(),
        suite,
        suite_text,
        quick: args.quick,
        cache: ctx.cache.clone(),
        isolation: isolation_request(&args.isolation)?,
        measure: MeasureOptions {
            repetitions: args.repetitions,
            profile: match args.profile.as_str() {
                "always" => ProfilePolicy::Always,
                "never" => ProfilePolicy::Never,
                _ => ProfilePolicy::OnAnomaly,
            },
            profile_seconds: if args.quick { 1 } else { 5 },
            bootstrap_resamples: if args.quick { 2000 } else { 10_000 },
            ..MeasureOptions::default()
        },
        middleware,
        deployment,
        oci_dir: Some(std::path::absolute(args.out.join("images"))?),
        config: json!({
            "weights": weights,
            "quick": args.quick,
            "profile": args.profile,
            "knee_p99_ms": podium_pipeline::DEFAULT_KNEE_P99_MS,
        }),
        command_line,
        jwt_secret: podium_token::secret_from_env(),
        cross_check,
    };

    if !args.quick && !args.no_reload {
        let bar = super::spinner("hot reload".into());
        let lines =
            super::run_reload::grade_before_run(&subjects, &ctx.cache, &store, &stop, &mut |m| {
                bar.set_message(m.to_string())
            });
        bar.finish_and_clear();
        for line in lines {
            say!("{line}");
        }
    }

    let bars = MultiProgress::new();
    let overall = bars.add(ProgressBar::new(subjects.len() as u64));
    overall.set_style(
        ProgressStyle::with_template(
            "{bar:24} {pos}/{len} subjects [{elapsed} elapsed, ~{eta} left]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let current = bars.add(ProgressBar::new_spinner());
    current.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    current.enable_steady_tick(Duration::from_millis(150));
    let mut outcomes = Vec::new();
    let result = podium_pipeline::execute(
        &plan,
        &store,
        &mut |event| match event {
            Event::Phase {
                subject,
                phase,
                detail,
            } => current.set_message(format!("{subject}: {phase} {detail}")),
            Event::Measure {
                subject,
                workload,
                event,
            } => match event {
                MeasureEvent::RepetitionStarted { index, of, .. } => {
                    current.set_message(format!("{subject}: {workload}, repetition {index}/{of}"))
                }
                MeasureEvent::RepetitionDone { rps, .. } => {
                    current.set_message(format!("{subject}: {workload}: {rps:.0} req/s"));
                }
                MeasureEvent::ProfilingAnomaly { reasons } => current.set_message(format!(
                    "{subject}: {workload}: profiling an extra repetition ({})",
                    reasons.join("; ")
                )),
            },
            Event::SubjectDone {
                subject,
                status,
                reason,
            } => {
                overall.inc(1);
                let line = match (&status, &reason) {
                    (SubjectStatus::Measured, None) => format!("✓ {subject}"),
                    (_, Some(r)) => format!("✗ {subject}: {} — {r}", status.as_str()),
                    (_, None) => format!("✗ {subject}: {}", status.as_str()),
                };
                bars.suspend(|| say!("{line}"));
                outcomes.push(status);
            }
        },
        &stop,
    );
    current.finish_and_clear();
    overall.finish_and_clear();
    let run = result?;
    let interrupted = stop.load(Ordering::Relaxed);
    let paths = write_report(&store, run, &args.out, lang)?;
    say!(
        "run {run} {} in {}",
        if interrupted {
            "INTERRUPTED (kept what was measured; the report is marked incomplete)"
        } else {
            "complete"
        },
        args.db.db.display()
    );
    for p in &paths {
        println!("{}", p.display());
    }
    Ok(if interrupted {
        130
    } else if outcomes.iter().any(|s| *s != SubjectStatus::Measured) {
        // The report is written; the exit status says not every subject was measured.
        1
    } else {
        0
    })
}
