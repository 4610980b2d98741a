/**
 * The sink against `@revtrace/sandbox`'s ActiveCampaign emulator (written from the spec on its own):
 * lifecycle end to end, concurrency without duplicate tags, Deep Data with refunds, initial and
 * full sync. The account limit has its own file (`rate-limit.timing.test.ts`).
 */
import type { BillingCustomer, BillingSubscription, Conversion } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { type CustomerRecord, type CustomerSource, DEFAULT_FIELDS } from "../src/index.js";
import { useEmulator } from "./emulator-sink.js";
import { billingEventOf, conversionOf } from "./fixtures.js";

/** Functional tests run unpaced; the limit has its own emulator below. */
const { ac, sink } = useEmulator();

/** Real event, synthetic email and status. */
function lifecycle(
  email: string,
  status: string,
  name: Conversion["name"] = "subscription_changed",
) {
  return conversionOf("subscription_created.bonusly.1", name, {
    customer: { email, firstName: "Ann", id: `cus_${email}` },
    subscription: { status },
  });
}

describe("with the emulator", () => {
  it("keeps one lifecycle tag, the fields and the membership through trial → active → cancelled", async () => {
    const acSink = sink();
    for (const status of ["in_trial", "active", "cancelled"]) {
      const results = await acSink.send([lifecycle("ann@example.com", status)]);
      expect(results.map((r) => r.status)).toEqual(["delivered"]);
    }
    const contact = ac.contactByEmail("ann@example.com");
    expect(contact?.tagNames).toEqual(["chargebee:cancelled"]);
    expect(contact?.fieldValuesByPerstag).toMatchObject({
      [DEFAULT_FIELDS.subscriptionStatus.perstag]: "cancelled",
      [DEFAULT_FIELDS.plan.perstag]: "test-company-custom-pro-plan",
    });
    expect(ac.state.fields).toHaveLength(Object.keys(DEFAULT_FIELDS).length);
    expect(ac.state.fieldRels).toHaveLength(Object.keys(DEFAULT_FIELDS).length);
    expect(ac.state.contactLists).toEqual([expect.objectContaining({ list: "1", status: "1" })]);
    expect(ac.audit).toEqual({ blanked: [], resubscribed: [], duplicateTags: [] });
  });

  it("creates a shared tag once when many contacts need it at the same time", async () => {
    const acSink = sink();
    const items = Array.from({ length: 20 }, (_, i) => lifecycle(`p${i}@example.com`, "in_trial"));
    const results = await acSink.send(items);
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    expect(ac.state.tags.filter((t) => t.tag === "chargebee:trial")).toHaveLength(1);
    expect(ac.audit.duplicateTags).toEqual([]);
    expect(ac.state.contacts).toHaveLength(20);
  });

  it("resolves a cached tag again when it was deleted in ActiveCampaign", async () => {
    const acSink = sink();
    await acSink.send([lifecycle("a@example.com", "active")]);
    // Someone deletes the tag (and with it its contact tags) in ActiveCampaign.
    const tag = ac.state.tags.find((t) => t.tag === "chargebee:active");
    ac.state.tags.splice(ac.state.tags.indexOf(tag as (typeof ac.state.tags)[number]), 1);
    ac.state.contactTags.length = 0;
    const results = await acSink.send([lifecycle("b@example.com", "active")]);
    expect(results.map((r) => r.status)).toEqual(["delivered"]);
    expect(ac.contactByEmail("b@example.com")?.tagNames).toEqual(["chargebee:active"]);
    expect(ac.audit.duplicateTags).toEqual([]);
  });

  it("never re-subscribes a contact who unsubscribed", async () => {
    const id = ac.seedContact({ email: "gone@example.com" });
    ac.seedListStatus(id, "1", 2);
    await sink().send([lifecycle("gone@example.com", "active")]);
    expect(ac.audit.resubscribed).toEqual([]);
    expect(ac.state.contactLists).toEqual([expect.objectContaining({ contact: id, status: "2" })]);
  });

  it("records a payment once and a refund on it once", async () => {
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    const base = billingEventOf("payment_refunded.bonusly.1");
    // Synthetic: the refund of that payment (the fixture's refund is of another customer's payment).
    const refund: Conversion = {
      ...conversionOf("payment_refunded.bonusly.1", "refund"),
      billingEvent: {
        ...base,
        customer: payment.billingEvent?.customer ?? null,
        refund: {
          ...(base.refund as NonNullable<typeof base.refund>),
          refundedTransactionId: "txn_AzqYRySIstMLf6N",
          amount: { amount: 150000, currency: "USD" },
        },
      },
    };
    const acSink = sink({ deepData: { site: "acme" } });
    await acSink.send([payment]);
    await acSink.send([payment]);
    await acSink.send([refund]);
    await acSink.send([refund]);
    expect(ac.state.ecomOrders).toHaveLength(1);
    expect(ac.state.ecomOrders[0]).toMatchObject({
      externalid: "txn_AzqYRySIstMLf6N",
      totalPrice: 300000,
      discountAmount: 150000,
      source: "0",
    });
    expect(ac.state.ecomCustomers).toHaveLength(1);
    expect(ac.state.connections).toHaveLength(1);
  });
});

