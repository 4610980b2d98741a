/**
 * @revtrace/attribution: credit every Chargebee payment to the touchpoints that earned it (first-touch,
 * last-touch, last non-direct, linear, time-decay, position-based, click-id chain; side by side, exact
 * to the minor unit, explained), and keep affiliate commissions in an exact append-only ledger.
 *
 * @module
 */
export {
  type AttributionEngine,
  attribute,
  createAttributionEngine,
} from "./attribution-engine.js";
export {
  type AttributionInput,
  conversionFromBillingEvent,
  originalConversionTime,
  type ResolvedInput,
} from "./attribution-input.js";
export {
  type AttributionOptions,
  CLICK_ID_FIELDS,
  type ClickIdField,
  MODEL_NAMES,
  type ModelName,
  type ModelOptions,
  type ResolvedModel,
} from "./attribution-options.js";
export type {
  AttributionResult,
  ConsideredTouchpoint,
  DecidingRule,
  ExcludedTouchpoint,
  ExclusionReason,
  Explanation,
  ModelAttribution,
} from "./attribution-result.js";
export {
  type BalanceOptions,
  type CommissionBalance,
  commissionBalances,
} from "./commission-balances.js";
export { commissionEntries, isSkippedRefund } from "./commission-entries.js";
export {
  type CommissionEvent,
  type CommissionPayment,
  type CommissionPayout,
  type CommissionRefund,
  commissionEventFromBillingEvent,
  type Referral,
} from "./commission-events.js";
export {
  type CommissionLedger,
  type CommissionLedgerOptions,
  createCommissionLedger,
} from "./commission-ledger.js";
export {
  type CommissionPolicy,
  type CommissionPolicyOptions,
  type CommissionRule,
  type CommissionRuleOptions,
  createCommissionPolicy,
} from "./commission-policy.js";
export { inheritAttribution, type SubsequentConversion } from "./inherit-attribution.js";
export { JOURNAL_PARTNER_ID } from "./ledger-index.js";
export { LOOKBACK_PRESETS } from "./lookback-presets.js";
export { DAY_MS, days } from "./time.js";
