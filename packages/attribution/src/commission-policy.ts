/**
 * Commission rules per partner and program: percent or flat, for how long, trial handling, minimums.
 * Validated once by {@link createCommissionPolicy}.
 *
 * @module
 */
import { type Money, MoneySchema, parseOptions, type Rounding } from "@revtrace/core";
import { z } from "zod";

import { DAY_MS } from "./time.js";

const perCurrency = z
  .array(MoneySchema)
  .min(1)
  .refine((list) => new Set(list.map((m) => m.currency)).size === list.length, {
    message: "One amount per currency",
  });

const DurationSchema = z.union([
  z.enum(["first_payment", "lifetime"]),
  z.object({ months: z.number().int().positive() }).strict(),
  z.object({ payments: z.number().int().positive() }).strict(),
]);

const RuleSchema = z
  .strictObject({
    /** Shown in entry notes. @default derived from partner and program */
    id: z.string().min(1).optional(),
    /** The partner this rule is for; `null` = any partner. @default null */
    partnerId: z.string().min(1).nullable().default(null),
    /** The program this rule is for; `null` = any program. @default null */
    programId: z.string().min(1).nullable().default(null),
    /** Percent of each payment (up to 4 decimals, e.g. 12.5). Exactly one of `percent` / `flat`. */
    percent: z
      .number()
      .min(0)
      .max(100)
      .refine((p) => Math.abs(p * 10_000 - Math.round(p * 10_000)) < 1e-6, {
        message: "At most 4 decimals",
      })
      .optional(),
    /** A fixed amount per payment, one per currency; payments in other currencies earn nothing. */
    flat: perCurrency.optional(),
    /**
     * Which payments earn: `first_payment`, `lifetime`, `{ months: n }` from the subscription's start,
     * or `{ payments: n }`. @default "lifetime"
     */
    duration: DurationSchema.default("lifetime"),
    /**
     * Zero-amount payments (trial invoices): `skip` them (they neither earn nor count as the first
     * payment) or `earn` on them like any payment (a flat bounty per trial signup). @default "skip"
     */
    trialPayments: z.enum(["skip", "earn"]).default("skip"),
    /** Payments below this amount (in their currency) earn nothing. @default none */
    minimumPayment: perCurrency.nullable().default(null),
    /** How long an earned commission stays pending before it is payable (refund window). @default 30 days */
    holdMs: z
      .number()
      .int()
      .nonnegative()
      .default(30 * DAY_MS),
    /** Rounding of percent commissions. @default "half-up" */
    rounding: z.enum(["half-even", "half-up", "floor", "ceil", "trunc"]).default("half-up"),
  })
  .refine((rule) => (rule.percent === undefined) !== (rule.flat === undefined), {
    message: "Give exactly one of percent or flat",
    path: ["percent"],
  });

const PolicySchema = z
  .strictObject({
    /** The rules; the most specific one matching a referral applies (partner+program > partner > program > default). */
    rules: z.array(RuleSchema),
    /** A payout is only made when the payable amount reaches this, per currency. @default none */
    minimumPayouts: perCurrency.nullable().default(null),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.rules.forEach((rule, index) => {
      const scope = `${rule.partnerId ?? "*"}/${rule.programId ?? "*"}`;
      if (seen.has(scope)) {
        ctx.addIssue({ code: "custom", message: `Two rules for ${scope}`, path: ["rules", index] });
      }
      seen.add(scope);
    });
  });

/** Options of {@link createCommissionPolicy}. */
export type CommissionPolicyOptions = z.input<typeof PolicySchema>;
/** One rule as written. */
export type CommissionRuleOptions = z.input<typeof RuleSchema>;

/** A validated rule. */
export interface CommissionRule {
  id: string;
  partnerId: string | null;
  programId: string | null;
  /** Percent as parts per million of the payment (12.5 % = 125 000), or `null` for flat. */
  ppm: number | null;
  flat: readonly Money[] | null;
  duration: z.output<typeof DurationSchema>;
  trialPayments: "skip" | "earn";
  minimumPayment: readonly Money[] | null;
  holdMs: number;
  rounding: Rounding;
}

/** Validated commission rules. */
export interface CommissionPolicy {
  readonly rules: readonly CommissionRule[];
  readonly minimumPayouts: readonly Money[] | null;
  /** The most specific rule for a referral, or `null`. */
  ruleFor(partnerId: string, programId: string | null): CommissionRule | null;
}

/**
 * Validates commission rules.
 *
 * @throws ConfigError naming the bad field.
 * @example
 * createCommissionPolicy({ rules: [{ percent: 30, duration: { months: 12 } }, { partnerId: "p_vip", percent: 40 }] });
 */
export function createCommissionPolicy(options: CommissionPolicyOptions): CommissionPolicy {
  const parsed = parseOptions(PolicySchema, options, "commission policy");
  const rules: CommissionRule[] = parsed.rules.map((rule) => ({
    id: rule.id ?? `${rule.partnerId ?? "any-partner"}/${rule.programId ?? "any-program"}`,
    partnerId: rule.partnerId,
    programId: rule.programId,
    ppm: rule.percent === undefined ? null : Math.round(rule.percent * 10_000),
    flat: rule.flat ?? null,
    duration: rule.duration,
    trialPayments: rule.trialPayments,
    minimumPayment: rule.minimumPayment,
    holdMs: rule.holdMs,
    rounding: rule.rounding,
  }));
  const find = (partnerId: string | null, programId: string | null) =>
    rules.find((rule) => rule.partnerId === partnerId && rule.programId === programId) ?? null;
  return {
    rules,
    minimumPayouts: parsed.minimumPayouts,
    ruleFor(partnerId, programId) {
      return (
        (programId === null ? null : find(partnerId, programId)) ??
        find(partnerId, null) ??
        (programId === null ? null : find(null, programId)) ??
        find(null, null)
      );
    },
  };
}
