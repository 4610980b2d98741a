/**
 * Shared pieces of the CLI tests: a config against the destination sandbox (TikTok and
 * ActiveCampaign) on a SQLite file in a temporary folder, a fake Chargebee API (`fetch`), Chargebee
 * bodies, and a spawn of the `revtrace` binary from its TypeScript source (tsx and the workspace's
 * source condition, as the other packages' process tests do).
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createActiveCampaignSink,
  createInProcessRateLimiter,
} from "@revtrace/sink-activecampaign";
import { createTikTokSink } from "@revtrace/sink-tiktok";
import { defineConfig, type RevtraceConfig } from "../src/index.ts";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
export const CONFIG_FILE = fileURLToPath(new URL("./fixtures/revtrace.config.ts", import.meta.url));
export const OUTPUT = fileURLToPath(new URL("../test-output/", import.meta.url));

export const TIKTOK_TOKEN = "cli-test-tiktok-token";
export const PIXEL = "CCLITESTPIXEL1";
export const AC_TOKEN = "cli-test-ac-token";
export const WEBHOOK_PASSWORD = "cli-test-webhook-password";

export const tempDir = () => mkdtempSync(join(tmpdir(), "revtrace-cli-test-"));

/** The sandbox options matching {@link testConfig}'s sinks. */
export const sandboxOptions = {
  port: 0,
  tiktok: { credentials: [{ accessToken: TIKTOK_TOKEN, pixelCodes: [PIXEL] }] },
  activecampaign: { tokens: [AC_TOKEN], rateLimit: false as const },
};

/** Three Chargebee customers, newest first, as the List Customers API answers. */
export const fakeChargebeeFetch: typeof fetch = async (input) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.pathname.endsWith("/customers")) {
    const customer = (n: number, email: string | undefined) => ({
      customer: {
        id: `cus_backfill_${n}`,
        ...(email ? { email } : {}),
        first_name: `Customer${n}`,
        created_at: 1_764_000_000 - n * 3600,
        resource_version: 1_764_000_000_000 - n,
        object: "customer",
        deleted: false,
      },
    });
    return Response.json({
      list: [
        customer(1, "ines@quantum-ledger.io"),
        customer(2, "omar@harbor-analytics.io"),
        customer(3, undefined),
      ],
    });
  }
  if (url.pathname.endsWith("/subscriptions")) {
    const customerId = url.searchParams.get("customer_id[is]") ?? "";
    return Response.json({
      list: [
        {
          subscription: {
            id: `sub_${customerId}`,
            customer_id: customerId,
            status: "active",
            currency_code: "USD",
            billing_period: 1,
            billing_period_unit: "month",
            created_at: 1_764_000_000,
            started_at: 1_764_000_000,
            activated_at: 1_764_000_000,
            resource_version: 1_764_000_000_000,
            subscription_items: [
              {
                item_price_id: "pro-USD-monthly",
                item_type: "plan",
                quantity: 1,
                unit_price: 4900,
                amount: 4900,
              },
            ],
            object: "subscription",
          },
        },
      ],
    });
  }
  return Response.json({ list: [] });
};

export interface TestEnv {
  dir: string;
  tiktok: string;
  activecampaign: string;
  acToken?: string;
}

/** A config against the sandbox: TikTok and ActiveCampaign sinks, SQLite and conversion log in `dir`. */
export function testConfig(env: TestEnv): RevtraceConfig {
  return defineConfig({
    pipeline: {
      sqlite: { path: join(env.dir, "revtrace.db"), synchronous: "NORMAL" },
      chargebee: {
        credentials: [{ username: "chargebee", password: WEBHOOK_PASSWORD }],
        api: { site: "revtrace-test", apiKey: "test_key", fetch: fakeChargebeeFetch },
      },
      sinks: [
        createTikTokSink({
          accessToken: TIKTOK_TOKEN,
          pixelCode: PIXEL,
          baseUrl: `${env.tiktok}/open_api/v1.3/`,
          retry: { retries: 0 },
        }),
        createActiveCampaignSink({
          apiUrl: env.activecampaign,
          apiToken: env.acToken ?? AC_TOKEN,
          listId: 1,
          rateLimiter: createInProcessRateLimiter({ limit: 1_000, intervalMs: 1_000 }),
          deepData: { site: "https://app.quantum-ledger.io" },
          retry: { retries: 0 },
        }),
      ],
      commissions: { rules: [{ percent: 20, duration: "lifetime" }] },
      delivery: { baseDelayMs: 20, maxDelayMs: 200 },
      pollMs: 20,
    },
    conversionLog: join(env.dir, "revtrace-conversions.jsonl"),
    server: { host: "127.0.0.1", port: 0 },
    shutdownTimeoutMs: 2_000,
  });
}

/** Basic auth of the test webhook. */
export const authorization = `Basic ${Buffer.from(`chargebee:${WEBHOOK_PASSWORD}`).toString("base64")}`;

export interface Spawned {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when stderr or stdout contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** Spawns `revtrace <args>` on this Node (24), from source, with `env` added. */
export function spawnCli(args: string[], env: Record<string, string> = {}): Spawned {
  const child = spawn(
    process.execPath,
    ["--conditions=@revtrace/source", "--import", "tsx", BIN, ...args],
    { cwd: ROOT, env: { ...process.env, CI: "true", ...env } },
  );
  let out = "";
  let err = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (out.includes(w.text) || err.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    check();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
    check();
  });
  const code = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return {
    code,
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
    waitFor(text, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for "${text}": ${err}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        check();
        void code.then(() => {
          clearTimeout(timer);
          if (waiters.some((w) => w.text === text))
            reject(new Error(`exited before "${text}": ${err}`));
        });
      });
    },
  };
}

/** A `payment_succeeded` body (synthetic, items model), `n` makes its ids unique. */
export function paymentBody(n: number, at = Date.now()): string {
  const seconds = Math.floor(at / 1000);
  return JSON.stringify({
    id: `ev_cli_test_paid_${n}`,
    occurred_at: seconds,
    source: "hosted_page",
    object: "event",
    api_version: "v2",
    event_type: "payment_succeeded",
    content: {
      transaction: {
        id: `txn_cli_test_${n}`,
        customer_id: `cus_cli_test_${n}`,
        subscription_id: `sub_cli_test_${n}`,
        type: "payment",
        date: seconds,
        amount: 4900,
        status: "success",
        currency_code: "USD",
        object: "transaction",
        linked_invoices: [{ invoice_id: `inv_cli_test_${n}`, applied_amount: 4900 }],
      },
      invoice: {
        id: `inv_cli_test_${n}`,
        customer_id: `cus_cli_test_${n}`,
        subscription_id: `sub_cli_test_${n}`,
        recurring: true,
        status: "paid",
        date: seconds,
        total: 4900,
        amount_paid: 4900,
        paid_at: seconds,
        first_invoice: true,
        currency_code: "USD",
        object: "invoice",
      },
      customer: {
        id: `cus_cli_test_${n}`,
        email: `buyer-${n}@quantum-ledger.io`,
        created_at: seconds - 60,
        resource_version: at,
        object: "customer",
      },
      subscription: {
        id: `sub_cli_test_${n}`,
        customer_id: `cus_cli_test_${n}`,
        status: "active",
        currency_code: "USD",
        created_at: seconds - 60,
        started_at: seconds - 60,
        activated_at: seconds - 60,
        resource_version: at,
        object: "subscription",
        meta_data: { affiliate_ref: "partner-7" },
      },
    },
  });
}

/** A destination that accepts connections and never answers (each send waits for its timeout). */
export async function startSilentServer(): Promise<{ url: string; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
