#![allow(clippy::unwrap_used)]
//! Files the store must not use are refused with a message that says what to do, and
//! are left byte for byte as they were.

use std::fs;
use std::path::{Path, PathBuf};

use podium_store::{
    APPLICATION_ID, ArtifactFilter, ArtifactKey, NewRun, SCHEMA_VERSION, SqliteStore, Store,
    StoreError, kind,
};
use rusqlite::Connection;
use serde_json::json;

fn new_run() -> NewRun {
    NewRun {
        started_at: 1_700_000_000_000,
        podium_version: "0.1.0".to_owned(),
        command_line: vec!["podium".to_owned(), "run".to_owned()],
        suite_name: Some("default".to_owned()),
        suite_text: Some("# suite\n".to_owned()),
        quick: false,
        config: json!({}),
        environment: json!({"cpus": 4}),
    }
}

/// A real Podium database with enough data to span many pages.
fn podium_database(directory: &Path) -> PathBuf {
    let path = directory.join("podium.db");
    let store = SqliteStore::open(&path).unwrap();
    let run = store.begin_run(&new_run()).unwrap();
    for repetition in 0..40 {
        store
            .put_artifact(
                run,
                &ArtifactKey::measurement("gin", "plaintext", repetition, kind::HDR_HISTOGRAM),
                &podium_store::Artifact::of_blob(
                    vec![u8::try_from(repetition).unwrap(); 10_000],
                    "application/octet-stream",
                ),
            )
            .unwrap();
    }
    path
}

/// The folder's files (the database and any side files), by name.
fn folder_listing(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Opens `path` both ways and checks that each open fails as `expected` says and that
/// the file's bytes and its folder are unchanged afterwards.
fn assert_refused(path: &Path, expected: fn(&StoreError) -> bool) -> StoreError {
    let before = fs::read(path).unwrap();
    let listing = folder_listing(path.parent().unwrap());
    let error = SqliteStore::open(path).unwrap_err();
    assert!(expected(&error), "unexpected error: {error:?}");
    let read_only_error = SqliteStore::open_read_only(path).unwrap_err();
    assert!(
        expected(&read_only_error),
        "unexpected error from the read-only open: {read_only_error:?}"
    );
    assert!(fs::read(path).unwrap() == before, "the file was modified");
    assert_eq!(
        folder_listing(path.parent().unwrap()),
        listing,
        "side files were left behind"
    );
    let message = error.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "the message does not name the file: {message}"
    );
    assert!(
        message.contains("--db"),
        "the message does not say what to do: {message}"
    );
    error
}

fn is_corrupt(error: &StoreError) -> bool {
    matches!(error, StoreError::Corrupt { .. })
}

#[test]
fn a_newer_schema_is_refused_without_writing() {
    let directory = tempfile::tempdir().unwrap();
    let path = podium_database(directory.path());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();

    let error = assert_refused(&path, |error| {
        matches!(
            error,
            StoreError::NewerSchema { found: 999, supported, .. } if *supported == SCHEMA_VERSION
        )
    });
    let message = error.to_string();
    assert!(message.contains("newer Podium"), "{message}");
    assert!(message.contains("schema 999"), "{message}");
    assert!(message.contains("not modified"), "{message}");
}

#[test]
fn random_bytes_are_refused_as_corrupt() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("noise.db");
    // A fixed pseudo-random sequence (xorshift), so a failure can be replayed.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..16_384)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect();
    fs::write(&path, noise).unwrap();
    let error = assert_refused(&path, is_corrupt);
    let message = error.to_string();
    assert!(
        message.contains("not a Podium database or is damaged"),
        "{message}"
    );
    assert!(message.contains("not modified"), "{message}");
}

#[test]
fn a_text_file_is_refused_as_corrupt() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("notes.txt");
    fs::write(&path, "These are my notes, not a database.\n".repeat(200)).unwrap();
    assert_refused(&path, is_corrupt);
}

#[test]
fn a_truncated_database_is_refused_as_corrupt() {
    let directory = tempfile::tempdir().unwrap();
    let path = podium_database(directory.path());
    let bytes = fs::read(&path).unwrap();
    assert!(bytes.len() > 100_000, "the sample spans many pages");
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let error = assert_refused(&path, is_corrupt);
    assert!(error.to_string().contains("damaged"), "{error}");
}

#[test]
fn a_database_with_a_damaged_page_is_refused_as_corrupt() {
    let directory = tempfile::tempdir().unwrap();
    let path = podium_database(directory.path());
    let mut bytes = fs::read(&path).unwrap();
    // Overwrite the b-tree page header of the second page (the first table's root).
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    bytes[page_size..page_size + 16].fill(0xA5);
    fs::write(&path, &bytes).unwrap();
    assert_refused(&path, is_corrupt);
}

