/**
 * the tracker's IIFE against the real collect endpoint in headless Chromium, with hostile
 * but legitimate page URLs and cookies. Whatever the page's URL holds, a landing with an ad click id
 * must be stored (the tracker sends it; the endpoint accepts it), and every body stays under 64 KB.
 */
import { browserAvailable, launchChromium } from "@revtrace/testing/browser";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./stack.ts";

const available = browserAvailable();
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
        return false;
      },
    },
  );
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await browser?.close();
});

/** Visits `query` in a fresh browser; the collect answers and the request bodies' sizes. */
async function land(query: string, cookies: { name: string; value: string }[] = []) {
  const context = await browser.newContext();
  try {
    if (cookies.length) await context.addCookies(cookies.map((c) => ({ ...c, url: stack.url })));
    const page = await context.newPage();
    const answers: number[] = [];
    const sizes: number[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/rt/collect")) sizes.push(Buffer.byteLength(r.postData() ?? ""));
    });
    page.on("response", (r) => {
      if (r.url().endsWith("/rt/collect")) answers.push(r.status());
    });
    await page.goto(`${stack.url}/?${query}`);
    for (let i = 0; i < 200 && answers.length === 0; i++) await page.waitForTimeout(25);
    return { answers, sizes };
  } finally {
    await context.close();
  }
}

describe.runIf(available)(
  "tracker × collect endpoint, hostile page URLs",
  {
    timeout: 30_000,
  },
  () => {
    it("a long query string (14 KB, under Node's header limit) still sends the click id in a body under 64 KB", async () => {
      const { answers, sizes } = await land(`gclid=HUGE-1&x=${"y".repeat(14_000)}`);
      expect(Math.max(...sizes)).toBeLessThan(64 * 1024);
      expect(answers).toEqual([204]);
    });

    it("unicode UTMs (emoji, RTL, CJK) are accepted", async () => {
      const { answers } = await land(
        `gclid=UNI-1&utm_campaign=${encodeURIComponent("春のセール 🚀 \u202Eevil")}`,
      );
      expect(answers).toEqual([204]);
    });

    // tracker.ts `pick`: a value that is only blanks is truthy in the browser, so it is sent; the
    // endpoint trims and requires min(1) (collect-body.ts `text()`), answers 400 to the whole body and
    // the tracker (fetch resolved) drops it: the gclid landing is lost. `utm_term=+` is a blank term.
    it("a blank UTM (utm_term=+) does not lose the landing and its gclid", async () => {
      const { answers } = await land("gclid=BLANK-UTM-1&utm_source=google&utm_term=+");
      expect(answers).toEqual([204]);
    });

    // tracker.ts `pick`: `value.slice(0, 500)` cuts UTF-16 code units: an emoji across the 500th unit
    // leaves a lone surrogate, which the endpoint refuses as unstorable (400 for the whole body).
    it("a 500-character UTM ending in an emoji does not lose the landing", async () => {
      const campaign = `${"a".repeat(499)}😀`;
      const { answers } = await land(
        `gclid=SURROGATE-1&utm_campaign=${encodeURIComponent(campaign)}`,
      );
      expect(answers).toEqual([204]);
    });

    // tracker.ts `landing`: the `_ttp` cookie is sent as it is (the README: "a malformed _ttp cookie is
    // sent as it is"), but the endpoint bounds `ttp` to 200 characters and refuses the whole body.
    it("an over-long _ttp cookie does not lose the landing and its ttclid", async () => {
      const { answers } = await land("ttclid=E.C.P.LONGTTP1", [
        { name: "_ttp", value: "t".repeat(300) },
      ]);
      expect(answers).toEqual([204]);
    });
  },
);
