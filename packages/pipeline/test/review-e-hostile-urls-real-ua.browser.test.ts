/**
 * review-e: tracker-hostile-urls.browser.test.ts opens its pages with Chromium's default user agent,
 * which says `HeadlessChrome`: the collect endpoint's bot filter answers every such beacon 204 and
 * stores nothing, so those tests pass whatever the body holds. The same landings from a browser with
 * a real Chrome user agent: each must be stored (a touchpoint, not a bot).
 */
import { browserAvailable, launchChromium } from "@revtrace/testing/browser";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./stack.ts";

const available = browserAvailable();
const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
let browser: Browser;
let script = "";
let stack: Stack;

const PAGE = `<!doctype html><html><head><script src="/revtrace.js"></script></head><body>hi</body></html>`;

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
  browser = await launchChromium();
  stack = await startStack(
    {},
    {
      site: (request, response) => {
        const path = (request.url ?? "/").split("?")[0];
        if (path === "/revtrace.js") {
          response.writeHead(200, { "content-type": "text/javascript" });
          response.end(script);
          return true;
        }
        if (path === "/") {
          response.writeHead(200, { "content-type": "text/html" });
          response.end(PAGE);
          return true;
        }
        if (path === "/consent") {
          response.writeHead(200, { "content-type": "text/html" });
          response.end(PAGE.replace("<script ", "<script data-require-consent "));
          return true;
        }
        return false;
      },
    },
  );
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await browser?.close();
});

/** Visits `query` in a fresh browser with a real Chrome user agent; the collect answers. */
async function land(query: string, cookies: { name: string; value: string }[] = []) {
  const context = await browser.newContext({ userAgent: CHROME });
  try {
    if (cookies.length) await context.addCookies(cookies.map((c) => ({ ...c, url: stack.url })));
    const page = await context.newPage();
    const answers: number[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/rt/collect")) answers.push(r.status());
    });
    const before = stack.pipeline.metrics().collect;
    await page.goto(`${stack.url}/?${query}`);
    for (let i = 0; i < 200 && answers.length === 0; i++) await page.waitForTimeout(25);
    const after = stack.pipeline.metrics().collect;
    return {
      answers,
      stored: after.touchpoints - before.touchpoints,
      bots: after.bots - before.bots,
    };
  } finally {
    await context.close();
  }
}

describe.runIf(available)(
  "review-e: hostile page URLs from a browser that is not flagged a bot",
  { timeout: 30_000 },
  () => {
    it("a blank UTM (utm_term=+) does not lose the landing and its gclid", async () => {
      expect(await land("gclid=BLANK-UTM-1&utm_source=google&utm_term=+")).toEqual({
        answers: [204],
        stored: 1,
        bots: 0,
      });
    });

    it("a 500-character UTM ending in an emoji does not lose the landing", async () => {
      const campaign = `${"a".repeat(499)}😀`;
      expect(await land(`gclid=SURROGATE-1&utm_campaign=${encodeURIComponent(campaign)}`)).toEqual({
        answers: [204],
        stored: 1,
        bots: 0,
      });
    });

    it("an over-long _ttp cookie does not lose the landing and its ttclid", async () => {
      expect(
        await land("ttclid=E.C.P.LONGTTP1", [{ name: "_ttp", value: "t".repeat(300) }]),
      ).toEqual({ answers: [204], stored: 1, bots: 0 });
    });

    it("a blank click id (ttclid=%20) does not lose the landing and its UTMs", async () => {
      expect(await land("ttclid=%20&utm_source=tiktok&utm_campaign=spring")).toEqual({
        answers: [204],
        stored: 1,
        bots: 0,
      });
    });

    it("a blank affiliate ref (ref=+) does not lose the landing and its gclid", async () => {
      expect(await land("gclid=BLANK-REF-1&ref=+")).toEqual({ answers: [204], stored: 1, bots: 0 });
    });

    it("a 500-character click id ending in an emoji does not lose the landing", async () => {
      expect(
        await land(`utm_source=x&gclid=${encodeURIComponent(`${"g".repeat(499)}😀`)}`),
      ).toEqual({ answers: [204], stored: 1, bots: 0 });
    });
  },
);

describe.runIf(available)("review-e: a URL-encoded NUL in a UTM", { timeout: 30_000 }, () => {
  // tracker.ts `pick`: `utm_source=%00` decodes to U+0000, which the endpoint refuses as unstorable
  // (400 for the whole body): a link carrying it loses the landing and its gclid.
  it("a UTM holding %00 does not lose the landing and its gclid", async () => {
    expect(await land("gclid=NUL-UTM-1&utm_source=%00")).toEqual({
      answers: [204],
      stored: 1,
      bots: 0,
    });
  });
});

describe.runIf(available)(
  "review-e: one refused event loses the body's other events",
  { timeout: 30_000 },
  () => {
    // A landing queued before consent and a lead form sent then go out in one body. The tracker cuts
    // the email at 254 UTF-16 units (tracker.ts identify), which can split an emoji; the endpoint
    // refuses the whole body (400, collect-body.ts: one invalid event fails the schema), the tracker
    // drops it (fetch resolved), and the landing with its gclid is lost with the email.
    it("stores the landing queued before consent although the lead form's email was cut", async () => {
      const context = await browser.newContext({ userAgent: CHROME });
      try {
        const page = await context.newPage();
        const answers: number[] = [];
        page.on("response", (r) => {
          if (r.url().endsWith("/rt/collect")) answers.push(r.status());
        });
        const before = stack.pipeline.metrics().collect.touchpoints;
        await page.goto(`${stack.url}/consent?gclid=BATCHED-1`);
        await page.evaluate(() => {
          const revtrace = window.revtrace as { identify(c: object): void; consent(): void };
          revtrace.identify({ email: `${"a".repeat(241)}@example.org\u{1F600}` });
          revtrace.consent();
        });
        for (let i = 0; i < 200 && answers.length === 0; i++) await page.waitForTimeout(25);
        expect(answers).toEqual([204]);
        expect(stack.pipeline.metrics().collect.touchpoints - before).toBe(1);
      } finally {
        await context.close();
      }
    });
  },
);
