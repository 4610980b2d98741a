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
import { CLASS_MODE, type GraphObservation, hubMode, isHub, Mode } from "./identity-graph.js";
import type { IdentityRules } from "./identity-rules.js";
import type { KeyClass, KeyNormalizer } from "./key-normalizer.js";

const naturalId = (a: string, b: string, observationId: string) =>
  a < b ? `${a}\u0000${b}\u0000${observationId}` : `${b}\u0000${a}\u0000${observationId}`;

/** The stable identity of an edge, as stores deduplicate it: both keys (unordered) and the observation id. */
export function edgeId(edge: IdentityEdge): string {
  return naturalId(identityKeyId(edge.a), identityKeyId(edge.b), edge.evidence.observationId);
}

/** The evidence an edge belongs to: its observation's source, id and time. */
export const observationKey = (edge: IdentityEdge) =>
  `${edge.evidence.at}\u0000${edge.evidence.observationId}\u0000${edge.evidence.source}`;

/** Whether two evidences are the same observation's (source, id and time). */
export const sameEvidence = (x: IdentityEvidence, y: IdentityEvidence) =>
  x.at === y.at && x.observationId === y.observationId && x.source === y.source;

/** A loaded edge. */
export interface LoadedEdge {
  readonly edge: IdentityEdge;
  /** Not in the store yet (pending). */
  readonly fresh: boolean;
}

/** Values by key, by kind then value: no `kind:value` string to build and hash per lookup. */
class ByKey<T> {
  private readonly kinds = new Map<string, Map<string, T>>();

  get(key: IdentityKey): T | undefined {
    return this.kinds.get(key.kind)?.get(key.value);
  }

  set(key: IdentityKey, item: T): void {
    let values = this.kinds.get(key.kind);
    if (!values) {
      values = new Map();
      this.kinds.set(key.kind, values);
    }
    values.set(key.value, item);
  }
}

const sameKey = (x: IdentityKey, y: IdentityKey) => x.kind === y.kind && x.value === y.value;

/** A loaded key. */
export interface LoadedKey {
  readonly id: string;
  /** The one key object standing for this key in the loaded observations. */
  readonly key: IdentityKey;
  /** How it merges under today's rules and its complete edge list (hubs and blocked keys are leaves). */
  readonly mode: Mode;
  /** Every edge touching it. */
  readonly edges: readonly LoadedEdge[];
}

/** Observations to replay, and how their keys merge. */
export interface ReplayInput {
  /** Rebuilt from the edges; each key is one object throughout (see {@link LoadedKey.key}). */
  readonly observations: GraphObservation[];
  /** The mode of a key object of `observations`; keys outside the component are `Mode.Outside`. */
  modeOf(key: IdentityKey): Mode;
}

/** What {@link loadComponent} found. */
export interface LoadedComponent extends ReplayInput {
  /** Every loaded key by id, in load order: the component and its inert leaves. */
  readonly keys: ReadonlyMap<string, LoadedKey>;
  /** Whether the store already holds an edge of this observation id touching a loaded key. */
  hasStoredObservation(observationId: string): boolean;
  /** Whether the store already holds this edge (same keys, same observation id). */
  isStored(edge: IdentityEdge): boolean;
  /** Every loaded edge touching a loaded key. */
  edgesOf(keyId: string): IdentityEdge[];
  /** The same component as it was before the pending edges. */
  withoutPending(): ReplayInput;
}

/** Options of {@link loadComponent}. */
export interface LoadOptions {
  /** Ignore edges observed after this time. */
  until?: number | undefined;
  /** Edges about to be written (the observation being linked); they touch only the seeds. */
  pending?: readonly IdentityEdge[] | undefined;
}

const isInert = (mode: Mode) => isHub(mode) || mode === Mode.Blocked;

/** A loaded key while loading (its mode is set once its edges are complete). */
interface Entry {
  id: string;
  key: IdentityKey;
  mode: Mode;
  edges: LoadedEdge[];
  /** The search level that loaded it. */
  level: number;
  /**
   * A follower (see {@link isFollower}): only some of its edges are loaded, its earliest times up to
   * `loadedUntil` (and the pending observations' edges). `exhausted` once every time is loaded.
   */
  follower?: { loadedUntil: number; exhausted: boolean; ids: Set<string> };
}

/** Distinct times of a follower's edges read per page. */
const FOLLOWER_PAGE = 1;

