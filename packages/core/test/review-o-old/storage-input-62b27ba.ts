/**
 * The input rules every storage engine enforces, in one place. Engines hand {@link checkStorageInput}
 * to {@link guardStorageMethods} (`validate`), which checks each call's arguments before the engine
 * sees them, so an invalid call fails identically everywhere: a `StorageError`
 * (`<engine> storage: <method>: invalid input: <path>: <why>`, never the value) and nothing written.
 *
 * The rules:
 * - Ledger entries and touchpoints match their core schema (`CommissionSchema`: integer minor units,
 *   a known currency, …; `TouchpointSchema`); identity keys have a known kind and a non-empty value;
 *   every other argument has its interface's type.
 * - Every time, version, position, count and limit is a safe integer (`Number.isSafeInteger`); limits,
 *   `afterSeq` and `leaseMs` are not negative, and `now + leaseMs` stays safe.
 * - No string contains U+0000 (PostgreSQL text cannot hold it) or a lone UTF-16 surrogate (UTF-8
 *   databases would store U+FFFD instead, so two keys could collide): not an argument, not a field of a
 *   ledger entry or touchpoint (extra fields included). Outbox payloads are exempt: they are stored as
 *   JSON, which escapes both.
 *
 * - Raw bodies (inbox events, quarantined bodies) are stored as their UTF-8 bytes, byte for byte:
 *   U+0000 is allowed in them, a lone surrogate is not.
 * - Every value stored as JSON (records, outbox payloads, normalized inbox events, quarantine issues)
 *   must be one JSON can hold: engines serialize it with {@link storageJson} before writing anything,
 *   and a BigInt, a cycle or a function is refused as invalid input too (the same `StorageError`,
 *   HTTP 400), never as an engine failure.
 *
 * Unknown extra fields are allowed (a ledger entry is read back with every field it was written with).
 *
 * Records with a core schema are checked with it (zod); the other arguments with the small checks
 * below, which allocate nothing on valid input: they run on every storage call.
 *
 * @module
 */
import type { z } from "zod";
import { CommissionSchema } from "../../src/model/commission.js";
import { IdentityKeyKindSchema } from "../../src/model/identity-key.js";
import { TouchpointSchema } from "../../src/model/touchpoint.js";
import type { Storage } from "../../src/storage/storage.js";

/** What is wrong with a value, and where: its path from the innermost key outwards. */
interface Problem {
  why: string;
  reversedPath: (string | number)[];
}

/** A check: `undefined` when the value is valid. */
type Check = (value: unknown) => Problem | undefined;

const fail = (why: string): Problem => ({ why, reversedPath: [] });
const within = (problem: Problem | undefined, key: string | number) => {
  problem?.reversedPath.push(key);
  return problem;
};

/** A quick pre-check: U+0000 or any surrogate. */
const SUSPECT = /[\0\ud800-\udfff]/;
/** U+0000, a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Strings up to this length are pre-checked without `SUSPECT`. */
const SHORT = 64;

/** Why a string cannot be stored, or `undefined`. */
function unstorable(value: string): Problem | undefined {
  if (value.length <= SHORT) {
    // short strings (keys, ids) are scanned in place: cheaper than a call into the regex engine
    let suspect = false;
    for (let i = 0; i < value.length && !suspect; i++) {
      const c = value.charCodeAt(i);
      suspect = c === 0 || (c >= 0xd800 && c <= 0xdfff);
    }
    if (!suspect) return undefined;
  } else if (!SUSPECT.test(value)) return undefined;
  const match = UNSTORABLE.exec(value);
  if (!match) return undefined;
  return fail(match[0] === "\0" ? "contains U+0000" : "contains a lone UTF-16 surrogate");
}

/**
 * True when every storage engine can hold `value` as text: no U+0000 and no lone UTF-16 surrogate
 * (the rule above). Validators of untrusted input use it to refuse such strings up front, before they
 * are acknowledged and then refused by storage later.
 */
export function isStorableText(value: string): boolean {
  return unstorable(value) === undefined;
}

/** The first string anywhere in `value` that cannot be stored (cycles are left to the engine). */
function findUnstorable(value: unknown, seen: Set<object>): Problem | undefined {
  if (typeof value === "string") return unstorable(value);
  if (typeof value !== "object" || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findUnstorable(value[i], seen);
      if (problem) return within(problem, i);
    }
    return undefined;
  }
  const fields = value as Record<string, unknown>;
  for (const k of Object.keys(fields)) {
    const problem = findUnstorable(fields[k], seen);
    if (problem) return within(problem, k);
  }
  return undefined;
}

const text: Check = (v) => (typeof v === "string" ? unstorable(v) : fail("expected a string"));
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Raw bodies are stored as their UTF-8 bytes: U+0000 is kept, a lone surrogate could not be. */
const wellFormedText: Check = (v) =>
  typeof v !== "string"
    ? fail("expected a string")
    : LONE_SURROGATE.test(v)
      ? fail("contains a lone UTF-16 surrogate")
      : undefined;
