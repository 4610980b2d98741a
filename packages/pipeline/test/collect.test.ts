/**
 * The collect endpoint through its Web handler, on the memory store and the real identity resolver:
 * what is accepted, and stored and linked once the batch is applied (the worker's step, run here
 * inline), the visitor cookie, CORS, bots, bounds and every refusal.
 */
import { createIdentityResolver } from "@revtrace/identity";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { beforeEach, describe, expect, it } from "vitest";
import {
  applyCollectBatch,
  type CollectBatch,
  type CollectedLead,
} from "../src/collect/collect-batch.js";
import { type CollectCounters, createCollectHandler } from "../src/collect/collect-handler.js";
import { type CollectOptions, CollectOptionsSchema } from "../src/collect/collect-settings.js";
import { toWebHandler } from "../src/http-exchange.js";

const NOW = Date.UTC(2026, 2, 1, 12);
const SITE = "https://shop.example.org";
const UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15";

let storage: ReturnType<typeof createMemoryStorage>;
let counters: CollectCounters;
let leads: CollectedLead[];
let accepted: { batch: CollectBatch; rawBody: string }[];

function handler(
  options: CollectOptions = {},
  accept: (batch: CollectBatch) => Promise<void> = async () => {},
) {
  const identity = createIdentityResolver({ storage, now: () => NOW });
  return toWebHandler(
    createCollectHandler({
      settings: CollectOptionsSchema.parse(options),
      now: () => NOW,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      counters,
      accept: async (batch, rawBody) => {
        await accept(batch);
        // What the pipeline stores is a JSON copy; the worker applies that.
        const stored = JSON.parse(JSON.stringify(batch)) as CollectBatch;
        const duplicate = accepted.some((a) => a.batch.id === batch.id);
        accepted.push({ batch: stored, rawBody });
        leads.push(...(await applyCollectBatch(stored, { touchpoints: storage, identity })));
        return { duplicate };
      },
    }),
  );
}

beforeEach(() => {
  storage = createMemoryStorage();
  counters = {
    requests: 0,
    touchpoints: 0,
    identifies: 0,
    bots: 0,
    refused: 0,
    rateLimited: 0,
    unverifiedRefs: 0,
    invalidEvents: 0,
    droppedFields: 0,
    duplicates: 0,
  };
  leads = [];
  accepted = [];
});

function post(body: unknown, init: { headers?: Record<string, string>; raw?: string } = {}) {
  return new Request(`${SITE}/rt/collect`, {
    method: "POST",
    headers: { "content-type": "text/plain", "user-agent": UA, ...init.headers },
    body: init.raw ?? JSON.stringify(body),
  });
}

const touch = (extra: Record<string, unknown> = {}) => ({
  type: "touch",
  at: NOW - 10,
  url: `${SITE}/pricing?ttclid=E.C.P.abc&utm_source=tiktok`,
  referrer: "https://www.tiktok.com/",
  clickIds: { ttclid: "E.C.P.abc" },
  utm: { source: "tiktok", campaign: "spring" },
  ttp: "ttp-cookie-value",
  first: true,
  ...extra,
});

async function visitorOf(response: Response): Promise<string> {
  const cookie = response.headers.get("set-cookie") ?? "";
  return /^rt_vid=([^;]+)/.exec(cookie)?.[1] ?? "";
}

