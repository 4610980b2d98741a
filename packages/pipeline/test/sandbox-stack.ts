/**
 * A whole stack for black-box tests: the public API (createPipeline + the four sinks from the sandbox) against the
 * standalone sandbox, on SQLite (default) or PostgreSQL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sink } from "@revtrace/core";
import {
  type ChargebeeAccount,
  chargebeeEventBody,
  chargebeeSubscriptionWebhooks,
  type SandboxCredentials,
  type SandboxServer,
  sandboxServerOptions,
  startSandbox,
} from "@revtrace/sandbox";
import {
  createSandboxSinks,
  SANDBOX_SINK_NAMES,
  type SandboxSinkName,
  type SandboxSinkTransport,
} from "@revtrace/sandbox/sinks";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import {
  createPipeline,
  type Pipeline,
  type PipelineOptions,
  type PipelineStorage,
} from "../src/index.ts";
import { basic } from "./fixtures.ts";

export const PASSWORD = "stack-webhook-password";
export const CREDS: SandboxCredentials = {
  tiktok: { accessToken: "rb-tiktok-token", pixelCode: "CRBPIXEL00001" },
  segment: { writeKey: "rb-segment-key" },
  activecampaign: { apiToken: "rb-ac-token" },
  kiflo: { apiToken: "rb-kiflo-token" },
};

/**
 * The pipeline of the SIGKILL test, in its child process and in the final in-process run on the same
 * storage: all four sandbox sinks, 20 % lifetime commissions, short leases and many attempts, so that
 * what a kill left behind is picked up quickly.
 */
export function killTestPipelineOptions(
  storage: PipelineStorage,
  vendors: SandboxServer["vendors"],
): PipelineOptions {
  return {
    storage,
    sinks: createSandboxSinks({
      vendors,
      credentials: CREDS,
      store: storage,
      kifloClaimTtlMs: 1_000,
      // a contact lease left by a killed process, likewise (default 2 min)
      activecampaignContactLeaseMs: 1_000,
    }),
    chargebee: { credentials: [{ username: "chargebee", password: PASSWORD }] },
    commissions: { rules: [{ percent: 20, duration: "lifetime" }] },
    delivery: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 1000, leaseMs: 1_000 },
    worker: { leaseMs: 1_000, maxAttempts: 1000 },
    pollMs: 20,
  };
}

export interface RStack {
  pipeline: Pipeline;
  storage: PipelineStorage;
  sandbox: SandboxServer;
  post(body: string): Promise<number>;
  close(): Promise<void>;
}

export async function rstack(
  overrides: Partial<PipelineOptions> = {},
  opts: {
    include?: readonly SandboxSinkName[];
    transport?: (sink: SandboxSinkName) => SandboxSinkTransport;
    storage?: PipelineStorage;
    extraSinks?: Sink[];
    tiktokMaxEventAgeDays?: number;
  } = {},
): Promise<RStack> {
  const dir = mkdtempSync(join(tmpdir(), "rb-"));
  const sandbox = await startSandbox(sandboxServerOptions(CREDS));
  const storage =
    opts.storage ??
    (createSqliteStorage({
      path: join(dir, "db.sqlite"),
      synchronous: "NORMAL",
    }) as PipelineStorage);
  await storage.migrate();
  const sinks = [
    ...createSandboxSinks({
      vendors: sandbox.vendors,
      credentials: CREDS,
      store: storage,
      include: opts.include ?? SANDBOX_SINK_NAMES,
      ...(opts.transport ? { transport: opts.transport } : {}),
      ...(opts.tiktokMaxEventAgeDays ? { tiktokMaxEventAgeDays: opts.tiktokMaxEventAgeDays } : {}),
    }),
    ...(opts.extraSinks ?? []),
  ];
  const pipeline = createPipeline({
    storage,
    sinks,
    chargebee: { credentials: [{ username: "chargebee", password: PASSWORD }] },
    commissions: { rules: [{ percent: 20, duration: "lifetime" }] },
    delivery: { baseDelayMs: 10, maxDelayMs: 100, maxAttempts: 20 },
    pollMs: 20,
    ...overrides,
  });
  const auth = basic("chargebee", PASSWORD);
  return {
    pipeline,
    storage,
    sandbox,
    async post(body) {
      const response = await pipeline.handleWebhook(
        new Request("http://localhost/webhooks/chargebee", {
          method: "POST",
          body,
          headers: { authorization: auth, "content-type": "application/json" },
        }),
      );
      await response.arrayBuffer();
      return response.status;
    },
    async close() {
      await pipeline.close({ graceMs: 500 });
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const DAY = 86_400_000;

/** One customer's webhooks (bodies ready to post) with distinct event ids. */
export function account(n: number, overrides: Partial<ChargebeeAccount> = {}) {
  let version = 0;
  const createdAt = overrides.createdAt ?? Date.now() - 2 * DAY;
  const acct: ChargebeeAccount = {
    customerId: `cust_rb_${n}`,
    subscriptionId: `sub_rb_${n}`,
    email: `buyer${n}@lovelace-analytics.io`,
    firstName: "Ada",
    lastName: `Buyer${n}`,
    plan: { id: "pro-USD-monthly", currency: "USD", price: 4900 },
    billingPeriodUnit: "month",
    createdAt,
    trial: false,
    resourceVersion: (at) => at * 1000 + ++version,
    ...overrides,
  };
  const w = chargebeeSubscriptionWebhooks(acct);
  const body = (
    id: string,
    at: number,
    c: { type: Parameters<typeof chargebeeEventBody>[2]; content: Record<string, unknown> },
  ) => chargebeeEventBody(id, at, c.type, c.content);
  return {
    acct,
    created: () => body(`ev_rb_${n}_created`, createdAt, w.created()),
    activated: () => body(`ev_rb_${n}_activated`, createdAt, w.activated(`inv_rb_${n}_1`)),
    paid: (k = 1, at = createdAt + 60_000) =>
      body(
        `ev_rb_${n}_paid_${k}`,
        at,
        w.paid(at, {
          transactionId: `txn_rb_${n}_${k}`,
          invoiceId: `inv_rb_${n}_${k}`,
          firstInvoice: k === 1,
        }),
      ),
    refunded: (r: number, amount: number, full: boolean, k = 1, at = createdAt + 120_000) =>
      body(
        `ev_rb_${n}_refund_${r}`,
        at,
        w.refunded(at, {
          transactionId: `txn_rb_${n}_refund_${r}`,
          creditNoteId: `cn_rb_${n}_${r}`,
          amount,
          full,
          payment: { transactionId: `txn_rb_${n}_${k}`, invoiceId: `inv_rb_${n}_${k}` },
        }),
      ),
    cancelled: (at = createdAt + 180_000) => body(`ev_rb_${n}_cancelled`, at, w.cancelled(at)),
  };
}
