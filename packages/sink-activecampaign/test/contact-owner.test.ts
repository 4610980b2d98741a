/**
 * One ActiveCampaign contact per email (spec §2): "several Chargebee customers sharing an email
 * collapse into one AC contact — the sink must pick a deterministic winner (e.g. most recently updated
 * Chargebee customer) or report a conflict". Before `store`, the last write won: the contact ended on
 * whichever customer's event arrived last. Against the sandbox's emulator, with real stores.
 */
import { type Conversion, SinkError, type Storage, StorageError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claimantOf, createContactOwners, outranks } from "../src/activecampaign-contact-owner.js";
import { DEFAULT_FIELDS } from "../src/index.js";
import { customerChange, useEmulator } from "./emulator-sink.js";
import { conversionOf } from "./fixtures.js";

const { ac, sink } = useEmulator();

const EMAIL = "shared@acme.io";
const T = 1_750_000_000_000;
const CUSTOMER_ID = DEFAULT_FIELDS.customerId.perstag;
const FIRST_NAME: Record<string, string> = { cus_a: "Ann", cus_b: "Bea", cus_c: "Cid" };

/** A change of customer `id` (sharing EMAIL), updated at `updatedAt`. */
const change = (id: string, updatedAt: number | null, n = 0) =>
  customerChange(id, EMAIL, updatedAt, n, FIRST_NAME[id]);

function deletion(id: string, updatedAt: number): Conversion {
  const conversion = conversionOf("customer_deleted.bonusly.1", "customer_deleted", {
    customer: { id, email: EMAIL, resourceVersion: updatedAt },
  });
  return { ...conversion, id: `${conversion.id}:${id}` };
}

const owner = () => ac.contactByEmail(EMAIL)?.fieldValuesByPerstag[CUSTOMER_ID];

const engines: [string, () => Storage][] = [
  ["memory", () => createMemoryStorage()],
  ["sqlite", () => createSqliteStorage({ path: ":memory:" })],
];

describe.each(engines)("contact owner on %s", (_engine, open) => {
  it("ends on the customer updated last, in either arrival order, and names it in the skip", async () => {
    for (const order of [
      ["cus_a", "cus_b"],
      ["cus_b", "cus_a"],
    ]) {
      ac.reset();
      const store = open();
      await store.migrate();
      const acSink = sink({ store });
      const at = { cus_a: T, cus_b: T + 1_000 } as Record<string, number>;
      const results = [];
      for (const id of order) results.push(...(await acSink.send([change(id, at[id] ?? null)])));
      expect(owner(), `${order}`).toBe("cus_b");
      expect(ac.contactByEmail(EMAIL)?.firstName).toBe("Bea");
      const skipped = results.filter((r) => r.status === "skipped");
      expect(skipped.length, `${order}`).toBe(order[0] === "cus_b" ? 1 : 0);
      for (const r of skipped)
        expect(r).toMatchObject({ reason: expect.stringContaining("Chargebee customer cus_b") });
      await store.close();
    }
  });

  it("an owner's own older event is still delivered; a newer one of another customer takes over", async () => {
    const store = open();
    await store.migrate();
    const acSink = sink({ store });
    await acSink.send([change("cus_a", T + 5_000)]);
    expect((await acSink.send([change("cus_a", T, 1)]))[0]?.status).toBe("delivered");
    // cus_b updated after cus_a's older event but before its newest: cus_a keeps the contact
    expect((await acSink.send([change("cus_b", T + 1_000)]))[0]?.status).toBe("skipped");
    expect(owner()).toBe("cus_a");
    expect((await acSink.send([change("cus_b", T + 9_000, 1)]))[0]?.status).toBe("delivered");
    expect(owner()).toBe("cus_b");
    await store.close();
  });

  it("does not delete a contact another customer owns; the owner's deletion frees it", async () => {
    const store = open();
    await store.migrate();
    const acSink = sink({ store, onCustomerDeleted: "delete" });
    await acSink.send([change("cus_a", T), change("cus_b", T + 1_000)]);
    const [kept] = await acSink.send([deletion("cus_a", T + 2_000)]);
    expect(kept).toMatchObject({ status: "skipped", reason: expect.stringContaining("cus_b") });
    expect(ac.contactByEmail(EMAIL)).toBeDefined();
    expect((await acSink.send([deletion("cus_b", T + 3_000)]))[0]?.status).toBe("delivered");
    expect(ac.contactByEmail(EMAIL)).toBeUndefined();
    // released: the remaining customer sharing the email may make the contact again
    expect((await acSink.send([change("cus_a", T + 4_000, 1)]))[0]?.status).toBe("delivered");
    expect(owner()).toBe("cus_a");
    await store.close();
  });

  it("two sinks sharing one store, any interleaving: the contact ends on the latest customer", async () => {
    let busyTotal = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.shuffledSubarray(["cus_a", "cus_b", "cus_c"], { minLength: 3, maxLength: 3 }),
        async (s, order) => {
          ac.reset();
          const store = open();
          await store.migrate();
          const sinks = [sink({ store }), sink({ store })];
          const at: Record<string, number> = { cus_a: T, cus_b: T + 1, cus_c: T - 1 };
          let busy = 0;
          /** Delivers like the outbox: a retryable rejection (the contact is busy) is sent again. */
          const deliver = async (id: string, i: number) => {
            for (let attempt = 0; attempt < 50; attempt++) {
              await s.schedule(Promise.resolve(), `${id} attempt ${attempt}`);
              const [result] = await (sinks[i % 2] as ReturnType<typeof sink>).send([
                change(id, at[id] as number),
              ]);
              if (result?.status !== "rejected") return result;
              expect(result.error.retryable).toBe(true);
              busy++;
              // the outbox waits before a retry (its backoff): the holder's write goes on meanwhile
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            throw new Error(`${id} stayed busy`);
          };
          const results = await s.waitFor(Promise.all(order.map(deliver)));
          // whichever arrives last, the customer updated last (cus_b) owns the contact
          expect(owner(), `${order}`).toBe("cus_b");
          expect(ac.contactByEmail(EMAIL)?.firstName).toBe("Bea");
          expect(results.filter((r) => r?.status === "delivered").length).toBeGreaterThanOrEqual(1);
          busyTotal += busy;
          await store.close();
        },
      ),
      { numRuns: 20 },
    );
    // the interleavings did make writes meet on one contact
    expect(busyTotal).toBeGreaterThan(0);
    // 20 runs take about 2 s on a quiet 2-core machine; the default 5 s timed out under load
  }, 30_000);
});

