/**
 * One pipeline process (HTTP + worker + sinks) for the SIGKILL test. Env: RB_DB (SQLite path)
 * or RB_PG_URL + RB_PG_SCHEMA, RB_VENDORS (sandbox vendors JSON). Prints `READY <url>`.
 */
import { consoleLogger } from "@revtrace/core";
import type { SandboxServer } from "@revtrace/sandbox";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { servePipeline } from "../src/adapters/node.ts";
import { createPipeline, type PipelineStorage } from "../src/index.ts";
import { killTestPipelineOptions } from "./sandbox-stack.ts";

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
const vendors = JSON.parse(env.RB_VENDORS as string) as SandboxServer["vendors"];
const pipeline = createPipeline({
  ...killTestPipelineOptions(storage, vendors),
  logger: consoleLogger("error"),
});
const served = await servePipeline(pipeline);
await pipeline.start();
console.log(`READY ${served.url}`);
