/**
 * Attribution throughput: conversions × 10 touchpoints under first-touch alone and under all seven
 * models side by side, each as a cost ratio to a plain loop over the same data (find the earliest
 * touchpoint, add the value: no exactness, no explanation) measured in the same run.
 *
 * The data set is 100 000 conversions × 10 touchpoints (1 M touchpoint objects); 1 M conversions would
 * need ~10 M objects (several GB) on a shared 2-core machine. Rates are per second, so they extrapolate
 * directly to 1 M conversions. Explanations are built on read; one row reads every explanation.
 */

import { loadavg } from "node:os";
import {
  type AttributionInput,
  type AttributionOptions,
  createAttributionEngine,
  days,
  MODEL_NAMES,
} from "@revtrace/attribution";
import { allocateMoney, type Channel, type Money, type Touchpoint } from "@revtrace/core";
import { type BenchResult, bench, report } from "../../../scripts/bench-kit.ts";

const CONVERSIONS = 100_000;
const TOUCHPOINTS = 10;
const CHANNELS: Channel[] = [
  "paid_social",
  "paid_search",
  "email",
  "organic_search",
  "referral",
  "direct",
  "affiliate",
];

// Deterministic pseudo-random data (mulberry32).
let seed = 42;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const start = Date.UTC(2025, 0, 1);
const conversions: AttributionInput[] = [];
const paths: Touchpoint[][] = [];
for (let c = 0; c < CONVERSIONS; c++) {
  const at = start + Math.floor(random() * days(365));
  const path: Touchpoint[] = [];
  for (let k = 0; k < TOUCHPOINTS; k++) {
    const channel = CHANNELS[Math.floor(random() * CHANNELS.length)] as Channel;
    path.push({
      id: `tp_${c}_${k}`,
      anonymousId: `anon_${c}`,
      occurredAt: at - Math.floor(random() * days(60)),
      clickIds: channel === "affiliate" ? { affiliateRef: `partner_${c % 50}` } : {},
      utm: {},
      channel,
    });
  }
  const value: Money = {
    amount: 1000 + Math.floor(random() * 100_000),
    currency: c % 3 === 0 ? "EUR" : "USD",
  };
  conversions.push({
    occurredAt: at,
    value,
    affiliateRef: c % 4 === 0 ? `partner_${c % 50}` : null,
  });
  paths.push(path);
}

let sink = 0;
const perPass = { opsPerCall: CONVERSIONS, rounds: 5 };

const baseline = bench(
  "plain loop (earliest touchpoint, inexact)",
  () => {
    for (let c = 0; c < CONVERSIONS; c++) {
      const path = paths[c] as Touchpoint[];
      let first = path[0] as Touchpoint;
      for (const tp of path) if (tp.occurredAt < first.occurredAt) first = tp;
      sink += ((conversions[c] as AttributionInput).value?.amount ?? 0) + first.occurredAt;
    }
  },
  perPass,
);

function run(name: string, options: AttributionOptions, readExplanations = false) {
  const engine = createAttributionEngine(options);
  return bench(
    name,
    () => {
      for (let c = 0; c < CONVERSIONS; c++) {
        const result = engine.attribute(
          conversions[c] as AttributionInput,
          paths[c] as Touchpoint[],
        );
        sink += result.credits.length;
        if (readExplanations)
          for (const model of result.models) sink += model.explanation.considered.length;
      }
    },
    perPass,
  );
}

// The money allocation inside the 7-model run, alone: linear, time-decay and position-based each
// allocate the value over 10 weights (the other four models credit one touchpoint: no allocation).
const linearWeights = new Array<number>(TOUCHPOINTS).fill(1);
const positionWeights = [320, 20, 20, 20, 20, 20, 20, 20, 20, 320];
const decayWeights = paths.map((path) => {
  const times = path.map((tp) => tp.occurredAt).sort((a, b) => a - b);
  const latest = times[times.length - 1] as number;
  return times.map((t) => 2 ** (-(latest - t) / days(7)));
});
const allocationOnly = bench(
  "allocateMoney only: the 3 × 10-part allocations of the 7-model run",
  () => {
    for (let c = 0; c < CONVERSIONS; c++) {
      const value = (conversions[c] as AttributionInput).value as Money;
      sink += allocateMoney(value, linearWeights).length;
      sink += allocateMoney(value, decayWeights[c] as number[]).length;
      sink += allocateMoney(value, positionWeights).length;
    }
  },
  perPass,
);

const firstTouch = run("attribute: first_touch", {});
const allModels = run("attribute: 7 models side by side", { models: [...MODEL_NAMES] });
const allWithWindows = run("attribute: 7 models, 30-day windows", {
  models: MODEL_NAMES.map((model) => ({ model, lookbackMs: days(30) })),
});
const firstTouchExplained = run("attribute: first_touch + explanation read", {}, true);
const allExplained = run(
  "attribute: 7 models + explanations read",
  { models: [...MODEL_NAMES] },
  true,
);

report(
  `Attribution, ${CONVERSIONS.toLocaleString("en-US")} conversions × ${TOUCHPOINTS} touchpoints`,
  baseline,
  [firstTouch, allModels, allWithWindows, firstTouchExplained, allExplained, allocationOnly],
);
const rate = (r: BenchResult) => Math.round(r.opsPerSec).toLocaleString("en-US");
const ratio = (r: BenchResult) => (r.nsPerOp / baseline.nsPerOp).toFixed(2);
// The machines are shared: the load average tells how far the absolute rates can be trusted.
console.log(
  `\nconversions/s (cost vs the plain loop at ${rate(baseline)}/s; load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")}):\n` +
    `- first_touch: ${rate(firstTouch)} (${ratio(firstTouch)}×), target ≥ 1,000,000\n` +
    `- 7 models side by side: ${rate(allModels)} (${ratio(allModels)}×), target ≥ 200,000; ` +
    `core allocateMoney alone takes ${((100 * allocationOnly.nsPerOp) / allModels.nsPerOp).toFixed(0)}% ` +
    `of it (${Math.round(allocationOnly.nsPerOp).toLocaleString("en-US")} ns per conversion)`,
);
if (sink === 42) console.log("");
