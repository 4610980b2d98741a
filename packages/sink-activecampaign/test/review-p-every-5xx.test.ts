/**
 * Review p: shared/specs/activecampaign.md §1, "Recommended classification: 429/503/5xx/network →
 * retryable". Every 5xx is retried, 501 and 505 included (core's default keeps those permanent).
 */
import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { script, sequence, sink } from "./fake-account.js";

const server = useMockServer();

describe("review-p: ActiveCampaign retries every 5xx", () => {
  it.each([501, 505])("retries HTTP %i and then succeeds", async (status) => {
    script(server, {
      "GET lists/3": [new HttpResponse(null, { status }), { list: { id: "3", name: "Customers" } }],
    });
    await expect(sink().verifyCredentials()).resolves.toBeUndefined();
    expect(sequence(server)).toEqual([["GET lists/3"], ["GET lists/3"]]);
  });

  it("still lets an explicit retry policy turn it off", async () => {
    script(server, {
      "GET lists/3": [
        new HttpResponse(null, { status: 501 }),
        { list: { id: "3", name: "Customers" } },
      ],
    });
    const strict = sink({
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 5_000, every5xx: false },
    });
    await expect(strict.verifyCredentials()).rejects.toMatchObject({
      status: 501,
      retryable: false,
    });
    expect(sequence(server)).toEqual([["GET lists/3"]]);
  });
});
