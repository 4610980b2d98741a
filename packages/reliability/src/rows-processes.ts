/**
 * The rows with real processes: SIGKILL of the pipeline on a SQLite file at seeded random points of
 * a run (each followed by a restart on the same file), and PostgreSQL with 2 ingest and 3 worker
 * processes, some of them SIGKILLed and restarted. Webhooks keep coming during the kills (a
 * delivery that got no answer is retried, as Chargebee does); afterwards the sandbox's records are
 * compared with the reference run's, and the ledger with the truth.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createSeededRandom as createRandom } from "@revtrace/core";
import type { PipelineStorage } from "@revtrace/pipeline";
import type { SandboxServer } from "@revtrace/sandbox";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { postWebhooks } from "./http.js";
import { compareKeys, SINKS, type VendorKeys, vendorKeys } from "./measure.js";
import { recordErrors, recordTikTok } from "./privacy.js";
import type { RowResult } from "./row.js";
import { deliveryRows, failuresOf, ledgerCheck, reference } from "./rows-inprocess.js";
import type { Simulation } from "./simulator.js";
import { capturedLogs, seedKifloLeads, startVendorSandbox } from "./stack.js";

const CHILD = new URL("./child.ts", import.meta.url).pathname;

interface Proc {
  role: string;
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

function spawnChild(role: "all" | "ingest" | "worker", env: Record<string, string>): Promise<Proc> {
  const child = spawn(
    process.execPath,
    ["--conditions=@revtrace/source", "--import", "tsx", CHILD, role],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.stderr) {
    createInterface({ input: child.stderr }).on("line", (line) => capturedLogs.push(line));
  }
  return new Promise<Proc>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) resolve({ role, child, port: Number(match[1]), exited });
      else if (out.length > 10_000) out = out.slice(-1000);
    });
    child.once("exit", (code, signal) => reject(new Error(`${role} exited (${code ?? signal})`)));
  });
}

async function kill(proc: Proc, signal: NodeJS.Signals = "SIGKILL") {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  await proc.exited;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function keyCount(keys: VendorKeys): number {
  return SINKS.reduce((n, s) => n + keys[s].size, 0);
}

/**
 * Waits until every reference key arrived and no outbox item is still failing (`failing`: a
 * delivery the vendor got whose answer a kill lost is acknowledged only once the killed holder's
 * claim expires), or nothing changed for `stallMs`, or the deadline; then a little longer, for
 * anything extra to show.
 */
async function settle(
  sandbox: SandboxServer,
  ref: VendorKeys,
  deadline: number,
  stallMs = 45_000,
  log: (line: string) => void = () => {},
  failing: () => Promise<number> = async () => 0,
) {
  const want = keyCount(ref);
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const got = vendorKeys(sandbox);
    const have = SINKS.reduce(
      (n, s) => n + [...ref[s].keys()].filter((k) => got[s].has(k)).length,
      0,
    );
    // Keys the reference does not have may still go (a refund retried until its payment arrived
    // deletes the transaction the payment made): wait for them too, within the same stall bound.
    const extra = SINKS.reduce(
      (n, s) => n + [...got[s].keys()].filter((k) => !ref[s].has(k)).length,
      0,
    );
    const stillFailing = have >= want && extra === 0 ? await failing() : 0;
    const progress = have * 1_000_000 - extra - stillFailing * 1_000;
    if (progress !== last) {
      last = progress;
      lastChange = Date.now();
    }
    if (
      (have >= want && extra === 0 && stillFailing === 0) ||
      Date.now() > deadline ||
      Date.now() - lastChange > stallMs
    ) {
      if (have < want) log(`  settled with ${have} of ${want} keys`);
      if (stillFailing > 0) log(`  settled with ${stillFailing} outbox items still failing`);
      break;
    }
    await sleep(200);
  }
  await sleep(3_000);
}

