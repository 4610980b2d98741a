/**
 * Loads, through the `IdentityStore` interface only, everything a replay of some keys needs: the raw
 * connected component around them (every edge, refused ones included), stopping at hubs and blocked
 * keys, which never merge and so never connect two persons.
 *
 * @module
 */
import {
  type IdentityEdge,
  type IdentityEvidence,
  type IdentityKey,
  type IdentityKeyKind,
  type IdentityStore,
  identityKeyId,
} from "@revtrace/core";
import { type GraphObservation, Mode } from "./identity-graph.js";
import type { KeyNormalizer } from "./key-normalizer.js";

const naturalId = (a: string, b: string, observationId: string) =>
  a < b ? `${a}\u0000${b}\u0000${observationId}` : `${b}\u0000${a}\u0000${observationId}`;

/** The stable identity of an edge, as stores deduplicate it: both keys (unordered) and the observation id. */
export function edgeId(edge: IdentityEdge): string {
  return naturalId(identityKeyId(edge.a), identityKeyId(edge.b), edge.evidence.observationId);
}

/** The group an edge belongs to: its observation (id and time). */
export const observationKey = (edge: IdentityEdge) =>
  `${edge.evidence.at}\u0000${edge.evidence.observationId}`;

/** An edge with its key ids and natural id computed once. */
interface LoadedEdge {
  edge: IdentityEdge;
  id: string;
  a: string;
  b: string;
  /** Not in the store yet (pending). */
  fresh: boolean;
}

/** What {@link loadComponent} found. */
export interface LoadedComponent {
  /** Every loaded key by id: the component and its inert leaves. */
  readonly keys: ReadonlyMap<string, IdentityKey>;
  /** How each loaded key merges (hubs and blocked keys are leaves). */
  readonly modes: ReadonlyMap<string, Mode>;
  /** The observations to replay, rebuilt from the edges. */
  readonly observations: GraphObservation[];
  /** Whether the store already holds an edge of this observation id touching a loaded key. */
  hasStoredObservation(observationId: string): boolean;
  /** Whether the store already holds this edge. */
  isStored(edge: IdentityEdge): boolean;
  /** Every loaded edge touching a loaded key. */
  edgesOf(keyId: string): IdentityEdge[];
  /** The same component as it was before the pending edges: its observations and modes. */
  withoutPending(): { observations: GraphObservation[]; modes: ReadonlyMap<string, Mode> };
}

/** Options of {@link loadComponent}. */
export interface LoadOptions {
  /** Ignore edges observed after this time. */
  until?: number | undefined;
  /** Edges about to be written (the observation being linked); they touch only the seeds. */
  pending?: readonly IdentityEdge[] | undefined;
}

const INERT: ReadonlySet<Mode> = new Set([Mode.Hub, Mode.Blocked]);

const loadedEdge = (edge: IdentityEdge, fresh: boolean): LoadedEdge => {
  const a = identityKeyId(edge.a);
  const b = identityKeyId(edge.b);
  return { edge, id: naturalId(a, b, edge.evidence.observationId), a, b, fresh };
};

/**
 * Breadth-first search from `seeds` over `store.listEdges`, one call per level. A key's mode comes from
 * today's rules and its complete edge list (hub degree); hubs and blocked keys are leaves: loaded, not
 * expanded.
 */
