/**
 * The account limit in one process, against `@revtrace/sandbox`'s ActiveCampaign emulator: 200
 * concurrent operations never put more than 5 requests into any 1-second window of the emulator's
 * clock. A `*.timing.test.ts` file: `npm test` runs these alone, before the rest of the suite, so the
 * CPU load of other test files cannot bunch the arrival times they measure.
 */
import { createActiveCampaignSandbox } from "@revtrace/sandbox";
import { useMockServer } from "@revtrace/testing/msw";
import { describe, expect, it } from "vitest";
import { createActiveCampaignSink } from "../src/index.js";
import { conversionOf } from "./fixtures.js";

const server = useMockServer();

describe("the account limit in one process", () => {
  it("sinks of one account share the default limiter", { timeout: 30_000 }, async () => {
    const limited = createActiveCampaignSandbox({ origin: "https://shared.api-us1.com" });
    server.use(...limited.handlers());
    const sinks = [1, 2, 3].map(() =>
      createActiveCampaignSink({
        apiUrl: "https://shared.api-us1.com",
        apiToken: "t",
        listId: 1,
        onCustomerDeleted: "unsubscribe",
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (sinks[i % 3] as (typeof sinks)[number]).send([
          conversionOf("customer_deleted.bonusly.1", "customer_deleted", {
            customer: { email: `shared${i}@example.com` },
          }),
        ]),
      ),
    );
    expect(results.flat().every((r) => r.status === "skipped")).toBe(true);
    expect(limited.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(limited.maxRequestsInWindow(1000)).toBeLessThanOrEqual(5);
  });

  it("200 concurrent operations never put more than 5 requests into any second", {
    timeout: 90_000,
  }, async () => {
    const limited = createActiveCampaignSandbox({ origin: "https://limit.api-us1.com" });
    server.use(...limited.handlers());
    {
      // The default limiter: in-process, 5 a second.
      const acSink = createActiveCampaignSink({
        apiUrl: "https://limit.api-us1.com",
        apiToken: "t",
        listId: 1,
        onCustomerDeleted: "unsubscribe",
      });
      // Each operation: one contact lookup (a deletion of someone ActiveCampaign does not know).
      const operations = Array.from({ length: 200 }, (_, i) =>
        acSink.send([
          conversionOf("customer_deleted.bonusly.1", "customer_deleted", {
            customer: { email: `nobody${i}@example.com` },
          }),
        ]),
      );
      const results = (await Promise.all(operations)).flat();
      expect(results.every((r) => r.status === "skipped")).toBe(true);
      expect(limited.requests).toHaveLength(200);
      expect(limited.requests.filter((r) => r.status === 429)).toEqual([]);
      expect(limited.maxRequestsInWindow(1000)).toBeLessThanOrEqual(5);
    }
  });
});
