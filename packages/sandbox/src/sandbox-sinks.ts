/**
 * `createSandboxSinks`: the four vendor sinks against a sandbox's emulators (see `./sinks.ts`).
 *
 * @module
 */
import type { MappingStore, Sink } from "@revtrace/core";
import {
  createActiveCampaignSink,
  createInProcessRateLimiter,
} from "@revtrace/sink-activecampaign";
import { createKifloSink } from "@revtrace/sink-kiflo";
import { createSegmentSink } from "@revtrace/sink-segment";
import { createTikTokSink } from "@revtrace/sink-tiktok";
import type { SandboxCredentials } from "./sandbox-credentials.js";
import type { SandboxServer } from "./sandbox-server.js";

/** The sinks, in the order {@link createSandboxSinks} returns them. */
export const SANDBOX_SINK_NAMES = ["tiktok", "segment", "activecampaign", "kiflo"] as const;
export type SandboxSinkName = (typeof SANDBOX_SINK_NAMES)[number];

/** Transport options of one sink (its requests' timeout, an instrumented `fetch`). */
export interface SandboxSinkTransport {
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/** Options of {@link createSandboxSinks}. */
export interface SandboxSinksOptions {
  /** The sandbox's vendor base URLs (`SandboxServer.vendors`). */
  vendors: SandboxServer["vendors"];
  /** The credentials the sandbox was started with (`sandboxServerOptions`). */
  credentials: SandboxCredentials;
  /** The mapping store of the Kiflo and ActiveCampaign sinks: the pipeline's storage. */
  store: MappingStore;
  /** Which sinks, kept in {@link SANDBOX_SINK_NAMES} order. @default all four */
  include?: readonly SandboxSinkName[];
  /** TikTok's `maxEventAgeDays`. @default the sink's (7) */
  tiktokMaxEventAgeDays?: number;
  /** The in-process ActiveCampaign rate limiter's requests a second. @default 1000 */
  activecampaignRequestsPerSecond?: number;
  /** ActiveCampaign's `contactLeaseMs` (a contact lease left by a killed process). @default the sink's */
  activecampaignContactLeaseMs?: number;
  /** Kiflo's `claimTtlMs` (a customer claim left by a killed process). @default the sink's */
  kifloClaimTtlMs?: number;
  /** Transport options per sink. */
  transport?: (sink: SandboxSinkName) => SandboxSinkTransport;
}

/**
 * The sinks against the sandbox. None retries by itself (`retry: { retries: 0 }`): the pipeline's
 * delivery owns the retries. ActiveCampaign writes to list 1 with deep data of the demo's site; Kiflo
 * converts leads, associates customers on deals and records payments as transactions.
 */
export function createSandboxSinks(options: SandboxSinksOptions): Sink[] {
  const { vendors, credentials } = options;
  const transport = (sink: SandboxSinkName) => ({
    retry: { retries: 0 },
    ...options.transport?.(sink),
  });
  const factories: Record<SandboxSinkName, () => Sink> = {
    tiktok: () =>
      createTikTokSink({
        accessToken: credentials.tiktok.accessToken,
        pixelCode: credentials.tiktok.pixelCode,
        baseUrl: `${vendors.tiktok}/open_api/v1.3/`,
        ...(options.tiktokMaxEventAgeDays === undefined
          ? {}
          : { maxEventAgeDays: options.tiktokMaxEventAgeDays }),
        ...transport("tiktok"),
      }),
    segment: () =>
      createSegmentSink({
        writeKey: credentials.segment.writeKey,
        baseUrl: vendors.segment,
        ...transport("segment"),
      }),
    activecampaign: () =>
      createActiveCampaignSink({
        apiUrl: vendors.activecampaign,
        apiToken: credentials.activecampaign.apiToken,
        listId: 1,
        rateLimiter: createInProcessRateLimiter({
          limit: options.activecampaignRequestsPerSecond ?? 1_000,
          intervalMs: 1_000,
        }),
        deepData: { site: "https://app.lovelace-analytics.io" },
        // Spec §2: of customers sharing an email, the one updated last owns the contact.
        store: options.store,
        ...(options.activecampaignContactLeaseMs === undefined
          ? {}
          : { contactLeaseMs: options.activecampaignContactLeaseMs }),
        ...transport("activecampaign"),
      }),
    kiflo: () =>
      createKifloSink({
        apiToken: credentials.kiflo.apiToken,
        store: options.store,
        baseUrl: `${vendors.kiflo}/v3/`,
        convertLeadToCustomer: true,
        associateCustomerOnDeal: true,
        createTransactionFromPayment: true,
        ...(options.kifloClaimTtlMs === undefined ? {} : { claimTtlMs: options.kifloClaimTtlMs }),
        ...transport("kiflo"),
      }),
  };
  const include = new Set(options.include ?? SANDBOX_SINK_NAMES);
  return SANDBOX_SINK_NAMES.filter((name) => include.has(name)).map((name) => factories[name]());
}
