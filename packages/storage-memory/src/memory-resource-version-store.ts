import type { ResourceVersionStore } from "@revtrace/core";

/** Last applied `resource_version` per resource type and id; only an older version is stale. */
export function createMemoryResourceVersionStore(): ResourceVersionStore {
  const versions = new Map<string, number>();
  const keyOf = (type: string, id: string) => `${type}\u0000${id}`;
  return {
    async getResourceVersion(type, id) {
      return versions.get(keyOf(type, id)) ?? null;
    },
    async advanceResourceVersion(type, id, version) {
      const key = keyOf(type, id);
      const current = versions.get(key);
      // Only an older version is stale; an equal one is the same state (applied again, a no-op).
      if (current !== undefined && current > version) return false;
      versions.set(key, version);
      return true;
    },
  };
}
