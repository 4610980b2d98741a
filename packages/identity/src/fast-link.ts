/**
 * The incremental link: when a new observation comes after everything stored about the persons its
 * keys belong to, and it changes no key's mode (no key becomes a hub), replaying their component
 * ends exactly like the stored persons plus one more step of the guarded union-find for this
 * observation. That step is taken here, on the persons as the store holds them
 * (`IdentityStore.readLinkState`, one read), instead of loading and replaying the component.
 *
 * It applies only when the store vouches that every identity write so far carried this resolver's
 * rules tag (so the stored persons are what a replay under these rules gives), and answers `null`
 * (replay instead) whenever a condition does not hold: a store without `readLinkState`, an
 * observation arriving out of order or linked before, a key whose mode the observation changes,
 * an inert key stored inside a larger person, two persons of the same creation time to order.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type {
  IdentityChange,
  IdentityEdge,
  IdentityEvidence,
  IdentityKey,
  IdentityKeyKind,
  IdentityKeyRecord,
  IdentityStore,
  LinkStatePerson,
  MergeRefusal,
  PersonRecord,
} from "@revtrace/core";
import { countedKinds, hubFloor, modeOfNeighbours } from "./component-loader.js";
import {
  CLASS_MODE,
  compareEvidence,
  isHub,
  Mode,
  type PersonMerge,
  personIdFor,
  type RefusalReason,
  refusalReason,
} from "./identity-graph.js";
import { type IdentityRules, KEY_KINDS } from "./identity-rules.js";
import type { KeyClass } from "./key-normalizer.js";

/** The persons of one link may hold at most this many keys together; larger ones are replayed. */
const MAX_KEYS = 1_000;

/** What {@link fastLink} decided: the change to write and the link's answer. */
export interface FastLinkOutcome {
  change: IdentityChange;
  /** The person of each accepted key (same order). */
  personIds: string[];
  /** The mode of each accepted key (same order). */
  modes: Mode[];
  merges: PersonMerge[];
  refusals: MergeRefusal[];
}

/**
 * The tag of a set of rules (see `IdentityChange.rules`): a SHA-256 digest of their JSON (patterns as
 * `/source/flags`). Short, because it travels with every identity write and read of link state: the
 * JSON itself is about 1.5 KB, and every storage call checks every string it is given.
 */
export function rulesTag(rules: IdentityRules): string {
  const json = JSON.stringify(rules, (_key, value: unknown) =>
    value instanceof RegExp ? `/${value.source}/${value.flags}` : value,
  );
  return `revtrace-identity/1:${createHash("sha256").update(json).digest("base64url")}`;
}

/** The limited kinds of a set of rules, in the replay's slot order (kind order). */
interface Limits {
  slotOf: Partial<Record<IdentityKeyKind, number>>;
  limits: number[];
  kinds: IdentityKeyKind[];
}
const limitsCache = new WeakMap<IdentityRules, Limits>();
function limitsOf(rules: IdentityRules): Limits {
  let known = limitsCache.get(rules);
  if (!known) {
    known = { slotOf: {}, limits: [], kinds: [] };
    for (const kind of KEY_KINDS) {
      const limit = rules.kinds[kind].limit;
      if (limit === null) continue;
      known.slotOf[kind] = known.limits.length;
      known.limits.push(limit);
      known.kinds.push(kind);
    }
    limitsCache.set(rules, known);
  }
  return known;
}

/** Two stored persons created at the same time: their order needs the replay. */
class Tie extends Error {}

/** A person of the step: a stored one, or one founded by a new key of this observation. */
interface Label {
  stored: LinkStatePerson | null;
  /** For a new key's person: the key and its rank in the observation (most trusted first). */
  key: IdentityKey | null;
  rank: number;
  id: string | null;
}

const inert = (mode: Mode) => isHub(mode) || mode === Mode.Blocked;

/**
 * Links `accepted` (normalized, unique, most trusted first, with their classes) with `edges` (the
 * observation's pending edges) incrementally, or answers `null` when the component must be
 * replayed.
 */
