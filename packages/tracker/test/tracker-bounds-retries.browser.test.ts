/**
 * The tracker's IIFE in headless Chromium against a local collect endpoint whose answers each test
 * programs: what the tracker drops or cuts so that the endpoint (`packages/pipeline`
 * `collect-body.ts`) never refuses a body, which answers it retries and how often, and that a
 * keepalive request a leaving page lost track of is not sent a second time.
 */
import type { BrowserContext, Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import type { CollectBody, IdentifyEvent, TouchEvent } from "../src/index.js";
import { available, until, useTestSite } from "./test-site.ts";

const site = useTestSite(
  (url) =>
    `<!doctype html><html><head><script src="/revtrace.js" ${url.searchParams.get("attrs") ?? ""}></script></head><body>hi</body></html>`,
);
let origin = "";
let context: BrowserContext;
let tab: Page;
beforeEach(() => {
  ({ origin, context, tab } = site);
});
/** The bodies the collect endpoint received, in order. */
const seen = (): CollectBody[] => site.received.flatMap((r) => (r.body ? [r.body] : []));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const events = () => seen().flatMap((body) => body.events);
const touches = () => events().filter((e): e is TouchEvent => e.type === "touch");
const identifies = () => events().filter((e): e is IdentifyEvent => e.type === "identify");
const identify = (contact: object) =>
  tab.evaluate((c) => (window.revtrace as { identify(c: object): void }).identify(c), contact);

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe.runIf(available)("the tracker within the collect endpoint's bounds", () => {
  it("drops blank and NUL values, cuts long ones at a code point, cuts the _ttp cookie to 200", async () => {
    await context.addCookies([{ name: "_ttp", value: "t".repeat(300), url: origin }]);
    const long = `${"g".repeat(499)}%F0%9F%98%80`; // 499 characters, then an emoji at 500-501
    await tab.goto(
      `${origin}/?gclid=${long}&ttclid=%20&utm_term=+&utm_source=%00&utm_medium=cpc&ref=+`,
    );
    await until(() => touches().length === 1, "the landing");
    const [touch] = touches();
    expect(touch?.clickIds).toEqual({ gclid: "g".repeat(499) });
    expect(touch?.utm).toEqual({ medium: "cpc" });
    expect(touch?.ref).toBeUndefined();
    expect(touch?.ttp).toBe("t".repeat(200));
  });

  it("a landing whose only values are blank or NUL is internal navigation after the first", async () => {
    await tab.goto(`${origin}/?utm_source=x`);
    await until(() => touches().length === 1, "the first landing");
    await tab.goto(`${origin}/?utm_term=+&ttclid=%20&ref=%00`);
    await sleep(400);
    expect(touches()).toHaveLength(1);
  });

  it("drops an email or phone that is blank or holds U+0000 or a lone surrogate, sends nothing when none is left", async () => {
    await tab.goto(`${origin}/?utm_source=x`);
    await until(() => touches().length === 1, "the landing");
    await identify({ email: "  ", phone: "+1 555\u0000 0100" });
    await identify({ email: "a\uD83D@example.org", phone: "\uDE00" });
    await identify({ email: " lead@example.org ", phone: "   " });
    await identify({ email: `${"a".repeat(253)}\u{1F600}`, phone: `+${"1".repeat(39)}\u{1F600}` });
    await until(() => identifies().length === 2, "two identify events");
    await sleep(300);
    expect(identifies().map(({ email, phone }) => ({ email, phone }))).toEqual([
      { email: "lead@example.org", phone: undefined },
      { email: "a".repeat(253), phone: `+${"1".repeat(39)}` },
    ]);
    for (const e of identifies()) expect(e.email ?? "").not.toMatch(LONE);
  });

  it("sends at most 50 events a body (the endpoint refuses more)", async () => {
    await tab.goto(`${origin}/?attrs=data-require-consent`);
    await tab.evaluate(() => {
      const revtrace = window.revtrace as { identify(c: object): void; consent(): void };
      for (let i = 0; i < 120; i++) revtrace.identify({ email: `u${i}@example.org` });
      revtrace.consent();
    });
    await until(() => identifies().length === 120, "120 identify events");
    expect(Math.max(...seen().map((body) => body.events.length))).toBeLessThanOrEqual(50);
  });

  it("sends a malformed GA client id nowhere (the endpoint would refuse every body)", async () => {
    await context.addCookies([{ name: "_ga", value: "GA1.1.12/34.5", url: origin }]);
    await tab.goto(`${origin}/?ttclid=G2&attrs=data-ga-client-id`);
    await until(() => touches().length === 1, "the landing");
    expect(seen()[0]?.vid).toBeUndefined();
  });
});

describe.runIf(available)("the tracker's retries", { timeout: 15_000 }, () => {
  it("gives up on a request after 5 retries of 503 (Retry-After honoured), then sends what comes next", async () => {
    site.answer = () => ({ status: 503, headers: { "retry-after": "0.05" } });
    await tab.goto(`${origin}/?gclid=DOWN`);
    await until(() => seen().length === 6, "the landing and 5 retries");
    await sleep(1_000);
    expect(seen()).toHaveLength(6);
    site.answer = () => ({ status: 204 });
    await identify({ email: "after@example.org" });
    await until(() => seen().length === 7, "the identify");
    expect(seen()[6]?.events.map((e) => e.type)).toEqual(["identify"]);
  });

  it("backs off exponentially without Retry-After: 0.5 s, then 1 s", async () => {
    const times: number[] = [];
    site.answer = () => {
      times.push(Date.now());
      return { status: times.length < 3 ? 500 : 204 };
    };
    await tab.goto(`${origin}/?gclid=BACKOFF`);
    await until(() => seen().length === 3, "two retries", 160);
    const [a = 0, b = 0, c = 0] = times;
    expect(b - a).toBeGreaterThanOrEqual(450);
    expect(c - b).toBeGreaterThanOrEqual(950);
  });

  it("does not resend a body a 4xx other than 429 refused", async () => {
    site.answer = () => ({ status: 400 });
    await tab.goto(`${origin}/?gclid=REFUSED`);
    await until(() => seen().length === 1, "the landing");
    await sleep(1_500);
    expect(seen()).toHaveLength(1);
  });

  it("does not send again, on leaving, what a keepalive request a navigation cut off had carried", async () => {
    // The answer to the identify comes after the navigation: Chromium rejects the page's keepalive
    // fetch between `pagehide` and `visibilitychange` although the request was delivered; the events
    // must not go out again in the leaving page's beacon.
    await tab.goto(`${origin}/?utm_source=x`);
    await until(() => touches().length === 1, "the landing");
    site.answer = (body) => ({
      status: 204,
      delay: body?.events[0]?.type === "identify" ? 400 : 0,
    });
    await tab.evaluate(() => {
      (window.revtrace as { identify(c: object): void }).identify({ email: "late@example.org" });
      location.href = "/page2";
    });
    await tab.waitForURL(/page2/);
    await until(() => identifies().length >= 1, "the identify");
    await sleep(1_000);
    expect(identifies()).toHaveLength(1);
  });
});

// review-e: the tracker counted any answer as delivered, and cut an email inside an emoji.
describe.runIf(available)(
  "the tracker when the collect endpoint refuses (review-e)",
  { timeout: 15_000 },
  () => {
    const clicks = () =>
      seen()
        .flatMap((body) => body.events)
        .flatMap((e) => (e.type === "touch" ? [e.clickIds] : []));
    /** Answers `first` once, then 204. */
    const once = (first: { status: number; headers?: Record<string, string> }) => {
      let answered = false;
      site.answer = () => {
        if (answered) return { status: 204 };
        answered = true;
        return first;
      };
    };

    it("resends a landing the endpoint answered 500 (storage_failed: not accepted, retry)", async () => {
      once({ status: 500 });
      await tab.goto(`${origin}/?ttclid=E.C.P.RETRY500`);
      await until(() => seen().length >= 2, "the landing resent after a 500", 160);
      expect(clicks()).toEqual([{ ttclid: "E.C.P.RETRY500" }, { ttclid: "E.C.P.RETRY500" }]);
    });

    it("resends a landing the endpoint answered 429 with Retry-After: 1", async () => {
      once({ status: 429, headers: { "retry-after": "1" } });
      await tab.goto(`${origin}/?gclid=RETRY429`);
      await until(() => seen().length >= 2, "the landing resent after a 429", 160);
      expect(clicks()).toEqual([{ gclid: "RETRY429" }, { gclid: "RETRY429" }]);
    });

    it("never sends an email cut inside a surrogate pair (the endpoint refuses the whole body)", async () => {
      await tab.goto(`${origin}/?utm_source=x`);
      await until(() => seen().length === 1, "the landing");
      // 253 characters, then an emoji (two UTF-16 units): the 254-unit cut falls between them
      const email = `${"a".repeat(241)}@example.org😀`;
      expect(email.length).toBe(255);
      await identify({ email });
      await until(() => seen().length === 2, "the identify");
      const sent = seen()[1]?.events[0] as { email?: string };
      expect(sent.email).toBe(`${"a".repeat(241)}@example.org`);
      expect(sent.email).not.toMatch(LONE);
    });
  },
);
