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
  /** Refused merges involving `personId`. */
  listRefusals(personId: string): Promise<MergeRefusal[]>;
  /** Applies a change atomically. */
  applyIdentityChange(change: IdentityChange): Promise<void>;
  /** Erases keys (GDPR): their records and every edge touching them. */
  forgetKeys(keys: readonly IdentityKey[]): Promise<void>;
}