export async function fastLink(
  store: IdentityStore,
  rules: IdentityRules,
  tag: string,
  accepted: readonly IdentityKey[],
  classes: readonly KeyClass[],
  evidence: IdentityEvidence,
  edges: readonly IdentityEdge[],
): Promise<FastLinkOutcome | null> {
  if (!store.readLinkState) return null;
  const n = accepted.length;
  // each key is in n - 1 of the observation's edges (a single key: its self-edge)
  const pendingPerKey = n === 1 ? 1 : n - 1;
  const floors: number[] = [];
  const neighboursFrom: number[] = [];
  for (const key of accepted) {
    const floor = hubFloor(rules, key.kind);
    floors.push(floor);
    neighboursFrom.push(Math.max(0, floor - pendingPerKey));
  }
  const state = await store.readLinkState(accepted, {
    rules: tag,
    observationId: evidence.observationId,
    neighboursFrom,
    maxKeys: MAX_KEYS,
  });
  if (!state) return null;
  // after every stored observation of these persons, in canonical order
  for (const e of state.latest) if (compareEvidence(evidence, e) <= 0) return null;

  const modes: Mode[] = [];
  for (let i = 0; i < n; i++) {
    const key = accepted[i] as IdentityKey;
    const info = state.keys[i];
    if (!info || info.seen || (info.record === null) !== (info.edges === 0)) return null;
    const cls = classes[i] as KeyClass;
    if (info.edges + pendingPerKey < (floors[i] as number)) {
      modes.push(CLASS_MODE[cls]);
      continue;
    }
    // a possible hub: its mode before and after this observation, from every neighbour
    const stored = info.neighbours ?? [];
    if (stored.length !== info.edges) return null;
    const counted = countedKinds(rules);
    const others = [...stored];
    if (n === 1) others.push(key);
    else for (let j = 0; j < n; j++) if (j !== i) others.push(accepted[j] as IdentityKey);
    const after = modeOfNeighbours(rules, counted, key, cls, others);
    if (info.record && modeOfNeighbours(rules, counted, key, cls, stored) !== after) return null;
    modes.push(after);
  }
  try {
    return new Step(rules, accepted, evidence, modes, state.keys, state.persons).outcome(
      edges,
      tag,
    );
  } catch (error) {
    if (error instanceof Tie) return null;
    throw error;
  }
}

/**
 * The guarded union-find step of one observation (the replay's pass 2, same order of checks), on the
 * stored persons and the observation's new keys. A class: a link allocates no closures.
 */
class Step {
  readonly labels: Label[] = [];
  readonly parent: number[] = [];
  readonly size: number[] = [];
  readonly label: number[] = [];
  readonly counts: number[][] = [];
  readonly nodeOfKey: number[] = [];
  /** Survivor and absorbed labels of each merge, in order. */
  readonly merges: [number, number][] = [];
  /** Reason, key index and the two person labels of each refusal, in order. */
  readonly refusals: [RefusalReason, number, number, number][] = [];
  readonly limits: Limits;
  /** Whether the stored state allows the step (else replay). */
  ok = true;

  constructor(
    rules: IdentityRules,
    readonly accepted: readonly IdentityKey[],
    readonly evidence: IdentityEvidence,
    readonly modes: readonly Mode[],
    keys: readonly { record: IdentityKeyRecord | null }[],
    persons: readonly LinkStatePerson[],
  ) {
    this.limits = limitsOf(rules);
    const { slotOf, limits } = this.limits;
    const L = limits.length;
    const nodeOfPerson = new Map<string, number>();
    for (const p of persons) {
      if (p.person.mergedInto !== null) {
        this.ok = false;
        return;
      }
      const c = new Array<number>(L).fill(0);
      for (const record of p.keys) {
        const slot = slotOf[record.key.kind];
        if (slot !== undefined) c[slot] = (c[slot] as number) + 1;
      }
      nodeOfPerson.set(
        p.person.id,
        this.add({ stored: p, key: null, rank: -1, id: p.person.id }, p.keys.length, c),
      );
    }
    for (let i = 0; i < accepted.length; i++) {
      const key = accepted[i] as IdentityKey;
      const record = (keys[i] as { record: IdentityKeyRecord | null }).record;
      if (record) {
        const node = nodeOfPerson.get(record.personId) as number;
        // an inert key (hub, blocked) stands alone; stored inside a larger person, it must split
        if (inert(modes[i] as Mode) && this.size[node] !== 1) this.ok = false;
        this.nodeOfKey.push(node);
        continue;
      }
      const c = new Array<number>(L).fill(0);
      const slot = slotOf[key.kind];
      if (slot !== undefined) c[slot] = 1;
      this.nodeOfKey.push(this.add({ stored: null, key, rank: i, id: null }, 1, c));
    }
  }

