//! The store in one SQLite file.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use serde_json::Value;

use crate::schema::{self, Found, MIGRATIONS, Migration};
use crate::{
    Artifact, ArtifactFilter, ArtifactKey, CachedResponse, NewObservation, NewRun, Observation,
    RunEnd, RunId, RunSummary, Store, StoreError, StoredRun, SubjectRecord, SubjectStatus,
};

/// How long an operation waits for another process's write to finish before giving up
/// with [`StoreError::Busy`]. Podium's writes are single statements, so a wait this long
/// means the other process is stuck.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Results kept in one SQLite file.
///
/// The file is in WAL mode, so `podium history` can read it while a run writes. Each
/// write is its own transaction, committed with `synchronous = FULL` before the call
/// returns, so a run interrupted by Ctrl-C, a crash or a power cut keeps everything
/// recorded before the interruption; it reads back as incomplete.
///
/// The connection sits behind a mutex, so one `SqliteStore` can be shared by every
/// thread of a run (`Arc<dyn Store>`); several processes may open the same file.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens the database at `path` for reading and writing, creating the file if it is
    /// missing and bringing its schema up to date.
    ///
    /// A file that is not a healthy Podium database is refused, and left as it was:
    /// [`StoreError::Corrupt`] for a file that is not SQLite or is damaged (SQLite's
    /// `quick_check`, which reads every page, runs at every open),
    /// [`StoreError::NotPodium`] for another program's SQLite database, and
    /// [`StoreError::NewerSchema`] for a database written by a newer Podium.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with_migrations(path.as_ref(), MIGRATIONS)
    }

    pub(crate) fn open_with_migrations(
        path: &Path,
        migrations: &[Migration],
    ) -> Result<SqliteStore, StoreError> {
        let supported = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
        let (mut connection, found) = open_inspected(path, Access::ReadWrite, supported)?;
        let journal_mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|error| schema::open_error(path, error))?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Open {
                path: path.to_owned(),
                source: format!(
                    "SQLite kept journal mode {journal_mode:?} instead of WAL, which Podium needs so that reports can read while a run writes; put the file on a local file system"
                )
                .into(),
            });
        }
        // FULL (not WAL's usual NORMAL) so that a commit also survives a power cut: a
        // run's results must not vanish after Podium said they were recorded.
        connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|error| schema::open_error(path, error))?;
        // An up-to-date file is left alone: migrating takes the write lock, even when
        // there is nothing to do.
        if found != (Found::Podium { version: supported }) {
            schema::migrate(&mut connection, path, migrations)?;
        }
        Ok(SqliteStore {
            path: path.to_owned(),
            connection: Mutex::new(connection),
        })
    }

    /// Opens an existing database for reading only (rebuilding a report, the history).
    /// Every write through it is refused with [`StoreError::ReadOnly`] and what the file
    /// holds is never changed. A missing or empty file is [`StoreError::Missing`], and a
    /// database at an older schema is [`StoreError::NeedsUpgrade`] since it cannot be
    /// upgraded without writing. The other refusals are those of [`SqliteStore::open`].
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        match path.try_exists() {
            Ok(true) => {}
            Ok(false) => {
                return Err(StoreError::Missing {
                    path: path.to_owned(),
                });
            }
            Err(error) => {
                return Err(StoreError::Open {
                    path: path.to_owned(),
                    source: Box::new(error),
                });
            }
        }
        let (connection, found) = open_inspected(path, Access::ReadOnly, schema::SCHEMA_VERSION)?;
        match found {
            Found::Empty => Err(StoreError::Missing {
                path: path.to_owned(),
            }),
            Found::Podium { version } if version < schema::SCHEMA_VERSION => {
                Err(StoreError::NeedsUpgrade {
                    path: path.to_owned(),
                    found: version,
                    supported: schema::SCHEMA_VERSION,
                })
            }
            Found::Podium { .. } => Ok(SqliteStore {
                path: path.to_owned(),
                connection: Mutex::new(connection),
            }),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A thread that panicked while holding the lock left no half-done write behind:
        // every write is one statement or a transaction that rolls back when dropped.
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Turns a database failure into the error a user can act on.
    fn failure(&self, action: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        let action = action.to_owned();
        move |error| match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
                path: self.path.clone(),
                action: action.clone(),
            },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
                path: self.path.clone(),
                action: action.clone(),
            },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("{error} (while {action})"),
            },
            _ => StoreError::Database {
                path: self.path.clone(),
                action: action.clone(),
                source: Box::new(error),
            },
        }
    }

    fn unknown_run(&self, run: RunId) -> StoreError {
        StoreError::UnknownRun {
            path: self.path.clone(),
            run,
        }
    }

    fn bad_record(&self, what: String, detail: impl ToString) -> StoreError {
        StoreError::BadRecord {
            path: self.path.clone(),
            what,
            detail: detail.to_string(),
        }
    }

    /// Reads a run inside an open read transaction, so its parts agree with each other.
    fn load_run(
        &self,
        transaction: &Transaction<'_>,
        run: RunId,
    ) -> Result<Option<StoredRun>, StoreError> {
        let failed = self.failure("reading a run");
        let row = transaction
            .query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, podium_version, command_line, suite_text, \
                     config, environment FROM runs WHERE id = ?1"
                ),
                [run.0],
                |row| {
                    Ok((
                        summary_from_row(row)?,
                        row.get::<_, String>(8)?,
                        row.get::<_, String>(9)?,
                        row.get::<_, Option<String>>(10)?,
                        row.get::<_, String>(11)?,
                        row.get::<_, String>(12)?,
                    ))
                },
            )
            .optional()
            .map_err(&failed)?;
        let Some((summary, podium_version, command_line, suite_text, config, environment)) = row
        else {
            return Ok(None);
        };
        let command_line: Vec<String> = serde_json::from_str(&command_line)
            .map_err(|error| self.bad_record(format!("command line of run {run}"), error))?;
        let config = self.parse_json(&config, || format!("configuration of run {run}"))?;
        let environment = self.parse_json(&environment, || format!("environment of run {run}"))?;

        let mut statement = transaction
            .prepare(
                "SELECT name, language, framework, version, status, reason, details \
                 FROM subjects WHERE run_id = ?1 ORDER BY rowid",
            )
            .map_err(&failed)?;
        let rows = statement
            .query_map([run.0], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, String>(6)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(&failed)?;
        let mut subjects = Vec::with_capacity(rows.len());
        for (name, language, framework, version, status, reason, details) in rows {
            let status: SubjectStatus = status.parse().map_err(|error| {
                self.bad_record(format!("status of subject {name} in run {run}"), error)
            })?;
            let details = self.parse_json(&details, || {
                format!("details of subject {name} in run {run}")
            })?;
            subjects.push(SubjectRecord {
                name,
                language,
                framework,
                version,
                status,
                reason,
                details,
            });
        }
        Ok(Some(StoredRun {
            summary,
            podium_version,
            command_line,
            suite_text,
            config,
            environment,
            subjects,
        }))
    }

    fn parse_json(&self, text: &str, what: impl FnOnce() -> String) -> Result<Value, StoreError> {
        serde_json::from_str(text).map_err(|error| self.bad_record(what(), error))
    }

    fn run_exists(&self, connection: &Connection, run: RunId) -> Result<bool, StoreError> {
        connection
            .query_row("SELECT 1 FROM runs WHERE id = ?1", [run.0], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(self.failure("looking up a run"))
    }

    /// Reads the run's artifacts that satisfy `condition` (parameters from ?2 on; ?1 is
    /// the run), in key order.
    fn artifacts_where(
        &self,
        run: RunId,
        condition: &str,
        parameters: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<(ArtifactKey, Artifact)>, StoreError> {
        let failed = self.failure("reading artifacts");
        let mut connection = self.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(&failed)?;
        if !self.run_exists(&transaction, run)? {
            return Err(self.unknown_run(run));
        }
        let mut statement = transaction
            .prepare(&format!(
                "SELECT subject, workload, repetition, kind, content_type, json, blob \
                 FROM artifacts WHERE run_id = ?1 AND {condition} \
                 ORDER BY subject, workload, repetition, kind"
            ))
            .map_err(&failed)?;
        let rows = statement
            .query_map(parameters, |row| {
                Ok((
                    row.get::<_, Option<String>>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, Option<i64>>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, Option<Vec<u8>>>(6)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(&failed)?;
        let mut artifacts = Vec::with_capacity(rows.len());
        for (subject, workload, repetition, kind, content_type, json, blob) in rows {
            let what = || format!("{kind} artifact of run {run}");
            let repetition = repetition
                .map(u32::try_from)
                .transpose()
                .map_err(|error| self.bad_record(what(), format!("repetition: {error}")))?;
            let json = json.map(|text| self.parse_json(&text, what)).transpose()?;
            artifacts.push((
                ArtifactKey {
                    subject,
                    workload,
                    repetition,
                    kind,
                },
                Artifact {
                    json,
                    blob,
                    content_type,
                },
            ));
        }
        Ok(artifacts)
    }
}

impl SqliteStore {
    /// Reads observations of `kind` (and of `subject` when given), newest first, at most
    /// `limit`.
    fn observations_limited(
        &self,
        kind: &str,
        subject: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Observation>, StoreError> {
        let failed = self.failure("reading observations");
        let connection = self.connection();
        let mut statement = connection
            .prepare(
                "SELECT id, kind, subject, observed_at, json FROM observations \
                 WHERE kind = ?1 AND (?2 IS NULL OR subject = ?2) \
                 ORDER BY observed_at DESC, id DESC LIMIT ?3",
            )
            .map_err(&failed)?;
        let rows = statement
            .query_map(params![kind, subject, limit], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(&failed)?;
        rows.into_iter()
            .map(|(id, kind, subject, observed_at, json)| {
                let json = self.parse_json(&json, || format!("{kind} observation {id}"))?;
                Ok(Observation {
                    id,
                    observation: NewObservation {
                        kind,
                        subject,
                        observed_at,
                        json,
                    },
                })
            })
            .collect()
    }
}

/// The columns [`summary_from_row`] reads, in its order.
const SUMMARY_COLUMNS: &str = "id, started_at, finished_at, complete, note, quick, suite_name, \
     (SELECT count(*) FROM subjects WHERE subjects.run_id = runs.id)";

fn summary_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: RunId(row.get(0)?),
        started_at: row.get(1)?,
        finished_at: row.get(2)?,
        complete: row.get(3)?,
        note: row.get(4)?,
        quick: row.get(5)?,
        suite_name: row.get(6)?,
        subjects: row.get(7)?,
    })
}

/// How a store uses its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    ReadOnly,
}

/// Opens a connection and decides, by reading only, whether the file may be used.
fn open_inspected(
    path: &Path,
    access: Access,
    supported: u32,
) -> Result<(Connection, Found), StoreError> {
    // Without SQLITE_OPEN_URI a --db value such as "file:x?mode=memory" is a plain file
    // name, as the user would expect. A read-only store still opens the file for writing
    // when it may, with every write refused by `query_only`: only a connection that may
    // write can remove the write-ahead log's side files when it closes, and a report
    // should not leave podium.db-wal and podium.db-shm behind. (SQLite falls back to
    // reading only when the file is write-protected.)
    let flags = match access {
        Access::ReadWrite => {
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
        }
        Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    };
    if path.is_dir() {
        return Err(StoreError::Open {
            path: path.to_owned(),
            source: "it is a folder, not a file".into(),
        });
    }
    let pending_log = has_pending_write_ahead_log(path);
    let connection = connect(path, flags)?;
    if access == Access::ReadOnly {
        connection
            .pragma_update(None, "query_only", true)
            .map_err(|error| schema::open_error(path, error))?;
    }
    if pending_log {
        // Closing the last connection copies the write-ahead log's frames into the main
        // file. A file that is about to be refused must keep its bytes, so that waits
        // until the file has been accepted for writing. (With no log to copy, closing
        // writes nothing to the main file and removes the side files it created.)
        set_checkpoint_on_close(&connection, path, false)?;
    }
    let found = schema::inspect(&connection, path, supported)?;
    if pending_log && access == Access::ReadWrite {
        set_checkpoint_on_close(&connection, path, true)?;
    }
    Ok((connection, found))
}

fn connect(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    let connection = Connection::open_with_flags(path, flags)
        .map_err(|error| schema::open_error(path, error))?;
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(|error| schema::open_error(path, error))?;
    connection
        .pragma_update(None, "foreign_keys", true)
        .map_err(|error| schema::open_error(path, error))?;
    Ok(connection)
}

/// Whether the database has a write-ahead log with frames that may not be in the main
/// file yet (left by a crashed writer, or being written by another process).
fn has_pending_write_ahead_log(path: &Path) -> bool {
    let mut log = path.as_os_str().to_owned();
    log.push("-wal");
    std::fs::metadata(PathBuf::from(log)).is_ok_and(|metadata| metadata.len() > 0)
}

fn set_checkpoint_on_close(
    connection: &Connection,
    path: &Path,
    checkpoint: bool,
) -> Result<(), StoreError> {
    connection
        .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, !checkpoint)
        .map(|_| ())
        .map_err(|error| schema::open_error(path, error))
}

fn to_json_text(value: &Value) -> String {
    // A Value's map keys are strings, so serializing it cannot fail; Display does the
    // same serialization without a Result.
    value.to_string()
}

fn refuse(what: impl Into<String>, reason: impl Into<String>) -> StoreError {
    StoreError::InvalidInput {
        what: what.into(),
        reason: reason.into(),
    }
}

fn check_name(what: &str, name: &str) -> Result<(), StoreError> {
    if name.is_empty() {
        return Err(refuse(what, "its name is empty"));
    }
    Ok(())
}

fn check_key(key: &ArtifactKey) -> Result<(), StoreError> {
    let what = || format!("an artifact of kind {:?}", key.kind);
    if key.kind.is_empty() {
        return Err(refuse("an artifact", "its kind is empty"));
    }
    if key.subject.as_deref() == Some("") {
        return Err(refuse(
            what(),
            "its subject is an empty name; use None for an artifact about no one subject",
        ));
    }
    if key.workload.as_deref() == Some("") {
        return Err(refuse(
            what(),
            "its workload is an empty name; use None for an artifact about no one workload",
        ));
    }
    Ok(())
}

fn is_foreign_key_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
    )
}

