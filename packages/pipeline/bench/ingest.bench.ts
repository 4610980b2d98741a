/**
 * Webhook ingest over HTTP (verify → parse → one durable `ingest` → 200), against a bare Fastify
 * route that parses JSON and answers 200, measured with autocannon in the same run. Each server runs
 * in its own process; every request carries a new event id, so each one is a real first ingest.
 * Targets: ≥ 0.5× bare on SQLite NORMAL, ≥ 0.4× on SQLite FULL, ≥ 0.35× on PostgreSQL. The collect
 * endpoint (a landing with a click id, new visitor each time; the batch is stored with its raw body and
 * its work item, the worker, not started here, records it) against the same bare route: target ≥ 0.5×
 * on SQLite. Each engine also gets its storage ceiling (`ceiling.ts`): bare plus the same rows written
 * by hand, which says how much of the gap to a target the storage itself takes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

/** `pg` is CommonJS without bundled types: loaded through `require`, typed by what is used. */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const pg = createRequire(import.meta.url)("pg") as {
  Client: new (options: { connectionString: string }) => PgClient;
};

const BODY = readFileSync(
  new URL("../../chargebee/test/fixtures/payment_succeeded.bonusly.1.json", import.meta.url),
  "utf8",
);
const AUTH = `Basic ${Buffer.from("chargebee:bench-webhook-password").toString("base64")}`;
const DURATION = Number(process.env.BENCH_SECONDS ?? 6);
const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
    await client.query("DROP SCHEMA IF EXISTS revtrace_bench CASCADE");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function startServer(
  config: string,
  dir: string,
): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@revtrace/source",
      "--import",
      "tsx",
      new URL("./server.ts", import.meta.url).pathname,
      config,
      dir,
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, PG_URL } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`${config} server exited with ${code}`)));
  });
  return { port, child };
}

type BenchRequest = NonNullable<Parameters<typeof autocannon>[0]["requests"]>[number];

/** A tracker landing with a click id (what `@revtrace/tracker` sends on an ad click). */
const collectBody = (n: number) =>
  JSON.stringify({
    v: 1,
    events: [
      {
        type: "touch",
        at: Date.now(),
        url: `https://shop.example.org/pricing?ttclid=E.C.P.bench${n}&utm_source=tiktok`,
        referrer: "https://www.tiktok.com/",
        clickIds: { ttclid: `E.C.P.bench${n}` },
        utm: { source: "tiktok", campaign: "bench" },
      },
    ],
  });

async function measure(
  config: string,
  dir: string,
  round: number,
  endpoint: "webhook" | "collect",
) {
  const { port, child } = await startServer(config, dir);
  let n = 0;
  const request: BenchRequest =
    endpoint === "webhook"
      ? {
          method: "POST" as const,
          path: "/webhooks/chargebee",
          headers: { authorization: AUTH, "content-type": "application/json" },
          setupRequest: (r: BenchRequest) => ({
            ...r,
            body: BODY.replace('"id": "ev_', `"id": "ev_r${round}_${n++}_`),
          }),
        }
      : {
          method: "POST" as const,
          path: "/rt/collect",
          headers: { "content-type": "text/plain", "user-agent": "Mozilla/5.0 (bench) Safari/605" },
          setupRequest: (r: BenchRequest) => ({ ...r, body: collectBody(n++) }),
        };
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 10,
      duration,
      requests: [request],
    });
  await run(1); // warm-up, discarded
  const result = await run(DURATION);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  return {
    config,
    rps: result.requests.average,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}

type Result = Awaited<ReturnType<typeof measure>>;

/**
 * Prints one table: each row ÷ the mean of the bare rows, and each pipeline row ÷ the ceiling row of
 * its engine (`ceiling-<engine>`, see `ceiling.ts`).
 */
