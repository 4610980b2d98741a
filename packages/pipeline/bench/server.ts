/**
 * One benchmark server, started in its own process by the benches: `bare` (Fastify parsing JSON and
 * answering 200, the baseline), the pipeline's webhook and collect endpoints behind
 * `@revtrace/pipeline/fastify` on `sqlite-normal`, `sqlite-full` or `postgres`, `ceiling-<engine>`:
 * bare plus, by hand, the rows the pipeline stores (`ceiling.ts`), or `adapter`: the pipeline's
 * Fastify adapter serving a collect endpoint that only reads the body, parses it and answers 204 with
 * the visitor cookie (what every collect answer costs before the endpoint's own work and storage).
 * Prints `PORT <n>` when listening.
 */
import { join } from "node:path";
import type { Storage } from "@revtrace/core";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import Fastify from "fastify";
import { revtraceFastify } from "../src/adapters/fastify.ts";
import { emptyAnswer } from "../src/http-answers.ts";
import { toWebHandler } from "../src/http-exchange.ts";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { registerCeiling } from "./ceiling.ts";

export const BENCH_PASSWORD = "bench-webhook-password";

const [config = "bare", dir = ".", pgSchema = "revtrace_bench"] = process.argv.slice(2);
const app = Fastify({ logger: false });
let storage: Storage | null = null;
if (config === "bare") {
  app.post("/webhooks/chargebee", async (_request, reply) => reply.code(200).send("ok"));
  // The tracker sends text/plain: the baseline parses it as JSON too, then answers 204.
  app.addContentTypeParser("text/plain", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.post("/rt/collect", async (_request, reply) => reply.code(204).send());
} else if (config === "adapter") {
  const cookie =
    "rt_vid=00000000-0000-4000-8000-000000000000; Max-Age=34560000; Path=/; HttpOnly; SameSite=Lax";
  const collect = toWebHandler(async (request) => {
    JSON.parse(Buffer.from(await request.body(64 * 1024)).toString("utf8"));
    return emptyAnswer(204, { "set-cookie": cookie, "cache-control": "no-store" });
  });
  const pipeline = { handleCollect: collect, maxBodyBytes: 64 * 1024 } as unknown as Pipeline;
  const only = { webhook: null, retention: null, live: null, ready: null, metrics: null };
  await app.register(revtraceFastify, { pipeline, paths: only });
} else if (config.startsWith("ceiling-")) {
  await registerCeiling(
    app,
    config.slice("ceiling-".length) as Parameters<typeof registerCeiling>[1],
    dir,
    pgSchema,
  );
} else {
  storage =
    config === "postgres"
      ? createPostgresStorage({
          connectionString: process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
          schema: pgSchema,
        })
      : createSqliteStorage({
          path: join(dir, `${config}.db`),
          synchronous: config === "sqlite-full" ? "FULL" : "NORMAL",
        });
  await storage.migrate();
  const pipeline = createPipeline({
    storage: storage as PipelineStorage,
    chargebee: { credentials: [{ username: "chargebee", password: BENCH_PASSWORD }] },
    // autocannon is one address sending a new visitor per request: the per-address limit is off
    collect: { rateLimit: { perAddress: null } },
  });
  await app.register(revtraceFastify, { pipeline });
}
const address = await app.listen({ port: 0, host: "127.0.0.1" });
console.log(`PORT ${new URL(address).port}`);
process.on("SIGTERM", () => {
  void app.close().then(async () => {
    await storage?.close();
    process.exit(0);
  });
});
