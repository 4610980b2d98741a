/**
 * The tracker's IIFE in headless Chromium against a local collect endpoint whose answers each test
 * programs: what the tracker drops or cuts so that the endpoint (`packages/pipeline`
 * `collect-body.ts`) never refuses a body, which answers it retries and how often, and that a
 * keepalive request a leaving page lost track of is not sent a second time.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { browserAvailable, launchChromium } from "@revtrace/testing/browser";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CollectBody, IdentifyEvent, TouchEvent } from "../src/index.js";
import { buildIife } from "./tracker-build.ts";

const available = browserAvailable();
let server: Server;
let origin = "";
let browser: Browser;
let script = "";
/** Bodies received by the collect endpoint, in order. */
const seen: CollectBody[] = [];
interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Milliseconds before the answer. */
  delay?: number;
}
/** How the endpoint answers a body (default 204 at once). */
let answer: (body: CollectBody) => Answer = () => ({ status: 204 });

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    request.on("end", () => resolve(text));
  });
}

beforeAll(async () => {
  if (!available) return;
  script = (await buildIife()).code;
  server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://local");
    const text = await readBody(request);
    if (url.pathname === "/revtrace.js") {
      response.writeHead(200, { "content-type": "text/javascript" });
      return response.end(script);
    }
    if (url.pathname === "/rt/collect") {
      const body = JSON.parse(text) as CollectBody;
      seen.push(body);
      const { status, headers, delay = 0 } = answer(body);
      setTimeout(() => {
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(status === 204 ? undefined : '{"error":{"code":"x","message":"refused"}}');
      }, delay);
      return;
    }
    response.writeHead(200, { "content-type": "text/html" });
    response.end(
      `<!doctype html><html><head><script src="/revtrace.js" ${url.searchParams.get("attrs") ?? ""}></script></head><body>hi</body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

let context: BrowserContext;
let tab: Page;
beforeEach(async () => {
  if (!available) return;
  seen.length = 0;
  answer = () => ({ status: 204 });
  await context?.close();
  context = await browser.newContext();
  tab = await context.newPage();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await sleep(25);
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}
const events = () => seen.flatMap((body) => body.events);
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
    expect(Math.max(...seen.map((body) => body.events.length))).toBeLessThanOrEqual(50);
  });

  it("sends a malformed GA client id nowhere (the endpoint would refuse every body)", async () => {
    await context.addCookies([{ name: "_ga", value: "GA1.1.12/34.5", url: origin }]);
    await tab.goto(`${origin}/?ttclid=G2&attrs=data-ga-client-id`);
    await until(() => touches().length === 1, "the landing");
    expect(seen[0]?.vid).toBeUndefined();
  });
});

describe.runIf(available)("the tracker's retries", { timeout: 15_000 }, () => {
  it("gives up on a request after 5 retries of 503 (Retry-After honoured), then sends what comes next", async () => {
    answer = () => ({ status: 503, headers: { "retry-after": "0.05" } });
    await tab.goto(`${origin}/?gclid=DOWN`);
    await until(() => seen.length === 6, "the landing and 5 retries");
    await sleep(1_000);
    expect(seen).toHaveLength(6);
    answer = () => ({ status: 204 });
    await identify({ email: "after@example.org" });
    await until(() => seen.length === 7, "the identify");
    expect(seen[6]?.events.map((e) => e.type)).toEqual(["identify"]);
  });

  it("backs off exponentially without Retry-After: 0.5 s, then 1 s", async () => {
    const times: number[] = [];
    answer = () => {
      times.push(Date.now());
      return { status: times.length < 3 ? 500 : 204 };
    };
    await tab.goto(`${origin}/?gclid=BACKOFF`);
    await until(() => seen.length === 3, "two retries", 160);
    const [a = 0, b = 0, c = 0] = times;
    expect(b - a).toBeGreaterThanOrEqual(450);
    expect(c - b).toBeGreaterThanOrEqual(950);
  });

  it("does not resend a body a 4xx other than 429 refused", async () => {
    answer = () => ({ status: 400 });
    await tab.goto(`${origin}/?gclid=REFUSED`);
    await until(() => seen.length === 1, "the landing");
    await sleep(1_500);
    expect(seen).toHaveLength(1);
  });

  it("does not send again, on leaving, what a keepalive request a navigation cut off had carried", async () => {
    // The answer to the identify comes after the navigation: Chromium rejects the page's keepalive
    // fetch between `pagehide` and `visibilitychange` although the request was delivered; the events
    // must not go out again in the leaving page's beacon.
    await tab.goto(`${origin}/?utm_source=x`);
    await until(() => touches().length === 1, "the landing");
    answer = (body) => ({ status: 204, delay: body.events[0]?.type === "identify" ? 400 : 0 });
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
