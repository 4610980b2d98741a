import type { IdentityKey } from "../model/identity-key.js";

/** Why two keys were seen together. */
export interface IdentityEvidence {
  /** Where the observation came from: `lead_form`, `checkout`, `chargebee_webhook`, … */
  source: string;
  /** The observation's id (form submission id, Chargebee event id, …). */
  observationId: string;
  /** Epoch milliseconds. */
  at: number;
}

/** An edge of the identity graph: two keys seen in one observation. */
export interface IdentityEdge {
  a: IdentityKey;
  b: IdentityKey;
  evidence: IdentityEvidence;
}

/** Which person a key currently belongs to. */
export interface IdentityKeyRecord {
  key: IdentityKey;
  personId: string;
  /** Epoch milliseconds of the first observation of the key. */
  firstSeenAt: number;
}

/** A person (a connected component of the graph). A merged-away person points at the survivor. */
export interface PersonRecord {
  id: string;
  createdAt: number;
  mergedInto: string | null;
  mergedAt: number | null;
}

/** A merge the resolver refused, kept with its reason. */
export interface MergeRefusal {
  personIds: readonly string[];
  keys: readonly IdentityKey[];
  reason: string;
  evidence: IdentityEvidence;
}

/** Everything one `link` changes, applied atomically. */
export interface IdentityChange {
  /** New or updated persons (upsert by id). */
  persons?: readonly PersonRecord[];
  /** New or re-pointed keys (upsert by key). */
  keys?: readonly IdentityKeyRecord[];
  /** New edges (idempotent on both keys + observation id). */
  edges?: readonly IdentityEdge[];
  refusals?: readonly MergeRefusal[];
  /**
   * The writer's rules tag: a fingerprint of the rules the persons were derived under (the resolver
   * sets it on every write). A store implementing {@link IdentityStore.readLinkState} remembers
   * whether every write so far carried one same tag; a write without one (or with another) ends that.
   */
  rules?: string | undefined;
}

/** A query of {@link IdentityStore.readLinkState}. */
export interface LinkStateQuery {
  /** The caller's rules tag (see {@link IdentityChange.rules}). */
  rules: string;
  /** The id of the observation about to be linked (see {@link LinkStateKey.seen}). */
  observationId: string;
  /** Per key (same order): list its neighbours when it has at least this many edges. */
  neighboursFrom: readonly number[];
  /** Answer `null` when the persons of the keys hold more keys than this, together. */
  maxKeys: number;
}

/** What {@link IdentityStore.readLinkState} knows of one key. */
export interface LinkStateKey {
  record: IdentityKeyRecord | null;
  /** How many stored edges touch it. */
  edges: number;
  /**
   * The other key of each of its edges (the key itself for a self-edge), in any order, when it has at
   * least its `neighboursFrom` edges; otherwise `null`.
   */
  neighbours: IdentityKey[] | null;
  /** Whether a stored edge of the query's observation id touches it. */
  seen: boolean;
}

/** A person of {@link LinkState}: its record and every key pointing at it. */
export interface LinkStatePerson {
  person: PersonRecord;
  keys: IdentityKeyRecord[];
}

/** The answer of {@link IdentityStore.readLinkState}. */
export interface LinkState {
  /** Per queried key, same order. */
  keys: LinkStateKey[];
  /** The persons the known keys point at, once each. */
  persons: LinkStatePerson[];
  /**
   * The evidences (distinct, any order) of the latest observation time among the stored edges touching
   * any key of `persons`; empty when there is none.
   */
  latest: IdentityEvidence[];
}

/** A query of {@link IdentityStore.listEarliestEdges}. */
export interface EarliestEdgesQuery {
  /** How many distinct observation times (`evidence.at`) to return the edges of (at least 1). */
  times: number;
  /** Only edges observed strictly after this time (epoch ms): the next page. */
  after?: number | undefined;
}

/** Storage of the identity graph, used by `@revtrace/identity`'s resolver. */
export interface IdentityStore {
  /** The records of those `keys` that are known. */
  findKeys(keys: readonly IdentityKey[]): Promise<IdentityKeyRecord[]>;
  getPerson(id: string): Promise<PersonRecord | null>;
  /** Every key currently pointing at `personId`. */
  listPersonKeys(personId: string): Promise<IdentityKeyRecord[]>;
  /** Every edge touching any of `keys`. */
  listEdges(keys: readonly IdentityKey[]): Promise<IdentityEdge[]>;
  /**
   * Every edge touching `key` at its earliest `query.times` distinct times after `query.after`: whole
   * times, so a page never splits an observation, in any order. Lets the resolver read a key shared
   * by thousands of persons (an affiliate ref) without reading its whole edge list. Optional: without
   * it the resolver filters `listEdges` (same answers, slower).
   */
  listEarliestEdges?(key: IdentityKey, query: EarliestEdgesQuery): Promise<IdentityEdge[]>;
  /**
   * Every edge touching any of `keys` whose observation id is one of `observationIds`. Optional,
   * like `listEarliestEdges`.
   */
  listObservationEdges?(
    keys: readonly IdentityKey[],
    observationIds: readonly string[],
  ): Promise<IdentityEdge[]>;
  /**
   * Everything a link of a new observation needs to extend the stored persons in place instead of
   * replaying their component, in one read: the keys' records and edge counts, their persons with
   * every key, and the latest evidence touching those persons. Optional: without it (or when it
   * answers `null`) the resolver replays. Answers `null` unless every identity write so far carried
   * the query's rules tag (see {@link IdentityChange.rules}), and when `maxKeys` is exceeded.
   */
  readLinkState?(keys: readonly IdentityKey[], query: LinkStateQuery): Promise<LinkState | null>;
  /** Refused merges involving `personId`. */
  listRefusals(personId: string): Promise<MergeRefusal[]>;
  /** Applies a change atomically. */
  applyIdentityChange(change: IdentityChange): Promise<void>;
  /**
   * Erases keys (GDPR): their records and every edge touching them. `options.rules`: the caller's
   * rules tag (see {@link IdentityChange.rules}); the caller re-derives the persons involved.
   */
  forgetKeys(keys: readonly IdentityKey[], options?: { rules?: string | undefined }): Promise<void>;
}
