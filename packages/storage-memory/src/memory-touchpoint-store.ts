import type { Touchpoint, TouchpointStore } from "@revtrace/core";

const DEFAULT_LIMIT = 1000;

const byTimeThenId = (a: Touchpoint, b: Touchpoint) =>
  a.occurredAt - b.occurredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Touchpoints by id, plus a per-visitor list kept sorted by time. */
export function createMemoryTouchpointStore(): TouchpointStore {
  const byId = new Map<string, Touchpoint>();
  const byVisitor = new Map<string, Touchpoint[]>();

  return {
    async addTouchpoints(touchpoints) {
      for (const tp of touchpoints) {
        if (byId.has(tp.id)) continue;
        const copy = structuredClone(tp);
        byId.set(tp.id, copy);
        const list = byVisitor.get(tp.anonymousId) ?? [];
        byVisitor.set(tp.anonymousId, list);
        // Binary insertion keeps the list ordered by (occurredAt, id).
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (byTimeThenId(list[mid] as Touchpoint, copy) < 0) lo = mid + 1;
          else hi = mid;
        }
        list.splice(lo, 0, copy);
      }
    },
    async getTouchpoint(id) {
      const tp = byId.get(id);
      return tp ? structuredClone(tp) : null;
    },
    async listTouchpoints({ anonymousIds, range, limit = DEFAULT_LIMIT }) {
      const out: Touchpoint[] = [];
      for (const id of new Set(anonymousIds)) {
        for (const tp of byVisitor.get(id) ?? []) {
          if (tp.occurredAt > range.to) break;
          if (tp.occurredAt >= range.from) out.push(tp);
        }
      }
      out.sort(byTimeThenId);
      return out.slice(0, limit).map((tp) => structuredClone(tp));
    },
  };
}
