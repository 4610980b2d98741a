/**
 * A request whose body something of the app's own read before the pipeline's endpoint (a Web
 * framework that parsed `request.json()` first, an Express middleware that drained the stream
 * without setting `req.body`). The endpoint cannot get the body back: before the fix it answered
 * 400 `invalid_body` and logged "the client went away" (Web), or read the drained stream as an
 * empty body and quarantined "" as invalid JSON (Express), so the sender was blamed for the
 * server's mounting mistake and the operator's logs pointed nowhere. Now: 500 `body_already_read`
 * (Chargebee retries it once the mounting is fixed), an error log that says what to fix, and
 * nothing stored or quarantined.
 */
import { createServer } from "node:http";
import { createMemoryStorage } from "@revtrace/storage-memory";
import express from "express";
import { describe, expect, it } from "vitest";
import { revtraceExpress } from "../src/adapters/express.ts";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { basic, fixtureText } from "./fixtures.ts";
import { rawRequest } from "./review-j-servers.ts";
import { capturingLogger } from "./served-harness.ts";
import { BROWSER_UA, listen, useClosers } from "./test-server.ts";

const PASSWORD = "whsec-review-j-read";
const AUTH = basic("chargebee", PASSWORD);
const BODY = fixtureText("payment_succeeded.items-click-id.synthetic.json");
const BEACON = JSON.stringify({
  v: 1,
  events: [{ type: "touch", at: 1_760_000_000_000, url: "http://127.0.0.1/?gclid=review-j-read" }],
});

describe("a body read before the endpoint", () => {
  const closers = useClosers();
  const open = () => {
    const { lines, logger } = capturingLogger();
    const pipeline = createPipeline({
      storage: createMemoryStorage() as PipelineStorage,
      chargebee: { credentials: [{ username: "chargebee", password: PASSWORD }] },
      logger,
    });
    closers.push(() => pipeline.close());
    return { pipeline, lines };
  };
  const nothingKept = async (pipeline: Pipeline) => {
    expect(await pipeline.storage.listInboxEvents({ limit: 10 })).toEqual([]);
    expect(await pipeline.storage.listQuarantine({ limit: 10 })).toEqual([]);
  };

  it("Web handler: a webhook whose Request body was read answers 500 body_already_read", async () => {
    const { pipeline, lines } = open();
    const request = new Request("http://127.0.0.1/webhooks/chargebee", {
      method: "POST",
      body: BODY,
      headers: { authorization: AUTH, "content-type": "application/json" },
    });
    await request.json(); // the app's framework parsed it first
    const answer = await pipeline.handleWebhook(request);
    expect(answer.status).toBe(500);
    expect((await answer.json()).error.code).toBe("body_already_read");
    expect(
      lines.some(
        (line) => line.level === "error" && /read before the endpoint/.test(line.msg ?? ""),
      ),
    ).toBe(true);
    await nothingKept(pipeline);
  });

  it("Web handler: a beacon whose Request body was read answers 500 body_already_read", async () => {
    const { pipeline, lines } = open();
    const request = new Request("http://127.0.0.1/rt/collect", {
      method: "POST",
      body: BEACON,
      headers: { "content-type": "text/plain", "user-agent": BROWSER_UA },
    });
    await request.text();
    const answer = await pipeline.handleCollect(request);
    expect(answer.status).toBe(500);
    expect((await answer.json()).error.code).toBe("body_already_read");
    expect(
      lines.some(
        (line) => line.level === "error" && /read before the endpoint/.test(line.msg ?? ""),
      ),
    ).toBe(true);
    await nothingKept(pipeline);
  });

  it.each([
    ["the pipeline's handlers", (pipeline: Pipeline) => pipeline],
    [
      "handlers of the app's own (the Web bridge)",
      (pipeline: Pipeline): Pipeline => ({
        ...pipeline,
        handleWebhook: (request) => pipeline.handleWebhook(request),
      }),
    ],
  ])(
    "Express with %s: a middleware drained the stream without setting req.body: 500, nothing quarantined",
    async (_name, mount) => {
      const { pipeline, lines } = open();
      const app = express();
      app.use((request, _response, next) => {
        request.on("end", () => next());
        request.resume(); // e.g. a request logger that reads the body and keeps it elsewhere
      });
      app.use(revtraceExpress(mount(pipeline)));
      const port = await listen(createServer(app), closers);
      const answer = await rawRequest(
        port,
        [
          "POST /webhooks/chargebee HTTP/1.1",
          "Host: 127.0.0.1",
          `Authorization: ${AUTH}`,
          "Content-Type: application/json",
        ],
        BODY,
      );
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.body).error.code).toBe("body_already_read");
      expect(
        lines.some(
          (line) => line.level === "error" && /read before the endpoint/.test(line.msg ?? ""),
        ),
      ).toBe(true);
      await nothingKept(pipeline);
    },
  );
});
