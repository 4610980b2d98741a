/**
 * A client that disconnects before its body arrived (Content-Length promised more bytes than were
 * sent) is the request's fault: 400 `invalid_body` logged at warn level, never a 500
 * `storage_failed` logged as an error (500 means storage failed, and storage alerts would fire on
 * every dropped connection). The collect endpoint answers the same read failure the same way.
 */
import { afterEach, expect, test } from "vitest";
import { AUTH, fixture, raw, type Served, serve } from "./served-harness.ts";

let s: Served | undefined;
afterEach(async () => {
  await s?.served.close();
  s = undefined;
});

test("a body cut short by the client is not reported as a storage failure", async () => {
  s = await serve();
  const body = JSON.stringify(fixture("payment_succeeded.bonusly.1.json"));
  const head =
    "POST /webhooks/chargebee HTTP/1.1\r\nHost: x\r\n" +
    `Authorization: ${AUTH}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length + 100}\r\n\r\n`;
  await raw(s.url, [head, body.slice(0, 500)], { ms: 200 }); // then the socket is destroyed
  await new Promise((resolve) => setTimeout(resolve, 200));
  const storageErrors = s.lines.filter(
    (line) => line.level === "error" && line.msg === "webhook not stored",
  );
  expect(storageErrors).toEqual([]);
}, 30_000);
