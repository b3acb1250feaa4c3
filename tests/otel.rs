//! `podium otel` end to end: the real Gin OpenTelemetry variant (built with the Go
//! toolchain, exporting with the Go SDK's own OTLP exporters) checked over OTLP/HTTP and
//! OTLP/gRPC, the compatibility matrix with an older SDK line, the cost against the plain
//! subject, the stored observation, the two broken fixture variants (each failing exactly
//! the check aimed at its fault), `--url` against a service that exports nothing, and the
//! real Rust variants (axum over OTLP/HTTP, actix-web over OTLP/gRPC, with the Rust SDK).

#![allow(clippy::unwrap_used)]

mod support;

use podium_store::{SqliteStore, Store, kind};
use serde_json::Value;
use std::process::Command;
use support::{Served, podium, repo_root, run};

/// `podium otel ARGS --json` on free receiver ports with its own store.
fn otel(db: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    otel_with(podium(), db, args)
}

/// [`otel`] through a `podium` command prepared by the caller (its environment).
fn otel_with(mut podium: Command, db: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let (code, out, err) = run(podium
        .arg("--subjects-dir")
        .arg(repo_root().join("tests/fixtures/subjects"))
        .args(["otel", "--json", "--http-port", "0", "--grpc-port", "0"])
        .arg("--db")
        .arg(db)
        .args(args));
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| {
        panic!("podium otel {args:?} printed no JSON ({e}); exit {code}\nstdout:\n{out}\nstderr:\n{err}")
    });
    (code, doc, err)
}

fn verdicts(doc: &Value) -> [String; 3] {
    ["tracer", "propagator", "metrics"].map(|c| {
        doc[c]["verdict"]
            .as_str()
            .unwrap_or_else(|| panic!("no {c} verdict in {doc:#}"))
            .to_string()
    })
}

fn evidence_of<'a>(doc: &'a Value, check: &str, item: &str) -> &'a Value {
    doc[check]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["item"] == item)
        .unwrap_or_else(|| panic!("no {check} evidence {item:?} in {doc:#}"))
}

#[test]
fn gin_passes_over_http_with_its_sdk_matrix_and_the_result_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let (code, doc, err) = otel(&db, &["gin", "--no-cost"]);
    assert_eq!(verdicts(&doc), ["pass", "pass", "pass"], "{doc:#}\n{err}");
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["protocol"], "http/protobuf");
    assert_eq!(doc["maintainer"], "opentelemetry-contrib");
    // Evidence names what was expected and what arrived.
    let parent = evidence_of(&doc, "tracer", "parent span id");
    assert_eq!(parent["expected"], parent["arrived"]);
    assert_eq!(
        evidence_of(&doc, "propagator", "tracestate")["arrived"],
        "podium=t61rcWkgMzE,congo=ucfJifl5GOE"
    );
    assert_eq!(
        evidence_of(&doc, "metrics", "request count")["arrived"],
        "20"
    );
    // The matrix: the pinned SDK and at least one older line, each checked.
    let matrix = doc["matrix"].as_array().unwrap();
    assert!(matrix.len() >= 2, "{doc:#}");
    assert_eq!(matrix[0]["pinned"], true);
    for row in matrix {
        assert!(row["checks"].is_object(), "not checked: {row:#}");
    }
    assert_ne!(matrix[1]["sdk"], matrix[0]["sdk"]);
    assert!(doc["lines_added"]["total"].as_u64().unwrap() > 0, "{doc:#}");
    assert!(doc["cost"].is_null());

    let store = SqliteStore::open(&db).unwrap();
    let stored = store
        .latest_observation(kind::OTEL, "gin")
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.observation.json["checks"]["tracer"]["verdict"],
        "pass"
    );
    assert_eq!(
        stored.observation.json["matrix"].as_array().unwrap().len(),
        matrix.len()
    );
}

#[test]
fn gin_passes_over_grpc_and_its_cost_is_measured() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let (code, doc, err) = otel(&db, &["gin", "--protocol", "grpc", "--no-matrix"]);
    assert_eq!(verdicts(&doc), ["pass", "pass", "pass"], "{doc:#}\n{err}");
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["protocol"], "grpc");
    assert_eq!(doc["matrix"].as_array().unwrap().len(), 1);
    let cost = &doc["cost"];
    for key in ["throughput_ratio", "p99_ratio"] {
        let ratio = cost[key]["ratio"].as_f64().unwrap();
        let (low, high) = (
            cost[key]["ci_low"].as_f64().unwrap(),
            cost[key]["ci_high"].as_f64().unwrap(),
        );
        assert!(
            ratio > 0.0 && low <= ratio && ratio <= high,
            "{key}: {cost:#}"
        );
    }
    assert!(cost["plain_rps"]["median"].as_f64().unwrap() > 0.0);
    assert!(cost["otel_rps"]["median"].as_f64().unwrap() > 0.0);
    assert_eq!(cost["errors"], 0, "{cost:#}");
    // Spans exported under load are counted (the SDK may drop some when its queue fills).
    let requests = cost["otel_requests"].as_u64().unwrap();
    let spans = cost["spans_received"].as_u64().unwrap();
    assert!(
        requests > 0 && spans > 0 && spans <= requests + 100,
        "{cost:#}"
    );
}

