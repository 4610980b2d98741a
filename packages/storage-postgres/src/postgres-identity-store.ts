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
import { inTransaction } from "./pg-transaction.js";
import type { PgPoolLike } from "./pg-types.js";

type Kind = IdentityKey["kind"];

const toKeyRecord = (row: Record<string, unknown>): IdentityKeyRecord => ({
  key: { kind: row.kind as Kind, value: row.value as string },
  personId: row.person_id as string,
  firstSeenAt: Number(row.first_seen_at),
});

const toEdge = (row: Record<string, unknown>): IdentityEdge => ({
  a: { kind: row.a_kind as Kind, value: row.a_value as string },
  b: { kind: row.b_kind as Kind, value: row.b_value as string },
  evidence: {
    source: row.source as string,
    observationId: row.observation_id as string,
    at: Number(row.at),
  },
});

/** Lower than every stored time (times are safe integers). */
const BEFORE_ALL = Number.MIN_SAFE_INTEGER - 1;

/** The last entry per id wins, in id order (a consistent lock order keeps concurrent upserts deadlock-free). */
function lastById<T>(items: readonly T[], id: (item: T) => string): [string, T][] {
  return [...new Map(items.map((item) => [id(item), item] as const))].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
}

/** The identity graph in tables: persons, keys (by `kind:value`), edges, refusals. */
export function createPostgresIdentityStore(pool: PgPoolLike, schema: string): IdentityStore {
  const persons = `${schema}.identity_persons`;
  const keys = `${schema}.identity_keys`;
  const edges = `${schema}.identity_edges`;
  const refusals = `${schema}.identity_refusals`;
  const refusalPersons = `${schema}.identity_refusal_persons`;
  const refusalKeys = `${schema}.identity_refusal_keys`;

  return {
    async findKeys(wanted) {
      if (wanted.length === 0) return [];
      const { rows } = await pool.query(`SELECT * FROM ${keys} WHERE key_id = ANY($1::text[])`, [
        wanted.map(identityKeyId),
      ]);
      return rows.map(toKeyRecord);
    },
    async getPerson(id) {
      const { rows } = await pool.query(`SELECT * FROM ${persons} WHERE id = $1`, [id]);
      const row = rows[0];
      return row
        ? {
            id: row.id as string,
            createdAt: Number(row.created_at),
            mergedInto: row.merged_into as string | null,
            mergedAt: row.merged_at === null ? null : Number(row.merged_at),
          }
        : null;
    },
    async listPersonKeys(personId) {
      const { rows } = await pool.query(`SELECT * FROM ${keys} WHERE person_id = $1`, [personId]);
      return rows.map(toKeyRecord);
    },
    async listEdges(wanted) {
      if (wanted.length === 0) return [];
      const { rows } = await pool.query(
        `SELECT * FROM ${edges} WHERE low = ANY($1::text[]) OR high = ANY($1::text[])`,
        [wanted.map(identityKeyId)],
      );
      return rows.map(toEdge);
    },
    async listEarliestEdges(key, { times, after }) {
      // whole times: every edge up to the last of the first `times` distinct times after `after`
      const { rows } = await pool.query(
        `WITH times AS (
           (SELECT DISTINCT at FROM ${edges} WHERE low = $1 AND at > $2
            ORDER BY at LIMIT $3)
           UNION
           (SELECT DISTINCT at FROM ${edges} WHERE high = $1 AND at > $2
            ORDER BY at LIMIT $3)
           ORDER BY at LIMIT $3
         ), last AS (SELECT max(at) AS at FROM times)
         SELECT e.* FROM ${edges} e, last
         WHERE e.low = $1 AND e.at > $2 AND e.at <= last.at
         UNION ALL
         SELECT e.* FROM ${edges} e, last
         WHERE e.high = $1 AND e.low <> $1 AND e.at > $2 AND e.at <= last.at`,
        [identityKeyId(key), after ?? BEFORE_ALL, times],
      );
      return rows.map(toEdge);
    },
    async listObservationEdges(wanted, observationIds) {
      if (wanted.length === 0 || observationIds.length === 0) return [];
      const { rows } = await pool.query(
        `SELECT * FROM ${edges} WHERE observation_id = ANY($2::text[])
           AND (low = ANY($1::text[]) OR high = ANY($1::text[]))`,
        [wanted.map(identityKeyId), observationIds],
      );
      return rows.map(toEdge);
    },
    async listRefusals(personId) {
      const { rows } = await pool.query(
        `SELECT r.data FROM ${refusalPersons} p JOIN ${refusals} r ON r.id = p.refusal_id
         WHERE p.person_id = $1 ORDER BY r.id`,
        [personId],
      );
      return rows.map((row) => row.data as MergeRefusal);
    },
    async applyIdentityChange(change) {
      await inTransaction(pool, async (client) => {
        const people = lastById(change.persons ?? [], (p) => p.id).map(([, p]) => p);
        if (people.length > 0) {
          await client.query(
            `INSERT INTO ${persons} (id, created_at, merged_into, merged_at)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[])
             ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at,
               merged_into = excluded.merged_into, merged_at = excluded.merged_at`,
            [
              people.map((p) => p.id),
              people.map((p) => p.createdAt),
              people.map((p) => p.mergedInto),
              people.map((p) => p.mergedAt),
            ],
          );
        }
        const records = lastById(change.keys ?? [], (r) => identityKeyId(r.key));
        if (records.length > 0) {
          await client.query(
            `INSERT INTO ${keys} (key_id, kind, value, person_id, first_seen_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
             ON CONFLICT (key_id) DO UPDATE SET person_id = excluded.person_id,
               first_seen_at = excluded.first_seen_at`,
            [
              records.map(([id]) => id),
              records.map(([, r]) => r.key.kind),
              records.map(([, r]) => r.key.value),
              records.map(([, r]) => r.personId),
              records.map(([, r]) => r.firstSeenAt),
            ],
          );
        }
        const newEdges = change.edges ?? [];
        if (newEdges.length > 0) {
          const natural = newEdges.map(identityEdgeKey);
          await client.query(
            `INSERT INTO ${edges} (low, high, observation_id, a_kind, a_value, b_kind, b_value, source, at)
             SELECT low, high, observation_id, a_kind, a_value, b_kind, b_value, source, at
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
               $8::text[], $9::bigint[]) WITH ORDINALITY
               AS t(low, high, observation_id, a_kind, a_value, b_kind, b_value, source, at, n)
             ORDER BY n
             ON CONFLICT DO NOTHING`,
            [
              natural.map((k) => k.low),
              natural.map((k) => k.high),
              natural.map((k) => k.observationId),
              newEdges.map((e) => e.a.kind),
              newEdges.map((e) => e.a.value),
              newEdges.map((e) => e.b.kind),
              newEdges.map((e) => e.b.value),
              newEdges.map((e) => e.evidence.source),
              newEdges.map((e) => e.evidence.at),
            ],
          );
        }
        for (const refusal of change.refusals ?? []) {
          const inserted = await client.query(
            `INSERT INTO ${refusals} (refusal_key, data) VALUES ($1, $2::json)
             ON CONFLICT (refusal_key) DO NOTHING RETURNING id`,
            [mergeRefusalKey(refusal), JSON.stringify(refusal)],
          );
          const id = inserted.rows[0]?.id;
          if (id === undefined) continue;
          await client.query(
            `INSERT INTO ${refusalPersons} (person_id, refusal_id)
             SELECT DISTINCT person_id, $2::bigint FROM unnest($1::text[]) AS t(person_id)`,
            [refusal.personIds, id],
          );
          await client.query(
            `INSERT INTO ${refusalKeys} (key_id, refusal_id)
             SELECT DISTINCT key_id, $2::bigint FROM unnest($1::text[]) AS t(key_id)`,
            [refusal.keys.map(identityKeyId), id],
          );
        }
      });
    },
    async forgetKeys(forgotten) {
      if (forgotten.length === 0) return;
      const ids = forgotten.map(identityKeyId);
      await inTransaction(pool, async (client) => {
        await client.query(`DELETE FROM ${keys} WHERE key_id = ANY($1::text[])`, [ids]);
        await client.query(
          `DELETE FROM ${edges} WHERE low = ANY($1::text[]) OR high = ANY($1::text[])`,
          [ids],
        );
        // Refusals naming a forgotten key go too; their person and key links cascade.
        await client.query(
          `DELETE FROM ${refusals} WHERE id IN (SELECT refusal_id FROM ${refusalKeys} WHERE key_id = ANY($1::text[]))`,
          [ids],
        );
      });
    },
  };
}
