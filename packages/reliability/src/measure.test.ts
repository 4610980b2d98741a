import { createSeededRandom as createRandom } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { fuzzRequest } from "./fuzz.js";
import { compareKeys, compareOwed, doubleCounted, ledgerOwed, type VendorKeys } from "./measure.js";
import { leaksIn, registerPersonalData } from "./privacy.js";
import { renderTable } from "./row.js";
import { retryAfterChecks } from "./rows-outage.js";
import { simulate } from "./simulator.js";

const keys = (entries: Partial<Record<keyof VendorKeys, Record<string, number>>>): VendorKeys => ({
  tiktok: new Map(Object.entries(entries.tiktok ?? {})),
  segment: new Map(Object.entries(entries.segment ?? {})),
  activecampaign: new Map(Object.entries(entries.activecampaign ?? {})),
  kiflo: new Map(Object.entries(entries.kiflo ?? {})),
});

describe("the measures", () => {
  it("counts lost, unexpected, absorbed re-sends and real duplicates by dedupe key", () => {
    const reference = keys({ tiktok: { a: 1, b: 1, c: 1 }, kiflo: { t1: 1, t2: 1 } });
    const got = keys({ tiktok: { a: 2, b: 1, z: 1 }, kiflo: { t1: 2, t2: 1 } });
    const [tiktok, , , kiflo] = compareKeys(reference, got);
    expect(tiktok).toMatchObject({
      expected: 3,
      delivered: 2,
      lost: 1,
      unexpected: 1,
      absorbed: 1,
    });
    expect(tiktok?.duplicated).toBe(0);
    expect(tiktok?.lostKeys).toEqual(["c"]);
    expect(kiflo).toMatchObject({ lost: 0, duplicated: 1, absorbed: 0 });
  });

  it("compares the ledger with the truth to the minor unit, ignoring the journal, and finds doubles", () => {
    const entries = [
      {
        partnerId: "p",
        kind: "earned",
        amount: { amount: 980, currency: "USD" },
        transactionId: "t1",
        refundTransactionId: null,
      },
      {
        partnerId: "p",
        kind: "reversed",
        amount: { amount: -490, currency: "USD" },
        transactionId: "t1",
        refundTransactionId: "r1",
      },
      {
        partnerId: "~journal",
        kind: "reversed",
        amount: { amount: 0, currency: "USD" },
        transactionId: null,
        refundTransactionId: "r1",
      },
      {
        partnerId: "q",
        kind: "earned",
        amount: { amount: 98, currency: "JPY" },
        transactionId: "t2",
        refundTransactionId: null,
      },
      {
        partnerId: "q",
        kind: "earned",
        amount: { amount: 98, currency: "JPY" },
        transactionId: "t2",
        refundTransactionId: null,
      },
    ];
    const owed = ledgerOwed(entries);
    expect(owed).toEqual({ p: { USD: 490 }, q: { JPY: 196 } });
    expect(compareOwed({ p: { USD: 490 }, q: { JPY: 98 } }, owed)).toEqual({
      lines: 2,
      exact: 1,
      wrong: ["q JPY: ledger 196, truth 98"],
    });
    expect(doubleCounted(entries)).toBe(1);
  });

  it("checks that each Retry-After was waited for", () => {
    const log = [
      { sink: "tiktok", start: 0, end: 10, status: 429, retryAfter: "1" },
      { sink: "tiktok", start: 1_020, end: 1_030, status: 200, retryAfter: null },
      { sink: "segment", start: 0, end: 10, status: 429, retryAfter: "2" },
      { sink: "segment", start: 500, end: 510, status: 200, retryAfter: null },
    ];
    const checks = retryAfterChecks(log);
    expect(checks).toMatchObject({ answered: 2, honoured: 1 });
    expect(checks.early[0]).toMatch(/^segment: 490 ms/);
  });

  it("a request started in the 429's millisecond but before its answer is not its next request", () => {
    const log = [
      // Both started at 5; the 429 came at 5, after the second had started (order 1 < 2).
      {
        sink: "activecampaign",
        start: 5,
        end: 5,
        startOrder: 0,
        endOrder: 2,
        status: 429,
        retryAfter: "1",
      },
      {
        sink: "activecampaign",
        start: 5,
        end: 6,
        startOrder: 1,
        endOrder: 3,
        status: 0,
        retryAfter: null,
      },
      {
        sink: "activecampaign",
        start: 1_010,
        end: 1_011,
        startOrder: 4,
        endOrder: 5,
        status: 200,
        retryAfter: null,
      },
    ];
    expect(retryAfterChecks(log)).toMatchObject({ answered: 1, honoured: 1, early: [] });
    // Started after the answer (order 3 > 2), in the same millisecond: not honoured.
    const late = log.map((e, i) => (i === 1 ? { ...e, startOrder: 3, endOrder: 4 } : e));
    expect(retryAfterChecks(late)).toMatchObject({ answered: 1, honoured: 0 });
  });

  it("finds a simulation's emails and phones in any form, and the run's secrets", () => {
    const sim = simulate({ seed: 4, now: Date.UTC(2026, 11, 3), buyers: 40 });
    registerPersonalData(sim);
    const email = sim.personalData.find((p) => p.includes("@") && p.startsWith("buyer")) ?? "";
    const phone = sim.personalData.find((p) => p.startsWith("+1 415")) ?? "";
    expect(leaksIn(`{"msg":"sent","to":"${email.toUpperCase()}"}`)).toEqual(["email"]);
    expect(leaksIn(`phone ${phone.replace(/\D/g, "")}`)).toEqual(["phone"]);
    expect(leaksIn("Basic Y2hhcmdlYmVlOnJlbGlhYmlsaXR5LXdlYmhvb2stc2VjcmV0LTVjMWU=")).toEqual([
      "secret",
    ]);
    expect(leaksIn('{"item":"chargebee:ev_1:first_payment","reason":"ok"}')).toEqual([]);
  });

  it("fuzzes deterministically, with an expected answer for every request", () => {
    const a = Array.from({ length: 300 }, () => fuzzRequest(createRandom(1), 1_048_576));
    const random = createRandom(2);
    const b = Array.from({ length: 300 }, () => fuzzRequest(random, 1_048_576));
    expect(a.every((r) => r.kind === a[0]?.kind)).toBe(true);
    expect(new Set(b.map((r) => r.kind)).size).toBeGreaterThanOrEqual(6);
    for (const r of b)
      expect(r.expect.every((s) => [400, 401, 405, 413, 415].includes(s))).toBe(true);
  });

  it("renders the table", () => {
    const table = renderTable([
      { row: "x", tried: 10, delivered: 10, lost: 0, duplicated: 0, notes: "n", ok: true },
    ]);
    expect(table.split("\n")).toHaveLength(3);
    expect(table.split("\n")[1]).toBe(
      "| --- | ----: | --------: | ---: | ---------: | --- | ----- |",
    );
    expect(table).toContain("| x   |    10 |        10 |    0 |          0 | yes | n     |");
  });
});
