/**
 * review-a: a client that disconnects before its body arrived (Content-Length promised more bytes
 * than were sent) is handled as a storage failure: logged at error level as "webhook not stored"
 * with code "internal", answered 500 `storage_failed`. README: 500 is "storage failed (never for a
 * reason of the body's own)"; storage alerts would fire on every dropped connection. The collect
 * endpoint answers the same read failure 400 `invalid_body`.
 */
import { afterEach, expect, test } from "vitest";
import { AUTH, fixture, raw, type Served, serve } from "./review-a-harness.ts";

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
