//! `podium otel NAME` / `podium otel --url URL`: OpenTelemetry conformance.

use super::{Context, spinner};
use crate::cli::{OtelArgs, OtlpProtocolArg};
use anyhow::Context as _;
use podium_otel::{
    CheckOptions, CheckOutcome, Checks, CostSpec, ObserveOptions, OtelObservation, Protocol,
    Receiver, ReceiverConfig, observe_subject, run_checks,
};
use podium_store::{NewObservation, SqliteStore, Store, kind};
use podium_subjects::Subject;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

fn protocol(arg: OtlpProtocolArg) -> Protocol {
    match arg {
        OtlpProtocolArg::HttpProtobuf => Protocol::HttpProtobuf,
        OtlpProtocolArg::HttpJson => Protocol::HttpJson,
        OtlpProtocolArg::Grpc => Protocol::Grpc,
    }
}

pub fn run(ctx: &Context, args: &OtelArgs) -> anyhow::Result<i32> {
    let catalog = if args.url.is_none() {
        Some(ctx.catalog()?)
    } else {
        None
    };
    let subject = match (&catalog, &args.name) {
        (Some(catalog), Some(name)) => {
            let subject = catalog.get(name)?;
            podium_otel::otel_spec(subject)?;
            Some(subject)
        }
        _ => None,
    };
    let receiver = Receiver::start(ReceiverConfig {
        http_port: args.http_port,
        grpc_port: args.grpc_port,
    })?;
    let check_options = CheckOptions {
        wait: Duration::from_secs(args.wait.max(1)),
        ..CheckOptions::default()
    };
    if let Some(url) = &args.url {
        return check_url(url, &receiver, &check_options, args.json);
    }
    let Some(subject) = subject else {
        anyhow::bail!("name a subject or give --url");
    };
    // Open the store first: a bad file stops here, before minutes of builds.
    let store = SqliteStore::open(&args.db.db)?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("cannot install the signal handler")?;
    }
    if !args.json {
        eprintln!(
            "OTLP receiver: {} (HTTP/protobuf, HTTP/JSON), {} (gRPC)",
            receiver.http_endpoint(),
            receiver.grpc_endpoint()
        );
    }
    let options = ObserveOptions {
        protocol: protocol(args.protocol),
        matrix: !args.no_matrix,
        cost: (!args.no_cost).then(CostSpec::default),
        checks: check_options,
    };
    let observation = observe_and_store(subject, &ctx.cache, &receiver, &options, &stop, &store)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json_of(&observation)?)?);
    } else {
        print_observation(&observation, &args.db.db);
    }
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("interrupted: what was checked is stored; the rest is marked not checked");
        return Ok(130);
    }
    Ok(exit_code(observation.checks.as_ref()))
}

/// Observes one subject with a spinner and stores the result as an observation.
pub fn observe_and_store(
    subject: &Subject,
    cache: &Path,
    receiver: &Receiver,
    options: &ObserveOptions,
    stop: &AtomicBool,
    store: &SqliteStore,
) -> anyhow::Result<OtelObservation> {
    let bar = spinner(format!("{}: OpenTelemetry checks", subject.name()));
    let observation = observe_subject(subject, cache, receiver, options, stop, &|step| {
        bar.set_message(step.to_string())
    });
    bar.finish_and_clear();
    let observation = observation?;
    let observed_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    store
        .put_observation(&NewObservation {
            kind: kind::OTEL.to_string(),
            subject: subject.name().to_string(),
            observed_at,
            json: serde_json::to_value(&observation)?,
        })
        .context("cannot store the OpenTelemetry observation")?;
    Ok(observation)
}

/// 0: all three checks pass; 1: one is partial or fails; 2: they could not be made
/// (the variant did not build or start).
fn exit_code(checks: Option<&Checks>) -> i32 {
    match checks {
        Some(checks) if checks.all_pass() => 0,
        Some(_) => 1,
        None => 2,
    }
}

fn check_url(
    url: &str,
    receiver: &Receiver,
    options: &CheckOptions,
    json: bool,
) -> anyhow::Result<i32> {
    eprintln!(
        "Podium is receiving OTLP on {} (OTLP/HTTP: protobuf or JSON) and {} (OTLP/gRPC).\n\
         Your service at {url} must already export there (e.g. OTEL_EXPORTER_OTLP_ENDPOINT={} \
         with a metric export interval of a few seconds at most), sample by its parent \
         (parentbased_always_on), propagate tracecontext and baggage, and serve \
         GET /otel/downstream?url=U (an instrumented GET to U). Each wait is at most {} s.",
        receiver.http_endpoint(),
        receiver.grpc_endpoint(),
        receiver.http_endpoint(),
        options.wait.as_secs()
    );
    let bar = spinner(format!("checking {url}"));
    let checks = run_checks(url, receiver, options);
    bar.finish_and_clear();
    let checks = checks.context("cannot start the HTTP client")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&checks)?);
    } else {
        print_checks(&checks);
    }
    Ok(exit_code(Some(&checks)))
}

