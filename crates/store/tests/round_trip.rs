#![allow(clippy::unwrap_used)]
//! Everything stored reads back equal, from a fresh store over the same file.

use std::path::Path;

use podium_store::{
    Artifact, ArtifactFilter, ArtifactKey, NewRun, RunEnd, RunId, SqliteStore, Store, StoreError,
    SubjectRecord, SubjectStatus, kind,
};
use proptest::prelude::*;
use serde_json::json;

fn new_run(started_at: i64) -> NewRun {
    NewRun {
        started_at,
        podium_version: "0.1.0".to_owned(),
        command_line: vec![
            "podium".to_owned(),
            "run".to_owned(),
            "--suite".to_owned(),
            "suites/default.toml".to_owned(),
            "naïve argument with spaces".to_owned(),
        ],
        suite_name: Some("default".to_owned()),
        suite_text: Some("[[workload]]\nname = \"plaintext\"\n".to_owned()),
        quick: false,
        config: json!({"weights": {"throughput": 0.4, "latency": 0.35, "memory": 0.25}, "repetitions": 3}),
        environment: json!({
            "kernel": "6.8.0",
            "cpus": 16,
            "governor": "performance",
            "turbo": false,
            "loadavg": [0.12, 0.5, 1.0e-3],
        }),
    }
}

fn gin() -> SubjectRecord {
    SubjectRecord {
        name: "gin".to_owned(),
        language: "go".to_owned(),
        framework: "gin".to_owned(),
        version: "1.10.0".to_owned(),
        status: SubjectStatus::Measured,
        reason: None,
        details: json!({"checks": [{"id": "health", "status": "pass"}], "binary_bytes": 12_345_678}),
    }
}

fn axum() -> SubjectRecord {
    SubjectRecord {
        name: "axum".to_owned(),
        language: "rust".to_owned(),
        framework: "axum".to_owned(),
        version: "0.8.4".to_owned(),
        status: SubjectStatus::VerifyFailed,
        reason: Some("jsonrpc-batch: expected 3 responses, got 2".to_owned()),
        details: json!(null),
    }
}

/// Every byte value, and more than a page's worth, so the blob spans overflow pages.
fn binary_blob() -> Vec<u8> {
    (0..70_000u32)
        .map(|index| (index * 7 % 256) as u8)
        .collect()
}

fn sample_artifacts() -> Vec<(ArtifactKey, Artifact)> {
    vec![
        (
            ArtifactKey::run_level(kind::ENVIRONMENT_WARNING),
            Artifact::of_json(json!({"warning": "turbo boost is on"})),
        ),
        (
            ArtifactKey::measurement("gin", "plaintext", 1, kind::LOAD_REPORT),
            Artifact::of_json(json!({"rps": 123_456.789_012_345, "p99_ms": 0.1 + 0.2})),
        ),
        (
            ArtifactKey::measurement("gin", "plaintext", 1, kind::HDR_HISTOGRAM),
            Artifact::of_blob(binary_blob(), "application/x-hdrhistogram-log"),
        ),
        (
            ArtifactKey::measurement("gin", "plaintext", 1, kind::FLAME_SVG),
            Artifact {
                json: Some(json!({"samples": 9_000})),
                blob: Some(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec()),
                content_type: Some("image/svg+xml".to_owned()),
            },
        ),
        (
            ArtifactKey {
                subject: Some("gin".to_owned()),
                workload: None,
                repetition: None,
                kind: kind::PROC_SERIES.to_owned(),
            },
            Artifact::of_json(json!([[0, 1.5], [1000, 2.5]])),
        ),
    ]
}

fn record_sample(store: &dyn Store) -> RunId {
    let run = store.begin_run(&new_run(1_700_000_000_000)).unwrap();
    store.record_subject(run, &gin()).unwrap();
    store.record_subject(run, &axum()).unwrap();
    for (key, artifact) in sample_artifacts() {
        store.put_artifact(run, &key, &artifact).unwrap();
    }
    run
}

fn sorted(mut artifacts: Vec<(ArtifactKey, Artifact)>) -> Vec<(ArtifactKey, Artifact)> {
    artifacts.sort_by(|left, right| left.0.cmp(&right.0));
    artifacts
}

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path).unwrap()
}

