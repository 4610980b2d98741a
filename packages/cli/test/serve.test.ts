/**
 * `revtrace serve`: through `startServe` (webhook with Basic auth, collect, health, metrics, delivery
 * to the sandbox, the conversion log, graceful close), and as the binary: it listens, answers, and
 * exits 0 on SIGTERM after finishing its work.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type SandboxServer, startSandbox } from "@revtrace/sandbox";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { readConversionLog, type ServeHandle, startServe } from "../src/index.ts";
import {
  authorization,
  CONFIG_FILE,
  paymentBody,
  sandboxOptions,
  spawnCli,
  tempDir,
  testConfig,
} from "./helpers.ts";

let sandbox: SandboxServer | undefined;
let handle: ServeHandle | undefined;
afterEach(async () => {
  await handle?.close();
  await sandbox?.close();
  handle = undefined;
  sandbox = undefined;
});

const post = (url: string, body: string, auth = authorization) =>
  fetch(`${url}/webhooks/chargebee`, {
    method: "POST",
    body,
    headers: { authorization: auth, "content-type": "application/json" },
  });

describe("revtrace serve", { timeout: 60_000 }, () => {
  it("serves the webhook, collect, health and metrics, delivers in the background, and closes gracefully", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const dir = tempDir();
    const config = testConfig({
      dir,
      tiktok: sandbox.vendors.tiktok,
      activecampaign: sandbox.vendors.activecampaign,
    });
    handle = await startServe({ config });
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await fetch(`${handle.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${handle.url}/health/ready`)).status).toBe(200);
    const collect = await fetch(`${handle.url}/rt/collect`, {
      method: "POST",
      headers: {
        "content-type": "text/plain",
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0",
      },
      body: JSON.stringify({
        v: 1,
        events: [
          {
            type: "touch",
            at: Date.now(),
            url: "https://app.example.org/?utm_source=tiktok&ttclid=abc",
            clickIds: { ttclid: "abc" },
          },
        ],
      }),
    });
    expect(collect.status).toBe(204);
    expect((await post(handle.url, paymentBody(1), "Basic d3Jvbmc6d3Jvbmc=")).status).toBe(401);
    expect((await post(handle.url, paymentBody(1))).status).toBe(200);
    expect(await (await post(handle.url, paymentBody(1))).json()).toEqual({
      ok: true,
      duplicate: true,
    });

    // The worker and the sink runners run in the background: the order reaches ActiveCampaign's Deep
    // Data and the purchase TikTok.
    const deadline = Date.now() + 20_000;
    const arrived = () =>
      sandbox?.activecampaign.state.ecomOrders.length === 1 && sandbox.recorded.tiktok.length === 1;
    while (!arrived() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.recorded.tiktok.map((r) => r.event.event_id)).toEqual(["inv_cli_test_1"]);
    expect(sandbox.activecampaign.state.ecomOrders).toHaveLength(1);
    const metrics = await (await fetch(`${handle.url}/metrics`)).text();
    expect(metrics).toContain("revtrace_webhooks_received_total");
    expect(metrics).toContain("revtrace_webhooks_duplicate_total 1");

    const { url } = handle;
    await handle.close();
    handle = undefined;
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
    const log = readConversionLog(join(dir, "revtrace-conversions.jsonl"));
    expect(log.map((c) => c.name)).toContain("first_payment");
  });

  it("closes under a burst of webhooks without cutting an answer off or losing an acknowledged event", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const dir = tempDir();
    const config = testConfig({
      dir,
      tiktok: sandbox.vendors.tiktok,
      activecampaign: sandbox.vendors.activecampaign,
    });
    handle = await startServe({ config });
    const { url } = handle;
    const posts = Array.from({ length: 20 }, (_, n) =>
      post(url, paymentBody(100 + n)).then(
        (r) => r.status,
        (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
      ),
    );
    await new Promise((r) => setTimeout(r, 10));
    await handle.close();
    handle = undefined;
    const statuses = await Promise.all(posts);
    // Each request was answered (200, or 503 once closing), or its connection never accepted; an
    // accepted one is never cut off mid-answer.
    for (const status of statuses)
      expect([200, 503, "ECONNREFUSED", "ECONNRESET"]).toContain(status);
    const acknowledged = statuses.flatMap((status, n) => (status === 200 ? [n] : []));
    const storage = createSqliteStorage({ path: join(dir, "revtrace.db") });
    try {
      for (const n of acknowledged) {
        expect(
          await storage.getInboxEvent(`chargebee:ev_cli_test_paid_${100 + n}`),
          String(n),
        ).not.toBeNull();
      }
    } finally {
      await storage.close();
    }
  });

  it("runs as the binary, with secrets from the environment, and exits 0 on SIGTERM", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const dir = tempDir();
    const child = spawnCli(["serve", "--config", CONFIG_FILE], {
      REVTRACE_TEST_DIR: dir,
      REVTRACE_TEST_TIKTOK: sandbox.vendors.tiktok,
      REVTRACE_TEST_ACTIVECAMPAIGN: sandbox.vendors.activecampaign,
    });
    await child.waitFor("revtrace serving on");
    const url = /serving on (http:\/\/[^ ]+)/.exec(child.stderr())?.[1] ?? "";
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect((await post(url, paymentBody(2))).status).toBe(200);
    child.kill("SIGTERM");
    expect(await child.code).toBe(0);
    expect(child.stderr()).toContain("revtrace stopped");
    expect(existsSync(join(dir, "revtrace.db"))).toBe(true);
  });

  it("exits 3 with the variable's name when a secret is missing from the environment", async () => {
    const child = spawnCli(["serve", "--config", CONFIG_FILE], { REVTRACE_TEST_DIR: tempDir() });
    expect(await child.code).toBe(3);
    expect(child.stderr()).toContain("REVTRACE_TEST_TIKTOK");
  });
});
