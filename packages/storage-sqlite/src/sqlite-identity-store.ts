import {
  type IdentityEdge,
  type IdentityKey,
  type IdentityKeyRecord,
  type IdentityStore,
  identityEdgeKey,
  identityKeyId,
  type MergeRefusal,
  mergeRefusalKey,
} from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";

interface KeyRow {
  kind: IdentityKey["kind"];
  value: string;
  person_id: string;
  first_seen_at: number;
}

interface EdgeRow {
  a_kind: IdentityKey["kind"];
  a_value: string;
  b_kind: IdentityKey["kind"];
  b_value: string;
  source: string;
  observation_id: string;
  at: number;
}

interface PersonRow {
  id: string;
  created_at: number;
  merged_into: string | null;
  merged_at: number | null;
}

const toKeyRecord = (row: KeyRow): IdentityKeyRecord => ({
  key: { kind: row.kind, value: row.value },
  personId: row.person_id,
  firstSeenAt: row.first_seen_at,
});

const toEdge = (row: EdgeRow): IdentityEdge => ({
  a: { kind: row.a_kind, value: row.a_value },
  b: { kind: row.b_kind, value: row.b_value },
  evidence: { source: row.source, observationId: row.observation_id, at: row.at },
});

/** Lower than every stored time (times are safe integers). */
const BEFORE_ALL = Number.MIN_SAFE_INTEGER - 1;

/** A JSON array of key ids: one parameter for `IN (SELECT value FROM json_each(?))`. */
const keyIds = (keys: readonly IdentityKey[]) => JSON.stringify(keys.map(identityKeyId));

