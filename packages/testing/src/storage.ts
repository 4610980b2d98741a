/**
 * The storage conformance suite. Every revtrace storage engine (memory, SQLite, PostgreSQL, or your
 * own) must pass it: call {@link runStorageConformance} from a vitest test file with a factory that
 * returns a fresh, migrated `Storage`.
 *
 * @example
 * // test/conformance.test.ts
 * import { createMemoryStorage } from "@revtrace/storage-memory";
 * import { runStorageConformance } from "@revtrace/testing/storage";
 *
 * runStorageConformance("memory", () => createMemoryStorage());
 *
 * @module
 */
import {
  type Commission,
  type IdentityChange,
  type IdentityEdge,
  type IdentityKey,
  type IdentityKeyRecord,
  identityKeyId,
  type MergeRefusal,
  type OutboxItem,
  type PersonRecord,
  type Storage,
  StorageError,
  type Touchpoint,
} from "@revtrace/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  inboxEvent,
  isStorageError,
  outboxItem,
  range,
  rejectsEach,
  type StorageConformanceContext,
  T0,
} from "./storage-fixtures.js";
import { inboxConformance } from "./storage-inbox.js";
import { describeMappingConformance } from "./storage-mappings.js";

/** Returns a fresh storage, already migrated, holding no data. Called once per test. */
export type StorageFactory = () => Storage | Promise<Storage>;

/** Engine-specific hooks of {@link runStorageConformance}. */
export interface StorageConformanceOptions {
  /**
   * Opens a second `Storage` on the same database as `storage` (another connection or pool, as a
   * second process would). When given, the suite also races receipt claims, outbox claims and acks,
   * ledger appends and resource versions across the two. The suite closes what it returns.
   * @default undefined (cross-connection tests are not run)
   */
  connect?: (storage: Storage) => Storage | Promise<Storage>;
  /**
   * How many calls race against each other in the concurrency tests.
   * @default 50
   */
  concurrency?: number;
  /**
   * Timeout of each test in milliseconds, for engines whose factory is slow (a schema per test).
   * @default 20000
   */
  timeoutMs?: number;
}

/** A deterministic pseudo-random generator (mulberry32), so a failing randomized test replays. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Binary (code-point) order of ASCII ids, as the interface specifies. */
const byTimeThenId = (a: Touchpoint, b: Touchpoint) =>
  a.occurredAt - b.occurredAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function touchpoint(id: string, anonymousId: string, occurredAt: number): Touchpoint {
  return { id, anonymousId, occurredAt, clickIds: {}, utm: {}, channel: "direct" };
}

/** A touchpoint with every optional field set, for round-trip checks. */
function fullTouchpoint(id: string): Touchpoint {
  return {
    id,
    anonymousId: "anon-full",
    occurredAt: T0,
    clickIds: {
      ttclid: "E.C.P.abc123",
      gclid: "Cj0KCQ",
      fbclid: "IwAR3",
      msclkid: "m5c",
      affiliateClickId: "afc_9",
      affiliateRef: "partner-7",
    },
    utm: { source: "tiktok", medium: "cpc", campaign: "spring", term: "crm", content: "video-1" },
    referrer: "https://www.tiktok.com/",
    landingPage: "https://shop.example/pricing?ttclid=E.C.P.abc123&utm_source=tiktok",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) — “quotes” ünïcödé 🚀",
    ip: "2001:db8::1",
    ttp: "2Xy_ttp.cookie",
    channel: "affiliate",
  };
}

function commission(
  key: string,
  partnerId: string,
  amount: number,
  extra: Partial<Commission> = {},
): Commission {
  return {
    key,
    partnerId,
    programId: "default",
    kind: "earned",
    amount: { amount, currency: "USD" },
    transactionId: `txn_${key}`,
    refundTransactionId: null,
    subscriptionId: "sub_1",
    customerId: "cus_1",
    occurredAt: T0,
    note: "20% of 100.00 USD",
    ...extra,
  };
}

const key = (kind: IdentityKey["kind"], value: string): IdentityKey => ({ kind, value });
const person = (id: string, createdAt: number, merged?: [string, number]): PersonRecord => ({
  id,
  createdAt,
  mergedInto: merged?.[0] ?? null,
  mergedAt: merged?.[1] ?? null,
});
const byKeyId = (a: { key: IdentityKey }, b: { key: IdentityKey }) =>
  identityKeyId(a.key) < identityKeyId(b.key) ? -1 : 1;
const edgeOrder = (a: IdentityEdge, b: IdentityEdge) =>
  JSON.stringify([a.a, a.b, a.evidence]) < JSON.stringify([b.a, b.b, b.evidence]) ? -1 : 1;

/**
 * Registers the storage conformance tests (vitest `describe`/`it`) for one engine.
 *
 * @param name - shown in the test names (`storage conformance: <name>`).
 * @param factory - returns a fresh, migrated, empty storage; called once per test. The suite closes
 *   every storage it gets.
 * @param options - engine-specific hooks, such as a second connection for cross-connection races.
 */