/// The observation as JSON with `tracer`, `propagator` and `metrics` at the top.
fn json_of(observation: &OtelObservation) -> anyhow::Result<serde_json::Value> {
    let mut value = serde_json::to_value(observation)?;
    if let (Some(object), Some(checks)) = (value.as_object_mut(), &observation.checks) {
        object.insert("tracer".into(), serde_json::to_value(&checks.tracer)?);
        object.insert(
            "propagator".into(),
            serde_json::to_value(&checks.propagator)?,
        );
        object.insert("metrics".into(), serde_json::to_value(&checks.metrics)?);
    }
    Ok(value)
}

fn print_check(name: &str, outcome: &CheckOutcome) {
    println!("{name:<11} {}", outcome.verdict.as_str().to_uppercase());
    for e in &outcome.evidence {
        println!(
            "  {} {:<28} expected {} — arrived {}",
            if e.ok { "ok " } else { "BAD" },
            e.item,
            e.expected,
            e.arrived
        );
    }
}

fn print_checks(checks: &Checks) {
    print_check("tracer", &checks.tracer);
    print_check("propagator", &checks.propagator);
    print_check("metrics", &checks.metrics);
}

fn print_observation(o: &OtelObservation, db: &Path) {
    println!(
        "{} — {} (maintainer: {}), exporting over {}",
        o.subject, o.instrumentation, o.maintainer, o.protocol
    );
    match (&o.checks, &o.error) {
        (Some(checks), _) => print_checks(checks),
        (None, Some(error)) => println!("checks not run: {error}"),
        (None, None) => println!("checks not run"),
    }
    println!("compatibility matrix (tracer / propagator / metrics):");
    for row in &o.matrix {
        let verdicts = row.verdicts().map(|v| v.map_or("—", |v| v.as_str()));
        println!(
            "  {:<45} {:<8} {:<8} {:<8}{}{}",
            row.sdk,
            verdicts[0],
            verdicts[1],
            verdicts[2],
            if row.pinned { " (pinned)" } else { "" },
            row.error
                .as_deref()
                .map(|e| format!("\n    not checked: {}", e.lines().next().unwrap_or("")))
                .unwrap_or_default()
        );
    }
    match &o.lines_added {
        Some(lines) => println!(
            "lines added: {} ({})",
            lines.total,
            lines
                .files
                .iter()
                .map(|(f, n)| format!("{f} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => println!("lines added: not counted"),
    }
    if let Some(cost) = &o.cost {
        println!(
            "cost: throughput ×{:.3} [{:.3}, {:.3}] ({:.0} → {:.0} req/s), p99 ×{:.3} [{:.3}, {:.3}] ({:.2} → {:.2} ms); {}; {} errors",
            cost.throughput_ratio.ratio,
            cost.throughput_ratio.ci_low,
            cost.throughput_ratio.ci_high,
            cost.plain_rps.median,
            cost.otel_rps.median,
            cost.p99_ratio.ratio,
            cost.p99_ratio.ci_low,
            cost.p99_ratio.ci_high,
            cost.plain_p99_ms.median,
            cost.otel_p99_ms.median,
            cost.load,
            cost.errors
        );
        if let Some(spans) = cost.spans_received {
            println!(
                "  spans received under load: {spans} for {} requests to the OTel variant{}",
                cost.otel_requests,
                if spans < cost.otel_requests {
                    " (the SDK dropped spans: its batch queue was full)"
                } else {
                    ""
                }
            );
        }
    }
    for note in &o.notes {
        println!("note: {note}");
    }
    println!("stored in {}", db.display());
}

/// Before a thorough `podium run`: `podium otel` for every subject that has an OTel
/// variant (checks, SDK matrix, cost), stored as observations so that the run carries
/// fresh ones. Returns one line per subject for the run's progress output (its verdicts,
/// or a note saying why there are none); never fails the run. The receiver listens on free ports so that it cannot clash with a collector.
pub fn refresh_before_run(
    subjects: &[Subject],
    cache: &Path,
    store: &SqliteStore,
    stop: &AtomicBool,
) -> Vec<String> {
    let with_variant: Vec<&Subject> = subjects
        .iter()
        .filter(|s| s.manifest.otel.is_some())
        .collect();
    if with_variant.is_empty() {
        return Vec::new();
    }
    let receiver = match Receiver::start(ReceiverConfig {
        http_port: 0,
        grpc_port: 0,
    }) {
        Ok(receiver) => receiver,
        Err(e) => return vec![format!("note: OpenTelemetry checks skipped: {e}")],
    };
    let options = ObserveOptions {
        cost: Some(CostSpec::default()),
        matrix: true,
        ..ObserveOptions::default()
    };
    let mut notes = Vec::new();
    for subject in with_variant {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
        match observe_and_store(subject, cache, &receiver, &options, stop, store) {
            Ok(o) if o.checks.is_none() => notes.push(format!(
                "note: {}: OpenTelemetry checks did not run: {}",
                subject.name(),
                o.error
                    .as_deref()
                    .unwrap_or("unknown")
                    .lines()
                    .next()
                    .unwrap_or_default()
            )),
            Ok(o) => {
                if let Some(c) = &o.checks {
                    notes.push(format!(
                        "{}: OpenTelemetry tracer {}, propagator {}, metrics {}",
                        subject.name(),
                        c.tracer.verdict,
                        c.propagator.verdict,
                        c.metrics.verdict
                    ));
                }
            }
            Err(e) => notes.push(format!(
                "note: {}: OpenTelemetry checks: {e:#}",
                subject.name()
            )),
        }
    }
    notes
}