const sameEdge = (e: LoadedEdge, edge: IdentityEdge) =>
  e.edge.evidence.observationId === edge.evidence.observationId &&
  ((sameKey(e.edge.a, edge.a) && sameKey(e.edge.b, edge.b)) ||
    (sameKey(e.edge.a, edge.b) && sameKey(e.edge.b, edge.a)));

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
  const loader = new Loader(store, normalizer, options);
  await loader.load(seeds);
  return new Component(loader);
}

/** The follower's state of an entry (see {@link Loader.isFollower}). */
type FollowerState = NonNullable<Entry["follower"]>;

/**
 * One search (a class, so that a load allocates no closures). See {@link loadComponent}.
 */
class Loader {
  readonly rules: IdentityRules;
  readonly counted: ReadonlySet<IdentityKeyKind>;
  readonly until: number | undefined;
  readonly pending: readonly IdentityEdge[];
  /** Loaded keys by id, in load order. */
  readonly entries = new Map<string, Entry>();
  readonly byKey = new ByKey<Entry>();
  /** Every stored edge the searches returned. */
  readonly stored: LoadedEdge[] = [];
  /** The stored edges of the pending edges' observations, by observation id. */
  readonly storedPending = new Map<string, LoadedEdge[]>();
  readonly pendingIds: string[];
  readonly followers: Entry[] = [];
  level = 0;

  constructor(
    readonly store: IdentityStore,
    readonly normalizer: KeyNormalizer,
    options: LoadOptions,
  ) {
    this.rules = normalizer.rules;
    this.counted = countedKinds(this.rules);
    this.until = options.until;
    this.pending = options.pending ?? [];
    for (const edge of this.pending) this.storedPending.set(edge.evidence.observationId, []);
    this.pendingIds = [...this.storedPending.keys()];
  }

  /**
   * A key that never merges (`no_merge` kind, not a role mailbox), with no limit and no hub
   * threshold: its mode does not depend on its edges, and it only joins the person of its first
   * observation holding a merging key (its home). Its other observations only add refusals, which
   * are already logged. So a follower is a leaf whose earliest observations are read up to its home
   * (page by page), with the pending observations' edges: the customers of a partner's ref are not
   * all read on every link.
   */
  isFollower(key: IdentityKey): boolean {
    const rule = this.rules.kinds[key.kind];
    return (
      rule.merge === "no_merge" &&
      rule.limit === null &&
      rule.hubThreshold === null &&
      rule.anonymousIdHubThreshold === null &&
      this.normalizer.classify(key) === "no_merge"
    );
  }

  /** Reads the next page of a follower's earliest edges (complete times only). */
  async nextPage(entry: Entry): Promise<IdentityEdge[]> {
    const { store, until } = this;
    const f = entry.follower as FollowerState;
    const after = Number.isFinite(f.loadedUntil) ? f.loadedUntil : undefined;
    let page: IdentityEdge[];
    if (store.listEarliestEdges) {
      page = await store.listEarliestEdges(entry.key, { times: FOLLOWER_PAGE, after });
    } else {
      const all = await store.listEdges([entry.key]);
      const times = [...new Set(all.map((e) => e.evidence.at))]
        .filter((t) => after === undefined || t > after)
        .sort((x, y) => x - y)
        .slice(0, FOLLOWER_PAGE);
      const last = times[times.length - 1];
      page =
        last === undefined
          ? []
          : all.filter(
              (e) => e.evidence.at <= last && (after === undefined || e.evidence.at > after),
            );
    }
    let max = f.loadedUntil;
    for (const edge of page) if (edge.evidence.at > max) max = edge.evidence.at;
    if (page.length === 0 || (until !== undefined && max > until)) f.exhausted = true;
    f.loadedUntil = page.length === 0 ? Number.POSITIVE_INFINITY : max;
    return page;
  }

  /** The stored edges of the pending observations that touch the given followers. */
  async pendingEdgesOf(keys: readonly IdentityKey[]): Promise<IdentityEdge[]> {
    const { store, pendingIds } = this;
    if (pendingIds.length === 0 || keys.length === 0) return [];
    if (store.listObservationEdges) return store.listObservationEdges(keys, pendingIds);
    const ids = new Set(pendingIds);
    return (await store.listEdges(keys)).filter((e) => ids.has(e.evidence.observationId));
  }

