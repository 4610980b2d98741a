/**
 * Remembers the last applied Chargebee `resource_version` per resource, so that an older STATE of a
 * resource (a subscription, a customer) never overwrites a newer one. It never decides whether an
 * event is processed: a late `payment_succeeded` or `payment_refunded` is still money and is still
 * counted, whatever its versions say (dedupe is by event id, in the inbox or receipts).
 *
 * One rule of staleness, the same as `isStaleVersion` in `@revtrace/chargebee`: only an OLDER version
 * is stale. An equal version is the same state (Chargebee bumps the version on every change; two events
 * of one change carry the same one) and applying it again is a no-op.
 */
export interface ResourceVersionStore {
  /** The last applied version of `resourceType`/`id`, or `null`. */
  getResourceVersion(resourceType: string, id: string): Promise<number | null>;
  /**
   * Atomically records `version` when it is newer than the stored one. Returns `true` when the state
   * it versions may be applied: the version is newer (now stored) or equal (stored already; applying
   * the same state again is a no-op). Returns `false` only when the stored version is newer: that
   * state is stale, skip applying it, and nothing else. Never use the result to drop money.
   */
  advanceResourceVersion(resourceType: string, id: string, version: number): Promise<boolean>;
}
