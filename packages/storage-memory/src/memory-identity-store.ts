import {
  type IdentityChange,
  type IdentityEdge,
  type IdentityKey,
  type IdentityKeyRecord,
  type IdentityStore,
  identityKeyId,
  type MergeRefusal,
  mergeRefusalKey,
  type PersonRecord,
} from "@revtrace/core";

const edgeId = (edge: IdentityEdge) =>
  [identityKeyId(edge.a), identityKeyId(edge.b)]
    .sort()
    .concat(edge.evidence.observationId)
    .join("\u0000");

/** The identity graph in maps: keys by `kind:value`, edges indexed by both keys. */
export function createMemoryIdentityStore(): IdentityStore {
  const keys = new Map<string, IdentityKeyRecord>();
  const persons = new Map<string, PersonRecord>();
  const edges = new Map<string, IdentityEdge>();
  const edgesByKey = new Map<string, Set<string>>();
  const keysByPerson = new Map<string, Set<string>>();
  const refusals = new Map<string, MergeRefusal>();

  const unassign = (k: string) => {
    const previous = keys.get(k);
    if (previous) keysByPerson.get(previous.personId)?.delete(k);
  };

  const index = (key: IdentityKey, id: string) => {
    const k = identityKeyId(key);
    const set = edgesByKey.get(k) ?? new Set<string>();
    edgesByKey.set(k, set);
    set.add(id);
  };

  return {
    async findKeys(wanted) {
      const out: IdentityKeyRecord[] = [];
      for (const k of new Set(wanted.map(identityKeyId))) {
        const record = keys.get(k);
        if (record) out.push(structuredClone(record));
      }
      return out;
    },
    async getPerson(id) {
      const person = persons.get(id);
      return person ? { ...person } : null;
    },
    async listPersonKeys(personId) {
      const out: IdentityKeyRecord[] = [];
      for (const k of keysByPerson.get(personId) ?? [])
        out.push(structuredClone(keys.get(k) as IdentityKeyRecord));
      return out;
    },
    async listEdges(wanted) {
      const ids = new Set<string>();
      for (const key of wanted)
        for (const id of edgesByKey.get(identityKeyId(key)) ?? []) ids.add(id);
      return [...ids].map((id) => structuredClone(edges.get(id) as IdentityEdge));
    },
    async listRefusals(personId) {
      return [...refusals.values()]
        .filter((r) => r.personIds.includes(personId))
        .map((r) => structuredClone(r));
    },
    async applyIdentityChange(change: IdentityChange) {
      for (const person of change.persons ?? []) persons.set(person.id, structuredClone(person));
      for (const record of change.keys ?? []) {
        const k = identityKeyId(record.key);
        unassign(k);
        keys.set(k, structuredClone(record));
        const set = keysByPerson.get(record.personId) ?? new Set<string>();
        keysByPerson.set(record.personId, set);
        set.add(k);
      }
      for (const edge of change.edges ?? []) {
        const id = edgeId(edge);
        if (edges.has(id)) continue;
        edges.set(id, structuredClone(edge));
        index(edge.a, id);
        index(edge.b, id);
      }
      for (const refusal of change.refusals ?? []) {
        const id = mergeRefusalKey(refusal);
        if (!refusals.has(id)) refusals.set(id, structuredClone(refusal));
      }
    },
    async forgetKeys(forgotten) {
      for (const key of forgotten) {
        const k = identityKeyId(key);
        unassign(k);
        keys.delete(k);
        for (const id of edgesByKey.get(k) ?? []) {
          const edge = edges.get(id);
          if (!edge) continue;
          edges.delete(id);
          const other = identityKeyId(edge.a) === k ? edge.b : edge.a;
          edgesByKey.get(identityKeyId(other))?.delete(id);
        }
        edgesByKey.delete(k);
        for (const [id, refusal] of refusals) {
          if (refusal.keys.some((rk) => identityKeyId(rk) === k)) refusals.delete(id);
        }
      }
    },
  };
}