/**
 * Counts the outbox items still failing (pending with an error) in the store the processes share,
 * opened on first use; a read that fails counts as one (keep waiting, within the stall bound).
 */
function failingCounter(open: () => PipelineStorage) {
  let storage: PipelineStorage | undefined;
  return {
    async count(): Promise<number> {
      try {
        storage ??= open();
        const failures = await storage.listFailures({ limit: 100_000 });
        return failures.filter((item) => item.status !== "dead").length;
      } catch {
        return 1;
      }
    },
    async close(): Promise<void> {
      await storage?.close().catch(() => {});
    },
  };
}

/**
 * Runs `sim` against processes, killing `kills` of them at seeded random points of the run
 * (`progress` goes from 0 to 1 over posting and delivering), each restarted at once.
 */
async function killRun(options: {
  sim: Simulation;
  sandbox: SandboxServer;
  ref: VendorKeys;
  seed: number;
  kills: number;
  procs: Proc[];
  restart: (proc: Proc) => Promise<Proc>;
  urls: () => string;
  /** The processes a kill may pick. */
  victims: () => Proc[];
  /** Outbox items still failing (pending with an error), read from the shared store. */
  failing: () => Promise<number>;
}) {
  const { sim, sandbox, ref } = options;
  const random = createRandom(options.seed);
  const points = Array.from({ length: options.kills }, () => 0.03 + random.next() * 0.85).sort(
    (a, b) => a - b,
  );
  let posted = 0;
  const totalKeys = keyCount(ref);
  const progress = () =>
    (posted + keyCount(vendorKeys(sandbox))) / (sim.webhooks.length + totalKeys);
  const posting = postWebhooks(options.urls, sim.webhooks, {
    onPosted: (n) => {
      posted = n;
    },
  });
  const killed: string[] = [];
  let failedKill: Error | undefined;
  const killing = (async () => {
    for (const point of points) {
      while (progress() < point) await sleep(20);
      const victims = options.victims();
      const victim = victims[random.int(0, victims.length - 1)] as Proc;
      await kill(victim);
      killed.push(`${victim.role}@${(point * 100).toFixed(0)}%`);
      try {
        const fresh = await options.restart(victim);
        options.procs[options.procs.indexOf(victim)] = fresh;
      } catch (error) {
        failedKill = error as Error;
        return;
      }
    }
  })();
  const stats = await posting;
  await killing;
  if (failedKill) throw failedKill;
  await settle(
    sandbox,
    ref,
    Date.now() + 15 * 60_000,
    45_000,
    (line) => console.error(line),
    options.failing,
  );
  return { stats, killed };
}

