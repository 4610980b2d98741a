/**
 * The identity graph as a pure function of its observations: keys are nodes, each observation joins
 * its keys, persons are the connected components, with merge guards. Observations are processed in
 * canonical order (evidence time, then observation id), so the same set of observations gives the
 * same persons and the same person ids in whatever order it arrived. Union-find with union by size
 * and path halving over interned integer keys.
 *
 * @module
 */
import { createHash } from "node:crypto";
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
import { createKeyNormalizer, type KeyClass } from "./key-normalizer.js";

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
 * too many persons) or `blocked` (today's blocklist rejects the stored key).
 */
export type RefusalReason =
  | `limit:${IdentityKeyKind}`
  | "no_merge"
  | "role_mailbox"
  | "hub"
  | "blocked";

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
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

const KIND_INDEX = Object.fromEntries(KEY_KINDS.map((kind, i) => [kind, i])) as Record<
  IdentityKeyKind,
  number
>;
const kindIndex = (kind: IdentityKeyKind) => KIND_INDEX[kind];

const CLASS_MODE: Record<KeyClass, Mode> = {
  merge: Mode.Merge,
  no_merge: Mode.NoMerge,
  role_mailbox: Mode.Role,
  blocked: Mode.Blocked,
};

/**
 * The id of the person founded by a key: derived from the founding observation (id and time) and
 * the key's rank in it, never from the key's value, so erased keys leave no trace in ids.
 */
export function personIdFor(observationId: string, at: number, rank: number): string {
  const digest = createHash("sha256")
    .update(`${observationId}\u0000${at}\u0000${rank}`)
    .digest("hex");
  return `p_${digest.slice(0, 24)}`;
}

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

/** Sorts observations canonically and folds duplicates (same id and time) into one. */
function canonicalize(observations: readonly GraphObservation[]): readonly GraphObservation[] {
  const before = (a: IdentityEvidence, b: IdentityEvidence) =>
    a.at < b.at || (a.at === b.at && a.observationId < b.observationId);
  // the common case, already in order without duplicates, is returned as is
  let ordered = true;
  for (let i = 1; i < observations.length && ordered; i++) {
    const prev = (observations[i - 1] as GraphObservation).evidence;
    if (!before(prev, (observations[i] as GraphObservation).evidence)) ordered = false;
  }
  if (ordered) return observations;
  const list = [...observations].sort((x, y) =>
    before(x.evidence, y.evidence) ? -1 : before(y.evidence, x.evidence) ? 1 : 0,
  );
  const out: GraphObservation[] = [];
  for (const obs of list) {
    const last = out[out.length - 1];
    if (
      last &&
      last.evidence.at === obs.evidence.at &&
      last.evidence.observationId === obs.evidence.observationId
    ) {
      out[out.length - 1] = { keys: [...last.keys, ...obs.keys], evidence: last.evidence };
    } else out.push(obs);
  }
  return out;
}

/**
 * Replays observations through the guards (internal engine shared by {@link replayIdentityGraph} and
 * the resolver). `modeOf` overrides classification and hub detection (the resolver computes both from
 * complete edge lists); without it, keys are classified by `rules` and hubs detected here.
 */
export function runReplay(
  input: readonly GraphObservation[],
  rules: IdentityRules,
  modeOf?: (key: IdentityKey) => Mode,
): ReplayState {
  const observations = canonicalize(input);
  const K = KEY_KINDS.length;
  let capacity = 0;
  let widest = 0;
  for (const obs of observations) {
    capacity += obs.keys.length;
    if (obs.keys.length > widest) widest = obs.keys.length;
  }
  const maps = KEY_KINDS.map(() => new Map<string, number>());
  const kinds = new Uint8Array(capacity);
  const values: string[] = new Array(capacity);
  let n = 0;
  const firstObs = new Int32Array(capacity);
  const ranks = new Uint16Array(capacity);
  const flat = new Int32Array(capacity);
  const starts = new Int32Array(observations.length + 1);
  const tmp = new Int32Array(widest);
  const counted = new Uint8Array(K);
  for (const kind of rules.hubCountedKinds) counted[kindIndex(kind)] = 1;
  const hubsPossible = !modeOf && KEY_KINDS.some((kind) => rules.kinds[kind].hubThreshold !== null);
  const raw = hubsPossible ? new Int32Array(capacity) : null;

  // Most trusted first (priority), then key order: the rank of a key founding a person, so a
  // person founded by several keys at once is named after its most trusted one.
  const priority = KEY_KINDS.map((kind) => rules.kinds[kind].priority);
  const keyLess = (a: number, b: number) => {
    const ka = kinds[a] as number;
    const kb = kinds[b] as number;
    const pa = priority[ka] as number;
    const pb = priority[kb] as number;
    if (pa !== pb) return pa < pb;
    return ka < kb || (ka === kb && (values[a] as string) < (values[b] as string));
  };

  // Pass 1: intern keys, order each observation's keys, date each key's founding.
  let used = 0;
  for (let i = 0; i < observations.length; i++) {
    const keys = (observations[i] as GraphObservation).keys;
    let nt = 0;
    for (let q = 0; q < keys.length; q++) {
      const key = keys[q] as IdentityKey;
      const k = KIND_INDEX[key.kind];
      const map = maps[k] as Map<string, number>;
      let idx = map.get(key.value);
      if (idx === undefined) {
        idx = n++;
        map.set(key.value, idx);
        kinds[idx] = k;
        values[idx] = key.value;
        firstObs[idx] = -1;
      }
      // insertion into order, skipping duplicates
      let dup = false;
      for (let d = 0; d < nt && !dup; d++) dup = tmp[d] === idx;
      if (dup) continue;
      let j = nt++;
      while (j > 0 && keyLess(idx, tmp[j - 1] as number)) {
        tmp[j] = tmp[j - 1] as number;
        j--;
      }
      tmp[j] = idx;
    }
    let c = 0;
    for (let r = 0; r < nt; r++) {
      const idx = tmp[r] as number;
      flat[used++] = idx;
      c += counted[kinds[idx] as number] as number;
      if (firstObs[idx] === -1) {
        firstObs[idx] = i;
        ranks[idx] = r;
      }
    }
    // co-occurrences with hub-counted kinds (an upper bound of the distinct ones)
    if (raw && c > 0) {
      for (let r = 0; r < nt; r++) {
        const idx = tmp[r] as number;
        raw[idx] = (raw[idx] as number) + c - (counted[kinds[idx] as number] as number);
      }
    }
    starts[i + 1] = used;
  }

  const keyOf = (idx: number): IdentityKey => ({
    kind: KEY_KINDS[kinds[idx] as number] as IdentityKeyKind,
    value: values[idx] as string,
  });
  const modes = new Uint8Array(n);
  if (modeOf) {
    for (let idx = 0; idx < n; idx++) modes[idx] = modeOf(keyOf(idx));
  } else {
    const normalizer = createKeyNormalizer(rules);
    for (let idx = 0; idx < n; idx++) modes[idx] = CLASS_MODE[normalizer.classify(keyOf(idx))];
    if (raw) detectHubs(rules, kinds, flat, starts, modes, raw, counted);
  }

  // Pass 2: union-find with guards, in canonical order.
  const limitSlot = new Int8Array(K).fill(-1);
  const limits: number[] = [];
  KEY_KINDS.forEach((kind, k) => {
    const limit = rules.kinds[kind].limit;
    if (limit !== null) {
      limitSlot[k] = limits.length;
      limits.push(limit);
    }
  });
  const L = limits.length;
  const parent = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  const label = new Int32Array(n);
  const counts = new Int32Array(n * L);
  const visible = new Uint8Array(n);
  for (let idx = 0; idx < n; idx++) {
    parent[idx] = idx;
    label[idx] = idx;
    const slot = limitSlot[kinds[idx] as number] as number;
    if (slot >= 0) counts[idx * L + slot] = 1;
  }
  const find = (x: number) => {
    let i = x;
    while (parent[i] !== i) {
      const p = parent[i] as number;
      parent[i] = parent[p] as number;
      i = p;
    }
    return i;
  };
  const older = (a: number, b: number) =>
    (firstObs[a] as number) < (firstObs[b] as number) ||
    (firstObs[a] === firstObs[b] && (ranks[a] as number) < (ranks[b] as number));

  const merges: [number, number, number][] = [];
  const refusals: [RefusalReason, number, number, number, number][] = [];

  /** Joins two roots; returns the new root. Records the merge when the absorbed person was visible. */
  const union = (a: number, b: number, obs: number) => {
    const la = label[a] as number;
    const lb = label[b] as number;
    const laOlder = older(la, lb);
    const survivor = laOlder ? la : lb;
    if (visible[laOlder ? lb : la]) merges.push([survivor, laOlder ? lb : la, obs]);
    const aBigger = (size[a] as number) >= (size[b] as number);
    const root = aBigger ? a : b;
    const child = aBigger ? b : a;
    parent[child] = root;
    size[root] = (size[root] as number) + (size[child] as number);
    label[root] = survivor;
    for (let s = 0; s < L; s++)
      counts[root * L + s] = (counts[root * L + s] as number) + (counts[child * L + s] as number);
    return root;
  };

  const slotKind = KEY_KINDS.filter((kind) => rules.kinds[kind].limit !== null);
  const bridging = new Int32Array(widest);
  const roots = new Int32Array(widest);
  const demoted = new Int32Array(widest);
  const demotedSlot = new Int32Array(widest);
  let nr = 0;

  /** The first limited kind the union of the current `roots` would exceed, or -1. */
  const violation = () => {
    for (let s = 0; s < L; s++) {
      let total = 0;
      for (let r = 0; r < nr; r++) total += counts[(roots[r] as number) * L + s] as number;
      if (total > (limits[s] as number)) return s;
    }
    return -1;
  };

  for (let i = 0; i < observations.length; i++) {
    const start = starts[i] as number;
    const end = starts[i + 1] as number;
    // keys come most trusted first: the last bridging key is demoted first
    let nb = 0;
    let nd = 0;
    for (let j = start; j < end; j++) {
      const idx = flat[j] as number;
      if (modes[idx] === Mode.Merge) bridging[nb++] = idx;
    }
    for (;;) {
      nr = 0;
      for (let b = 0; b < nb; b++) {
        const r = find(bridging[b] as number);
        let seen = false;
        for (let x = 0; x < nr && !seen; x++) seen = roots[x] === r;
        if (!seen) roots[nr++] = r;
      }
      if (nr <= 1) break;
      const slot = violation();
      if (slot < 0) break;
      demoted[nd] = bridging[--nb] as number;
      demotedSlot[nd++] = slot;
    }
    let target = -1;
    if (nr > 0) {
      target = roots[0] as number;
      for (let r = 1; r < nr; r++) target = union(target, roots[r] as number, i);
    }
    if (target >= 0) {
      for (let d = 0; d < nd; d++) {
        const idx = demoted[d] as number;
        const r = find(idx);
        if (r !== target) {
          const reason = `limit:${slotKind[demotedSlot[d] as number]}` as RefusalReason;
          refusals.push([reason, idx, label[r] as number, label[target] as number, i]);
        }
      }
      for (let j = start; j < end; j++) {
        const idx = flat[j] as number;
        const mode = modes[idx] as Mode;
        if (mode === Mode.Merge || mode === Mode.Outside) continue;
        const r = find(idx);
        if (r === target) continue;
        if (mode === Mode.Hub || mode === Mode.Blocked) {
          refusals.push([
            mode === Mode.Hub ? "hub" : "blocked",
            idx,
            label[r] as number,
            label[target] as number,
            i,
          ]);
          continue;
        }
        // A no-merge key joins the first person it is seen with, and never brings a person along.
        const slot = limitSlot[kinds[idx] as number] as number;
        const alone = size[r] === 1;
        if (
          alone &&
          (slot < 0 || (counts[target * L + slot] as number) < (limits[slot] as number))
        ) {
          target = union(target, r, i);
        } else {
          const reason: RefusalReason = alone
            ? `limit:${slotKind[slot] as IdentityKeyKind}`
            : mode === Mode.Role
              ? "role_mailbox"
              : "no_merge";
          refusals.push([reason, idx, label[r] as number, label[target] as number, i]);
        }
      }
    }
    for (let j = start; j < end; j++) visible[label[find(flat[j] as number)] as number] = 1;
  }

  const ids = new Map<number, string>();
  return {
    keyCount: n,
    kindOf: (idx) => KEY_KINDS[kinds[idx] as number] as IdentityKeyKind,
    valueOf: (idx) => values[idx] as string,
    indexOf: (key) => maps[kindIndex(key.kind)]?.get(key.value) ?? -1,
    modeOf: (idx) => modes[idx] as Mode,
    labelOf: (idx) => label[find(idx)] as number,
    firstSeenAt: (idx) => (observations[firstObs[idx] as number] as GraphObservation).evidence.at,
    personId(l) {
      let id = ids.get(l);
      if (id === undefined) {
        const { evidence } = observations[firstObs[l] as number] as GraphObservation;
        id = personIdFor(evidence.observationId, evidence.at, ranks[l] as number);
        ids.set(l, id);
      }
      return id;
    },
    merges,
    refusals,
    observations,
  };
}

/**
 * Marks hubs: keys seen with at least their kind's `hubThreshold` distinct keys of one of
 * `rules.hubCountedKinds`. Only keys whose raw co-occurrence count (`raw`, from pass 1) reaches the
 * threshold are counted exactly, so the common case costs nothing more.
 */
function detectHubs(
  rules: IdentityRules,
  kinds: Uint8Array,
  flat: Int32Array,
  starts: Int32Array,
  modes: Uint8Array,
  raw: Int32Array,
  counted: Uint8Array,
) {
  const threshold = KEY_KINDS.map((kind) => rules.kinds[kind].hubThreshold ?? 0);
  const obsCount = starts.length - 1;
  const n = modes.length;
  const candidate = new Uint8Array(n);
  let any = false;
  for (let idx = 0; idx < n; idx++) {
    const t = threshold[kinds[idx] as number] as number;
    if (t > 0 && (raw[idx] as number) >= t && modes[idx] !== Mode.Blocked) {
      candidate[idx] = 1;
      any = true;
    }
  }
  if (!any) return;
  // distinct (candidate, neighbour) pairs, counted per candidate and neighbour kind
  const pairs = new Set<number>();
  const K = KEY_KINDS.length;
  const distinct = new Map<number, Int32Array>();
  for (let i = 0; i < obsCount; i++) {
    const start = starts[i] as number;
    const end = starts[i + 1] as number;
    for (let j = start; j < end; j++) {
      const idx = flat[j] as number;
      if (!candidate[idx]) continue;
      for (let m = start; m < end; m++) {
        const other = flat[m] as number;
        const kind = kinds[other] as number;
        if (m === j || !counted[kind]) continue;
        const pair = idx * n + other;
        if (pairs.has(pair)) continue;
        pairs.add(pair);
        let perKind = distinct.get(idx);
        if (!perKind) {
          perKind = new Int32Array(K);
          distinct.set(idx, perKind);
        }
        perKind[kind] = (perKind[kind] as number) + 1;
        if ((perKind[kind] as number) >= (threshold[kinds[idx] as number] as number))
          modes[idx] = Mode.Hub;
      }
    }
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
  for (let idx = 0; idx < state.keyCount; idx++)
    if (state.modeOf(idx) === Mode.Hub) hubs.push(keyOf(idx));
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
