/**
 * Fixtures and checks shared by the files of the storage conformance suite.
 *
 * @module
 */
import {
  type InboxEventInput,
  type OutboxItemInput,
  type Storage,
  StorageError,
} from "@revtrace/core";
import { expect } from "vitest";

export const T0 = 1_700_000_000_000;

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function outboxItem(
  idempotencyKey: string,
  extra: Partial<OutboxItemInput> = {},
): OutboxItemInput {
  return { sink: "tiktok", idempotencyKey, payload: { key: idempotencyKey }, ...extra };
}

/** An inbound event to ingest (a payment webhook). */
export function inboxEvent(key: string, extra: Partial<InboxEventInput> = {}): InboxEventInput {
  return {
    key,
    source: "chargebee",
    type: "payment_succeeded",
    receivedAt: T0,
    rawBody: `{"id":"${key}","event_type":"payment_succeeded"}`,
    event: { id: key, type: "payment_succeeded", amount: { amount: 4_999, currency: "USD" } },
    ...extra,
  };
}

/** What the suite's files get from `runStorageConformance` to register their tests. */
export interface StorageConformanceContext {
  /** A fresh storage, closed after the test. */
  open(): Promise<Storage>;
  /** Two storages on one database; only from tests registered with `crossConnection`. */
  openPair(): Promise<[Storage, Storage]>;
  /** Registers a test only when the engine can open a second connection. */
  crossConnection(title: string, fn: () => Promise<void>): void;
  /** How many calls race in the concurrency tests. */
  concurrency: number;
}

/** Asserts that `promise` rejects with a `StorageError` of `engine`; returns the error. */
export async function isStorageError(
  promise: Promise<unknown>,
  engine: string,
): Promise<StorageError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  expect(StorageError.isInstance(error), String(error)).toBe(true);
  expect((error as StorageError).engine).toBe(engine);
  return error as StorageError;
}

/** One invalid call: the method, the argument path the error must name, and the call. */
export type InvalidCase = readonly [
  method: string,
  path: string,
  call: (s: Storage) => Promise<unknown>,
];

/**
 * Asserts that each call is refused as invalid input: a `StorageError` of the engine with
 * `invalidInput`, HTTP 400, and the message `<engine> storage: <method>: invalid input: <path>: …`.
 */
export async function rejectsEach(s: Storage, cases: readonly InvalidCase[]): Promise<void> {
  for (const [method, path, call] of cases) {
    const error = await call(s).then(
      () => new Error(`${method} accepted an invalid ${path}`),
      (e: unknown) => e,
    );
    expect(StorageError.isInstance(error), String(error)).toBe(true);
    expect((error as StorageError).engine).toBe(s.engine);
    expect((error as StorageError).invalidInput, String(error)).toBe(true);
    expect((error as StorageError).httpStatus).toBe(400);
    const prefix = `${s.engine} storage: ${method}: invalid input: ${path}: `;
    expect((error as Error).message.startsWith(prefix), String(error)).toBe(true);
  }
}
