/**
 * Time helpers. Every time inside the library is epoch milliseconds.
 *
 * @module
 */

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** `n` days in milliseconds, e.g. `days(7)` for a 7-day lookback window. */
export function days(n: number): number {
  return n * DAY_MS;
}

/**
 * `at` plus `months` calendar months in UTC. The day of month is clamped to the last day of the target
 * month (Jan 31 + 1 month = Feb 28/29), as billing systems do.
 */
export function addMonthsUtc(at: number, months: number): number {
  const date = new Date(at);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}
