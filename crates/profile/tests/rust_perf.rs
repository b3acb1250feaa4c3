#![allow(clippy::unwrap_used)]
//! The real `axum` Rust subject under load, profiled with `perf`.

mod common;

use podium_profile::{
    FlameOptions, ProfileSource, flamegraph_svg, perf_availability, perf_cpu_profile,
};

#[test]
fn perf_profile_under_load_names_the_rust_stack() {
    // CI installs linux-perf; a machine without it must say so rather than pass quietly.
    let info = perf_availability().unwrap_or_else(|e| panic!("{e}"));
    assert!(info.version.starts_with("perf version"), "{info:?}");

    let (profile, load) =
        common::profile_under_load("axum", "/json", |_base, pid| perf_cpu_profile(pid, 3, 99));
    let profile = profile.unwrap();
    assert!(
        load.requests > 0,
        "the load never reached the server: {load:?}"
    );

    assert_eq!(profile.source, ProfileSource::Perf);
    assert_eq!(profile.folded.sample_unit, "samples");
    assert_eq!(profile.samples, profile.folded.total);
    // 3 s at 99 Hz of a server kept busy took ~70 samples here (it gets about a
    // quarter of this shared 2-core machine); a handful would mean perf lost the target.
    assert!(profile.samples >= 10, "only {} samples", profile.samples);
    let folded = &profile.folded;
    let found: Vec<&str> = ["hyper::", "tokio::", "axum::", "podium_subject_axum"]
        .into_iter()
        .filter(|frame| folded.contains_frame(frame))
        .collect();
    assert!(
        found.contains(&"hyper::") && found.contains(&"tokio::"),
        "found only {found:?} in:\n{}",
        folded.to_text()
    );
    eprintln!("frames found: {found:?}");
    eprintln!("top functions: {:#?}", folded.top_functions(8));

    let svg = flamegraph_svg(folded, &FlameOptions::default()).unwrap();
    std::fs::write(common::cache_dir().join("logs/profile-test-axum.svg"), &svg).unwrap();
    assert!(svg.contains("hyper::"));
    assert!(svg.trim_end().ends_with("</svg>"));
}
