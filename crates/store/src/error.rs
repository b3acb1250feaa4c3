//! Why the store refused a file or an operation.

use std::path::PathBuf;

use crate::RunId;

/// The source of a database failure, kept opaque so that the SQLite library's own error
/// type does not become part of this crate's interface (a PostgreSQL store will have a
/// different one).
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why the store refused a file or an operation. Every message names the database and
/// says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database was written by a newer Podium whose schema this build does not know.
    /// Nothing was written to it.
    #[error(
        "{path} was written by a newer Podium (schema {found}, this build knows up to {supported}): use a newer podium or another --db file; it was not modified"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: u32,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// The database uses an older schema and was opened read-only, so it cannot be
    /// upgraded.
    #[error(
        "{path} uses schema {found}, older than this build's {supported}, and was opened read-only: run a podium command that records results with this --db once to upgrade it"
    )]
    NeedsUpgrade {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: u32,
        /// The schema version this build writes.
        supported: u32,
    },
    /// The file is not an SQLite database, or it is damaged. Nothing was written to it.
    #[error(
        "{path} is not a Podium database or is damaged: {detail}; move it away or pass --db NEW_FILE; it was not modified"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite found wrong.
        detail: String,
    },
    /// The file is a healthy SQLite database that belongs to another program. Podium
    /// never adds its tables to someone else's database, so nothing was written to it.
    #[error(
        "{path} is an SQLite database but not a Podium one ({detail}); pass --db with another file name; it was not modified"
    )]
    NotPodium {
        /// The database file.
        path: PathBuf,
        /// What was found instead of Podium's schema.
        detail: String,
    },
    /// A read-only open found no file.
    #[error(
        "no Podium database at {path}: record a run first (podium run), or pass --db (or set PODIUM_DB) to the file that holds your results"
    )]
    Missing {
        /// The path that was tried.
        path: PathBuf,
    },
    /// The file could not be opened at all (missing folder, permissions, ...).
    #[error(
        "cannot open {path}: {source}; check that its folder exists and that you may read and write there, or pass --db with another file"
    )]
    Open {
        /// The database file.
        path: PathBuf,
        /// The underlying failure.
        source: BackendError,
    },
    /// Another process held the database locked for longer than the store waits.
    #[error(
        "{path} stayed locked by another process while {action}: wait for the other podium to finish, or pass --db with another file"
    )]
    Busy {
        /// The database file.
        path: PathBuf,
        /// What the store was doing.
        action: String,
    },
    /// A write was attempted through a store opened with [`crate::SqliteStore::open_read_only`],
    /// or the file itself is not writable.
    #[error(
        "cannot write to {path} while {action}: it is read-only (opened for reading only, or the file or its folder is not writable)"
    )]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// What the store was doing.
        action: String,
    },
    /// The run does not exist in this database.
    #[error("there is no run {run} in {path}: `podium history` lists the runs it holds")]
    UnknownRun {
        /// The database file.
        path: PathBuf,
        /// The run that was asked for.
        run: RunId,
    },
    /// The caller passed a value the store cannot keep (an empty name, an artifact with
    /// no content, ...). This is a bug in the caller, reported instead of storing a
    /// record that could not be found again.
    #[error("refusing to store {what}: {reason}")]
    InvalidInput {
        /// What was being stored.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A stored record could not be read back.
    #[error(
        "the {what} stored in {path} cannot be read ({detail}): the database may be damaged or written by an incompatible Podium; pass --db with another file to start afresh"
    )]
    BadRecord {
        /// The database file.
        path: PathBuf,
        /// Which record.
        what: String,
        /// Why it could not be read.
        detail: String,
    },
    /// Any other database failure (disk full, I/O error, ...).
    #[error("{path}: database error while {action}: {source}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// What the store was doing.
        action: String,
        /// The underlying failure.
        source: BackendError,
    },
}
