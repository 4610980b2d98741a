-- revtrace storage, SQLite dialect, version 2: the inbox. Applied by `migrate()` inside one transaction.

-- Inbound events, one row per dedupe key (the unique key makes the first ingest the only one). `seq` is
-- the rowid, in commit order. The raw body is kept as its UTF-8 bytes, exactly as received; `event` is
-- the normalized event as JSON text.
CREATE TABLE inbox_events (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  type TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  raw_body BLOB NOT NULL,
  event TEXT NOT NULL
);
CREATE INDEX inbox_events_by_source ON inbox_events (source, seq);

-- One audit row per later delivery of a claimed key (the event's `duplicates` is their count).
CREATE TABLE inbox_duplicates (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX inbox_duplicates_by_key ON inbox_duplicates (key);

-- Authenticated bodies that failed validation, kept for a replay; `error` is JSON text.
CREATE TABLE inbox_quarantine (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  raw_body BLOB NOT NULL,
  content_type TEXT,
  error TEXT NOT NULL,
  resolved_at INTEGER
);
CREATE INDEX inbox_quarantine_waiting ON inbox_quarantine (id) WHERE resolved_at IS NULL;
