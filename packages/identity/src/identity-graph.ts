/**
 * The identity graph as a pure function of its observations: keys are nodes, each observation joins
 * its keys, persons are the connected components, with merge guards. Observations are processed in
 * canonical order (evidence time, then observation id, then source), so the same set of observations gives the
 * same persons and the same person ids in whatever order it arrived. Union-find with union by size
 * and path halving over interned integer keys.
 *
 * @module
 */
import { hash } from "node:crypto";
import type {
  IdentityEvidence,
  IdentityKey,
  IdentityKeyKind,
  IdentityKeyRecord,
  MergeRefusal,
} from "@revtrace/core";
import {
  type IdentityRules,
  type IdentityRulesInput,
  KEY_KINDS,
  resolveIdentityRules,
} from "./identity-rules.js";
import { createKeyClassifier, type KeyClass } from "./key-normalizer.js";
import { KeyTable } from "./key-table.js";

/** One observation: keys seen together (a lead form, a checkout, a webhook). Keys are normalized. */
export interface GraphObservation {
  keys: readonly IdentityKey[];
  evidence: IdentityEvidence;
}

/** A merge: `absorbed` joined `survivor` (the older person) because of one observation. */
export interface PersonMerge {
  survivor: string;
  absorbed: string;
  at: number;
  observationId: string;
  source: string;
}

/** A person of the graph, with its keys. */
export interface GraphPerson {
  id: string;
  /** Epoch milliseconds of the observation that founded the person. */
  createdAt: number;
  keys: IdentityKeyRecord[];
}

/**
 * Why a merge was refused: `limit:<kind>` (the person would hold too many keys of that kind),
 * `no_merge` (the key's kind never merges two persons), `role_mailbox`, `hub` (the key is linked to
 * too many persons: `hubThreshold`), `hub:anonymous_id` (the key is linked to too many visitors:
 * `anonymousIdHubThreshold`) or `blocked` (today's blocklist rejects the stored key).
 */
export type RefusalReason =
  | `limit:${IdentityKeyKind}`
  | "no_merge"
  | "role_mailbox"
  | "hub"
  | "hub:anonymous_id"
  | "blocked";

/** Why a key is a hub: `hub` (too many persons' keys) or `hub:anonymous_id` (too many visitors). */
export type HubReason = "hub" | "hub:anonymous_id";

/** A key that became a hub, with its reason. */
export interface GraphHub {
  key: IdentityKey;
  reason: HubReason;
}

/** What a replay produced. */
export interface GraphResult {
  /** The person a key belongs to, or `null` when the key was never observed. */
  personOf(key: IdentityKey): string | null;
  /** Every person, keys sorted, persons sorted by id. */
  persons(): GraphPerson[];
  /** Merges of persons that had existed at the end of an earlier observation, in canonical order. */
  readonly merges: readonly PersonMerge[];
  /** Refused merges, in canonical order. */
  readonly refusals: readonly MergeRefusal[];
  /** Keys that became hubs and stand alone. */
  readonly hubs: readonly IdentityKey[];
  /** The same hubs (same order), each with its reason. */
  readonly hubReasons: readonly GraphHub[];
}

/** Options of {@link replayIdentityGraph}. */
export interface ReplayOptions {
  /** Only observations at or before this time (epoch ms): the graph as it was then. */
  until?: number;
}

