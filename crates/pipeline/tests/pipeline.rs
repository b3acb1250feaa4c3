#![allow(clippy::unwrap_used)]
//! The pipeline against real subjects and a real SQLite store: two bundled Go subjects and
//! a fixture that crashes under load; an interrupted run; the report rebuilt from the
//! store alone.

use podium_measure::{MeasureOptions, MiddlewareCostSpec, ProfilePolicy};
use podium_pipeline::{Event, RunPlan, assemble, execute};
use podium_store::{SqliteStore, Store, SubjectStatus};
use podium_subjects::Catalog;
use podium_workload::Suite;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const SUITE: &str = r#"
name = "pipeline-test"
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
name = "json"
path = "/json"
expect_status = 200
[workload.closed]
connections = 8
"#;

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("podium-cache")
}

fn plan(names: &[&str]) -> RunPlan {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/subjects");
    let catalog = Catalog::load(&cache(), &[fixtures]).unwrap();
    RunPlan {
        subjects: names
            .iter()
            .map(|n| catalog.get(n).unwrap().clone())
            .collect(),
        suite: Suite::parse(SUITE, Path::new("pipeline-test.toml")).unwrap(),
        suite_text: SUITE.to_string(),
        quick: true,
        cache: cache(),
        isolation: podium_env::IsolationRequest::default(),
        measure: MeasureOptions {
            profile: ProfilePolicy::Never,
            bootstrap_resamples: 1000,
            ..MeasureOptions::default()
        },
        middleware: Some(MiddlewareCostSpec {
            connections: 8,
            duration: Duration::from_millis(500),
            warmup: Duration::from_millis(200),
            ..MiddlewareCostSpec::default()
        }),
        deployment: None,
        oci_dir: None,
        config: serde_json::json!({"weights": {"performance": 0.4, "ecosystem": 0.2, "observability": 0.2, "hot_reload": 0.2}}),
        command_line: vec!["podium".into(), "run".into(), "--quick".into()],
        jwt_secret: podium_token::DEFAULT_SECRET.into(),
        cross_check: None,
    }
}