#[test]
fn a_run_reads_back_equal_from_a_reopened_file() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let run = {
        let store = open(&path);
        let run = record_sample(&store);
        store
            .finish_run(
                run,
                &RunEnd {
                    finished_at: 1_700_000_360_000,
                    complete: true,
                    note: Some("all good".to_owned()),
                },
            )
            .unwrap();
        run
    };

    let store = open(&path);
    let stored = store.run(run).unwrap();
    let expected = new_run(1_700_000_000_000);
    assert_eq!(stored.summary.id, run);
    assert_eq!(stored.summary.started_at, expected.started_at);
    assert_eq!(stored.summary.finished_at, Some(1_700_000_360_000));
    assert!(stored.summary.complete);
    assert_eq!(stored.summary.note.as_deref(), Some("all good"));
    assert!(!stored.summary.quick);
    assert_eq!(stored.summary.suite_name, expected.suite_name);
    assert_eq!(stored.summary.subjects, 2);
    assert_eq!(stored.podium_version, expected.podium_version);
    assert_eq!(stored.command_line, expected.command_line);
    assert_eq!(stored.suite_text, expected.suite_text);
    assert_eq!(stored.config, expected.config);
    assert_eq!(stored.environment, expected.environment);
    assert_eq!(stored.subjects, vec![gin(), axum()], "in recording order");

    let artifacts = store.artifacts(run, &ArtifactFilter::all()).unwrap();
    assert_eq!(artifacts, sorted(sample_artifacts()));
    // The read-only store sees the same.
    let reader = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(reader.run(run).unwrap(), stored);
    assert_eq!(
        reader.artifacts(run, &ArtifactFilter::all()).unwrap(),
        artifacts
    );
}

#[test]
fn an_unfinished_run_reads_back_incomplete_and_can_be_finished_later() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let run = record_sample(&open(&path));

    let store = open(&path);
    let summary = store.runs().unwrap().remove(0);
    assert_eq!(summary.id, run);
    assert!(!summary.complete);
    assert_eq!(summary.finished_at, None);
    assert_eq!(summary.note, None);

    let end = RunEnd {
        finished_at: 1_700_000_100_000,
        complete: false,
        note: Some("interrupted by Ctrl-C".to_owned()),
    };
    store.finish_run(run, &end).unwrap();
    let summary = open(&path).run(run).unwrap().summary;
    assert_eq!(summary.finished_at, Some(end.finished_at));
    assert!(!summary.complete);
    assert_eq!(summary.note, end.note);
}

#[test]
fn the_history_is_newest_first_and_latest_run_is_its_head() {
    let directory = tempfile::tempdir().unwrap();
    let store = open(&directory.path().join("podium.db"));
    assert_eq!(store.latest_run().unwrap(), None);
    assert!(store.runs().unwrap().is_empty());

    let middle = store.begin_run(&new_run(2_000)).unwrap();
    let oldest = store.begin_run(&new_run(1_000)).unwrap();
    let mut quick = new_run(3_000);
    quick.quick = true;
    quick.suite_name = None;
    let newest = store.begin_run(&quick).unwrap();
    store.record_subject(middle, &gin()).unwrap();

    let history = store.runs().unwrap();
    let order: Vec<RunId> = history.iter().map(|summary| summary.id).collect();
    assert_eq!(order, vec![newest, middle, oldest]);
    assert!(history[0].quick);
    assert_eq!(history[0].suite_name, None);
    assert_eq!(history[1].subjects, 1);
    assert_eq!(history[2].subjects, 0);

    let latest = store.latest_run().unwrap().unwrap();
    assert_eq!(latest.summary, history[0]);
}