/** How a key takes part in one replay (internal). */
export const Mode = {
  Merge: 0,
  NoMerge: 1,
  Role: 2,
  Hub: 3,
  Blocked: 4,
  /** Outside the replayed component: present only to date a leaf's founding observation. */
  Outside: 5,
  /** A hub because too many distinct anonymous ids were seen with it (`anonymousIdHubThreshold`). */
  VisitorHub: 6,
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Whether a mode is a hub's (either reason). */
export const isHub = (mode: Mode) => mode === Mode.Hub || mode === Mode.VisitorHub;

/**
 * Why a key of an observation did not merge its person into the observation's: the person is over a
 * kind's limit (`alone`: the key could have merged), else the key is a role mailbox or a never-merge
 * key. Shared by the replay and the incremental link, which must refuse alike.
 */
export function refusalReason(alone: boolean, kind: IdentityKeyKind, mode: Mode): RefusalReason {
  if (alone) return `limit:${kind}`;
  return mode === Mode.Role ? "role_mailbox" : "no_merge";
}

/** The one hub mode of a key over the thresholds it reached: too many persons' keys wins. */
export const hubMode = (byPersons: boolean, byVisitors: boolean): Mode | null =>
  byPersons ? Mode.Hub : byVisitors ? Mode.VisitorHub : null;

const KIND_INDEX = Object.fromEntries(KEY_KINDS.map((kind, i) => [kind, i])) as Record<
  IdentityKeyKind,
  number
>;
const kindIndex = (kind: IdentityKeyKind) => KIND_INDEX[kind];
const ANONYMOUS_ID = KIND_INDEX.anonymous_id;

/** The mode of a key of each class, when it is not a hub. */
export const CLASS_MODE: Readonly<Record<KeyClass, Mode>> = {
  merge: Mode.Merge,
  no_merge: Mode.NoMerge,
  role_mailbox: Mode.Role,
  blocked: Mode.Blocked,
};

/**
 * The id of the person founded by a key: derived from the founding observation (source, id and time)
 * and the founding key. The key takes part because one (source, observation id, time) may hold
 * several disjoint key sets (see `canonicalize`); it enters only through SHA-256, truncated.
 */
export function personIdFor(evidence: IdentityEvidence, founder: IdentityKey): string {
  const { source, observationId, at } = evidence;
  const input = `${source}\u0000${observationId}\u0000${at}\u0000${founder.kind}:${founder.value}`;
  let id = personIds.get(input);
  if (id === undefined) {
    id = `p_${hash("sha256", input, "hex").slice(0, 24)}`;
    // the resolver names the same persons on every link of their component: remember recent ones
    if (personIds.size >= PERSON_ID_CACHE) personIds.clear();
    personIds.set(input, id);
  }
  return id;
}

/** Recently derived person ids (a pure function of their input), bounded. */
const personIds = new Map<string, string>();
const PERSON_ID_CACHE = 16_384;

/** The internal outcome of a replay, indexed by interned key. */
export interface ReplayState {
  readonly keyCount: number;
  kindOf(idx: number): IdentityKeyKind;
  valueOf(idx: number): string;
  indexOf(key: IdentityKey): number;
  modeOf(idx: number): Mode;
  /** The founder key of the person holding `idx`. */
  labelOf(idx: number): number;
  firstSeenAt(idx: number): number;
  personId(label: number): string;
  /** Merges: survivor label, absorbed label, observation index. */
  readonly merges: readonly (readonly [number, number, number])[];
  /** Refusals: reason, key, the two person labels, observation index. */
  readonly refusals: readonly (readonly [RefusalReason, number, number, number, number])[];
  /** The observations in canonical order (indexes of merges and refusals point here). */
  readonly observations: readonly GraphObservation[];
}

/** Canonical order of evidence: time, then observation id, then source. */
export const compareEvidence = (a: IdentityEvidence, b: IdentityEvidence) =>
  a.at - b.at ||
  (a.observationId < b.observationId ? -1 : a.observationId > b.observationId ? 1 : 0) ||
  (a.source < b.source ? -1 : a.source > b.source ? 1 : 0);

/**
 * Sorts observations canonically. Observations sharing their evidence (source, id and time) are one
 * observation when one's keys contain the other's (a repeat, or keys added to it), and separate
 * observations when their keys are disjoint, ordered by their smallest key.
 * @throws {TypeError} when two of them share some keys but neither contains the other: an observation
 *   id reused for unrelated keys, which would otherwise merge them.
 */
function canonicalize(observations: readonly GraphObservation[]): readonly GraphObservation[] {
  // the common case, already in order without shared evidence, is returned as is
  let ordered = true;
  for (let i = 1; i < observations.length && ordered; i++) {
    const prev = (observations[i - 1] as GraphObservation).evidence;
    if (compareEvidence(prev, (observations[i] as GraphObservation).evidence) >= 0) ordered = false;
  }
  if (ordered) return observations;
  const list = [...observations].sort((x, y) => compareEvidence(x.evidence, y.evidence));
  const out: GraphObservation[] = [];
  for (let i = 0; i < list.length; ) {
    let j = i + 1;
    while (
      j < list.length &&
      compareEvidence(
        (list[i] as GraphObservation).evidence,
        (list[j] as GraphObservation).evidence,
      ) === 0
    )
      j++;
    if (j === i + 1) out.push(list[i] as GraphObservation);
    else out.push(...foldShared(list.slice(i, j)));
    i = j;
  }
  return out;
}

/** Observations of one evidence, folded as `canonicalize` describes. */
function foldShared(group: readonly GraphObservation[]): GraphObservation[] {
  const evidence = (group[0] as GraphObservation).evidence;
  let sets: Map<string, IdentityKey>[] = [];
  for (const obs of group) {
    const keys = new Map<string, IdentityKey>();
    for (const key of obs.keys) keys.set(`${key.kind}:${key.value}`, key);
    const touched = sets.filter((set) => [...keys.keys()].some((id) => set.has(id)));
    const nested = (x: Map<string, IdentityKey>, y: Map<string, IdentityKey>) =>
      [...x.keys()].every((id) => y.has(id));
    for (const set of touched)
      if (!nested(keys, set) && !nested(set, keys))
        throw new TypeError(
          "an observation (source, observationId, at) was given two overlapping key sets",
        );
    if (touched.length === 1 && nested(keys, touched[0] as Map<string, IdentityKey>)) continue;
    sets = sets.filter((set) => !touched.includes(set));
    sets.push(keys);
  }
  const smallest = (set: Map<string, IdentityKey>) =>
    [...set.values()].reduce((a, b) => (compareKeys(b, a) < 0 ? b : a));
  return sets
    .map((set) => ({ keys: [...set.values()], evidence, first: smallest(set) }))
    .sort((x, y) => compareKeys(x.first, y.first))
    .map(({ keys }) => ({ keys, evidence }));
}

/**
 * How a key merges: the resolver's override of classification and hub detection (it computes both
 * from complete edge lists). Called once per distinct key, with the first object seen for it.
 */
export type ModeOf = (key: IdentityKey) => Mode;

/**
 * Replays observations through the guards (internal engine shared by {@link replayIdentityGraph} and
 * the resolver). `modeOf` overrides classification and hub detection; without it, keys are
 * classified by `rules` and hubs detected here.
 */
export function runReplay(
  input: readonly GraphObservation[],
  rules: IdentityRules,
  modeOf?: ModeOf,
): ReplayState {
  return new Replay(canonicalize(input), rules, modeOf);
}

/** What a replay derives from the rules alone, once per rules object. */
interface RuleTables {
  /** Per kind: its rank among kinds, most trusted (lowest priority) first. */
  trust: Uint8Array;
  /** Per kind: its slot among limited kinds, or -1. */
  limitSlot: Int8Array;
  limits: number[];
  slotKind: IdentityKeyKind[];
  /** Per kind: 1 when it counts towards `hubThreshold`. */
  counted: Uint8Array;
  hubsPossible: boolean;
  visitorHubsPossible: boolean;
}

const ruleTables = new WeakMap<IdentityRules, RuleTables>();

/** The {@link RuleTables} of `rules` (cached: the resolver replays with one rules object). */
function tablesOf(rules: IdentityRules): RuleTables {
  const known = ruleTables.get(rules);
  if (known) return known;
  const K = KEY_KINDS.length;
  const priority = KEY_KINDS.map((kind) => rules.kinds[kind].priority);
  const trust = new Uint8Array(K);
  for (let a = 0; a < K; a++) {
    const pa = priority[a] as number;
    let t = 0;
    for (let b = 0; b < K; b++) {
      const pb = priority[b] as number;
      if (pb < pa || (pb === pa && b < a)) t++;
    }
    trust[a] = t;
  }
  const limitSlot = new Int8Array(K).fill(-1);
  const limits: number[] = [];
  const slotKind: IdentityKeyKind[] = [];
  for (let k = 0; k < K; k++) {
    const kind = KEY_KINDS[k] as IdentityKeyKind;
    const limit = rules.kinds[kind].limit;
    if (limit !== null) {
      limitSlot[k] = limits.length;
      limits.push(limit);
      slotKind.push(kind);
    }
  }
  const counted = new Uint8Array(K);
  for (const kind of rules.hubCountedKinds) counted[kindIndex(kind)] = 1;
  const tables: RuleTables = {
    trust,
    limitSlot,
    limits,
    slotKind,
    counted,
    hubsPossible: KEY_KINDS.some((kind) => rules.kinds[kind].hubThreshold !== null),
    visitorHubsPossible: KEY_KINDS.some(
      (kind) => rules.kinds[kind].anonymousIdHubThreshold !== null,
    ),
  };
  ruleTables.set(rules, tables);
  return tables;
}

// Layout of one key's record in `Replay.nodes` (union-find, guards and history side by side, so
// one key costs one or two cache lines instead of one per table).
const PARENT = 0;
const SIZE = 1;
const LABEL = 2;
/** Index of the observation that founded the key. */
const FIRST = 3;
/** Bits 0-15: rank in the founding observation; 16-19: mode; bit 20: visible (see pass 2). */
const FLAGS = 4;
/** Then one count per limited kind: keys of that kind in the key's set (meaningful at roots). */
const COUNTS = 5;
const MODE_SHIFT = 16;
const RANK_MASK = 0xffff;
const VISIBLE = 1 << 20;

/** Replays up to this many key occurrences reuse one scratch array (the engine is synchronous). */
const SCRATCH_LIMIT = 1 << 16;
let scratchSpace = new Int32Array(1024);

/** An `Int32Array` of at least `size` elements for temporaries, contents undefined. */
function scratch(size: number): Int32Array {
  if (size > SCRATCH_LIMIT) return new Int32Array(size);
  if (scratchSpace.length < size) scratchSpace = new Int32Array(SCRATCH_LIMIT);
  return scratchSpace;
}

/**
 * The replay engine. Keys are interned to integers once (see `KeyTable`); every per-key field lives
 * in one `Int32Array` record, and the helpers are methods, so nothing is allocated per observation.
 */
class Replay implements ReplayState {
  readonly keyCount: number;
  readonly observations: readonly GraphObservation[];
  readonly merges: [number, number, number][] = [];
  readonly refusals: [RefusalReason, number, number, number, number][] = [];
  private readonly table: KeyTable;
  private readonly nodes: Int32Array;
  private readonly stride: number;
  private ids: Map<number, string> | null = null;

  constructor(observations: readonly GraphObservation[], rules: IdentityRules, modeOf?: ModeOf) {
    this.observations = observations;
    const obsCount = observations.length;
    let capacity = 0;
    let widest = 0;
    for (let i = 0; i < obsCount; i++) {
      const length = (observations[i] as GraphObservation).keys.length;
      capacity += length;
      if (length > widest) widest = length;
    }
    const table = new KeyTable(Math.ceil(capacity / 2));
    const values = table.values;
    // temporaries: the keys of each observation in order (`flat`, from `starts`), and per-observation
    // scratch for passes 1 and 2
    const space = scratch(capacity + obsCount + 1 + 5 * widest);
    const flat = space.subarray(0, capacity);
    const starts = space.subarray(capacity, capacity + obsCount + 1);
    starts[0] = 0;
    const perObservation = space.subarray(capacity + obsCount + 1);
    const tmp = perObservation.subarray(0, widest);

    // Most trusted first (priority), then key order: the rank of a key founding a person, so a
    // person founded by several keys at once is named after its most trusted one. `trust` numbers
    // the kinds in that order; keys of one kind are ordered by value.
    const tables = tablesOf(rules);
    const { trust, limitSlot, limits, slotKind, counted } = tables;

    // Pass 1: intern keys and order each observation's keys (into `flat`).
    const firstKeys: IdentityKey[] | null = modeOf ? [] : null;
    let used = 0;
    for (let i = 0; i < obsCount; i++) {
      const keys = (observations[i] as GraphObservation).keys;
      let nt = 0;
      for (let q = 0; q < keys.length; q++) {
        const key = keys[q] as IdentityKey;
        const k = KIND_INDEX[key.kind];
        if (k === undefined) throw new TypeError("an observation holds an unknown key kind");
        const idx = table.intern(k, key.value);
        if (firstKeys !== null && idx === firstKeys.length) firstKeys.push(key);
        // insertion into order, skipping duplicates
        let dup = false;
        for (let d = 0; d < nt && !dup; d++) dup = tmp[d] === idx;
        if (dup) continue;
        const kinds = table.kinds;
        const tk = trust[k] as number;
        let j = nt++;
        while (j > 0) {
          const prev = tmp[j - 1] as number;
          const tp = trust[kinds[prev] as number] as number;
          if (tk > tp || (tk === tp && (values[idx] as string) >= (values[prev] as string))) break;
          tmp[j] = prev;
          j--;
        }
        tmp[j] = idx;
      }
      for (let r = 0; r < nt; r++) flat[used++] = tmp[r] as number;
      starts[i + 1] = used;
    }
    const n = table.size;
    this.keyCount = n;
    this.table = table;
    const kinds = table.kinds;

    const S = COUNTS + limits.length;
    this.stride = S;
    const nodes = new Int32Array(n * S);
    this.nodes = nodes;
    for (let idx = 0, at = 0; idx < n; idx++, at += S) {
      nodes[at + PARENT] = idx;
      nodes[at + SIZE] = 1;
      nodes[at + LABEL] = idx;
      nodes[at + FIRST] = -1;
      const slot = limitSlot[kinds[idx] as number] as number;
      if (slot >= 0) nodes[at + COUNTS + slot] = 1;
    }
    // Date each key's founding (observation, rank in it); count co-occurrences with hub-counted
    // kinds (an upper bound of the distinct ones).
    const hubsPossible = !modeOf && tables.hubsPossible;
    const visitorHubsPossible = !modeOf && tables.visitorHubsPossible;
    const raw = hubsPossible ? new Int32Array(n) : null;
    // co-occurrences with anonymous ids (an upper bound of the distinct ones)
    const rawVisitors = visitorHubsPossible ? new Int32Array(n) : null;
    const anon = ANONYMOUS_ID;
    for (let i = 0; i < obsCount; i++) {
      const start = starts[i] as number;
      const end = starts[i + 1] as number;
      let c = 0;
      let v = 0;
      for (let j = start; j < end; j++) {
        const idx = flat[j] as number;
        c += counted[kinds[idx] as number] as number;
        if (kinds[idx] === anon) v++;
        if (nodes[idx * S + FIRST] === -1) {
          nodes[idx * S + FIRST] = i;
          nodes[idx * S + FLAGS] = (j - start) & RANK_MASK;
        }
      }
      if (raw && c > 0) {
        for (let j = start; j < end; j++) {
          const idx = flat[j] as number;
          raw[idx] = (raw[idx] as number) + c - (counted[kinds[idx] as number] as number);
        }
      }
      if (rawVisitors && v > 0) {
        for (let j = start; j < end; j++) {
          const idx = flat[j] as number;
          rawVisitors[idx] = (rawVisitors[idx] as number) + v - (kinds[idx] === anon ? 1 : 0);
        }
      }
    }

    const modes = new Uint8Array(n);
    if (modeOf && firstKeys) {
      for (let idx = 0; idx < n; idx++) modes[idx] = modeOf(firstKeys[idx] as IdentityKey);
    } else {
      const classify = createKeyClassifier(rules);
      for (let idx = 0; idx < n; idx++)
        modes[idx] =
          CLASS_MODE[
            classify(KEY_KINDS[kinds[idx] as number] as IdentityKeyKind, values[idx] as string)
          ];
      if (raw || rawVisitors)
        detectHubs(rules, kinds, flat, starts, modes, raw, rawVisitors, counted);
    }
    for (let idx = 0; idx < n; idx++)
      nodes[idx * S + FLAGS] =
        (nodes[idx * S + FLAGS] as number) | ((modes[idx] as number) << MODE_SHIFT);

    // Pass 2: union-find with guards, in canonical order.
    this.pass2(flat, starts, perObservation, widest, limitSlot, limits, slotKind);
  }

  private find(x: number): number {
    const { nodes, stride } = this;
    let i = x;
    for (;;) {
      const p = nodes[i * stride + PARENT] as number;
      if (p === i) return i;
      const g = nodes[p * stride + PARENT] as number;
      nodes[i * stride + PARENT] = g;
      i = p;
    }
  }

  /** Whether person label `a` is older than `b`: founded by an earlier observation, or ranked first. */
  private older(a: number, b: number): boolean {
    const { nodes, stride } = this;
    const fa = nodes[a * stride + FIRST] as number;
    const fb = nodes[b * stride + FIRST] as number;
    return (
      fa < fb ||
      (fa === fb &&
        ((nodes[a * stride + FLAGS] as number) & RANK_MASK) <
          ((nodes[b * stride + FLAGS] as number) & RANK_MASK))
    );
  }

  private mode(idx: number): Mode {
    return (((this.nodes[idx * this.stride + FLAGS] as number) >>> MODE_SHIFT) & 0xf) as Mode;
  }

  /** Joins two roots; returns the new root. Records the merge when the absorbed person was visible. */
  private union(a: number, b: number, obs: number): number {
    const { nodes, stride: S } = this;
    const la = nodes[a * S + LABEL] as number;
    const lb = nodes[b * S + LABEL] as number;
    const laOlder = this.older(la, lb);
    const survivor = laOlder ? la : lb;
    const absorbed = laOlder ? lb : la;
    if ((nodes[absorbed * S + FLAGS] as number) & VISIBLE)
      this.merges.push([survivor, absorbed, obs]);
    const aBigger = (nodes[a * S + SIZE] as number) >= (nodes[b * S + SIZE] as number);
    const root = (aBigger ? a : b) * S;
    const child = (aBigger ? b : a) * S;
    nodes[child + PARENT] = aBigger ? a : b;
    nodes[root + SIZE] = (nodes[root + SIZE] as number) + (nodes[child + SIZE] as number);
    nodes[root + LABEL] = survivor;
    for (let s = COUNTS; s < S; s++)
      nodes[root + s] = (nodes[root + s] as number) + (nodes[child + s] as number);
    return aBigger ? a : b;
  }

  private pass2(
    flat: Int32Array,
    starts: Int32Array,
    perObservation: Int32Array,
    widest: number,
    limitSlot: Int8Array,
    limits: readonly number[],
    slotKind: readonly IdentityKeyKind[],
  ): void {
    const { nodes, stride: S, refusals } = this;
    const kinds = this.table.kinds;
    const L = limits.length;
    const bridging = perObservation.subarray(widest, 2 * widest);
    const roots = perObservation.subarray(2 * widest, 3 * widest);
    const demoted = perObservation.subarray(3 * widest, 4 * widest);
    const demotedSlot = perObservation.subarray(4 * widest, 5 * widest);
    const obsCount = starts.length - 1;
    const labelOf = (root: number) => nodes[root * S + LABEL] as number;

    for (let i = 0; i < obsCount; i++) {
      const start = starts[i] as number;
      const end = starts[i + 1] as number;
      // keys come most trusted first: the last bridging key is demoted first
      let nb = 0;
      let nd = 0;
      let nr = 0;
      for (let j = start; j < end; j++) {
        const idx = flat[j] as number;
        if (this.mode(idx) === Mode.Merge) bridging[nb++] = idx;
      }
      for (;;) {
        nr = 0;
        for (let b = 0; b < nb; b++) {
          const r = this.find(bridging[b] as number);
          let seen = false;
          for (let x = 0; x < nr && !seen; x++) seen = roots[x] === r;
          if (!seen) roots[nr++] = r;
        }
        if (nr <= 1) break;
        // the first limited kind the union of the roots would exceed
        let slot = -1;
        for (let s = 0; s < L && slot < 0; s++) {
          let total = 0;
          for (let r = 0; r < nr; r++)
            total += nodes[(roots[r] as number) * S + COUNTS + s] as number;
          if (total > (limits[s] as number)) slot = s;
        }
        if (slot < 0) break;
        demoted[nd] = bridging[--nb] as number;
        demotedSlot[nd++] = slot;
      }
      let target = -1;
      if (nr > 0) {
        target = roots[0] as number;
        for (let r = 1; r < nr; r++) target = this.union(target, roots[r] as number, i);
      }
      if (target >= 0) {
        for (let d = 0; d < nd; d++) {
          const idx = demoted[d] as number;
          const r = this.find(idx);
          if (r !== target) {
            const reason = `limit:${slotKind[demotedSlot[d] as number]}` as RefusalReason;
            refusals.push([reason, idx, labelOf(r), labelOf(target), i]);
          }
        }
        for (let j = start; j < end; j++) {
          const idx = flat[j] as number;
          const mode = this.mode(idx);
          if (mode === Mode.Merge || mode === Mode.Outside) continue;
          const r = this.find(idx);
          if (r === target) continue;
          if (mode === Mode.Hub || mode === Mode.VisitorHub || mode === Mode.Blocked) {
            refusals.push([
              mode === Mode.Hub ? "hub" : mode === Mode.VisitorHub ? "hub:anonymous_id" : "blocked",
              idx,
              labelOf(r),
              labelOf(target),
              i,
            ]);
            continue;
          }
          // A no-merge key joins the first person it is seen with, and never brings a person along.
          const slot = limitSlot[kinds[idx] as number] as number;
          const alone = nodes[r * S + SIZE] === 1;
          if (
            alone &&
            (slot < 0 || (nodes[target * S + COUNTS + slot] as number) < (limits[slot] as number))
          ) {
            target = this.union(target, r, i);
          } else {
            const reason = refusalReason(alone, slotKind[slot] as IdentityKeyKind, mode);
            refusals.push([reason, idx, labelOf(r), labelOf(target), i]);
          }
        }
      }
      for (let j = start; j < end; j++) {
        const at = labelOf(this.find(flat[j] as number)) * S + FLAGS;
        nodes[at] = (nodes[at] as number) | VISIBLE;
      }
    }
  }

  kindOf(idx: number): IdentityKeyKind {
    return KEY_KINDS[this.table.kinds[idx] as number] as IdentityKeyKind;
  }

  valueOf(idx: number): string {
    return this.table.values[idx] as string;
  }

  indexOf(key: IdentityKey): number {
    const k = KIND_INDEX[key.kind];
    return k === undefined ? -1 : this.table.find(k, key.value);
  }

  modeOf(idx: number): Mode {
    return this.mode(idx);
  }

  labelOf(idx: number): number {
    return this.nodes[this.find(idx) * this.stride + LABEL] as number;
  }

  firstSeenAt(idx: number): number {
    const first = this.nodes[idx * this.stride + FIRST] as number;
    return (this.observations[first] as GraphObservation).evidence.at;
  }

  personId(l: number): string {
    this.ids ??= new Map<number, string>();
    let id = this.ids.get(l);
    if (id === undefined) {
      const first = this.nodes[l * this.stride + FIRST] as number;
      const { evidence } = this.observations[first] as GraphObservation;
      id = personIdFor(evidence, { kind: this.kindOf(l), value: this.valueOf(l) });
      this.ids.set(l, id);
    }
    return id;
  }
}

/**
 * Marks hubs: keys seen with at least their kind's `hubThreshold` distinct keys of one of
 * `rules.hubCountedKinds` (`Mode.Hub`), or with at least its `anonymousIdHubThreshold` distinct
 * anonymous ids (`Mode.VisitorHub`; `Mode.Hub` wins when both hold). Only keys whose raw
 * co-occurrence counts (`raw`, `rawVisitors`, from pass 1) reach a threshold are counted exactly, so
 * the common case costs nothing more. A function of the set of observations: order-independent.
 */
function detectHubs(
  rules: IdentityRules,
  kinds: Uint8Array,
  flat: Int32Array,
  starts: Int32Array,
  modes: Uint8Array,
  raw: Int32Array | null,
  rawVisitors: Int32Array | null,
  counted: Uint8Array,
) {
  const threshold = KEY_KINDS.map((kind) => rules.kinds[kind].hubThreshold ?? 0);
  const visitorThreshold = KEY_KINDS.map((kind) => rules.kinds[kind].anonymousIdHubThreshold ?? 0);
  const obsCount = starts.length - 1;
  const n = modes.length;
  const candidate = new Uint8Array(n);
  let any = false;
  for (let idx = 0; idx < n; idx++) {
    if (modes[idx] === Mode.Blocked) continue;
    const k = kinds[idx] as number;
    const t = threshold[k] as number;
    const tv = visitorThreshold[k] as number;
    if (
      (raw && t > 0 && (raw[idx] as number) >= t) ||
      (rawVisitors && tv > 0 && (rawVisitors[idx] as number) >= tv)
    ) {
      candidate[idx] = 1;
      any = true;
    }
  }
  if (!any) return;
  // distinct (candidate, neighbour) pairs, counted per candidate and neighbour kind
  const pairs = new Set<number>();
  const K = KEY_KINDS.length;
  const anon = ANONYMOUS_ID;
  const distinct = new Map<number, Int32Array>();
  const byPersons = new Uint8Array(n);
  const byVisitors = new Uint8Array(n);
  for (let i = 0; i < obsCount; i++) {
    const start = starts[i] as number;
    const end = starts[i + 1] as number;
    for (let j = start; j < end; j++) {
      const idx = flat[j] as number;
      if (!candidate[idx]) continue;
      const own = kinds[idx] as number;
      for (let m = start; m < end; m++) {
        const other = flat[m] as number;
        const kind = kinds[other] as number;
        if (m === j || other === idx || (!counted[kind] && kind !== anon)) continue;
        const pair = idx * n + other;
        if (pairs.has(pair)) continue;
        pairs.add(pair);
        let perKind = distinct.get(idx);
        if (!perKind) {
          perKind = new Int32Array(K);
          distinct.set(idx, perKind);
        }
        const count = (perKind[kind] as number) + 1;
        perKind[kind] = count;
        const t = threshold[own] as number;
        const tv = visitorThreshold[own] as number;
        if (counted[kind] && t > 0 && count >= t) byPersons[idx] = 1;
        if (kind === anon && tv > 0 && count >= tv) byVisitors[idx] = 1;
      }
    }
  }
  for (const idx of distinct.keys()) {
    const mode = hubMode(byPersons[idx] === 1, byVisitors[idx] === 1);
    if (mode !== null) modes[idx] = mode;
  }
}

const evidenceOf = (state: ReplayState, obs: number): IdentityEvidence => {
  const { evidence } = state.observations[obs] as GraphObservation;
  return { source: evidence.source, observationId: evidence.observationId, at: evidence.at };
};

/** A recorded merge of a replay, with person ids and evidence. */
export function mergeOf(
  state: ReplayState,
  [survivor, absorbed, obs]: ReplayState["merges"][number],
): PersonMerge {
  const { source, observationId, at } = evidenceOf(state, obs);
  return {
    survivor: state.personId(survivor),
    absorbed: state.personId(absorbed),
    at,
    observationId,
    source,
  };
}

/** A recorded refusal of a replay, with person ids, key and evidence. */
export function refusalOf(
  state: ReplayState,
  [reason, key, a, b, obs]: ReplayState["refusals"][number],
): MergeRefusal {
  return {
    personIds: [state.personId(a), state.personId(b)],
    keys: [{ kind: state.kindOf(key), value: state.valueOf(key) }],
    reason,
    evidence: evidenceOf(state, obs),
  };
}

/** Wraps a {@link ReplayState} in the public {@link GraphResult}. */
export function toGraphResult(state: ReplayState): GraphResult {
  const keyOf = (idx: number): IdentityKey => ({
    kind: state.kindOf(idx),
    value: state.valueOf(idx),
  });
  const hubs: IdentityKey[] = [];
  const hubReasons: GraphHub[] = [];
  for (let idx = 0; idx < state.keyCount; idx++) {
    const mode = state.modeOf(idx);
    if (!isHub(mode)) continue;
    hubs.push(keyOf(idx));
    hubReasons.push({ key: keyOf(idx), reason: mode === Mode.Hub ? "hub" : "hub:anonymous_id" });
  }
  return {
    personOf(key) {
      const idx = state.indexOf(key);
      return idx < 0 ? null : state.personId(state.labelOf(idx));
    },
    persons() {
      const byLabel = new Map<number, GraphPerson>();
      for (let idx = 0; idx < state.keyCount; idx++) {
        const l = state.labelOf(idx);
        let person = byLabel.get(l);
        if (!person) {
          person = { id: state.personId(l), createdAt: state.firstSeenAt(l), keys: [] };
          byLabel.set(l, person);
        }
        person.keys.push({
          key: keyOf(idx),
          personId: person.id,
          firstSeenAt: state.firstSeenAt(idx),
        });
      }
      const persons = [...byLabel.values()];
      for (const p of persons) p.keys.sort((a, b) => compareKeys(a.key, b.key));
      return persons.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    merges: state.merges.map((merge) => mergeOf(state, merge)),
    refusals: state.refusals.map((refusal) => refusalOf(state, refusal)),
    hubs,
    hubReasons,
  };
}

/** Orders keys by kind, then value (the order of their `kind:value` strings). */
export function compareKeys(a: IdentityKey, b: IdentityKey): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/**
 * Builds the identity graph of a set of observations in memory, with the same rules, guards, hub
 * detection and person ids as the resolver. Pure: the same observations in any order give the same
 * result. Keys must be normalized already (see `createKeyNormalizer`); today's blocklist and role
 * rules are applied to them. For backfills, simulations of rule changes, and tests.
 *
 * @example
 * const graph = replayIdentityGraph(observations, { kinds: { email: { limit: 3 } } });
 * graph.personOf({ kind: "email", value: "jane@acme.io" });
 */
export function replayIdentityGraph(
  observations: Iterable<GraphObservation>,
  rules: IdentityRules | IdentityRulesInput = {},
  options: ReplayOptions = {},
): GraphResult {
  const resolved = isResolved(rules) ? rules : resolveIdentityRules(rules);
  let list = Array.isArray(observations)
    ? (observations as readonly GraphObservation[])
    : [...observations];
  const until = options.until;
  if (until !== undefined) list = list.filter((o) => o.evidence.at <= until);
  return toGraphResult(runReplay(list, resolved));
}

const isResolved = (rules: IdentityRules | IdentityRulesInput): rules is IdentityRules =>
  rules.kinds !== undefined &&
  Object.keys(rules.kinds).length === KEY_KINDS.length &&
  Array.isArray(rules.hubCountedKinds) &&
  rules.roleMailboxes?.localParts !== undefined;
