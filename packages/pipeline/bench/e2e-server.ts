/**
 * The end-to-end benchmark's server, in its own process: the pipeline on SQLite (NORMAL) behind
 * `@revtrace/pipeline/node`, its worker and the TikTok sink running, delivering to the sandbox at
 * `TIKTOK_URL`. Prints `PORT <n>`; answers `{ type: "metrics" }` IPC messages with the pipeline's
 * counters and this process's resident memory.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createTikTokSink } from "@revtrace/sink-tiktok";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { createNodeListener } from "../src/adapters/node.ts";
import { createPipeline, type PipelineStorage } from "../src/index.ts";

const E2E_PASSWORD = "bench-webhook-password";
const E2E_TIKTOK_TOKEN = "bench-tiktok-token";
const E2E_PIXEL = "BENCHPIXEL0000000001";

const [dir = "."] = process.argv.slice(2);
const storage = createSqliteStorage({
  path: join(dir, "e2e.db"),
  synchronous: "NORMAL",
}) as PipelineStorage;
await storage.migrate();
const pipeline = createPipeline({
  storage,
  sinks: [
    createTikTokSink({
      accessToken: E2E_TIKTOK_TOKEN,
      pixelCode: E2E_PIXEL,
      baseUrl: `${process.env.TIKTOK_URL}/open_api/v1.3/`,
    }),
  ],
  chargebee: { credentials: [{ username: "chargebee", password: E2E_PASSWORD }] },
  pollMs: 50,
});
const server = createServer(createNodeListener(pipeline));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
await pipeline.start();
console.log(`PORT ${(server.address() as AddressInfo).port}`);
process.on("message", (message: { type?: string }) => {
  if (message.type === "metrics") {
    process.send?.({ metrics: pipeline.metrics(), rss: process.memoryUsage().rss });
  }
});
process.on("SIGTERM", () => {
  server.close();
  void pipeline.close().then(() => process.exit(0));
});
