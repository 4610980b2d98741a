/**
 * One pipeline process of the kill and Postgres rows, started by the suite with `node --import tsx`:
 *
 * - `all`: HTTP and the worker, on the SQLite file `RT_SQLITE` (the SIGKILL row);
 * - `ingest`: HTTP only, or `worker`: worker and sink runners only, on PostgreSQL (`RT_PG_URL`,
 *   `RT_PG_SCHEMA`).
 *
 * The sinks point at the suite's sandbox (`RT_VENDORS`). Log entries go to stderr as JSON lines (the
 * suite keeps them for the privacy scan). Prints `READY <port>` once serving.
 *
 * @module
 */
import type { Logger } from "@revtrace/core";
import { createPipeline, type PipelineOptions, type PipelineStorage } from "@revtrace/pipeline";
import { servePipeline } from "@revtrace/pipeline/node";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { basePipelineOptions, createVendorSinks, type Vendors } from "./stack.js";

const role = process.argv[2] as "all" | "ingest" | "worker";
const env = process.env;

function stderrLogger(component: string): Logger {
  const log =
    (level: string) =>
    (first: unknown, msg?: string): void => {
      process.stderr.write(
        `${JSON.stringify(
          { component, pid: process.pid, level, entry: first, msg },
          (_k, v: unknown) =>
            v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v,
        )}\n`,
      );
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

const storage = (
  role === "all"
    ? createSqliteStorage({ path: env.RT_SQLITE as string, synchronous: "FULL" })
    : createPostgresStorage({
        connectionString: env.RT_PG_URL as string,
        schema: env.RT_PG_SCHEMA as string,
        poolSize: 4,
        logger: stderrLogger("storage"),
      })
) as PipelineStorage;
await storage.migrate();
const vendors = JSON.parse(env.RT_VENDORS as string) as Vendors;
const base = basePipelineOptions();
const pipeline = createPipeline({
  ...base,
  storage,
  sinks: createVendorSinks(vendors, storage),
  // Short leases: a batch the killed process held is taken over within seconds.
  delivery: { ...base.delivery, leaseMs: 3_000 },
  worker: { ...base.worker, leaseMs: 3_000 },
  pollMs: 50,
  logger: stderrLogger("pipeline"),
} as PipelineOptions);
if (role === "all" || role === "ingest") {
  const { url } = await servePipeline(pipeline);
  if (role === "all") await pipeline.start();
  console.log(`READY ${new URL(url).port}`);
} else {
  await pipeline.start();
  console.log("READY 0");
}
process.on("SIGTERM", () => {
  void pipeline.close().then(() => process.exit(0));
});
