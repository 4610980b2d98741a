import { describe, expect, it } from "vitest";
import { retryDelay } from "./backoff.js";

const policy = { baseDelayMs: 1000, maxDelayMs: 60_000 };

describe("retryDelay", () => {
  it("doubles per attempt, with half of each delay random", () => {
    expect(retryDelay(policy, 1, () => 0)).toBe(500);
    expect(retryDelay(policy, 1, () => 1)).toBe(1000);
    expect(retryDelay(policy, 2, () => 0)).toBe(1000);
    expect(retryDelay(policy, 3, () => 0.5)).toBe(3000);
  });

  it("is capped at maxDelayMs, even after very many attempts", () => {
    expect(retryDelay(policy, 30, () => 1)).toBe(60_000);
    expect(retryDelay(policy, 10_000, () => 1)).toBe(60_000);
  });

  it("never waits less than the vendor asked (Retry-After)", () => {
    expect(retryDelay(policy, 1, () => 0, 5000)).toBe(5000);
    expect(retryDelay(policy, 1, () => 0, 120_000)).toBe(120_000);
    expect(retryDelay(policy, 3, () => 1, 100)).toBe(4000);
  });

  it("clamps a random source outside [0, 1]", () => {
    expect(retryDelay(policy, 1, () => -3)).toBe(500);
    expect(retryDelay(policy, 1, () => 7)).toBe(1000);
  });
});
