-- Schema 1: runs, the subjects measured in them, and their artifacts.
-- Measurement types live in other crates and keep changing, so they are stored as JSON
-- documents (TEXT) and raw blobs (BLOB) under this small fixed skeleton.

CREATE TABLE runs (
    -- AUTOINCREMENT so that a deleted run's number is never given to a later run.
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at     INTEGER NOT NULL,            -- Unix milliseconds
    -- NULL until the run is finished: a run cut short by a crash or Ctrl-C stays NULL.
    finished_at    INTEGER,
    complete       INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    note           TEXT,
    quick          INTEGER NOT NULL CHECK (quick IN (0, 1)),
    podium_version TEXT NOT NULL,
    command_line   TEXT NOT NULL,               -- JSON array of strings
    suite_name     TEXT,
    suite_text     TEXT,
    config         TEXT NOT NULL,               -- JSON
    environment    TEXT NOT NULL                -- JSON
) STRICT;

CREATE INDEX runs_by_start ON runs (started_at, id);

CREATE TABLE subjects (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    language  TEXT NOT NULL,
    framework TEXT NOT NULL,
    version   TEXT NOT NULL,
    status    TEXT NOT NULL,
    reason    TEXT,
    details   TEXT NOT NULL,                    -- JSON
    PRIMARY KEY (run_id, name)
) STRICT;

CREATE TABLE artifacts (
    run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    subject      TEXT,                          -- NULL: not about one subject
    workload     TEXT,                          -- NULL: not about one workload
    repetition   INTEGER,                       -- NULL: not about one repetition
    kind         TEXT NOT NULL,
    content_type TEXT,
    json         TEXT,
    -- Last, so that reading the other columns never walks a large blob's overflow pages.
    blob         BLOB
) STRICT;

-- A plain UNIQUE constraint treats NULLs as distinct, so two run-level artifacts of the
-- same kind would not collide; the key's NULL parts are folded into values that names
-- cannot take (the store refuses empty names) and repetitions cannot take (negative).
CREATE UNIQUE INDEX artifacts_by_key
    ON artifacts (run_id, ifnull(subject, ''), ifnull(workload, ''), ifnull(repetition, -1), kind);
