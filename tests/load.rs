//! End-to-end tests of `podium load` against a real subject started with `podium serve`.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod support;

use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{Served, podium, run};

fn load_json(args: &[&str]) -> (i32, Value, String) {
    let (code, out, err) = run(podium().arg("load").args(args).arg("--json"));
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, json, err)
}

#[test]
fn completed_requests_equal_the_subjects_own_counter() {
    let subject = Served::start("stdlib");
    for (extra, requests) in [
        (vec!["-c", "8", "-t", "2"], 2000),
        (vec!["-c", "1", "-t", "1"], 300),
    ] {
        let before = subject.requests_total();
        let n = requests.to_string();
        let mut args = vec![subject.url("/ping")];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(["-n".to_string(), n]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, report, err) = load_json(&args);
        assert_eq!(code, 0, "{err}");
        let after = subject.requests_total();
        assert_eq!(report["requests"], requests, "{report}");
        assert_eq!(report["errors"]["connect"], 0);
        assert_eq!(
            after - before,
            requests as f64,
            "loader {} vs subject +{}",
            report["requests"],
            after - before
        );
    }
}

#[test]
fn the_json_report_has_the_documented_fields() {
    let subject = Served::start("stdlib");
    let (code, r, err) = load_json(&[
        &subject.url("/ping"),
        "-c",
        "4",
        "-d",
        "1s",
        "--expect-body",
        "pong",
    ]);
    assert_eq!(code, 0, "{err}");
    for key in [
        "requests",
        "duration_s",
        "rps",
        "errors",
        "status",
        "latency_ms",
        "timeline",
        "interrupted",
        "cpu_s",
        "max_lag_ms",
    ] {
        assert!(r.get(key).is_some(), "missing {key}: {r}");
    }
    for kind in ["connect", "timeout", "read", "status", "body"] {
        assert_eq!(r["errors"][kind], 0, "{r}");
    }
    for p in [
        "min", "mean", "stdev", "p50", "p75", "p90", "p99", "p999", "max",
    ] {
        assert!(
            r["latency_ms"][p].as_f64().is_some_and(|v| v >= 0.0),
            "{p}: {r}"
        );
    }
    assert!(r["requests"].as_u64().unwrap() > 0);
    assert_eq!(r["status"]["200"], r["requests"]);
    assert_eq!(r["interrupted"], false);
    assert!(!r["timeline"].as_array().unwrap().is_empty());
}