#[test]
fn recording_again_replaces_and_keeps_the_position() {
    let directory = tempfile::tempdir().unwrap();
    let store = open(&directory.path().join("podium.db"));
    let run = record_sample(&store);

    let mut crashed_gin = gin();
    crashed_gin.status = SubjectStatus::Crashed;
    crashed_gin.reason = Some("exit status 2 during plaintext".to_owned());
    store.record_subject(run, &crashed_gin).unwrap();
    assert_eq!(
        store.run(run).unwrap().subjects,
        vec![crashed_gin, axum()],
        "gin replaced in place, no duplicate"
    );

    let key = ArtifactKey::run_level(kind::ENVIRONMENT_WARNING);
    let replacement = Artifact::of_blob(vec![1, 2, 3], "application/octet-stream");
    store.put_artifact(run, &key, &replacement).unwrap();
    assert_eq!(store.artifact(run, &key).unwrap(), Some(replacement));
    assert_eq!(
        store.artifacts(run, &ArtifactFilter::all()).unwrap().len(),
        sample_artifacts().len(),
        "a run-level artifact (NULL key parts) was replaced, not duplicated"
    );
}

#[test]
fn filters_select_by_subject_workload_and_kind() {
    let directory = tempfile::tempdir().unwrap();
    let store = open(&directory.path().join("podium.db"));
    let run = record_sample(&store);
    let other_run = store.begin_run(&new_run(5)).unwrap();
    store
        .put_artifact(
            other_run,
            &ArtifactKey::measurement("gin", "plaintext", 1, kind::LOAD_REPORT),
            &Artifact::of_json(json!({"other": true})),
        )
        .unwrap();

    let keys = |filter: ArtifactFilter| -> Vec<ArtifactKey> {
        store
            .artifacts(run, &filter)
            .unwrap()
            .into_iter()
            .map(|(key, _)| key)
            .collect()
    };
    assert_eq!(
        keys(ArtifactFilter::of_kind(kind::LOAD_REPORT)),
        vec![ArtifactKey::measurement(
            "gin",
            "plaintext",
            1,
            kind::LOAD_REPORT
        )],
        "only this run's load report"
    );
    let gin_keys = keys(ArtifactFilter {
        subject: Some("gin".to_owned()),
        ..ArtifactFilter::default()
    });
    assert_eq!(gin_keys.len(), 4);
    assert_eq!(gin_keys[0].workload, None, "no workload sorts first");
    assert_eq!(
        keys(ArtifactFilter {
            workload: Some("plaintext".to_owned()),
            kind: Some(kind::FLAME_SVG.to_owned()),
            ..ArtifactFilter::default()
        })
        .len(),
        1
    );
    assert!(
        keys(ArtifactFilter {
            subject: Some("axum".to_owned()),
            ..ArtifactFilter::default()
        })
        .is_empty()
    );
    assert_eq!(
        store
            .artifact(
                run,
                &ArtifactKey::measurement("gin", "plaintext", 2, kind::LOAD_REPORT)
            )
            .unwrap(),
        None
    );
}

#[test]
fn the_artifact_order_does_not_depend_on_the_storing_order() {
    let directory = tempfile::tempdir().unwrap();
    let store = open(&directory.path().join("podium.db"));
    let forward = store.begin_run(&new_run(1)).unwrap();
    let backward = store.begin_run(&new_run(2)).unwrap();
    for (key, artifact) in sample_artifacts() {
        store.put_artifact(forward, &key, &artifact).unwrap();
    }
    for (key, artifact) in sample_artifacts().into_iter().rev() {
        store.put_artifact(backward, &key, &artifact).unwrap();
    }
    assert_eq!(
        store.artifacts(forward, &ArtifactFilter::all()).unwrap(),
        store.artifacts(backward, &ArtifactFilter::all()).unwrap()
    );
}

#[test]
fn deleting_a_run_removes_its_subjects_and_artifacts_and_never_reuses_its_number() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let store = open(&path);
    let kept = record_sample(&store);
    let deleted = record_sample(&store);
    store.delete_run(deleted).unwrap();

    assert!(matches!(
        store.run(deleted),
        Err(StoreError::UnknownRun { run, .. }) if run == deleted
    ));
    assert_eq!(store.runs().unwrap().len(), 1);
    assert_eq!(store.run(kept).unwrap().subjects.len(), 2);
    let orphans: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT (SELECT count(*) FROM subjects WHERE run_id = ?1) \
             + (SELECT count(*) FROM artifacts WHERE run_id = ?1)",
            [deleted.0],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);

    let next = store.begin_run(&new_run(9)).unwrap();
    assert!(next > deleted, "{next} reuses a deleted number");
    assert!(matches!(
        store.delete_run(deleted),
        Err(StoreError::UnknownRun { .. })
    ));
}