export function runStorageConformance(
  name: string,
  factory: StorageFactory,
  options: StorageConformanceOptions = {},
): void {
  const concurrency = options.concurrency ?? 50;
  const timeout = options.timeoutMs ?? 20_000;
  const connect = options.connect;

  describe(`storage conformance: ${name}`, { timeout }, () => {
    const opened: Storage[] = [];
    afterEach(async () => {
      // Second connections first, then the storages they were opened on.
      for (const storage of opened.splice(0).reverse()) await storage.close();
    });

    const open = async (): Promise<Storage> => {
      const storage = await factory();
      opened.push(storage);
      return storage;
    };
    /** Two storages on one database; only called from tests registered when `connect` is given. */
    const openPair = async (): Promise<[Storage, Storage]> => {
      const first = await open();
      const second = await (connect as NonNullable<typeof connect>)(first);
      opened.push(second);
      return [first, second];
    };
    /** Registers a cross-connection test only when the engine can open a second connection. */
    const crossConnection = (title: string, fn: () => Promise<void>) => {
      if (connect) it(title, fn);
    };
    const context: StorageConformanceContext = { open, openPair, crossConnection, concurrency };

    inboxConformance(context);

    describe("receipts", () => {
      it("lets the first claim of a key win and keeps the first receipt", async () => {
        const s = await open();
        const first = { key: "chargebee:ev_1", type: "payment_succeeded", receivedAt: T0 };
        expect(await s.claimReceipt(first)).toBe(true);
        expect(await s.claimReceipt({ ...first, type: "other", receivedAt: T0 + 5 })).toBe(false);
        expect(await s.claimReceipt(first)).toBe(false);
        expect(await s.getReceipt("chargebee:ev_1")).toEqual(first);
        expect(await s.claimReceipt({ ...first, key: "chargebee:ev_2" })).toBe(true);
      });

      it("returns null for an unknown receipt", async () => {
        const s = await open();
        expect(await s.getReceipt("chargebee:ev_unknown")).toBeNull();
      });

      it("has exactly one winner among concurrent claims of one key", async () => {
        const s = await open();
        const results = await Promise.all(
          range(concurrency).map((i) =>
            s.claimReceipt({ key: "chargebee:ev_race", type: "t", receivedAt: T0 + i }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect(await s.getReceipt("chargebee:ev_race")).toEqual({
          key: "chargebee:ev_race",
          type: "t",
          receivedAt: T0 + winner,
        });
      });

      it("lets every concurrent claim of distinct keys win", async () => {
        const s = await open();
        const results = await Promise.all(
          range(concurrency).map((i) =>
            s.claimReceipt({ key: `chargebee:ev_${i}`, type: "t", receivedAt: T0 }),
          ),
        );
        expect(results.every(Boolean)).toBe(true);
      });

      crossConnection(
        "has exactly one winner per key among concurrent claims from two connections",
        async () => {
          const [a, b] = await openPair();
          const keys = range(5).map((k) => `chargebee:ev_x${k}`);
          const claims = keys.flatMap((k) =>
            range(concurrency).map((i) => ({ k, on: i % 2 === 0 ? a : b, i })),
          );
          const results = await Promise.all(
            claims.map(({ k, on, i }) =>
              on.claimReceipt({ key: k, type: "t", receivedAt: T0 + i }),
            ),
          );
          for (const k of keys) {
            const winners = claims.filter((c, n) => c.k === k && results[n]);
            expect(winners, k).toHaveLength(1);
            const receipt = { key: k, type: "t", receivedAt: T0 + (winners[0]?.i ?? -1) };
            expect(await a.getReceipt(k)).toEqual(receipt);
            expect(await b.getReceipt(k)).toEqual(receipt);
          }
        },
      );
    });

    describe("touchpoints", () => {
      it("stores and returns a touchpoint field for field; unknown ids are null", async () => {
        const s = await open();
        const tp = fullTouchpoint("tp_full");
        await s.addTouchpoints([tp]);
        expect(await s.getTouchpoint("tp_full")).toEqual(tp);
        expect(await s.getTouchpoint("tp_unknown")).toBeNull();
        expect(
          await s.listTouchpoints({ anonymousIds: ["anon-full"], range: { from: T0, to: T0 } }),
        ).toEqual([tp]);
      });

      it("is idempotent by id: the first stored version stays", async () => {
        const s = await open();
        const tp = touchpoint("tp_1", "anon-a", T0);
        const changed: Touchpoint = {
          ...tp,
          anonymousId: "anon-b",
          occurredAt: T0 + 1,
          utm: { source: "x" },
          channel: "referral",
        };
        await s.addTouchpoints([tp, changed]);
        await s.addTouchpoints([changed]);
        expect(await s.getTouchpoint("tp_1")).toEqual(tp);
        const all = { from: 0, to: T0 * 2 };
        expect(await s.listTouchpoints({ anonymousIds: ["anon-b"], range: all })).toEqual([]);
        expect(await s.listTouchpoints({ anonymousIds: ["anon-a"], range: all })).toEqual([tp]);
        await s.addTouchpoints([]);
      });

      it("includes both edges of the window and nothing just outside it", async () => {
        const s = await open();
        const from = T0;
        const to = T0 + 10_000;
        await s.addTouchpoints([
          touchpoint("before", "anon-a", from - 1),
          touchpoint("at-from", "anon-a", from),
          touchpoint("inside", "anon-a", from + 5_000),
          touchpoint("at-to", "anon-a", to),
          touchpoint("after", "anon-a", to + 1),
        ]);
        const found = await s.listTouchpoints({ anonymousIds: ["anon-a"], range: { from, to } });
        expect(found.map((tp) => tp.id)).toEqual(["at-from", "inside", "at-to"]);
        const point = await s.listTouchpoints({
          anonymousIds: ["anon-a"],
          range: { from: to, to },
        });
        expect(point.map((tp) => tp.id)).toEqual(["at-to"]);
      });

      it("orders by time, then id in binary order, across visitors and insertion order", async () => {
        const s = await open();
        await s.addTouchpoints([touchpoint("tp-a", "anon-b", T0 + 1)]);
        await s.addTouchpoints([
          touchpoint("tp-9", "anon-a", T0 + 1),
          touchpoint("late", "anon-a", T0 + 2),
          touchpoint("tp-B", "anon-b", T0 + 1),
          touchpoint("other-visitor", "anon-c", T0 + 1),
        ]);
        await s.addTouchpoints([
          touchpoint("tp-10", "anon-a", T0 + 1),
          touchpoint("zz-early", "anon-b", T0),
        ]);
        const found = await s.listTouchpoints({
          anonymousIds: ["anon-b", "anon-a", "anon-a"],
          range: { from: T0, to: T0 + 2 },
        });
        expect(found.map((tp) => tp.id)).toEqual([
          "zz-early",
          "tp-10",
          "tp-9",
          "tp-B",
          "tp-a",
          "late",
        ]);
      });

      it("returns at most `limit` rows, the earliest first, and 1000 by default", async () => {
        const s = await open();
        const tps = range(1005).map((i) =>
          touchpoint(`tp_${String(i).padStart(4, "0")}`, "anon-a", T0 + 1005 - i),
        );
        await s.addTouchpoints(tps);
        const window = { anonymousIds: ["anon-a"], range: { from: 0, to: T0 * 2 } };
        const expected = [...tps].sort(byTimeThenId).map((tp) => tp.id);
        const byDefault = await s.listTouchpoints(window);
        expect(byDefault.map((tp) => tp.id)).toEqual(expected.slice(0, 1000));
        const three = await s.listTouchpoints({ ...window, limit: 3 });
        expect(three.map((tp) => tp.id)).toEqual(expected.slice(0, 3));
        const all = await s.listTouchpoints({ ...window, limit: 2000 });
        expect(all).toHaveLength(1005);
      });

      it("returns nothing for no ids, an unknown visitor or an empty window", async () => {
        const s = await open();
        await s.addTouchpoints([touchpoint("tp_1", "anon-a", T0)]);
        const window = { from: 0, to: T0 * 2 };
        expect(await s.listTouchpoints({ anonymousIds: [], range: window })).toEqual([]);
        expect(await s.listTouchpoints({ anonymousIds: ["anon-x"], range: window })).toEqual([]);
        expect(
          await s.listTouchpoints({ anonymousIds: ["anon-a"], range: { from: T0 + 1, to: T0 } }),
        ).toEqual([]);
      });

      it("answers random range queries like a reference filter and sort", async () => {
        const s = await open();
        const next = random(7);
        const visitors = ["v1", "v2", "v3", "v4", "v5"];
        const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";
        const ids = new Set<string>();
        while (ids.size < 300) {
          ids.add(
            range(1 + Math.floor(next() * 6))
              .map(() => alphabet[Math.floor(next() * alphabet.length)])
              .join(""),
          );
        }
        const tps = [...ids].map((id) =>
          touchpoint(id, visitors[Math.floor(next() * 5)] as string, T0 + Math.floor(next() * 40)),
        );
        for (let i = 0; i < tps.length; i += 37) await s.addTouchpoints(tps.slice(i, i + 37));
        for (let q = 0; q < 40; q++) {
          const anonymousIds = visitors.filter(() => next() < 0.4);
          const from = T0 + Math.floor(next() * 45) - 2;
          const to = from + Math.floor(next() * 30) - 3;
          const limit = next() < 0.5 ? undefined : 1 + Math.floor(next() * 40);
          const expected = tps
            .filter((tp) => anonymousIds.includes(tp.anonymousId))
            .filter((tp) => tp.occurredAt >= from && tp.occurredAt <= to)
            .sort(byTimeThenId)
            .slice(0, limit ?? 1000);
          const found = await s.listTouchpoints({ anonymousIds, range: { from, to }, limit });
          expect(found, JSON.stringify({ anonymousIds, from, to, limit })).toEqual(expected);
        }
      });

      it("hands out copies: mutating inputs or results never changes the store", async () => {
        const s = await open();
        const tp = fullTouchpoint("tp_copy");
        const original = structuredClone(tp);
        await s.addTouchpoints([tp]);
        tp.utm.source = "mutated-input";
        const got = (await s.getTouchpoint("tp_copy")) as Touchpoint;
        got.clickIds.ttclid = "mutated-output";
        expect(await s.getTouchpoint("tp_copy")).toEqual(original);
      });
    });

    describe("outbox", () => {
      it("enqueues idempotently on (sink, idempotencyKey) and counts the new items", async () => {
        const s = await open();
        expect(await s.enqueue([outboxItem("a"), outboxItem("b"), outboxItem("a")], T0)).toBe(2);
        expect(
          await s.enqueue([outboxItem("a", { payload: { changed: true } }), outboxItem("c")], T0),
        ).toBe(1);
        expect(await s.enqueue([outboxItem("a", { sink: "segment" })], T0)).toBe(1);
        expect(await s.enqueue([], T0)).toBe(0);
        const claimed = await s.claim({ sink: "tiktok", limit: 10, leaseMs: 1000, now: T0 });
        expect(claimed.map((i) => [i.idempotencyKey, i.payload])).toEqual([
          ["a", { key: "a" }],
          ["b", { key: "b" }],
          ["c", { key: "c" }],
        ]);
        // An item already delivered is still a duplicate.
        for (const item of claimed) await s.ack(item.id, item.leaseToken as string, T0 + 1);
        expect(await s.enqueue([outboxItem("a")], T0 + 2)).toBe(0);
      });

      it("claims due items of one sink, by availableAt then enqueue order, up to the limit", async () => {
        const s = await open();
        await s.enqueue(
          [
            outboxItem("k1", { availableAt: T0 + 20 }),
            outboxItem("k2"),
            outboxItem("k3", { availableAt: T0 + 10 }),
            outboxItem("k4", { availableAt: T0 + 10 }),
            outboxItem("k5", { sink: "segment" }),
            outboxItem("k6", { availableAt: T0 + 1_000 }),
          ],
          T0,
        );
        const now = T0 + 50;
        const first = await s.claim({ sink: "tiktok", limit: 3, leaseMs: 1_000, now });
        expect(first.map((i) => i.idempotencyKey)).toEqual(["k2", "k3", "k4"]);
        const tokens = new Set(first.map((i) => i.leaseToken));
        expect(tokens.size).toBe(3);
        for (const item of first) {
          expect(typeof item.id).toBe("string");
          expect(item.id).toMatch(/^\d+$/);
          expect(typeof item.leaseToken).toBe("string");
          expect((item.leaseToken as string).length).toBeGreaterThan(0);
          expect(item).toEqual({
            id: item.id,
            sink: "tiktok",
            idempotencyKey: item.idempotencyKey,
            payload: { key: item.idempotencyKey },
            status: "leased",
            attempts: 1,
            availableAt: item.idempotencyKey === "k2" ? T0 : T0 + 10,
            leaseExpiresAt: now + 1_000,
            leaseToken: item.leaseToken,
            lastError: null,
            createdAt: T0,
            updatedAt: now,
          });
          expect(await s.getOutboxItem(item.id)).toEqual(item);
        }
        const second = await s.claim({ sink: "tiktok", limit: 3, leaseMs: 1_000, now });
        expect(second.map((i) => i.idempotencyKey)).toEqual(["k1"]);
        expect(await s.claim({ sink: "tiktok", limit: 3, leaseMs: 1_000, now })).toEqual([]);
        const segment = await s.claim({ sink: "segment", limit: 3, leaseMs: 1_000, now });
        expect(segment.map((i) => i.idempotencyKey)).toEqual(["k5"]);
        const later = await s.claim({ sink: "tiktok", limit: 3, leaseMs: 1_000, now: T0 + 1_000 });
        expect(later.map((i) => i.idempotencyKey)).toEqual(["k6"]);
      });

      it("acks with the current token only, once", async () => {
        const s = await open();
        await s.enqueue([outboxItem("a")], T0);
        const [item] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1_000, now: T0 });
        const { id, leaseToken } = item as OutboxItem;
        expect(await s.ack(id, "wrong-token", T0 + 1)).toBe(false);
        expect(await s.ack("999999", leaseToken as string, T0 + 1)).toBe(false);
        expect(await s.ack("not-an-id", leaseToken as string, T0 + 1)).toBe(false);
        expect((await s.getOutboxItem(id))?.status).toBe("leased");
        expect(await s.ack(id, leaseToken as string, T0 + 2)).toBe(true);
        expect(await s.getOutboxItem(id)).toEqual({
          ...item,
          status: "delivered",
          leaseToken: null,
          leaseExpiresAt: null,
          updatedAt: T0 + 2,
        });
        expect(await s.ack(id, leaseToken as string, T0 + 3)).toBe(false);
        const failure = { error: "late", availableAt: T0, now: T0 + 3 };
        expect(await s.retry(id, leaseToken as string, failure)).toBe(false);
        expect(await s.deadLetter(id, leaseToken as string, failure)).toBe(false);
        expect(await s.claim({ sink: "tiktok", limit: 5, leaseMs: 1, now: T0 * 2 })).toEqual([]);
        expect((await s.getOutboxItem(id))?.status).toBe("delivered");
      });

      it("has exactly one winning ack among concurrent acks of one lease", async () => {
        const s = await open();
        await s.enqueue([outboxItem("a")], T0);
        const [item] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1_000, now: T0 });
        const { id, leaseToken } = item as OutboxItem;
        const results = await Promise.all(
          range(10).map((i) =>
            i % 2 === 0
              ? s.ack(id, leaseToken as string, T0 + 1)
              : s.deadLetter(id, leaseToken as string, { error: "x", now: T0 + 1 }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("retries: back to pending with the error, claimable again from availableAt", async () => {
        const s = await open();
        await s.enqueue([outboxItem("a", { payload: { n: 1 } })], T0);
        const [item] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1_000, now: T0 });
        const { id, leaseToken } = item as OutboxItem;
        expect(
          await s.retry(id, "wrong", { error: "x", availableAt: T0 + 5_000, now: T0 + 10 }),
        ).toBe(false);
        expect(
          await s.retry(id, leaseToken as string, {
            error: "HTTP 503",
            availableAt: T0 + 5_000,
            now: T0 + 10,
          }),
        ).toBe(true);
        expect(await s.getOutboxItem(id)).toEqual({
          ...item,
          status: "pending",
          attempts: 1,
          availableAt: T0 + 5_000,
          leaseToken: null,
          leaseExpiresAt: null,
          lastError: "HTTP 503",
          updatedAt: T0 + 10,
        });
        expect(
          await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1_000, now: T0 + 4_999 }),
        ).toEqual([]);
        const [again] = await s.claim({
          sink: "tiktok",
          limit: 1,
          leaseMs: 1_000,
          now: T0 + 5_000,
        });
        expect(again?.id).toBe(id);
        expect(again?.attempts).toBe(2);
        expect(again?.lastError).toBe("HTTP 503");
        expect(again?.leaseToken).not.toBe(leaseToken);
        expect(await s.ack(id, leaseToken as string, T0 + 5_001)).toBe(false);
        expect(await s.ack(id, again?.leaseToken as string, T0 + 5_001)).toBe(true);
      });

      it("dead-letters: the item is never claimed again and keeps its error", async () => {
        const s = await open();
        await s.enqueue([outboxItem("a")], T0);
        const [item] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1_000, now: T0 });
        const { id, leaseToken } = item as OutboxItem;
        expect(await s.deadLetter(id, "wrong", { error: "x", now: T0 + 1 })).toBe(false);
        expect(
          await s.deadLetter(id, leaseToken as string, { error: "HTTP 400", now: T0 + 1 }),
        ).toBe(true);
        expect(await s.getOutboxItem(id)).toEqual({
          ...item,
          status: "dead",
          leaseToken: null,
          leaseExpiresAt: null,
          lastError: "HTTP 400",
          updatedAt: T0 + 1,
        });
        expect(await s.claim({ sink: "tiktok", limit: 5, leaseMs: 1, now: T0 * 2 })).toEqual([]);
        expect(await s.ack(id, leaseToken as string, T0 + 2)).toBe(false);
      });

      it("lists undelivered failures, most recently updated first, by sink, up to the limit", async () => {
        const s = await open();
        await s.enqueue(
          ["a", "b", "c", "e", "f"]
            .map((k) => outboxItem(k))
            .concat(outboxItem("d", { sink: "segment" })),
          T0,
        );
        const claimAll = async (sink: string, now: number) =>
          new Map(
            (await s.claim({ sink, limit: 10, leaseMs: 100_000, now })).map((i) => [
              i.idempotencyKey,
              i,
            ]),
          );
        const leases = await claimAll("tiktok", T0);
        const lease = (k: string) => {
          const item = leases.get(k) as OutboxItem;
          return [item.id, item.leaseToken as string] as const;
        };
        await s.retry(...lease("a"), {
          error: "a failed",
          availableAt: T0 + 1_000_000,
          now: T0 + 1,
        });
        await s.deadLetter(...lease("b"), { error: "b failed", now: T0 + 2 });
        await s.retry(...lease("c"), { error: "c failed", availableAt: T0, now: T0 + 3 });
        await s.retry(...lease("f"), { error: "f failed", availableAt: T0, now: T0 + 5 });
        await s.ack(...lease("e"), T0 + 7);
        const again = await claimAll("tiktok", T0 + 6);
        expect([...again.keys()].sort()).toEqual(["c", "f"]);
        const c = again.get("c") as OutboxItem;
        await s.ack(c.id, c.leaseToken as string, T0 + 8);
        const [d] = await s.claim({ sink: "segment", limit: 1, leaseMs: 1, now: T0 });
        await s.deadLetter((d as OutboxItem).id, (d as OutboxItem).leaseToken as string, {
          error: "d failed",
          now: T0 + 4,
        });

        const failures = await s.listFailures({ limit: 10 });
        expect(failures.map((i) => [i.idempotencyKey, i.status, i.lastError])).toEqual([
          ["f", "leased", "f failed"],
          ["d", "dead", "d failed"],
          ["b", "dead", "b failed"],
          ["a", "pending", "a failed"],
        ]);
        expect(failures[0]).toEqual(await s.getOutboxItem((failures[0] as OutboxItem).id));
        const tiktok = await s.listFailures({ sink: "tiktok", limit: 10 });
        expect(tiktok.map((i) => i.idempotencyKey)).toEqual(["f", "b", "a"]);
        const two = await s.listFailures({ limit: 2 });
        expect(two.map((i) => i.idempotencyKey)).toEqual(["f", "d"]);
        expect(await s.listFailures({ sink: "kiflo", limit: 10 })).toEqual([]);
      });

      it("reclaims an expired lease with a new token; the lost lease can no longer settle", async () => {
        const s = await open();
        await s.enqueue([outboxItem("a")], T0);
        const [first] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1_000, now: T0 });
        const { id, leaseToken: lost } = first as OutboxItem;
        expect(await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1_000, now: T0 + 999 })).toEqual(
          [],
        );
        const [second] = await s.claim({
          sink: "tiktok",
          limit: 1,
          leaseMs: 1_000,
          now: T0 + 1_000,
        });
        expect(second).toEqual({
          ...first,
          attempts: 2,
          leaseToken: second?.leaseToken,
          leaseExpiresAt: T0 + 2_000,
          updatedAt: T0 + 1_000,
        });
        expect(second?.leaseToken).not.toBe(lost);
        expect(await s.ack(id, lost as string, T0 + 1_001)).toBe(false);
        expect(
          await s.retry(id, lost as string, { error: "x", availableAt: T0, now: T0 + 1_001 }),
        ).toBe(false);
        expect(await s.deadLetter(id, lost as string, { error: "x", now: T0 + 1_001 })).toBe(false);
        expect(await s.getOutboxItem(id)).toEqual(second);
        expect(await s.ack(id, second?.leaseToken as string, T0 + 1_002)).toBe(true);
      });

      it("still accepts an expired lease that nobody reclaimed", async () => {
        const s = await open();
        await s.enqueue([outboxItem("a")], T0);
        const [item] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 100, now: T0 });
        expect(
          await s.ack((item as OutboxItem).id, (item as OutboxItem).leaseToken as string, T0 + 500),
        ).toBe(true);
      });

      it("never gives one item to two concurrent claimers", async () => {
        const s = await open();
        await s.enqueue(
          range(40).map((i) => outboxItem(`k${i}`)),
          T0,
        );
        const batches = await Promise.all(
          range(10).map(() => s.claim({ sink: "tiktok", limit: 5, leaseMs: 10_000, now: T0 })),
        );
        const ids = batches.flat().map((i) => i.id);
        expect(ids).toHaveLength(40);
        expect(new Set(ids).size).toBe(40);
        expect(batches.flat().every((i) => i.attempts === 1)).toBe(true);
      });

      crossConnection("never gives one item to claimers on two connections", async () => {
        const [a, b] = await openPair();
        await a.enqueue(
          range(60).map((i) => outboxItem(`k${i}`)),
          T0,
        );
        const batches = await Promise.all(
          range(16).map((i) =>
            (i % 2 === 0 ? a : b).claim({ sink: "tiktok", limit: 5, leaseMs: 10_000, now: T0 }),
          ),
        );
        const items = batches.flat();
        expect(items).toHaveLength(60);
        expect(new Set(items.map((i) => i.id)).size).toBe(60);
        const acks = await Promise.all(
          items.flatMap((item) => [
            a.ack(item.id, item.leaseToken as string, T0 + 1),
            b.ack(item.id, item.leaseToken as string, T0 + 1),
          ]),
        );
        expect(acks.filter(Boolean)).toHaveLength(60);
      });

      it("stores payloads as JSON", async () => {
        const s = await open();
        const payload = {
          conversion: { id: "cv_1", value: { amount: 12_345, currency: "JPY" } },
          list: [1, "two", null, { three: 3.5 }],
          text: 'ünïcödé — 🚀 "quoted" \\ back\nslash',
          at: new Date(T0),
          missing: undefined,
        };
        await s.enqueue([outboxItem("json", { payload })], T0);
        const [item] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1, now: T0 });
        expect(item?.payload).toEqual(JSON.parse(JSON.stringify(payload)));
        expect((item as OutboxItem).payload).toMatchObject({ at: new Date(T0).toISOString() });
      });

      it("returns null for an unknown item", async () => {
        const s = await open();
        expect(await s.getOutboxItem("999999")).toBeNull();
        expect(await s.getOutboxItem("not-an-id")).toBeNull();
      });

      it("names an item by its canonical decimal id only", async () => {
        const s = await open();
        await s.enqueue([outboxItem("a")], T0);
        const [item] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1_000, now: T0 });
        const { id, leaseToken } = item as OutboxItem;
        const n = Number(id);
        const aliases = [
          `0${id}`,
          `00${id}`,
          `+${id}`,
          `-${id}`,
          ` ${id}`,
          `${id} `,
          `${id}.0`,
          `${id}e0`,
          `0x${n.toString(16)}`,
          `${id}n`,
          "0",
          "",
          `${"0".repeat(20)}${id}`,
          "9007199254740993",
          "99999999999999999999",
        ];
        for (const alias of aliases) {
          expect(await s.getOutboxItem(alias), JSON.stringify(alias)).toBeNull();
          expect(await s.ack(alias, leaseToken as string, T0 + 1), JSON.stringify(alias)).toBe(
            false,
          );
          const failure = { error: "x", availableAt: T0, now: T0 + 1 };
          expect(await s.retry(alias, leaseToken as string, failure)).toBe(false);
          expect(await s.deadLetter(alias, leaseToken as string, failure)).toBe(false);
        }
        expect(await s.getOutboxItem(id)).toEqual(item);
        expect(await s.ack(id, leaseToken as string, T0 + 2)).toBe(true);
      });
    });

    describe("commission ledger", () => {
      it("appends with gapless seqs in order and skips known keys, even when changed", async () => {
        const s = await open();
        const c1 = commission("c1", "p1", 2_000);
        const c2 = commission("c2", "p1", 1_000);
        expect(await s.appendCommissions([c1, c2])).toEqual([
          { ...c1, seq: 1 },
          { ...c2, seq: 2 },
        ]);
        const c3 = commission("c3", "p2", 500);
        const c4 = commission("c4", "p1", -250, { kind: "reversed", refundTransactionId: "rf_1" });
        expect(
          await s.appendCommissions([
            { ...c2, amount: { amount: 9_999, currency: "USD" } },
            c3,
            { ...c3, note: "changed" },
            c4,
          ]),
        ).toEqual([
          { ...c3, seq: 3 },
          { ...c4, seq: 4 },
        ]);
        expect(await s.appendCommissions([c1, c2])).toEqual([]);
        expect(await s.appendCommissions([])).toEqual([]);
        expect(await s.getCommission("c2")).toEqual({ ...c2, seq: 2 });
        expect(await s.getCommission("c_unknown")).toBeNull();
        expect((await s.listCommissions()).map((c) => [c.key, c.seq])).toEqual([
          ["c1", 1],
          ["c2", 2],
          ["c3", 3],
          ["c4", 4],
        ]);
      });

      it("round-trips every field: signed amounts, currencies of every exponent, nulls", async () => {
        const s = await open();
        const entries = [
          commission("jpy", "p1", 1_500, { amount: { amount: 1_500, currency: "JPY" } }),
          commission("kwd", "p1", -12_345, {
            kind: "clawback",
            amount: { amount: -12_345, currency: "KWD" },
            refundTransactionId: "rf_2",
          }),
          commission("big", "p1", Number.MAX_SAFE_INTEGER, {
            kind: "paid",
            programId: null,
            transactionId: null,
            subscriptionId: null,
            customerId: null,
            note: null,
            occurredAt: 0,
          }),
        ];
        await s.appendCommissions(entries);
        expect(await s.listCommissions()).toEqual(entries.map((c, i) => ({ ...c, seq: i + 1 })));
      });

      it("keeps the optional fields: base amount, payable time, payout id", async () => {
        const s = await open();
        const earned = commission("earned", "p1", 2_000, {
          baseAmount: { amount: 10_000, currency: "EUR" },
          payableAt: T0 + 30 * 86_400_000,
          payoutId: null,
        });
        const paid = commission("paid", "p1", -500, {
          kind: "paid",
          payoutId: "po_7",
          baseAmount: null,
        });
        const bare = commission("bare", "p1", 1);
        expect(await s.appendCommissions([earned, paid, bare])).toEqual([
          { ...earned, seq: 1 },
          { ...paid, seq: 2 },
          { ...bare, seq: 3 },
        ]);
        expect(await s.getCommission("earned")).toEqual({ ...earned, seq: 1 });
        expect(await s.getCommission("paid")).toEqual({ ...paid, seq: 2 });
        const stored = await s.getCommission("bare");
        expect(stored).toEqual({ ...bare, seq: 3 });
        expect(stored && "payoutId" in stored).toBe(false);
      });

      it("returns appended entries in the shape it stores them: JSON, like every read", async () => {
        const s = await open();
        const entry = {
          ...commission("shaped", "p1", 100, { payoutId: undefined, payableAt: undefined }),
          approvedAt: new Date(T0),
          extra: { missing: undefined, kept: 1 },
        } as Commission;
        const [added] = await s.appendCommissions([entry]);
        const asJson = { ...JSON.parse(JSON.stringify(entry)), seq: 1 };
        expect(added).toStrictEqual(asJson);
        expect(added && "payoutId" in added).toBe(false);
        expect((added as unknown as { approvedAt: unknown }).approvedAt).toBe(
          new Date(T0).toISOString(),
        );
        expect(await s.getCommission("shaped")).toStrictEqual(added);
        expect(await s.listCommissions()).toStrictEqual([added]);
      });

      it("lists by partner, after a position, up to a limit", async () => {
        const s = await open();
        await s.appendCommissions(
          range(10).map((i) => commission(`c${i}`, i % 2 === 0 ? "even" : "odd", 100 + i)),
        );
        const keys = (list: { key: string }[]) => list.map((c) => c.key);
        expect(keys(await s.listCommissions({ partnerId: "even" }))).toEqual([
          "c0",
          "c2",
          "c4",
          "c6",
          "c8",
        ]);
        expect(keys(await s.listCommissions({ afterSeq: 7 }))).toEqual(["c7", "c8", "c9"]);
        expect(keys(await s.listCommissions({ partnerId: "odd", afterSeq: 4, limit: 2 }))).toEqual([
          "c5",
          "c7",
        ]);
        expect(keys(await s.listCommissions({ limit: 1 }))).toEqual(["c0"]);
        expect(await s.listCommissions({ partnerId: "nobody" })).toEqual([]);
        expect(await s.listCommissions({ afterSeq: 10 })).toEqual([]);
      });

      const appendRace = async (storages: readonly Storage[]) => {
        const batches = range(concurrency).map((i) => [
          commission(`k${i}`, "p", i),
          commission(`k${i + 1}`, "p", i + 1),
          commission("shared", "p", 1),
        ]);
        const results = await Promise.all(
          batches.map((batch, i) =>
            (storages[i % storages.length] as Storage).appendCommissions(batch),
          ),
        );
        const added = results.flat();
        const expectedKeys = range(concurrency + 1)
          .map((i) => `k${i}`)
          .concat("shared");
        expect(added.map((c) => c.key).sort()).toEqual([...expectedKeys].sort());
        expect(added.map((c) => c.seq).sort((a, b) => a - b)).toEqual(
          range(expectedKeys.length).map((i) => i + 1),
        );
        for (const result of results) {
          expect(result.map((c) => c.seq)).toEqual(
            [...result.map((c) => c.seq)].sort((a, b) => a - b),
          );
        }
        const listed = await (storages[0] as Storage).listCommissions();
        expect(listed.map((c) => c.seq)).toEqual(range(expectedKeys.length).map((i) => i + 1));
        expect(listed).toEqual([...added].sort((a, b) => a.seq - b.seq));
      };

      it("stores each key once with gapless seqs under concurrent appends", async () => {
        await appendRace([await open()]);
      });

      crossConnection("stores each key once with gapless seqs across two connections", async () => {
        await appendRace(await openPair());
      });
    });

    describe("resource versions", () => {
      it("advances only forward, per resource type and id; unknown is null", async () => {
        const s = await open();
        expect(await s.getResourceVersion("subscription", "sub_1")).toBeNull();
        expect(await s.advanceResourceVersion("subscription", "sub_1", 1_700_000_000_123)).toBe(
          true,
        );
        // An equal version is not stale (the same state, applied again as a no-op): only an older one is.
        expect(await s.advanceResourceVersion("subscription", "sub_1", 1_700_000_000_123)).toBe(
          true,
        );
        expect(await s.getResourceVersion("subscription", "sub_1")).toBe(1_700_000_000_123);
        expect(await s.advanceResourceVersion("subscription", "sub_1", 1_700_000_000_100)).toBe(
          false,
        );
        expect(await s.getResourceVersion("subscription", "sub_1")).toBe(1_700_000_000_123);
        expect(await s.advanceResourceVersion("subscription", "sub_1", 1_700_000_000_124)).toBe(
          true,
        );
        expect(await s.getResourceVersion("subscription", "sub_1")).toBe(1_700_000_000_124);
        expect(await s.getResourceVersion("customer", "sub_1")).toBeNull();
        expect(await s.advanceResourceVersion("customer", "sub_1", 5)).toBe(true);
        expect(await s.getResourceVersion("subscription", "sub_2")).toBeNull();
        expect(await s.getResourceVersion("subscription", "sub_1")).toBe(1_700_000_000_124);
      });

      const advanceRace = async (storages: readonly Storage[]) => {
        const versions = shuffle(
          range(concurrency).map((i) => i + 1),
          random(11),
        );
        const results = await Promise.all(
          versions.map((v, i) =>
            (storages[i % storages.length] as Storage).advanceResourceVersion(
              "customer",
              "cus_1",
              v,
            ),
          ),
        );
        expect(results[versions.indexOf(concurrency)]).toBe(true);
        expect(await (storages[0] as Storage).getResourceVersion("customer", "cus_1")).toBe(
          concurrency,
        );
      };

      it("ends at the highest version under concurrent advances", async () => {
        await advanceRace([await open()]);
      });

      crossConnection(
        "ends at the highest version under advances from two connections",
        async () => {
          await advanceRace(await openPair());
        },
      );
    });

    describeMappingConformance({ open, openPair, crossConnection, concurrency });

    describe("identities", () => {
      const anon = key("anonymous_id", "anon-1");
      const email = key("email", "ada@example.com");
      const customer = key("chargebee_customer_id", "cus_1");
      const phone = key("phone", "+15551234567");
      const evidence = (observationId: string, at: number, source = "lead_form") => ({
        source,
        observationId,
        at,
      });
      const record = (
        k: IdentityKey,
        personId: string,
        firstSeenAt: number,
      ): IdentityKeyRecord => ({
        key: k,
        personId,
        firstSeenAt,
      });
      const link: IdentityChange = {
        persons: [person("p1", T0)],
        keys: [record(anon, "p1", T0), record(email, "p1", T0 + 1)],
        edges: [{ a: anon, b: email, evidence: evidence("form_1", T0 + 1) }],
      };
      const sorted = <T extends { key: IdentityKey }>(list: T[]) => [...list].sort(byKeyId);

      it("reads unknown keys, persons, edges and refusals as empty or null", async () => {
        const s = await open();
        expect(await s.findKeys([anon, email])).toEqual([]);
        expect(await s.findKeys([])).toEqual([]);
        expect(await s.getPerson("p_unknown")).toBeNull();
        expect(await s.listPersonKeys("p_unknown")).toEqual([]);
        expect(await s.listEdges([anon])).toEqual([]);
        expect(await s.listEdges([])).toEqual([]);
        expect(await s.listRefusals("p_unknown")).toEqual([]);
      });

      it("links idempotently: the same change twice leaves one person, one record per key, one edge", async () => {
        const s = await open();
        await s.applyIdentityChange(link);
        await s.applyIdentityChange(link);
        expect(await s.getPerson("p1")).toEqual(person("p1", T0));
        expect(sorted(await s.findKeys([anon, email, customer, anon]))).toEqual(
          sorted([record(anon, "p1", T0), record(email, "p1", T0 + 1)]),
        );
        expect(sorted(await s.listPersonKeys("p1"))).toEqual(
          sorted([record(anon, "p1", T0), record(email, "p1", T0 + 1)]),
        );
        const edge = { a: anon, b: email, evidence: evidence("form_1", T0 + 1) };
        expect(await s.listEdges([anon])).toEqual([edge]);
        expect(await s.listEdges([anon, email])).toEqual([edge]);
        // The same pair from the same observation, reversed and re-timed, is the same edge.
        await s.applyIdentityChange({
          edges: [{ a: email, b: anon, evidence: evidence("form_1", T0 + 99, "checkout") }],
        });
        expect(await s.listEdges([email])).toEqual([edge]);
        // Another observation of the pair is another edge (more evidence).
        const second = { a: email, b: anon, evidence: evidence("form_2", T0 + 2) };
        await s.applyIdentityChange({ edges: [second] });
        expect((await s.listEdges([anon])).sort(edgeOrder)).toEqual([edge, second].sort(edgeOrder));
        await s.applyIdentityChange({});
      });

      it("lists a key's earliest edges by whole times, and edges by observation id", async () => {
        const s = await open();
        if (!s.listEarliestEdges || !s.listObservationEdges) return; // optional methods
        const ref = key("affiliate_ref", "PARTNER");
        const customers = [0, 1, 2, 3, 4].map((i) => key("chargebee_customer_id", `cus_${i}`));
        // times T0+4, T0+2 (twice: two observations), T0+1, T0+3, written out of order
        const at = [4, 2, 2, 1, 3];
        const edges: IdentityEdge[] = customers.map((c, i) => ({
          a: i % 2 === 0 ? c : ref,
          b: i % 2 === 0 ? ref : c,
          evidence: evidence(`cb_${i}`, T0 + (at[i] as number)),
        }));
        edges.push({ a: anon, b: email, evidence: evidence("form_1", T0) });
        edges.push({ a: ref, b: ref, evidence: evidence("click_1", T0 + 3) });
        await s.applyIdentityChange({ edges });
        const ids = (list: IdentityEdge[]) => list.map((e) => e.evidence.observationId).sort();
        expect(ids(await s.listEarliestEdges(ref, { times: 1 }))).toEqual(["cb_3"]);
        expect(ids(await s.listEarliestEdges(ref, { times: 2 }))).toEqual(["cb_1", "cb_2", "cb_3"]);
        expect(ids(await s.listEarliestEdges(ref, { times: 2, after: T0 + 1 }))).toEqual([
          "cb_1",
          "cb_2",
          "cb_4",
          "click_1",
        ]);
        expect(ids(await s.listEarliestEdges(ref, { times: 9, after: T0 + 3 }))).toEqual(["cb_0"]);
        expect(await s.listEarliestEdges(ref, { times: 1, after: T0 + 4 })).toEqual([]);
        expect(await s.listEarliestEdges(phone, { times: 1 })).toEqual([]);
        const [first] = await s.listEarliestEdges(customers[0] as IdentityKey, { times: 1 });
        expect(first).toEqual(edges[0]);

        expect(ids(await s.listObservationEdges([ref], ["cb_1", "click_1", "form_1"]))).toEqual([
          "cb_1",
          "click_1",
        ]);
        // each edge once, even when both of its keys are asked for
        expect(
          ids(await s.listObservationEdges([ref, customers[1] as IdentityKey, anon], ["cb_1"])),
        ).toEqual(["cb_1"]);
        expect(await s.listObservationEdges([ref], [])).toEqual([]);
        expect(await s.listObservationEdges([], ["cb_1"])).toEqual([]);
        // forgotten keys take their edges along
        await s.forgetKeys([customers[3] as IdentityKey]);
        expect(ids(await s.listEarliestEdges(ref, { times: 1 }))).toEqual(["cb_1", "cb_2"]);
        expect(await s.listObservationEdges([ref], ["cb_3"])).toEqual([]);
      });

      it("merges: keys re-point to the survivor, the merged person points at it", async () => {
        const s = await open();
        await s.applyIdentityChange(link);
        await s.applyIdentityChange({
          persons: [person("p2", T0 + 5)],
          keys: [record(customer, "p2", T0 + 5), record(phone, "p2", T0 + 5)],
          edges: [
            { a: customer, b: phone, evidence: evidence("ev_1", T0 + 5, "chargebee_webhook") },
          ],
        });
        const merge: IdentityChange = {
          persons: [person("p2", T0 + 5, ["p1", T0 + 10])],
          keys: [record(customer, "p1", T0 + 5), record(phone, "p1", T0 + 5)],
          edges: [
            { a: customer, b: email, evidence: evidence("ev_2", T0 + 10, "chargebee_webhook") },
          ],
        };
        await s.applyIdentityChange(merge);
        await s.applyIdentityChange(merge);
        expect(await s.getPerson("p2")).toEqual(person("p2", T0 + 5, ["p1", T0 + 10]));
        expect(await s.getPerson("p1")).toEqual(person("p1", T0));
        expect(await s.listPersonKeys("p2")).toEqual([]);
        expect(sorted(await s.listPersonKeys("p1"))).toEqual(
          sorted([
            record(anon, "p1", T0),
            record(email, "p1", T0 + 1),
            record(customer, "p1", T0 + 5),
            record(phone, "p1", T0 + 5),
          ]),
        );
        expect(await s.findKeys([customer])).toEqual([record(customer, "p1", T0 + 5)]);
        expect(await s.listEdges([email])).toHaveLength(2);
        expect(await s.listEdges([customer, email, phone, anon])).toHaveLength(3);
      });

      it("upserts persons by id and key records by key", async () => {
        const s = await open();
        await s.applyIdentityChange(link);
        await s.applyIdentityChange({
          persons: [person("p1", T0 - 100, ["p0", T0 + 50])],
          keys: [record(email, "p9", T0 + 2)],
        });
        expect(await s.getPerson("p1")).toEqual(person("p1", T0 - 100, ["p0", T0 + 50]));
        expect(await s.findKeys([email])).toEqual([record(email, "p9", T0 + 2)]);
        expect(await s.listPersonKeys("p1")).toEqual([record(anon, "p1", T0)]);
        expect(await s.listPersonKeys("p9")).toEqual([record(email, "p9", T0 + 2)]);
      });

      it("records a refusal once and lists it under each of its persons", async () => {
        const s = await open();
        const refusal: MergeRefusal = {
          personIds: ["p1", "p2"],
          keys: [email, customer],
          reason: "conflicting_customer_ids",
          evidence: evidence("ev_3", T0 + 20, "chargebee_webhook"),
        };
        await s.applyIdentityChange({ refusals: [refusal] });
        await s.applyIdentityChange({
          refusals: [refusal, { ...refusal, personIds: ["p2", "p1"] }],
        });
        expect(await s.listRefusals("p1")).toEqual([refusal]);
        expect(await s.listRefusals("p2")).toEqual([refusal]);
        expect(await s.listRefusals("p3")).toEqual([]);
        const other = { ...refusal, personIds: ["p1", "p3"], evidence: evidence("ev_4", T0 + 30) };
        await s.applyIdentityChange({ refusals: [other] });
        const order = (a: MergeRefusal, b: MergeRefusal) => a.evidence.at - b.evidence.at;
        expect((await s.listRefusals("p1")).sort(order)).toEqual([refusal, other]);
        expect(await s.listRefusals("p3")).toEqual([other]);
      });

      it("forgets keys: their records, every edge touching them, refusals naming them", async () => {
        const s = await open();
        await s.applyIdentityChange(link);
        await s.applyIdentityChange({
          keys: [record(customer, "p1", T0 + 3)],
          edges: [{ a: customer, b: anon, evidence: evidence("ev_9", T0 + 3) }],
          refusals: [
            {
              personIds: ["p1", "p2"],
              keys: [email, phone],
              reason: "too_many_customers",
              evidence: evidence("ev_10", T0 + 4),
            },
          ],
        });
        await s.forgetKeys([email, key("email", "unknown@example.com")]);
        await s.forgetKeys([email]);
        expect(await s.findKeys([email])).toEqual([]);
        expect(sorted(await s.listPersonKeys("p1"))).toEqual(
          sorted([record(anon, "p1", T0), record(customer, "p1", T0 + 3)]),
        );
        expect(await s.listEdges([email])).toEqual([]);
        expect(await s.listEdges([anon])).toEqual([
          { a: customer, b: anon, evidence: evidence("ev_9", T0 + 3) },
        ]);
        expect(await s.listRefusals("p1")).toEqual([]);
        expect(await s.getPerson("p1")).toEqual(person("p1", T0));
        await s.forgetKeys([]);
      });

      it("hands out copies: mutating inputs or results never changes the store", async () => {
        const s = await open();
        // Fresh objects: the mutations below must not touch the shared keys.
        const keyRecord = record({ ...anon }, "p1", T0);
        const edge = { a: { ...anon }, b: { ...email }, evidence: evidence("form_1", T0 + 1) };
        await s.applyIdentityChange({
          persons: [person("p1", T0)],
          keys: [keyRecord],
          edges: [edge],
        });
        keyRecord.key.value = "mutated";
        edge.evidence.source = "mutated";
        const [found] = await s.findKeys([anon]);
        (found as IdentityKeyRecord).key.value = "mutated";
        const [listed] = await s.listEdges([anon]);
        (listed as IdentityEdge).a.value = "mutated";
        expect(await s.findKeys([anon])).toEqual([record(anon, "p1", T0)]);
        expect(await s.listEdges([anon])).toEqual(link.edges);
      });
    });

    describe("input validation", () => {
      // Every engine refuses the same inputs, before touching its data, with a StorageError naming the
      // method and the argument path (never the value): see `checkStorageInput` in @revtrace/core.
      const NUL = "a\u0000b";
      const LONE_SURROGATE = "a\ud800b";
      const UNSAFE = 2 ** 53;

      it("ledger: non-integer, BigInt and unsafe amounts, bad kinds, NUL, bad positions", async () => {
        const s = await open();
        const c = (extra: Partial<Commission>) => commission("c1", "p1", 100, extra);
        const amount = (value: unknown) => ({ amount: value as number, currency: "USD" });
        await rejectsEach(s, [
          [
            "appendCommissions",
            "entries.0.amount.amount",
            (s) => s.appendCommissions([c({ amount: amount(1.5) })]),
          ],
          [
            "appendCommissions",
            "entries.1.amount.amount",
            (s) => s.appendCommissions([commission("ok", "p1", 1), c({ amount: amount(10n) })]),
          ],
          [
            "appendCommissions",
            "entries.0.amount.amount",
            (s) => s.appendCommissions([c({ amount: amount(UNSAFE) })]),
          ],
          [
            "appendCommissions",
            "entries.0.baseAmount.amount",
            (s) => s.appendCommissions([c({ baseAmount: amount(0.5) })]),
          ],
          ["appendCommissions", "entries.0.note", (s) => s.appendCommissions([c({ note: NUL })])],
          [
            "appendCommissions",
            "entries.0.partnerId",
            (s) => s.appendCommissions([c({ partnerId: LONE_SURROGATE })]),
          ],
          [
            "appendCommissions",
            "entries.0.occurredAt",
            (s) => s.appendCommissions([c({ occurredAt: 1.5 })]),
          ],
          [
            "appendCommissions",
            "entries.0.payableAt",
            (s) => s.appendCommissions([c({ payableAt: UNSAFE })]),
          ],
          [
            "appendCommissions",
            "entries.0.kind",
            (s) => s.appendCommissions([c({ kind: "bonus" as Commission["kind"] })]),
          ],
          ["listCommissions", "query.afterSeq", (s) => s.listCommissions({ afterSeq: 1.5 })],
          ["listCommissions", "query.afterSeq", (s) => s.listCommissions({ afterSeq: -1 })],
          ["listCommissions", "query.limit", (s) => s.listCommissions({ limit: -1 })],
          ["listCommissions", "query.partnerId", (s) => s.listCommissions({ partnerId: NUL })],
          ["getCommission", "key", (s) => s.getCommission(NUL)],
        ]);
        expect(await s.listCommissions()).toEqual([]);
        expect(await s.appendCommissions([c({})])).toEqual([{ ...c({}), seq: 1 }]);
      });

      it("receipts and resource versions: NUL, lone surrogates, non-integer and unsafe numbers", async () => {
        const s = await open();
        const receipt = { key: "chargebee:ev_1", type: "t", receivedAt: T0 };
        await rejectsEach(s, [
          ["claimReceipt", "receipt.key", (s) => s.claimReceipt({ ...receipt, key: NUL })],
          [
            "claimReceipt",
            "receipt.key",
            (s) => s.claimReceipt({ ...receipt, key: LONE_SURROGATE }),
          ],
          ["claimReceipt", "receipt.type", (s) => s.claimReceipt({ ...receipt, type: NUL })],
          [
            "claimReceipt",
            "receipt.receivedAt",
            (s) => s.claimReceipt({ ...receipt, receivedAt: 1.5 }),
          ],
          [
            "claimReceipt",
            "receipt.receivedAt",
            (s) => s.claimReceipt({ ...receipt, receivedAt: UNSAFE }),
          ],
          ["getReceipt", "key", (s) => s.getReceipt(NUL)],
          ["getReceipt", "key", (s) => s.getReceipt(LONE_SURROGATE)],
          ["advanceResourceVersion", "version", (s) => s.advanceResourceVersion("c", "1", UNSAFE)],
          ["advanceResourceVersion", "version", (s) => s.advanceResourceVersion("c", "1", 1.5)],
          ["advanceResourceVersion", "version", (s) => s.advanceResourceVersion("c", "1", NaN)],
          ["advanceResourceVersion", "id", (s) => s.advanceResourceVersion("c", NUL, 1)],
          ["getResourceVersion", "resourceType", (s) => s.getResourceVersion(NUL, "1")],
        ]);
        expect(await s.getReceipt("chargebee:ev_1")).toBeNull();
        expect(await s.getReceipt("a\ufffdb")).toBeNull();
        expect(await s.claimReceipt(receipt)).toBe(true);
        expect(await s.getResourceVersion("c", "1")).toBeNull();
        expect(await s.advanceResourceVersion("c", "1", Number.MAX_SAFE_INTEGER)).toBe(true);
        expect(await s.getResourceVersion("c", "1")).toBe(Number.MAX_SAFE_INTEGER);
      });

      it("touchpoints: schema violations, NUL, non-integer times and limits", async () => {
        const s = await open();
        const tp = touchpoint("tp_1", "anon-a", T0);
        const window = { anonymousIds: ["anon-a"], range: { from: 0, to: T0 * 2 } };
        await rejectsEach(s, [
          [
            "addTouchpoints",
            "touchpoints.1.occurredAt",
            (s) => s.addTouchpoints([tp, { ...touchpoint("tp_2", "anon-a", T0), occurredAt: 1.5 }]),
          ],
          ["addTouchpoints", "touchpoints.0.id", (s) => s.addTouchpoints([{ ...tp, id: NUL }])],
          [
            "addTouchpoints",
            "touchpoints.0.anonymousId",
            (s) => s.addTouchpoints([{ ...tp, anonymousId: LONE_SURROGATE }]),
          ],
          [
            "addTouchpoints",
            "touchpoints.0.utm.source",
            (s) => s.addTouchpoints([{ ...tp, utm: { source: NUL } }]),
          ],
          [
            "addTouchpoints",
            "touchpoints.0.channel",
            (s) => s.addTouchpoints([{ ...tp, channel: "tv" as Touchpoint["channel"] }]),
          ],
          ["getTouchpoint", "id", (s) => s.getTouchpoint(NUL)],
          [
            "listTouchpoints",
            "query.range.from",
            (s) => s.listTouchpoints({ ...window, range: { from: 0.5, to: T0 } }),
          ],
          ["listTouchpoints", "query.limit", (s) => s.listTouchpoints({ ...window, limit: 1.5 })],
          [
            "listTouchpoints",
            "query.anonymousIds.1",
            (s) => s.listTouchpoints({ ...window, anonymousIds: ["anon-a", NUL] }),
          ],
        ]);
        expect(await s.getTouchpoint("tp_1")).toBeNull();
        expect(await s.listTouchpoints(window)).toEqual([]);
      });

      it("outbox: NUL in keys and errors, non-integer times, limits and leases", async () => {
        const s = await open();
        const failure = { error: "x", availableAt: T0, now: T0 };
        const claim = { sink: "tiktok", limit: 10, leaseMs: 1_000, now: T0 };
        await rejectsEach(s, [
          [
            "enqueue",
            "items.1.idempotencyKey",
            (s) => s.enqueue([outboxItem("a"), outboxItem(NUL)], T0),
          ],
          [
            "enqueue",
            "items.0.sink",
            (s) => s.enqueue([outboxItem("a", { sink: LONE_SURROGATE })], T0),
          ],
          [
            "enqueue",
            "items.0.availableAt",
            (s) => s.enqueue([outboxItem("a", { availableAt: 1.5 })], T0),
          ],
          ["enqueue", "now", (s) => s.enqueue([outboxItem("a")], 1.5)],
          ["claim", "query.limit", (s) => s.claim({ ...claim, limit: 1.5 })],
          ["claim", "query.limit", (s) => s.claim({ ...claim, limit: -1 })],
          ["claim", "query.leaseMs", (s) => s.claim({ ...claim, leaseMs: -1 })],
          [
            "claim",
            "query.leaseMs",
            (s) => s.claim({ ...claim, now: Number.MAX_SAFE_INTEGER, leaseMs: 1 }),
          ],
          ["claim", "query.now", (s) => s.claim({ ...claim, now: UNSAFE })],
          ["ack", "now", (s) => s.ack("1", "token", 1.5)],
          ["ack", "leaseToken", (s) => s.ack("1", NUL, T0)],
          ["retry", "failure.error", (s) => s.retry("1", "token", { ...failure, error: NUL })],
          [
            "retry",
            "failure.availableAt",
            (s) => s.retry("1", "token", { ...failure, availableAt: 1.5 }),
          ],
          [
            "deadLetter",
            "failure.now",
            (s) => s.deadLetter("1", "token", { error: "x", now: 1.5 }),
          ],
          ["listFailures", "query.limit", (s) => s.listFailures({ limit: -1 })],
          ["listFailures", "query.sink", (s) => s.listFailures({ sink: NUL, limit: 1 })],
          ["getOutboxItem", "id", (s) => s.getOutboxItem(NUL)],
        ]);
        expect(await s.claim(claim)).toEqual([]);
        expect(await s.enqueue([outboxItem("a")], T0)).toBe(1);
      });

      it("accepts any JSON in an outbox payload, U+0000 and lone surrogates included", async () => {
        const s = await open();
        const payload = { [NUL]: NUL, text: LONE_SURROGATE, list: [NUL, { deep: LONE_SURROGATE }] };
        expect(await s.enqueue([outboxItem("a", { payload })], T0)).toBe(1);
        const [item] = await s.claim({ sink: "tiktok", limit: 1, leaseMs: 1, now: T0 });
        expect(item?.payload).toEqual(payload);
      });

      it("identities: bad kinds, NUL, lone surrogates, non-integer times", async () => {
        const s = await open();
        const anon = key("anonymous_id", "anon-1");
        const evidence = { source: "lead_form", observationId: "form_1", at: T0 };
        await rejectsEach(s, [
          [
            "applyIdentityChange",
            "change.keys.0.firstSeenAt",
            (s) =>
              s.applyIdentityChange({
                persons: [person("p1", T0)],
                keys: [{ key: anon, personId: "p1", firstSeenAt: 1.5 }],
              }),
          ],
          [
            "applyIdentityChange",
            "change.persons.0.id",
            (s) => s.applyIdentityChange({ persons: [person(NUL, T0)] }),
          ],
          [
            "applyIdentityChange",
            "change.persons.1.mergedAt",
            (s) =>
              s.applyIdentityChange({
                persons: [person("p1", T0), person("p2", T0, ["p1", UNSAFE])],
              }),
          ],
          [
            "applyIdentityChange",
            "change.edges.0.evidence.at",
            (s) =>
              s.applyIdentityChange({
                persons: [person("p1", T0)],
                edges: [{ a: anon, b: anon, evidence: { ...evidence, at: UNSAFE } }],
              }),
          ],
          [
            "applyIdentityChange",
            "change.refusals.0.reason",
            (s) =>
              s.applyIdentityChange({
                refusals: [{ personIds: ["p1", "p2"], keys: [anon], reason: NUL, evidence }],
              }),
          ],
          [
            "applyIdentityChange",
            "change.keys.0.key.kind",
            (s) =>
              s.applyIdentityChange({
                keys: [
                  {
                    key: { kind: "fax" as IdentityKey["kind"], value: "1" },
                    personId: "p1",
                    firstSeenAt: T0,
                  },
                ],
              }),
          ],
          ["findKeys", "keys.0.value", (s) => s.findKeys([key("email", NUL)])],
          ["listEdges", "keys.1.value", (s) => s.listEdges([anon, key("email", LONE_SURROGATE)])],
          ["forgetKeys", "keys.0.value", (s) => s.forgetKeys([key("email", NUL)])],
          ["getPerson", "id", (s) => s.getPerson(NUL)],
          ["listPersonKeys", "personId", (s) => s.listPersonKeys(NUL)],
          ["listRefusals", "personId", (s) => s.listRefusals(NUL)],
        ]);
        expect(await s.getPerson("p1")).toBeNull();
        expect(await s.findKeys([anon])).toEqual([]);
        expect(await s.listRefusals("p1")).toEqual([]);
      });
    });

    describe("atomic batches", () => {
      it("a failing batch writes nothing", async () => {
        const s = await open();
        const all = { anonymousIds: ["anon-a"], range: { from: 0, to: T0 * 2 } };
        const claim = { sink: "tiktok", limit: 10, leaseMs: 1_000, now: T0 };
        // Batches whose last entry is invalid…
        await isStorageError(s.enqueue([outboxItem("a"), outboxItem("b\u0000")], T0), s.engine);
        await isStorageError(
          s.addTouchpoints([
            touchpoint("t1", "anon-a", T0),
            { ...touchpoint("t2", "anon-a", T0), occurredAt: 1.5 },
          ]),
          s.engine,
        );
        await isStorageError(
          s.appendCommissions([commission("c1", "p1", 100), commission("c2", "p1", 1.5)]),
          s.engine,
        );
        await isStorageError(
          s.applyIdentityChange({
            persons: [person("p1", T0)],
            keys: [{ key: key("email", "a\u0000"), personId: "p1", firstSeenAt: T0 }],
          }),
          s.engine,
        );
        // …or valid in shape but not storable as JSON (a BigInt, a cycle): invalid input too (400,
        // not a retryable 503: the same value never becomes storable).
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        await rejectsEach(s, [
          [
            "enqueue",
            "items.1.payload",
            (s) => s.enqueue([outboxItem("a"), outboxItem("b", { payload: { n: 10n } })], T0),
          ],
          [
            "enqueue",
            "items.1.payload",
            (s) => s.enqueue([outboxItem("a"), outboxItem("b", { payload: cyclic })], T0),
          ],
          [
            "addTouchpoints",
            "touchpoints.1",
            (s) =>
              s.addTouchpoints([
                touchpoint("t1", "anon-a", T0),
                { ...touchpoint("t2", "anon-a", T0), extra: 10n } as unknown as Touchpoint,
              ]),
          ],
          [
            "appendCommissions",
            "entries.1",
            (s) =>
              s.appendCommissions([
                commission("c1", "p1", 100),
                { ...commission("c2", "p1", 100), extra: cyclic } as Commission,
              ]),
          ],
        ]);
        expect(await s.claim(claim)).toEqual([]);
        expect(await s.getTouchpoint("t1")).toBeNull();
        expect(await s.listTouchpoints(all)).toEqual([]);
        expect(await s.listCommissions()).toEqual([]);
        expect(await s.getCommission("c1")).toBeNull();
        expect(await s.getPerson("p1")).toBeNull();
        // The same batches, valid, write everything; the ledger starts at seq 1.
        expect(await s.enqueue([outboxItem("a"), outboxItem("b")], T0)).toBe(2);
        expect((await s.claim(claim)).map((i) => i.idempotencyKey)).toEqual(["a", "b"]);
        await s.addTouchpoints([touchpoint("t1", "anon-a", T0), touchpoint("t2", "anon-a", T0)]);
        expect((await s.listTouchpoints(all)).map((tp) => tp.id)).toEqual(["t1", "t2"]);
        const c1 = commission("c1", "p1", 100);
        expect(await s.appendCommissions([c1])).toEqual([{ ...c1, seq: 1 }]);
      });
    });

    describe("lifecycle", () => {
      it("names its engine", async () => {
        const s = await open();
        expect(typeof s.engine).toBe("string");
        expect(s.engine.length).toBeGreaterThan(0);
      });

      it("migrates again as a no-op that keeps the data", async () => {
        const s = await open();
        await s.claimReceipt({ key: "k", type: "t", receivedAt: T0 });
        await s.migrate();
        await s.migrate();
        expect(await s.getReceipt("k")).toEqual({ key: "k", type: "t", receivedAt: T0 });
      });

      /** Fails (instead of hanging until the test timeout) when `promise` never settles. */
      const settles = <T>(promise: Promise<T>, what: string): Promise<T> => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const hang = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${what} never settled`)), timeout / 2);
        });
        return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
      };

      /** Reads and writes of every kind, started at once (more than a small pool has connections). */
      const callsInFlight = (s: Storage) =>
        range(20).map((i) => {
          switch (i % 5) {
            case 0:
              return s.claimReceipt({ key: `k${i}`, type: "t", receivedAt: T0 });
            case 1:
              return s.ingest(inboxEvent(`ev_${i}`), [outboxItem(`w${i}`)]);
            case 2:
              return s.enqueue([outboxItem(`o${i}`)], T0);
            case 3:
              return s.appendCommissions([commission(`c${i}`, "p1", i)]);
            default:
              return s.getReceipt(`k${i - 4}`);
          }
        });

      /** Every call settled: as it would have, or with a StorageError of the engine. */
      const expectSettled = (s: Storage, outcomes: PromiseSettledResult<unknown>[]) => {
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") {
            expect(StorageError.isInstance(outcome.reason), String(outcome.reason)).toBe(true);
            expect((outcome.reason as StorageError).engine).toBe(s.engine);
          }
        }
      };

      it("close() in the same tick as calls in flight lets each of them settle", async () => {
        const s = await open();
        const calls = callsInFlight(s);
        const closed = s.close();
        const outcomes = await settles(Promise.allSettled(calls), "a call in flight at close()");
        await settles(closed, "close()");
        expectSettled(s, outcomes);
        await isStorageError(s.getReceipt("k0"), s.engine);
      });

      it("close() one tick after the calls lets each of them settle", async () => {
        const s = await open();
        const calls = callsInFlight(s);
        await new Promise((resolve) => setImmediate(resolve));
        const closed = s.close();
        // A call made while close() drains is refused, not started.
        await isStorageError(s.claimReceipt({ key: "late", type: "t", receivedAt: T0 }), s.engine);
        const outcomes = await settles(Promise.allSettled(calls), "a call in flight at close()");
        await settles(Promise.all([closed, s.close()]), "close()");
        expectSettled(s, outcomes);
      });

      it("rejects every call after close() with StorageError; close() is idempotent", async () => {
        const s = await open();
        await s.close();
        await s.close();
        const calls: Record<string, () => Promise<unknown>> = {
          migrate: () => s.migrate(),
          findKeys: () => s.findKeys([key("email", "a@b.c")]),
          getPerson: () => s.getPerson("p1"),
          listPersonKeys: () => s.listPersonKeys("p1"),
          listEdges: () => s.listEdges([key("email", "a@b.c")]),
          listRefusals: () => s.listRefusals("p1"),
          applyIdentityChange: () => s.applyIdentityChange({ persons: [person("p1", T0)] }),
          forgetKeys: () => s.forgetKeys([key("email", "a@b.c")]),
          addTouchpoints: () => s.addTouchpoints([touchpoint("tp", "a", T0)]),
          getTouchpoint: () => s.getTouchpoint("tp"),
          listTouchpoints: () =>
            s.listTouchpoints({ anonymousIds: ["a"], range: { from: 0, to: T0 } }),
          claimReceipt: () => s.claimReceipt({ key: "k", type: "t", receivedAt: T0 }),
          getReceipt: () => s.getReceipt("k"),
          enqueue: () => s.enqueue([outboxItem("a")], T0),
          claim: () => s.claim({ sink: "tiktok", limit: 1, leaseMs: 1, now: T0 }),
          ack: () => s.ack("1", "t", T0),
          retry: () => s.retry("1", "t", { error: "e", availableAt: T0, now: T0 }),
          deadLetter: () => s.deadLetter("1", "t", { error: "e", now: T0 }),
          listFailures: () => s.listFailures({ limit: 1 }),
          getOutboxItem: () => s.getOutboxItem("1"),
          appendCommissions: () => s.appendCommissions([commission("c", "p", 1)]),
          listCommissions: () => s.listCommissions(),
          getCommission: () => s.getCommission("c"),
          getResourceVersion: () => s.getResourceVersion("customer", "c"),
          advanceResourceVersion: () => s.advanceResourceVersion("customer", "c", 1),
          ingest: () => s.ingest(inboxEvent("k"), []),
          getInboxEvent: () => s.getInboxEvent("k"),
          listInboxEvents: () => s.listInboxEvents({ limit: 1 }),
          quarantine: () =>
            s.quarantine({
              source: "chargebee",
              receivedAt: T0,
              rawBody: "{",
              contentType: null,
              error: { code: "x", message: "y" },
            }),
          listQuarantine: () => s.listQuarantine({ limit: 1 }),
          resolveQuarantine: () => s.resolveQuarantine("1", T0),
        };
        // The view whose writes resolve once applied is made synchronously; its calls are refused.
        if (s.deferredCommits) {
          const view = s.deferredCommits();
          calls.deferredCommits = () => view.getInboxEvent("k");
          calls.committed = () => view.committed();
          calls.deferredWrite = () => view.ack("1", "t", T0);
        }
        // Methods this table does not know yet (an engine's extras) are called without arguments:
        // the closed check comes first.
        const own = s as unknown as Record<string, unknown>;
        const methods = new Set(Object.keys(calls));
        for (const m of Object.keys(own))
          if (m !== "close" && typeof own[m] === "function") methods.add(m);
        for (const method of methods) {
          const call = calls[method] ?? (() => (own[method] as () => Promise<unknown>)());
          await isStorageError(call(), s.engine).catch((error: unknown) => {
            throw new Error(`${method} after close()`, { cause: error });
          });
        }
      });
    });
  });
}
