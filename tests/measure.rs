#![allow(clippy::unwrap_used)]
//! `podium env` and `podium measure` end to end: the real binary, a real Go subject,
//! pinned CPUs, probes, profiles and flame graphs written to disk.

mod support;

use serde_json::Value;
use support::{podium, run};

#[test]
fn env_prints_the_record_and_what_is_enforced() {
    let (code, out, err) = run(podium().args(["env", "--json"]));
    assert_eq!(code, 0, "{err}");
    let record: Value = serde_json::from_str(&out).unwrap();
    assert!(!record["cpu_model"].as_str().unwrap().is_empty());
    assert!(record["cores_online"].as_u64().unwrap() >= 1);
    let enforcement = record["enforcement"].as_array().unwrap();
    let pinning = enforcement
        .iter()
        .find(|e| e["what"] == "cpu pinning")
        .unwrap();
    // Every entry says either how it is enforced or why it is not.
    for e in enforcement {
        assert!(!e["detail"].as_str().unwrap().is_empty(), "{e}");
    }
    if record["cores_online"].as_u64().unwrap() >= 2 {
        assert_eq!(pinning["enforced"], true, "{pinning}");
        assert_eq!(record["server_cpus"], "0");
        assert_eq!(record["generator_cpus"], "1");
    }
    let (code, out, _) = run(podium().args(["env"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("isolation") && out.contains("cpu pinning"),
        "{out}"
    );
}

#[test]
fn env_rejects_overlapping_cpu_sets_with_one_clear_line() {
    let (code, _, err) = run(podium().args(["env", "--server-cpus", "0", "--generator-cpus", "0"]));
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("overlap") && err.contains("disjoint"), "{err}");
    let (code, _, err) = run(podium().args(["env", "--server-cpus", "zero"]));
    assert_eq!(code, 1);
    assert!(err.starts_with("error: --server-cpus \"zero\""), "{err}");
}

#[test]
fn measure_runs_workloads_with_probes_profiles_and_middleware_cost() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite.toml");
    std::fs::write(
        &suite,
        r#"
name = "e2e"
[defaults]
duration = "2s"
warmup = "300ms"
repetitions = 2
[[workload]]
name = "json"
path = "/json"
expect_status = 200
[workload.closed]
connections = 8
[[workload]]
name = "rpc"
protocol = "jsonrpc"
rpc_method = "add"
params = [1, 2]
expect_status = 200
[workload.closed]
connections = 4
"#,
    )
    .unwrap();
    let flames = dir.path().join("flames");
    let (code, out, err) = run(podium().args([
        "measure",
        "stdlib",
        "--suite",
        suite.to_str().unwrap(),
        "--profile",
        "always",
        "--profile-seconds",
        "1",
        "--flame-dir",
        flames.to_str().unwrap(),
        "--mw-cost",
        "--mw-seconds",
        "1",
        "--json",
    ]));
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["subject"], "stdlib");
    assert_eq!(doc["environment"]["frameworks"][0]["framework"], "net/http");
    let workloads = doc["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), 2);
    for w in workloads {
        assert_eq!(
            w["repetitions"].as_array().unwrap().len(),
            2,
            "{}",
            w["workload"]
        );
        assert!(w["rps"]["median"].as_f64().unwrap() > 0.0);
        let rep = &w["repetitions"][0];
        assert!(rep["memory"]["rss_peak_bytes"].as_u64().unwrap() > 0);
        assert!(rep["go"]["alloc_bytes_per_sec"].as_f64().unwrap() > 0.0);
        assert_eq!(
            rep["cross_check"]["consistent"], true,
            "{}",
            rep["cross_check"]
        );
        // The generator ran on its own CPU: its threads were pinned before the load.
        assert!(rep["report"]["requests"].as_u64().unwrap() > 0);
    }
    // One flame graph per workload at least, on disk and listed.
    let listed = doc["flame_graphs"].as_array().unwrap();
    assert!(listed.len() >= 2, "{listed:?}");
    for path in listed {
        let svg = std::fs::read_to_string(path.as_str().unwrap()).unwrap();
        assert!(svg.contains("<svg") && svg.contains("net/http"), "{path}");
    }
    let mw = &doc["middleware_cost"];
    assert_eq!(mw["errors"], 0);
    let ratio = mw["throughput_ratio"]["ratio"].as_f64().unwrap();
    assert!(ratio > 0.05 && ratio < 2.0, "{ratio}");
}

#[test]
fn measure_names_a_missing_suite_or_subject() {
    let (code, _, err) = run(podium().args(["measure", "stdlib", "--suite", "/nonexistent.toml"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("/nonexistent.toml") && err.contains("--suite"),
        "{err}"
    );
    let (code, _, err) = run(podium().args(["measure", "no-such-subject"]));
    assert_eq!(code, 1);
    assert!(err.contains("no-such-subject"), "{err}");
}
