/**
 * Review o: the contact owner's store failing (storage down) and emails that differ only by case or
 * whitespace, late events with stale customer state, two sinks racing deletions and changes. Against the sandbox's emulator, like contact-owner.test.ts.
 */
import type { Conversion, Storage } from "@revtrace/core";
import { hashIdentityValue } from "@revtrace/identity";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONTACT_OWNER_NAMESPACE } from "../src/activecampaign-contact-owner.js";
import { DEFAULT_FIELDS } from "../src/index.js";
import { customerChange, useEmulator } from "./emulator-sink.js";
import { conversionOf } from "./fixtures.js";

const { ac, sink } = useEmulator();
const T = 1_750_000_000_000;
const CUSTOMER_ID = DEFAULT_FIELDS.customerId.perstag;

const change = (id: string, email: string, updatedAt: number, n = 0) =>
  customerChange(id, email, updatedAt, n);

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

const engines: [string, () => Storage][] = [
  ["memory", () => createMemoryStorage()],
  ["sqlite", () => createSqliteStorage({ path: ":memory:" })],
];

describe.each(engines)("two sinks on one %s store, deletions racing changes", (_engine, open) => {
  it("every item settles and no lease is left behind", async () => {
    const EMAIL = "shared@acme.io";
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.shuffledSubarray(["a", "b", "db", "b2"], { minLength: 4, maxLength: 4 }),
        async (s, order) => {
          ac.reset();
          const store = open();
          await store.migrate();
          const sinks = [
            sink({ store, onCustomerDeleted: "delete" }),
            sink({ store, onCustomerDeleted: "delete" }),
          ];
          const items: Record<string, Conversion> = {
            a: change("cus_a", EMAIL, T),
            b: change("cus_b", " Shared@Acme.io", T + 1),
            b2: change("cus_b", EMAIL, T + 1, 2),
            db: deletion("cus_b", "SHARED@acme.io", T + 2),
          };
          const deliver = async (name: string, i: number) => {
            for (let attempt = 0; attempt < 60; attempt++) {
              await s.schedule(Promise.resolve(), `${name} attempt ${attempt}`);
              const [result] = await (sinks[i % 2] as ReturnType<typeof sink>).send([
                items[name] as Conversion,
              ]);
              if (result?.status !== "rejected") return result;
              expect(result.error.retryable).toBe(true);
              await new Promise((resolve) => setTimeout(resolve, 3));
            }
            throw new Error(`${name} stayed busy`);
          };
          await s.waitFor(Promise.all(order.map(deliver)));
          const raw = await store.getMapping(CONTACT_OWNER_NAMESPACE, hashIdentityValue(EMAIL));
          expect(raw === null ? null : JSON.parse(raw).lease, `${order}`).toBeNull();
          await store.close();
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe("initialSync / fullSync with shared emails", () => {
  it("ends on the customer updated last, in either listing order, and agrees with the webhooks", async () => {
    for (const reversed of [false, true]) {
      ac.reset();
      const store = createMemoryStorage();
      await store.migrate();
      const acSink = sink({ store, syncConcurrency: 4 });
      const base = change("cus_a", "x@acme.io", T).billingEvent;
      const record = (id: string, email: string, at: number) => ({
        customer: {
          ...(base?.customer as never as object),
          id,
          email,
          firstName: id,
          resourceVersion: at,
        },
        subscriptions: [
          { ...(base?.subscription as never as object), id: `sub_${id}`, customerId: id },
        ],
      });
      const list = [
        record("cus_a", " Shared@acme.io", T),
        record("cus_c", "shared@ACME.io", T + 5),
        record("cus_b", "shared@acme.io", T + 2),
      ];
      if (reversed) list.reverse();
      const source = {
        async *backfillCustomers() {
          yield* list as never[];
        },
      };
      const result = await acSink.fullSync({ source: source as never, countFirst: false });
      expect(result.errors, JSON.stringify(result)).toEqual([]);
      expect(result, JSON.stringify(result)).toMatchObject({ processed: 3 });
      expect(ac.contactByEmail("shared@acme.io")?.fieldValuesByPerstag[CUSTOMER_ID]).toBe("cus_c");
      // a webhook of a customer updated before the owner is skipped after the sync too
      expect((await acSink.send([change("cus_b", "shared@acme.io", T + 3)]))[0]?.status).toBe(
        "skipped",
      );
    }
  });
});

describe("a busy contact", () => {
  it("does not hold the whole sink: its rejection carries no retryAfterMs (the outbox holds every item of a sink until a per-item retryAfterMs, pipeline sink-delivery.ts)", async () => {
    const store = createMemoryStorage();
    await store.migrate();
    const { createContactOwners } = await import("../src/activecampaign-contact-owner.js");
    // held by another process (that may have died: held up to contactLeaseMs)
    await createContactOwners(store, Date.now, 300_000).claimChange("shared@acme.io", {
      customerId: "cus_z",
      updatedAt: 0,
    });
    const [busy, other] = await sink({ store }).send([
      change("cus_a", "shared@acme.io", T),
      change("cus_c", "other@acme.io", T),
    ]);
    expect(other?.status).toBe("delivered");
    expect(busy?.status).toBe("rejected");
    if (busy?.status === "rejected") {
      expect(busy.error.retryable).toBe(true);
      expect(busy.error.retryAfterMs).toBeUndefined();
    }
  });
});
