#![allow(clippy::unwrap_used)]
//! The real `stdlib` Go subject under load, profiled through its pprof endpoint.

mod common;

use podium_profile::{FlameOptions, ProfileSource, flamegraph_svg, go_cpu_profile};

#[test]
fn go_profile_under_load_names_the_handlers_and_draws_them() {
    let (profile, load) =
        common::profile_under_load("stdlib", "/users/42", |base, _pid| go_cpu_profile(base, 3));
    let profile = profile.unwrap();
    assert!(
        load.requests > 0,
        "the load never reached the server: {load:?}"
    );

    assert_eq!(profile.source, ProfileSource::GoPprof);
    assert_eq!(profile.seconds, 3);
    assert_eq!(profile.folded.sample_unit, "nanoseconds");
    assert!(profile.samples > 0);
    let folded = &profile.folded;
    // The route's handler in main.go and the shared helper it calls (about 5% of the
    // ~180 samples each; `common.GetUser` itself is too small to be sampled reliably).
    for frame in [
        "main.getUser",
        "podium.local/subjects/common.WriteJSON",
        "net/http.(*conn).serve",
    ] {
        assert!(
            folded.contains_frame(frame),
            "{frame} missing from the folded stacks:\n{}",
            folded.to_text()
        );
    }
    assert!(
        !folded.contains_frame("main.helloJSON"),
        "/json was never requested"
    );
    // Stacks are root first: the connection loop calls the handler, never the reverse.
    for (stack, _) in folded
        .stacks
        .iter()
        .filter(|(s, _)| s.contains("main.getUser"))
    {
        let serve = stack.find("net/http.(*conn).serve").unwrap_or(usize::MAX);
        assert!(serve < stack.find("main.getUser").unwrap(), "{stack}");
    }
    let top = folded.top_functions(10);
    assert_eq!(top.len(), 10);
    assert!(
        top.windows(2)
            .all(|w| w[0].self_fraction >= w[1].self_fraction)
    );

    let svg = flamegraph_svg(
        folded,
        &FlameOptions {
            title: "stdlib GET /users/42".into(),
            subtitle: Some(format!("{} samples over 3 s", profile.samples)),
            width: Some(1200),
        },
    )
    .unwrap();
    std::fs::write(
        common::cache_dir().join("logs/profile-test-stdlib.svg"),
        &svg,
    )
    .unwrap();
    assert!(
        svg.starts_with("<?xml") || svg.starts_with("<svg"),
        "{}",
        &svg[..100]
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("main.getUser"));
    assert!(svg.contains("podium.local/subjects/common.WriteJSON"));
    assert!(!svg.contains("href=\"http"));

    // The stored form survives the JSON round trip the SQLite store uses.
    let json = serde_json::to_string(&profile).unwrap();
    assert_eq!(
        serde_json::from_str::<podium_profile::CpuProfile>(&json).unwrap(),
        profile
    );
}
