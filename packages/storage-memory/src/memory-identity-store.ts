import {
  type IdentityChange,
  type IdentityEdge,
  type IdentityEvidence,
  type IdentityKey,
  type IdentityKeyRecord,
  type IdentityStore,
  identityKeyId,
  type LinkState,
  type LinkStateKey,
  type LinkStatePerson,
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
  /**
   * Its edges by observation time, in insertion order within one time (an array: most keys have a
   * few, and a `Set` costs more memory).
   */
  edges: StoredEdge[];
  /** Its edges by observation id, built for keys with many edges once asked (`listObservationEdges`). */
  byObservation?: Map<string, StoredEdge[]>;
}

/** Keys with more edges than this get a `byObservation` index when asked by observation id. */
const INDEX_FROM = 32;

/** The index of the first edge of `edges` observed after `at` (edges are ordered by time). */
function firstAfter(edges: readonly StoredEdge[], at: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as StoredEdge).evidence.at <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds `edge` to the edges of `entry`, after every edge observed at or before its time. */
function attach(entry: KeyEntry, edge: StoredEdge): void {
  const { edges } = entry;
  const last = edges[edges.length - 1];
  if (!last || last.evidence.at <= edge.evidence.at) edges.push(edge);
  else edges.splice(firstAfter(edges, edge.evidence.at), 0, edge);
  if (entry.byObservation) {
    const id = edge.evidence.observationId;
    const list = entry.byObservation.get(id);
    if (list) list.push(edge);
    else entry.byObservation.set(id, [edge]);
  }
}

/** A person id's record (once written) and keys (once one is assigned to it). */
interface PersonSlot {
  record: PersonRecord | null;
  members: Set<KeyEntry> | null;
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
  // A person's record and its keys in one entry: one lookup (and one insert) where two maps took two.
  const persons = new Map<string, PersonSlot>();
  const slotOf = (id: string) => {
    let slot = persons.get(id);
    if (!slot) {
      slot = { record: null, members: null };
      persons.set(id, slot);
    }
    return slot;
  };
  const refusals = new Map<string, MergeRefusal>();
  let listings = 0;
  /**
   * The rules tag every identity write so far carried (`undefined`: nothing written yet; `null`: a
   * write without a tag, or with another one). `readLinkState` answers only for this tag.
   */
  let rulesTag: string | null | undefined;
  const noteWriter = (tag: string | undefined) => {
    if (tag === undefined) rulesTag = null;
    else if (rulesTag === undefined) rulesTag = tag;
    else if (rulesTag !== tag) rulesTag = null;
  };

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
    if (entry.record) persons.get(entry.record.personId)?.members?.delete(entry);
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

  /** Gives a key with many edges its `byObservation` index (once). */
  const indexByObservation = (entry: KeyEntry) => {
    if (entry.edges.length <= INDEX_FROM || entry.byObservation) return;
    const index = new Map<string, StoredEdge[]>();
    for (const edge of entry.edges) {
      const list = index.get(edge.evidence.observationId);
      if (list) list.push(edge);
      else index.set(edge.evidence.observationId, [edge]);
    }
    entry.byObservation = index;
  };

