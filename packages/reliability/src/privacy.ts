/**
 * The privacy scan: every log line of the run (in-process and the children's), every error the
 * outbox kept, and what TikTok received. No raw email, phone or secret may appear in a log line or an
 * error; TikTok may receive only SHA-256 hex of email, phone and external id.
 *
 * @module
 */
import type { PipelineStorage } from "@revtrace/pipeline";
import type { SandboxServer } from "@revtrace/sandbox";
import type { RowResult } from "./row.js";
import type { Simulation } from "./simulator.js";
import { capturedLogs, SECRETS } from "./stack.js";

const emails = new Set<string>();
const phones = new Set<string>();
const tiktokEvents: Record<string, unknown>[] = [];
const errors: string[] = [];

/** Registers a simulation's personal data: the scan looks for every one of them. */
export function registerPersonalData(sim: Simulation): void {
  for (const value of sim.personalData) {
    if (value.includes("@")) emails.add(value.toLowerCase());
    else {
      const digits = value.replace(/\D/g, "");
      phones.add(digits);
      if (digits.length === 11 && digits.startsWith("1")) phones.add(digits.slice(1));
      if (digits.length === 10) phones.add(`1${digits}`);
    }
  }
}

/** Keeps what TikTok received, for the hashed-only check. */
export function recordTikTok(sandbox: SandboxServer): void {
  for (const r of sandbox.recorded.tiktok) tiktokEvents.push(r.event as Record<string, unknown>);
}

/**
 * Keeps the errors the outbox recorded (dead letters and retries carry `lastError`). Only the error:
 * the item's payload is the conversion itself, whose contact the sinks need (stored, never logged).
 */
export async function recordErrors(storage: PipelineStorage): Promise<void> {
  for (const item of await storage.listFailures({ limit: 10_000 })) {
    if (item.lastError) errors.push(item.lastError);
  }
}

/** The personal data and secrets in one text. */
export function leaksIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g)) {
    if (emails.has(match[0].toLowerCase())) found.push("email");
  }
  for (const match of text.matchAll(/\+?\d[\d ().-]{7,}\d/g)) {
    if (phones.has(match[0].replace(/\D/g, ""))) found.push("phone");
  }
  for (const secret of SECRETS) if (text.includes(secret)) found.push("secret");
  return found;
}

const HEX64 = /^[0-9a-f]{64}$/;

function hashedOnly(event: Record<string, unknown>): boolean {
  const user = (event.user ?? {}) as Record<string, unknown>;
  for (const field of ["email", "phone", "external_id"]) {
    const value = user[field];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v) => typeof v === "string" && HEX64.test(v))) return false;
  }
  return leaksIn(JSON.stringify(event)).length === 0;
}

export function privacyRows(): RowResult[] {
  const lines = [...capturedLogs, ...errors];
  const kinds = new Map<string, number>();
  let dirty = 0;
  const examples: string[] = [];
  for (const line of lines) {
    const leaks = leaksIn(line);
    if (leaks.length === 0) continue;
    dirty++;
    for (const k of new Set(leaks)) kinds.set(k, (kinds.get(k) ?? 0) + 1);
    // The example names the component and message, never the value found.
    if (examples.length < 5)
      examples.push(line.slice(0, 120).replace(/[^\s"]+@[^\s"]+/g, "<email>"));
  }
  const hashed = tiktokEvents.filter(hashedOnly).length;
  return [
    {
      row: "privacy: logs and errors",
      tried: lines.length,
      delivered: lines.length - dirty,
      lost: dirty,
      duplicated: 0,
      notes: `lines (log entries of every process, outbox errors) scanned for ${emails.size} emails, ${phones.size} phone forms, ${SECRETS.length} secrets; found ${
        [...kinds].map(([k, n]) => `${k} in ${n}`).join(", ") || "none"
      }`,
      ok: dirty === 0 && lines.length > 0,
      details: examples.map((e) => `privacy leak (shape): ${e}`),
    },
    {
      row: "privacy: TikTok hashed only",
      tried: tiktokEvents.length,
      delivered: hashed,
      lost: tiktokEvents.length - hashed,
      duplicated: 0,
      notes:
        "every email, phone and external_id SHA-256 hex; no raw email or phone anywhere in the event",
      ok: hashed === tiktokEvents.length && tiktokEvents.length > 0,
    },
  ];
}
