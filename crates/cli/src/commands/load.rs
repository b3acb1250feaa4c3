//! `podium load`: one load run from the command line, printed like wrk or as JSON.

use crate::cli::LoadArgs;
use anyhow::{Context as _, bail};
use podium_load::{ClosedLoop, LatencySummary, LoadReport, OpenLoop, RateSchedule, WsLoad};
use podium_workload::{JsonRpc, jsonrpc_body};
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Exit status of a run ended by Ctrl-C (its figures are still printed).
const INTERRUPTED: i32 = 130;

pub fn run(args: &LoadArgs) -> anyhow::Result<i32> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .context("cannot install the signal handler")?;
    }
    if let Some(suite) = &args.suite {
        return super::suite_run::run(args, suite, &stop);
    }
    let report = if args.url.starts_with("ws://") {
        ws_load(args)?.run_with_stop(&stop)?
    } else if let Some(rate) = &args.rate {
        open_loop(args, rate)?.run_with_stop(&stop)?
    } else {
        closed_loop(args)?.run_with_stop(&stop)?
    };
    if let Some(path) = &args.hdr_out {
        write_hdr_log(path, &report)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", human_summary(&report, args));
    }
    if report.generator.saturated {
        eprintln!(
            "warning: the load generator was saturated ({}); these figures describe the client, not the server's limit",
            report
                .generator
                .reason
                .as_deref()
                .unwrap_or("no reason recorded")
        );
    }
    Ok(if report.interrupted || stop.load(Ordering::Relaxed) {
        INTERRUPTED
    } else {
        0
    })
}

/// The run's histograms in HdrHistogram's interval-log format, one interval each.
fn write_hdr_log(path: &std::path::Path, report: &LoadReport) -> anyhow::Result<()> {
    let length = Duration::from_secs_f64(report.duration_s.max(0.0));
    let start = std::time::SystemTime::now() - length;
    let mut intervals = vec![podium_load::LogInterval {
        histogram: &report.histogram,
        offset: Duration::ZERO,
        length,
        tag: report.uncorrected_histogram.as_ref().map(|_| "corrected"),
    }];
    if let Some(uncorrected) = &report.uncorrected_histogram {
        intervals.push(podium_load::LogInterval {
            histogram: uncorrected,
            offset: Duration::ZERO,
            length,
            tag: Some("uncorrected"),
        });
    }
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot create --hdr-out {}", path.display()))?;
    podium_load::write_interval_log(std::io::BufWriter::new(file), start, intervals)
        .with_context(|| format!("cannot write --hdr-out {}", path.display()))
}

/// Method, headers, body and checks shared by the HTTP models.
struct HttpRequest {
    method: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    jsonrpc: bool,
}

