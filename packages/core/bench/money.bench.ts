/**
 * Money allocation cost: `allocateMoney` into 10 parts (integer and fractional weights) against a plain
 * loop that splits a number by the same weights with floating point (inexact, the baseline).
 */
import { allocateMoney, type Money } from "@revtrace/core";
import { bench, report } from "../../../scripts/bench-kit.ts";

const value: Money = { amount: 123_456_789, currency: "USD" };
const intWeights = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const floatWeights = intWeights.map((w) => 0.5 ** (w / 7));
const sumFloat = floatWeights.reduce((a, b) => a + b, 0);
let sink = 0;

const baseline = bench("float split (inexact)", () => {
  for (const w of floatWeights) sink += Math.floor((value.amount * w) / sumFloat);
});
const results = [
  bench("allocateMoney, 10 integer weights", () => {
    sink += allocateMoney(value, intWeights).length;
  }),
  bench("allocateMoney, 10 fractional weights", () => {
    sink += allocateMoney(value, floatWeights).length;
  }),
];
report("Money allocation (10 parts)", baseline, results);
if (sink === 42) console.log("");