const bool: Check = (v) => (typeof v === "boolean" ? undefined : fail("expected a boolean"));
/** A position to page after: `"0"` or a canonical decimal id. */
const afterId: Check = (v) =>
  v === "0" || (typeof v === "string" && parseOutboxId(v) !== null)
    ? undefined
    : fail('expected "0" or a canonical decimal id');
const nonEmptyText: Check = (v) => (v === "" ? fail("expected a non-empty string") : text(v));
const int: Check = (v) => (Number.isSafeInteger(v) ? undefined : fail("expected a safe integer"));
const nonNegative: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0
    ? undefined
    : fail("expected a non-negative safe integer");
const positive: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 1
    ? undefined
    : fail("expected a positive safe integer");
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined ? undefined : check(v);
const nullable =
  (check: Check): Check =>
  (v) =>
    v === null ? undefined : check(v);
const oneOf = (options: readonly string[]): Check => {
  const allowed = new Set(options);
  return (v) =>
    typeof v === "string" && allowed.has(v)
      ? undefined
      : fail(`expected one of ${options.join("|")}`);
};
const array =
  (item: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return fail("expected an array");
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i]);
      if (problem) return within(problem, i);
    }
    return undefined;
  };
/** The declared fields of an object (others are allowed and not checked). */
const object = (shape: Record<string, Check>): Check => {
  const fields = Object.entries(shape);
  return (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return fail("expected an object");
    for (const [k, check] of fields) {
      const problem = check((v as Record<string, unknown>)[k]);
      if (problem) return within(problem, k);
    }
    return undefined;
  };
};
/** A record with a core schema: the schema's first issue (zod's message), then the string rules. */
const record =
  (schema: z.ZodType): Check =>
  (v) => {
    const parsed = schema.safeParse(v);
    if (parsed.success) return findUnstorable(v, new Set());
    const [issue] = parsed.error.issues;
    return {
      why: issue?.message ?? "invalid",
      reversedPath: (issue?.path ?? []).map(String).reverse(),
    };
  };

const identityKey = object({ kind: oneOf(IdentityKeyKindSchema.options), value: nonEmptyText });
const identityKeys = array(identityKey);
const evidence = object({ source: text, observationId: text, at: int });
const workItems = array(object({ sink: text, idempotencyKey: text, availableAt: optional(int) }));
const claimQuery: Check = (v) =>
  object({ sink: text, limit: nonNegative, leaseMs: nonNegative, now: int })(v) ??
  (Number.isSafeInteger((v as { now: number }).now + (v as { leaseMs: number }).leaseMs)
    ? undefined
    : within(fail("now + leaseMs exceeds 2^53 - 1"), "leaseMs"));

type StorageMethod = Exclude<keyof Storage, "engine" | "migrate" | "close" | "deferredCommits">;

/** The parameters of every storage method, in order: name (a reported path's first segment), check. */
const PARAMS: Record<StorageMethod, readonly (readonly [string, Check])[]> = {
  findKeys: [["keys", identityKeys]],
  getPerson: [["id", text]],
  listPersonKeys: [["personId", text]],
  listEdges: [["keys", identityKeys]],
  listEarliestEdges: [
    ["key", identityKey],
    ["query", object({ times: positive, after: optional(int) })],
  ],
  listObservationEdges: [
    ["keys", identityKeys],
    ["observationIds", array(text)],
  ],
  readLinkState: [
    ["keys", identityKeys],
    [
      "query",
      object({
        rules: text,
        observationId: text,
        neighboursFrom: array((v) =>
          typeof v === "number" && v >= 0 ? undefined : fail("expected a non-negative number"),
        ),
        maxKeys: nonNegative,
      }),
    ],
  ],
  listRefusals: [["personId", text]],
  applyIdentityChange: [
    [
      "change",
      object({
        persons: optional(
          array(
            object({
              id: text,
              createdAt: int,
              mergedInto: nullable(text),
              mergedAt: nullable(int),
            }),
          ),
        ),
        keys: optional(array(object({ key: identityKey, personId: text, firstSeenAt: int }))),
        edges: optional(array(object({ a: identityKey, b: identityKey, evidence }))),
        refusals: optional(
          array(object({ personIds: array(text), keys: identityKeys, reason: text, evidence })),
        ),
        rules: optional(text),
      }),
    ],
  ],
  forgetKeys: [
    ["keys", identityKeys],
    ["options", optional(object({ rules: optional(text) }))],
  ],
  addTouchpoints: [["touchpoints", array(record(TouchpointSchema))]],
  getTouchpoint: [["id", text]],
  listTouchpoints: [
    [
      "query",
      object({
        anonymousIds: array(text),
        range: object({ from: int, to: int }),
        limit: optional(nonNegative),
      }),
    ],
  ],
  claimReceipt: [["receipt", object({ key: text, type: text, receivedAt: int })]],
  getReceipt: [["key", text]],
  // The payload is opaque JSON: not checked here.
  enqueue: [
    ["items", workItems],
    ["now", int],
  ],
  claim: [["query", claimQuery]],
  ack: [
    ["id", text],
    ["leaseToken", text],
    ["now", int],
  ],
  retry: [
    ["id", text],
    ["leaseToken", text],
    ["failure", object({ error: text, availableAt: int, now: int })],
  ],
  deadLetter: [
    ["id", text],
    ["leaseToken", text],
    ["failure", object({ error: text, now: int })],
  ],
  listFailures: [["query", object({ sink: optional(text), limit: nonNegative })]],
  getOutboxItem: [["id", text]],
  appendCommissions: [["entries", array(record(CommissionSchema))]],
  listCommissions: [
    [
      "query",
      optional(
        object({
          partnerId: optional(text),
          afterSeq: optional(nonNegative),
          limit: optional(nonNegative),
        }),
      ),
    ],
  ],
  getCommission: [["key", text]],
  // The normalized event, outbox payloads and quarantine issues are opaque JSON: not checked here.
  ingest: [
    [
      "event",
      object({
        key: text,
        source: text,
        type: text,
        receivedAt: int,
        rawBody: wellFormedText,
      }),
    ],
    ["work", workItems],
  ],
  getInboxEvent: [["key", text]],
  listInboxEvents: [
    [
      "query",
      object({ afterSeq: optional(nonNegative), source: optional(text), limit: nonNegative }),
    ],
  ],
  quarantine: [
    [
      "body",
      object({
        source: text,
        receivedAt: int,
        rawBody: wellFormedText,
        contentType: nullable(text),
        error: object({ code: text, message: text }),
      }),
    ],
  ],
  listQuarantine: [
    [
      "query",
      object({ afterId: optional(afterId), includeResolved: optional(bool), limit: nonNegative }),
    ],
  ],
  resolveQuarantine: [
    ["id", text],
    ["now", int],
  ],
  getResourceVersion: [
    ["resourceType", text],
    ["id", text],
  ],
  advanceResourceVersion: [
    ["resourceType", text],
    ["id", text],
    ["version", int],
  ],
  getMapping: [
    ["namespace", text],
    ["key", text],
  ],
  putMappingIfAbsent: [
    ["namespace", text],
    ["key", text],
    ["value", text],
  ],
  replaceMapping: [
    ["namespace", text],
    ["key", text],
    ["expected", text],
    ["value", text],
  ],
  putMapping: [
    ["namespace", text],
    ["key", text],
    ["value", text],
  ],
  deleteMapping: [
    ["namespace", text],
    ["key", text],
  ],
};