fn http_request(args: &LoadArgs) -> anyhow::Result<HttpRequest> {
    let mut headers = Vec::new();
    for h in &args.headers {
        let Some((name, value)) = h.split_once(':') else {
            bail!("-H {h:?}: write headers as 'Name: value'");
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let has_content_type = headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    if let Some(method) = &args.jsonrpc {
        let body = jsonrpc_body(&JsonRpc {
            method: method.clone(),
            params: args.params.clone(),
            batch: args.batch,
        });
        if !has_content_type {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        let http_method = if args.method == "GET" {
            "POST".to_string()
        } else {
            args.method.clone()
        };
        return Ok(HttpRequest {
            method: http_method,
            headers,
            body: body.into_bytes(),
            jsonrpc: true,
        });
    }
    let body = match (&args.body, &args.body_file) {
        (Some(body), _) => body.clone().into_bytes(),
        (None, Some(path)) => std::fs::read(path)
            .with_context(|| format!("cannot read --body-file {}", path.display()))?,
        (None, None) => Vec::new(),
    };
    Ok(HttpRequest {
        method: args.method.clone(),
        headers,
        body,
        jsonrpc: false,
    })
}

/// `-d`, else none when `-n` bounds the run, else 10 s.
fn measured_duration(args: &LoadArgs) -> Option<Duration> {
    match (args.duration, args.requests) {
        (Some(d), _) => Some(d),
        (None, Some(_)) => None,
        (None, None) => Some(Duration::from_secs(10)),
    }
}

fn closed_loop(args: &LoadArgs) -> anyhow::Result<ClosedLoop> {
    let req = http_request(args)?;
    let mut load = ClosedLoop::new(&args.url);
    load.connections = args.connections;
    load.threads = args.threads.min(args.connections.max(1));
    load.requests = args.requests;
    load.duration = measured_duration(args);
    load.pipeline = args.pipeline;
    load.timeout = args.timeout;
    load.warmup = args.warmup;
    load.method = req.method;
    load.headers = req.headers;
    load.body = req.body;
    load.templated = true;
    load.jsonrpc = req.jsonrpc;
    load.expect_status = args.expect_status;
    load.expect_body = args.expect_body.clone().map(String::into_bytes);
    Ok(load)
}

fn open_loop(args: &LoadArgs, rate: &str) -> anyhow::Result<OpenLoop> {
    let schedule: RateSchedule = rate
        .parse()
        .map_err(|e| anyhow::anyhow!("--rate {rate:?}: {e}"))?;
    let req = http_request(args)?;
    let mut load = OpenLoop::new(&args.url, schedule);
    load.duration = args.duration.unwrap_or(Duration::from_secs(10));
    load.max_connections = args.max_connections;
    load.threads = args.threads.min(args.max_connections.max(1));
    load.timeout = args.timeout;
    load.warmup = args.warmup;
    load.method = req.method;
    load.headers = req.headers;
    load.body = req.body;
    load.templated = true;
    load.jsonrpc = req.jsonrpc;
    load.expect_status = args.expect_status;
    load.expect_body = args.expect_body.clone().map(String::into_bytes);
    Ok(load)
}

fn ws_load(args: &LoadArgs) -> anyhow::Result<WsLoad> {
    if args.rate.is_some() {
        bail!("--rate is for HTTP; WebSocket load is a closed loop of echo round trips");
    }
    let mut load = WsLoad::new(&args.url);
    load.connections = args.connections;
    load.threads = args.threads.min(args.connections.max(1));
    load.messages = args.requests;
    load.duration = measured_duration(args);
    load.timeout = args.timeout;
    load.warmup = args.warmup;
    match args.message_size {
        Some(size) => {
            load.binary = true;
            load.message = (0..size).map(|i| (i % 251) as u8).collect();
        }
        None => {
            load.binary = false;
            load.message = args.message.clone().into_bytes();
        }
    }
    Ok(load)
}

pub(super) fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2}s", v / 1000.0)
    } else if v >= 1.0 {
        format!("{v:.2}ms")
    } else {
        format!("{:.0}us", v * 1000.0)
    }
}

fn bytes(n: f64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.2}{}", UNITS[unit])
}

fn latency_table(out: &mut String, title: &str, l: &LatencySummary) {
    let _ = writeln!(out, "  {title}");
    let _ = writeln!(
        out,
        "    p50 {:>9}  p75 {:>9}  p90 {:>9}  p99 {:>9}  p99.9 {:>9}  max {:>9}",
        ms(l.p50),
        ms(l.p75),
        ms(l.p90),
        ms(l.p99),
        ms(l.p999),
        ms(l.max)
    );
    let _ = writeln!(
        out,
        "    mean {} ± {} (stdev), min {}, {} samples",
        ms(l.mean),
        ms(l.stdev),
        ms(l.min),
        l.count
    );
    if l.clamped > 0 {
        let _ = writeln!(
            out,
            "    {} samples above 60 s were recorded as 60 s",
            l.clamped
        );
    }
}