  /** Adds a stored edge to a follower's edges once (several reads may return it). */
  addToFollower(entry: Entry, edge: IdentityEdge): LoadedEdge | null {
    const f = entry.follower as FollowerState;
    const id = edgeId(edge);
    if (f.ids.has(id)) return null;
    f.ids.add(id);
    const e: LoadedEdge = { edge, fresh: false };
    this.stored.push(e);
    this.storedPending.get(edge.evidence.observationId)?.push(e);
    if (this.until === undefined || edge.evidence.at <= this.until) entry.edges.push(e);
    return e;
  }

  /** Whether a follower's loaded pages hold its home: a stored observation with a merging key. */
  homeLoaded(entry: Entry): boolean {
    const { loadedUntil } = entry.follower as FollowerState;
    for (const { edge, fresh } of entry.edges) {
      // only the pages count: a stored edge of the pending observation (a repeat) may be later
      if (fresh || edge.evidence.at > loadedUntil) continue;
      const other = sameKey(edge.a, entry.key) ? edge.b : edge.a;
      if (this.byKey.get(other)?.mode === Mode.Merge) return true;
    }
    return false;
  }

  modeFor(key: IdentityKey, edges: readonly LoadedEdge[]): Mode {
    return modeOfKey(this.normalizer, this.counted, key, edges);
  }

  /** Loads keys level by level, expanding through every key that merges. */
  async expand(seedKeys: readonly IdentityKey[]): Promise<void> {
    const { store, byKey, entries, stored, storedPending, until, pending } = this;
    let frontier = seedKeys;
    while (frontier.length > 0) {
      const level = ++this.level;
      const batch: Entry[] = [];
      const batchKeys: IdentityKey[] = [];
      let newFollowers: Entry[] | undefined;
      for (const key of frontier) {
        if (byKey.get(key)) continue;
        const entry: Entry = { id: identityKeyId(key), key, mode: Mode.Merge, edges: [], level };
        entries.set(entry.id, entry);
        byKey.set(key, entry);
        batch.push(entry);
        if (this.isFollower(key)) {
          entry.follower = {
            loadedUntil: Number.NEGATIVE_INFINITY,
            exhausted: false,
            ids: new Set(),
          };
          newFollowers ??= [];
          newFollowers.push(entry);
        } else batchKeys.push(key);
      }
      if (batch.length === 0) break;
      const incoming: LoadedEdge[] = [];
      let listed: IdentityEdge[];
      if (newFollowers === undefined) {
        listed = batchKeys.length > 0 ? await store.listEdges(batchKeys) : [];
      } else {
        const [edges, ...pages] = await Promise.all([
          batchKeys.length > 0 ? store.listEdges(batchKeys) : [],
          ...newFollowers.map((entry) => this.nextPage(entry)),
        ]);
        listed = edges as IdentityEdge[];
        // a follower without any stored edge (a new key) has none of the pending observations either
        const withEdges: IdentityKey[] = [];
        newFollowers.forEach((entry, i) => {
          if ((pages[i] as IdentityEdge[]).length > 0) withEdges.push(entry.key);
        });
        // a follower's edges are its own reads (and, below, the pending edges)
        for (const edge of await this.pendingEdgesOf(withEdges)) {
          for (const key of [edge.a, edge.b]) {
            const entry = byKey.get(key);
            if (entry?.level === level && entry.follower) this.addToFollower(entry, edge);
          }
        }
        newFollowers.forEach((entry, i) => {
          for (const edge of pages[i] as IdentityEdge[]) this.addToFollower(entry, edge);
        });
        this.followers.push(...newFollowers);
      }
      for (const edge of listed) {
        const e: LoadedEdge = { edge, fresh: false };
        incoming.push(e);
        stored.push(e);
        storedPending.get(edge.evidence.observationId)?.push(e);
      }
      if (level === 1) {
        for (const edge of pending) {
          const same = storedPending.get(edge.evidence.observationId) as LoadedEdge[];
          if (!same.some((e) => sameEdge(e, edge))) incoming.push({ edge, fresh: true });
        }
      }
      for (const e of incoming) {
        if (until !== undefined && e.edge.evidence.at > until) continue;
        const ea = byKey.get(e.edge.a);
        if (ea?.level === level && (!ea.follower || e.fresh)) ea.edges.push(e);
        if (!sameKey(e.edge.a, e.edge.b)) {
          const eb = byKey.get(e.edge.b);
          if (eb?.level === level && (!eb.follower || e.fresh)) eb.edges.push(e);
        }
      }
      const next: IdentityKey[] = [];
      for (const entry of batch) {
        entry.mode = entry.follower ? Mode.NoMerge : this.modeFor(entry.key, entry.edges);
        if (isInert(entry.mode)) continue;
        for (const { edge } of entry.edges) {
          const other = sameKey(edge.a, entry.key) ? edge.b : edge.a;
          if (!byKey.get(other)) next.push(other);
        }
      }
      frontier = next;
    }
  }

