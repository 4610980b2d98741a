import type { ResourceVersionStore } from "@revtrace/core";

/** Last applied `resource_version` per resource type and id. */
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
      if (current !== undefined && current >= version) return false;
      versions.set(key, version);
      return true;
    },
  };
}