/// wrk-style text: what ran, latency distribution, throughput, errors, generator health.
fn human_summary(r: &LoadReport, args: &LoadArgs) -> String {
    let mut out = String::new();
    let model = match (r.model.as_str(), &r.open) {
        ("open", Some(open)) => format!("open-loop test at {} req/s", open.schedule),
        ("ws", _) => "WebSocket echo test".to_string(),
        _ => "closed-loop test".to_string(),
    };
    let _ = writeln!(
        out,
        "{:.2}s {model} @ {}{}",
        r.duration_s,
        r.url,
        if r.interrupted {
            " (INTERRUPTED by Ctrl-C)"
        } else {
            ""
        }
    );
    let conns = if r.model == "open" {
        format!(
            "up to {} connections (peak {})",
            r.open.as_ref().map_or(0, |o| o.max_connections),
            r.connections
        )
    } else {
        format!("{} connections", r.connections)
    };
    let transport = if r.model == "ws" {
        "WebSocket"
    } else {
        "HTTP/1.1 keep-alive, no pipelining"
    };
    let _ = writeln!(out, "  {} threads and {conns}, {transport}", r.threads);
    let title = match r.model.as_str() {
        "open" => "Latency (from intended send time: corrected for coordinated omission)",
        "ws" => "Round-trip latency (message sent to echo received)",
        _ => "Latency",
    };
    latency_table(&mut out, title, &r.latency_ms);
    if args.uncorrected
        && let Some(u) = &r.uncorrected_latency_ms
    {
        latency_table(&mut out, "Uncorrected latency (from actual send time)", u);
    }
    if let Some(c) = &r.connect_ms {
        latency_table(&mut out, "Connection set-up (TCP + WebSocket upgrade)", c);
    }
    let _ = writeln!(
        out,
        "  {} requests in {:.2}s, {} read{}",
        r.requests,
        r.duration_s,
        bytes(r.bytes_read as f64),
        if r.warmup_requests > 0 {
            format!(" (after {} warm-up requests)", r.warmup_requests)
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "Requests/sec: {:>12.2}", r.rps);
    let _ = writeln!(
        out,
        "Transfer/sec: {:>12}",
        bytes(r.bytes_read as f64 / r.duration_s.max(1e-9))
    );
    if let Some(open) = &r.open {
        let _ = writeln!(
            out,
            "Asked {:.1} req/s, achieved {:.1} req/s; {} of {} sends late by more than {} ms (max lag {:.1} ms)",
            open.asked_rps,
            open.achieved_rps,
            open.missed_sends,
            open.scheduled,
            open.missed_send_threshold_ms,
            open.max_send_lag_ms
        );
    }
    let e = &r.errors;
    if e.total() > 0 {
        let _ = writeln!(
            out,
            "Errors: {} (connect {}, timeout {}, read {}, status {}, body {})",
            e.total(),
            e.connect,
            e.timeout,
            e.read,
            e.status,
            e.body
        );
    } else {
        let _ = writeln!(out, "Errors: none");
    }
    if !r.status.is_empty() {
        let codes: Vec<String> = r
            .status
            .iter()
            .map(|(code, n)| format!("{code} × {n}"))
            .collect();
        let _ = writeln!(out, "Status: {}", codes.join(", "));
    }
    if r.abandoned > 0 {
        let _ = writeln!(out, "Abandoned in flight: {}", r.abandoned);
    }
    let g = &r.generator;
    let _ = writeln!(
        out,
        "Generator: {:.2} CPU-s ({:.0}% of its {} threads), {:.1} us CPU per request, max scheduling lag {:.1} ms",
        g.cpu_s,
        g.cpu_share * 100.0,
        r.threads,
        if r.requests > 0 {
            g.cpu_s * 1e6 / r.requests as f64
        } else {
            0.0
        },
        g.max_lag_ms
    );
    if args.timeline && !r.timeline.is_empty() {
        let _ = writeln!(
            out,
            "Timeline:\n    {:>5} {:>12} {:>8} {:>10}",
            "t(s)", "req/s", "errors", "p99"
        );
        for p in &r.timeline {
            let _ = writeln!(
                out,
                "    {:>5} {:>12.1} {:>8} {:>10}",
                p.t_s,
                p.rps,
                p.errors,
                ms(p.p99_ms)
            );
        }
    }
    out
}

/// A saturated generator measured itself, not the server: say so wherever figures are shown.
pub(super) fn warn_if_saturated(report: &LoadReport) {
    if report.generator.saturated {
        eprintln!(
            "warning: the load generator was saturated ({}); these figures describe the client, not the server's limit",
            report
                .generator
                .reason
                .as_deref()
                .unwrap_or("no reason recorded")
        );
    }
}