describe("the write lease", () => {
  const LEASE_MS = 300_000;
  it("answers busy while another write holds the contact, and takes over a dead holder's lease", async () => {
    let clock = T;
    const store = createMemoryStorage();
    const owners = createContactOwners(store, () => clock, LEASE_MS);
    const a = { customerId: "cus_a", updatedAt: T };
    const b = { customerId: "cus_b", updatedAt: T + 1 };
    const held = await owners.claimChange(EMAIL, a);
    expect(held.kind).toBe("write");
    // never released: its process died
    expect((await owners.claimChange(EMAIL, b)).kind).toBe("busy");
    expect((await owners.claimDeletion(EMAIL, "cus_a")).kind).toBe("busy");
    clock += LEASE_MS + 1;
    const taken = await owners.claimChange(EMAIL, b);
    expect(taken.kind).toBe("write");
    // the dead holder's late release changes nothing: the lease is no longer its own
    if (held.kind === "write") await held.release();
    expect((await owners.claimChange(EMAIL, { ...b, updatedAt: T + 2 })).kind).toBe("busy");
    // a customer that does not outrank the owner is told so at once, lease or not
    expect(await owners.claimChange(EMAIL, a)).toEqual({ kind: "other", ownerId: "cus_b" });
    if (taken.kind === "write") await taken.release();
    expect(await owners.claimChange(EMAIL, a)).toEqual({ kind: "other", ownerId: "cus_b" });
    // a failed deletion keeps the owner; a done one frees the contact
    const deletion = await owners.claimDeletion(EMAIL, "cus_b");
    if (deletion.kind === "write") await deletion.abandon();
    expect(await owners.claimChange(EMAIL, a)).toEqual({ kind: "other", ownerId: "cus_b" });
    const again = await owners.claimDeletion(EMAIL, "cus_b");
    if (again.kind === "write") await again.release();
    expect((await owners.claimChange(EMAIL, a)).kind).toBe("write");
  });

  it("a takeover whose write never landed (abandoned) leaves the owner as it was", async () => {
    const owners = createContactOwners(createMemoryStorage(), () => T, LEASE_MS);
    const a = { customerId: "cus_a", updatedAt: T };
    const first = await owners.claimChange(EMAIL, a);
    if (first.kind === "write") await first.release();
    const takeover = await owners.claimChange(EMAIL, { customerId: "cus_b", updatedAt: T + 1 });
    expect(takeover.kind).toBe("write");
    if (takeover.kind === "write") await takeover.abandon();
    // cus_a still owns the contact: its older-than-cus_b events are still delivered
    expect((await owners.claimChange(EMAIL, { ...a, updatedAt: T - 5 })).kind).toBe("write");
  });

  it("a busy contact is a retryable rejection of that item only", async () => {
    const store = createMemoryStorage();
    const owners = createContactOwners(store, Date.now, LEASE_MS);
    await owners.claimChange(EMAIL, { customerId: "cus_z", updatedAt: 0 }); // held elsewhere
    const results = await sink({ store }).send([change("cus_a", T), change("cus_b", T + 1)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    for (const r of results)
      if (r.status === "rejected")
        expect(r.error).toMatchObject({ retryable: true, retryAfterMs: undefined });
  });
});

describe("a store that fails", () => {
  it("fails the send retryably, writes nothing, and never rejects the item for good", async () => {
    const broken = {
      ...createMemoryStorage(),
      getMapping: async () => {
        throw new StorageError("memory storage: getMapping failed", { engine: "memory" });
      },
    };
    const error = await sink({ store: broken })
      .send([change("cus_a", T)])
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(SinkError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: true, reason: "network" });
    expect(String((error as Error).message)).not.toContain(EMAIL);
    expect(ac.contactByEmail(EMAIL)).toBeUndefined();
  });
});

describe("without a store", () => {
  it("the last write wins (the order of arrival decides)", async () => {
    const acSink = sink();
    await acSink.send([change("cus_b", T + 1_000)]);
    await acSink.send([change("cus_a", T)]);
    expect(owner()).toBe("cus_a");
  });
});

describe("outranks", () => {
  it("orders by update time, then customer id; unknown times rank lowest", () => {
    const a = { customerId: "a", updatedAt: 2 };
    const b = { customerId: "b", updatedAt: 1 };
    expect(outranks(a, b)).toBe(true);
    expect(outranks(b, a)).toBe(false);
    expect(outranks({ customerId: "b", updatedAt: 2 }, a)).toBe(true);
    expect(outranks({ customerId: "z", updatedAt: null }, b)).toBe(false);
    expect(
      outranks({ customerId: "z", updatedAt: null }, { customerId: "y", updatedAt: null }),
    ).toBe(true);
  });

  it("uses resource_version, else created_at", () => {
    const customer = { id: "c", resourceVersion: null, createdAt: 5 } as never;
    expect(claimantOf(customer)).toEqual({ customerId: "c", updatedAt: 5 });
  });
});
