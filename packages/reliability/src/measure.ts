/**
 * What arrived where, read from the sandbox's records and the ledger, by each vendor's dedupe key:
 * TikTok `event` + `event_id`, Segment `messageId`, ActiveCampaign contacts by email and e-commerce
 * orders by `externalid`, Kiflo transactions by their Chargebee transaction id.
 *
 * @module
 */
import type { SandboxServer } from "@revtrace/sandbox";
import type { Owed } from "./simulator.js";

export const SINKS = ["tiktok", "segment", "activecampaign", "kiflo"] as const;
export type SinkName = (typeof SINKS)[number];

/** Per sink: every dedupe key seen, with how many records carried it. */
export type VendorKeys = Record<SinkName, Map<string, number>>;

/** Whether the vendor itself drops a second record with the same key (TikTok, Segment do). */
export const VENDOR_DEDUPES: Record<SinkName, boolean> = {
  tiktok: true,
  segment: true,
  activecampaign: true, // the API answers 422 duplicate: a second record cannot exist
  kiflo: false, // a second POST /transactions is a second transaction
};

function tally(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function vendorKeys(sandbox: SandboxServer): VendorKeys {
  const keys: VendorKeys = {
    tiktok: new Map(),
    segment: new Map(),
    activecampaign: new Map(),
    kiflo: new Map(),
  };
  for (const r of sandbox.recorded.tiktok) {
    tally(keys.tiktok, `${String(r.event.event)}:${String(r.event.event_id)}`);
  }
  for (const r of sandbox.recorded.segment) tally(keys.segment, String(r.message.messageId));
  const ac = sandbox.activecampaign.state;
  for (const c of ac.contacts) tally(keys.activecampaign, `contact:${String(c.email)}`);
  for (const o of ac.ecomOrders) tally(keys.activecampaign, `order:${String(o.externalid)}`);
  for (const t of sandbox.kiflo.transactions) {
    if (t.isDeleted) continue;
    const txn = Object.values(t.properties).find(
      (v) => typeof v === "string" && v.startsWith("txn_"),
    );
    tally(keys.kiflo, `txn:${String(txn ?? t.id)}`);
  }
  return keys;
}

export interface SinkComparison {
  sink: SinkName;
  expected: number;
  delivered: number;
  lost: number;
  /** Keys the reference never had. */
  unexpected: number;
  /** Records beyond one per key that the vendor keeps (would count twice). */
  duplicated: number;
  /** Records beyond one per key that the vendor's own dedupe absorbs (a re-send). */
  absorbed: number;
  lostKeys: string[];
  unexpectedKeys: string[];
}

/** Compares a run's records with a reference run's, sink by sink. */
export function compareKeys(reference: VendorKeys, got: VendorKeys): SinkComparison[] {
  return SINKS.map((sink) => {
    const ref = reference[sink];
    const mine = got[sink];
    const lostKeys = [...ref.keys()].filter((k) => !mine.has(k));
    let extraRecords = 0;
    for (const n of mine.values()) extraRecords += n - 1;
    return {
      sink,
      expected: ref.size,
      delivered: [...ref.keys()].filter((k) => mine.has(k)).length,
      lost: lostKeys.length,
      unexpected: [...mine.keys()].filter((k) => !ref.has(k)).length,
      duplicated: VENDOR_DEDUPES[sink] ? 0 : extraRecords,
      absorbed: VENDOR_DEDUPES[sink] ? extraRecords : 0,
      lostKeys: lostKeys.slice(0, 5),
      unexpectedKeys: [...mine.keys()].filter((k) => !ref.has(k)).slice(0, 5),
    };
  });
}

/** Partner → currency → the ledger's balance (earned + reversed, minor units). */
export function ledgerOwed(
  entries: readonly { partnerId: string; amount: { amount: number; currency: string } }[],
): Owed {
  const owed: Owed = {};
  for (const e of entries) {
    if (e.partnerId.startsWith("~")) continue; // the ledger's own journal lines (amount 0)
    owed[e.partnerId] ??= {};
    const by = owed[e.partnerId] as Record<string, number>;
    by[e.amount.currency] = (by[e.amount.currency] ?? 0) + e.amount.amount;
  }
  return owed;
}

export interface OwedComparison {
  /** Partner×currency lines in the truth. */
  lines: number;
  exact: number;
  wrong: string[];
}

export function compareOwed(truth: Owed, ledger: Owed): OwedComparison {
  const wrong: string[] = [];
  let lines = 0;
  let exact = 0;
  const partners = new Set([...Object.keys(truth), ...Object.keys(ledger)]);
  for (const partner of partners) {
    const currencies = new Set([
      ...Object.keys(truth[partner] ?? {}),
      ...Object.keys(ledger[partner] ?? {}),
    ]);
    for (const currency of currencies) {
      const want = truth[partner]?.[currency] ?? 0;
      const have = ledger[partner]?.[currency] ?? 0;
      if (want === 0 && have === 0) continue;
      lines++;
      if (want === have) exact++;
      else wrong.push(`${partner} ${currency}: ledger ${have}, truth ${want}`);
    }
  }
  return { lines, exact, wrong };
}

/** `earned` entries beyond one per payment transaction, and reversals beyond one per refund. */
export function doubleCounted(
  entries: readonly {
    partnerId: string;
    kind: string;
    transactionId: string | null;
    refundTransactionId: string | null;
  }[],
): number {
  const seen = new Set<string>();
  let doubles = 0;
  for (const e of entries) {
    if (e.partnerId.startsWith("~")) continue;
    if (e.kind !== "earned" && e.kind !== "reversed") continue;
    const key = `${e.kind}:${e.kind === "earned" ? e.transactionId : e.refundTransactionId}`;
    if (seen.has(key)) doubles++;
    seen.add(key);
  }
  return doubles;
}
