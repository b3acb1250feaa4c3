//! Shared by the integration tests: the sample report and where things are. Each test
//! file compiles this module on its own and uses part of it.
#![allow(dead_code)]

use podium_report::RunReport;
use std::path::PathBuf;

/// crates/report.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's root.
pub fn repo_root() -> PathBuf {
    crate_dir().join("../..")
}

/// tests/fixtures/sample-report.json: a run of four subjects (two Go, two Rust; echo
/// unverified with failed checks; axum's flame graph unavailable, gin's a real inferno
/// SVG) over three workloads (closed-loop ping, JSON-RPC, open-loop ramp with a knee).
pub fn sample_path() -> PathBuf {
    crate_dir().join("tests/fixtures/sample-report.json")
}

/// The sample report, as the fixture holds it.
pub fn sample() -> RunReport {
    let text = std::fs::read_to_string(sample_path())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", sample_path().display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the sample is not a RunReport: {e}"))
}
