/**
 * `revtrace demo`: the whole product on this machine, with no configuration and no network. Six
 * simulated weeks in a few seconds: a few hundred visitors land (TikTok and Google ads, search,
 * partners' links, direct) and come back through the real collect endpoint over HTTP; some fill the
 * lead form; those who subscribe produce the Chargebee webhooks a real site sends (trials,
 * activations, payments in USD, EUR and JPY, renewals, a partial and a full refund, a cancellation),
 * posted over HTTP with Basic auth, late and twice as Chargebee does. The partners are paid out
 * halfway. Then the worker drains, and the demo checks that every conversion reached every
 * destination's emulator, prints the summary and writes the HTML report.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createCommissionLedger } from "@revtrace/attribution";
import { createSeededRandom as createRandom, toMajor } from "@revtrace/core";
import type { SandboxServer } from "@revtrace/sandbox";
import { readConversionLog } from "../conversion-log.js";
import { type ChargebeeStream, chargebeeStream } from "../demo/chargebee-stream.js";
import { DEMO_COMMISSIONS, DEMO_WEBHOOK, startDemoStack } from "../demo/demo-stack.js";
import {
  DAY,
  HOUR,
  KIFLO_PARTNER_IDS,
  PARTNERS,
  simulateVisitors,
  type Visit,
} from "../demo/visitors.js";
import { EXIT_CODES, type ExitCode } from "../exit-codes.js";
import { renderHtml } from "../report/html.js";
import {
  buildReport,
  type DestinationStats,
  formatMoney,
  type ReportData,
} from "../report/report-data.js";
import { createUi, type Ui } from "../ui.js";

export interface DemoOptions {
  /** Simulated visitors. @default 300 */
  visitors?: number | undefined;
  /** Seed of the simulation (same seed, same visitors). @default 18 */
  seed?: number | undefined;
  /** Where the HTML report goes. @default "revtrace-report.html" in the working directory */
  reportPath?: string | undefined;
  /** Keep the demo's SQLite database and conversion log in this folder (else a temporary one, removed). */
  keepDir?: string | undefined;
  /** Progress display. @default quiet in CI, when not a TTY, or with `json` */
  ui?: Ui | undefined;
  /** Adjusts the sandbox before the run (tests make a destination fail). */
  prepare?: ((sandbox: SandboxServer) => void) | undefined;
}

/** One failed check of the demo. */
export interface DemoProblem {
  check: string;
  detail: string;
}

/** What `revtrace demo` returns (and prints with `--json`). */
export interface DemoResult {
  ok: boolean;
  durationMs: number;
  /** Milliseconds per phase. */
  phases: { setup: number; simulate: number; deliver: number; report: number };
  visitors: number;
  collectRequests: number;
  webhooks: { deliveries: number; events: number; duplicates: number; outOfOrder: number };
  counters: {
    received: number;
    duplicates: number;
    processed: number;
    quarantined: number;
    refused: number;
  };
  destinations: DestinationStats[];
  deadLetters: number;
  report: ReportData;
  reportPath: string;
  problems: DemoProblem[];
}

const UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

type Action =
  | { at: number; kind: "visit"; visitor: number; visit: Visit }
  | { at: number; kind: "webhook"; body: string; duplicate: boolean }
  | { at: number; kind: "payout" };

