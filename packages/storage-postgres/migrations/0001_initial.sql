-- revtrace storage, PostgreSQL dialect, version 1. Applied by `migrate()` inside one transaction, under
-- an advisory lock, with `search_path` set to the target schema (so names here are unqualified).
-- Times are epoch milliseconds (bigint); ids that are sorted use the binary "C" collation.

-- Inbound event de-duplication: the primary key makes the first claim the only one.
CREATE TABLE receipts (
  key text PRIMARY KEY,
  type text NOT NULL,
  received_at bigint NOT NULL
);

-- Touchpoints: the whole touchpoint as JSON, plus the columns range queries need.
CREATE TABLE touchpoints (
  id text COLLATE "C" PRIMARY KEY,
  anonymous_id text NOT NULL,
  occurred_at bigint NOT NULL,
  data json NOT NULL
);
CREATE INDEX touchpoints_by_visitor ON touchpoints (anonymous_id, occurred_at, id);

-- Outbox: one row per (sink, idempotency key); leases are (token, expiry) pairs.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sink text NOT NULL,
  idempotency_key text NOT NULL,
  payload json NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'leased', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  available_at bigint NOT NULL,
  lease_expires_at bigint,
  lease_token text,
  last_error text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  UNIQUE (sink, idempotency_key)
);
-- Claims scan only live items, in claim order.
CREATE INDEX outbox_claimable ON outbox (sink, available_at, id) WHERE status IN ('pending', 'leased');
CREATE INDEX outbox_failures ON outbox (updated_at, id) WHERE last_error IS NOT NULL AND status <> 'delivered';

-- Commission ledger: append-only; seq is assigned under a table lock, so it is gapless and in commit
-- order. `data` is the whole entry as JSON (what is read back); the other columns are for SQL reporting.
CREATE TABLE commissions (
  seq bigint PRIMARY KEY,
  key text NOT NULL UNIQUE,
  partner_id text NOT NULL,
  program_id text,
  kind text NOT NULL,
  amount bigint NOT NULL,
  currency text NOT NULL,
  transaction_id text,
  refund_transaction_id text,
  subscription_id text,
  customer_id text,
  occurred_at bigint NOT NULL,
  note text,
  base_amount bigint,
  base_currency text,
  payable_at bigint,
  payout_id text,
  data json NOT NULL
);
CREATE INDEX commissions_by_partner ON commissions (partner_id, seq);
CREATE FUNCTION commissions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the commission ledger is append-only';
END
$$;
CREATE TRIGGER commissions_append_only BEFORE UPDATE OR DELETE ON commissions
  FOR EACH ROW EXECUTE FUNCTION commissions_append_only();
CREATE TRIGGER commissions_no_truncate BEFORE TRUNCATE ON commissions
  FOR EACH STATEMENT EXECUTE FUNCTION commissions_append_only();

-- Last applied Chargebee resource_version per resource.
CREATE TABLE resource_versions (
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (resource_type, resource_id)
);

-- Identity graph. key_id is `kind:value` (identityKeyId).
CREATE TABLE identity_persons (
  id text PRIMARY KEY,
  created_at bigint NOT NULL,
  merged_into text,
  merged_at bigint
);

CREATE TABLE identity_keys (
  key_id text PRIMARY KEY,
  kind text NOT NULL,
  value text NOT NULL,
  person_id text NOT NULL,
  first_seen_at bigint NOT NULL
);
CREATE INDEX identity_keys_by_person ON identity_keys (person_id);

-- An edge is unique on its two key ids (sorted: low, high) and its observation.
CREATE TABLE identity_edges (
  low text NOT NULL,
  high text NOT NULL,
  observation_id text NOT NULL,
  a_kind text NOT NULL,
  a_value text NOT NULL,
  b_kind text NOT NULL,
  b_value text NOT NULL,
  source text NOT NULL,
  at bigint NOT NULL,
  PRIMARY KEY (low, high, observation_id)
);
CREATE INDEX identity_edges_by_high ON identity_edges (high);

-- Refused merges, unique on their natural key (mergeRefusalKey), indexed by person and by key.
CREATE TABLE identity_refusals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  refusal_key text NOT NULL UNIQUE,
  data json NOT NULL
);
CREATE TABLE identity_refusal_persons (
  person_id text NOT NULL,
  refusal_id bigint NOT NULL REFERENCES identity_refusals (id) ON DELETE CASCADE,
  PRIMARY KEY (person_id, refusal_id)
);
CREATE TABLE identity_refusal_keys (
  key_id text NOT NULL,
  refusal_id bigint NOT NULL REFERENCES identity_refusals (id) ON DELETE CASCADE,
  PRIMARY KEY (key_id, refusal_id)
);
CREATE INDEX identity_refusal_persons_by_refusal ON identity_refusal_persons (refusal_id);
CREATE INDEX identity_refusal_keys_by_refusal ON identity_refusal_keys (refusal_id);