/** Synthetic customers in the shape of `@revtrace/chargebee`'s backfill records, newest first. */
function records(count: number, noEmailAt = -1): CustomerRecord[] {
  const real = billingEventOf("payment_succeeded.bonusly.1");
  return Array.from({ length: count }, (_, i) => ({
    customer: {
      ...(real.customer as BillingCustomer),
      id: `cus_${i}`,
      email: i === noEmailAt ? null : `c${i}@example.com`,
      createdAt: Date.UTC(2026, 0, 1) - i * 60_000,
    },
    subscriptions: [{ ...(real.subscription as BillingSubscription), id: `sub_${i}` }],
  }));
}

function sourceOf(list: CustomerRecord[]): CustomerSource & { reads: number } {
  const source = {
    reads: 0,
    async *backfillCustomers(options?: { limit?: number }) {
      source.reads++;
      yield* list.slice(0, options?.limit ?? list.length);
    },
  };
  return source;
}

describe("initial and full sync", () => {
  it("initialSync syncs the 10 latest customers and reports the one without an email", async () => {
    const result = await sink().initialSync({ source: sourceOf(records(12, 3)) });
    expect(result).toMatchObject({ processed: 10, synced: 9, skipped: [] });
    expect(result.errors).toEqual([
      expect.objectContaining({
        customerId: "cus_3",
        retryable: false,
        message: "the customer has no valid email address",
      }),
    ]);
    expect(JSON.stringify(result.errors.map((e) => e.message))).not.toContain("@");
    expect(ac.state.contacts).toHaveLength(9);
    expect(ac.contactByEmail("c0@example.com")?.tagNames).toEqual(["chargebee:active"]);
  });

  it("fullSync resumes from its cursor, reports progress, and retries its errors", async () => {
    const list = records(9, 4);
    const progress: Array<[number, number | null]> = [];
    const acSink = sink();
    const first = await acSink.fullSync({
      source: sourceOf(list),
      limit: 5,
      onProgress: (p) => progress.push([p.done, p.total]),
    });
    expect(first).toMatchObject({ processed: 5, synced: 4, complete: false, total: 5 });
    expect(first.cursor).toEqual(expect.any(String));
    const second = await acSink.fullSync({
      source: sourceOf(list),
      cursor: first.cursor,
      onProgress: (p) => progress.push([p.done, p.total]),
    });
    expect(second).toMatchObject({
      processed: 4,
      synced: 4,
      complete: true,
      cursor: null,
      total: 4,
    });
    expect(progress.map(([done]) => done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ac.state.contacts).toHaveLength(8);
    // The customer gets an email in Chargebee; the retry reads it again from the source.
    const fixed = list.map((r, i) =>
      i === 4 ? { ...r, customer: { ...r.customer, email: "c4@example.com" } } : r,
    );
    const retried = await acSink.retrySync(first.errors, { source: sourceOf(fixed) });
    expect(retried).toMatchObject({ processed: 1, synced: 1, errors: [] });
    expect(ac.state.contacts).toHaveLength(9);
  });

  it("refuses a malformed cursor with a ConfigError", async () => {
    await expect(
      sink().fullSync({ source: sourceOf([]), cursor: "not-a-cursor" }),
    ).rejects.toMatchObject({
      name: "ConfigError",
    });
  });

  it("stops on an account failure (403) instead of failing every customer", async () => {
    ac.failNext({ type: "http", status: 403, body: '{"message":"Forbidden"}' });
    await expect(sink().initialSync({ source: sourceOf(records(3)) })).rejects.toMatchObject({
      status: 403,
    });
  });
});

describe("a field left on no list (spec §3)", () => {
  it("is linked to every list at the next setup (its POST /fieldRels had failed after POST /fields)", async () => {
    await sink().send([lifecycle("ann@example.com", "active")]);
    const plan = ac.state.fields.find((f) => f.perstag === DEFAULT_FIELDS.plan.perstag);
    expect(plan).toBeDefined();
    // as if its link had failed: the field exists, related to no list
    ac.state.fieldRels.splice(
      ac.state.fieldRels.findIndex((r) => r.field === plan?.id),
      1,
    );
    expect(ac.state.fieldRels.some((r) => r.field === plan?.id)).toBe(false);
    await sink().send([lifecycle("ann@example.com", "cancelled")]);
    expect(ac.state.fieldRels.filter((r) => r.field === plan?.id)).toEqual([
      expect.objectContaining({ relid: "0" }),
    ]);
    // linked once: a further setup adds nothing
    await sink().send([lifecycle("ann@example.com", "active")]);
    expect(ac.state.fieldRels).toHaveLength(Object.keys(DEFAULT_FIELDS).length);
  });
});
