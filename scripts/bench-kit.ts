/**
 * A tiny benchmark kit shared by every `packages/<name>/bench/*.bench.ts` file (run by
 * `npm run bench`). Each benchmark measures its own baseline in the same run and reports ratios,
 * because the machines are shared and noisy (shared/DESIGN.md §6). Never used by unit tests.
 */
import { performance } from "node:perf_hooks";

export interface BenchResult {
  name: string;
  /** Median nanoseconds per operation over the rounds. */
  nsPerOp: number;
  /** Operations per second at the median. */
  opsPerSec: number;
  /** Operations per round (calibrated). */
  opsPerRound: number;
}

export interface BenchOptions {
  /** Rounds measured after warm-up; the median is reported. @default 7 */
  rounds?: number;
  /** Target duration of one round. @default 200 */
  roundMs?: number;
  /** Operations performed by one call of `fn` (for batch benchmarks). @default 1 */
  opsPerCall?: number;
}

const DEFAULTS = { rounds: 7, roundMs: 200, opsPerCall: 1 };

/** Calls per round so that one round lasts about `roundMs`, from a warm-up run of `calls` calls. */
function calibrated(calls: number, elapsedMs: number, roundMs: number): number {
  return Math.max(1, Math.round((calls * roundMs) / Math.max(elapsedMs, 0.001)));
}

function summarize(
  name: string,
  samples: number[],
  calls: number,
  opsPerCall: number,
): BenchResult {
  samples.sort((a, b) => a - b);
  const nsPerOp = samples[Math.floor(samples.length / 2)] as number;
  return { name, nsPerOp, opsPerSec: 1e9 / nsPerOp, opsPerRound: calls * opsPerCall };
}

/** Measures `fn` (synchronous) and returns its median cost. */
export function bench(name: string, fn: () => unknown, options: BenchOptions = {}): BenchResult {
  const { rounds, roundMs, opsPerCall } = { ...DEFAULTS, ...options };
  const round = (calls: number) => {
    const start = performance.now();
    for (let i = 0; i < calls; i++) fn();
    return performance.now() - start;
  };
  // Warm up and calibrate: double until one round takes at least roundMs / 4.
  let calls = 1;
  for (let elapsed = round(calls); ; elapsed = round(calls)) {
    if (elapsed >= roundMs / 4) {
      calls = calibrated(calls, elapsed, roundMs);
      break;
    }
    calls *= 2;
  }
  const samples = Array.from({ length: rounds }, () => (round(calls) * 1e6) / (calls * opsPerCall));
  return summarize(name, samples, calls, opsPerCall);
}

/** Measures an async `fn` (awaited one call at a time). */
export async function benchAsync(
  name: string,
  fn: () => Promise<unknown>,
  options: BenchOptions = {},
): Promise<BenchResult> {
  const { rounds, roundMs, opsPerCall } = { ...DEFAULTS, rounds: 5, roundMs: 300, ...options };
  const round = async (calls: number) => {
    const start = performance.now();
    for (let i = 0; i < calls; i++) await fn();
    return performance.now() - start;
  };
  let calls = 1;
  for (let elapsed = await round(calls); ; elapsed = await round(calls)) {
    if (elapsed >= roundMs / 4) {
      calls = calibrated(calls, elapsed, roundMs);
      break;
    }
    calls *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++)
    samples.push(((await round(calls)) * 1e6) / (calls * opsPerCall));
  return summarize(name, samples, calls, opsPerCall);
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

/** Prints results as a table, each with its cost as a ratio to `baseline` (cost / baseline cost). */
export function report(
  title: string,
  baseline: BenchResult,
  results: readonly BenchResult[],
): void {
  console.log(`\n## ${title}`);
  console.log(`| benchmark | ns/op | ops/s | cost vs ${baseline.name} |`);
  console.log("|---|---:|---:|---:|");
  for (const r of [baseline, ...results]) {
    console.log(
      `| ${r.name} | ${fmt(r.nsPerOp, 1)} | ${fmt(r.opsPerSec)} | ${(r.nsPerOp / baseline.nsPerOp).toFixed(2)}× |`,
    );
  }
}