  add(label: Label, size: number, counts: number[]): number {
    const node = this.labels.length;
    this.labels.push(label);
    this.parent.push(node);
    this.size.push(size);
    this.label.push(node);
    this.counts.push(counts);
    return node;
  }

  find(x: number): number {
    const { parent } = this;
    let i = x;
    while (parent[i] !== i) {
      const g = parent[parent[i] as number] as number;
      parent[i] = g;
      i = g;
    }
    return i;
  }

  idOf(l: number): string {
    const lab = this.labels[l] as Label;
    lab.id ??= personIdFor(this.evidence, lab.key as IdentityKey);
    return lab.id;
  }

  /** Whether label `a` is older: stored persons by creation time, before this observation's. */
  older(a: number, b: number): boolean {
    const x = this.labels[a] as Label;
    const y = this.labels[b] as Label;
    if (x.stored && y.stored) {
      const ca = x.stored.person.createdAt;
      const cb = y.stored.person.createdAt;
      if (ca === cb) throw new Tie();
      return ca < cb;
    }
    if (x.stored || y.stored) return x.stored !== null;
    return x.rank < y.rank;
  }

  union(a: number, b: number): number {
    const { label, size, counts } = this;
    const la = label[a] as number;
    const lb = label[b] as number;
    const aOlder = this.older(la, lb);
    const survivor = aOlder ? la : lb;
    const absorbed = aOlder ? lb : la;
    // the persons stored before this observation are the visible ones
    if ((this.labels[absorbed] as Label).stored) this.merges.push([survivor, absorbed]);
    const aBigger = (size[a] as number) >= (size[b] as number);
    const root = aBigger ? a : b;
    const child = aBigger ? b : a;
    this.parent[child] = root;
    size[root] = (size[root] as number) + (size[child] as number);
    label[root] = survivor;
    const rc = counts[root] as number[];
    const cc = counts[child] as number[];
    for (let s = 0; s < rc.length; s++) rc[s] = (rc[s] as number) + (cc[s] as number);
    return root;
  }

  run(): void {
    const { accepted, modes, nodeOfKey, counts, label, refusals } = this;
    const { slotOf, limits, kinds: slotKind } = this.limits;
    const L = limits.length;
    const n = accepted.length;
    const bridging: number[] = [];
    for (let i = 0; i < n; i++) if (modes[i] === Mode.Merge) bridging.push(i);
    let nb = bridging.length;
    const demoted: [number, number][] = [];
    let roots: number[] = [];
    for (;;) {
      roots = [];
      for (let b = 0; b < nb; b++) {
        const r = this.find(nodeOfKey[bridging[b] as number] as number);
        if (!roots.includes(r)) roots.push(r);
      }
      if (roots.length <= 1) break;
      // the first limited kind the union of the roots would exceed
      let slot = -1;
      for (let s = 0; s < L && slot < 0; s++) {
        let total = 0;
        for (const r of roots) total += (counts[r] as number[])[s] as number;
        if (total > (limits[s] as number)) slot = s;
      }
      if (slot < 0) break;
      demoted.push([bridging[--nb] as number, slot]);
    }
    if (roots.length === 0) return;
    let target = roots[0] as number;
    for (let r = 1; r < roots.length; r++) target = this.union(target, roots[r] as number);
    for (const [i, slot] of demoted) {
      const r = this.find(nodeOfKey[i] as number);
      if (r !== target)
        refusals.push([
          `limit:${slotKind[slot] as IdentityKeyKind}`,
          i,
          label[r] as number,
          label[target] as number,
        ]);
    }
    for (let i = 0; i < n; i++) {
      const mode = modes[i] as Mode;
      if (mode === Mode.Merge) continue;
      const r = this.find(nodeOfKey[i] as number);
      if (r === target) continue;
      if (inert(mode)) {
        const reason =
          mode === Mode.Hub ? "hub" : mode === Mode.VisitorHub ? "hub:anonymous_id" : "blocked";
        refusals.push([reason, i, label[r] as number, label[target] as number]);
        continue;
      }
      // a no-merge key joins the first person it is seen with, and never brings a person along
      const slot = slotOf[(accepted[i] as IdentityKey).kind] ?? -1;
      const alone = this.size[r] === 1;
      if (
        alone &&
        (slot < 0 || ((counts[target] as number[])[slot] as number) < (limits[slot] as number))
      ) {
        target = this.union(target, r);
      } else {
        const reason = refusalReason(alone, slotKind[slot] as IdentityKeyKind, mode);
        refusals.push([reason, i, label[r] as number, label[target] as number]);
      }
    }
  }

