-- revtrace storage, PostgreSQL dialect, version 2: the inbox. Applied by `migrate()` inside one
-- transaction, under an advisory lock, with `search_path` set to the target schema.

-- Inbound events, one row per dedupe key (the unique key makes exactly one ingest of a key win, across
-- processes). `seq` comes from an identity (gaps allowed). The raw body is kept as its UTF-8 bytes,
-- exactly as received; `event` is the normalized event as json.
CREATE TABLE inbox_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL UNIQUE,
  source text NOT NULL,
  type text NOT NULL,
  received_at bigint NOT NULL,
  raw_body bytea NOT NULL,
  event json NOT NULL
);
CREATE INDEX inbox_events_by_source ON inbox_events (source, seq);

-- One audit row per later delivery of a claimed key (the event's `duplicates` is their count).
CREATE TABLE inbox_duplicates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL,
  received_at bigint NOT NULL
);
CREATE INDEX inbox_duplicates_by_key ON inbox_duplicates (key);

-- Authenticated bodies that failed validation, kept for a replay.
CREATE TABLE inbox_quarantine (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL,
  received_at bigint NOT NULL,
  raw_body bytea NOT NULL,
  content_type text,
  error json NOT NULL,
  resolved_at bigint
);
CREATE INDEX inbox_quarantine_waiting ON inbox_quarantine (id) WHERE resolved_at IS NULL;