  /** Expands from `keys`, then reads followers' next pages until each one's home is loaded. */
  async expandAll(keys: readonly IdentityKey[]): Promise<void> {
    await this.expand(keys);
    if (this.followers.length === 0) return;
    for (;;) {
      const short = this.followers.filter(
        (f) => !(f.follower as FollowerState).exhausted && !this.homeLoaded(f),
      );
      if (short.length === 0) break;
      const next: IdentityKey[] = [];
      const pages = await Promise.all(short.map((entry) => this.nextPage(entry)));
      short.forEach((entry, i) => {
        for (const edge of pages[i] as IdentityEdge[]) {
          const e = this.addToFollower(entry, edge);
          if (!e) continue;
          const other = sameKey(edge.a, entry.key) ? edge.b : edge.a;
          if (!this.byKey.get(other)) next.push(other);
        }
      });
      await this.expand(next);
    }
  }

  async load(seeds: readonly IdentityKey[]): Promise<void> {
    const { store, byKey, entries } = this;
    await this.expandAll(seeds);
    // A leaf (hub or blocked key) that the store still shows inside a larger person used to join it:
    // it just became inert (pending edges, or a rule change). That person's keys and the leaf's
    // neighbours are replayed too, so the person splits cleanly.
    const checked = new Set<string>();
    for (;;) {
      const leaves: IdentityKey[] = [];
      for (const entry of entries.values()) {
        if (isInert(entry.mode) && !checked.has(entry.id)) {
          checked.add(entry.id);
          leaves.push(entry.key);
        }
      }
      if (leaves.length === 0) break;
      const reseed: IdentityKey[] = [];
      // A leaf that the pending edges just made a hub: every key seen with it is replayed too (a
      // merge it took part in, or one refused because of it, may now come out differently). Once
      // per hub.
      for (const key of leaves) {
        const entry = byKey.get(key) as Entry;
        if (!entry.edges.some((e) => e.fresh)) continue;
        if (
          isInert(
            this.modeFor(
              key,
              entry.edges.filter((e) => !e.fresh),
            ),
          )
        )
          continue;
        for (const { edge } of entry.edges) {
          const other = sameKey(edge.a, key) ? edge.b : edge.a;
          if (!byKey.get(other)) reseed.push(other);
        }
      }
      for (const record of await store.findKeys(leaves)) {
        const members = await store.listPersonKeys(record.personId);
        if (members.length <= 1) continue;
        for (const member of members) if (!byKey.get(member.key)) reseed.push(member.key);
        for (const { edge } of byKey.get(record.key)?.edges ?? []) {
          const other = sameKey(edge.a, record.key) ? edge.b : edge.a;
          if (!byKey.get(other)) reseed.push(other);
        }
      }
      if (reseed.length === 0) break;
      await this.expandAll(reseed);
    }
  }
}

/** The kinds counted towards `hubThreshold`, as a set, once per rules object. */
const countedCache = new WeakMap<IdentityRules, ReadonlySet<IdentityKeyKind>>();
export function countedKinds(rules: IdentityRules): ReadonlySet<IdentityKeyKind> {
  let set = countedCache.get(rules);
  if (!set) {
    set = new Set(rules.hubCountedKinds);
    countedCache.set(rules, set);
  }
  return set;
}

/** How a loaded key merges under today's rules and its complete edge list (hub degree). */
function modeOfKey(
  normalizer: KeyNormalizer,
  counted: ReadonlySet<IdentityKeyKind>,
  key: IdentityKey,
  edges: readonly LoadedEdge[],
): Mode {
  const cls = normalizer.classify(key);
  if (edges.length < hubFloor(normalizer.rules, key.kind)) return CLASS_MODE[cls];
  const others = edges.map(({ edge }) => (sameKey(edge.a, key) ? edge.b : edge.a));
  return modeOfNeighbours(normalizer.rules, counted, key, cls, others);
}

