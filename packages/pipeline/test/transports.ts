/**
 * The transports of the adapter test matrix: the same requests through the Web handlers directly,
 * real Express servers (with and without `express.json()` before the pipeline), a real Fastify server
 * and plain `node:http` servers (calling the endpoints directly, and over the Web bridge), each on an
 * ephemeral port.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { revtraceExpress } from "../src/adapters/express.ts";
import { revtraceFastify } from "../src/adapters/fastify.ts";
import { createNodeListener } from "../src/adapters/node.ts";
import { DEFAULT_PATHS } from "../src/adapters/routes.ts";
import type { Pipeline } from "../src/index.ts";

/** What came back. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export interface Transport {
  /** Sends one request to `path`. */
  send(path: string, init: RequestInit): Promise<Answer>;
  close(): Promise<void>;
}

/** How to put a pipeline behind HTTP. */
export interface TransportKind {
  name: string;
  /** True when a JSON body parser runs before the pipeline (its own 400/413 answers apply). */
  jsonParserFirst: boolean;
  start(pipeline: Pipeline): Promise<Transport>;
}

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function overHttp(base: string, close: () => Promise<void>): Transport {
  return {
    send: async (path, init) => answerOf(await fetch(`${base}${path}`, init)),
    close,
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export const web: TransportKind = {
  name: "Web handler",
  jsonParserFirst: false,
  async start(pipeline) {
    const routes = new Map([
      [DEFAULT_PATHS.webhook, pipeline.handleWebhook],
      [DEFAULT_PATHS.retention, pipeline.handleRetentionWebhook],
      [DEFAULT_PATHS.live, pipeline.handleLive],
      [DEFAULT_PATHS.ready, pipeline.handleReady],
      [DEFAULT_PATHS.metrics, pipeline.handleMetrics],
    ]);
    return {
      async send(path, init) {
        const handler = routes.get(path);
        if (!handler) throw new Error(`no route ${path}`);
        return answerOf(await handler(new Request(`http://localhost${path}`, init)));
      },
      async close() {},
    };
  },
};

export const expressBare: TransportKind = {
  name: "Express",
  jsonParserFirst: false,
  async start(pipeline) {
    const app = express();
    app.use(revtraceExpress(pipeline));
    const server = createServer(app);
    return overHttp(await listen(server), () => closeServer(server));
  },
};

export const expressAfterJson: TransportKind = {
  name: "Express after express.json()",
  jsonParserFirst: true,
  async start(pipeline) {
    const app = express();
    app.use(express.json());
    app.use(revtraceExpress(pipeline));
    const server = createServer(app);
    return overHttp(await listen(server), () => closeServer(server));
  },
};

export const fastify: TransportKind = {
  name: "Fastify",
  jsonParserFirst: false,
  async start(pipeline) {
    const app = Fastify();
    // A JSON route of the app itself: the plugin's raw-body parser must not change it.
    app.post("/app/echo", async (request) => ({ echoed: request.body }));
    await app.register(revtraceFastify, { pipeline });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    return overHttp(base, () => app.close());
  },
};

export const node: TransportKind = {
  name: "node:http",
  jsonParserFirst: false,
  async start(pipeline) {
    const server = createServer(createNodeListener(pipeline));
    return overHttp(await listen(server), () => closeServer(server));
  },
};

/**
 * `node:http` with Web handlers of the user's own (here: wrappers of the pipeline's): the adapter
 * cannot call the endpoints directly and bridges through Web `Request`/`Response`, which must answer
 * exactly the same.
 */
export const nodeBridged: TransportKind = {
  name: "node:http over the Web bridge",
  jsonParserFirst: false,
  async start(pipeline) {
    const wrapped: Pipeline = {
      ...pipeline,
      handleWebhook: (request) => pipeline.handleWebhook(request),
      handleRetentionWebhook: (request) => pipeline.handleRetentionWebhook(request),
      handleCollect: (request) => pipeline.handleCollect(request),
      handleLive: (request) => pipeline.handleLive(request),
      handleReady: (request) => pipeline.handleReady(request),
      handleMetrics: (request) => pipeline.handleMetrics(request),
    };
    const server = createServer(createNodeListener(wrapped));
    return overHttp(await listen(server), () => closeServer(server));
  },
};

export const TRANSPORTS: readonly TransportKind[] = [
  web,
  expressBare,
  expressAfterJson,
  fastify,
  node,
  nodeBridged,
];
