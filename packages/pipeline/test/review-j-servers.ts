/**
 * What the review-j HTTP tests share: the pipeline behind each adapter on an ephemeral port, and one
 * request written on a raw socket (so the request target, header lines and bytes are exactly as
 * given) whose answer is read to the connection's close.
 */
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import express from "express";
import Fastify from "fastify";
import { revtraceExpress } from "../src/adapters/express.ts";
import { revtraceFastify } from "../src/adapters/fastify.ts";
import { createNodeListener } from "../src/adapters/node.ts";
import type { Pipeline } from "../src/index.ts";
import { listen } from "./test-server.ts";

export type AdapterKind = "node:http" | "Express" | "Express after express.json()" | "Fastify";
export const ADAPTERS: readonly AdapterKind[] = [
  "node:http",
  "Express",
  "Express after express.json()",
  "Fastify",
];

/** Serves `pipeline` with `kind` on 127.0.0.1; resolves with the port. */
export async function serveWith(
  kind: AdapterKind,
  pipeline: Pipeline,
  closers: (() => Promise<void>)[],
): Promise<number> {
  if (kind === "Fastify") {
    const app = Fastify();
    await app.register(revtraceFastify, { pipeline });
    await app.listen({ port: 0, host: "127.0.0.1" });
    closers.push(() => app.close());
    return (app.server.address() as AddressInfo).port;
  }
  if (kind === "node:http") return listen(createServer(createNodeListener(pipeline)), closers);
  const app = express();
  if (kind === "Express after express.json()") app.use(express.json());
  app.use(revtraceExpress(pipeline));
  return listen(createServer(app), closers);
}

/** A parsed raw answer. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `head` (CRLF lines, without the blank line) and `body` on a new socket; reads the answer. */
export function rawRequest(
  port: number,
  head: string[],
  body: string | Buffer = "",
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [top = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = top.split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let payload = rest.join("\r\n\r\n");
      if (headers["transfer-encoding"] === "chunked") {
        let decoded = "";
        for (let at = 0; ; ) {
          const end = payload.indexOf("\r\n", at);
          const size = Number.parseInt(payload.slice(at, end), 16);
          if (!(size > 0)) break;
          decoded += payload.slice(end + 2, end + 2 + size);
          at = end + 2 + size + 2;
        }
        payload = decoded;
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: payload });
    });
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    socket.write(
      `${[...head, "Connection: close", `Content-Length: ${bytes.byteLength}`].join("\r\n")}\r\n\r\n`,
    );
    socket.end(bytes);
  });
}
