import { describe, expect, it } from "vitest";
import { toFetchResponse, waitFor } from "./msw-handlers.js";

describe("waitFor", () => {
  it("ends as soon as the signal aborts (a 60 s wait would outlast the test's timeout)", async () => {
    const controller = new AbortController();
    const waiting = waitFor(60_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
    await expect(waitFor(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });

  it("ends after the delay without a signal", async () => {
    await expect(waitFor(0)).resolves.toBeUndefined();
  });
});

describe("toFetchResponse", () => {
  it("answers with the outcome's status, headers and body", async () => {
    const response = await toFetchResponse({
      kind: "respond",
      response: { status: 503, headers: { "retry-after": "0" }, body: "down" },
    });
    expect([response.status, response.headers.get("retry-after"), await response.text()]).toEqual([
      503,
      "0",
      "down",
    ]);
    expect((await toFetchResponse({ kind: "network_error" })).type).toBe("error");
  });
});