/** Runs the demo. Never throws for a failed check: `ok` is false and `problems` says why. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const ui = options.ui ?? createUi();
  const random = createRandom(options.seed ?? 18);
  const realNow = Date.now();
  const start = realNow - 42 * DAY;
  const end = realNow - HOUR;
  const payoutAt = start + 30 * DAY;
  // The simulation's clock: moved forward action by action, then back to real time to deliver.
  let simulated: number | null = start;
  const clock = () => simulated ?? Date.now();

  const setup = ui.task("Starting the pipeline (SQLite) and the destination sandbox");
  const stack = await startDemoStack(clock, options.keepDir);
  const phases = { setup: Date.now() - started, simulate: 0, deliver: 0, report: 0 };
  setup.done(`Pipeline at ${stack.url}, sandbox at ${stack.sandbox.url}`);
  const problems: DemoProblem[] = [];
  try {
    options.prepare?.(stack.sandbox);
    const visitors = simulateVisitors(random, options.visitors ?? 300, start, 40);
    const stream: ChargebeeStream = chargebeeStream(random, visitors, end, payoutAt);
    // The partners registered their referred leads in Kiflo, which converts them into customers.
    for (const c of stream.customers) {
      if (c.visitor.partner && c.visitor.email) {
        stack.sandbox.kiflo.addLead({
          email: c.visitor.email,
          partnerId: KIFLO_PARTNER_IDS[c.visitor.partner],
        });
      }
    }
    const actions: Action[] = [
      ...visitors.flatMap((v) =>
        v.visits.map((visit): Action => ({ at: visit.at, kind: "visit", visitor: v.n, visit })),
      ),
      ...stream.deliveries.map(
        (d): Action => ({ at: d.at, kind: "webhook", body: d.body, duplicate: d.duplicate }),
      ),
      { at: payoutAt, kind: "payout" as const },
    ].sort((a, b) => a.at - b.at);

    const cookies = new Map<number, string>();
    const authorization = `Basic ${Buffer.from(`${DEMO_WEBHOOK.username}:${DEMO_WEBHOOK.password}`).toString("base64")}`;
    const ledger = createCommissionLedger({
      store: stack.storage,
      ...DEMO_COMMISSIONS,
      now: clock,
    });
    let collectRequests = 0;
    const bar = ui.progress(
      "Simulating six weeks of visits and Chargebee webhooks",
      actions.length,
    );
    for (const action of actions) {
      simulated = action.at;
      if (action.kind === "visit") {
        const cookie = cookies.get(action.visitor);
        const response = await fetch(`${stack.url}/rt/collect`, {
          method: "POST",
          headers: {
            "content-type": "text/plain",
            "user-agent": UA,
            ...(cookie ? { cookie } : {}),
          },
          body: JSON.stringify({ v: 1, events: action.visit.events }),
        });
        await response.arrayBuffer();
        collectRequests++;
        const set = response.headers.getSetCookie().find((c) => c.startsWith("rt_vid="));
        if (set) cookies.set(action.visitor, set.split(";")[0] as string);
        if (response.status !== 204) {
          problems.push({
            check: "collect",
            detail: `visitor ${action.visitor}: HTTP ${response.status}`,
          });
        }
      } else if (action.kind === "webhook") {
        const response = await fetch(`${stack.url}/webhooks/chargebee`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: action.body,
        });
        const answer = (await response.json().catch(() => ({}))) as { duplicate?: boolean };
        if (response.status !== 200) {
          problems.push({
            check: "webhook",
            detail: `HTTP ${response.status} for ${JSON.parse(action.body).id}`,
          });
        } else if (answer.duplicate !== action.duplicate) {
          problems.push({
            check: "webhook",
            detail: `duplicate ${answer.duplicate} for ${JSON.parse(action.body).id}`,
          });
        }
      } else {
        // Pay every partner what left its hold: book everything up to now first.
        await stack.pipeline.drain({ timeoutMs: 60_000 });
        for (const partnerId of PARTNERS) {
          await ledger.record({
            type: "payout",
            payoutId: `payout-1-${partnerId}`,
            partnerId,
            paidAt: action.at,
          });
        }
      }
      bar.advance();
    }
    bar.done("Simulated six weeks of visits and Chargebee webhooks");

    phases.simulate = Date.now() - started - phases.setup;
    simulated = null; // back to real time: the sinks deliver now
    const drain = ui.task(
      "Draining the worker and delivering to TikTok, Segment, ActiveCampaign and Kiflo",
    );
    await stack.pipeline.drain({ timeoutMs: 120_000 });
    drain.done("Worker drained; every outbox delivered");

    phases.deliver = Date.now() - started - phases.setup - phases.simulate;
    const metrics = stack.pipeline.metrics();
    const recorded: Record<string, number> = {
      tiktok: stack.sandbox.recorded.tiktok.length,
      segment: stack.sandbox.recorded.segment.length,
      activecampaign: stack.sandbox.activecampaign.state.contacts.length,
      kiflo: stack.sandbox.kiflo.transactions.filter((t) => !t.isDeleted).length,
    };
    const destinations: DestinationStats[] = stack.sinks.map((sink) => {
      const m = metrics.sinks[sink.name];
      return {
        name: sink.name,
        delivered: m?.delivered ?? 0,
        skipped: m?.skipped ?? 0,
        rejected: m?.rejected ?? 0,
        deadLetters: m?.deadLetters ?? 0,
        recorded: recorded[sink.name],
        skippedReasons: Object.entries(stack.skipReasons[sink.name] ?? {})
          .map(([reason, count]) => ({ reason, count }))
          .sort((a, b) => b.count - a.count),
      };
    });
    const duplicates = stream.deliveries.filter((d) => d.duplicate).length;
    const failures = await stack.storage.listFailures({ limit: 100 });
    const deadLetters = failures.length + metrics.worker.deadLetters;
    // Stored in the inbox, first or as a duplicate: every webhook delivery (the webhook counters
    // never count collect requests). The worker processes each stored webhook and each collect
    // request (one batch of touchpoints and lead forms each).
    if (metrics.received + metrics.duplicates !== stream.deliveries.length) {
      problems.push({
        check: "received",
        detail: `${metrics.received} stored and ${metrics.duplicates} duplicates, expected ${stream.deliveries.length} webhooks`,
      });
    }
    if (metrics.processed !== metrics.received + collectRequests) {
      problems.push({
        check: "processed",
        detail: `${metrics.processed} of ${metrics.received} webhooks and ${collectRequests} collect requests processed`,
      });
    }
    if (metrics.duplicates !== duplicates) {
      problems.push({
        check: "duplicates",
        detail: `${metrics.duplicates} duplicates counted, ${duplicates} sent`,
      });
    }
    if (metrics.quarantined + metrics.refused > 0) {
      problems.push({
        check: "webhooks",
        detail: `${metrics.quarantined} quarantined, ${metrics.refused} refused`,
      });
    }
    if (metrics.worker.backlog > 0)
      problems.push({ check: "worker", detail: `${metrics.worker.backlog} events left` });
    for (const d of destinations) {
      const backlog = metrics.sinks[d.name]?.backlog ?? 0;
      if (d.delivered === 0) problems.push({ check: d.name, detail: "received nothing" });
      if (d.rejected + d.deadLetters + backlog > 0) {
        problems.push({
          check: d.name,
          detail: `${d.rejected} rejected, ${d.deadLetters} dead letters, ${backlog} undelivered`,
        });
      }
      if (d.recorded === 0)
        problems.push({ check: d.name, detail: "its emulator recorded nothing" });
    }
    if (stack.sandbox.segment.dropped.length > 0) {
      problems.push({
        check: "segment",
        detail: `${stack.sandbox.segment.dropped.length} messages dropped by Segment's rules`,
      });
    }
    if (deadLetters > 0)
      problems.push({ check: "dead letters", detail: `${deadLetters} dead letters` });

    const conversions = readConversionLog(stack.logPath);
    const commissions = await stack.storage.listCommissions();
    const report = buildReport({ conversions, commissions, asOf: Date.now(), destinations });
    const kinds = new Set(commissions.map((c) => c.kind));
    for (const kind of ["earned", "reversed", "paid", "clawback"] as const) {
      if (!kinds.has(kind))
        problems.push({ check: "commissions", detail: `no ${kind} commission entry` });
    }
    const reportPath = resolve(options.reportPath ?? "revtrace-report.html");
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, renderHtml(report, { title: "revtrace demo — attribution report" }));

    phases.report = Date.now() - started - phases.setup - phases.simulate - phases.deliver;
    return {
      ok: problems.length === 0,
      durationMs: Date.now() - started,
      phases,
      visitors: visitors.length,
      collectRequests,
      webhooks: {
        deliveries: stream.deliveries.length,
        events: stream.events,
        duplicates,
        outOfOrder: countOutOfOrder(stream),
      },
      counters: {
        received: metrics.received,
        duplicates: metrics.duplicates,
        processed: metrics.processed,
        quarantined: metrics.quarantined,
        refused: metrics.refused,
      },
      destinations,
      deadLetters,
      report,
      reportPath,
      problems,
    };
  } finally {
    await stack.close();
  }
}

/** Deliveries that arrived before an event of the same subscription that happened earlier. */
function countOutOfOrder(stream: ChargebeeStream): number {
  const latest = new Map<string, number>();
  let count = 0;
  for (const d of stream.deliveries) {
    const event = JSON.parse(d.body) as {
      occurred_at: number;
      content: { subscription?: { id: string }; transaction?: { subscription_id: string } };
    };
    const key = event.content.subscription?.id ?? event.content.transaction?.subscription_id ?? "";
    if ((latest.get(key) ?? 0) > event.occurred_at) count++;
    latest.set(key, Math.max(latest.get(key) ?? 0, event.occurred_at));
  }
  return count;
}