#[test]
fn templates_jsonrpc_and_websocket_against_a_real_subject() {
    let subject = Served::start("stdlib");
    // A fresh token per context, fake users: every POST is a valid creation.
    let (code, r, err) = load_json(&[
        &subject.url("/users"),
        "-m",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--body",
        r#"{"name":"{{faker.name}}","email":"{{faker.email}}"}"#,
        "--expect-status",
        "201",
        "-n",
        "200",
        "-c",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (r["requests"].as_u64(), r["errors"]["status"].as_u64()),
        (Some(200), Some(0)),
        "{r}"
    );
    let (_, r, _) = load_json(&[
        &subject.url("/mw/ping"),
        "-H",
        "Authorization: Bearer {{token}}",
        "-n",
        "100",
        "--expect-body",
        "pong",
    ]);
    assert_eq!(r["errors"]["status"], 0, "{r}");
    assert_eq!(r["errors"]["body"], 0, "{r}");
    // Without a token the same route is a 401 on every request: counted as status errors.
    let (_, r, _) = load_json(&[&subject.url("/mw/ping"), "-n", "50"]);
    assert_eq!(r["errors"]["status"], 50, "{r}");
    let (_, r, _) = load_json(&[
        &subject.url("/rpc"),
        "--jsonrpc",
        "add",
        "--params",
        "[1,2]",
        "--batch",
        "5",
        "-n",
        "100",
    ]);
    assert_eq!(
        (r["requests"].as_u64(), r["errors"]["body"].as_u64()),
        (Some(100), Some(0)),
        "{r}"
    );
    // An unknown method answers with error objects: a fast wrong answer is an error.
    let (_, r, _) = load_json(&[
        &subject.url("/rpc"),
        "--jsonrpc",
        "subtract",
        "--params",
        "[1,2]",
        "-n",
        "100",
    ]);
    assert_eq!(r["errors"]["body"], 100, "{r}");
    let ws = format!("ws://{}/ws", subject.addr);
    let (code, r, err) = load_json(&[&ws, "-n", "300", "-c", "3", "--message-size", "4096"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (r["requests"].as_u64(), r["errors"]["body"].as_u64()),
        (Some(300), Some(0)),
        "{r}"
    );
    assert!(r["connect_ms"]["count"].as_u64().unwrap() >= 3, "{r}");
}

#[test]
fn open_loop_keeps_the_asked_rate() {
    let subject = Served::start("stdlib");
    let (_, r, err) = load_json(&[&subject.url("/ping"), "--rate", "200", "-d", "3s"]);
    assert_eq!(r["model"], "open", "{err}");
    assert_eq!(r["asked_rps"], 200.0);
    let achieved = r["achieved_rps"].as_f64().unwrap();
    assert!((achieved - 200.0).abs() <= 200.0 * 0.02, "{r}");
    assert!(r["uncorrected_latency_ms"]["p50"].as_f64().is_some(), "{r}");
}

#[test]
fn ctrl_c_prints_what_was_measured_marked_interrupted() {
    let subject = Served::start("stdlib");
    let child = podium()
        .args([
            "load",
            &subject.url("/ping"),
            "-c",
            "4",
            "-d",
            "60s",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "stopped promptly"
    );
    assert_eq!(out.status.code(), Some(130));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["interrupted"], true);
    assert!(r["requests"].as_u64().unwrap() > 0, "{r}");
    assert!(r["duration_s"].as_f64().unwrap() < 30.0, "{r}");
}

#[test]
fn a_refused_url_is_one_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let (code, out, err) =
        run(podium().args(["load", &format!("http://127.0.0.1:{port}/ping"), "-d", "5s"]));
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot connect to 127.0.0.1:")
            && err.contains("check that the server is running"),
        "{err}"
    );
    assert_eq!(err.matches("Connection refused").count(), 1, "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn bad_arguments_are_named() {
    let (code, _, err) = run(podium().args(["load", "http://127.0.0.1:9/", "--rate", "10:+x/s:5"]));
    assert_eq!(code, 1);
    assert!(err.starts_with("error: --rate \"10:+x/s:5\""), "{err}");
    let (code, _, err) = run(podium().args(["load", "http://127.0.0.1:9/", "-H", "NoColon"]));
    assert_eq!(code, 1);
    assert!(err.contains("'Name: value'"), "{err}");
    let (code, _, _) = run(podium().args(["load", "http://127.0.0.1:9/", "--params", "[1]"]));
    assert_eq!(code, 2, "--params requires --jsonrpc");
}

#[test]
fn a_suite_runs_its_workloads_against_a_subject() {
    let subject = Served::start("stdlib");
    let suite = support::repo_root().join("suites/quick.toml");
    let base = subject.url("");
    let mut cmd = podium();
    cmd.args(["load", "--suite"]).arg(&suite).arg(&base);
    for w in ["json", "users-post", "rpc-batch", "ws-echo"] {
        cmd.args(["--workload", w]);
    }
    let (code, out, err) = run(cmd.arg("--json"));
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let workloads = doc["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), 4, "{doc}");
    for w in workloads {
        let reps = w["repetitions"].as_array().unwrap();
        assert_eq!(reps.len(), 1, "{w}");
        assert!(reps[0]["requests"].as_u64().unwrap() > 0, "{w}");
        assert_eq!(reps[0]["errors"]["status"], 0, "{w}");
        assert_eq!(reps[0]["errors"]["body"], 0, "{w}");
    }
    let (code, _, err) = run(podium()
        .args(["load", "--suite"])
        .arg(&suite)
        .arg(&base)
        .args(["--workload", "nope"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("has no workload \"nope\"") && err.contains("ping-c16"),
        "{err}"
    );
}

#[test]
fn hdr_out_writes_an_interval_log() {
    let subject = Served::start("stdlib");
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("run-{}.hlog", std::process::id()));
    let (code, _, err) = run(podium()
        .args(["load", &subject.url("/ping"), "-n", "300", "--hdr-out"])
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    let log = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[0], "#[Histogram log format version 1.3]");
    assert!(
        lines.iter().any(|l| l.starts_with("#[StartTime: ")),
        "{log}"
    );
    let data: Vec<&&str> = lines
        .iter()
        .filter(|l| !l.starts_with('#') && !l.starts_with('"'))
        .collect();
    assert_eq!(data.len(), 1, "{log}");
    assert!(
        data[0]
            .split(',')
            .nth(3)
            .is_some_and(|h| h.starts_with("HISTF")),
        "{log}"
    );
}