/** The fewest edges with which a key of `kind` can be a hub (`Infinity`: never). */
export function hubFloor(rules: IdentityRules, kind: IdentityKeyKind): number {
  const rule = rules.kinds[kind];
  return Math.min(
    rule.hubThreshold ?? Number.POSITIVE_INFINITY,
    rule.anonymousIdHubThreshold ?? Number.POSITIVE_INFINITY,
  );
}

/**
 * How a key of class `cls` merges under `rules`, from its complete edge list given as `others`, the
 * other key of each edge (the key itself for a self-edge): a hub by distinct neighbours of one
 * counted kind, or by distinct anonymous ids.
 */
export function modeOfNeighbours(
  rules: IdentityRules,
  counted: ReadonlySet<IdentityKeyKind>,
  key: IdentityKey,
  cls: KeyClass,
  others: readonly IdentityKey[],
): Mode {
  if (cls === "blocked") return Mode.Blocked;
  const rule = rules.kinds[key.kind];
  const threshold = rule.hubThreshold ?? Number.POSITIVE_INFINITY;
  const visitorThreshold = rule.anonymousIdHubThreshold ?? Number.POSITIVE_INFINITY;
  if (others.length >= Math.min(threshold, visitorThreshold)) {
    // distinct neighbours per counted kind (by value: the kind is the set's), and anonymous ids
    const seen = new Map<IdentityKeyKind, Set<string>>();
    let byPersons = false;
    let byVisitors = false;
    for (const other of others) {
      const isCounted = counted.has(other.kind);
      const isVisitor = other.kind === "anonymous_id";
      if ((!isCounted && !isVisitor) || sameKey(other, key)) continue;
      let set = seen.get(other.kind);
      if (!set) {
        set = new Set();
        seen.set(other.kind, set);
      }
      set.add(other.value);
      if (isCounted && set.size >= threshold) byPersons = true;
      if (isVisitor && set.size >= visitorThreshold) byVisitors = true;
      if (byPersons) break;
    }
    const hub = hubMode(byPersons, byVisitors);
    if (hub !== null) return hub;
  }
  return CLASS_MODE[cls];
}

const entryEdges = (entry: Entry) => entry.edges;
const entryMode = (entry: Entry) => entry.mode;

/** What a load found (see {@link LoadedComponent}). */
class Component implements LoadedComponent {
  readonly keys: ReadonlyMap<string, LoadedKey>;
  readonly observations: GraphObservation[];
  readonly modeOf: (key: IdentityKey) => Mode;
  private byObservation: Map<string, LoadedEdge[]> | undefined;

  constructor(private readonly loader: Loader) {
    this.keys = loader.entries;
    const current = replayInput(loader.entries, loader.byKey, entryEdges, entryMode);
    this.observations = current.observations;
    this.modeOf = current.modeOf;
  }

  /** The stored edges of an observation id. */
  private storedOf(observationId: string): readonly LoadedEdge[] {
    const same = this.loader.storedPending.get(observationId);
    if (same) return same;
    if (!this.byObservation) {
      this.byObservation = new Map();
      for (const e of this.loader.stored) {
        const id = e.edge.evidence.observationId;
        const list = this.byObservation.get(id);
        if (list) list.push(e);
        else this.byObservation.set(id, [e]);
      }
    }
    return this.byObservation.get(observationId) ?? [];
  }

  hasStoredObservation(observationId: string): boolean {
    return this.storedOf(observationId).length > 0;
  }

  isStored(edge: IdentityEdge): boolean {
    return this.storedOf(edge.evidence.observationId).some((e) => sameEdge(e, edge));
  }

  edgesOf(keyId: string): IdentityEdge[] {
    return (this.loader.entries.get(keyId)?.edges ?? []).map((e) => e.edge);
  }

  withoutPending(): ReplayInput {
    const { loader } = this;
    const kept = new Map<Entry, LoadedEdge[]>();
    const modes = new Map<Entry, Mode>();
    for (const entry of loader.entries.values()) {
      const edges = entry.edges.filter((e) => !e.fresh);
      kept.set(entry, edges);
      modes.set(entry, loader.modeFor(entry.key, edges));
    }
    return replayInput(
      loader.entries,
      loader.byKey,
      (entry) => kept.get(entry) as LoadedEdge[],
      (entry) => modes.get(entry) as Mode,
    );
  }
}

