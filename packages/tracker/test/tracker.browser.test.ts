/**
 * The tracker in real headless Chromium (Debian's `chromium` through playwright-core), against a
 * small local server on an ephemeral port that serves the IIFE build, two pages and a collect
 * endpoint recording every request. The pipeline's own browser tests cover the real collect endpoint.
 */
import type { BrowserContext, Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import type { TouchEvent } from "../src/index.js";
import { available, until, useTestSite } from "./test-site.ts";

if (!available) console.warn("tracker browser tests skipped: no Chromium (set CHROMIUM_PATH)");

function page(attrs: string): string {
  return `<!doctype html><html><head><script src="/revtrace.js" ${attrs}></script></head><body>
<a id="next" href="/page2?${attrs.includes("data-require-consent") ? "c=1" : ""}">next</a>
<form id="lead" action="/thanks" method="post" onsubmit="event.preventDefault()">
<input type="email" name="email"><input type="password" name="password" value="hunter2-secret">
<input type="tel" name="phone"><button id="send" type="submit">Send</button></form></body></html>`;
}

const site = useTestSite((url) => page(url.searchParams.get("attrs") ?? "data-forms"));
let origin = "";
let context: BrowserContext;
let tab: Page;
beforeEach(() => {
  ({ origin, context, tab } = site);
});
/** The requests the collect endpoint received, in order. */
const seen = site.received;

const events = () => seen.flatMap((s) => s.body?.events ?? []);
const touches = () => events().filter((e): e is TouchEvent => e.type === "touch");

describe.runIf(available)("the tracker in Chromium", () => {
  it("records a landing's click ids, UTM, ref and external referrer as text/plain, first touch flagged", async () => {
    await tab.goto(`${origin}/?ttclid=E.C.P.abc&utm_source=tiktok&utm_campaign=spring&ref=P42`, {
      referer: "https://www.tiktok.com/",
    });
    await until(() => touches().length === 1, "the landing");
    const [touch] = touches();
    expect(touch).toMatchObject({
      type: "touch",
      url: `${origin}/?ttclid=E.C.P.abc&utm_source=tiktok&utm_campaign=spring&ref=P42`,
      referrer: "https://www.tiktok.com/",
      clickIds: { ttclid: "E.C.P.abc" },
      utm: { source: "tiktok", campaign: "spring" },
      ref: "P42",
      first: true,
    });
    expect(seen.map((s) => [s.method, s.contentType])).toEqual([["POST", "text/plain"]]);
  });

  it("keeps the first touch, sends later landings, ignores internal navigation, exposes the latest click id", async () => {
    await tab.goto(`${origin}/?ttclid=FIRST`);
    await until(() => touches().length === 1, "the first landing");
    await tab.click("#next");
    await tab.waitForURL(/page2/);
    await tab.goto(`${origin}/?gclid=LATER&utm_source=google`);
    await until(() => touches().length === 2, "the second landing");
    expect(touches().map((t) => [t.clickIds, t.first])).toEqual([
      [{ ttclid: "FIRST" }, true],
      [{ gclid: "LATER" }, undefined],
    ]);
    const stored = await tab.evaluate(() => JSON.parse(localStorage.getItem("rt_ft") ?? "{}"));
    expect(stored.click).toBe("FIRST");
    expect(await tab.evaluate(() => (window.revtrace as { clickId(): string }).clickId())).toBe(
      "LATER",
    );
  });

  it("identifies a lead form's email and phone, never reading the password", async () => {
    await tab.goto(`${origin}/?utm_source=newsletter`);
    await tab.fill("input[name=email]", " Ada@Example.org ");
    await tab.fill("input[name=phone]", "+33 6 12 34 56 78");
    await tab.click("#send");
    await until(() => events().some((e) => e.type === "identify"), "the identify");
    expect(events().find((e) => e.type === "identify")).toMatchObject({
      email: "Ada@Example.org",
      phone: "+33 6 12 34 56 78",
    });
    expect(JSON.stringify(seen)).not.toContain("hunter2-secret");
  });

  it("sends and stores nothing before consent, then everything once consent is given", async () => {
    await tab.goto(`${origin}/?ttclid=C1&attrs=data-require-consent`);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toHaveLength(0);
    expect(await tab.evaluate(() => localStorage.getItem("rt_ft"))).toBeNull();
    await tab.evaluate(() => (window.revtrace as { consent(): void }).consent());
    await until(() => touches().length === 1, "the consented landing");
    expect(touches()[0]?.clickIds).toEqual({ ttclid: "C1" });
  });

  it("clears what it stored when consent is withdrawn", async () => {
    await tab.goto(`${origin}/?ttclid=W1&attrs=data-require-consent`);
    await tab.evaluate(() => (window.revtrace as { consent(): void }).consent());
    await until(() => touches().length === 1, "the consented landing");
    expect(await tab.evaluate(() => localStorage.getItem("rt_ck"))).toBe("W1");
    await tab.evaluate(() => (window.revtrace as { consent(g: boolean): void }).consent(false));
    expect(
      await tab.evaluate(() => [localStorage.getItem("rt_ft"), localStorage.getItem("rt_ck")]),
    ).toEqual([null, null]);
    expect(
      await tab.evaluate(() => (window.revtrace as { clickId(): unknown }).clickId()),
    ).toBeUndefined();
  });

  it("does nothing under Do Not Track when asked to respect it", async () => {
    await tab.addInitScript(() => Object.defineProperty(navigator, "doNotTrack", { value: "1" }));
    await tab.goto(`${origin}/?ttclid=D1&attrs=data-respect-dnt`);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toHaveLength(0);
    expect(
      await tab.evaluate(() => [localStorage.getItem("rt_ft"), localStorage.getItem("rt_ck")]),
    ).toEqual([null, null]);
    expect(
      await tab.evaluate(() => (window.revtrace as { clickId(): unknown }).clickId()),
    ).toBeUndefined();
  });

  for (const [kind, email] of [
    ["multi-byte", (i: number) => `名前${"漢".repeat(100)}${i}@例え.jp`],
    ["ASCII", (i: number) => `user${i}@example.com`],
  ] as const) {
    it(`delivers 1,000 queued ${kind} identify events in bodies under 64 KB, within the keepalive budget`, async () => {
      await tab.goto(`${origin}/?attrs=data-require-consent`);
      await tab.evaluate(
        (emails) => {
          const revtrace = window.revtrace as { identify(c: object): void; consent(): void };
          for (const email of emails) revtrace.identify({ email, phone: "+1 555 0100" });
          revtrace.consent();
        },
        Array.from({ length: 1_000 }, (_, i) => email(i)),
      );
      await until(
        () => events().filter((e) => e.type === "identify").length >= 1_000,
        "1,000 identify events",
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(events().filter((e) => e.type === "identify")).toHaveLength(1_000);
      expect(Math.max(...seen.map((s) => s.bytes))).toBeLessThan(64 * 1024);
    }, 20_000);
  }

  it("sends what did not fit the keepalive budget of a flush once a beacon's share is free", async () => {
    await tab.goto(`${origin}/?attrs=data-require-consent`);
    await tab.evaluate(
      (emails) => {
        const revtrace = window.revtrace as {
          identify(c: object): void;
          consent(): void;
          flush(): void;
        };
        for (const email of emails) revtrace.identify({ email, phone: "+1 555 0100" });
        revtrace.consent();
        revtrace.flush();
      },
      Array.from({ length: 1_000 }, (_, i) => `user${i}@example.com`),
    );
    await until(
      () => events().filter((e) => e.type === "identify").length >= 1_000,
      "1,000 identify events",
      480,
    );
    expect(events().filter((e) => e.type === "identify")).toHaveLength(1_000);
  }, 20_000);

  it("starts despite a malformed _ttp cookie, sending it as it is", async () => {
    await context.addCookies([{ name: "_ttp", value: "%E0%A4%A", url: origin }]);
    await tab.goto(`${origin}/?ttclid=T1`);
    await until(() => touches().length === 1, "the landing");
    expect(touches()[0]).toMatchObject({ clickIds: { ttclid: "T1" }, ttp: "%E0%A4%A" });
  });

  it("keeps click ids exactly as in the URL: a + stays a +", async () => {
    await tab.goto(`${origin}/?ttclid=E.C.P.Ab+Cd%2BEf/Gh==&utm_campaign=spring+sale`);
    await until(() => touches().length === 1, "the landing");
    expect(touches()[0]).toMatchObject({
      clickIds: { ttclid: "E.C.P.Ab+Cd+Ef/Gh==" },
      utm: { campaign: "spring sale" },
    });
    expect(await tab.evaluate(() => (window.revtrace as { clickId(): string }).clickId())).toBe(
      "E.C.P.Ab+Cd+Ef/Gh==",
    );
  });

  it("without localStorage, flags the landing first once and sends nothing on internal navigation", async () => {
    await tab.addInitScript(() =>
      Object.defineProperty(window, "localStorage", {
        get() {
          throw new DOMException("denied", "SecurityError");
        },
      }),
    );
    await tab.goto(`${origin}/?ttclid=S1`);
    await until(() => touches().length === 1, "the landing");
    expect(await tab.evaluate(() => (window.revtrace as { clickId(): string }).clickId())).toBe(
      "S1",
    );
    await tab.click("#next");
    await tab.waitForURL(/page2/);
    await tab.waitForFunction(() => window.revtrace !== undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(touches().map((t) => [t.clickIds, t.first])).toEqual([[{ ttclid: "S1" }, true]]);
  });

  it("reuses GA's client id as the visitor id when asked", async () => {
    await context.addCookies([{ name: "_ga", value: "GA1.1.123456789.1700000000", url: origin }]);
    await tab.goto(`${origin}/?ttclid=G1&attrs=data-ga-client-id`);
    await until(() => touches().length === 1, "the landing");
    expect(seen[0]?.body?.vid).toBe("123456789.1700000000");
  });

  it("delivers an identify made just before the page goes away", async () => {
    await tab.goto(`${origin}/?attrs=data-forms&utm_source=x`);
    await until(() => touches().length === 1, "the landing");
    await tab.evaluate(() => {
      (window.revtrace as { identify(c: object): void }).identify({ email: "late@example.org" });
      location.href = "/page2";
    });
    await until(() => events().some((e) => e.type === "identify"), "the identify");
  });
});
