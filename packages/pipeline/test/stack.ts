/**
 * A whole running stack for end-to-end tests: the pipeline on a SQLite file in a temporary folder,
 * behind a real `node:http` server on an ephemeral port, delivering to the TikTok sandbox server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sink } from "@revtrace/core";
import { type SandboxServer, startSandbox } from "@revtrace/sandbox";
import {
  createActiveCampaignSink,
  createInProcessRateLimiter,
} from "@revtrace/sink-activecampaign";
import { createKifloSink } from "@revtrace/sink-kiflo";
import { createSegmentSink } from "@revtrace/sink-segment";
import { createTikTokSink } from "@revtrace/sink-tiktok";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { createNodeListener } from "../src/adapters/node.ts";
import {
  createPipeline,
  type Pipeline,
  type PipelineOptions,
  type PipelineStorage,
} from "../src/index.ts";
import { basic } from "./fixtures.ts";

export const WEBHOOK_PASSWORD = "e2e-webhook-password";
export const TIKTOK_TOKEN = "e2e-tiktok-token";
export const PIXEL = "CE2EPIXEL0001";
export const SEGMENT_WRITE_KEY = "e2e-segment-write-key";
export const AC_TOKEN = "e2e-activecampaign-token";
export const KIFLO_TOKEN = "e2e-kiflo-token";

export interface Stack {
  pipeline: Pipeline;
  storage: PipelineStorage;
  sandbox: SandboxServer;
  url: string;
  dir: string;
  /** POSTs a Chargebee body with valid Basic auth; resolves with the status. */
  post(body: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts the stack. With `allSinks`, Segment, ActiveCampaign and Kiflo are wired beside TikTok, each
 * against its sandbox emulator (ActiveCampaign's account limit is lifted here: its 5 requests a
 * second are tested in its own package, and would only make this test slow).
 */
export async function startStack(
  overrides: Partial<PipelineOptions> = {},
  {
    allSinks = false,
    site,
  }: {
    allSinks?: boolean;
    /** Serves the site's own pages beside the pipeline; returns `false` for paths it does not serve. */
    site?: (request: IncomingMessage, response: ServerResponse) => boolean;
  } = {},
): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "revtrace-pipeline-e2e-"));
  const sandbox = await startSandbox({
    port: 0,
    tiktok: { credentials: [{ accessToken: TIKTOK_TOKEN, pixelCodes: [PIXEL] }] },
    segment: { writeKeys: { [SEGMENT_WRITE_KEY]: "us" } },
    activecampaign: { tokens: [AC_TOKEN], rateLimit: false },
    kiflo: { tokens: [KIFLO_TOKEN] },
  });
  const storage = createSqliteStorage({
    path: join(dir, "revtrace.db"),
    synchronous: "NORMAL",
  }) as PipelineStorage;
  await storage.migrate();
  const tiktok = createTikTokSink({
    accessToken: TIKTOK_TOKEN,
    pixelCode: PIXEL,
    baseUrl: `${sandbox.vendors.tiktok}/open_api/v1.3/`,
    // The pipeline owns the retries in these tests.
    retry: { retries: 0 },
  });
  const sinks: Sink[] = [tiktok];
  if (allSinks) {
    sinks.push(
      createSegmentSink({
        writeKey: SEGMENT_WRITE_KEY,
        baseUrl: sandbox.vendors.segment,
        retry: { retries: 0 },
      }),
      createActiveCampaignSink({
        apiUrl: sandbox.vendors.activecampaign,
        apiToken: AC_TOKEN,
        listId: 1,
        rateLimiter: createInProcessRateLimiter({ limit: 1_000, intervalMs: 1_000 }),
        deepData: { site: "https://app.lovelace-analytics.io" },
        retry: { retries: 0 },
      }),
      createKifloSink({
        apiToken: KIFLO_TOKEN,
        store: storage,
        baseUrl: `${sandbox.vendors.kiflo}/v3/`,
        convertLeadToCustomer: true,
        associateCustomerOnDeal: true,
        createTransactionFromPayment: true,
        retry: { retries: 0 },
      }),
    );
  }
  const pipeline = createPipeline({
    storage,
    sinks,
    chargebee: { credentials: [{ username: "chargebee", password: WEBHOOK_PASSWORD }] },
    commissions: { rules: [{ percent: 20, duration: "lifetime" }] },
    delivery: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 20 },
    pollMs: 20,
    ...overrides,
  });
  const listener = createNodeListener(pipeline);
  const server = createServer((request, response) => {
    if (!site?.(request, response)) listener(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const authorization = basic("chargebee", WEBHOOK_PASSWORD);
  return {
    pipeline,
    storage,
    sandbox,
    url,
    dir,
    async post(body) {
      const response = await fetch(`${url}/webhooks/chargebee`, {
        method: "POST",
        body,
        headers: { authorization, "content-type": "application/json" },
      });
      await response.arrayBuffer();
      return response.status;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await pipeline.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