/** Observations of one evidence (source, id and time), as they are rebuilt. */
interface Group {
  evidence: IdentityEvidence;
  /** One object per key (see `replayInput`). */
  keys: IdentityKey[];
  /** Its edges (key objects of `keys`). */
  edges: [IdentityKey, IdentityKey][];
  /** Whether an edge touched none of the keys before it: the group may hold disjoint observations. */
  split: boolean;
  /** The next group of the same observation id (another time or source). */
  next: Group | null;
}

/**
 * The observations of a group: one per connected set of keys. Each observation was stored as a
 * clique of edges and observations sharing their evidence are disjoint or nested (`link` rejects
 * others), so its connected parts are its observations.
 */
function observationsOf(group: Group): IdentityKey[][] {
  if (!group.split) return [group.keys];
  const parent = new Map<IdentityKey, IdentityKey>(group.keys.map((key) => [key, key]));
  const root = (key: IdentityKey): IdentityKey => {
    let r = key;
    while (parent.get(r) !== r) r = parent.get(r) as IdentityKey;
    return r;
  };
  for (const [a, b] of group.edges) parent.set(root(a), root(b));
  const parts = new Map<IdentityKey, IdentityKey[]>();
  for (const key of group.keys) {
    const r = root(key);
    const part = parts.get(r);
    if (part) part.push(key);
    else parts.set(r, [key]);
  }
  return [...parts.values()];
}

/**
 * Groups edges into observations: every observation with a component key, plus the founding (first)
 * observation of each leaf, which dates the leaf's own person. Each key is one object throughout:
 * its entry's, or the first seen for keys outside the component.
 */
function replayInput(
  entries: ReadonlyMap<string, Entry>,
  byKey: ByKey<Entry>,
  edgesOf: (entry: Entry) => readonly LoadedEdge[],
  modeOf: (entry: Entry) => Mode,
): ReplayInput {
  const groups: Group[] = [];
  const byObservation = new Map<string, Group>();
  const outside = new ByKey<IdentityKey>();
  /** The one object standing for `key`: its entry's, or the first seen outside the component. */
  const keyOf = (key: IdentityKey) => {
    const entry = byKey.get(key);
    if (entry) return entry.key;
    let known = outside.get(key);
    if (!known) {
      known = key;
      outside.set(key, key);
    }
    return known;
  };
  const add = (e: LoadedEdge) => {
    const { evidence } = e.edge;
    const first = byObservation.get(evidence.observationId);
    let group: Group | null = first ?? null;
    while (group && !sameEvidence(group.evidence, evidence)) group = group.next;
    if (!group) {
      group = { evidence, keys: [], edges: [], split: false, next: null };
      groups.push(group);
      if (first) {
        let last = first;
        while (last.next) last = last.next;
        last.next = group;
      } else byObservation.set(evidence.observationId, group);
    }
    const a = keyOf(e.edge.a);
    const b = keyOf(e.edge.b);
    const hasA = group.keys.includes(a);
    const hasB = a === b ? hasA : group.keys.includes(b);
    if (!hasA) group.keys.push(a);
    if (!hasB && a !== b) group.keys.push(b);
    if (!hasA && !hasB && group.edges.length > 0) group.split = true;
    group.edges.push([a, b]);
  };

  const modes = new Map<IdentityKey, Mode>();
  for (const entry of entries.values()) {
    const edges = edgesOf(entry);
    const mode = modeOf(entry);
    modes.set(entry.key, mode);
    if (!isInert(mode)) {
      for (const e of edges) add(e);
      continue;
    }
    let earliest: IdentityEvidence | undefined;
    for (const { edge } of edges) {
      const ev = edge.evidence;
      if (
        !earliest ||
        ev.at < earliest.at ||
        (ev.at === earliest.at &&
          (ev.observationId < earliest.observationId ||
            (ev.observationId === earliest.observationId && ev.source < earliest.source)))
      )
        earliest = ev;
    }
    if (!earliest) continue;
    for (const e of edges) if (sameEvidence(e.edge.evidence, earliest)) add(e);
  }
  const observations: GraphObservation[] = [];
  for (const group of groups) {
    const { source, observationId, at } = group.evidence;
    for (const keys of observationsOf(group))
      observations.push({ keys, evidence: { source, observationId, at } });
  }
  return {
    observations,
    modeOf: (key) => modes.get(key) ?? Mode.Outside,
  };
}
