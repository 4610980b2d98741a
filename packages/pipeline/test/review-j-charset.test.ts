/**
 * A body declared in a charset other than UTF-8. JSON exchanged between systems is UTF-8 (RFC 8259
 * §8.1) and the endpoints decode and store the bytes as UTF-8, nothing else, so a UTF-16 body was
 * answered 400 "not valid JSON" and quarantined as if its JSON were broken (and a UTF-8 body
 * labelled UTF-16 was stored under a label that says otherwise). Refused instead with 415 before
 * anything is stored, as a compressed body is, behind the Web handler and every adapter.
 */
import { describe, expect, it } from "vitest";
import type { Pipeline } from "../src/index.ts";
import { basic, fixtureText } from "./fixtures.ts";
import { ADAPTERS, rawRequest, serveWith } from "./review-j-servers.ts";
import { BROWSER_UA, collectPipeline, useClosers } from "./test-server.ts";

const AUTH = basic("chargebee", "collect-test-password");
const BODY = fixtureText("payment_succeeded.items-click-id.synthetic.json");
const BEACON = JSON.stringify({
  v: 1,
  events: [
    { type: "touch", at: 1_760_000_000_000, url: "http://127.0.0.1/?gclid=review-j-charset" },
  ],
});

type Send = (
  path: string,
  contentType: string,
  body: Buffer,
) => Promise<{ status: number; body: string }>;

const overWeb =
  (pipeline: Pipeline): Send =>
  async (path, contentType, body) => {
    const handler = path === "/rt/collect" ? pipeline.handleCollect : pipeline.handleWebhook;
    const response = await handler(
      new Request(`http://127.0.0.1${path}`, {
        method: "POST",
        body: new Uint8Array(body),
        headers: { authorization: AUTH, "content-type": contentType, "user-agent": BROWSER_UA },
      }),
    );
    return { status: response.status, body: await response.text() };
  };

const overSocket =
  (port: number): Send =>
  (path, contentType, body) =>
    rawRequest(
      port,
      [
        `POST ${path} HTTP/1.1`,
        "Host: 127.0.0.1",
        `Authorization: ${AUTH}`,
        `User-Agent: ${BROWSER_UA}`,
        `Content-Type: ${contentType}`,
      ],
      body,
    );

describe.each(["Web handler", ...ADAPTERS])("a charset other than UTF-8 over %s", (kind) => {
  const closers = useClosers();
  const open = async (): Promise<{ pipeline: Pipeline; send: Send }> => {
    const pipeline = collectPipeline(closers);
    if (kind === "Web handler") return { pipeline, send: overWeb(pipeline) };
    const port = await serveWith(kind as (typeof ADAPTERS)[number], pipeline, closers);
    return { pipeline, send: overSocket(port) };
  };

  it("answers 415 to a UTF-16 webhook body and stores and quarantines nothing", async () => {
    const { pipeline, send } = await open();
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BODY, "utf16le")]);
    for (const contentType of [
      "application/json; charset=utf-16",
      'application/json; charset="UTF-16LE"',
      "application/json;charset=iso-8859-1",
    ]) {
      const answer = await send("/webhooks/chargebee", contentType, utf16);
      expect(answer.status, contentType).toBe(415);
      // express.json() answers a charset it cannot decode (Latin-1) with its own 415 page.
      if (kind === "Express after express.json()" && !contentType.includes("16")) continue;
      expect(JSON.parse(answer.body).error.code).toBe("unsupported_media_type");
    }
    expect(await pipeline.storage.listInboxEvents({ limit: 10 })).toEqual([]);
    expect(await pipeline.storage.listQuarantine({ limit: 10 })).toEqual([]);
  });

  it("stores a UTF-8 webhook body whatever the spelling of its charset", async () => {
    const { send } = await open();
    const spellings = [
      "application/json",
      "application/json; charset=utf-8",
      'application/json; charset="UTF-8"',
    ];
    // express.json() refuses the `utf8` label itself (its own 415) before the pipeline sees it.
    if (kind !== "Express after express.json()") spellings.push("application/json;charset=utf8");
    for (const contentType of spellings) {
      const answer = await send("/webhooks/chargebee", contentType, Buffer.from(BODY));
      expect(answer.status, contentType).toBe(200);
    }
  });

  it("answers 415 to a UTF-16 beacon, and takes the UTF-8 one", async () => {
    const { send } = await open();
    const refused = await send(
      "/rt/collect",
      "text/plain; charset=utf-16le",
      Buffer.from(BEACON, "utf16le"),
    );
    expect(refused.status).toBe(415);
    expect(JSON.parse(refused.body).error.code).toBe("unsupported_media_type");
    const taken = await send("/rt/collect", "text/plain;charset=UTF-8", Buffer.from(BEACON));
    expect(taken.status).toBe(204);
  });
});
