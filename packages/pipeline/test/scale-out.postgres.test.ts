/**
 * Scale-out on PostgreSQL with real processes: 2 ingest processes (HTTP only) and 3 worker processes
 * (worker and sink runners only) share one schema. 5,000 webhooks (3,500 distinct events, 30 %
 * duplicates, shuffled) are posted across both ingest processes while one worker is SIGKILLed
 * mid-run; the sandbox's records must then hold every delivery of every event, by each sink's dedupe
 * key (TikTok `event_id`, Segment `messageId`), and nothing else.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { type SandboxServer, sandboxServerOptions, startSandbox } from "@revtrace/sandbox";
import { afterAll, describe, expect, it } from "vitest";
import { basic, fixtureJson } from "./fixtures.ts";
import { CREDENTIALS, WEBHOOK_PASSWORD } from "./stack.ts";

const PG_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const pg = createRequire(import.meta.url)("pg") as {
  Client: new (o: {
    connectionString: string;
  }) => {
    connect(): Promise<void>;
    query(sql: string): Promise<unknown>;
    end(): Promise<void>;
  };
};

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
const available = await reachable();
if (!available && process.env.CI === "true") {
  throw new Error(`PostgreSQL at ${PG_URL} is unreachable; CI=true requires the scale-out test`);
}

const DISTINCT = Number(process.env.SCALE_OUT_DISTINCT ?? 3_500);
const DUPLICATES = Math.round((DISTINCT * 3) / 7);
const SCHEMA = `revtrace_scaleout_${process.pid}_${Date.now().toString(36)}`;

/** A seeded shuffle (mulberry32), so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** The payment fixture as event `i`: its own event, customer, email, transaction and invoice, now. */
function body(template: string, i: number): string {
  return template
    .replace(/"id": ?"ev_/, `"id":"ev_so${i}_`)
    .replaceAll("16BjsrSIh4AdLqkD", `cus_so_${i}`)
    .replaceAll("taxes@test.com", `buyer${i}@lovelace-analytics.io`)
    .replaceAll("txn_AzqYRySIstMLf6N", `txn_so_${i}`)
    .replaceAll('"22"', `"inv_so_${i}"`);
}

function startProcess(role: "ingest" | "worker", sandbox: SandboxServer) {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@revtrace/source",
      "--import",
      "tsx",
      new URL("./scale-out-process.ts", import.meta.url).pathname,
      role,
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        PG_URL,
        PG_SCHEMA: SCHEMA,
        SANDBOX_VENDORS: JSON.stringify(sandbox.vendors),
      },
    },
  );
  const ready = new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code, signal) => reject(new Error(`${role} exited (${code ?? signal})`)));
  });
  return { child, ready };
}

const children: ChildProcess[] = [];
let sandbox: SandboxServer | undefined;
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await sandbox?.close();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.end();
});

describe.runIf(available)("scale-out on PostgreSQL", () => {
  it("2 ingest and 3 worker processes, a worker SIGKILLed: every delivery exactly once by dedupe key", async () => {
    sandbox = await startSandbox(sandboxServerOptions(CREDENTIALS));
    const box = sandbox;
    // The schema is migrated once, by the first process, before the others start.
    const first = startProcess("ingest", box);
    children.push(first.child);
    const ports = [await first.ready];
    const rest = [startProcess("ingest", box), ...[0, 1, 2].map(() => startProcess("worker", box))];
    children.push(...rest.map((p) => p.child));
    const [secondIngest, ...workers] = rest;
    ports.push(await (secondIngest as (typeof rest)[number]).ready);
    await Promise.all(workers.map((w) => w.ready));

    const now = Math.floor(Date.now() / 1000);
    const template = JSON.stringify(fixtureJson("payment_succeeded.bonusly.1.json")).replace(
      /"(occurred_at|date|paid_at|created_at|started_at|activated_at)":(\d{10})/g,
      (_, name: string, time: string) => `"${name}":${Number(time) - 1_607_708_103 + now - 120}`,
    );
    const distinct = Array.from({ length: DISTINCT }, (_, i) => i);
    const sends = shuffle(
      [...distinct, ...shuffle([...distinct], 7).slice(0, DUPLICATES)],
      20_261_203,
    );
    const authorization = basic("chargebee", WEBHOOK_PASSWORD);
    let posted = 0;
    let next = 0;
    const statuses = new Map<number, number>();
    const post = async () => {
      while (next < sends.length) {
        const n = next++;
        const port = ports[n % ports.length] as number;
        const response = await fetch(`http://127.0.0.1:${port}/webhooks/chargebee`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: body(template, sends[n] as number),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        posted++;
      }
    };
    const posting = Promise.all(Array.from({ length: 8 }, post));

    // SIGKILL one worker once deliveries are flowing.
    const victim = (workers[0] as (typeof workers)[number]).child;
    const deadline = Date.now() + 240_000;
    while (box.recorded.tiktok.length < DISTINCT / 10 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    victim.kill("SIGKILL");
    await posting;
    expect(posted).toBe(DISTINCT + DUPLICATES);
    expect(Object.fromEntries(statuses)).toEqual({ 200: DISTINCT + DUPLICATES });

    const tiktokIds = () => new Set(box.recorded.tiktok.map((r) => r.event.event_id));
    while (tiktokIds().size < DISTINCT && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // A little longer: anything extra (a duplicate beyond the dedupe keys) would show now.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const expectedTikTok = new Set(distinct.map((i) => `inv_so_${i}`));
    expect(tiktokIds()).toEqual(expectedTikTok);
    // Segment: every event's messages, `chargebee:<event>:<meaning>:<call>`, the same meanings each.
    const perEvent = new Map<string, Set<string>>();
    for (const { message } of box.recorded.segment) {
      const id = String(message.messageId);
      const match = /^chargebee:(ev_so\d+)_[^:]*:(.+)$/.exec(id);
      expect(match, id).not.toBeNull();
      const [, event, rest] = match as RegExpExecArray;
      const set = perEvent.get(event as string) ?? new Set<string>();
      perEvent.set(event as string, set);
      set.add(rest as string);
    }
    expect(perEvent.size).toBe(DISTINCT);
    const shapes = new Set([...perEvent.values()].map((s) => [...s].sort().join(",")));
    expect(shapes.size).toBe(1);
    expect([...shapes][0]).toContain("track");
    // What was re-sent (the killed worker's batch in flight) is absorbed by the dedupe keys; report it.
    const resent = {
      tiktok: box.recorded.tiktok.length - expectedTikTok.size,
      segment: box.recorded.segment.length - [...perEvent.values()].reduce((n, s) => n + s.size, 0),
    };
    console.log(
      `scale-out: ${DISTINCT + DUPLICATES} webhooks posted, ${DISTINCT} events; re-sent after the kill: ${JSON.stringify(resent)}`,
    );
  }, 300_000);
});
