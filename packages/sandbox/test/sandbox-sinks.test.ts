/**
 * `sandboxServerOptions` and `createSandboxSinks` agree: the sinks they build authenticate against
 * the sandbox they start (each sink's `verifyCredentials`, over real HTTP), and not against one with
 * other credentials.
 */
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import {
  type SandboxCredentials,
  type SandboxServer,
  sandboxServerOptions,
  startSandbox,
} from "../src/index.js";
import { createSandboxSinks, SANDBOX_SINK_NAMES } from "../src/sinks.js";

const CREDENTIALS: SandboxCredentials = {
  tiktok: { accessToken: "sinks-test-tiktok-token", pixelCode: "CSINKSTEST0001" },
  segment: { writeKey: "sinks-test-segment-key" },
  activecampaign: { apiToken: "sinks-test-ac-token" },
  kiflo: { apiToken: "sinks-test-kiflo-token" },
};
const OTHER: SandboxCredentials = {
  tiktok: { accessToken: "other-tiktok-token", pixelCode: "COTHERPIXEL001" },
  segment: { writeKey: "other-segment-key" },
  activecampaign: { apiToken: "other-ac-token" },
  kiflo: { apiToken: "other-kiflo-token" },
};

let sandbox: SandboxServer | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

type Verifiable = { name: string; verifyCredentials(): Promise<void> };

/** The sinks with {@link CREDENTIALS}, against a sandbox started with `accepted`. */
async function sinksAgainst(accepted: SandboxCredentials): Promise<Verifiable[]> {
  sandbox = await startSandbox(sandboxServerOptions(accepted));
  return createSandboxSinks({
    vendors: sandbox.vendors,
    credentials: CREDENTIALS,
    store: createMemoryStorage(),
  }) as unknown as Verifiable[];
}

describe("createSandboxSinks", () => {
  it("builds the four sinks, in order, that the sandbox started with the same credentials accepts", async () => {
    const sinks = await sinksAgainst(CREDENTIALS);
    expect(sinks.map((sink) => sink.name)).toEqual([...SANDBOX_SINK_NAMES]);
    for (const sink of sinks)
      await expect(sink.verifyCredentials(), sink.name).resolves.toBeUndefined();
  });

  it("is refused by a sandbox with other credentials (where the vendor can tell)", async () => {
    const sinks = await sinksAgainst(OTHER);
    const refused: string[] = [];
    for (const sink of sinks) await sink.verifyCredentials().catch(() => refused.push(sink.name));
    // Segment, like the real API, answers 200 whatever the write key: its check cannot tell.
    expect(refused).toEqual(["tiktok", "activecampaign", "kiflo"]);
  });

  it("keeps the canonical order whatever the order of `include`", () => {
    const sinks = createSandboxSinks({
      vendors: {
        tiktok: "http://127.0.0.1:1/tiktok",
        segment: "http://127.0.0.1:1/segment",
        activecampaign: "http://127.0.0.1:1/activecampaign",
        kiflo: "http://127.0.0.1:1/kiflo",
      },
      credentials: CREDENTIALS,
      store: createMemoryStorage(),
      include: ["segment", "tiktok"],
    });
    expect(sinks.map((sink) => sink.name)).toEqual(["tiktok", "segment"]);
  });
});
