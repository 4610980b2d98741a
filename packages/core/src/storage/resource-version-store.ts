/** Remembers the last applied Chargebee `resource_version` per resource, to drop stale events. */
export interface ResourceVersionStore {
  /** The last applied version of `resourceType`/`id`, or `null`. */
  getResourceVersion(resourceType: string, id: string): Promise<number | null>;
  /**
   * Records `version` when it is newer than the stored one (atomically). Returns `true` when it was
   * applied, `false` when the stored version is the same or newer (the event is stale).
   */
  advanceResourceVersion(resourceType: string, id: string, version: number): Promise<boolean>;
}
