//! Recognising a database file, checking its health, and bringing its schema up to date.
//!
//! A Podium database is marked with [`APPLICATION_ID`] in its header and versioned with
//! SQLite's `user_version`. Everything that decides whether a file may be used only reads
//! it, so a file that is refused (someone else's database, a newer schema, a damaged
//! file) is left exactly as it was.

use std::path::Path;

use rusqlite::{Connection, ErrorCode, TransactionBehavior};

use crate::StoreError;

/// The mark in a Podium database's header (`PRAGMA application_id`): "PODI" in ASCII.
/// It tells a Podium database from another program's SQLite file.
pub const APPLICATION_ID: i32 = 0x504F_4449;

/// One step of the schema's history. Steps are applied in order, each in its own
/// transaction together with the `user_version` that records it, so a step is either
/// fully applied or not at all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// The schema version this step produces; the steps number 1, 2, 3, ...
    pub(crate) version: u32,
    /// The SQL that turns the previous version into this one.
    pub(crate) sql: &'static str,
}

/// The schema's history, oldest first. Never edit a step that has been released: add one.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: include_str!("migrations/0001_runs_subjects_artifacts.sql"),
    },
    Migration {
        version: 2,
        sql: include_str!("migrations/0002_observations_http_cache.sql"),
    },
];

/// The schema version this build writes and the newest it can read.
pub const SCHEMA_VERSION: u32 = 2;

const _: () = assert!(MIGRATIONS.len() == SCHEMA_VERSION as usize);

/// What a file turned out to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// A new or empty database with nothing in it.
    Empty,
    /// A Podium database at this schema version (never newer than the build knows).
    Podium { version: u32 },
}

/// Decides, by reading only, whether the database may be used by a build that knows
/// schema versions up to `supported`.
pub(crate) fn inspect(
    connection: &Connection,
    path: &Path,
    supported: u32,
) -> Result<Found, StoreError> {
    let read = |sql: &str| -> Result<i64, StoreError> {
        connection
            .query_row(sql, [], |row| row.get::<_, i64>(0))
            .map_err(|error| open_error(path, error))
    };
    let application_id = read("PRAGMA application_id")?;
    let user_version = read("PRAGMA user_version")?;
    let object_names = user_object_names(connection).map_err(|error| open_error(path, error))?;
    let object_count = object_names.len();

    let found = if application_id == i64::from(APPLICATION_ID) {
        match u32::try_from(user_version) {
            Ok(version) if version > supported => {
                return Err(StoreError::NewerSchema {
                    path: path.to_owned(),
                    found: version,
                    supported,
                });
            }
            Ok(0) if object_count > 0 => {
                return Err(StoreError::Corrupt {
                    path: path.to_owned(),
                    detail: "it is marked as a Podium database but records no schema version"
                        .to_owned(),
                });
            }
            Ok(0) => Found::Empty,
            Ok(version) => Found::Podium { version },
            Err(_) => {
                return Err(StoreError::Corrupt {
                    path: path.to_owned(),
                    detail: format!("its schema version {user_version} is not a valid one"),
                });
            }
        }
    } else if application_id == 0 && user_version == 0 && object_count == 0 {
        Found::Empty
    } else {
        return Err(StoreError::NotPodium {
            path: path.to_owned(),
            detail: foreign_detail(application_id, user_version, &object_names),
        });
    };
    check_integrity(connection, path)?;
    Ok(found)
}

/// Describes what marks a database as someone else's.
fn foreign_detail(application_id: i64, user_version: i64, object_names: &[String]) -> String {
    // Enough names to recognise the database by, not a schema dump.
    const SHOWN_NAMES: usize = 5;
    let mut parts = Vec::new();
    if application_id != 0 {
        parts.push(format!(
            "its application id is {application_id:#x}, not Podium's {APPLICATION_ID:#x}"
        ));
    }
    if user_version != 0 {
        parts.push(format!("its schema version is {user_version}"));
    }
    if !object_names.is_empty() {
        let mut listed = object_names
            .iter()
            .take(SHOWN_NAMES)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        if object_names.len() > SHOWN_NAMES {
            listed.push_str(&format!(" and {} more", object_names.len() - SHOWN_NAMES));
        }
        parts.push(format!("it holds {listed}"));
    }
    parts.join("; ")
}

/// The tables, indexes, views and triggers in the database, leaving out SQLite's own
/// (`sqlite_sequence`, `sqlite_stat1`, ...).
fn user_object_names(connection: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut statement = connection.prepare(
        "SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
    )?;
    statement.query_map([], |row| row.get(0))?.collect()
}