#[test]
fn another_programs_database_is_refused_and_left_alone() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("theirs.db");
    {
        let connection = Connection::open(&path).unwrap();
        connection
            .execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let error = assert_refused(
        &path,
        |error| matches!(error, StoreError::NotPodium { detail, .. } if detail == "it holds t"),
    );
    assert!(error.to_string().contains("not a Podium one"), "{error}");
    let tables: Vec<String> = Connection::open(&path)
        .unwrap()
        .prepare("SELECT name FROM sqlite_schema")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(tables, vec!["t".to_owned()]);
}

#[test]
fn a_database_with_a_foreign_application_id_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("theirs.db");
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "application_id", 0x1234)
        .unwrap();
    assert_refused(&path, |error| matches!(error, StoreError::NotPodium { .. }));
}

#[test]
fn an_empty_file_gets_the_current_schema_and_reopening_changes_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("empty.db");
    fs::write(&path, b"").unwrap();
    drop(SqliteStore::open(&path).unwrap());

    let read_header = || -> (i64, i64, Vec<String>) {
        let connection = Connection::open(&path).unwrap();
        let version = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        let application_id = connection
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .unwrap();
        let tables = connection
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (version, application_id, tables)
    };
    let (version, application_id, tables) = read_header();
    assert_eq!(version, i64::from(SCHEMA_VERSION));
    assert_eq!(application_id, i64::from(APPLICATION_ID));
    for table in ["artifacts", "runs", "subjects"] {
        assert!(tables.contains(&table.to_owned()), "{tables:?}");
    }

    let bytes = fs::read(&path).unwrap();
    drop(SqliteStore::open(&path).unwrap());
    assert!(
        fs::read(&path).unwrap() == bytes,
        "reopening an up-to-date store wrote to it"
    );
    assert_eq!(read_header(), (version, application_id, tables));
}

#[test]
fn a_missing_file_is_created_by_open_but_not_by_open_read_only() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("missing.db");
    let error = SqliteStore::open_read_only(&path).unwrap_err();
    assert!(matches!(error, StoreError::Missing { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("--db"), "{message}");
    assert!(!path.exists(), "the read-only open created the file");

    // An empty file holds no results either.
    fs::write(&path, b"").unwrap();
    assert!(matches!(
        SqliteStore::open_read_only(&path),
        Err(StoreError::Missing { .. })
    ));

    fs::remove_file(&path).unwrap();
    SqliteStore::open(&path).unwrap();
    assert!(path.exists());
    assert!(SqliteStore::open_read_only(&path).is_ok());
}

#[test]
fn a_file_in_a_missing_folder_cannot_be_opened() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("no-such-folder").join("podium.db");
    let error = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Open { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("folder exists"), "{message}");

    let error = SqliteStore::open(directory.path()).unwrap_err();
    assert!(error.to_string().contains("it is a folder"), "{error}");
}

#[test]
fn a_read_only_store_refuses_to_write_and_leaves_the_file_alone() {
    let directory = tempfile::tempdir().unwrap();
    let path = podium_database(directory.path());
    let bytes = fs::read(&path).unwrap();
    let reader = SqliteStore::open_read_only(&path).unwrap();
    let error = reader.begin_run(&new_run()).unwrap_err();
    assert!(matches!(error, StoreError::ReadOnly { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("read-only"), "{message}");
    let run = reader.runs().unwrap()[0].id;
    assert_eq!(
        reader
            .artifacts(run, &ArtifactFilter::of_kind(kind::HDR_HISTOGRAM))
            .unwrap()
            .len(),
        40
    );
    drop(reader);
    assert!(fs::read(&path).unwrap() == bytes);
}

#[test]
fn a_record_damaged_after_it_was_stored_is_reported_not_guessed() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("podium.db");
    let store = SqliteStore::open(&path).unwrap();
    let run = store.begin_run(&new_run()).unwrap();
    store
        .record_subject(
            run,
            &podium_store::SubjectRecord {
                name: "gin".to_owned(),
                language: "go".to_owned(),
                framework: "gin".to_owned(),
                version: "1".to_owned(),
                status: podium_store::SubjectStatus::Measured,
                reason: None,
                details: json!({}),
            },
        )
        .unwrap();
    let editor = Connection::open(&path).unwrap();
    editor
        .execute("UPDATE subjects SET status = 'melted'", [])
        .unwrap();
    let error = store.run(run).unwrap_err();
    assert!(matches!(error, StoreError::BadRecord { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("subject gin"), "{message}");
    assert!(message.contains("melted"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");

    editor
        .execute("UPDATE subjects SET status = 'measured'", [])
        .unwrap();
    editor
        .execute("UPDATE runs SET environment = '{\"cpus\": '", [])
        .unwrap();
    let error = store.latest_run().unwrap_err();
    assert!(error.to_string().contains("environment of run"), "{error}");
}
