/**
 * The inbox part of the storage conformance suite (`InboxStore`), registered by
 * `runStorageConformance`.
 *
 * @module
 */
import type {
  InboxEvent,
  InboxEventInput,
  OutboxItemInput,
  QuarantineInput,
  Storage,
} from "@revtrace/core";
import { describe, expect, it } from "vitest";
import {
  inboxEvent,
  isStorageError,
  outboxItem,
  range,
  rejectsEach,
  type StorageConformanceContext,
  T0,
} from "./storage-fixtures.js";

function quarantined(n: number, extra: Partial<QuarantineInput> = {}): QuarantineInput {
  return {
    source: "chargebee",
    receivedAt: T0 + n,
    rawBody: `{"id":"ev_bad_${n}"`,
    contentType: "application/json",
    error: { code: "webhook_payload_invalid", message: `bad body ${n}` },
    ...extra,
  };
}

/** What the store gives back for an ingested event (JSON for the normalized event). */
const stored = (input: InboxEventInput, seq: number, duplicates = 0): InboxEvent => ({
  key: input.key,
  source: input.source,
  type: input.type,
  receivedAt: input.receivedAt,
  rawBody: input.rawBody,
  event: JSON.parse(JSON.stringify(input.event)),
  seq,
  duplicates,
});

/** Every item of `sink` that can be claimed at a far later time, by idempotency key. */
const queued = async (s: Storage, sink = "tiktok") =>
  (await s.claim({ sink, limit: 10_000, leaseMs: 1, now: T0 * 2 }))
    .map((item) => item.idempotencyKey)
    .sort();

