/**
 * One process of the Postgres scale-out test: `ingest` (the webhook endpoint on an ephemeral port,
 * no worker) or `worker` (the worker and the sink runners, no HTTP), on the schema and sandbox the
 * test passes in the environment (`PG_URL`, `PG_SCHEMA`, `SANDBOX_VENDORS`). Prints `READY <port>` when serving.
 */
import { consoleLogger } from "@revtrace/core";
import type { SandboxServer } from "@revtrace/sandbox";
import { createSandboxSinks } from "@revtrace/sandbox/sinks";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { servePipeline } from "../src/adapters/node.ts";
import { createPipeline, type PipelineStorage } from "../src/index.ts";
import { CREDENTIALS, WEBHOOK_PASSWORD } from "./stack.ts";

const role = process.argv[2];
const env = process.env;
const storage = createPostgresStorage({
  connectionString: env.PG_URL as string,
  schema: env.PG_SCHEMA as string,
  poolSize: 4,
}) as PipelineStorage;
// Every process migrates: the engine serializes concurrent migrations (an advisory lock).
await storage.migrate();
const pipeline = createPipeline({
  storage,
  sinks: createSandboxSinks({
    vendors: JSON.parse(env.SANDBOX_VENDORS as string) as SandboxServer["vendors"],
    credentials: CREDENTIALS,
    store: storage,
    include: ["tiktok", "segment"],
  }),
  chargebee: { credentials: [{ username: "chargebee", password: WEBHOOK_PASSWORD }] },
  delivery: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 50, leaseMs: 3_000 },
  worker: { leaseMs: 3_000 },
  pollMs: 50,
  logger: consoleLogger("error"),
});
if (role === "ingest") {
  const { url } = await servePipeline(pipeline);
  console.log(`READY ${new URL(url).port}`);
} else {
  await pipeline.start();
  console.log("READY 0");
}
process.on("SIGTERM", () => {
  void pipeline.close().then(() => process.exit(0));
});
