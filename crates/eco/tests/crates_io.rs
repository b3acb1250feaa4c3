//! The crates.io registry, live: the sparse index's versions with their publication
//! times and dependencies, the `.crate` download, and the crate's module graph and
//! documentation coverage read from it.

use podium_eco::time::timestamp;
use podium_eco::{decoupling, doccov, http::Http, registry};

#[test]
fn axum_from_the_sparse_index_and_its_crate_archive() {
    let http = Http::new();
    let crates = registry::CratesIo::default();
    let versions = crates.versions(&http, "axum").expect("the index answers");
    let pinned = versions
        .iter()
        .find(|v| v.vers == "0.8.9")
        .expect("axum 0.8.9 is listed");
    assert!(
        pinned
            .deps
            .iter()
            .any(|d| d.crate_name() == "tower" && d.kind.as_deref() != Some("dev"))
    );
    let releases = registry::crate_releases(&versions);
    let dated = releases
        .iter()
        .find(|r| r.version == "0.8.9")
        .expect("dated");
    assert!(
        timestamp(dated.published_at).starts_with("2026-04-14"),
        "{dated:?}"
    );

    let cache = tempfile::tempdir().expect("temp dir");
    let dir = crates
        .source(&http, cache.path(), "axum", "0.8.9")
        .expect("downloaded and unpacked");
    assert_eq!(
        registry::crate_repository(&dir).as_deref(),
        Some("https://github.com/tokio-rs/axum")
    );
    let graph = decoupling::rust_graph(&dir).expect("module graph");
    assert!(
        graph.contains_key("crate") && graph.contains_key("routing"),
        "{:?}",
        graph.keys()
    );
    let coupling = decoupling::Coupling::of_graph(&graph);
    assert!(coupling.edges > 0 && coupling.entropy > 0.0 && coupling.entropy < 1.0);
    let docs = doccov::rust_source(&dir).expect("counted");
    assert!(
        docs.exported > 100 && docs.documented <= docs.exported,
        "{docs:?}"
    );
    // A second call reuses the unpacked folder.
    assert_eq!(
        crates
            .source(&http, cache.path(), "axum", "0.8.9")
            .expect("cached"),
        dir
    );

    let err = crates
        .versions(&http, "podium-no-such-crate-here")
        .expect_err("unknown crate");
    assert!(err.to_string().contains("no crate named"), "{err}");
}