export async function loadComponent(
  store: IdentityStore,
  normalizer: KeyNormalizer,
  seeds: readonly IdentityKey[],
  options: LoadOptions = {},
): Promise<LoadedComponent> {
  const { until, pending = [] } = options;
  const rules = normalizer.rules;
  const counted = new Set<IdentityKeyKind>(rules.hubCountedKinds);
  const keys = new Map<string, IdentityKey>();
  const modes = new Map<string, Mode>();
  const edgesOf = new Map<string, LoadedEdge[]>();
  const storedIds = new Set<string>();
  const observationIds = new Set<string>();

  const modeFor = (keyId: string, key: IdentityKey, edges: readonly LoadedEdge[]): Mode => {
    const cls = normalizer.classify(key);
    if (cls === "blocked") return Mode.Blocked;
    const threshold = rules.kinds[key.kind].hubThreshold;
    if (threshold !== null && edges.length >= threshold) {
      const seen = new Map<IdentityKeyKind, Set<string>>();
      for (const e of edges) {
        const other = e.a === keyId ? e.edge.b : e.edge.a;
        const otherId = e.a === keyId ? e.b : e.a;
        if (!counted.has(other.kind) || otherId === keyId) continue;
        let set = seen.get(other.kind);
        if (!set) {
          set = new Set();
          seen.set(other.kind, set);
        }
        set.add(otherId);
        if (set.size >= threshold) return Mode.Hub;
      }
    }
    return cls === "merge" ? Mode.Merge : cls === "no_merge" ? Mode.NoMerge : Mode.Role;
  };

  const neighboursOf = (id: string) =>
    (edgesOf.get(id) ?? []).map((e) => (e.a === id ? e.edge.b : e.edge.a));

  let first = true;
  /** Loads keys level by level, expanding through every key that merges. */
  const expand = async (seedKeys: readonly IdentityKey[]) => {
    let frontier = seedKeys;
    while (frontier.length > 0) {
      const batch: IdentityKey[] = [];
      const batchIds: string[] = [];
      for (const key of frontier) {
        const id = identityKeyId(key);
        if (keys.has(id)) continue;
        keys.set(id, key);
        edgesOf.set(id, []);
        batch.push(key);
        batchIds.push(id);
      }
      if (batch.length === 0) break;
      const incoming = (await store.listEdges(batch)).map((edge) => loadedEdge(edge, false));
      for (const e of incoming) {
        storedIds.add(e.id);
        observationIds.add(e.edge.evidence.observationId);
      }
      if (first) {
        for (const edge of pending) {
          const e = loadedEdge(edge, true);
          if (!storedIds.has(e.id)) incoming.push(e);
        }
        first = false;
      }
      const inBatch = new Set(batchIds);
      for (const e of incoming) {
        if (until !== undefined && e.edge.evidence.at > until) continue;
        if (inBatch.has(e.a)) (edgesOf.get(e.a) as LoadedEdge[]).push(e);
        if (e.b !== e.a && inBatch.has(e.b)) (edgesOf.get(e.b) as LoadedEdge[]).push(e);
      }
      const next: IdentityKey[] = [];
      for (let q = 0; q < batch.length; q++) {
        const id = batchIds[q] as string;
        const mode = modeFor(id, batch[q] as IdentityKey, edgesOf.get(id) as LoadedEdge[]);
        modes.set(id, mode);
        if (INERT.has(mode)) continue;
        for (const other of neighboursOf(id)) if (!keys.has(identityKeyId(other))) next.push(other);
      }
      frontier = next;
    }
  };

  await expand(seeds);
  // A leaf (hub or blocked key) that the store still shows inside a larger person used to join it:
  // it just became inert (pending edges, or a rule change). That person's keys and the leaf's
  // neighbours are replayed too, so the person splits cleanly.
  const checked = new Set<string>();
  for (;;) {
    const leaves: IdentityKey[] = [];
    for (const [id, mode] of modes) {
      if (INERT.has(mode) && !checked.has(id)) {
        checked.add(id);
        leaves.push(keys.get(id) as IdentityKey);
      }
    }
    if (leaves.length === 0) break;
    const reseed: IdentityKey[] = [];
    for (const record of await store.findKeys(leaves)) {
      const members = await store.listPersonKeys(record.personId);
      if (members.length <= 1) continue;
      for (const member of members)
        if (!keys.has(identityKeyId(member.key))) reseed.push(member.key);
      for (const other of neighboursOf(identityKeyId(record.key))) {
        if (!keys.has(identityKeyId(other))) reseed.push(other);
      }
    }
    if (reseed.length === 0) break;
    await expand(reseed);
  }

  const withoutPending = () => {
    const before = new Map<string, LoadedEdge[]>();
    const modesBefore = new Map<string, Mode>();
    for (const [id, edges] of edgesOf) {
      const kept = edges.filter((e) => !e.fresh);
      before.set(id, kept);
      modesBefore.set(id, modeFor(id, keys.get(id) as IdentityKey, kept));
    }
    return { observations: buildObservations(modesBefore, before), modes: modesBefore };
  };

  return {
    keys,
    modes,
    observations: buildObservations(modes, edgesOf),
    hasStoredObservation: (observationId) => observationIds.has(observationId),
    isStored: (edge) => storedIds.has(edgeId(edge)),
    edgesOf: (keyId) => (edgesOf.get(keyId) ?? []).map((e) => e.edge),
    withoutPending,
  };
}

/**
 * Groups edges into observations: every observation with a component key, plus the founding (first)
 * observation of each leaf, which dates the leaf's own person.
 */
function buildObservations(
  modes: ReadonlyMap<string, Mode>,
  edgesOf: ReadonlyMap<string, readonly LoadedEdge[]>,
): GraphObservation[] {
  const groups = new Map<string, { keys: Map<string, IdentityKey>; edge: IdentityEdge }>();
  const add = (e: LoadedEdge) => {
    const gk = observationKey(e.edge);
    let group = groups.get(gk);
    if (!group) {
      group = { keys: new Map(), edge: e.edge };
      groups.set(gk, group);
    }
    group.keys.set(e.a, e.edge.a);
    group.keys.set(e.b, e.edge.b);
  };
  for (const [id, edges] of edgesOf) {
    const mode = modes.get(id) as Mode;
    if (!INERT.has(mode)) {
      for (const e of edges) add(e);
      continue;
    }
    let earliest: IdentityEvidence | undefined;
    for (const { edge } of edges) {
      const ev = edge.evidence;
      if (
        !earliest ||
        ev.at < earliest.at ||
        (ev.at === earliest.at && ev.observationId < earliest.observationId)
      )
        earliest = ev;
    }
    if (!earliest) continue;
    for (const e of edges) {
      const ev = e.edge.evidence;
      if (ev.at === earliest.at && ev.observationId === earliest.observationId) add(e);
    }
  }
  return [...groups.values()].map((group) => ({
    keys: [...group.keys.values()],
    evidence: {
      source: group.edge.evidence.source,
      observationId: group.edge.evidence.observationId,
      at: group.edge.evidence.at,
    },
  }));
}
