/**
 * A request target in absolute form (`POST http://host/webhooks/chargebee HTTP/1.1`), which
 * RFC 9112 §3.2.2 says a server MUST accept (a forward proxy sends it, and an HTTP/1.1 client may).
 * Before the fix the Node listener routed on the raw target and answered 404 to every endpoint, and
 * behind Express and Fastify the request's URL was built as `http://<Host><absolute target>`
 * (`http://127.0.0.1:PORThttp://127.0.0.1:PORT/rt/collect`), so the collect endpoint refused a
 * same-origin beacon as cross-origin (403).
 */
import { describe, expect, it } from "vitest";
import { basic, fixtureText } from "./fixtures.ts";
import { ADAPTERS, rawRequest, serveWith } from "./review-j-servers.ts";
import { BROWSER_UA, collectPipeline, useClosers } from "./test-server.ts";

const AUTH = basic("chargebee", "collect-test-password");
const BODY = fixtureText("payment_succeeded.items-click-id.synthetic.json");

describe.each(ADAPTERS)("an absolute-form request target over %s", (kind) => {
  const closers = useClosers();

  it("stores a webhook sent with an absolute-form target", async () => {
    const pipeline = collectPipeline(closers);
    const port = await serveWith(kind, pipeline, closers);
    const answer = await rawRequest(
      port,
      [
        `POST http://127.0.0.1:${port}/webhooks/chargebee HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        `Authorization: ${AUTH}`,
        "Content-Type: application/json",
      ],
      BODY,
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, duplicate: false });
    expect(
      await pipeline.storage.getInboxEvent("chargebee:ev_synthetic_items_paid_1"),
    ).not.toBeNull();
  });

  it("answers liveness at an absolute-form target", async () => {
    const port = await serveWith(kind, collectPipeline(closers), closers);
    const answer = await rawRequest(port, [
      `GET http://127.0.0.1:${port}/health/live?probe=1 HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
    ]);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: "alive" });
  });

  it("accepts a same-origin beacon with an absolute-form target (not 403 or 404)", async () => {
    const pipeline = collectPipeline(closers);
    const port = await serveWith(kind, pipeline, closers);
    const origin = `http://127.0.0.1:${port}`;
    const beacon = JSON.stringify({
      v: 1,
      events: [{ type: "touch", at: Date.now(), url: `${origin}/?gclid=review-j-absolute` }],
    });
    const answer = await rawRequest(
      port,
      [
        `POST ${origin}/rt/collect HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        `Origin: ${origin}`,
        `User-Agent: ${BROWSER_UA}`,
        "Content-Type: text/plain;charset=UTF-8",
      ],
      beacon,
    );
    expect(answer.status).toBe(204);
    expect(answer.headers["set-cookie"]).toContain("rt_vid=");
  });
});