/// Runs SQLite's `quick_check`, which reads every page: a truncated or overwritten file
/// is refused at open rather than failing halfway through a run.
fn check_integrity(connection: &Connection, path: &Path) -> Result<(), StoreError> {
    // quick_check reports up to this many problems; a few are enough to explain.
    const SHOWN_PROBLEMS: usize = 3;
    let mut statement = connection
        .prepare("PRAGMA quick_check")
        .map_err(|error| open_error(path, error))?;
    let problems: Vec<String> = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|error| open_error(path, error))?;
    if problems.len() == 1 && problems[0] == "ok" {
        return Ok(());
    }
    let mut detail = problems
        .iter()
        .take(SHOWN_PROBLEMS)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > SHOWN_PROBLEMS {
        detail.push_str(&format!(
            " (and {} more problems)",
            problems.len() - SHOWN_PROBLEMS
        ));
    }
    Err(StoreError::Corrupt {
        path: path.to_owned(),
        detail: format!("integrity check failed: {detail}"),
    })
}

/// Applies the steps of `migrations` the database does not have yet and returns the
/// version it ends at. Safe against another process migrating the same file at the same
/// time: each step re-reads the version inside its write transaction.
pub(crate) fn migrate(
    connection: &mut Connection,
    path: &Path,
    migrations: &[Migration],
) -> Result<u32, StoreError> {
    let supported = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
    for migration in migrations {
        let failed = |error: rusqlite::Error| migration_error(path, migration.version, error);
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        let current = user_version(&transaction).map_err(failed)?;
        if current >= migration.version {
            // Already applied (by an earlier open, or by another process just now).
            continue;
        }
        if current + 1 != migration.version {
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                detail: format!(
                    "its schema is at version {current}, which cannot be upgraded by step {}",
                    migration.version
                ),
            });
        }
        if current == 0 {
            transaction
                .pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(failed)?;
        }
        transaction.execute_batch(migration.sql).map_err(failed)?;
        transaction
            .pragma_update(None, "user_version", migration.version)
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
    }
    let version = user_version(connection).map_err(|error| open_error(path, error))?;
    if version > supported {
        // A newer Podium upgraded the file between our inspection and our migration.
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported,
        });
    }
    Ok(version)
}

fn user_version(connection: &Connection) -> rusqlite::Result<u32> {
    connection.query_row("PRAGMA user_version", [], |row| row.get::<_, u32>(0))
}

fn migration_error(path: &Path, version: u32, error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
            path: path.to_owned(),
            action: format!("upgrading its schema to version {version}"),
        },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
            path: path.to_owned(),
            action: format!("upgrading its schema to version {version}"),
        },
        _ => StoreError::Database {
            path: path.to_owned(),
            action: format!(
                "upgrading its schema to version {version} (nothing of that step was kept)"
            ),
            source: Box::new(error),
        },
    }
}

