/**
 * The rows that run the pipeline in this process: accuracy against the simulator's truth, and
 * duplicates + shuffle against a reference run of the same events (each once, in order).
 *
 * @module
 */
import { postCollects, postWebhooks } from "./http.js";
import {
  compareKeys,
  compareOwed,
  doubleCounted,
  ledgerOwed,
  type SinkComparison,
  type SinkName,
  type VendorKeys,
  vendorKeys,
} from "./measure.js";
import { recordErrors, recordTikTok } from "./privacy.js";
import type { RowResult } from "./row.js";
import { type Simulation, touchIdOf } from "./simulator.js";
import { type Stack, type StackOptions, startStack } from "./stack.js";

const DRAIN_MS = 30 * 60_000;

/** Accuracy: the tracker calls and the webhooks (duplicated, shuffled), then credits vs truth. */
export async function accuracyRows(sim: Simulation): Promise<RowResult[]> {
  const stack = await startStack({ kifloLeads: sim.partnerLeads });
  try {
    const collect = await postCollects(stack.url, sim.collects, stack.setClock);
    const posted = await postWebhooks(() => stack.url, sim.webhooks);
    await stack.pipeline.drain({ timeoutMs: DRAIN_MS });
    const byEvent = new Map<string, (typeof stack.recorded)[number]>();
    let recordedTwice = 0;
    for (const c of stack.recorded) {
      if (c.name !== "first_payment" && c.name !== "recurring_payment") continue;
      const event = c.sourceEventId.replace(/^chargebee:/, "");
      if (byEvent.has(event)) recordedTwice++;
      byEvent.set(event, c);
    }
    const rows: RowResult[] = [];
    let missingConversions = 0;
    for (const model of ["first_touch", "click_id_chain"] as const) {
      let attributable = 0;
      let correct = 0;
      let sharedCredit = 0;
      const causes = new Map<string, number>();
      const examples = new Map<string, string>();
      let current = "";
      const cause = (c: string) => {
        causes.set(c, (causes.get(c) ?? 0) + 1);
        if (!examples.has(c)) examples.set(c, current);
      };
      for (const p of sim.truth.payments) {
        const want = model === "first_touch" ? p.firstTouch : p.clickChain;
        const conversion = byEvent.get(p.eventId);
        if (!conversion) {
          if (model === "first_touch") missingConversions++;
          if (want !== null) {
            attributable++;
            cause("no conversion delivered");
          }
          continue;
        }
        const credit = conversion.credits.find((c) => c.model === model);
        const got = credit ? (touchIdOf(credit.landingPage) ?? credit.touchpointId) : null;
        const owner = got === null ? undefined : sim.truth.touchOwner[got];
        current = `${p.eventId}: truth ${want ?? "none"}, credited ${got ?? "none"}`;
        if (owner !== undefined && owner !== p.person) {
          sharedCredit++;
          cause(`credited another person's touchpoint (${p.kind} buyer)`);
        }
        if (want === null) {
          if (got !== null && !(owner !== undefined && owner !== p.person)) {
            cause(`credited where the truth has none (${p.kind} buyer)`);
          }
          continue;
        }
        attributable++;
        if (got === want) correct++;
        else if (got === null) cause(`no credit (${p.kind} buyer)`);
        else if (owner === p.person)
          cause(`another touchpoint of the same person (${p.kind} buyer)`);
        else if (owner === undefined)
          cause(`a touchpoint the simulator never made (${p.kind} buyer)`);
      }
      const share = attributable === 0 ? 1 : correct / attributable;
      rows.push({
        row: `accuracy: ${model}`,
        tried: attributable,
        delivered: correct,
        lost: attributable - correct,
        duplicated: sharedCredit,
        notes: `${(share * 100).toFixed(2)} % right (target ≥ 99 %); ${sharedCredit} credited through a junk or shared id (target 0); ${sim.truth.payments.length} payments, ${sim.webhooks.length} webhooks, ${sim.collects.length} tracker calls`,
        ok: share >= 0.99 && sharedCredit === 0,
        details: [...causes].map(
          ([c, n]) => `${model} miss: ${c}: ${n} (e.g. ${examples.get(c) ?? "?"})`,
        ),
      });
    }
    const entries = await stack.storage.listCommissions();
    const owed = compareOwed(sim.truth.owed, ledgerOwed(entries));
    const doubles = doubleCounted(entries);
    rows.push({
      row: "accuracy: partner commissions",
      tried: owed.lines,
      delivered: owed.exact,
      lost: owed.lines - owed.exact,
      duplicated: doubles,
      notes: `partner × currency totals exact to the minor unit; ${missingConversions} payments without a conversion, ${recordedTwice} recorded twice; collect ${JSON.stringify(collect.statuses)}, webhooks ${JSON.stringify(posted.statuses)}`,
      ok: owed.exact === owed.lines && doubles === 0 && missingConversions === 0,
      details: owed.wrong.map((w) => `commission mismatch: ${w}`),
    });
    recordTikTok(stack.sandbox);
    await recordErrors(stack.storage);
    return rows;
  } finally {
    await stack.close();
  }
}