impl Store for SqliteStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn begin_run(&self, run: &NewRun) -> Result<RunId, StoreError> {
        let command_line = serde_json::to_string(&run.command_line)
            .map_err(|error| refuse("a run's command line", error.to_string()))?;
        let connection = self.connection();
        connection
            .query_row(
                "INSERT INTO runs (started_at, quick, podium_version, command_line, suite_name, \
                 suite_text, config, environment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 RETURNING id",
                params![
                    run.started_at,
                    run.quick,
                    run.podium_version,
                    command_line,
                    run.suite_name,
                    run.suite_text,
                    to_json_text(&run.config),
                    to_json_text(&run.environment),
                ],
                |row| row.get(0).map(RunId),
            )
            .map_err(self.failure("recording the start of a run"))
    }

    fn record_subject(&self, run: RunId, subject: &SubjectRecord) -> Result<(), StoreError> {
        check_name("a subject record", &subject.name)?;
        let connection = self.connection();
        connection
            .execute(
                "INSERT INTO subjects (run_id, name, language, framework, version, status, \
                 reason, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (run_id, name) DO UPDATE SET language = excluded.language, \
                 framework = excluded.framework, version = excluded.version, \
                 status = excluded.status, reason = excluded.reason, details = excluded.details",
                params![
                    run.0,
                    subject.name,
                    subject.language,
                    subject.framework,
                    subject.version,
                    subject.status.as_str(),
                    subject.reason,
                    to_json_text(&subject.details),
                ],
            )
            .map(|_| ())
            .map_err(|error| {
                if is_foreign_key_violation(&error) {
                    self.unknown_run(run)
                } else {
                    self.failure(&format!("recording subject {}", subject.name))(error)
                }
            })
    }

    fn put_artifact(
        &self,
        run: RunId,
        key: &ArtifactKey,
        artifact: &Artifact,
    ) -> Result<(), StoreError> {
        check_key(key)?;
        if artifact.json.is_none() && artifact.blob.is_none() {
            return Err(refuse(
                format!("an artifact of kind {:?}", key.kind),
                "it holds neither a JSON document nor a blob",
            ));
        }
        let json = artifact.json.as_ref().map(to_json_text);
        let connection = self.connection();
        connection
            .execute(
                "INSERT INTO artifacts (run_id, subject, workload, repetition, kind, \
                 content_type, json, blob) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (run_id, ifnull(subject, ''), ifnull(workload, ''), \
                 ifnull(repetition, -1), kind) DO UPDATE SET \
                 content_type = excluded.content_type, json = excluded.json, \
                 blob = excluded.blob",
                params![
                    run.0,
                    key.subject,
                    key.workload,
                    key.repetition,
                    key.kind,
                    artifact.content_type,
                    json,
                    artifact.blob,
                ],
            )
            .map(|_| ())
            .map_err(|error| {
                if is_foreign_key_violation(&error) {
                    self.unknown_run(run)
                } else {
                    self.failure(&format!("storing a {} artifact", key.kind))(error)
                }
            })
    }

    fn artifact(&self, run: RunId, key: &ArtifactKey) -> Result<Option<Artifact>, StoreError> {
        let mut found = self.artifacts_where(
            run,
            "subject IS ?2 AND workload IS ?3 AND repetition IS ?4 AND kind = ?5",
            params![run.0, key.subject, key.workload, key.repetition, key.kind],
        )?;
        Ok(found.pop().map(|(_, artifact)| artifact))
    }

    fn artifacts(
        &self,
        run: RunId,
        filter: &ArtifactFilter,
    ) -> Result<Vec<(ArtifactKey, Artifact)>, StoreError> {
        self.artifacts_where(
            run,
            "(?2 IS NULL OR subject = ?2) AND (?3 IS NULL OR workload = ?3) \
             AND (?4 IS NULL OR kind = ?4)",
            params![run.0, filter.subject, filter.workload, filter.kind],
        )
    }

    fn finish_run(&self, run: RunId, end: &RunEnd) -> Result<(), StoreError> {
        let connection = self.connection();
        let changed = connection
            .execute(
                "UPDATE runs SET finished_at = ?2, complete = ?3, note = ?4 WHERE id = ?1",
                params![run.0, end.finished_at, end.complete, end.note],
            )
            .map_err(self.failure("recording the end of a run"))?;
        if changed == 0 {
            return Err(self.unknown_run(run));
        }
        Ok(())
    }

    fn runs(&self) -> Result<Vec<RunSummary>, StoreError> {
        let failed = self.failure("listing the runs");
        let connection = self.connection();
        let mut statement = connection
            .prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM runs ORDER BY started_at DESC, id DESC"
            ))
            .map_err(&failed)?;
        statement
            .query_map([], summary_from_row)
            .and_then(|rows| rows.collect())
            .map_err(&failed)
    }

    fn run(&self, run: RunId) -> Result<StoredRun, StoreError> {
        let mut connection = self.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(self.failure("reading a run"))?;
        self.load_run(&transaction, run)?
            .ok_or_else(|| self.unknown_run(run))
    }

    fn latest_run(&self) -> Result<Option<StoredRun>, StoreError> {
        let failed = self.failure("finding the latest run");
        let mut connection = self.connection();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Deferred)
            .map_err(&failed)?;
        let latest = transaction
            .query_row(
                "SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT 1",
                [],
                |row| row.get(0).map(RunId),
            )
            .optional()
            .map_err(&failed)?;
        match latest {
            Some(run) => self.load_run(&transaction, run),
            None => Ok(None),
        }
    }

    fn delete_run(&self, run: RunId) -> Result<(), StoreError> {
        let connection = self.connection();
        // One statement: the cascade to subjects and artifacts is part of it, so the run
        // disappears whole or not at all.
        let changed = connection
            .execute("DELETE FROM runs WHERE id = ?1", [run.0])
            .map_err(self.failure("deleting a run"))?;
        if changed == 0 {
            return Err(self.unknown_run(run));
        }
        Ok(())
    }

    fn put_observation(&self, observation: &NewObservation) -> Result<i64, StoreError> {
        check_name("an observation's kind", &observation.kind)?;
        check_name("an observation's subject", &observation.subject)?;
        let connection = self.connection();
        connection
            .execute(
                "INSERT INTO observations (kind, subject, observed_at, json) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    observation.kind,
                    observation.subject,
                    observation.observed_at,
                    to_json_text(&observation.json),
                ],
            )
            .map_err(self.failure(&format!("storing a {} observation", observation.kind)))?;
        Ok(connection.last_insert_rowid())
    }

    fn latest_observation(
        &self,
        kind: &str,
        subject: &str,
    ) -> Result<Option<Observation>, StoreError> {
        Ok(self.observations_limited(kind, Some(subject), 1)?.pop())
    }

    fn observations(
        &self,
        kind: &str,
        subject: Option<&str>,
    ) -> Result<Vec<Observation>, StoreError> {
        self.observations_limited(kind, subject, -1)
    }

    fn cached_response(&self, url: &str) -> Result<Option<CachedResponse>, StoreError> {
        let connection = self.connection();
        connection
            .query_row(
                "SELECT etag, fetched_at, body FROM http_cache WHERE url = ?1",
                [url],
                |row| {
                    Ok(CachedResponse {
                        etag: row.get(0)?,
                        fetched_at: row.get(1)?,
                        body: row.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(self.failure("reading the HTTP cache"))
    }

    fn put_cached_response(&self, url: &str, response: &CachedResponse) -> Result<(), StoreError> {
        check_name("a cached URL", url)?;
        let connection = self.connection();
        connection
            .execute(
                "INSERT INTO http_cache (url, etag, fetched_at, body) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, \
                 fetched_at = excluded.fetched_at, body = excluded.body",
                params![url, response.etag, response.fetched_at, response.body],
            )
            .map(|_| ())
            .map_err(self.failure("writing the HTTP cache"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_names_are_refused_rather_than_stored_unfindable() {
        let mut key = ArtifactKey::run_level("load-report");
        assert!(check_key(&key).is_ok());
        key.subject = Some(String::new());
        let error = check_key(&key).expect_err("an empty subject");
        assert!(error.to_string().contains("use None"), "{error}");
        key.subject = None;
        key.workload = Some(String::new());
        assert!(check_key(&key).is_err());
        assert!(check_key(&ArtifactKey::run_level("")).is_err());
        assert!(check_name("a subject record", "").is_err());
        assert!(check_name("a subject record", "gin").is_ok());
    }
}

#[cfg(test)]
mod migration_tests {
    use super::*;

    /// A further step as a later Podium might add it.
    const LABEL_STEP: Migration = Migration {
        version: 3,
        sql: "ALTER TABLE runs ADD COLUMN label TEXT;",
    };

    fn sample_run() -> NewRun {
        NewRun {
            started_at: 1_700_000_000_000,
            podium_version: "0.1.0".to_owned(),
            command_line: vec!["podium".to_owned(), "run".to_owned()],
            suite_name: Some("smoke".to_owned()),
            suite_text: None,
            quick: true,
            config: serde_json::json!({}),
            environment: serde_json::json!({"cpus": 8}),
        }
    }

    #[test]
    fn a_store_at_an_older_schema_is_upgraded_on_open_and_keeps_its_runs() {
        let directory = tempfile::tempdir().expect("a temporary folder");
        let path = directory.path().join("podium.db");
        let run = {
            // A store as the first Podium wrote it: schema 1 only.
            let store =
                SqliteStore::open_with_migrations(&path, &MIGRATIONS[..1]).expect("a new store");
            store.begin_run(&sample_run()).expect("a run is recorded")
        };
        let upgraded =
            SqliteStore::open_with_migrations(&path, &[MIGRATIONS[0], MIGRATIONS[1], LABEL_STEP])
                .expect("the store upgrades");
        assert_eq!(upgraded.run(run).expect("the run survives").summary.id, run);
        let label_column: i64 = upgraded
            .connection()
            .query_row(
                "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'label'",
                [],
                |row| row.get(0),
            )
            .expect("table_info is readable");
        assert_eq!(label_column, 1, "step 3 ran");
        let observations_table: i64 = upgraded
            .connection()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'observations'",
                [],
                |row| row.get(0),
            )
            .expect("sqlite_master is readable");
        assert_eq!(observations_table, 1, "step 2 ran");
        drop(upgraded);

        match SqliteStore::open(&path) {
            Err(StoreError::NewerSchema {
                found: 3,
                supported: 2,
                ..
            }) => {}
            other => panic!("expected NewerSchema from this build, got {other:?}"),
        }
    }

    #[test]
    fn observations_come_back_newest_first_and_per_subject() {
        let directory = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(directory.path().join("podium.db")).expect("a store");
        let observe = |subject: &str, at: i64, value: i64| NewObservation {
            kind: crate::kind::ECOSYSTEM.to_owned(),
            subject: subject.to_owned(),
            observed_at: at,
            json: serde_json::json!({ "value": value }),
        };
        let first = store
            .put_observation(&observe("gin", 100, 1))
            .expect("stored");
        let second = store
            .put_observation(&observe("gin", 300, 2))
            .expect("stored");
        store
            .put_observation(&observe("chi", 200, 3))
            .expect("stored");
        assert!(second > first);
        let latest = store
            .latest_observation(crate::kind::ECOSYSTEM, "gin")
            .expect("readable")
            .expect("one exists");
        assert_eq!(latest.id, second);
        assert_eq!(latest.observation.json["value"], 2);
        assert_eq!(
            store
                .latest_observation(crate::kind::OTEL, "gin")
                .expect("readable"),
            None
        );
        let all: Vec<i64> = store
            .observations(crate::kind::ECOSYSTEM, None)
            .expect("readable")
            .into_iter()
            .map(|o| o.observation.observed_at)
            .collect();
        assert_eq!(all, vec![300, 200, 100]);
        assert!(matches!(
            store.put_observation(&observe("", 1, 1)),
            Err(StoreError::InvalidInput { .. })
        ));
    }

    #[test]
    fn the_http_cache_keeps_one_answer_per_url() {
        let directory = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(directory.path().join("podium.db")).expect("a store");
        let url = "https://api.github.com/repos/gin-gonic/gin";
        assert_eq!(store.cached_response(url).expect("readable"), None);
        let answer = |etag: &str, body: &[u8]| CachedResponse {
            etag: Some(etag.to_owned()),
            fetched_at: 5,
            body: body.to_vec(),
        };
        store
            .put_cached_response(url, &answer("\"a\"", b"{}"))
            .expect("kept");
        store
            .put_cached_response(url, &answer("\"b\"", b"{\"x\":1}"))
            .expect("kept");
        assert_eq!(
            store.cached_response(url).expect("readable"),
            Some(answer("\"b\"", b"{\"x\":1}"))
        );
    }
}
