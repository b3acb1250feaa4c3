//! `podium load --suite FILE URL`: every workload of a suite, with its repetitions,
//! against one server; one line per repetition and the median across them.

use super::load::{ms, warn_if_saturated};
use crate::cli::LoadArgs;
use anyhow::Context as _;
use podium_load::{ClosedLoop, LoadReport, OpenLoop, WsLoad};
use podium_workload::{LoadModel, Protocol, RenderContext, Suite, Workload};
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
            let report = run_workload(base, workload, stop)?;
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

fn run_workload(base: &str, w: &Workload, stop: &AtomicBool) -> anyhow::Result<LoadReport> {
    let url = format!("{base}{}", w.path.source());
    let headers: Vec<(String, String)> = w
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.source().to_string()))
        .collect();
    let body = w
        .body
        .as_ref()
        .map(|b| b.source().as_bytes().to_vec())
        .unwrap_or_default();
    let jsonrpc = matches!(w.protocol, Protocol::JsonRpc(_));
    let expect_body = w.expect_body.clone().map(String::into_bytes);
    let report = match (&w.protocol, &w.load) {
        (Protocol::WebSocket(ws), LoadModel::Closed(closed)) => {
            let mut load = WsLoad::new(url.replacen("http://", "ws://", 1));
            load.connections = closed.connections as usize;
            load.threads = threads(closed.threads, closed.connections as usize);
            load.duration = Some(closed.duration);
            load.warmup = w.warmup;
            // One message per run: a templated message is rendered once.
            let mut message = Vec::new();
            ws.message.render(&mut RenderContext::new(1), &mut message);
            load.message = message;
            load.binary = false;
            load.run_with_stop(stop)?
        }
        (Protocol::WebSocket(_), LoadModel::Open(_)) => {
            anyhow::bail!(
                "workload {:?}: WebSocket load is a closed loop; use [workload.closed]",
                w.name
            )
        }
        (_, LoadModel::Closed(closed)) => {
            let mut load = ClosedLoop::new(url);
            load.connections = closed.connections as usize;
            load.threads = threads(closed.threads, closed.connections as usize);
            load.duration = Some(closed.duration);
            load.warmup = w.warmup;
            load.method = w.method.clone();
            load.headers = headers;
            load.body = body;
            load.templated = true;
            load.jsonrpc = jsonrpc;
            load.expect_status = w.expect_status;
            load.expect_body = expect_body;
            load.run_with_stop(stop)?
        }
        (_, LoadModel::Open(open)) => {
            let mut load = OpenLoop::new(url, open.rate);
            load.duration = open.duration;
            load.max_connections = open.max_connections as usize;
            load.threads = threads(open.threads, open.max_connections as usize);
            load.warmup = w.warmup;
            load.method = w.method.clone();
            load.headers = headers;
            load.body = body;
            load.templated = true;
            load.jsonrpc = jsonrpc;
            load.expect_status = w.expect_status;
            load.expect_body = expect_body;
            load.run_with_stop(stop)?
        }
    };
    Ok(report)
}

fn threads(asked: Option<u32>, connections: usize) -> usize {
    asked
        .map_or_else(default_threads, |t| t as usize)
        .clamp(1, connections.max(1))
}
