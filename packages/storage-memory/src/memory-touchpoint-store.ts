import type { Touchpoint, TouchpointStore } from "@revtrace/core";
import { jsonCopy } from "./memory-json.js";

const DEFAULT_LIMIT = 1000;

/** Code-point order (UTF-8 byte order), as SQL engines compare text in binary collation. */
const compareIds = (a: string, b: string): number => {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
};

const byTimeThenId = (a: Touchpoint, b: Touchpoint) =>
  a.occurredAt - b.occurredAt || compareIds(a.id, b.id);

/** Touchpoints by id, plus a per-visitor list kept sorted by time. */
export function createMemoryTouchpointStore(): TouchpointStore {
  const byId = new Map<string, Touchpoint>();
  const byVisitor = new Map<string, Touchpoint[]>();

  return {
    async addTouchpoints(touchpoints) {
      // Every touchpoint is copied before the first is stored: one that cannot be stored fails the batch.
      for (const copy of touchpoints.map((tp, i) => jsonCopy(tp, `touchpoints.${i}`))) {
        if (byId.has(copy.id)) continue;
        byId.set(copy.id, copy);
        const list = byVisitor.get(copy.anonymousId) ?? [];
        byVisitor.set(copy.anonymousId, list);
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
