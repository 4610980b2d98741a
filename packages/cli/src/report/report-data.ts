/**
 * The report's numbers, computed from the conversion log and the commission ledger: headline figures,
 * revenue by channel and campaign over time, channel × model with deltas, conversion paths, partner
 * balances, and per conversion the engine's explanation of who was credited and why. Everything is
 * exact in minor units until it is shown; each currency is kept apart (no exchange rates are made up):
 * the charts show the report's main currency, the tables every currency.
 *
 * @module
 */
import {
  type CommissionBalance,
  commissionBalances,
  type Explanation,
} from "@revtrace/attribution";
import { type Commission, type Money, toMajorNumber } from "@revtrace/core";
import type { LoggedConversion, LoggedTouch } from "../conversion-log.js";

const DAY = 86_400_000;
const REVENUE = new Set(["first_payment", "recurring_payment", "refund"]);
const UNATTRIBUTED = "unattributed";

/** What each destination received (the demo fills it from the pipeline's counters). */
export interface DestinationStats {
  name: string;
  delivered: number;
  skipped: number;
  rejected: number;
  deadLetters: number;
  /** What the destination's emulator recorded (requests or events accepted). */
  recorded?: number | undefined;
  /** Why it skipped what it skipped, most frequent first. */
  skippedReasons?: { reason: string; count: number }[] | undefined;
}

export interface ChannelModelRow {
  channel: string;
  currency: string;
  /** Minor units per model. */
  byModel: Record<string, number>;
}

export interface PathRow {
  path: string[];
  conversions: number;
  averageDays: number;
  averageTouches: number;
}

export interface ConversionPath {
  conversionId: string;
  customerId: string | null;
  touches: LoggedTouch[];
  days: number;
}

export interface Explained {
  id: string;
  name: string;
  occurredAt: number;
  value: Money | null;
  customerId: string | null;
  credits: LoggedConversion["credits"];
  touchpoints: LoggedTouch[];
  explanations: Explanation[];
}

export interface ReportData {
  generatedAt: number;
  /** The currency of the charts (the one with the most revenue conversions). */
  currency: string;
  currencies: string[];
  models: string[];
  headline: {
    customers: number;
    firstPayments: number;
    payments: number;
    leads: number;
    refunds: number;
    /** Net revenue (payments − refunds) per currency. */
    revenue: Money[];
    averageDaysToConvert: number | null;
    averageTouches: number | null;
    /** Commissions not yet paid (pending + payable) per currency. */
    commissionsOwed: Money[];
  };
  /** Day labels (ISO dates, UTC) of the over-time charts. */
  days: string[];
  /** Per model: net revenue of the main currency per channel and day (major units). */
  channelsOverTime: Record<string, { label: string; values: number[] }[]>;
  /** Per model: net revenue of the main currency per campaign and day (major units). */
  campaignsOverTime: Record<string, { label: string; values: number[] }[]>;
  channelModel: ChannelModelRow[];
  paths: {
    top: PathRow[];
    conversions: ConversionPath[];
    daysHistogram: { label: string; count: number }[];
  };
  partners: CommissionBalance[];
  explained: Explained[];
  destinations: DestinationStats[];
}

export interface ReportInput {
  conversions: readonly LoggedConversion[];
  commissions: readonly Commission[];
  asOf: number;
  destinations?: DestinationStats[] | undefined;
  /** The currency of the charts. @default the one with the most revenue conversions */
  currency?: string | undefined;
}

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

function touchOf(conversion: LoggedConversion, touchpointId: string): LoggedTouch | undefined {
  return conversion.touchpoints.find((t) => t.id === touchpointId);
}

function channelOf(conversion: LoggedConversion, touchpointId: string): string {
  const touch = touchOf(conversion, touchpointId);
  if (touch) return touch.channel;
  return touchpointId.startsWith("affiliate-ref:") ? "affiliate" : UNATTRIBUTED;
}

