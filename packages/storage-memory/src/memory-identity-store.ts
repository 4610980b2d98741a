import {
  type IdentityChange,
  type IdentityEdge,
  type IdentityEvidence,
  type IdentityKey,
  type IdentityKeyRecord,
  type IdentityStore,
  identityKeyId,
  type MergeRefusal,
  mergeRefusalKey,
  type PersonRecord,
} from "@revtrace/core";

// Exact copies of the record shapes (strings are immutable and shared), so that neither the caller
// nor the store can change the other's objects. Far cheaper than `structuredClone`.
const copyKey = (key: IdentityKey): IdentityKey => ({ kind: key.kind, value: key.value });
const copyEvidence = (evidence: IdentityEvidence): IdentityEvidence => ({
  source: evidence.source,
  observationId: evidence.observationId,
  at: evidence.at,
});
const copyRecord = (record: IdentityKeyRecord): IdentityKeyRecord => ({
  key: copyKey(record.key),
  personId: record.personId,
  firstSeenAt: record.firstSeenAt,
});
const copyPerson = (person: PersonRecord): PersonRecord => ({
  id: person.id,
  createdAt: person.createdAt,
  mergedInto: person.mergedInto,
  mergedAt: person.mergedAt,
});
const copyRefusal = (refusal: MergeRefusal): MergeRefusal => ({
  personIds: [...refusal.personIds],
  keys: refusal.keys.map(copyKey),
  reason: refusal.reason,
  evidence: copyEvidence(refusal.evidence),
});

/** Everything stored about one key: its record and its edges. */
interface KeyEntry {
  /** The store's own copy, shared by the record and the edges (never handed out). */
  key: IdentityKey;
  record: IdentityKeyRecord | null;
  /** Its edges, oldest first (an array: most keys have a few, and a `Set` costs more memory). */
  edges: StoredEdge[];
}

/** A stored edge. Edges of one observation often share one evidence copy. */
interface StoredEdge {
  a: KeyEntry;
  b: KeyEntry;
  evidence: IdentityEvidence;
  /** The `listEdges` call that listed it last (lists each edge once without a `Set`). */
  listed: number;
}

const copyEdge = (edge: StoredEdge): IdentityEdge => ({
  a: copyKey(edge.a.key),
  b: copyKey(edge.b.key),
  evidence: copyEvidence(edge.evidence),
});

