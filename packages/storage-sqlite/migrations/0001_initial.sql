-- revtrace storage, SQLite dialect, version 1. Applied by `migrate()` inside one transaction.
-- Times are epoch milliseconds (INTEGER); JSON columns hold JSON text.

-- Inbound event de-duplication: the primary key makes the first claim the only one.
CREATE TABLE receipts (
  key TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Touchpoints: the whole touchpoint as JSON, plus the columns range queries need.
CREATE TABLE touchpoints (
  id TEXT PRIMARY KEY,
  anonymous_id TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX touchpoints_by_visitor ON touchpoints (anonymous_id, occurred_at, id);

-- Outbox: one row per (sink, idempotency key); leases are (token, expiry) pairs.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  sink TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'leased', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  lease_expires_at INTEGER,
  lease_token TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (sink, idempotency_key)
);
-- Claims scan only live items, in claim order.
CREATE INDEX outbox_claimable ON outbox (sink, available_at, id) WHERE status IN ('pending', 'leased');
CREATE INDEX outbox_failures ON outbox (updated_at, id) WHERE last_error IS NOT NULL AND status <> 'delivered';

-- Commission ledger: append-only; seq is the rowid (gapless, since rows are never deleted). `data` is
-- the whole entry as JSON (what is read back); the other columns are there for SQL reporting.
CREATE TABLE commissions (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  partner_id TEXT NOT NULL,
  program_id TEXT,
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  transaction_id TEXT,
  refund_transaction_id TEXT,
  subscription_id TEXT,
  customer_id TEXT,
  occurred_at INTEGER NOT NULL,
  note TEXT,
  base_amount INTEGER,
  base_currency TEXT,
  payable_at INTEGER,
  payout_id TEXT,
  data TEXT NOT NULL
);
CREATE INDEX commissions_by_partner ON commissions (partner_id, seq);
CREATE TRIGGER commissions_append_only_update BEFORE UPDATE ON commissions
BEGIN SELECT RAISE(ABORT, 'the commission ledger is append-only'); END;
CREATE TRIGGER commissions_append_only_delete BEFORE DELETE ON commissions
BEGIN SELECT RAISE(ABORT, 'the commission ledger is append-only'); END;

-- Last applied Chargebee resource_version per resource.
CREATE TABLE resource_versions (
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (resource_type, resource_id)
) WITHOUT ROWID;

-- Identity graph. key_id is `kind:value` (identityKeyId).
CREATE TABLE identity_persons (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  merged_into TEXT,
  merged_at INTEGER
) WITHOUT ROWID;

CREATE TABLE identity_keys (
  key_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  person_id TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX identity_keys_by_person ON identity_keys (person_id);

-- An edge is unique on its two key ids (sorted: low, high) and its observation.
CREATE TABLE identity_edges (
  low TEXT NOT NULL,
  high TEXT NOT NULL,
  observation_id TEXT NOT NULL,
  a_kind TEXT NOT NULL,
  a_value TEXT NOT NULL,
  b_kind TEXT NOT NULL,
  b_value TEXT NOT NULL,
  source TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (low, high, observation_id)
) WITHOUT ROWID;
CREATE INDEX identity_edges_by_high ON identity_edges (high);

-- Refused merges, unique on their natural key (mergeRefusalKey), indexed by person and by key.
CREATE TABLE identity_refusals (
  id INTEGER PRIMARY KEY,
  refusal_key TEXT NOT NULL UNIQUE,
  data TEXT NOT NULL
);
CREATE TABLE identity_refusal_persons (
  person_id TEXT NOT NULL,
  refusal_id INTEGER NOT NULL REFERENCES identity_refusals (id) ON DELETE CASCADE,
  PRIMARY KEY (person_id, refusal_id)
) WITHOUT ROWID;
CREATE TABLE identity_refusal_keys (
  key_id TEXT NOT NULL,
  refusal_id INTEGER NOT NULL REFERENCES identity_refusals (id) ON DELETE CASCADE,
  PRIMARY KEY (key_id, refusal_id)
) WITHOUT ROWID;
CREATE INDEX identity_refusal_persons_by_refusal ON identity_refusal_persons (refusal_id);
CREATE INDEX identity_refusal_keys_by_refusal ON identity_refusal_keys (refusal_id);