#[test]
fn operations_on_an_unknown_run_say_so() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let store = open(&path);
    let missing = RunId(41);
    let errors = [
        store.record_subject(missing, &gin()).unwrap_err(),
        store
            .put_artifact(
                missing,
                &ArtifactKey::run_level(kind::CROSS_CHECK),
                &Artifact::of_json(json!(1)),
            )
            .unwrap_err(),
        store
            .finish_run(
                missing,
                &RunEnd {
                    finished_at: 1,
                    complete: true,
                    note: None,
                },
            )
            .unwrap_err(),
        store.run(missing).unwrap_err(),
        store
            .artifacts(missing, &ArtifactFilter::all())
            .unwrap_err(),
    ];
    for error in errors {
        assert!(
            matches!(error, StoreError::UnknownRun { run: RunId(41), .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("run 41"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("podium history"), "{message}");
    }
}

#[test]
fn unstorable_input_is_refused_with_the_reason() {
    let directory = tempfile::tempdir().unwrap();
    let store = open(&directory.path().join("podium.db"));
    let run = store.begin_run(&new_run(1)).unwrap();

    let empty = Artifact {
        json: None,
        blob: None,
        content_type: None,
    };
    let error = store
        .put_artifact(run, &ArtifactKey::run_level(kind::CROSS_CHECK), &empty)
        .unwrap_err();
    assert!(
        matches!(error, StoreError::InvalidInput { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("neither"), "{error}");

    let mut nameless = gin();
    nameless.name = String::new();
    assert!(matches!(
        store.record_subject(run, &nameless),
        Err(StoreError::InvalidInput { .. })
    ));
    let mut key = ArtifactKey::run_level(kind::CROSS_CHECK);
    key.subject = Some(String::new());
    assert!(matches!(
        store.put_artifact(run, &key, &Artifact::of_json(json!(1))),
        Err(StoreError::InvalidInput { .. })
    ));
    assert!(
        store
            .artifacts(run, &ArtifactFilter::all())
            .unwrap()
            .is_empty(),
        "nothing refused was stored"
    );
}

#[test]
fn one_store_is_shared_by_threads_through_the_trait() {
    let directory = tempfile::tempdir().unwrap();
    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(open(&directory.path().join("podium.db")));
    let run = store.begin_run(&new_run(1)).unwrap();
    let workers: Vec<_> = (0..4u32)
        .map(|worker| {
            let store = std::sync::Arc::clone(&store);
            std::thread::spawn(move || {
                for repetition in 0..25 {
                    store
                        .put_artifact(
                            run,
                            &ArtifactKey::measurement(
                                &format!("subject-{worker}"),
                                "json",
                                repetition,
                                kind::LOAD_REPORT,
                            ),
                            &Artifact::of_json(json!({"worker": worker, "repetition": repetition})),
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(
        store.artifacts(run, &ArtifactFilter::all()).unwrap().len(),
        100
    );
    assert!(store.location().ends_with("podium.db"));
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|number| json!(number)),
        any::<u64>().prop_map(|number| json!(number)),
        // Any finite float: a latency or a rate must read back to the same bits.
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |number| number.is_finite())
            .prop_map(|number| json!(number)),
        ".*".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(".*", inner, 0..6)
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_json_and_any_bytes_read_back_unchanged(
        json in json_value(),
        blob in prop::collection::vec(any::<u8>(), 0..4096),
        subject in "[a-z][a-z0-9-]{0,12}",
        repetition in any::<u32>(),
    ) {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("podium.db");
        let store = open(&path);
        let mut run = new_run(1);
        run.environment = json.clone();
        let run_id = store.begin_run(&run).unwrap();
        let key = ArtifactKey::measurement(&subject, "w", repetition, kind::LOAD_REPORT);
        let artifact = Artifact {
            json: Some(json.clone()),
            blob: Some(blob),
            content_type: None,
        };
        store.put_artifact(run_id, &key, &artifact).unwrap();
        drop(store);

        let store = open(&path);
        prop_assert_eq!(store.run(run_id).unwrap().environment, json);
        prop_assert_eq!(store.artifact(run_id, &key).unwrap(), Some(artifact));
    }
}