function campaignOf(conversion: LoggedConversion, touchpointId: string): string {
  const touch = touchOf(conversion, touchpointId);
  if (touchpointId.startsWith("affiliate-ref:")) return `partner ${touchpointId.slice(14)}`;
  if (!touch) return UNATTRIBUTED;
  if (touch.campaign) return touch.campaign;
  if (touch.affiliateRef) return `partner ${touch.affiliateRef}`;
  return `(${touch.channel})`;
}

function sumBy(values: Money[]): Money[] {
  const totals = new Map<string, number>();
  for (const value of values)
    totals.set(value.currency, (totals.get(value.currency) ?? 0) + value.amount);
  return [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ amount, currency }));
}

const major = (amount: number, currency: string) => toMajorNumber({ amount, currency });

/** Computes the report. */
export function buildReport(input: ReportInput): ReportData {
  const conversions = input.conversions;
  const revenue = conversions.filter((c) => REVENUE.has(c.name) && c.value !== null);
  const models = [...new Set(conversions.flatMap((c) => c.explanations.map((e) => e.name)))];
  if (models.length === 0)
    models.push(...new Set(conversions.flatMap((c) => c.credits.map((x) => x.model))));
  const counts = new Map<string, number>();
  for (const c of revenue)
    counts.set(c.value?.currency ?? "", (counts.get(c.value?.currency ?? "") ?? 0) + 1);
  const currency = input.currency ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "USD";
  const currencies = [...counts.keys()].sort();

  // Day axis: from the first revenue (or any) conversion to asOf.
  const times = conversions.map((c) => c.occurredAt);
  const firstDay = Date.parse(isoDay(times.length ? Math.min(...times) : input.asOf));
  const dayCount = Math.max(1, Math.floor((Date.parse(isoDay(input.asOf)) - firstDay) / DAY) + 1);
  const days = Array.from({ length: dayCount }, (_, i) => isoDay(firstDay + i * DAY));
  const dayIndex = (at: number) =>
    Math.min(dayCount - 1, Math.max(0, Math.floor((at - firstDay) / DAY)));

  const channelsOverTime: ReportData["channelsOverTime"] = {};
  const campaignsOverTime: ReportData["campaignsOverTime"] = {};
  const rows = new Map<string, ChannelModelRow>();
  for (const model of models) {
    const channels = new Map<string, number[]>();
    const campaigns = new Map<string, number[]>();
    const add = (map: Map<string, number[]>, key: string, index: number, amount: number) => {
      const values = map.get(key) ?? new Array<number>(dayCount).fill(0);
      values[index] = (values[index] ?? 0) + amount;
      map.set(key, values);
    };
    for (const c of revenue) {
      const value = c.value as Money;
      const credits = c.credits.filter((credit) => credit.model === model);
      const parts =
        credits.length === 0
          ? [{ channel: UNATTRIBUTED, campaign: UNATTRIBUTED, amount: value.amount }]
          : credits.map((credit) => ({
              channel: channelOf(c, credit.touchpointId),
              campaign: campaignOf(c, credit.touchpointId),
              amount: credit.amount?.amount ?? Math.round(value.amount * credit.share),
            }));
      for (const part of parts) {
        const key = `${part.channel}\u0000${value.currency}`;
        const row = rows.get(key) ?? {
          channel: part.channel,
          currency: value.currency,
          byModel: {},
        };
        row.byModel[model] = (row.byModel[model] ?? 0) + part.amount;
        rows.set(key, row);
        if (value.currency !== currency) continue;
        const amount = major(part.amount, currency);
        add(channels, part.channel, dayIndex(c.occurredAt), amount);
        add(campaigns, part.campaign, dayIndex(c.occurredAt), amount);
      }
    }
    const series = (map: Map<string, number[]>) =>
      [...map]
        .map(([label, values]) => ({ label, values: values.map((v) => Math.round(v * 100) / 100) }))
        .sort((a, b) => b.values.reduce((s, v) => s + v, 0) - a.values.reduce((s, v) => s + v, 0));
    channelsOverTime[model] = series(channels);
    campaignsOverTime[model] = series(campaigns);
  }
  for (const row of rows.values()) for (const model of models) row.byModel[model] ??= 0;
  const channelModel = [...rows.values()]
    .filter((row) => Object.values(row.byModel).some((v) => v !== 0))
    .sort(
      (a, b) =>
        Number(b.currency === currency) - Number(a.currency === currency) ||
        a.currency.localeCompare(b.currency) ||
        (b.byModel[models[0] ?? ""] ?? 0) - (a.byModel[models[0] ?? ""] ?? 0),
    );

  // Paths of first payments: every touch of the person up to the payment.
  const firstPayments = conversions.filter((c) => c.name === "first_payment");
  const pathConversions: ConversionPath[] = firstPayments
    .filter((c) => c.touchpoints.length > 0)
    .map((c) => ({
      conversionId: c.id,
      customerId: c.customerId,
      touches: c.touchpoints.filter((t) => t.occurredAt <= c.occurredAt),
      days: (c.occurredAt - (c.touchpoints[0]?.occurredAt ?? c.occurredAt)) / DAY,
    }));
  const byPath = new Map<string, ConversionPath[]>();
  for (const p of pathConversions) {
    const key = p.touches.map((t) => t.channel).join(" → ");
    byPath.set(key, [...(byPath.get(key) ?? []), p]);
  }
  const top: PathRow[] = [...byPath.values()]
    .map((group) => ({
      path: group[0]?.touches.map((t) => t.channel) ?? [],
      conversions: group.length,
      averageDays: group.reduce((s, p) => s + p.days, 0) / group.length,
      averageTouches: group.reduce((s, p) => s + p.touches.length, 0) / group.length,
    }))
    .sort((a, b) => b.conversions - a.conversions || a.path.length - b.path.length)
    .slice(0, 12);
  const buckets = [
    { label: "< 1 day", max: 1 },
    { label: "1–3 days", max: 3 },
    { label: "3–7 days", max: 7 },
    { label: "7–14 days", max: 14 },
    { label: "14–30 days", max: 30 },
    { label: "30+ days", max: Number.POSITIVE_INFINITY },
  ];
  const daysHistogram = buckets.map((bucket, i) => ({
    label: bucket.label,
    count: pathConversions.filter(
      (p) => p.days < bucket.max && p.days >= (buckets[i - 1]?.max ?? 0),
    ).length,
  }));

  const partners = commissionBalances(input.commissions, { asOf: input.asOf });
  const payments = conversions.filter(
    (c) => c.name === "first_payment" || c.name === "recurring_payment",
  );
  const refunds = conversions.filter((c) => c.name === "refund");
  const owed = partners.map((b) => ({
    amount: b.pending.amount + b.payable.amount,
    currency: b.currency,
  }));

  return {
    generatedAt: input.asOf,
    currency,
    currencies,
    models,
    headline: {
      customers: new Set(payments.map((c) => c.customerId)).size,
      firstPayments: firstPayments.length,
      payments: payments.length,
      leads: conversions.filter((c) => c.name === "lead").length,
      refunds: refunds.length,
      revenue: sumBy(revenue.map((c) => c.value as Money)),
      averageDaysToConvert: pathConversions.length
        ? pathConversions.reduce((s, p) => s + p.days, 0) / pathConversions.length
        : null,
      averageTouches: pathConversions.length
        ? pathConversions.reduce((s, p) => s + p.touches.length, 0) / pathConversions.length
        : null,
      commissionsOwed: sumBy(owed),
    },
    days,
    channelsOverTime,
    campaignsOverTime,
    channelModel,
    paths: { top, conversions: pathConversions, daysHistogram },
    partners,
    explained: revenue.map((c) => ({
      id: c.id,
      name: c.name,
      occurredAt: c.occurredAt,
      value: c.value,
      customerId: c.customerId,
      credits: c.credits,
      touchpoints: c.touchpoints,
      explanations: c.explanations,
    })),
    destinations: input.destinations ?? [],
  };
}

/** `amount` in `currency` for people: `$1,234.00`, `¥4,900`, `€39.00`. */
export function formatMoney(value: Money): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: value.currency }).format(
    toMajorNumber(value),
  );
}
