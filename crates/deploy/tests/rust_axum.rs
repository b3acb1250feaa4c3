#![allow(clippy::unwrap_used)]
//! The Rust `axum` subject's shipping binary: static glibc, runs, and its dependency
//! count. The first deploy build compiles every dependency (minutes on a small machine);
//! later runs reuse it. The cold build with a fresh CARGO_HOME is not tested here.

use podium_deploy::{dependency_count, deploy_build, first_response};
use podium_subjects::Catalog;
use std::path::PathBuf;

#[test]
fn axum_deploy_binary_is_static_runs_and_counts_its_crates() {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache");
    let catalog = Catalog::load(&cache, &[]).unwrap();
    let subject = catalog.get("axum").unwrap();

    let artifact = deploy_build(subject, &cache).unwrap();
    assert!(
        artifact.static_binary,
        "+crt-static leaves no PT_INTERP: {artifact:?}"
    );
    assert_eq!(artifact.cgo_free, None, "CGO is a Go notion");

    let port = podium_subjects::free_port().unwrap();
    let response = first_response(&artifact.binary, port, 3).unwrap();
    assert!(response.median_ms > 0.0, "{response:?}");

    let deps = dependency_count(subject).unwrap();
    assert!(deps.count > 20, "{deps:?}");
    assert!(deps.method.starts_with("cargo tree"), "{}", deps.method);
    eprintln!(
        "axum: {} bytes, {} deps, first response {:.1} ms",
        artifact.binary_bytes, deps.count, response.median_ms
    );
}