/**
 * Checks the arguments of a call to the storage method `method` against the rules in the module doc.
 * Returns what is wrong and where — an argument path and a description of the rule, never the value —
 * or `undefined` when the input is valid or `method` is not a storage method.
 *
 * @example checkStorageInput("advanceResourceVersion", ["customer", "c_1", 1.5])
 * // "version: expected a safe integer"
 */
export function checkStorageInput(method: string, args: readonly unknown[]): string | undefined {
  if (!Object.hasOwn(PARAMS, method)) return undefined;
  const params = PARAMS[method as StorageMethod];
  for (let i = 0; i < params.length; i++) {
    const [name, check] = params[i] as readonly [string, Check];
    const problem = check(args[i]);
    if (problem) return `${[name, ...problem.reversedPath.reverse()].join(".")}: ${problem.why}`;
  }
  return undefined;
}

/**
 * Thrown by {@link storageJson} for a value JSON cannot hold. `guardStorageMethods` turns it into an
 * invalid-input `StorageError` (HTTP 400) naming `path`, as it does for `checkStorageInput`'s findings.
 */
export class StorageInputError extends TypeError {
  override readonly name = "StorageInputError";
  /** The argument path of the value (`items.1.payload`). */
  readonly path: string;
  constructor(path: string, why: string) {
    super(why);
    this.path = path;
  }
  /** True for a `StorageInputError` from any copy of this package. */
  static isInstance(error: unknown): error is StorageInputError {
    return (
      error instanceof TypeError &&
      error.name === "StorageInputError" &&
      typeof (error as StorageInputError).path === "string"
    );
  }
}

/**
 * The JSON text every engine stores for a record or payload (`undefined` is stored as `null`): what is
 * read back is `JSON.parse` of it. Engines serialize with this before they write anything.
 * @throws StorageInputError (a TypeError) naming `path` when JSON cannot hold the value (a BigInt, a
 *   cycle, a function).
 */
export function storageJson(value: unknown, path: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value ?? null);
  } catch {
    // JSON.stringify's message can quote the value's keys: not repeated here.
  }
  if (json === undefined) {
    throw new StorageInputError(path, "not storable as JSON (a BigInt, a cycle or a function)");
  }
  return json;
}

/**
 * The JSON text every engine stores for an outbox payload (see {@link storageJson}).
 * @throws StorageInputError (a TypeError) when JSON cannot hold the payload.
 */
export function outboxPayloadJson(payload: unknown, path = "payload"): string {
  return storageJson(payload, path);
}

/**
 * The row number an outbox id names, or `null` when `id` is not the canonical decimal form of a
 * positive safe integer (`"7"`; never `"07"`, `"+7"`, `"7.0"` or `" 7"`). Every engine looks ids up
 * through this, so one string names the same item, or none, everywhere.
 */
export function parseOutboxId(id: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : null;
}
