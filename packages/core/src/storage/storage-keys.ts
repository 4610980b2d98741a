/**
 * Natural keys for storage engines, so that every engine dedupes identity edges and merge refusals
 * the same way.
 *
 * @module
 */
import { identityKeyId } from "../model/identity-key.js";
import type { IdentityEdge, MergeRefusal } from "./identity-store.js";

/** The natural key of an identity edge: its two key ids in sorted order, and the observation id. */
export interface IdentityEdgeKey {
  low: string;
  high: string;
  observationId: string;
}

/** An edge's natural key: the same for `a–b` and `b–a` seen in the same observation. */
export function identityEdgeKey(edge: IdentityEdge): IdentityEdgeKey {
  const a = identityKeyId(edge.a);
  const b = identityKeyId(edge.b);
  return a <= b
    ? { low: a, high: b, observationId: edge.evidence.observationId }
    : { low: b, high: a, observationId: edge.evidence.observationId };
}

/**
 * A refusal's natural key: a canonical string of its persons and keys (in sorted order), reason and
 * evidence, so that recording the same refusal twice keeps one.
 */
export function mergeRefusalKey(refusal: MergeRefusal): string {
  return JSON.stringify([
    [...refusal.personIds].sort(),
    refusal.keys.map(identityKeyId).sort(),
    refusal.reason,
    refusal.evidence.source,
    refusal.evidence.observationId,
    refusal.evidence.at,
  ]);
}