function table(title: string, results: readonly Result[], targets: Record<string, number>) {
  const bares = results.filter((r) => r.config === "bare");
  const bare = bares.reduce((sum, r) => sum + r.rps, 0) / bares.length;
  const ceilingOf = (config: string) => results.find((r) => r.config === `ceiling-${config}`);
  console.log(`\n## ${title}`);
  console.log(
    "| server | req/s | p99 ms | non-2xx + errors | ÷ bare Fastify | ÷ its ceiling | target |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    const target = targets[r.config];
    const ceiling = ceilingOf(r.config);
    const role =
      r.config === "bare"
        ? "baseline"
        : r.config.startsWith("ceiling-")
          ? "storage ceiling"
          : target
            ? `≥ ${target}×`
            : "";
    console.log(
      `| ${r.config} | ${Math.round(r.rps)} | ${r.p99} | ${r.failures} | ${(r.rps / bare).toFixed(2)}× | ${ceiling ? `${(r.rps / ceiling.rps).toFixed(2)}×` : ""} | ${role} |`,
    );
  }
  const above = Object.entries(targets).flatMap(([config, target]) => {
    const ceiling = ceilingOf(config);
    return ceiling && ceiling.rps / bare < target
      ? [`${config} (target ${target}×, its ceiling ${(ceiling.rps / bare).toFixed(2)}×)`]
      : [];
  });
  if (above.length > 0) {
    console.log(
      `\nTargets above their storage ceiling in this run (no pipeline storing these rows can reach them): ${above.join("; ")}.`,
    );
  }
}

/**
 * What the collect rows say together. Per-request costs add up: serving through the adapter (the
 * `adapter` row: body read, JSON parsed, the cookie answered) costs `1/adapter − 1/bare` beyond bare,
 * storing the rows `1/ceiling − 1/bare`. An endpoint that did both and nothing else would serve about
 * `1 / (1/adapter + 1/ceiling − 1/bare)`: the most any collect endpoint storing these rows behind
 * the adapter can reach on this machine, before validating a single field.
 */
function collectBound(results: readonly Result[]) {
  const mean = (config: string) => {
    const rows = results.filter((r) => r.config === config);
    return rows.reduce((sum, r) => sum + r.rps, 0) / rows.length;
  };
  const bare = mean("bare");
  const adapter = mean("adapter");
  const ceiling = mean("ceiling-sqlite-normal");
  const pipeline = mean("sqlite-normal");
  const bound = 1 / (1 / adapter + 1 / ceiling - 1 / bare);
  const us = (rps: number) => (1e6 / rps - 1e6 / bare).toFixed(1);
  console.log(
    `\nCollect, µs per request beyond bare: the adapter ${us(adapter)}, the storage (ceiling) ${us(ceiling)}, the pipeline ${us(pipeline)}. Adapter and storage alone: about ${Math.round(bound)} req/s = ${(bound / bare).toFixed(2)}× bare (target 0.5×); the pipeline reaches ${(pipeline / bound).toFixed(2)}× of that.`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "revtrace-ingest-bench-"));
try {
  const engines = ["sqlite-normal", "sqlite-full"];
  if (await postgresReachable()) engines.push("postgres");
  else console.log("(PostgreSQL not reachable at PG_URL: its rows are left out)");
  const webhook: Result[] = [];
  for (const config of ["bare", ...engines.flatMap((e) => [e, `ceiling-${e}`]), "bare"]) {
    webhook.push(await measure(config, dir, webhook.length, "webhook"));
  }
  const collect: Result[] = [];
  for (const config of ["bare", "sqlite-normal", "ceiling-sqlite-normal", "adapter", "bare"]) {
    collect.push(await measure(config, dir, webhook.length + collect.length, "collect"));
  }
  table("Webhook ingest over HTTP (autocannon, 10 connections, 6.9 KB body)", webhook, {
    "sqlite-normal": 0.5,
    "sqlite-full": 0.4,
    postgres: 0.35,
  });
  table("Tracker collect endpoint over HTTP (a landing with a click id per request)", collect, {
    "sqlite-normal": 0.5,
  });
  collectBound(collect);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
