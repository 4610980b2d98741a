/**
 * SIGKILL a real Node 24 pipeline process at random points while webhooks arrive and the worker and
 * sinks run; restart on the same database; at the end nothing acknowledged is lost, nothing is
 * delivered twice beyond the vendor's own dedupe, and the ledger has no double booking.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sandboxServerOptions, startSandbox } from "@revtrace/sandbox";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { describe, expect, it } from "vitest";
import { createPipeline, type PipelineStorage } from "../src/index.ts";
import { basic } from "./fixtures.ts";
import { account, CREDS, killTestPipelineOptions, PASSWORD } from "./sandbox-stack.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "../../..");

function spawnChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ["--conditions=@revtrace/source", "--import", "tsx", join(here, "kill-child.ts")],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let err = "";
  child.stderr?.on("data", (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += String(d);
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`child exited ${code}: ${err.slice(-2000)}`)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(storageKind: "sqlite" | "postgres", accounts: number, kills: number) {
  const dir = mkdtempSync(join(tmpdir(), "rb-kill-"));
  const sandbox = await startSandbox(sandboxServerOptions(CREDS));
  const schema = `review_b_kill_${Date.now() % 1e9}`;
  const pgUrl = "postgres://postgres@127.0.0.1:5432/test";
  const env: Record<string, string> =
    storageKind === "sqlite"
      ? { RB_DB: join(dir, "db.sqlite"), RB_VENDORS: JSON.stringify(sandbox.vendors) }
      : { RB_PG_URL: pgUrl, RB_PG_SCHEMA: schema, RB_VENDORS: JSON.stringify(sandbox.vendors) };
  const bodies: string[] = [];
  for (let n = 1; n <= accounts; n++) {
    const a = account(n, { affiliateRef: `p_${n % 3}` });
    sandbox.kiflo.addLead({ email: a.acct.email, partnerId: 7 });
    bodies.push(a.created(), a.paid(1), a.paid(2, a.acct.createdAt + 3_600_000));
    if (n % 4 === 0) bodies.push(a.refunded(1, 900, false, 1));
  }
  let pending = [...bodies];
  const auth = basic("chargebee", PASSWORD);
  let acked = 0;
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let round = 0; round <= kills; round++) {
    const { child, url } = await spawnChild(env);
    const killAt = Date.now() + 200 + Math.floor(rnd() * 900);
    const killed = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const timer = setTimeout(() => child.kill("SIGKILL"), killAt - Date.now());
    // Post (like Chargebee: anything not answered 200 is sent again later).
    const next: string[] = [];
    const poster = (async () => {
      for (const body of pending) {
        if (Date.now() >= killAt) {
          next.push(body);
          continue;
        }
        try {
          const r = await fetch(`${url}/webhooks/chargebee`, {
            method: "POST",
            body,
            headers: { authorization: auth, "content-type": "application/json" },
          });
          await r.arrayBuffer();
          if (r.status === 200) acked++;
          else next.push(body);
        } catch {
          next.push(body);
        }
      }
    })();
    await poster;
    if (round === kills) {
      clearTimeout(timer);
      child.kill("SIGKILL");
    }
    await killed;
    pending = next;
  }
  // every body was acknowledged once at least, or is still to be sent (below)
  expect(acked + pending.length).toBeGreaterThanOrEqual(bodies.length);
  // Final: an in-process pipeline on the same storage delivers the rest (and re-sends the remaining posts).
  const storage = (
    storageKind === "sqlite"
      ? createSqliteStorage({ path: env.RB_DB as string })
      : createPostgresStorage({ connectionString: pgUrl, schema, poolSize: 4 })
  ) as PipelineStorage;
  await storage.migrate();
  const pipeline = createPipeline(killTestPipelineOptions(storage, sandbox.vendors));
  for (const body of pending) {
    const r = await pipeline.handleWebhook(
      new Request("http://x/webhooks/chargebee", {
        method: "POST",
        body,
        headers: { authorization: auth, "content-type": "application/json" },
      }),
    );
    expect(r.status).toBe(200);
  }
  await sleep(1_200); // leases of the killed process run out
  // drain only knows this process's items: loop until a drain finds nothing more for a while
  for (let i = 0; i < 5; i++) {
    await pipeline.drain({ timeoutMs: 60_000 });
    await sleep(300);
  }
  // ---- checks
  const payments = accounts * 2;
  const tt = sandbox.recorded.tiktok;
  const ttUnique = new Set(tt.map((r) => r.event.event_id as string));
  const ttNonDup = tt.filter((r) => !r.duplicate).length;
  const seg = sandbox.segment.recorded.map((r) => r.message.messageId as string);
  const segUnique = new Set(seg);
  const ac = sandbox.activecampaign.state;
  const orders = ac.ecomOrders.map((o) => o.externalid as string);
  const kiflo = sandbox.kiflo.transactions;
  const kifloByTxn = new Map<string, number>();
  for (const t of kiflo) {
    const k = String(t.properties.cf_chargebee_transaction_id);
    kifloByTxn.set(k, (kifloByTxn.get(k) ?? 0) + 1);
  }
  const ledger = (await storage.listCommissions({})).filter((e) => e.partnerId !== "~journal");
  const earned = ledger.filter((e) => e.kind === "earned");
  const reversed = ledger.filter((e) => e.kind === "reversed");
  const failures = (await storage.listFailures({ limit: 100 })).filter(
    (f) => f.status !== "delivered",
  );

  await pipeline.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
  expect(ttUnique.size).toBe(payments);
  expect(ttNonDup).toBe(payments);
  expect(segUnique.size).toBe(seg.length);
  expect(new Set(orders).size).toBe(orders.length);
  expect(orders.length).toBe(payments);
  expect(ac.contacts.length).toBe(accounts);
  expect([...kifloByTxn.values()].every((c) => c === 1)).toBe(true);
  expect(kifloByTxn.size).toBe(payments);
  expect(earned.length).toBe(payments);
  expect(new Set(earned.map((e) => e.key)).size).toBe(earned.length);
  expect(reversed.length).toBe(Math.floor(accounts / 4));
  expect(failures).toEqual([]);
}

describe("SIGKILL at random points, then a restart on the same store", () => {
  it("SQLite: 6 kills during ingest/worker/sinks", async () => {
    await run("sqlite", 40, 6);
  }, 240_000);
  it("PostgreSQL: 4 kills", async () => {
    await run("postgres", 30, 4);
  }, 240_000);
});