const pad = (text: string, width: number) => text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);

/** The human summary of a demo run. */
export function formatDemoSummary(result: DemoResult, ui: Ui): string {
  const { report } = result;
  const h = report.headline;
  const bold = (t: string) => ui.style("bold", t);
  const lines: string[] = [];
  lines.push(bold("revtrace demo — six simulated weeks"));
  lines.push(
    `  ${result.visitors} visitors · ${result.collectRequests} collect requests · ${result.webhooks.deliveries} Chargebee webhooks (${result.webhooks.events} events, ${result.webhooks.duplicates} duplicates, ${result.webhooks.outOfOrder} out of order)`,
  );
  lines.push(
    `  Conversions: ${h.leads} leads, ${h.firstPayments} first payments, ${h.payments - h.firstPayments} renewals, ${h.refunds} refunds · ${h.customers} paying customers`,
  );
  lines.push(`  Net revenue: ${h.revenue.map(formatMoney).join(" · ")}`);
  const [a, b] = report.models;
  if (a && b) {
    lines.push("", bold(`Revenue by channel (${report.currency}): ${a} vs ${b}`));
    lines.push(`  ${pad("channel", 16)}${padLeft(a, 16)}${padLeft(b, 18)}${padLeft("delta", 14)}`);
    for (const row of report.channelModel.filter((r) => r.currency === report.currency)) {
      const x = row.byModel[a] ?? 0;
      const y = row.byModel[b] ?? 0;
      const delta = y - x;
      const deltaText = `${delta >= 0 ? "+" : "−"}${formatMoney({ amount: Math.abs(delta), currency: row.currency })}`;
      lines.push(
        `  ${pad(row.channel, 16)}${padLeft(formatMoney({ amount: x, currency: row.currency }), 16)}${padLeft(formatMoney({ amount: y, currency: row.currency }), 18)}${padLeft(delta === 0 ? "—" : ui.style(delta > 0 ? "green" : "red", deltaText), 14)}`,
      );
    }
    const others = report.currencies.filter((c) => c !== report.currency);
    if (others.length)
      lines.push(`  (${others.join(", ")} revenue: see the report's channel × model table)`);
    lines.push("", bold(`Revenue by campaign (${report.currency}): ${a} vs ${b}`));
    const total = (series: { label: string; values: number[] }[] | undefined, label: string) =>
      series?.find((s) => s.label === label)?.values.reduce((s, v) => s + v, 0) ?? 0;
    const labels = new Set(
      [...(report.campaignsOverTime[a] ?? []), ...(report.campaignsOverTime[b] ?? [])].map(
        (s) => s.label,
      ),
    );
    for (const label of labels) {
      const fmt = (v: number) =>
        formatMoney({
          amount: Math.round(v * (report.currency === "JPY" ? 1 : 100)),
          currency: report.currency,
        });
      lines.push(
        `  ${pad(label, 24)}${padLeft(fmt(total(report.campaignsOverTime[a], label)), 14)}${padLeft(fmt(total(report.campaignsOverTime[b], label)), 14)}`,
      );
    }
  }
  lines.push("", bold("Commissions per partner"));
  lines.push(
    `  ${pad("partner", 18)}${pad("cur", 5)}${padLeft("pending", 12)}${padLeft("payable", 12)}${padLeft("paid", 12)}${padLeft("clawed back", 13)}`,
  );
  for (const b of report.partners) {
    lines.push(
      `  ${pad(b.partnerId, 18)}${pad(b.currency, 5)}${[b.pending, b.payable, b.paid].map((m) => padLeft(toMajor(m), 12)).join("")}${padLeft(toMajor(b.clawedBack), 13)}`,
    );
  }
  lines.push("", bold("What each destination received"));
  lines.push(
    `  ${pad("destination", 16)}${padLeft("delivered", 10)}${padLeft("skipped", 9)}${padLeft("rejected", 10)}${padLeft("dead", 6)}${padLeft("emulator", 10)}`,
  );
  for (const d of result.destinations) {
    lines.push(
      `  ${pad(d.name, 16)}${padLeft(String(d.delivered), 10)}${padLeft(String(d.skipped), 9)}${padLeft(String(d.rejected), 10)}${padLeft(String(d.deadLetters), 6)}${padLeft(d.recorded === undefined ? "—" : String(d.recorded), 10)}`,
    );
  }
  lines.push(
    "  (emulator: TikTok events, Segment messages, ActiveCampaign contacts, Kiflo transactions; report: the local conversion log)",
  );
  for (const d of result.destinations) {
    for (const { reason, count } of d.skippedReasons ?? [])
      lines.push(`  ${d.name} skipped ${count}: ${reason}`);
  }
  lines.push(
    `  Dead letters: ${result.deadLetters === 0 ? ui.style("green", "none") : ui.style("red", String(result.deadLetters))}`,
  );
  lines.push("");
  if (result.ok) {
    lines.push(
      ui.style("green", `✔ Everything arrived (${(result.durationMs / 1000).toFixed(1)} s).`),
    );
  } else {
    lines.push(ui.style("red", `✘ ${result.problems.length} problem(s):`));
    for (const p of result.problems) lines.push(`  - ${p.check}: ${p.detail}`);
  }
  lines.push(`Report: ${result.reportPath}`);
  return lines.join("\n");
}

/** The exit code of a demo run. */
export function demoExitCode(result: DemoResult): ExitCode {
  return result.ok ? EXIT_CODES.ok : EXIT_CODES.checkFailed;
}
