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
/** Measures `fn` (synchronous) and returns its median cost. */
export declare function bench(name: string, fn: () => unknown, options?: BenchOptions): BenchResult;
/** Measures an async `fn` (awaited one call at a time). */
export declare function benchAsync(
  name: string,
  fn: () => Promise<unknown>,
  options?: BenchOptions,
): Promise<BenchResult>;
/** Prints results as a table, each with its cost as a ratio to `baseline` (cost / baseline cost). */
export declare function report(
  title: string,
  baseline: BenchResult,
  results: readonly BenchResult[],
): void;
//# sourceMappingURL=bench-kit.d.ts.map
