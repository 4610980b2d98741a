/**
 * One pipeline process (HTTP + worker + sinks) for the SIGKILL test. Env: RB_DB (SQLite path)
 * or RB_PG_URL + RB_PG_SCHEMA, RB_VENDORS (sandbox vendors JSON). Prints `READY <url>`.
 */
import { consoleLogger } from "@revtrace/core";
import type { SandboxServer } from "@revtrace/sandbox";
import { createSandboxSinks } from "@revtrace/sandbox/sinks";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { servePipeline } from "../src/adapters/node.ts";
import { createPipeline, type PipelineStorage } from "../src/index.ts";
import { CREDS, PASSWORD } from "./sandbox-stack.ts";

const env = process.env;
const storage = (
  env.RB_PG_URL
    ? createPostgresStorage({
        connectionString: env.RB_PG_URL,
        schema: env.RB_PG_SCHEMA as string,
        poolSize: 4,
      })
    : createSqliteStorage({ path: env.RB_DB as string })
) as PipelineStorage;
await storage.migrate();
const pipeline = createPipeline({
  storage,
  sinks: createSandboxSinks({
    vendors: JSON.parse(env.RB_VENDORS as string) as SandboxServer["vendors"],
    credentials: CREDS,
    store: storage,
    kifloClaimTtlMs: 1_000,
  }),
  chargebee: { credentials: [{ username: "chargebee", password: PASSWORD }] },
  commissions: { rules: [{ percent: 20, duration: "lifetime" }] },
  delivery: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 1000, leaseMs: 1_000 },
  worker: { leaseMs: 1_000, maxAttempts: 1000 },
  pollMs: 20,
  logger: consoleLogger("error"),
});
const served = await servePipeline(pipeline);
await pipeline.start();
console.log(`READY ${served.url}`);
