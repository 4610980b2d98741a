/**
 * Chargebee bodies for the pipeline tests: the real and synthetic fixtures of `@revtrace/chargebee`
 * (read as files), and helpers that move a body's times so TikTok's 7-day window accepts it.
 */
import { readFileSync } from "node:fs";

const dir = new URL("../../chargebee/test/fixtures/", import.meta.url);

/** The raw text of a Chargebee fixture. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, dir), "utf8");
}

/** A fixture as a mutable object. */
export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name)) as Record<string, unknown>;
}

/**
 * `event` with every `*_at`/`date` time moved so that `occurred_at` is `secondsAgo` before `now`
 * (resource versions move with it), and every string equal to `from` replaced by `to`.
 */
export function shifted(
  event: Record<string, unknown>,
  now: number,
  secondsAgo = 300,
  replace: Record<string, string> = {},
): Record<string, unknown> {
  const shift = Math.floor(now / 1000) - secondsAgo - (event.occurred_at as number);
  const walk = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    if (typeof value === "string") return replace[value] ?? value;
    if (typeof value !== "number") return value;
    if (key === "resource_version") return value + shift * 1000;
    return key.endsWith("_at") || key === "date" ? value + shift : value;
  };
  return walk(event, "") as Record<string, unknown>;
}

/** The `Authorization` header of a Basic-auth pair. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}