#[test]
fn a_variant_that_drops_tracestate_fails_only_the_propagator() {
    let dir = tempfile::tempdir().unwrap();
    let (code, doc, err) = otel(
        &dir.path().join("podium.db"),
        &["otel-drops-tracestate", "--no-cost", "--no-matrix"],
    );
    assert_eq!(verdicts(&doc), ["pass", "fail", "pass"], "{doc:#}\n{err}");
    assert_eq!(code, 1);
    let tracestate = evidence_of(&doc, "propagator", "tracestate");
    assert_eq!(tracestate["ok"], false);
    assert_eq!(tracestate["arrived"], "(none)", "{tracestate:#}");
    assert_eq!(evidence_of(&doc, "propagator", "baggage")["ok"], true);
}

#[test]
fn a_variant_that_exports_no_metrics_fails_only_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let (code, doc, err) = otel(
        &dir.path().join("podium.db"),
        &["otel-no-metrics", "--no-cost", "--no-matrix", "--wait", "5"],
    );
    assert_eq!(verdicts(&doc), ["pass", "pass", "fail"], "{doc:#}\n{err}");
    assert_eq!(code, 1);
    let missing = evidence_of(&doc, "metrics", "http.server.request.duration");
    assert!(
        missing["arrived"]
            .as_str()
            .unwrap()
            .contains("no metrics at all"),
        "{missing:#}"
    );
}

#[test]
fn the_rust_variants_pass_axum_over_http_and_actix_web_over_grpc() {
    // The release profile's fat LTO makes each variant a 7–8 minute build on 2 cores; the
    // checks are about what the instrumentation exports, not speed, so these builds are
    // unoptimised-ish (cargo's CARGO_PROFILE_RELEASE_* variables) and kept in a cache of
    // their own: no other test may pick up these binaries to measure them. --no-cost for the
    // same reason; the two share one cargo target folder, so they run one after the other.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let light_podium = || {
        let mut cmd = podium();
        cmd.env(
            "PODIUM_CACHE_DIR",
            support::cache_dir().with_file_name("podium-cache-otel-rust"),
        )
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1");
        cmd
    };
    for (subject, protocol, instrumentation) in [
        (
            "axum",
            "http/protobuf",
            "opentelemetry-instrumentation-tower",
        ),
        (
            "actix-web",
            "grpc",
            "opentelemetry-instrumentation-actix-web",
        ),
    ] {
        let (code, doc, err) = otel_with(
            light_podium(),
            &db,
            &[subject, "--protocol", protocol, "--no-cost", "--no-matrix"],
        );
        assert_eq!(
            verdicts(&doc),
            ["pass", "pass", "pass"],
            "{subject}: {doc:#}\n{err}"
        );
        assert_eq!(code, 0, "{subject}: {err}");
        assert_eq!(doc["protocol"], protocol);
        assert_eq!(doc["maintainer"], "opentelemetry-contrib");
        assert!(
            doc["instrumentation"]
                .as_str()
                .unwrap()
                .starts_with(instrumentation),
            "{subject}: {doc:#}"
        );
        let matrix = doc["matrix"].as_array().unwrap();
        assert_eq!(matrix.len(), 1);
        assert!(
            matrix[0]["sdk"]
                .as_str()
                .unwrap()
                .starts_with("opentelemetry_sdk "),
            "{subject}: {doc:#}"
        );
        // The route template as the framework names it, from its own router.
        assert_eq!(
            evidence_of(&doc, "tracer", "http.route")["arrived"],
            "/users/{id}",
            "{subject}"
        );
        assert_eq!(
            evidence_of(&doc, "metrics", "request count")["arrived"],
            "20",
            "{subject}"
        );
    }
    let store = SqliteStore::open(&db).unwrap();
    for subject in ["axum", "actix-web"] {
        let stored = store.latest_observation(kind::OTEL, subject).unwrap();
        assert!(stored.is_some(), "{subject}'s result is not stored");
    }
}

#[test]
fn url_mode_against_a_service_without_telemetry_fails_all_three_with_evidence() {
    let served = Served::start("stdlib");
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(podium()
        .args([
            "otel",
            "--json",
            "--http-port",
            "0",
            "--grpc-port",
            "0",
            "--wait",
            "2",
        ])
        .arg("--db")
        .arg(dir.path().join("podium.db"))
        .args(["--url", &served.url("")]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("must already export there"), "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(verdicts(&doc), ["fail", "fail", "fail"], "{doc:#}");
    let span = evidence_of(&doc, "tracer", "server span");
    assert!(
        span["arrived"]
            .as_str()
            .unwrap()
            .contains("nothing with that trace id")
    );
    assert!(
        !dir.path().join("podium.db").exists(),
        "--url stores nothing"
    );
}

#[test]
fn a_subject_without_an_otel_section_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(podium()
        .arg("--subjects-dir")
        .arg(repo_root().join("tests/fixtures/subjects"))
        .args(["otel", "broken", "--http-port", "0", "--grpc-port", "0"])
        .arg("--db")
        .arg(dir.path().join("podium.db")));
    // 2, not 1: nothing was checked, so no check failed.
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: broken has no [otel] section in its subject.toml"),
        "{err}"
    );
}
