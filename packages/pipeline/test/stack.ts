/**
 * A whole running stack for end-to-end tests: the pipeline on a SQLite file in a temporary folder,
 * behind a real `node:http` server on an ephemeral port, delivering to the TikTok sandbox server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type SandboxCredentials,
  type SandboxServer,
  sandboxServerOptions,
  startSandbox,
} from "@revtrace/sandbox";
import { createSandboxSinks, SANDBOX_SINK_NAMES } from "@revtrace/sandbox/sinks";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { servePipeline } from "../src/adapters/node.ts";
import {
  createPipeline,
  type Pipeline,
  type PipelineOptions,
  type PipelineStorage,
} from "../src/index.ts";
import { basic } from "./fixtures.ts";

export const WEBHOOK_PASSWORD = "e2e-webhook-password";
export const PIXEL = "CE2EPIXEL0001";
export const CREDENTIALS: SandboxCredentials = {
  tiktok: { accessToken: "e2e-tiktok-token", pixelCode: PIXEL },
  segment: { writeKey: "e2e-segment-write-key" },
  activecampaign: { apiToken: "e2e-activecampaign-token" },
  kiflo: { apiToken: "e2e-kiflo-token" },
};

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
  const sandbox = await startSandbox(sandboxServerOptions(CREDENTIALS));
  const storage = createSqliteStorage({
    path: join(dir, "revtrace.db"),
    synchronous: "NORMAL",
  }) as PipelineStorage;
  await storage.migrate();
  // The sinks do not retry: the pipeline owns the retries in these tests.
  const sinks = createSandboxSinks({
    vendors: sandbox.vendors,
    credentials: CREDENTIALS,
    store: storage,
    include: allSinks ? SANDBOX_SINK_NAMES : ["tiktok"],
  });
  const pipeline = createPipeline({
    storage,
    sinks,
    chargebee: { credentials: [{ username: "chargebee", password: WEBHOOK_PASSWORD }] },
    commissions: { rules: [{ percent: 20, duration: "lifetime" }] },
    delivery: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 20 },
    pollMs: 20,
    ...overrides,
  });
  const served = await servePipeline(pipeline, {
    shutdownTimeoutMs: 0,
    ...(site ? { handle: site } : {}),
  });
  const { url } = served;
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
      await served.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