/** Registers the inbox tests. */
export function inboxConformance(context: StorageConformanceContext): void {
  const { open, openPair, crossConnection, concurrency } = context;

  describe("inbox", () => {
    it("ingests once: the first delivery stores the event and enqueues its work, later ones are counted", async () => {
      const s = await open();
      const first = inboxEvent("chargebee:ev_1");
      const work = [
        outboxItem("ev_1:tiktok"),
        outboxItem("ev_1:segment", { sink: "segment", availableAt: T0 + 5_000 }),
      ];
      expect(await s.ingest(first, work)).toEqual({ duplicate: false });
      const event = (await s.getInboxEvent("chargebee:ev_1")) as InboxEvent;
      expect(event).toEqual(stored(first, event.seq));
      expect(Number.isSafeInteger(event.seq) && event.seq >= 1).toBe(true);

      // The work is enqueued as enqueue(work, receivedAt) would.
      const [tiktok] = await s.claim({ sink: "tiktok", limit: 10, leaseMs: 1_000, now: T0 });
      expect(tiktok).toMatchObject({
        idempotencyKey: "ev_1:tiktok",
        payload: { key: "ev_1:tiktok" },
        createdAt: T0,
        availableAt: T0,
        attempts: 1,
      });
      expect(await s.ack(tiktok?.id as string, tiktok?.leaseToken as string, T0)).toBe(true);
      expect(await s.claim({ sink: "segment", limit: 10, leaseMs: 1, now: T0 + 4_999 })).toEqual(
        [],
      );
      expect(await queued(s, "segment")).toEqual(["ev_1:segment"]);

      // A redelivery, even with other content and other work, is only counted.
      const again = inboxEvent("chargebee:ev_1", {
        type: "other",
        receivedAt: T0 + 60_000,
        rawBody: "{}",
        event: { changed: true },
      });
      expect(await s.ingest(again, [outboxItem("ev_1:again")])).toEqual({ duplicate: true });
      expect(await s.ingest(first, work)).toEqual({ duplicate: true });
      expect(await s.getInboxEvent("chargebee:ev_1")).toEqual(stored(first, event.seq, 2));
      expect(await queued(s)).toEqual([]);
      expect(await s.listInboxEvents({ limit: 10 })).toEqual([stored(first, event.seq, 2)]);
      expect(await s.getInboxEvent("chargebee:ev_unknown")).toBeNull();
    });

    it("enqueues work under the outbox's rules: idempotent keys, nothing for an empty list", async () => {
      const s = await open();
      const work = [
        outboxItem("a"),
        outboxItem("a", { payload: { second: true } }),
        outboxItem("b"),
      ];
      expect(await s.ingest(inboxEvent("k1"), work)).toEqual({ duplicate: false });
      // Another event whose work is already queued is new; its work is not enqueued twice.
      expect(await s.ingest(inboxEvent("k2"), [outboxItem("a"), outboxItem("c")])).toEqual({
        duplicate: false,
      });
      expect(await s.ingest(inboxEvent("k3"), [])).toEqual({ duplicate: false });
      const items = await s.claim({ sink: "tiktok", limit: 10, leaseMs: 1, now: T0 });
      expect(items.map((i) => [i.idempotencyKey, i.payload])).toEqual([
        ["a", { key: "a" }],
        ["b", { key: "b" }],
        ["c", { key: "c" }],
      ]);
      expect(await s.enqueue([outboxItem("a")], T0)).toBe(0);
      expect((await s.listInboxEvents({ limit: 10 })).map((e) => e.key)).toEqual([
        "k1",
        "k2",
        "k3",
      ]);
    });

    it("keeps raw bodies byte for byte and returns the event as JSON gives it", async () => {
      const s = await open();
      const bodies = [
        '{"content":{"customer":{"first_name":"Zoë","last_name":"Ångström — 🚀 日本"}}}',
        '{"note":"line\u2028separator\u2029paragraph"}\n',
        '\ufeff{ "bom" : true }\r\n\t ',
        "",
        'not json at all: \\" \\u0000 \u0000 raw NUL',
        "é".normalize("NFD"),
      ];
      for (const [i, rawBody] of bodies.entries()) {
        await s.ingest(
          inboxEvent(`k${i}`, {
            rawBody,
            event: { at: new Date(T0), missing: undefined, text: rawBody, list: [1, "2", null] },
          }),
          [],
        );
      }
      const events = await s.listInboxEvents({ limit: 100 });
      expect(events.map((e) => e.rawBody)).toEqual(bodies);
      for (const [i, rawBody] of bodies.entries()) {
        const event = await s.getInboxEvent(`k${i}`);
        expect(event?.rawBody).toBe(rawBody);
        expect(event?.rawBody.length).toBe(rawBody.length);
        expect(event?.event).toEqual({
          at: new Date(T0).toISOString(),
          text: rawBody,
          list: [1, "2", null],
        });
        expect(event && "missing" in (event.event as object)).toBe(false);
      }
      const ids = [];
      for (const rawBody of bodies) ids.push(await s.quarantine(quarantined(1, { rawBody })));
      const kept = await s.listQuarantine({ limit: 100 });
      expect(kept.map((q) => q.rawBody)).toEqual(bodies);
      expect(kept.map((q) => q.id)).toEqual(ids);
    });

    it("has exactly one winner among concurrent ingests of one key; only its work is enqueued", async () => {
      const s = await open();
      const results = await Promise.all(
        range(concurrency).map((i) =>
          s.ingest(inboxEvent("chargebee:ev_race", { receivedAt: T0 + i }), [
            outboxItem(`work-${i}`),
          ]),
        ),
      );
      const winners = range(concurrency).filter((i) => !results[i]?.duplicate);
      expect(winners).toHaveLength(1);
      const winner = winners[0] as number;
      const event = await s.getInboxEvent("chargebee:ev_race");
      expect(event).toMatchObject({ receivedAt: T0 + winner, duplicates: concurrency - 1 });
      expect(await queued(s)).toEqual([`work-${winner}`]);
    });

    it("lets every concurrent ingest of distinct keys win, each with its work", async () => {
      const s = await open();
      const results = await Promise.all(
        range(concurrency).map((i) => s.ingest(inboxEvent(`k${i}`), [outboxItem(`work-${i}`)])),
      );
      expect(results.every((r) => r.duplicate === false)).toBe(true);
      const events = await s.listInboxEvents({ limit: concurrency + 1 });
      expect(events.map((e) => e.key).sort()).toEqual(
        range(concurrency)
          .map((i) => `k${i}`)
          .sort(),
      );
      const seqs = events.map((e) => e.seq);
      expect(new Set(seqs).size).toBe(concurrency);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(await queued(s)).toEqual(
        range(concurrency)
          .map((i) => `work-${i}`)
          .sort(),
      );
    });

    crossConnection(
      "has exactly one winner per key among concurrent ingests from two connections",
      async () => {
        const [a, b] = await openPair();
        const keys = range(5).map((k) => `chargebee:ev_x${k}`);
        const calls = keys.flatMap((k) =>
          range(concurrency).map((i) => ({ k, i, on: i % 2 === 0 ? a : b })),
        );
        const results = await Promise.all(
          calls.map(({ k, i, on }) =>
            on.ingest(inboxEvent(k, { receivedAt: T0 + i }), [outboxItem(`${k}/${i}`)]),
          ),
        );
        const won = calls.filter((_, n) => !results[n]?.duplicate);
        expect(won.map((c) => c.k).sort()).toEqual([...keys].sort());
        for (const { k, i } of won) {
          for (const s of [a, b]) {
            expect(await s.getInboxEvent(k)).toMatchObject({
              receivedAt: T0 + i,
              duplicates: concurrency - 1,
            });
          }
        }
        expect(await queued(b)).toEqual(won.map((c) => `${c.k}/${c.i}`).sort());
      },
    );

    it("a failed ingest writes nothing: no claim, no event, no work, no duplicate count", async () => {
      const s = await open();
      const bad: OutboxItemInput[] = [outboxItem("ok"), outboxItem("bad", { payload: { n: 1n } })];
      await isStorageError(s.ingest(inboxEvent("k1"), bad), s.engine);
      await isStorageError(
        s.ingest(inboxEvent("k1", { event: { n: 1n } }), [outboxItem("ok")]),
        s.engine,
      );
      expect(await s.getInboxEvent("k1")).toBeNull();
      expect(await s.listInboxEvents({ limit: 10 })).toEqual([]);
      expect(await queued(s)).toEqual([]);
      // The key was never claimed.
      expect(await s.ingest(inboxEvent("k1"), [outboxItem("ok")])).toEqual({ duplicate: false });
      await isStorageError(s.ingest(inboxEvent("k1"), bad), s.engine);
      expect(await s.getInboxEvent("k1")).toMatchObject({ duplicates: 0 });

      // A failing ingest among concurrent ones fails alone.
      const settled = await Promise.allSettled([
        s.ingest(inboxEvent("k2"), [outboxItem("w2")]),
        s.ingest(inboxEvent("k3"), [outboxItem("w3"), outboxItem("w3-bad", { payload: 1n })]),
        s.ingest(inboxEvent("k4"), [outboxItem("w4")]),
        s.ingest(inboxEvent("k1"), []),
      ]);
      expect(settled.map((r) => r.status)).toEqual([
        "fulfilled",
        "rejected",
        "fulfilled",
        "fulfilled",
      ]);
      expect(await s.getInboxEvent("k3")).toBeNull();
      expect(await s.getInboxEvent("k1")).toMatchObject({ duplicates: 1 });
      expect(await queued(s)).toEqual(["ok", "w2", "w4"]);
      expect(await s.ingest(inboxEvent("k3"), [])).toEqual({ duplicate: false });
    });

    it("lists events in seq order, after a position, by source, up to a limit", async () => {
      const s = await open();
      const inputs = range(8).map((i) =>
        inboxEvent(`k${i}`, {
          source: i % 3 === 0 ? "retention" : "chargebee",
          receivedAt: T0 + i,
        }),
      );
      for (const input of inputs) await s.ingest(input, []);
      await s.ingest(inputs[2] as InboxEventInput, []);
      const all = await s.listInboxEvents({ limit: 100 });
      expect(all.map((e) => e.key)).toEqual(inputs.map((e) => e.key));
      for (let i = 1; i < all.length; i++)
        expect((all[i] as InboxEvent).seq).toBeGreaterThan((all[i - 1] as InboxEvent).seq);
      expect(all).toEqual(
        inputs.map((input, i) => stored(input, (all[i] as InboxEvent).seq, i === 2 ? 1 : 0)),
      );
      const keys = (events: InboxEvent[]) => events.map((e) => e.key);
      const third = (all[2] as InboxEvent).seq;
      expect(keys(await s.listInboxEvents({ afterSeq: third, limit: 100 }))).toEqual([
        "k3",
        "k4",
        "k5",
        "k6",
        "k7",
      ]);
      expect(keys(await s.listInboxEvents({ source: "retention", limit: 100 }))).toEqual([
        "k0",
        "k3",
        "k6",
      ]);
      expect(
        keys(await s.listInboxEvents({ source: "retention", afterSeq: third, limit: 1 })),
      ).toEqual(["k3"]);
      expect(keys(await s.listInboxEvents({ limit: 2 }))).toEqual(["k0", "k1"]);
      expect(await s.listInboxEvents({ limit: 0 })).toEqual([]);
      expect(await s.listInboxEvents({ source: "tracker", limit: 10 })).toEqual([]);
      const last = (all[7] as InboxEvent).seq;
      expect(await s.listInboxEvents({ afterSeq: last, limit: 10 })).toEqual([]);
    });

    it("quarantines bodies in id order, lists the waiting ones, resolves each once", async () => {
      const s = await open();
      const bodies = [
        quarantined(1),
        quarantined(2, {
          contentType: null,
          error: {
            code: "webhook_payload_invalid",
            message: "2 issues",
            issues: [{ path: ["content", "invoice"], message: "Required", input: undefined }],
          },
        }),
        quarantined(3, { source: "retention" }),
      ];
      const ids: string[] = [];
      for (const body of bodies) ids.push(await s.quarantine(body));
      for (const id of ids) expect(id).toMatch(/^[1-9][0-9]*$/);
      expect(ids.map(Number)).toEqual([...ids.map(Number)].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(3);
      const expected = bodies.map((body, i) => ({
        ...body,
        error: JSON.parse(JSON.stringify(body.error)),
        id: ids[i],
        resolvedAt: null,
      }));
      expect(await s.listQuarantine({ limit: 10 })).toEqual(expected);

      const [one, two, three] = ids as [string, string, string];
      expect(await s.resolveQuarantine(two, T0 + 100)).toBe(true);
      expect(await s.resolveQuarantine(two, T0 + 200)).toBe(false);
      expect(await s.resolveQuarantine("999999", T0)).toBe(false);
      expect(await s.resolveQuarantine(`0${two}`, T0)).toBe(false);
      expect(await s.resolveQuarantine("not-an-id", T0)).toBe(false);
      expect(await s.listQuarantine({ limit: 10 })).toEqual([expected[0], expected[2]]);
      expect(await s.listQuarantine({ includeResolved: true, limit: 10 })).toEqual([
        expected[0],
        { ...expected[1], resolvedAt: T0 + 100 },
        expected[2],
      ]);
      expect(await s.listQuarantine({ afterId: one, limit: 10 })).toEqual([expected[2]]);
      expect(await s.listQuarantine({ afterId: one, includeResolved: true, limit: 1 })).toEqual([
        { ...expected[1], resolvedAt: T0 + 100 },
      ]);
      expect(await s.listQuarantine({ afterId: "0", limit: 1 })).toEqual([expected[0]]);
      expect(await s.listQuarantine({ afterId: three, limit: 10 })).toEqual([]);
      expect(await s.listQuarantine({ limit: 0 })).toEqual([]);
    });

    it("refuses invalid input before writing anything", async () => {
      const s = await open();
      const NUL = "a\u0000b";
      const LONE_SURROGATE = "a\ud800b";
      const ev = inboxEvent("k1");
      const body = quarantined(1);
      await rejectsEach(s, [
        ["ingest", "event.key", (s) => s.ingest({ ...ev, key: NUL }, [])],
        ["ingest", "event.key", (s) => s.ingest({ ...ev, key: LONE_SURROGATE }, [])],
        ["ingest", "event.source", (s) => s.ingest({ ...ev, source: NUL }, [])],
        ["ingest", "event.type", (s) => s.ingest({ ...ev, type: 7 as unknown as string }, [])],
        ["ingest", "event.receivedAt", (s) => s.ingest({ ...ev, receivedAt: 1.5 }, [])],
        ["ingest", "event.receivedAt", (s) => s.ingest({ ...ev, receivedAt: 2 ** 53 }, [])],
        ["ingest", "event.rawBody", (s) => s.ingest({ ...ev, rawBody: LONE_SURROGATE }, [])],
        ["ingest", "event.rawBody", (s) => s.ingest({ ...ev, rawBody: "\udc00" }, [])],
        ["ingest", "event.event", (s) => s.ingest({ ...ev, event: { n: 1n } }, [])],
        [
          "ingest",
          "work.1.idempotencyKey",
          (s) => s.ingest(ev, [outboxItem("a"), outboxItem(NUL)]),
        ],
        [
          "ingest",
          "work.0.availableAt",
          (s) => s.ingest(ev, [outboxItem("a", { availableAt: 1.5 })]),
        ],
        [
          "ingest",
          "work.1.payload",
          (s) => s.ingest(ev, [outboxItem("a"), outboxItem("b", { payload: { n: 1n } })]),
        ],
        ["ingest", "work", (s) => s.ingest(ev, undefined as unknown as [])],
        ["getInboxEvent", "key", (s) => s.getInboxEvent(NUL)],
        ["listInboxEvents", "query.limit", (s) => s.listInboxEvents({ limit: -1 })],
        [
          "listInboxEvents",
          "query.afterSeq",
          (s) => s.listInboxEvents({ afterSeq: 1.5, limit: 1 }),
        ],
        ["listInboxEvents", "query.source", (s) => s.listInboxEvents({ source: NUL, limit: 1 })],
        ["quarantine", "body.rawBody", (s) => s.quarantine({ ...body, rawBody: LONE_SURROGATE })],
        ["quarantine", "body.receivedAt", (s) => s.quarantine({ ...body, receivedAt: 0.5 })],
        [
          "quarantine",
          "body.contentType",
          (s) => s.quarantine({ ...body, contentType: undefined as unknown as null }),
        ],
        [
          "quarantine",
          "body.error.message",
          (s) => s.quarantine({ ...body, error: { code: "x", message: NUL } }),
        ],
        [
          "quarantine",
          "body.error",
          (s) => s.quarantine({ ...body, error: { code: "x", message: "m", issues: [1n] } }),
        ],
        ["listQuarantine", "query.afterId", (s) => s.listQuarantine({ afterId: "01", limit: 1 })],
        ["listQuarantine", "query.afterId", (s) => s.listQuarantine({ afterId: "x", limit: 1 })],
        ["listQuarantine", "query.limit", (s) => s.listQuarantine({ limit: 1.5 })],
        [
          "listQuarantine",
          "query.includeResolved",
          (s) => s.listQuarantine({ includeResolved: "yes" as unknown as boolean, limit: 1 }),
        ],
        ["resolveQuarantine", "now", (s) => s.resolveQuarantine("1", 1.5)],
        ["resolveQuarantine", "id", (s) => s.resolveQuarantine(NUL, 1)],
      ]);
      expect(await s.listInboxEvents({ limit: 10 })).toEqual([]);
      expect(await s.listQuarantine({ includeResolved: true, limit: 10 })).toEqual([]);
      expect(await queued(s)).toEqual([]);
      expect(await s.ingest(ev, [outboxItem("a")])).toEqual({ duplicate: false });
    });
  });
}