/** The identity graph in maps: keys by kind, then value, each with its record and edges. */
export function createMemoryIdentityStore(): IdentityStore {
  // by kind, then value: no `kind:value` string to build and hash on every lookup
  const entries = new Map<string, Map<string, KeyEntry>>();
  const persons = new Map<string, PersonRecord>();
  const keysByPerson = new Map<string, Set<KeyEntry>>();
  const refusals = new Map<string, MergeRefusal>();
  let listings = 0;

  const find = (key: IdentityKey) => entries.get(key.kind)?.get(key.value);

  const entryOf = (key: IdentityKey) => {
    let ofKind = entries.get(key.kind);
    if (!ofKind) {
      ofKind = new Map();
      entries.set(key.kind, ofKind);
    }
    let entry = ofKind.get(key.value);
    if (!entry) {
      entry = { key: copyKey(key), record: null, edges: [] };
      ofKind.set(key.value, entry);
    }
    return entry;
  };

  const drop = (entry: KeyEntry) => entries.get(entry.key.kind)?.delete(entry.key.value);

  const unassign = (entry: KeyEntry) => {
    if (entry.record) keysByPerson.get(entry.record.personId)?.delete(entry);
  };

  /** The stored edge of `a` and `b` (either order) in that observation: one edge per pair and id. */
  const storedEdge = (a: KeyEntry, b: KeyEntry, observationId: string) => {
    // the key with fewer edges has the edge too, if it exists
    const few = a.edges.length <= b.edges.length ? a : b;
    const other = few === a ? b : a;
    for (const edge of few.edges) {
      if (
        edge.evidence.observationId === observationId &&
        ((edge.a === few && edge.b === other) || (edge.a === other && edge.b === few))
      )
        return edge;
    }
    return undefined;
  };

  /** Removes `edge` from the edge list of `entry`. */
  const detach = (entry: KeyEntry, edge: StoredEdge) => {
    const at = entry.edges.indexOf(edge);
    if (at >= 0) entry.edges.splice(at, 1);
  };

  return {
    async findKeys(wanted) {
      const out: IdentityKeyRecord[] = [];
      const seen = new Set<KeyEntry>();
      for (const key of wanted) {
        const entry = find(key);
        if (!entry?.record || seen.has(entry)) continue;
        seen.add(entry);
        out.push(copyRecord(entry.record));
      }
      return out;
    },
    async getPerson(id) {
      const person = persons.get(id);
      return person ? copyPerson(person) : null;
    },
    async listPersonKeys(personId) {
      const out: IdentityKeyRecord[] = [];
      for (const entry of keysByPerson.get(personId) ?? [])
        out.push(copyRecord(entry.record as IdentityKeyRecord));
      return out;
    },
    async listEdges(wanted) {
      const call = ++listings;
      const out: IdentityEdge[] = [];
      for (const key of wanted) {
        for (const edge of find(key)?.edges ?? []) {
          if (edge.listed === call) continue;
          edge.listed = call;
          out.push(copyEdge(edge));
        }
      }
      return out;
    },
    async listRefusals(personId) {
      const out: MergeRefusal[] = [];
      for (const refusal of refusals.values())
        if (refusal.personIds.includes(personId)) out.push(copyRefusal(refusal));
      return out;
    },
    async applyIdentityChange(change: IdentityChange) {
      for (const person of change.persons ?? []) persons.set(person.id, copyPerson(person));
      for (const record of change.keys ?? []) {
        const entry = entryOf(record.key);
        unassign(entry);
        entry.record = {
          key: entry.key,
          personId: record.personId,
          firstSeenAt: record.firstSeenAt,
        };
        let set = keysByPerson.get(record.personId);
        if (!set) {
          set = new Set<KeyEntry>();
          keysByPerson.set(record.personId, set);
        }
        set.add(entry);
      }
      // the edges of one observation usually share their evidence object: one copy for them all
      let lastEvidence: IdentityEvidence | undefined;
      let lastCopy: IdentityEvidence | undefined;
      for (const edge of change.edges ?? []) {
        const a = entryOf(edge.a);
        const b = entryOf(edge.b);
        const { observationId } = edge.evidence;
        if (storedEdge(a, b, observationId)) continue;
        if (edge.evidence !== lastEvidence || !lastCopy) {
          lastEvidence = edge.evidence;
          lastCopy = copyEvidence(edge.evidence);
        }
        const stored: StoredEdge = { a, b, evidence: lastCopy, listed: 0 };
        a.edges.push(stored);
        if (b !== a) b.edges.push(stored);
      }
      for (const refusal of change.refusals ?? []) {
        const id = mergeRefusalKey(refusal);
        if (!refusals.has(id)) refusals.set(id, copyRefusal(refusal));
      }
    },
    async forgetKeys(forgotten) {
      for (const key of forgotten) {
        const k = identityKeyId(key);
        const entry = find(key);
        if (entry) {
          unassign(entry);
          for (const edge of entry.edges) {
            const other: KeyEntry = edge.a === entry ? edge.b : edge.a;
            if (other === entry) continue;
            detach(other, edge);
            // a key left with neither record nor edge is no longer stored
            if (!other.record && other.edges.length === 0) drop(other);
          }
          drop(entry);
        }
        for (const [id, refusal] of refusals) {
          if (refusal.keys.some((rk) => identityKeyId(rk) === k)) refusals.delete(id);
        }
      }
    },
  };
}