/// Classifies a failure met while opening and inspecting a file.
pub(crate) fn open_error(path: &Path, error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_owned(),
            detail: error.to_string(),
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
            path: path.to_owned(),
            action: "opening it".to_owned(),
        },
        _ => StoreError::Open {
            path: path.to_owned(),
            source: Box::new(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_number_one_two_three_in_order() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version as usize, index + 1);
        }
    }

    #[test]
    fn every_step_applies_to_a_fresh_database() {
        let mut connection = Connection::open_in_memory().expect("an in-memory database");
        let version =
            migrate(&mut connection, Path::new(":memory:"), MIGRATIONS).expect("migrations run");
        assert_eq!(version, SCHEMA_VERSION);
        let found = inspect(&connection, Path::new(":memory:"), SCHEMA_VERSION)
            .expect("a migrated database is recognised");
        assert_eq!(
            found,
            Found::Podium {
                version: SCHEMA_VERSION
            }
        );
    }

    const CREATE_A: &str = "CREATE TABLE a (x INTEGER NOT NULL) STRICT;";
    const ADD_B: &str =
        "CREATE TABLE b (y TEXT NOT NULL) STRICT; INSERT INTO b SELECT 'from ' || x FROM a;";
    const BROKEN: &str = "CREATE TABLE c (z INTEGER); INSERT INTO no_such_table VALUES (1);";

    fn steps(sql: &[&'static str]) -> Vec<Migration> {
        sql.iter()
            .enumerate()
            .map(|(index, sql)| Migration {
                version: u32::try_from(index + 1).expect("few steps"),
                sql,
            })
            .collect()
    }

    fn table_exists(connection: &Connection, name: &str) -> bool {
        connection
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                [name],
                |row| row.get::<_, i64>(0),
            )
            .expect("sqlite_schema is readable")
            == 1
    }

    #[test]
    fn an_older_database_is_brought_forward_keeping_its_data() {
        let directory = tempfile::tempdir().expect("a temporary folder");
        let path = directory.path().join("old.db");
        {
            let mut connection = Connection::open(&path).expect("a new database");
            assert_eq!(
                migrate(&mut connection, &path, &steps(&[CREATE_A])).ok(),
                Some(1)
            );
            connection
                .execute("INSERT INTO a VALUES (42)", [])
                .expect("a row is inserted");
        }
        let mut connection = Connection::open(&path).expect("the database reopens");
        assert_eq!(
            inspect(&connection, &path, 2).ok(),
            Some(Found::Podium { version: 1 })
        );
        assert_eq!(
            migrate(&mut connection, &path, &steps(&[CREATE_A, ADD_B])).ok(),
            Some(2)
        );
        let carried: String = connection
            .query_row("SELECT y FROM b", [], |row| row.get(0))
            .expect("step 2 ran over step 1's data");
        assert_eq!(carried, "from 42");
        // Running the list again is a no-op (step 2 would fail if re-run: b exists).
        assert_eq!(
            migrate(&mut connection, &path, &steps(&[CREATE_A, ADD_B])).ok(),
            Some(2)
        );
        // A build that only knows step 1 refuses the upgraded file.
        match inspect(&connection, &path, 1) {
            Err(StoreError::NewerSchema {
                found: 2,
                supported: 1,
                ..
            }) => {}
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    }

    #[test]
    fn a_failing_step_leaves_the_database_at_the_previous_version() {
        let mut connection = Connection::open_in_memory().expect("an in-memory database");
        let path = Path::new(":memory:");
        let error = migrate(&mut connection, path, &steps(&[CREATE_A, BROKEN]))
            .expect_err("step 2 refers to a missing table");
        assert!(
            matches!(error, StoreError::Database { .. }),
            "unexpected error {error:?}"
        );
        assert!(error.to_string().contains("version 2"), "{error}");
        assert_eq!(user_version(&connection).ok(), Some(1));
        assert!(table_exists(&connection, "a"));
        assert!(
            !table_exists(&connection, "c"),
            "the failed step's first statement was rolled back"
        );
    }

    #[test]
    fn the_first_step_marks_the_file_as_podium() {
        let mut connection = Connection::open_in_memory().expect("an in-memory database");
        let path = Path::new(":memory:");
        assert_eq!(inspect(&connection, path, 1).ok(), Some(Found::Empty));
        migrate(&mut connection, path, &steps(&[CREATE_A])).expect("step 1 runs");
        let application_id: i32 = connection
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .expect("application_id is readable");
        assert_eq!(application_id, APPLICATION_ID);
    }

    #[test]
    fn a_foreign_database_is_named_by_what_it_holds() {
        let connection = Connection::open_in_memory().expect("an in-memory database");
        connection
            .execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY);")
            .expect("a foreign table");
        match inspect(&connection, Path::new("x.db"), SCHEMA_VERSION) {
            Err(StoreError::NotPodium { detail, .. }) => {
                assert_eq!(detail, "it holds invoices");
            }
            other => panic!("expected NotPodium, got {other:?}"),
        }
        // A file that only set its user_version is someone else's too.
        let versioned = Connection::open_in_memory().expect("an in-memory database");
        versioned
            .pragma_update(None, "user_version", 3)
            .expect("user_version is writable");
        match inspect(&versioned, Path::new("x.db"), SCHEMA_VERSION) {
            Err(StoreError::NotPodium { detail, .. }) => {
                assert_eq!(detail, "its schema version is 3");
            }
            other => panic!("expected NotPodium, got {other:?}"),
        }
    }

    #[test]
    fn a_long_list_of_foreign_tables_is_cut_short() {
        let names = (1..=8).map(|n| format!("t{n}")).collect::<Vec<String>>();
        assert_eq!(
            foreign_detail(0x1234, 0, &names),
            "its application id is 0x1234, not Podium's 0x504f4449; it holds t1, t2, t3, t4, t5 and 3 more"
        );
    }
}