export interface Reference {
  keys: VendorKeys;
  /** Requests each vendor received. */
  requests: Record<SinkName, number>;
}
const references = new Map<string, Reference>();

/** The reference: every distinct event once, in the order it happened, one client, no faults. */
export async function reference(sim: Simulation, key: string): Promise<Reference> {
  const cached = references.get(key);
  if (cached) return cached;
  const stack = await startStack({ recorder: false, kifloLeads: sim.partnerLeads });
  try {
    await postWebhooks(() => stack.url, sim.events, { concurrency: 1 });
    await stack.pipeline.drain({ timeoutMs: DRAIN_MS });
    const box = stack.sandbox;
    const result: Reference = {
      keys: vendorKeys(box),
      requests: {
        tiktok: box.tiktok.requests.length,
        segment: box.segment.requests.length,
        activecampaign: box.activecampaign.requests.length,
        kiflo: box.kiflo.requests.length,
      },
    };
    references.set(key, result);
    return result;
  } finally {
    await stack.close();
  }
}

/** Per sink: outbox items that were dead-lettered or are still failing, with a few of their errors. */
export type Failures = Record<string, { dead: number; failing: number; errors: string[] }>;

export async function failuresOf(
  storage: Pick<Stack["storage"], "listFailures">,
): Promise<Failures> {
  const out: Failures = {};
  for (const item of await storage.listFailures({ limit: 100_000 })) {
    out[item.sink] ??= { dead: 0, failing: 0, errors: [] };
    const f = out[item.sink] as Failures[string];
    if (item.status === "dead") f.dead++;
    else f.failing++;
    if (f.errors.length < 3) {
      f.errors.push(
        `${item.status} after ${item.attempts}: ${(item.lastError ?? "").slice(0, 160)}`,
      );
    }
  }
  return out;
}

/** Rows of one comparison: one per sink, and the ledger's. */
export function deliveryRows(
  label: string,
  comparisons: readonly SinkComparison[],
  ledger: { lines: number; exact: number; wrong: string[]; doubles: number },
  extra = "",
  failures: Failures = {},
): RowResult[] {
  const rows: RowResult[] = comparisons.map((c) => {
    const f = failures[c.sink] ?? { dead: 0, failing: 0, errors: [] };
    return {
      row: `${label}: ${c.sink}`,
      tried: c.expected,
      delivered: c.delivered,
      lost: c.lost,
      duplicated: c.duplicated,
      notes: [
        `${c.absorbed} re-sends absorbed by the vendor's dedupe key`,
        `${f.dead} dead letters`,
        f.failing ? `${f.failing} still failing` : "",
        c.unexpected ? `${c.unexpected} keys the reference never had` : "",
        extra,
      ]
        .filter(Boolean)
        .join("; "),
      ok:
        c.lost === 0 && c.duplicated === 0 && c.unexpected === 0 && f.dead === 0 && f.failing === 0,
      details: [
        ...c.lostKeys.map((k) => `${label} ${c.sink} lost: ${k}`),
        ...c.unexpectedKeys.map((k) => `${label} ${c.sink} not in the reference: ${k}`),
        ...f.errors.map((e) => `${label} ${c.sink} outbox: ${e}`),
      ],
    };
  });
  rows.push({
    row: `${label}: ledger`,
    tried: ledger.lines,
    delivered: ledger.exact,
    lost: ledger.lines - ledger.exact,
    duplicated: ledger.doubles,
    notes: "partner × currency totals vs the truth; duplicated = commissions booked twice",
    ok: ledger.exact === ledger.lines && ledger.doubles === 0,
    details: ledger.wrong.map((w) => `${label} ledger: ${w}`),
  });
  return rows;
}

export async function ledgerCheck(stack: Pick<Stack, "storage">, sim: Simulation) {
  const entries = await stack.storage.listCommissions();
  return {
    ...compareOwed(sim.truth.owedWithoutTouches, ledgerOwed(entries)),
    doubles: doubleCounted(entries),
  };
}

/** 30 % duplicates and shuffled order, against the reference. */
export async function duplicateShuffleRows(
  sim: Simulation,
  key: string,
  label: string,
  stackOptions: StackOptions = {},
): Promise<RowResult[]> {
  const { keys } = await reference(sim, key);
  const stack = await startStack({
    recorder: false,
    kifloLeads: sim.partnerLeads,
    ...stackOptions,
  });
  try {
    const posted = await postWebhooks(() => stack.url, sim.webhooks);
    await stack.pipeline.drain({ timeoutMs: DRAIN_MS });
    const m = stack.pipeline.metrics();
    const dups = sim.webhooks.filter((w) => w.duplicate).length;
    recordTikTok(stack.sandbox);
    await recordErrors(stack.storage);
    return deliveryRows(
      label,
      compareKeys(keys, vendorKeys(stack.sandbox)),
      await ledgerCheck(stack, sim),
      `${sim.webhooks.length} webhooks (${dups} duplicates), answers ${JSON.stringify(posted.statuses)}, stored ${m.received}, duplicates counted ${m.duplicates}`,
      await failuresOf(stack.storage),
    );
  } finally {
    await stack.close();
  }
}
