-- Schema 2: observations made outside a run, and the HTTP cache of remote look-ups.
--
-- `podium eco`, `podium otel` and `podium reload` measure one subject (or module) on
-- their own, not inside a run. Each result is kept here, newest wins, and `podium run`
-- copies the newest one of each kind into the run (as an artifact) so that a run's
-- report is still rebuilt from the run alone.

CREATE TABLE observations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,                  -- "ecosystem", "otel", "hot-reload", ...
    subject     TEXT NOT NULL,                  -- a subject's name, or a module path
    observed_at INTEGER NOT NULL,               -- Unix milliseconds
    json        TEXT NOT NULL                   -- JSON
) STRICT;

CREATE INDEX observations_by_subject ON observations (kind, subject, observed_at, id);

-- Remote answers kept for conditional requests (ETag / If-None-Match) and offline use.
CREATE TABLE http_cache (
    url        TEXT PRIMARY KEY,
    etag       TEXT,
    fetched_at INTEGER NOT NULL,                -- Unix milliseconds
    body       BLOB NOT NULL
) STRICT;
