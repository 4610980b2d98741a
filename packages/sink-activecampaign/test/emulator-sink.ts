/**
 * The sink against `@revtrace/sandbox`'s ActiveCampaign emulator, unpaced (the account limit has its
 * own tests): the emulator behind msw, reset before each test, and the sink factory.
 */
import type { Conversion, RateLimiter } from "@revtrace/core";
import { createActiveCampaignSandbox } from "@revtrace/sandbox";
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach } from "vitest";
import { type ActiveCampaignSinkOptions, createActiveCampaignSink } from "../src/index.js";
import { conversionOf } from "./fixtures.js";

const ORIGIN = "https://acme.api-us1.com";
const TOKEN = "emulator-token";
const unlimited: RateLimiter = { acquire: async () => {} };

/** Registers the emulator for the calling test file; returns it and a sink factory for it. */
export function useEmulator() {
  const ac = createActiveCampaignSandbox({ origin: ORIGIN, tokens: [TOKEN], rateLimit: false });
  useMockServer(...ac.handlers());
  beforeEach(() => ac.reset());
  const sink = (options: Partial<ActiveCampaignSinkOptions> = {}) =>
    createActiveCampaignSink({
      apiUrl: ORIGIN,
      apiToken: TOKEN,
      listId: "1",
      rateLimiter: unlimited,
      retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 20_000 },
      ...options,
    });
  return { ac, sink };
}

/**
 * A change of Chargebee customer `id` (a real event, synthetic customer) with `email`, updated at
 * `updatedAt`; `n` tells apart several changes of one customer.
 */
export function customerChange(
  id: string,
  email: string,
  updatedAt: number | null,
  n = 0,
  firstName = id,
): Conversion {
  const conversion = conversionOf("subscription_created.bonusly.1", "subscription_changed", {
    customer: { id, email, firstName, resourceVersion: updatedAt },
  });
  return { ...conversion, id: `${conversion.id}:${id}:${n}` };
}
