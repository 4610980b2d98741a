/**
 * The end-to-end benchmark's server, in its own process: the pipeline on SQLite (NORMAL) behind
 * `@revtrace/pipeline/node`, its worker and the TikTok sink running, delivering to the sandbox at
 * `TIKTOK_URL`. Prints `PORT <n>`; answers `{ type: "metrics" }` IPC messages with the pipeline's
 * counters and this process's resident memory.
 */
import { join } from "node:path";
import { createTikTokSink } from "@revtrace/sink-tiktok";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { servePipeline } from "../src/adapters/node.ts";
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
const served = await servePipeline(pipeline);
await pipeline.start();
console.log(`PORT ${new URL(served.url).port}`);
process.on("message", (message: { type?: string }) => {
  if (message.type === "metrics") {
    process.send?.({ metrics: pipeline.metrics(), rss: process.memoryUsage().rss });
  }
});
process.on("SIGTERM", () => {
  void served.close().then(() => process.exit(0));
});
