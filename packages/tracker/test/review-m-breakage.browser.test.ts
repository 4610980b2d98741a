/**
 * review-m: black-box attempts to break the tracker's IIFE in headless Chromium (the shared test
 * site): storage whose writes throw, a page loading the script twice, `identify` with input that is
 * not a string, lead forms whose other fields look like phones or emails.
 */
import type { Page } from "playwright-core";
import { beforeEach, describe, expect, it } from "vitest";
import type { IdentifyEvent, TouchEvent } from "../src/index.js";
import { available, until, useTestSite } from "./test-site.ts";

const FORMS: Record<string, string> = {
  // a payment step: the card number is type=tel (numeric keypad), as many checkouts do
  "/card": `<input type="email" name="email"><input type="password" name="password" value="hunter2-secret">
<input type="tel" name="cardnumber" autocomplete="cc-number" value="4111 1111 1111 1111">
<input type="tel" name="otp" autocomplete="one-time-code" value="123456">`,
  // a newsletter opt-in checkbox (and a hidden list id) before the email field
  "/optin": `<input type="checkbox" name="email_optin" value="yes" checked>
<input type="hidden" name="email_list" value="42"><input type="text" name="email">`,
};

const site = useTestSite((url) => {
  const script = `<script src="/revtrace.js" ${url.searchParams.get("attrs") ?? "data-forms"}></script>`;
  const twice = url.searchParams.has("twice") ? script : "";
  return `<!doctype html><html><head>${script}${twice}</head><body>
<a id="next" href="/page2">next</a>
<form id="lead" onsubmit="event.preventDefault()">${FORMS[url.pathname] ?? '<input type="email" name="email">'}
<button id="send" type="submit">Send</button></form></body></html>`;
});
let origin = "";
let tab: Page;
beforeEach(() => {
  ({ origin, tab } = site);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const events = () => site.received.flatMap((r) => r.body?.events ?? []);
const touches = () => events().filter((e): e is TouchEvent => e.type === "touch");
const identifies = () => events().filter((e): e is IdentifyEvent => e.type === "identify");
const clickId = () => tab.evaluate(() => (window.revtrace as { clickId(): unknown }).clickId());

describe.runIf(available)("review-m: the tracker under odd conditions", { timeout: 15_000 }, () => {
  it("with localStorage that reads but throws on write (Safari's old private mode, a full quota), knows the click id and sends nothing on internal navigation", async () => {
    await tab.addInitScript(() => {
      Storage.prototype.setItem = () => {
        throw new DOMException("quota", "QuotaExceededError");
      };
    });
    await tab.goto(`${origin}/?ttclid=Q1`);
    await until(() => touches().length === 1, "the landing");
    expect(await clickId()).toBe("Q1");
    await tab.click("#next");
    await tab.waitForURL(/page2/);
    await tab.waitForFunction(() => window.revtrace !== undefined);
    await sleep(400);
    expect(touches().map((t) => [t.clickIds, t.first])).toEqual([[{ ttclid: "Q1" }, true]]);
  });

  it("a page that loads the script twice sends its landing once and identifies a form once", async () => {
    await tab.goto(`${origin}/?gclid=TWICE&twice=1`);
    await until(() => touches().length >= 1, "the landing");
    await tab.fill("input[name=email]", "twice@example.org");
    await tab.click("#send");
    await until(() => identifies().length >= 1, "the identify");
    await sleep(400);
    expect(touches()).toHaveLength(1);
    expect(identifies()).toHaveLength(1);
  });

  it("identify with input that is not a string neither throws into the page nor sends anything", async () => {
    await tab.goto(`${origin}/?utm_source=x`);
    await until(() => touches().length === 1, "the landing");
    const thrown = await tab.evaluate(() => {
      const revtrace = window.revtrace as { identify(c: unknown): void };
      const errors: string[] = [];
      for (const input of [{ email: 42 }, { email: null, phone: {} }, { phone: ["+1"] }, undefined])
        try {
          revtrace.identify(input);
        } catch (error) {
          errors.push(String(error));
        }
      revtrace.identify({ email: "ok@example.org" });
      return errors;
    });
    expect(thrown).toEqual([]);
    await until(() => identifies().length === 1, "the valid identify");
    await sleep(300);
    expect(identifies().map((e) => e.email)).toEqual(["ok@example.org"]);
  });

  it("a lead form never sends a card number or a one-time code (type=tel fields that are not phones), nor the password", async () => {
    await tab.goto(`${origin}/card?utm_source=x`);
    await until(() => touches().length === 1, "the landing");
    await tab.fill("input[name=email]", "buyer@example.org");
    await tab.click("#send");
    await until(() => identifies().length === 1, "the identify");
    const sent = JSON.stringify(site.received);
    expect(identifies()[0]).toMatchObject({ email: "buyer@example.org" });
    expect(identifies()[0]?.phone).toBeUndefined();
    expect(sent).not.toContain("4111");
    expect(sent).not.toContain("123456");
    expect(sent).not.toContain("hunter2-secret");
  });

  it("a lead form's email is the text field, not an opt-in checkbox or a hidden field named email_*", async () => {
    await tab.goto(`${origin}/optin?utm_source=x`);
    await until(() => touches().length === 1, "the landing");
    await tab.fill("input[name=email]", "lead@example.org");
    await tab.click("#send");
    await until(() => identifies().length === 1, "the identify");
    expect(identifies()[0]?.email).toBe("lead@example.org");
  });

  it("late consent never overwrites a first touch another tab stored meanwhile", async () => {
    await tab.goto(`${origin}/?ttclid=LATE&attrs=data-require-consent`);
    await sleep(200);
    const earlier = JSON.stringify({ at: 1, click: "EARLIER", url: `${origin}/?gclid=EARLIER` });
    const stored = await tab.evaluate((first) => {
      localStorage.setItem("rt_ft", first); // the visitor consented in another tab first
      (window.revtrace as { consent(): void }).consent();
      return localStorage.getItem("rt_ft");
    }, earlier);
    expect(stored).toBe(earlier);
    await until(() => touches().length === 1, "the consented landing");
  });
});
