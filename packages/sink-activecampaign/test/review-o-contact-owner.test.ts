/**
 * Review o: the contact owner's store failing (storage down) and emails that differ only by case or
 * whitespace. Against the sandbox's emulator, like contact-owner.test.ts.
 */
import type { Conversion, RateLimiter, Storage } from "@revtrace/core";
import { createActiveCampaignSandbox } from "@revtrace/sandbox";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, describe, expect, it } from "vitest";
import {
  type ActiveCampaignSinkOptions,
  createActiveCampaignSink,
  DEFAULT_FIELDS,
} from "../src/index.js";
import { conversionOf } from "./fixtures.js";

const ORIGIN = "https://acme.api-us1.com";
const ac = createActiveCampaignSandbox({ origin: ORIGIN, tokens: ["t"], rateLimit: false });
useMockServer(...ac.handlers());
beforeEach(() => ac.reset());
const unlimited: RateLimiter = { acquire: async () => {} };
const T = 1_750_000_000_000;
const CUSTOMER_ID = DEFAULT_FIELDS.customerId.perstag;

function sink(options: Partial<ActiveCampaignSinkOptions> = {}) {
  return createActiveCampaignSink({
    apiUrl: ORIGIN,
    apiToken: "t",
    listId: "1",
    rateLimiter: unlimited,
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 20_000 },
    ...options,
  });
}

function change(id: string, email: string, updatedAt: number, n = 0): Conversion {
  const conversion = conversionOf("subscription_created.bonusly.1", "subscription_changed", {
    customer: { id, email, firstName: id, resourceVersion: updatedAt },
  });
  return { ...conversion, id: `${conversion.id}:${id}:${n}` };
}

function deletion(id: string, email: string, updatedAt: number): Conversion {
  const conversion = conversionOf("customer_deleted.bonusly.1", "customer_deleted", {
    customer: { id, email, resourceVersion: updatedAt },
  });
  return { ...conversion, id: `${conversion.id}:${id}` };
}

/** A store whose methods named in `failing` throw (an engine that is down). */
function failing(store: Storage, failing: Set<string>): Storage {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop === "string" && failing.has(prop))
        return async () => {
          throw new Error("connection refused");
        };
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("the contact owner's store fails", () => {
  for (const [what, methods] of [
    ["read", ["getMapping"]],
    ["claim", ["putMappingIfAbsent", "replaceMapping"]],
  ] as const) {
    it(`a ${what} that throws is a retryable rejection of the item (change and deletion)`, async () => {
      const store = createMemoryStorage();
      await store.migrate();
      const acSink = sink({ store: failing(store, new Set(methods)), onCustomerDeleted: "delete" });
      const results = await acSink
        .send([change("cus_a", "a@acme.io", T), deletion("cus_b", "b@acme.io", T)])
        .catch((error: { retryable?: boolean }) => {
          // a failure of the whole send is fine when retryable (the outbox sends it again)
          expect(error.retryable).toBe(true);
          return [];
        });
      for (const r of results) {
        expect(r.status, JSON.stringify(r)).toBe("rejected");
        if (r.status === "rejected") expect(r.error.retryable).toBe(true);
      }
    });
  }

  it("a release that throws after the write does not dead-letter the item", async () => {
    const store = createMemoryStorage();
    await store.migrate();
    let failRelease = true;
    const flaky = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === "replaceMapping")
          return async (...args: [string, string, string, string]) => {
            if (failRelease && JSON.parse(args[3]).lease === null) throw new Error("timeout");
            return target.replaceMapping(...args);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as Storage;
    const acSink = sink({ store: flaky });
    const [result] = await acSink
      .send([change("cus_a", "a@acme.io", T)])
      .catch((error: { retryable?: boolean }) => {
        expect(error.retryable).toBe(true);
        return [{ status: "retried" }] as never[];
      });
    // the contact was written; the item is either delivered or retryable, never refused for good
    expect(ac.contactByEmail("a@acme.io")).toBeDefined();
    if (result?.status === "rejected") expect(result.error.retryable).toBe(true);
    else expect(["delivered", "retried"]).toContain(result?.status);
    failRelease = false;
  });
});

describe("emails differing by case or whitespace", () => {
  it("map to one owner, in either order", async () => {
    for (const [first, second] of [
      [change("cus_a", "  Shared@ACME.io ", T), change("cus_b", "shared@acme.io", T + 1)],
      [change("cus_b", "shared@acme.io", T + 1), change("cus_a", "  Shared@ACME.io ", T)],
    ] as const) {
      ac.reset();
      const store = createMemoryStorage();
      await store.migrate();
      const acSink = sink({ store, onCustomerDeleted: "delete" });
      await acSink.send([first]);
      await acSink.send([second]);
      expect(ac.contactByEmail("shared@acme.io")?.fieldValuesByPerstag[CUSTOMER_ID]).toBe("cus_b");
      const [del] = await acSink.send([deletion("cus_a", "SHARED@acme.io", T + 2)]);
      expect(del?.status).toBe("skipped");
      expect(ac.contactByEmail("shared@acme.io")).toBeDefined();
    }
  });
});

describe("a late event whose customer state is stale (staleState)", () => {
  it("of a customer that does not own the contact is skipped, its subscription's tags included", async () => {
    const store = createMemoryStorage();
    await store.migrate();
    const acSink = sink({ store });
    expect((await acSink.send([change("cus_b", "shared@acme.io", T + 1_000)]))[0]?.status).toBe(
      "delivered",
    );
    const late: Conversion = {
      ...change("cus_a", "shared@acme.io", T, 1),
      staleState: ["customer"],
    };
    const [result] = await acSink.send([late]);
    expect(result).toMatchObject({ status: "skipped", reason: expect.stringContaining("cus_b") });
    expect(ac.contactByEmail("shared@acme.io")?.fieldValuesByPerstag[CUSTOMER_ID]).toBe("cus_b");
  });

  it("of the owner is still delivered", async () => {
    const store = createMemoryStorage();
    await store.migrate();
    const acSink = sink({ store });
    await acSink.send([change("cus_b", "shared@acme.io", T + 1_000)]);
    const late: Conversion = {
      ...change("cus_b", "shared@acme.io", T, 1),
      staleState: ["customer"],
    };
    expect((await acSink.send([late]))[0]?.status).toBe("delivered");
  });
});
