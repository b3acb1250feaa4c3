//! The result store: where Podium keeps every run so that any report can be rebuilt
//! later from the store alone.
//!
//! A run keeps its environment record, configuration and suite text ([`NewRun`]), the
//! outcome of each subject ([`SubjectRecord`]), and any number of artifacts: load
//! reports, raw HDR histograms, timelines, probe series, profiles and flame graphs,
//! each a JSON document, a raw blob, or both ([`Artifact`]), filed under an
//! [`ArtifactKey`] (subject, workload, repetition, kind). The store does not know the
//! shape of Podium's measurement types, which belong to other crates and keep changing;
//! it keeps them as the JSON those crates produce.
//!
//! Everything goes through the [`Store`] trait. [`SqliteStore`] implements it over one
//! SQLite file (default `./podium.db`, or `$PODIUM_DB`: [`default_db_path`]); a shared
//! PostgreSQL store can be added later behind the same trait.
//!
//! # Durability and interruption
//!
//! Each write commits before it returns, so a run interrupted by Ctrl-C or a crash keeps
//! everything recorded before the interruption, and reads back with `complete = false`
//! and no `finished_at`. The file is in WAL mode: `podium history` or a report can read
//! it while a run is writing.
//!
//! # Files that are not Podium's to change
//!
//! Opening never damages what it finds. A file that is not an SQLite database or is
//! damaged ([`StoreError::Corrupt`]), another program's database
//! ([`StoreError::NotPodium`]) or a database written by a newer Podium
//! ([`StoreError::NewerSchema`]) is refused with a message that says what to do, and its
//! bytes are left unchanged. Older Podium databases are upgraded by an ordered list of
//! migrations, each applied in one transaction.
//!
//! # Schema (version [`SCHEMA_VERSION`])
//!
//! - `runs`: one row per run: start and end times, completeness and note, the quick
//!   flag, Podium version, command line, suite name and text, configuration and
//!   environment (JSON).
//! - `subjects`: one row per (run, subject): language, framework, version, status,
//!   reason and details (JSON).
//! - `artifacts`: one row per (run, subject?, workload?, repetition?, kind): content
//!   type, JSON (TEXT) and blob (BLOB).
//!
//! - `observations` (schema 2): results measured outside a run (`podium eco`, `otel`,
//!   `reload`), one row each: kind, subject or module, time observed, JSON. `podium run`
//!   copies the newest of each kind into its run as artifacts, so a run's report still
//!   depends on the run alone.
//! - `http_cache` (schema 2): remote answers by URL with their `ETag`, for conditional
//!   requests and offline use.
//!
//! Deleting a run deletes its subjects and artifacts with it.

mod error;
pub mod kind;
mod model;
mod schema;
mod sqlite;
mod store;

use std::ffi::OsString;
use std::path::PathBuf;

pub use error::{BackendError, StoreError};
pub use model::{
    Artifact, ArtifactFilter, ArtifactKey, CachedResponse, NewObservation, NewRun, Observation,
    RunEnd, RunId, RunSummary, StoredRun, SubjectRecord, SubjectStatus, UnknownStatus, rfc3339_utc,
    unix_millis_now,
};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use sqlite::SqliteStore;
pub use store::Store;

/// The environment variable that names the database file when `--db` is not given.
pub const DB_ENV_VAR: &str = "PODIUM_DB";

/// The database file used when neither `--db` nor [`DB_ENV_VAR`] names one.
pub const DEFAULT_DB_FILE: &str = "./podium.db";

/// The database file to use when `--db` is not given: `$PODIUM_DB` if it is set and not
/// empty, otherwise `./podium.db`.
pub fn default_db_path() -> PathBuf {
    db_path_from(std::env::var_os(DB_ENV_VAR))
}

fn db_path_from(variable: Option<OsString>) -> PathBuf {
    match variable {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => PathBuf::from(DEFAULT_DB_FILE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_variable_wins_unless_it_is_empty() {
        assert_eq!(db_path_from(None), PathBuf::from("./podium.db"));
        assert_eq!(
            db_path_from(Some(OsString::new())),
            PathBuf::from("./podium.db")
        );
        assert_eq!(
            db_path_from(Some(OsString::from("/data/results.db"))),
            PathBuf::from("/data/results.db")
        );
    }
}