  /** Removes `edge` from the edge list of `entry`. */
  const detach = (entry: KeyEntry, edge: StoredEdge) => {
    const at = entry.edges.indexOf(edge);
    if (at >= 0) entry.edges.splice(at, 1);
    const list = entry.byObservation?.get(edge.evidence.observationId);
    if (list) {
      const i = list.indexOf(edge);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) entry.byObservation?.delete(edge.evidence.observationId);
    }
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
      const person = persons.get(id)?.record;
      return person ? copyPerson(person) : null;
    },
    async listPersonKeys(personId) {
      const out: IdentityKeyRecord[] = [];
      for (const entry of persons.get(personId)?.members ?? [])
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
    async listEarliestEdges(key, { times, after }) {
      const edges = find(key)?.edges ?? [];
      const out: IdentityEdge[] = [];
      let seen = 0;
      let last = Number.NaN;
      for (let i = after === undefined ? 0 : firstAfter(edges, after); i < edges.length; i++) {
        const edge = edges[i] as StoredEdge;
        if (edge.evidence.at !== last) {
          if (seen === times) break;
          seen++;
          last = edge.evidence.at;
        }
        out.push(copyEdge(edge));
      }
      return out;
    },
    async listObservationEdges(wanted, observationIds) {
      const call = ++listings;
      const out: IdentityEdge[] = [];
      const ids = new Set(observationIds);
      for (const key of wanted) {
        const entry = find(key);
        if (!entry) continue;
        indexByObservation(entry);
        const pick = (edge: StoredEdge) => {
          if (edge.listed === call || !ids.has(edge.evidence.observationId)) return;
          edge.listed = call;
          out.push(copyEdge(edge));
        };
        if (entry.byObservation)
          for (const id of ids) for (const edge of entry.byObservation.get(id) ?? []) pick(edge);
        else for (const edge of entry.edges) pick(edge);
      }
      return out;
    },
    async readLinkState(wanted, query): Promise<LinkState | null> {
      if (rulesTag === null || (rulesTag !== undefined && rulesTag !== query.rules)) return null;
      const { observationId, neighboursFrom, maxKeys } = query;
      const keys: LinkStateKey[] = [];
      const found: LinkStatePerson[] = [];
      const personIds: string[] = [];
      let keyCount = 0;
      for (let i = 0; i < wanted.length; i++) {
        const entry = find(wanted[i] as IdentityKey);
        if (!entry) {
          keys.push({ record: null, edges: 0, neighbours: null, seen: false });
          continue;
        }
        const { edges } = entry;
        let neighbours: IdentityKey[] | null = null;
        if (edges.length >= (neighboursFrom[i] ?? Number.POSITIVE_INFINITY)) {
          neighbours = [];
          for (const edge of edges)
            neighbours.push(copyKey((edge.a === entry ? edge.b : edge.a).key));
        }
        let seen = false;
        indexByObservation(entry);
        if (entry.byObservation) seen = entry.byObservation.has(observationId);
        else
          for (const edge of edges)
            if (edge.evidence.observationId === observationId) {
              seen = true;
              break;
            }
        const record = entry.record;
        keys.push({
          record: record ? copyRecord(record) : null,
          edges: edges.length,
          neighbours,
          seen,
        });
        if (!record || personIds.includes(record.personId)) continue;
        const slot = persons.get(record.personId);
        const person = slot?.record;
        const members = slot?.members;
        if (!person || !members) return null;
        keyCount += members.size;
        if (keyCount > maxKeys) return null;
        personIds.push(record.personId);
        const out: IdentityKeyRecord[] = [];
        for (const member of members) out.push(copyRecord(member.record as IdentityKeyRecord));
        found.push({ person: copyPerson(person), keys: out });
      }
      // the latest time among the persons' edges: each key's edges are ordered by time
      let latestAt = Number.NEGATIVE_INFINITY;
      const latest: IdentityEvidence[] = [];
      for (const id of personIds) {
        for (const member of (persons.get(id) as PersonSlot).members as Set<KeyEntry>) {
          const { edges } = member;
          for (let j = edges.length - 1; j >= 0; j--) {
            const evidence = (edges[j] as StoredEdge).evidence;
            if (evidence.at < latestAt) break;
            if (evidence.at > latestAt) {
              latestAt = evidence.at;
              latest.length = 0;
            }
            if (
              !latest.some(
                (e) => e.observationId === evidence.observationId && e.source === evidence.source,
              )
            )
              latest.push(evidence);
          }
        }
      }
      return { keys, persons: found, latest: latest.map(copyEvidence) };
    },
    async listRefusals(personId) {
      const out: MergeRefusal[] = [];
      for (const refusal of refusals.values())
        if (refusal.personIds.includes(personId)) out.push(copyRefusal(refusal));
      return out;
    },
    async applyIdentityChange(change: IdentityChange) {
      noteWriter(change.rules);
      for (const person of change.persons ?? []) slotOf(person.id).record = copyPerson(person);
      for (const record of change.keys ?? []) {
        const entry = entryOf(record.key);
        unassign(entry);
        entry.record = {
          key: entry.key,
          personId: record.personId,
          firstSeenAt: record.firstSeenAt,
        };
        const slot = slotOf(record.personId);
        slot.members ??= new Set<KeyEntry>();
        slot.members.add(entry);
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
        attach(a, stored);
        if (b !== a) attach(b, stored);
      }
      for (const refusal of change.refusals ?? []) {
        const id = mergeRefusalKey(refusal);
        if (!refusals.has(id)) refusals.set(id, copyRefusal(refusal));
      }
    },
    async forgetKeys(forgotten, options) {
      noteWriter(options?.rules);
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
