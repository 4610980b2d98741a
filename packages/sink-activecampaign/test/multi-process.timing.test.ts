/**
 * The account limit across processes: 3 real child processes, each with its own sink, share one
 * PostgreSQL rate limiter and send 200 operations in all to one sandbox server (real HTTP on an
 * ephemeral port). The emulator, which every process reaches, never sees more than 5 requests in any
 * 1-second window of its clock, and answers no 429. And when the account is throttled anyway (a 429
 * with `Retry-After` served to one process), every process holds its requests until the deadline.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type SandboxServer, startSandbox } from "@revtrace/sandbox";
import { afterAll, beforeAll, expect, it } from "vitest";

const POSTGRES = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const WORKER = fileURLToPath(new URL("./multi-process-worker.ts", import.meta.url));
const schema = `rt_rate_${process.pid}_${Date.now().toString(36)}`;
let sandbox: SandboxServer;

beforeAll(async () => {
  sandbox = await startSandbox({ activecampaign: { tokens: ["worker-token"] } });
});
afterAll(async () => {
  await sandbox.close();
  // `pg` comes with @revtrace/storage-postgres (CommonJS, no bundled types).
  const pg = createRequire(import.meta.url)("pg") as {
    Client: new (config: {
      connectionString: string;
    }) => {
      connect(): Promise<void>;
      query(text: string): Promise<unknown>;
      end(): Promise<void>;
    };
  };
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

function run(worker: number, count: number, retries = 0): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=@revtrace/source",
        "--import",
        "tsx",
        WORKER,
        sandbox.vendors.activecampaign,
        POSTGRES,
        schema,
        String(worker),
        String(count),
        String(retries),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`worker ${worker} exited ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as string[]);
    });
  });
}

it("3 processes, 200 operations: never more than 5 requests in any second", {
  timeout: 120_000,
}, async () => {
  const statuses = (await Promise.all([run(1, 67), run(2, 67), run(3, 66)])).flat();
  expect(statuses).toHaveLength(200);
  expect(statuses.every((status) => status === "skipped")).toBe(true);
  const requests = sandbox.activecampaign.requests;
  expect(requests).toHaveLength(200);
  expect(requests.filter((r) => r.status === 429)).toEqual([]);
  expect(sandbox.activecampaign.maxRequestsInWindow(1000)).toBeLessThanOrEqual(5);
});

it("a 429 with Retry-After seen by one process holds the requests of all three", {
  timeout: 120_000,
}, async () => {
  const before = sandbox.activecampaign.requests.length;
  sandbox.activecampaign.failNext({ type: "http", status: 429, retryAfter: "2" });
  const statuses = (await Promise.all([run(4, 10, 2), run(5, 10, 2), run(6, 10, 2)])).flat();
  expect(statuses).toHaveLength(30);
  expect(statuses.every((status) => status === "skipped")).toBe(true);
  const requests = sandbox.activecampaign.requests.slice(before);
  const throttled = requests.filter((r) => r.status === 429);
  expect(throttled).toHaveLength(1);
  const at = (throttled[0] as (typeof requests)[number]).at;
  // A request another process was granted before the pause reached the database may still leave
  // (within moments); none starts after that until the 2 s are over.
  const during = requests.filter((r) => r.at > at + 300 && r.at < at + 1_900);
  expect(during).toEqual([]);
});
