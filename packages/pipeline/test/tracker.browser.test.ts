/**
 * The browser tracker against the real collect endpoint, in headless Chromium (Debian's `chromium`
 * through playwright-core): a page of the site, served from the same origin as the pipeline, with the
 * tracker's IIFE build. What the pipeline stored is asserted (touchpoints, the first touch, the lead
 * linked to the visitor, the visitor cookie's attributes), then the whole path: visit → lead form →
 * Chargebee webhooks → the TikTok sandbox received the ttclid and the hashed email.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { browserAvailable, launchChromium } from "@revtrace/testing/browser";
import { build } from "esbuild";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fixtureJson, shifted } from "./fixtures.ts";
import { PIXEL, type Stack, startStack } from "./stack.ts";

const available = browserAvailable();
if (!available) console.warn("pipeline browser tests skipped: no Chromium (set CHROMIUM_PATH)");

const EMAIL = "grace@hopper-compilers.dev";
const TTCLID = "E.C.P.BrowserClick42";
const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let browser: Browser;
let script = "";
let stack: Stack | undefined;
let context: BrowserContext | undefined;

const PAGE = `<!doctype html><html><head><script src="/revtrace.js" data-forms></script></head><body>
<a id="pricing" href="/pricing">Pricing</a>
<form id="lead" onsubmit="event.preventDefault()"><input type="email" name="email">
<input type="password" name="password" value="not-for-revtrace"><button id="send">Send</button></form>
</body></html>`;

async function start(): Promise<Stack> {
  return startStack(
    {},
    {
      site: (request, response) => {
        const path = (request.url ?? "/").split("?")[0];
        if (path === "/revtrace.js") {
          response.writeHead(200, { "content-type": "text/javascript" });
          response.end(script);
          return true;
        }
        if (path === "/" || path === "/pricing") {
          response.writeHead(200, { "content-type": "text/html" });
          response.end(PAGE);
          return true;
        }
        return false;
      },
    },
  );
}

beforeAll(async () => {
  if (!available) return;
  const built = await build({
    entryPoints: [new URL("../../tracker/src/auto.ts", import.meta.url).pathname],
    bundle: true,
    write: false,
    format: "iife",
    minify: true,
    target: "es2017",
  });
  script = built.outputFiles[0]?.text ?? "";
  expect(gzipSync(script).length).toBeLessThan(2_048);
  browser = await launchChromium();
}, 60_000);

afterEach(async () => {
  await context?.close();
  await stack?.close();
  context = undefined;
  stack = undefined;
});
afterAll(async () => browser?.close());

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function visitAndSubmit(s: Stack) {
  context = await browser.newContext({ userAgent: CHROME });
  const page = await context.newPage();
  await page.goto(`${s.url}/?ttclid=${TTCLID}&utm_source=tiktok&utm_campaign=spring`, {
    referer: "https://www.tiktok.com/",
  });
  await until(async () => s.pipeline.metrics().collect.touchpoints === 1, "the landing");
  await page.click("#pricing");
  await page.waitForURL(/pricing/);
  await page.goto(`${s.url}/?gclid=LATER-CLICK&utm_source=google`);
  await until(async () => s.pipeline.metrics().collect.touchpoints === 2, "the second landing");
  await page.fill("input[name=email]", EMAIL);
  await page.click("#send");
  await until(async () => s.pipeline.metrics().collect.identifies === 1, "the lead form");
  const cookies = await context.cookies();
  return cookies.find((cookie) => cookie.name === "rt_vid");
}

describe.runIf(available)("the tracker and the collect endpoint in Chromium", () => {
  it("stores landings and the lead form, keeps the first touch, and sets an HttpOnly first-party cookie", async () => {
    stack = await start();
    const cookie = await visitAndSubmit(stack);
    // Accepted durably before each 204; stored and linked by the worker.
    await stack.pipeline.drain();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 399 * 86_400);
    const visitor = cookie?.value as string;
    const touchpoints = await stack.storage.listTouchpoints({
      anonymousIds: [visitor],
      range: { from: 0, to: Date.now() },
    });
    expect(touchpoints.map((t) => [t.clickIds, t.utm.source, t.channel])).toEqual([
      [{ ttclid: TTCLID }, "tiktok", "paid_social"],
      [{ gclid: "LATER-CLICK" }, "google", "paid_search"],
    ]);
    expect(touchpoints[0]?.referrer).toBe("https://www.tiktok.com/");
    expect(touchpoints[0]?.userAgent).toBe(CHROME);
    const [record] = await stack.storage.findKeys([{ kind: "email", value: EMAIL }]);
    const keys = await stack.storage.listPersonKeys(record?.personId ?? "");
    expect(keys.map((k) => `${k.key.kind}:${k.key.value}`).sort()).toEqual(
      [
        `anonymous_id:${visitor}`,
        "click_id:LATER-CLICK",
        `click_id:${TTCLID}`,
        `email:${EMAIL}`,
      ].sort(),
    );
  });

  it("carries the visit through the lead form and the Chargebee payment to TikTok", async () => {
    stack = await start();
    await visitAndSubmit(stack);
    await stack.pipeline.drain();
    // The checkout comes after the visit: the fixture's subscription activates 10 s before its
    // payment, so the payment is moved 15 s ahead (TikTok's event time is clamped to now).
    const now = Date.now();
    const payment = shifted(
      fixtureJson("payment_succeeded.items-click-id.synthetic.json"),
      now,
      -15,
      {
        "ada@example.com": EMAIL,
      },
    );
    expect(await stack.post(JSON.stringify(payment))).toBe(200);
    await stack.pipeline.drain();
    const events = stack.sandbox.recorded.tiktok.map((r) => r.event);
    expect(events.map((e) => e.event).sort()).toEqual(["Lead", "Purchase"]);
    const purchase = events.find((e) => e.event === "Purchase");
    expect(purchase).toMatchObject({
      user: { email: sha256(EMAIL), ttclid: TTCLID },
      properties: { value: 49, currency: "EUR" },
    });
    expect(stack.sandbox.recorded.tiktok.every((r) => r.pixelCode === PIXEL)).toBe(true);
  });
});
