#![allow(clippy::unwrap_used)]
//! `podium run`, `report`, `history`, `compare` and `recommend` end to end: the real
//! binary, real Go subjects, a real SQLite file; report.json checked against its schema.

mod support;

use serde_json::Value;
use std::path::Path;
use support::{podium, repo_root, run};

const SUITE: &str = r#"
name = "e2e"
[defaults]
duration = "1s"
warmup = "200ms"
repetitions = 2
[[workload]]
name = "ping"
path = "/ping"
expect_status = 200
expect_body = "pong"
[workload.closed]
connections = 8
[[workload]]
name = "users"
path = "/users/{{seq}}"
expect_status = 200
[workload.closed]
connections = 8
"#;

fn podium_run(dir: &Path, db: &Path, out: &str) -> (i32, String, String) {
    let suite = dir.join("suite.toml");
    std::fs::write(&suite, SUITE).unwrap();
    run(podium().args([
        "run",
        "--quick",
        "--subjects",
        "stdlib,chi",
        "--suite",
        suite.to_str().unwrap(),
        "--repetitions",
        "2",
        "--out",
        dir.join(out).to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]))
}

fn validate(report: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schemas/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report.json breaks its schema: {errors:#?}"
    );
}

/// The real run's report.html in headless Chromium (crates/report/tests/browser/check.mjs,
/// generic mode): no outside request, no console error, the radar's hover, legend and axis
/// toggles work.
fn browser_check(html: &Path, png: &Path) {
    let script = repo_root().join("crates/report/tests/browser/check.mjs");
    assert!(
        repo_root()
            .join("crates/report/tests/browser/node_modules/playwright-core")
            .exists(),
        "playwright-core is not installed: run scripts/setup.sh"
    );
    let out = std::process::Command::new("node")
        .arg(script)
        .arg(html)
        .arg(png)
        .env("PODIUM_CHECK", "generic")
        .output()
        .expect("node runs (scripts/setup.sh installs what the browser check needs)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "check.mjs printed no JSON ({e}): {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(result["ok"], true, "{result}");
    assert!(out.status.success());
    assert!(png.metadata().unwrap().len() > 10_000);
}

#[test]
fn run_writes_the_three_reports_and_the_store_rebuilds_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let (code, out, err) = podium_run(dir.path(), &db, "report");
    assert_eq!(code, 0, "{err}");
    for name in ["report.json", "report.md", "report.html"] {
        assert!(out.contains(name), "{out}");
        assert!(
            dir.path()
                .join("report")
                .join(name)
                .metadata()
                .unwrap()
                .len()
                > 1000
        );
    }
    let json = std::fs::read_to_string(dir.path().join("report/report.json")).unwrap();
    let report: Value = serde_json::from_str(&json).unwrap();
    validate(&report);
    assert_eq!(report["run"]["complete"], true);
    assert_eq!(report["run"]["quick"], true);
    let subjects = report["subjects"].as_array().unwrap();
    assert_eq!(subjects.len(), 2);
    for s in subjects {
        assert_eq!(s["verified"], true);
        assert!(s["rank"].as_u64().is_some());
        let w = &s["workloads"][0];
        assert_eq!(w["rps"]["n"], 2);
        assert!(w["latency"]["p999"].as_f64().unwrap() >= w["latency"]["p50"].as_f64().unwrap());
        assert!(s["memory"]["rss_peak_bytes"].as_u64().unwrap() > 0);
        assert!(s["memory"]["allocs_per_request"].as_f64().unwrap() > 0.0);
        assert!(s["middleware_cost"]["ratio"].as_f64().unwrap() > 0.0);
        assert!(s["developer_experience"]["routes"].as_str().is_some());
        // `podium run` collected the ecosystem first (registries live) and carried it.
        let eco = &s["ecosystem"];
        let module = if s["name"] == "stdlib" {
            "net/http"
        } else {
            "github.com/go-chi/chi/v5"
        };
        assert_eq!(eco["module"], module, "{eco}");
        assert_eq!(eco["age_runs"], 0);
        let decoupling = eco["signals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "decoupling")
            .unwrap();
        assert!(
            decoupling["normalised"]
                .as_f64()
                .is_some_and(|v| v > 0.0 && v <= 1.0)
        );
        assert!(eco["score"].as_f64().is_some());
        assert!(
            s["scores"]["ecosystem"].as_f64().is_some(),
            "the Ecosystem axis is scored"
        );
    }
    let md = std::fs::read_to_string(dir.path().join("report/report.md")).unwrap();
    assert!(md.contains("## Ecosystem maturity") && md.contains("net/http"));
    let html = std::fs::read_to_string(dir.path().join("report/report.html")).unwrap();
    assert!(html.contains("stdlib") && html.contains("chi"));
    browser_check(
        &dir.path().join("report/report.html"),
        &dir.path().join("shot.png"),
    );

    // Rebuilt from the store alone: the same report.
    let (code, _, err) = run(podium().args([
        "report",
        "--db",
        db.to_str().unwrap(),
        "--out",
        dir.path().join("rebuilt").to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    for name in ["report.json", "report.md", "report.html"] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join("report").join(name)).unwrap(),
            std::fs::read_to_string(dir.path().join("rebuilt").join(name)).unwrap(),
            "{name} rebuilt from the store differs"
        );
    }
    // The Chinese report.
    let (code, _, err) = run(podium().args([
        "report",
        "1",
        "--db",
        db.to_str().unwrap(),
        "--lang",
        "zh",
        "--out",
        dir.path().join("zh").to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    let zh = std::fs::read_to_string(dir.path().join("zh/report.md")).unwrap();
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{zh}"
    );

    // A second run, then history, compare and recommend.
    let (code, _, err) = podium_run(dir.path(), &db, "second");
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(podium().args(["history", "--db", db.to_str().unwrap(), "--json"]));
    assert_eq!(code, 0, "{err}");
    let runs: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    assert_eq!(runs[0]["id"], 2, "newest first");
    let (code, out, err) =
        run(podium().args(["compare", "1", "2", "--db", db.to_str().unwrap(), "--json"]));
    assert_eq!(code, 0, "{err}");
    let deltas: Value = serde_json::from_str(&out).unwrap();
    // 2 subjects × 2 workloads × (rps, p99).
    assert_eq!(deltas.as_array().unwrap().len(), 8, "{out}");
    for d in deltas.as_array().unwrap() {
        let verdict = d["verdict"].as_str().unwrap();
        assert!(
            ["faster", "slower", "within noise"].contains(&verdict),
            "{d}"
        );
    }
    let (code, out, err) = run(podium().args([
        "recommend",
        "--profile",
        "small-binary",
        "--db",
        db.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("profile small-binary") && out.contains("sensitivity:"),
        "{out}"
    );
}

#[test]
fn a_corrupt_store_is_refused_untouched_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    std::fs::write(
        &db,
        b"this is not a database, but someone's notes\n".repeat(100),
    )
    .unwrap();
    let before = std::fs::read(&db).unwrap();
    let (code, _, err) = podium_run(dir.path(), &db, "report");
    assert_eq!(code, 1);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    assert!(err.contains("podium.db") && err.contains("--db"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file was modified");
    assert!(!dir.path().join("report").exists(), "nothing ran");
}

#[test]
fn ctrl_c_stops_cleanly_keeps_what_was_measured_and_marks_the_report_incomplete() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let suite = dir.path().join("suite.toml");
    std::fs::write(&suite, SUITE).unwrap();
    let mut child = podium()
        .args([
            "run",
            "--quick",
            "--no-cross-check",
            "--subjects",
            "stdlib,chi",
            "--suite",
            suite.to_str().unwrap(),
            "--out",
            dir.path().join("report").to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        if line.starts_with("✓ stdlib") {
            // Ctrl-C while the second subject is being measured.
            std::thread::sleep(std::time::Duration::from_secs(3));
            // SAFETY: kill(2) on our own child's pid.
            unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        }
        seen.push(line);
    }
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "{status:?} {:?}: {seen:?}",
        std::os::unix::process::ExitStatusExt::signal(&status)
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report/report.json")).unwrap(),
    )
    .unwrap();
    validate(&report);
    assert_eq!(report["run"]["complete"], false);
    let stdlib = report["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "stdlib")
        .unwrap();
    assert_eq!(stdlib["status"], "measured");
    assert_eq!(stdlib["workloads"].as_array().unwrap().len(), 2);
    let (code, out, _) = run(podium().args(["history", "--db", db.to_str().unwrap()]));
    assert_eq!(code, 0);
    assert!(out.contains("partial"), "{out}");
}

#[test]
fn a_run_whose_stderr_goes_away_still_stores_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite.toml");
    std::fs::write(&suite, SUITE).unwrap();
    let mut child = podium()
        .args([
            "run",
            "--quick",
            "--no-cross-check",
            "--no-mw-cost",
            "--subjects",
            "stdlib",
            "--suite",
            suite.to_str().unwrap(),
            "--out",
            dir.path().join("report").to_str().unwrap(),
            "--db",
            dir.path().join("podium.db").to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Like `podium run 2>&1 | head -1`: the reader goes away at once.
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["run"]["complete"], true);
}

#[test]
fn a_thorough_run_checks_opentelemetry_and_grades_hot_reload_first_and_carries_both() {
    // Without --quick: the OpenTelemetry checks (with the SDK matrix and the cost loop)
    // and the hot-reload grading run before the measurements, are stored as
    // observations, and the run carries them at age 0 onto its report's axes.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let suite = dir.path().join("suite.toml");
    std::fs::write(&suite, SUITE).unwrap();
    let (pid, code, _, err) = support::run_with_pid(podium().args([
        "run",
        "--subjects",
        "stdlib",
        "--suite",
        suite.to_str().unwrap(),
        "--repetitions",
        "1",
        "--no-deploy",
        "--no-cross-check",
        "--no-mw-cost",
        "--out",
        dir.path().join("report").to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    // The up-front estimate counts the two steps, and each says how it ended.
    assert!(
        err.contains("for the OpenTelemetry checks (1 subjects") && err.contains("--no-reload"),
        "{err}"
    );
    assert!(
        err.contains("stdlib: OpenTelemetry tracer pass, propagator pass, metrics pass"),
        "{err}"
    );
    assert!(err.contains("hot reload stdlib: grade "), "{err}");

    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report/report.json")).unwrap(),
    )
    .unwrap();
    validate(&report);
    assert_eq!(report["run"]["quick"], false);
    let stdlib = &report["subjects"][0];
    let otel = &stdlib["observability"];
    assert_eq!(otel["age_runs"], 0, "{otel:#}");
    assert_eq!(
        [&otel["tracer"], &otel["propagator"], &otel["metrics"]],
        ["pass", "pass", "pass"]
    );
    assert!(otel["matrix"].as_array().unwrap().len() >= 2, "{otel:#}");
    assert!(otel["throughput_ratio"]["value"].as_f64().unwrap() > 0.0);
    let reload = &stdlib["hot_reload"];
    assert_eq!(reload["age_runs"], 0, "{reload:#}");
    assert_eq!(reload["tool"], "air");
    assert!(
        ["A", "B", "C", "D"].contains(&reload["grade"].as_str().unwrap()),
        "{reload:#}"
    );
    for axis in ["performance", "ecosystem", "observability", "hot_reload"] {
        assert!(
            stdlib["scores"][axis].as_f64().is_some(),
            "{axis} not scored: {:#}",
            stdlib["scores"]
        );
    }
    assert!(
        support::tagged_processes(&podium_reload::instance_prefix(pid)).is_empty(),
        "the dev loop outlived the run"
    );
}
