/**
 * Review p: shared/specs/kiflo.md §1 (rate limit row), "retry 429/5xx with backoff [assume]". Every
 * 5xx is retried, 501 and 505 included (core's default keeps those permanent).
 */
import { useMockServer } from "@revtrace/testing/msw";
import { describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

const server = useMockServer();

describe("review-p: Kiflo retries every 5xx", () => {
  it.each([501, 505])("retries HTTP %i and then succeeds", async (status) => {
    const { kiflo, sink } = setup(server, { convertLeadToCustomer: true });
    kiflo.failNext({ type: "http", status });
    await expect(sink().verifyCredentials()).resolves.toBeUndefined();
    expect(server.calls).toHaveLength(2);
    expect(server.calls[0]?.url).toBe(server.calls[1]?.url);
  });
});
