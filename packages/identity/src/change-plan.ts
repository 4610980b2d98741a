/**
 * Turns a replay of a component into the smallest `IdentityChange` that makes the store agree with
 * it: re-pointed keys, new (or revived) persons, absorbed persons pointing at their survivor.
 *
 * @module
 */
import type { IdentityChange, IdentityEdge, IdentityKeyRecord, PersonRecord } from "@revtrace/core";
import type { LoadedComponent } from "./component-loader.js";
import { type GraphObservation, Mode, type ReplayState } from "./identity-graph.js";

/** Inputs of {@link planIdentityChange}. */
export interface PlanInput {
  state: ReplayState;
  loaded: LoadedComponent;
  /** The store's records of the loaded keys, by key id. */
  stored: ReadonlyMap<string, IdentityKeyRecord>;
  /**
   * The store's person records of those keys' persons, by id (`null`: none stored). A live person
   * whose stored record disagrees with the replay is written again: two resolvers writing one
   * component at once can leave a record written from a stale read (a later `createdAt`, a merge
   * the other writer undid), and its keys alone would never show it.
   */
  storedPersons: ReadonlyMap<string, PersonRecord | null>;
  /** Edges to write. */
  edges: readonly IdentityEdge[];
  /**
   * Merges at or after this observation index are (re)written: the observations whose outcome the
   * change may have created or altered. `Infinity` writes none (erasure).
   */
  fromObservation: number;
  /** Epoch ms, for persons that vanish without a recorded merge. */
  now: number;
}

/**
 * The plan: the change, and the stored persons that no replayed person or merge accounts for (a split
 * or an erasure), each with the person now holding most of its loaded keys. The caller merges one
 * into that person only once it knows every key of it was loaded: keys reached only through a key
 * that never merges are not loaded, and a person still holding such a key stays live through it.
 */
export interface IdentityPlan {
  change: IdentityChange;
  orphans: PersonRecord[];
}

/** Plans the change; the caller settles the orphans, adds refusals and applies it. */
export function planIdentityChange(input: PlanInput): IdentityPlan {
  const { state, loaded, stored, fromObservation, now } = input;
  const keys: IdentityKeyRecord[] = [];
  const live = new Map<string, number>(); // person id -> label
  const storedLive = new Map<string, string[]>(); // stored person id -> its stored key ids
  const liveOfKey = new Map<string, string>();

  for (const [id, { key }] of loaded.keys) {
    const record = stored.get(id);
    if (record) {
      const list = storedLive.get(record.personId);
      if (list) list.push(id);
      else storedLive.set(record.personId, [id]);
    }
    const idx = state.indexOf(key);
    if (idx < 0 || state.modeOf(idx) === Mode.Outside) continue;
    const label = state.labelOf(idx);
    const personId = state.personId(label);
    const firstSeenAt = state.firstSeenAt(idx);
    live.set(personId, label);
    liveOfKey.set(id, personId);
    if (record?.personId !== personId || record.firstSeenAt !== firstSeenAt) {
      keys.push({ key, personId, firstSeenAt });
    }
  }

  const persons = new Map<string, PersonRecord>();
  for (const [id, label] of live) {
    const createdAt = state.firstSeenAt(label);
    const record = input.storedPersons.get(id);
    const agrees =
      storedLive.has(id) &&
      record !== undefined &&
      record !== null &&
      record.createdAt === createdAt &&
      record.mergedInto === null;
    if (!agrees) persons.set(id, { id, createdAt, mergedInto: null, mergedAt: null });
  }

  // Where each absorbed person went, and when (the first time it was absorbed).
  const absorbedAt = new Map<
    string,
    { into: string; at: number; obs: number; createdAt: number }
  >();
  for (const [, absorbed, obs] of state.merges) {
    const id = state.personId(absorbed);
    if (absorbedAt.has(id) || live.has(id)) continue;
    absorbedAt.set(id, {
      into: state.personId(state.labelOf(absorbed)),
      at: (state.observations[obs] as GraphObservation).evidence.at,
      obs,
      createdAt: state.firstSeenAt(absorbed),
    });
  }
  for (const [id, merge] of absorbedAt) {
    if (merge.obs < fromObservation && !storedLive.has(id)) continue;
    persons.set(id, { id, createdAt: merge.createdAt, mergedInto: merge.into, mergedAt: merge.at });
  }

  // Stored persons that no replayed person or merge accounts for (a split or an erasure): they would
  // point at the person now holding most of their keys (see `IdentityPlan.orphans`).
  const orphans: PersonRecord[] = [];
  for (const [id, keyIds] of storedLive) {
    if (live.has(id) || persons.has(id)) continue;
    const votes = new Map<string, number>();
    for (const keyId of keyIds) {
      const to = liveOfKey.get(keyId);
      if (to) votes.set(to, (votes.get(to) ?? 0) + 1);
    }
    let best: string | undefined;
    for (const [to, count] of votes) {
      const bestCount = best === undefined ? -1 : (votes.get(best) as number);
      if (count > bestCount || (count === bestCount && to < (best as string))) best = to;
    }
    if (best === undefined) continue;
    const createdAt = Math.min(
      ...keyIds.map((k) => (stored.get(k) as IdentityKeyRecord).firstSeenAt),
    );
    orphans.push({ id, createdAt, mergedInto: best, mergedAt: now });
  }

  const edges = input.edges.filter((edge) => !loaded.isStored(edge));
  const change: IdentityChange = {};
  if (persons.size > 0) change.persons = [...persons.values()];
  if (keys.length > 0) change.keys = keys;
  if (edges.length > 0) change.edges = edges;
  return { change, orphans };
}
