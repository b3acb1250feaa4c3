#![allow(clippy::unwrap_used)]
//! WAL mode, readers beside a writer, several writers, and a writer that crashes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use podium_store::{
    Artifact, ArtifactFilter, ArtifactKey, NewRun, RunEnd, RunId, SqliteStore, Store, kind,
};
use rusqlite::Connection;
use serde_json::json;

fn new_run(started_at: i64) -> NewRun {
    NewRun {
        started_at,
        podium_version: "0.1.0".to_owned(),
        command_line: vec!["podium".to_owned(), "run".to_owned()],
        suite_name: Some("default".to_owned()),
        suite_text: None,
        quick: false,
        config: json!({}),
        environment: json!({"cpus": 4}),
    }
}

fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[test]
fn the_database_is_in_wal_mode() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let _store = SqliteStore::open(&path).unwrap();
    let mode: String = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_reader_sees_committed_runs_while_a_writer_holds_a_write_transaction() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let writer = SqliteStore::open(&path).unwrap();
    let committed = writer.begin_run(&new_run(1)).unwrap();

    let reader = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(reader.runs().unwrap()[0].id, committed);

    // Another process in the middle of writing: in rollback-journal mode an exclusive
    // transaction would lock the reader out; in WAL mode the reader goes on.
    let busy_writer = Connection::open(&path).unwrap();
    busy_writer.execute_batch("BEGIN EXCLUSIVE").unwrap();
    busy_writer
        .execute(
            "INSERT INTO runs (started_at, quick, podium_version, command_line, config, environment) \
             VALUES (2, 0, 'x', '[]', '{}', '{}')",
            [],
        )
        .unwrap();
    let started = Instant::now();
    let seen: Vec<RunId> = reader.runs().unwrap().iter().map(|run| run.id).collect();
    assert_eq!(seen, vec![committed], "the uncommitted run is not visible");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the reader waited for the writer"
    );
    busy_writer.execute_batch("COMMIT").unwrap();
    assert_eq!(
        reader.runs().unwrap().len(),
        2,
        "the commit is seen at once"
    );

    let later = writer.begin_run(&new_run(3)).unwrap();
    assert_eq!(reader.runs().unwrap()[0].id, later);
}

#[test]
fn several_stores_on_one_file_write_without_losing_anything() {
    let directory = tempfile::tempdir().unwrap();
    let path = Arc::new(directory.path().join("podium.db"));
    drop(SqliteStore::open(path.as_path()).unwrap());
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                // Each thread opens its own store, as separate processes would.
                let store = SqliteStore::open(path.as_path()).unwrap();
                let run = store.begin_run(&new_run(writer)).unwrap();
                for repetition in 0..20 {
                    store
                        .put_artifact(
                            run,
                            &ArtifactKey::measurement("gin", "json", repetition, kind::LOAD_REPORT),
                            &Artifact::of_json(json!({"writer": writer})),
                        )
                        .unwrap();
                }
                run
            })
        })
        .collect();
    let runs: Vec<RunId> = writers
        .into_iter()
        .map(|writer| writer.join().unwrap())
        .collect();
    let store = SqliteStore::open_read_only(path.as_path()).unwrap();
    assert_eq!(store.runs().unwrap().len(), 4);
    for run in runs {
        assert_eq!(
            store.artifacts(run, &ArtifactFilter::all()).unwrap().len(),
            20
        );
    }
}

#[test]
fn a_write_protected_database_can_still_be_read() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let run = SqliteStore::open(&path)
        .unwrap()
        .begin_run(&new_run(1))
        .unwrap();
    let mut permissions = fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    fs::set_permissions(&path, permissions).unwrap();
    if fs::OpenOptions::new().write(true).open(&path).is_ok() {
        // Running as root: file permissions are not enforced, so there is nothing to test.
        eprintln!("skipped: write protection is not enforced for this user");
        return;
    }

    let reader = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(reader.run(run).unwrap().summary.id, run);
}

/// Set in the child process of [`a_crashed_writer_keeps_everything_it_recorded`].
const CRASH_DB_VARIABLE: &str = "PODIUM_STORE_TEST_CRASH_DB";

#[test]
fn a_crashed_writer_keeps_everything_it_recorded() {
    if let Some(path) = std::env::var_os(CRASH_DB_VARIABLE) {
        // The child: record part of a run, then die without closing anything.
        let store = SqliteStore::open(PathBuf::from(path)).unwrap();
        let run = store.begin_run(&new_run(1)).unwrap();
        store
            .put_artifact(
                run,
                &ArtifactKey::measurement("gin", "plaintext", 1, kind::HDR_HISTOGRAM),
                &Artifact::of_blob(vec![7; 50_000], "application/octet-stream"),
            )
            .unwrap();
        std::process::abort();
    }

    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "a_crashed_writer_keeps_everything_it_recorded",
            "--exact",
            "--test-threads=1",
        ])
        .env(CRASH_DB_VARIABLE, &path)
        .output()
        .unwrap();
    assert!(
        !child.status.success(),
        "the child was meant to crash: {}",
        String::from_utf8_lossy(&child.stdout)
    );
    assert!(
        fs::metadata(side_file(&path, "-wal")).unwrap().len() > 0,
        "the crash left its writes in the write-ahead log"
    );

    // Reading the crashed store changes nothing in the main file.
    let main_bytes = fs::read(&path).unwrap();
    {
        let reader = SqliteStore::open_read_only(&path).unwrap();
        let summary = reader.runs().unwrap().remove(0);
        assert!(!summary.complete);
        assert_eq!(summary.finished_at, None);
        let artifacts = reader
            .artifacts(summary.id, &ArtifactFilter::all())
            .unwrap();
        assert_eq!(artifacts.len(), 1);
        assert_eq!(artifacts[0].1.blob.as_deref(), Some(&[7u8; 50_000][..]));
    }
    assert!(fs::read(&path).unwrap() == main_bytes);

    // A later podium can close the interrupted run.
    let store = SqliteStore::open(&path).unwrap();
    let run = store.runs().unwrap()[0].id;
    store
        .finish_run(
            run,
            &RunEnd {
                finished_at: 2,
                complete: false,
                note: Some("interrupted".to_owned()),
            },
        )
        .unwrap();
    assert_eq!(store.run(run).unwrap().summary.finished_at, Some(2));
}
