/**
 * Field readers for Chargebee payloads: each reads one field of a raw JSON object, checks it, and
 * returns it in the normalized form (or `null` when absent), throwing a {@link WebhookPayloadError}
 * that names the field's full path (`content.transaction.amount`) when it is of the wrong kind.
 *
 * Why not zod on this path: parse + validate + normalize must stay within 1.5× `JSON.parse` over the
 * real fixtures (bench/parse.bench.ts). zod's strip-mode objects copy every object once before the
 * normalizer copies it again, and that pass alone cost ~0.5× `JSON.parse`. These readers validate
 * while building the output, in one pass, and only what is read (spec §2: unknown keys are ignored).
 * Options, API responses and Retention events still go through zod.
 *
 * @module
 */
import { isStorableText, WebhookPayloadError } from "@revtrace/core";
import type { z } from "zod";
import { isoExponent } from "./chargebee-money.js";

/** A raw JSON object as received. */
export type RawObject = Readonly<Record<string, unknown>>;

/** Where an object sits in the body (`["content", "subscription"]`). */
export type Path = readonly (string | number)[];

/**
 * Spec §5: timestamps are unix seconds. Anything from 10^11 on (the year 5138) is refused: such a value
 * is almost surely milliseconds, and reading it as seconds would date the event millennia ahead.
 */
export const MAX_UNIX_SECONDS = 99_999_999_999;

/** Spec §2: event ids are at most 40 characters. */
export const MAX_EVENT_ID_LENGTH = 40;

/** Throws the payload error for `at.key`. Messages name paths and rules, never values. */
export function fail(at: Path, key: string | number | null, message: string): never {
  const path = key === null ? [...at] : [...at, key];
  const where = path.length > 0 ? path.join(".") : "(body)";
  throw new WebhookPayloadError(`Invalid Chargebee event: ${where}: ${message}`, {
    issues: [{ code: "custom", path, message } as z.core.$ZodIssue],
  });
}

export function isObject(value: unknown): value is RawObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An optional nested object. */
export function object(raw: RawObject, key: string, at: Path): RawObject | null {
  const value = raw[key];
  if (value == null) return null;
  if (isObject(value)) return value;
  return fail(at, key, "Expected an object");
}

/** An optional array. */
export function array(raw: RawObject, key: string, at: Path): readonly unknown[] | null {
  const value = raw[key];
  if (value == null) return null;
  if (Array.isArray(value)) return value;
  return fail(at, key, "Expected an array");
}

/** The object at `list[index]`. */
export function element(list: readonly unknown[], index: number, at: Path): RawObject {
  const value = list[index];
  if (isObject(value)) return value;
  return fail(at, index, "Expected an object");
}

/** An optional string, as given. */
export function str(raw: RawObject, key: string, at: Path): string | null {
  const value = raw[key];
  if (value == null || typeof value === "string") return (value as string | null) ?? null;
  return fail(at, key, "Expected a string");
}

/** An optional string, trimmed; blank is `null`. */
export function text(raw: RawObject, key: string, at: Path): string | null {
  const value = str(raw, key, at);
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** A required id: a non-blank string (spec §5: ids are strings, never numbers). */
export function id(raw: RawObject, key: string, at: Path): string {
  const value = raw[key];
  if (typeof value === "string" && value.trim() !== "") return storableId(value, key, at);
  return fail(at, key, "Expected a non-empty id (a string)");
}

/** An optional id: absent, or a non-blank string. */
export function optId(raw: RawObject, key: string, at: Path): string | null {
  const value = raw[key];
  if (value == null) return null;
  if (typeof value === "string" && value.trim() !== "") return storableId(value, key, at);
  return fail(at, key, "Expected a non-empty id (a string)");
}

/**
 * Ids name stored rows (resource versions, mappings, ledger keys): one holding U+0000 or a lone
 * surrogate could never be stored (core's storage input rules), so the event is invalid here, and
 * quarantined, rather than acknowledged and then failing in the worker on every attempt.
 */
function storableId(value: string, key: string, at: Path): string {
  if (isStorableText(value)) return value;
  return fail(at, key, "An id cannot contain U+0000 or a lone UTF-16 surrogate");
}

export function bool(raw: RawObject, key: string, at: Path): boolean | null {
  const value = raw[key];
  if (value == null || typeof value === "boolean") return (value as boolean | null) ?? null;
  return fail(at, key, "Expected a boolean");
}

/** An optional finite number (exchange rates). */
export function num(raw: RawObject, key: string, at: Path): number | null {
  const value = raw[key];
  if (value == null) return null;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return fail(at, key, "Expected a number");
}

/** An optional safe integer (counts such as `billing_period`). */
export function int(raw: RawObject, key: string, at: Path): number | null {
  const value = raw[key];
  if (value == null) return null;
  if (Number.isSafeInteger(value)) return value as number;
  return fail(at, key, "Expected a safe integer");
}

/**
 * An optional amount in Chargebee's minor units (spec §5: integers up to 2^53 − 1). Totals, payments,
 * prices and balances read here are never negative in Chargebee; a negative one is refused.
 */
export function amount(raw: RawObject, key: string, at: Path): number | null {
  const value = raw[key];
  if (value == null) return null;
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  return fail(at, key, "Expected an amount: a non-negative safe integer of minor units");
}

/** An optional quantity: a finite number ≥ 0. */
export function quantity(raw: RawObject, key: string, at: Path): number | null {
  const value = raw[key];
  if (value == null) return null;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  return fail(at, key, "Expected a quantity: a number >= 0");
}

/** An optional unix-seconds time (spec §5), returned as epoch milliseconds. */
export function seconds(raw: RawObject, key: string, at: Path): number | null {
  const value = raw[key];
  if (value == null) return null;
  if (Number.isInteger(value) && (value as number) >= 0) {
    if ((value as number) <= MAX_UNIX_SECONDS) return (value as number) * 1000;
    return fail(at, key, "Expected unix seconds; the value looks like milliseconds");
  }
  return fail(at, key, "Expected unix seconds (an integer)");
}

/** An optional epoch-milliseconds value (spec §5: `resource_version`). */
export function millis(raw: RawObject, key: string, at: Path): number | null {
  const value = raw[key];
  if (value == null) return null;
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  return fail(at, key, "Expected epoch milliseconds (an integer)");
}

/** An optional currency: an upper-case ISO 4217 code known to `@revtrace/core`. */
export function currency(raw: RawObject, key: string, at: Path): string | null {
  const value = raw[key];
  if (value == null) return null;
  if (typeof value === "string" && isoExponent(value) !== undefined) return value;
  return fail(at, key, "Unknown ISO 4217 currency code (expected an upper-case code)");
}