describe("the collect endpoint", () => {
  it("stores a landing as a touchpoint, links its click id, and sets the first-party cookie", async () => {
    const response = await handler()(post({ v: 1, events: [touch()] }));
    expect(response.status).toBe(204);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^rt_vid=[0-9a-f-]{36}; Max-Age=34560000; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
    const visitor = await visitorOf(response);
    const [touchpoint] = await storage.listTouchpoints({
      anonymousIds: [visitor],
      range: { from: 0, to: NOW },
    });
    expect(touchpoint).toMatchObject({
      anonymousId: visitor,
      occurredAt: NOW,
      clickIds: { ttclid: "E.C.P.abc" },
      utm: { source: "tiktok", campaign: "spring" },
      referrer: "https://www.tiktok.com/",
      landingPage: `${SITE}/pricing?ttclid=E.C.P.abc&utm_source=tiktok`,
      userAgent: UA,
      ttp: "ttp-cookie-value",
      channel: "paid_social",
    });
    const identity = createIdentityResolver({ storage, now: () => NOW });
    const person = await identity.resolve([{ kind: "click_id", value: "E.C.P.abc" }]);
    expect(person?.keys.map((k) => `${k.key.kind}:${k.key.value}`).sort()).toEqual([
      `anonymous_id:${visitor}`,
      "click_id:E.C.P.abc",
    ]);
  });

  it("drops junk click-id values (`?ttclid=null`) from the touchpoint", async () => {
    const response = await handler()(
      post({ v: 1, events: [touch({ clickIds: { ttclid: "null", gclid: "Cj0KCQ-real" } })] }),
    );
    expect(response.status).toBe(204);
    const [touchpoint] = await storage.listTouchpoints({
      anonymousIds: [await visitorOf(response)],
      range: { from: 0, to: NOW },
    });
    expect(touchpoint?.clickIds).toEqual({ gclid: "Cj0KCQ-real" });
  });

  it("keeps the visitor's cookie id, and the same landing sent twice is one touchpoint", async () => {
    const collect = handler();
    const cookie = { cookie: "other=1; rt_vid=visitor-0001-abcdef" };
    const first = await collect(post({ v: 1, events: [touch()] }, { headers: cookie }));
    const again = await collect(post({ v: 1, events: [touch()] }, { headers: cookie }));
    expect(await visitorOf(first)).toBe("visitor-0001-abcdef");
    expect(await visitorOf(again)).toBe("visitor-0001-abcdef");
    const stored = await storage.listTouchpoints({
      anonymousIds: ["visitor-0001-abcdef"],
      range: { from: 0, to: NOW },
    });
    expect(stored).toHaveLength(1);
  });

  it("accepts a lead form as a lead, the same contact with a stable id, and keeps the raw body", async () => {
    const collect = handler();
    const headers = { cookie: "rt_vid=visitor-0002-abcdef" };
    const identify = {
      type: "identify",
      at: NOW,
      email: "Ada@Analytical-Engines.com ",
      phone: "+33 6 12 34 56 78",
    };
    const first = JSON.stringify({ v: 1, events: [touch(), identify] });
    await collect(post(undefined, { headers, raw: first }));
    await collect(post({ v: 1, events: [identify] }, { headers }));
    expect(leads).toHaveLength(2);
    expect(new Set(leads.map((l) => l.id)).size).toBe(1);
    expect(leads[0]).toMatchObject({ visitorId: "visitor-0002-abcdef", at: NOW });
    expect(accepted[0]?.rawBody).toBe(first);
    expect(counters.identifies).toBe(2);
    // The click id is linked when the batch is applied; the lead's email and phone are linked by
    // the lead conversion (the pipeline's worker: see the browser and end-to-end tests).
    const identity = createIdentityResolver({ storage, now: () => NOW });
    const person = await identity.resolve([{ kind: "click_id", value: "E.C.P.abc" }]);
    expect(person?.keys.map((k) => k.key.kind).sort()).toEqual(["anonymous_id", "click_id"]);
  });

  it("gives a beacon sent twice the same batch id, and another body another id", async () => {
    const collect = handler();
    const headers = { cookie: "rt_vid=visitor-0009-abcdef" };
    await collect(post({ v: 1, events: [touch()] }, { headers }));
    await collect(post({ v: 1, events: [touch()] }, { headers }));
    await collect(post({ v: 1, events: [touch({ url: `${SITE}/other` })] }, { headers }));
    const ids = accepted.map((a) => a.batch.id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it("gives batches and touchpoints ids that sort by the body's times, whatever the digest", async () => {
    const collect = handler();
    const headers = { cookie: "rt_vid=visitor-0010-abcdef" };
    // later landings first, and urls whose digests order differently from their times
    const times = [NOW - 5, NOW - 3_600_000, NOW - 86_400_000 * 400, NOW - 1];
    for (const [i, at] of times.entries()) {
      await collect(post({ v: 1, events: [touch({ at, url: `${SITE}/p${i}` })] }, { headers }));
    }
    const batchIds = accepted.map((a) => a.batch.id);
    const touchIds = accepted.map((a) => a.batch.touchpoints[0]?.id as string);
    expect(new Set(batchIds).size).toBe(4);
    const chronological = [...times.keys()].sort((i, j) => (times[i] ?? 0) - (times[j] ?? 0));
    expect([...batchIds].sort()).toEqual(chronological.map((i) => batchIds[i]));
    expect([...touchIds].sort()).toEqual(chronological.map((i) => touchIds[i]));
  });

  it("answers 500 when the batch cannot be stored, and counts nothing as stored", async () => {
    const collect = handler({}, async () => {
      throw new Error("disk full");
    });
    const response = await collect(post({ v: 1, events: [touch()] }));
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: "storage_failed" } });
    expect(counters.touchpoints).toBe(0);
    expect(accepted).toHaveLength(0);
  });

  it("drops a client-sent affiliate ref unless the server verifies it", async () => {
    const headers = { cookie: "rt_vid=visitor-0003-abcdef" };
    await handler()(
      post({ v: 1, events: [touch({ clickIds: undefined, ref: "P42" })] }, { headers }),
    );
    await handler({ verifyAffiliateRef: (ref) => ref === "P7" })(
      post(
        { v: 1, events: [touch({ clickIds: undefined, ref: "P7", url: `${SITE}/b` })] },
        { headers },
      ),
    );
    const stored = await storage.listTouchpoints({
      anonymousIds: ["visitor-0003-abcdef"],
      range: { from: 0, to: NOW },
    });
    expect(stored.map((t) => t.clickIds)).toEqual(
      expect.arrayContaining([{}, { affiliateRef: "P7" }]),
    );
    expect(counters.unverifiedRefs).toBe(1);
  });

  it("answers CORS for allowed origins only, and 403 for any other cross-origin caller", async () => {
    const collect = handler({ allowedOrigins: ["https://www.example.org"] });
    const preflight = await collect(
      new Request(`${SITE}/rt/collect`, {
        method: "OPTIONS",
        headers: { origin: "https://www.example.org" },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://www.example.org");
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    const allowed = await collect(
      post({ v: 1, events: [touch()] }, { headers: { origin: "https://www.example.org" } }),
    );
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://www.example.org");
    const same = await collect(post({ v: 1, events: [touch()] }, { headers: { origin: SITE } }));
    expect(same.status).toBe(204);
    expect(same.headers.get("access-control-allow-origin")).toBeNull();
    const evil = await collect(
      post({ v: 1, events: [touch()] }, { headers: { origin: "https://evil.test" } }),
    );
    expect(evil.status).toBe(403);
  });

  it("ignores bots by user agent, configurably", async () => {
    const bot = { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)" };
    expect((await handler()(post({ v: 1, events: [touch()] }, { headers: bot }))).status).toBe(204);
    expect(counters.bots).toBe(1);
    expect(counters.touchpoints).toBe(0);
    const none = await handler({ botUserAgents: [] })(
      post({ v: 1, events: [touch()] }, { headers: bot }),
    );
    expect(none.status).toBe(204);
    expect(counters.touchpoints).toBe(1);
  });

  it("refuses what is not a bounded collect body, naming the field and storing nothing", async () => {
    const collect = handler();
    const bad = async (body: unknown, raw?: string) => {
      const response = await collect(post(body, raw === undefined ? {} : { raw }));
      return {
        status: response.status,
        body: (await response.json()) as {
          error: { code: string; issues?: Array<{ path: string[] }> };
        },
      };
    };
    expect((await bad(null, "{not json")).status).toBe(400);
    const js = await bad({ v: 1, events: [touch({ url: "javascript:alert(1)" })] });
    expect(js.status).toBe(400);
    expect(js.body.error.issues?.[0]?.path).toEqual(["events", "0", "url"]);
    expect(
      (await bad({ v: 1, events: [touch({ url: `${SITE}/${"x".repeat(3_000)}` })] })).status,
    ).toBe(400);
    expect((await bad({ v: 1, events: Array.from({ length: 51 }, () => touch()) })).status).toBe(
      400,
    );
    expect((await bad({ v: 1, events: [{ type: "identify", at: NOW }] })).status).toBe(400);
    expect((await bad({ v: 2, events: [touch()] })).status).toBe(400);
    expect((await bad({ v: 1, events: [] })).status).toBe(400);
    expect((await bad({ v: 1, events: "x" })).status).toBe(400);
    expect(counters.touchpoints).toBe(0);
  });

  it("keeps the valid part of a body: bad optional fields and bad events are dropped and named", async () => {
    const collect = handler();
    const response = await collect(
      post({
        v: 1,
        vid: "not a visitor id!",
        events: [
          touch({
            url: `${SITE}/a`,
            utm: { source: "google", term: " " },
            clickIds: { gclid: "G-1", unknown_id: "x", ttclid: `${"t".repeat(499)}\ud83d` },
            ttp: "p".repeat(300),
            referrer: "javascript:alert(1)",
          }),
          touch({ url: "javascript:alert(1)" }),
          { type: "identify", at: NOW, email: " " },
          { type: "nonsense" },
        ],
      }),
    );
    expect(response.status).toBe(200);
    const { dropped } = (await response.json()) as { dropped: { path: string[] }[] };
    expect(dropped.map((d) => d.path.join("."))).toEqual([
      "vid",
      "events.0.referrer",
      "events.0.utm.term",
      "events.0.clickIds.ttclid",
      "events.0.ttp",
      "events.1.url",
      "events.2.email",
      "events.2",
      "events.3.type",
    ]);
    expect(JSON.stringify(dropped)).not.toContain("javascript");
    expect(counters).toMatchObject({ touchpoints: 1, invalidEvents: 3, droppedFields: 5 });
    const stored = accepted[0]?.batch.touchpoints[0];
    expect(stored?.clickIds).toEqual({ gclid: "G-1" });
    expect(stored?.utm).toEqual({ source: "google" });
    expect(stored).not.toHaveProperty("ttp");
    expect(stored).not.toHaveProperty("referrer");
    // a body where nothing is valid is refused, naming every issue
    const none = await collect(post({ v: 1, events: [touch({ url: "ftp://x" }), { type: "x" }] }));
    expect(none.status).toBe(400);
  });

  it("answers 405, 415 and 413 for the wrong method, type, encoding and size", async () => {
    const collect = handler();
    expect((await collect(new Request(`${SITE}/rt/collect`))).status).toBe(405);
    const xml = post(
      { v: 1, events: [touch()] },
      { headers: { "content-type": "application/xml" } },
    );
    expect((await collect(xml)).status).toBe(415);
    const gzipped = post({ v: 1, events: [touch()] }, { headers: { "content-encoding": "gzip" } });
    expect((await collect(gzipped)).status).toBe(415);
    expect(accepted).toHaveLength(0);
    const huge = post(null, { raw: `{"v":1,"events":[],"pad":"${"x".repeat(70_000)}"}` });
    expect((await collect(huge)).status).toBe(413);
  });

  it("limits requests per visitor with a Retry-After", async () => {
    const collect = handler({ rateLimit: { requests: 2, windowMs: 60_000 } });
    const headers = { cookie: "rt_vid=visitor-0004-abcdef" };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await collect(post({ v: 1, events: [touch({ url: `${SITE}/${i}` })] }, { headers })))
          .status,
      );
    }
    expect(statuses).toEqual([204, 204, 429]);
  });

  it("limits requests per client address, whatever cookie they carry (behind a trusted proxy)", async () => {
    const collect = handler({ trustProxy: true, rateLimit: { requests: 100, perAddress: 3 } });
    const from = (xff: string, i: number, cookie?: string) =>
      collect(
        post(
          { v: 1, events: [touch({ url: `${SITE}/${i}` })] },
          { headers: { "x-forwarded-for": xff, ...(cookie ? { cookie } : {}) } },
        ),
      );
    const statuses: number[] = [];
    // no cookie, then a new made-up cookie each time: a new visitor every request; the first
    // X-Forwarded-For entries are the client's own, the proxy appended the last
    statuses.push((await from("198.51.100.77, 203.0.113.9", 0)).status);
    for (let i = 1; i < 5; i++)
      statuses.push(
        (await from(`10.9.9.${i}, 203.0.113.9`, i, `rt_vid=forged-visitor-${i}`)).status,
      );
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
    const refused = await from("203.0.113.9", 9);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
    expect(counters.rateLimited).toBe(3);
    expect(accepted).toHaveLength(3);
    // another address is another client; one IPv6 /64 is one client, whatever its interface id
    expect((await from("198.51.100.4", 10)).status).toBe(204);
    const v6 = [
      "2001:db8:aa:bb::1",
      "2001:DB8:AA:BB:ffff::2",
      "[2001:db8:aa:bb:1:2:3:4]:443",
      "2001:db8:aa:bb::9",
    ];
    const v6Statuses: number[] = [];
    for (const [i, address] of v6.entries()) v6Statuses.push((await from(address, 20 + i)).status);
    expect(v6Statuses).toEqual([204, 204, 204, 429]);
  });

  it("has no address to limit on a Web Request without a trusted proxy, and can be turned off", async () => {
    const many = async (options: CollectOptions, headers: Record<string, string> = {}) => {
      const collect = handler(options);
      const statuses = new Set<number>();
      for (let i = 0; i < 5; i++)
        statuses.add(
          (await collect(post({ v: 1, events: [touch({ url: `${SITE}/${i}` })] }, { headers })))
            .status,
        );
      return [...statuses];
    };
    // a Web Request carries no peer address, and X-Forwarded-For is not trusted without trustProxy
    expect(
      await many({ rateLimit: { perAddress: 1 } }, { "x-forwarded-for": "203.0.113.9" }),
    ).toEqual([204]);
    expect(
      await many(
        { trustProxy: true, rateLimit: { perAddress: null } },
        { "x-forwarded-for": "203.0.113.9" },
      ),
    ).toEqual([204]);
    expect(() => CollectOptionsSchema.parse({ rateLimit: { perAddress: 0 } })).toThrow();
    expect(CollectOptionsSchema.parse({}).rateLimit.perAddress).toBe(1200);
  });

  it("reuses GA's client id as the visitor id only when allowed", async () => {
    const body = { v: 1, vid: "123456789.1700000000", events: [touch()] };
    expect(await visitorOf(await handler()(post(body)))).not.toBe("123456789.1700000000");
    expect(await visitorOf(await handler({ acceptClientVisitorId: true })(post(body)))).toBe(
      "123456789.1700000000",
    );
  });

  it("validates its options with clear errors", () => {
    expect(() => CollectOptionsSchema.parse({ allowedOrigins: ["*"] })).toThrow();
    expect(() => CollectOptionsSchema.parse({ cookie: { maxAgeDays: 500 } })).toThrow();
    // Only http(s) origins: `javascript:`, `file:` and `data:` URLs have the origin "null", which a
    // sandboxed iframe or a data: page sends.
    for (const origin of [
      "javascript:alert(1)",
      "file:///etc/passwd",
      "data:text/html,x",
      "ftp://x.io",
    ]) {
      expect(() => CollectOptionsSchema.parse({ allowedOrigins: [origin] })).toThrow(/http\(s\)/);
    }
    // Cookie attributes cannot carry other attributes or header breaks.
    for (const cookie of [
      { path: "/; Domain=evil.example; SameSite=None" },
      { path: "/a b" },
      { domain: "example.com\r\nSet-Cookie: x=1" },
      { domain: "example.com; Secure" },
      { maxAgeDays: 0.000001 },
    ]) {
      expect(() => CollectOptionsSchema.parse({ cookie }), JSON.stringify(cookie)).toThrow();
    }
    expect(
      CollectOptionsSchema.parse({ cookie: { domain: ".example.com", path: "/app" } }).cookie,
    ).toMatchObject({ domain: ".example.com", path: "/app" });
  });
});
