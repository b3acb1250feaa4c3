//! `podium load --suite FILE URL`: every workload of a suite, with its repetitions,
//! against one server; one line per repetition and the median across them.

use super::load::{ms, warn_if_saturated};
use crate::cli::LoadArgs;
use anyhow::Context as _;
use podium_load::LoadReport;
use podium_workload::{Suite, Workload};
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Default generator threads when a suite leaves them to the engine: one per core.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

pub fn run(args: &LoadArgs, path: &Path, stop: &AtomicBool) -> anyhow::Result<i32> {
    let suite = Suite::load(path)?;
    let base = args.url.trim_end_matches('/');
    anyhow::ensure!(
        base.starts_with("http://") && base.matches('/').count() == 2,
        "with --suite, give the server's base URL (http://HOST:PORT), not {:?}",
        args.url
    );
    let selected: Vec<&Workload> = if args.workloads.is_empty() {
        suite.workloads.iter().collect()
    } else {
        args.workloads
            .iter()
            .map(|name| {
                suite.workload(name).with_context(|| {
                    let known: Vec<&str> =
                        suite.workloads.iter().map(|w| w.name.as_str()).collect();
                    format!(
                        "suite {} has no workload {name:?}; it has: {}",
                        path.display(),
                        known.join(", ")
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?
    };
    let total: f64 = selected
        .iter()
        .map(|w| (w.load.duration() + w.warmup).as_secs_f64() * f64::from(w.repetitions))
        .sum();
    eprintln!(
        "suite {} ({} workloads) against {base}: about {:.0} s of load",
        suite.name,
        selected.len(),
        total
    );
    let mut results = Vec::new();
    for workload in selected {
        let mut reports: Vec<LoadReport> = Vec::new();
        for rep in 1..=workload.repetitions {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let report = podium_measure::run_workload(base, workload, default_threads(), stop)?;
            if !args.json {
                println!(
                    "{:<14} rep {rep}/{}  {:>10.1} req/s  p50 {:>8}  p99 {:>8}  errors {}{}",
                    workload.name,
                    workload.repetitions,
                    report.rps,
                    ms(report.latency_ms.p50),
                    ms(report.latency_ms.p99),
                    report.errors.total(),
                    if report.interrupted {
                        "  (interrupted)"
                    } else {
                        ""
                    }
                );
            }
            warn_if_saturated(&report);
            reports.push(report);
        }
        if !args.json && reports.len() > 1 {
            let mut rps: Vec<f64> = reports.iter().map(|r| r.rps).collect();
            rps.sort_by(f64::total_cmp);
            println!(
                "{:<14} median {:.1} req/s over {} repetitions (min {:.1}, max {:.1})",
                workload.name,
                rps[rps.len() / 2],
                rps.len(),
                rps[0],
                rps[rps.len() - 1]
            );
        }
        results.push(json!({"workload": workload.name, "protocol": workload.protocol.name(), "repetitions": reports}));
    }
    let interrupted = stop.load(Ordering::Relaxed);
    if args.json {
        let doc = json!({"suite": suite.name, "base_url": base, "interrupted": interrupted, "workloads": results});
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    Ok(if interrupted { 130 } else { 0 })
}
