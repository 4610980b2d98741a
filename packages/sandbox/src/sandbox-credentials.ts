/**
 * One set of credentials for the four emulators, and the {@link startSandbox} options that accept
 * them: the demo, the end-to-end tests and the reliability suite each start a sandbox this way and
 * point the sinks at it with the same credentials (`@revtrace/sandbox/sinks`).
 *
 * @module
 */
import type { SandboxServerOptions } from "./sandbox-server.js";

/** The credentials the emulators accept, one account each. */
export interface SandboxCredentials {
  tiktok: { accessToken: string; pixelCode: string };
  /** A Segment write key (of the `us` region). */
  segment: { writeKey: string };
  activecampaign: { apiToken: string };
  kiflo: { apiToken: string };
}

/** Options of {@link sandboxServerOptions}. */
export interface SandboxCredentialsOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /**
   * Enforce ActiveCampaign's account limit (5 requests a second). It is tested in the sink's own
   * package; demos and end-to-end runs lift it. @default false
   */
  activecampaignRateLimit?: boolean;
}

/** `startSandbox` options whose four emulators accept `credentials` (and only them). */
export function sandboxServerOptions(
  credentials: SandboxCredentials,
  options: SandboxCredentialsOptions = {},
): SandboxServerOptions {
  return {
    port: options.port ?? 0,
    tiktok: {
      credentials: [
        {
          accessToken: credentials.tiktok.accessToken,
          pixelCodes: [credentials.tiktok.pixelCode],
        },
      ],
    },
    segment: { writeKeys: { [credentials.segment.writeKey]: "us" } },
    activecampaign: {
      tokens: [credentials.activecampaign.apiToken],
      ...(options.activecampaignRateLimit ? {} : { rateLimit: false as const }),
    },
    kiflo: { tokens: [credentials.kiflo.apiToken] },
  };
}