export async function sqliteKillRows(
  sim: Simulation,
  key: string,
  trials: number,
  seed: number,
): Promise<RowResult[]> {
  const ref = await reference(sim, key);
  const sandbox = await startVendorSandbox();
  seedKifloLeads(sandbox, sim.partnerLeads);
  const dir = mkdtempSync(join(tmpdir(), "revtrace-reliability-kill-"));
  const env = { RT_SQLITE: join(dir, "revtrace.db"), RT_VENDORS: JSON.stringify(sandbox.vendors) };
  const procs: Proc[] = [await spawnChild("all", env)];
  const failing = failingCounter(
    () => createSqliteStorage({ path: env.RT_SQLITE }) as PipelineStorage,
  );
  try {
    const { stats, killed } = await killRun({
      sim,
      sandbox,
      ref: ref.keys,
      seed,
      kills: trials,
      procs,
      restart: () => spawnChild("all", env),
      urls: () => `http://127.0.0.1:${procs[0]?.port}`,
      victims: () => procs,
      failing: failing.count,
    });
    for (const p of procs) await kill(p, "SIGTERM");
    const storage = createSqliteStorage({ path: env.RT_SQLITE }) as PipelineStorage;
    const ledger = await ledgerCheck({ storage }, sim);
    const failures = await failuresOf(storage);
    await recordErrors(storage);
    await storage.close();
    recordTikTok(sandbox);
    return deliveryRows(
      `SIGKILL ×${killed.length} (SQLite)`,
      compareKeys(ref.keys, vendorKeys(sandbox)),
      ledger,
      `killed at ${killed.join(", ")}; ${sim.webhooks.length} webhooks, ${stats.retried} posts retried across the kills; answers ${JSON.stringify(stats.statuses)}`,
      failures,
    );
  } finally {
    await failing.close();
    for (const p of procs) await kill(p);
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const PG_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
type PgClient = {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
};
const pg = createRequire(import.meta.url)("pg") as {
  Client: new (o: { connectionString: string }) => PgClient;
};

async function pgQuery(sql: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
    await client.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function postgresRows(
  sim: Simulation,
  key: string,
  kills: number,
  seed: number,
): Promise<RowResult[]> {
  if (!(await pgQuery("SELECT 1"))) {
    const ci = process.env.CI === "true";
    return [
      {
        row: "PostgreSQL 2 ingest + 3 workers",
        tried: 0,
        delivered: 0,
        lost: 0,
        duplicated: 0,
        notes: `PostgreSQL unreachable at ${PG_URL.replace(/\/\/[^@]*@/, "//")}: not run${ci ? " (CI=true requires it)" : ""}`,
        ok: !ci,
      },
    ];
  }
  const ref = await reference(sim, key);
  const sandbox = await startVendorSandbox();
  seedKifloLeads(sandbox, sim.partnerLeads);
  // unique per run: a schema left by a killed run (same pid in a fresh PID namespace) is never reused
  const schema = `revtrace_reliability_${process.pid}_${Date.now().toString(36)}`;
  const env = {
    RT_PG_URL: PG_URL,
    RT_PG_SCHEMA: schema,
    RT_VENDORS: JSON.stringify(sandbox.vendors),
  };
  const procs: Proc[] = [];
  const failing = failingCounter(
    () =>
      createPostgresStorage({ connectionString: PG_URL, schema, poolSize: 1 }) as PipelineStorage,
  );
  try {
    // The first process migrates the schema before the others start.
    procs.push(await spawnChild("ingest", env));
    procs.push(
      ...(await Promise.all([
        spawnChild("ingest", env),
        spawnChild("worker", env),
        spawnChild("worker", env),
        spawnChild("worker", env),
      ])),
    );
    let turn = 0;
    const { stats, killed } = await killRun({
      sim,
      sandbox,
      ref: ref.keys,
      seed,
      kills,
      procs,
      restart: (victim) => spawnChild(victim.role as "ingest" | "worker", env),
      urls: () => {
        const ingest = procs.filter((p) => p.role === "ingest");
        return `http://127.0.0.1:${ingest[turn++ % ingest.length]?.port}`;
      },
      victims: () => procs,
      failing: failing.count,
    });
    for (const p of procs) await kill(p, "SIGTERM");
    const storage = createPostgresStorage({
      connectionString: PG_URL,
      schema,
      poolSize: 2,
    }) as PipelineStorage;
    const ledger = await ledgerCheck({ storage }, sim);
    const failures = await failuresOf(storage);
    await recordErrors(storage);
    await storage.close();
    recordTikTok(sandbox);
    return deliveryRows(
      `PostgreSQL 2 ingest + 3 workers, SIGKILL ×${killed.length}`,
      compareKeys(ref.keys, vendorKeys(sandbox)),
      ledger,
      `killed ${killed.join(", ")}; ${sim.webhooks.length} webhooks (30 % duplicates, shuffled), ${stats.retried} posts retried; answers ${JSON.stringify(stats.statuses)}`,
      failures,
    );
  } finally {
    await failing.close();
    for (const p of procs) await kill(p);
    await sandbox.close();
    if (!process.env.RT_KEEP_SCHEMA) await pgQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}