/** The identity graph in tables: persons, keys (by `kind:value`), edges, refusals. */
export function createSqliteIdentityStore(connection: SqliteConnection): IdentityStore {
  const { statement, write } = connection;
  return {
    async findKeys(keys) {
      if (keys.length === 0) return [];
      const rows = statement(
        "SELECT kind, value, person_id, first_seen_at FROM identity_keys WHERE key_id IN (SELECT value FROM json_each(?))",
      ).all(keyIds(keys)) as unknown as KeyRow[];
      return rows.map(toKeyRecord);
    },
    async getPerson(id) {
      const row = statement("SELECT * FROM identity_persons WHERE id = ?").get(id) as
        | PersonRow
        | undefined;
      return row
        ? {
            id: row.id,
            createdAt: row.created_at,
            mergedInto: row.merged_into,
            mergedAt: row.merged_at,
          }
        : null;
    },
    async listPersonKeys(personId) {
      const rows = statement(
        "SELECT kind, value, person_id, first_seen_at FROM identity_keys WHERE person_id = ?",
      ).all(personId) as unknown as KeyRow[];
      return rows.map(toKeyRecord);
    },
    async listEdges(keys) {
      if (keys.length === 0) return [];
      const ids = keyIds(keys);
      const rows = statement(
        `SELECT * FROM identity_edges
         WHERE low IN (SELECT value FROM json_each(?1)) OR high IN (SELECT value FROM json_each(?1))`,
      ).all(ids) as unknown as EdgeRow[];
      return rows.map(toEdge);
    },
    async listEarliestEdges(key, { times, after }) {
      // whole times: every edge up to the last of the first `times` distinct times after `after`
      const id = identityKeyId(key);
      const from = after ?? BEFORE_ALL;
      if (times === 1) {
        // the common page (the resolver reads one time at a time): index seeks only (without
        // ANALYZE statistics SQLite would take the primary key for `low = ?` and read every edge)
        const first = (column: "low" | "high") =>
          (
            statement(
              `SELECT min(at) AS at FROM identity_edges WHERE ${column} = ? AND at > ?`,
            ).get(id, from) as { at: number | null }
          ).at;
        const low = first("low");
        const high = first("high");
        const at = low === null ? high : high === null ? low : Math.min(low, high);
        if (at === null) return [];
        const rows = statement(
          `SELECT * FROM identity_edges INDEXED BY identity_edges_by_low_at WHERE low = ?1 AND at = ?2
           UNION ALL
           SELECT * FROM identity_edges INDEXED BY identity_edges_by_high_at
           WHERE high = ?1 AND low <> ?1 AND at = ?2`,
        ).all(id, at) as unknown as EdgeRow[];
        return rows.map(toEdge);
      }
      const ats = (column: "low" | "high") =>
        (
          statement(
            `SELECT DISTINCT at FROM identity_edges WHERE ${column} = ? AND at > ? ORDER BY at LIMIT ?`,
          ).all(id, from, times) as { at: number }[]
        ).map((row) => row.at);
      const distinct = [...new Set([...ats("low"), ...ats("high")])].sort((x, y) => x - y);
      const last = distinct[Math.min(times, distinct.length) - 1];
      if (last === undefined) return [];
      const rows = statement(
        `SELECT * FROM identity_edges INDEXED BY identity_edges_by_low_at
         WHERE low = ?1 AND at > ?2 AND at <= ?3
         UNION ALL
         SELECT * FROM identity_edges INDEXED BY identity_edges_by_high_at
         WHERE high = ?1 AND low <> ?1 AND at > ?2 AND at <= ?3`,
      ).all(id, from, last) as unknown as EdgeRow[];
      return rows.map(toEdge);
    },
    async listObservationEdges(keys, observationIds) {
      if (keys.length === 0 || observationIds.length === 0) return [];
      if (keys.length === 1 && observationIds.length === 1) {
        // the common call (one follower, the observation being linked)
        const rows = statement(
          "SELECT * FROM identity_edges WHERE observation_id = ?2 AND (low = ?1 OR high = ?1)",
        ).all(
          identityKeyId(keys[0] as IdentityKey),
          observationIds[0] as string,
        ) as unknown as EdgeRow[];
        return rows.map(toEdge);
      }
      const rows = statement(
        `SELECT * FROM identity_edges
         WHERE observation_id IN (SELECT value FROM json_each(?2))
           AND (low IN (SELECT value FROM json_each(?1)) OR high IN (SELECT value FROM json_each(?1)))`,
      ).all(keyIds(keys), JSON.stringify(observationIds)) as unknown as EdgeRow[];
      return rows.map(toEdge);
    },
    async listRefusals(personId) {
      const rows = statement(
        `SELECT r.data FROM identity_refusal_persons p JOIN identity_refusals r ON r.id = p.refusal_id
         WHERE p.person_id = ? ORDER BY r.id`,
      ).all(personId) as { data: string }[];
      return rows.map((row) => JSON.parse(row.data) as MergeRefusal);
    },
    applyIdentityChange(change) {
      return write(() => {
        const upsertPerson = statement(
          `INSERT INTO identity_persons (id, created_at, merged_into, merged_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at,
             merged_into = excluded.merged_into, merged_at = excluded.merged_at`,
        );
        for (const p of change.persons ?? [])
          upsertPerson.run(p.id, p.createdAt, p.mergedInto, p.mergedAt);

        const upsertKey = statement(
          `INSERT INTO identity_keys (key_id, kind, value, person_id, first_seen_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (key_id) DO UPDATE SET person_id = excluded.person_id, first_seen_at = excluded.first_seen_at`,
        );
        for (const r of change.keys ?? []) {
          upsertKey.run(identityKeyId(r.key), r.key.kind, r.key.value, r.personId, r.firstSeenAt);
        }

        const insertEdge = statement(
          `INSERT INTO identity_edges (low, high, observation_id, a_kind, a_value, b_kind, b_value, source, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        );
        for (const e of change.edges ?? []) {
          const { low, high, observationId } = identityEdgeKey(e);
          insertEdge.run(
            low,
            high,
            observationId,
            e.a.kind,
            e.a.value,
            e.b.kind,
            e.b.value,
            e.evidence.source,
            e.evidence.at,
          );
        }

        const insertRefusal = statement(
          "INSERT INTO identity_refusals (refusal_key, data) VALUES (?, ?) ON CONFLICT (refusal_key) DO NOTHING RETURNING id",
        );
        const linkPerson = statement(
          "INSERT OR IGNORE INTO identity_refusal_persons (person_id, refusal_id) VALUES (?, ?)",
        );
        const linkKey = statement(
          "INSERT OR IGNORE INTO identity_refusal_keys (key_id, refusal_id) VALUES (?, ?)",
        );
        for (const refusal of change.refusals ?? []) {
          const row = insertRefusal.get(mergeRefusalKey(refusal), JSON.stringify(refusal)) as
            | { id: number }
            | undefined;
          if (!row) continue;
          for (const personId of refusal.personIds) linkPerson.run(personId, row.id);
          for (const key of refusal.keys) linkKey.run(identityKeyId(key), row.id);
        }
      });
    },
    forgetKeys(keys) {
      if (keys.length === 0) return Promise.resolve();
      return write(() => {
        const ids = keyIds(keys);
        statement("DELETE FROM identity_keys WHERE key_id IN (SELECT value FROM json_each(?))").run(
          ids,
        );
        statement(
          `DELETE FROM identity_edges
           WHERE low IN (SELECT value FROM json_each(?1)) OR high IN (SELECT value FROM json_each(?1))`,
        ).run(ids);
        // Refusals naming a forgotten key go too; their person and key links cascade.
        statement(
          `DELETE FROM identity_refusals WHERE id IN (
             SELECT refusal_id FROM identity_refusal_keys WHERE key_id IN (SELECT value FROM json_each(?)))`,
        ).run(ids);
      });
    },
  };
}
