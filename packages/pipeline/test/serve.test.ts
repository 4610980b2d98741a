/**
 * `servePipeline`: the pipeline on its own `node:http` server over a real socket, with the graceful
 * close a SIGTERM handler calls.
 */
import { once } from "node:events";
import { connect } from "node:net";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { servePipeline } from "../src/adapters/node.ts";
import { createPipeline, type Pipeline } from "../src/index.ts";
import { basic, fixtureJson } from "./fixtures.ts";

const AUTH = basic("chargebee", "x");
const pipelines: Pipeline[] = [];
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((pipeline) => pipeline.close()));
});

function makePipeline(): Pipeline {
  const pipeline = createPipeline({
    storage: createMemoryStorage(),
    chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
  });
  pipelines.push(pipeline);
  return pipeline;
}

describe("servePipeline", () => {
  it("serves the endpoints on a free port, with the caller's own routes answered first", async () => {
    const served = await servePipeline(makePipeline(), {
      handle: (request, response) => {
        if (request.url !== "/pricing") return false;
        response.end("our page");
        return true;
      },
    });
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${served.url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${served.url}/pricing`)).text()).toBe("our page");
    expect((await fetch(`${served.url}/nowhere`)).status).toBe(404);
    const answer = await fetch(`${served.url}/webhooks/chargebee`, {
      method: "POST",
      body: JSON.stringify(fixtureJson("payment_succeeded.bonusly.1.json")),
      headers: { authorization: AUTH, "content-type": "application/json" },
    });
    expect(answer.status).toBe(200);
    await served.close();
  });

  it("closes gracefully: a request in flight is answered, then the port is free; close() is idempotent", async () => {
    const pipeline = makePipeline();
    const served = await servePipeline(pipeline, { shutdownTimeoutMs: 5_000 });
    const body = JSON.stringify(fixtureJson("payment_succeeded.bonusly.1.json"));
    const socket = connect(Number(new URL(served.url).port), "127.0.0.1");
    await once(socket, "connect");
    const received = once(served.server, "request");
    socket.write(
      `POST /webhooks/chargebee HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 50)}`,
    );
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    const ended = once(socket, "close");
    await received; // in flight, its body still arriving
    const closing = Promise.all([served.close(), served.close()]);
    socket.write(body.slice(50)); // the rest arrives during the shutdown
    await closing;
    await ended;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    const refused = connect(Number(new URL(served.url).port), "127.0.0.1");
    await expect(once(refused, "connect")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("rejects when it cannot listen (a taken port) and leaves the pipeline open", async () => {
    const first = await servePipeline(makePipeline());
    const pipeline = makePipeline();
    await expect(
      servePipeline(pipeline, { port: Number(new URL(first.url).port) }),
    ).rejects.toMatchObject({ code: "EADDRINUSE" });
    expect((await pipeline.handleLive(new Request("http://x/health/live"))).status).toBe(200);
    await first.close();
  });
});