  /** The person id a node ends in. */
  finalId(node: number): string {
    return this.idOf(this.label[this.find(node)] as number);
  }

  evidenceCopy(): IdentityEvidence {
    const { source, observationId, at } = this.evidence;
    return { source, observationId, at };
  }

  /** Runs the step and plans the change (as `planIdentityChange` would), or `null`. */
  outcome(edges: readonly IdentityEdge[], tag: string): FastLinkOutcome | null {
    if (!this.ok) return null;
    this.run();
    const { accepted, evidence, labels, nodeOfKey } = this;
    const at = evidence.at;
    const n = accepted.length;
    const changedKeys: IdentityKeyRecord[] = [];
    const changedPersons: PersonRecord[] = [];
    for (let node = 0; node < labels.length; node++) {
      const lab = labels[node] as Label;
      if (lab.stored) {
        // a stored person absorbed: its keys move
        const into = this.finalId(node);
        if (into === lab.stored.person.id) continue;
        for (const record of lab.stored.keys)
          changedKeys.push({ key: record.key, personId: into, firstSeenAt: record.firstSeenAt });
      } else if (this.label[this.find(node)] === node) {
        // a person founded by this observation, still live
        changedPersons.push({
          id: this.idOf(node),
          createdAt: at,
          mergedInto: null,
          mergedAt: null,
        });
      }
    }
    for (let i = 0; i < n; i++) {
      if ((labels[nodeOfKey[i] as number] as Label).key !== accepted[i]) continue;
      changedKeys.push({
        key: accepted[i] as IdentityKey,
        personId: this.finalId(nodeOfKey[i] as number),
        firstSeenAt: at,
      });
    }
    const absorbedDone = new Set<number>();
    for (const [, absorbed] of this.merges) {
      if (absorbedDone.has(absorbed)) continue;
      absorbedDone.add(absorbed);
      const { person } = (labels[absorbed] as Label).stored as LinkStatePerson;
      changedPersons.push({
        id: person.id,
        createdAt: person.createdAt,
        mergedInto: this.finalId(absorbed),
        mergedAt: at,
      });
    }
    const refusals: MergeRefusal[] = [];
    const answered: MergeRefusal[] = [];
    for (const [reason, i, a, b] of this.refusals) {
      const { kind, value } = accepted[i] as IdentityKey;
      const personIds = [this.idOf(a), this.idOf(b)];
      refusals.push({ personIds, keys: [{ kind, value }], reason, evidence: this.evidenceCopy() });
      answered.push({
        personIds: [...personIds],
        keys: [{ kind, value }],
        reason,
        evidence: this.evidenceCopy(),
      });
    }
    const change: IdentityChange = { rules: tag };
    if (changedPersons.length > 0) change.persons = changedPersons;
    if (changedKeys.length > 0) change.keys = changedKeys;
    if (edges.length > 0) change.edges = edges;
    if (refusals.length > 0) change.refusals = refusals;
    const personIds: string[] = [];
    for (const node of nodeOfKey) personIds.push(this.finalId(node));
    const merges: PersonMerge[] = [];
    for (const [s, a] of this.merges)
      merges.push({
        survivor: this.idOf(s),
        absorbed: this.idOf(a),
        at,
        observationId: evidence.observationId,
        source: evidence.source,
      });
    return { change, personIds, modes: [...this.modes], merges, refusals: answered };
  }
}