#[test]
fn a_run_is_stored_as_it_goes_and_a_crash_is_recorded_without_stopping_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("podium.db");
    let store = SqliteStore::open(&db).unwrap();
    let mut done = Vec::new();
    let tools = podium_pipeline::PeerTools::find();
    assert!(
        tools.wrk.is_some() && tools.vegeta.is_some(),
        "wrk and vegeta are needed for the cross-checks: run scripts/setup.sh"
    );
    let mut plan = plan(&["stdlib", "crashy", "chi"]);
    plan.cross_check = Some(tools);
    let run = execute(
        &plan,
        &store,
        &mut |e| {
            if let Event::SubjectDone {
                subject, status, ..
            } = e
            {
                done.push((subject, status));
            }
        },
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(
        done,
        vec![
            ("stdlib".to_string(), SubjectStatus::Measured),
            ("crashy".to_string(), SubjectStatus::Crashed),
            ("chi".to_string(), SubjectStatus::Measured),
        ]
    );
    let stored = store.run(run).unwrap();
    assert!(stored.summary.complete && stored.summary.finished_at.is_some());
    let crashy = stored.subjects.iter().find(|s| s.name == "crashy").unwrap();
    let reason = crashy.reason.as_deref().unwrap();
    assert!(reason.contains("exited during workload json"), "{reason}");
    drop(store);

    // The report comes from the store alone: reopened read-only, twice, equal.
    let store = SqliteStore::open_read_only(&db).unwrap();
    let report = assemble(&store, run).unwrap();
    assert_eq!(report, assemble(&store, run).unwrap());
    let json = serde_json::to_string(&report).unwrap();
    let mut back: podium_report::RunReport = serde_json::from_str(&json).unwrap();
    // Flame graph SVGs stay out of report.json by design; none were taken here.
    back.subjects
        .iter_mut()
        .for_each(|s| s.flame_graphs.iter_mut().for_each(|f| f.svg = None));
    assert_eq!(back.subjects.len(), report.subjects.len());

    assert!(report.run.complete && report.run.quick);
    let names: Vec<&str> = report.subjects.iter().map(|s| s.name.as_str()).collect();
    // Ranked subjects first; the crashed one is shown but not ranked.
    assert_eq!(names.len(), 3);
    assert_eq!(names[2], "crashy");
    let crashy = &report.subjects[2];
    assert_eq!(crashy.rank, None);
    assert_eq!(crashy.status, "crashed");
    assert_eq!(
        crashy.workloads.len(),
        1,
        "the ping workload measured before the crash is kept"
    );
    for s in &report.subjects[..2] {
        assert!(s.verified && s.rank.is_some(), "{}", s.name);
        assert_eq!(s.workloads.len(), 2);
        for w in &s.workloads {
            assert_eq!(w.rps.n, 2);
            assert!(w.rps.median > 0.0 && w.rps.ci_low <= w.rps.median);
            assert_eq!(w.errors, 0);
            assert_eq!(w.counter_consistent, Some(true), "{}/{}", s.name, w.name);
            // From the stored HDR histogram: increasing percentiles.
            assert!(w.latency_curve.len() >= 10);
            assert!(w.latency_curve.windows(2).all(|p| p[0].1 <= p[1].1));
        }
        let memory = s.memory.as_ref().unwrap();
        assert!(memory.rss_peak_bytes > 0 && memory.allocs_per_request.unwrap() > 0.0);
        // wrk repeated the /ping closed loop and vegeta ran a fixed rate beside Podium's
        // open loop; both figures are there (agreement depends on this busy machine).
        let peers = &s.workloads[0].cross_checks;
        assert_eq!(peers.len(), 2, "{peers:?}");
        assert!(
            peers.iter().all(|p| p.rps > 0.0 && p.p99_ms.is_some()),
            "{peers:?}"
        );
        let mw = s.middleware_cost.as_ref().unwrap();
        assert!(mw.ratio > 0.0 && mw.ping_rps.n == 3);
        let composite = s.scores.composite.unwrap();
        assert!((0.0..=1.0).contains(&composite));
        assert!(s.developer_experience.lines.unwrap() > 20);
    }
    assert_eq!(report.subjects[0].rank, Some(1));
    assert_eq!(report.radar.series.len(), 2);
    assert_eq!(report.rankings.len(), 2);
    for ranking in &report.rankings {
        assert_eq!(ranking.entries.len(), 2, "{}", ranking.workload);
    }
    assert!(
        report.environment["cpu_model"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[test]
fn an_interrupted_run_keeps_what_was_measured_and_is_marked_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("podium.db")).unwrap();
    let stop = AtomicBool::new(false);
    let run = execute(
        &plan(&["stdlib", "chi"]),
        &store,
        &mut |e| {
            // Ctrl-C while the first subject's second workload runs.
            if let Event::Phase {
                phase: "measure",
                detail,
                ..
            } = &e
                && detail == "json"
            {
                stop.store(true, Ordering::Relaxed);
            }
        },
        &stop,
    )
    .unwrap();
    let stored = store.run(run).unwrap();
    assert!(!stored.summary.complete);
    assert!(stored.summary.finished_at.is_some());
    assert!(
        stored
            .summary
            .note
            .as_deref()
            .unwrap()
            .contains("interrupted")
    );
    assert_eq!(stored.subjects.len(), 1, "chi never started");
    assert_eq!(stored.subjects[0].status, SubjectStatus::Interrupted);
    let report = assemble(&store, run).unwrap();
    assert!(!report.run.complete);
    // The ping workload finished before the interruption and is kept.
    assert!(
        report.subjects[0]
            .workloads
            .iter()
            .any(|w| w.name == "ping")
    );
    assert!(report.notes.iter().any(|n| n.contains("interrupted")));
}
