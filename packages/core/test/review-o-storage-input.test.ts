/**
 * Review o: checkStorageInput (rewritten for speed in 6ebdd7f) refuses exactly what the previous
 * version (62b27ba, copied to review-o-old/) refused, with the same message, on random and
 * adversarial inputs: lone surrogates, U+0000, non-objects, arrays as objects, missing and extra
 * fields, NaN/Infinity/2^53.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdentityKeyKindSchema } from "../src/model/identity-key.js";
import { checkStorageInput, isStorableText } from "../src/storage/storage-input.js";
import {
  checkStorageInput as oldCheck,
  isStorableText as oldStorable,
} from "./review-o-old/storage-input-62b27ba.js";

const METHODS = [
  "findKeys",
  "getPerson",
  "listPersonKeys",
  "listEdges",
  "listEarliestEdges",
  "listObservationEdges",
  "readLinkState",
  "listRefusals",
  "applyIdentityChange",
  "forgetKeys",
  "addTouchpoints",
  "getTouchpoint",
  "listTouchpoints",
  "claimReceipt",
  "getReceipt",
  "enqueue",
  "claim",
  "ack",
  "retry",
  "deadLetter",
  "listFailures",
  "getOutboxItem",
  "appendCommissions",
  "listCommissions",
  "getCommission",
  "ingest",
  "getInboxEvent",
  "listInboxEvents",
  "quarantine",
  "listQuarantine",
  "resolveQuarantine",
  "getResourceVersion",
  "advanceResourceVersion",
  "getMapping",
  "putMappingIfAbsent",
  "replaceMapping",
  "putMapping",
  "deleteMapping",
  "nope",
];

const nasty = fc.constantFrom(
  "",
  "\0",
  "a\0b",
  "\ud800",
  "\udc00",
  "x\ud83d",
  "\ude00x",
  "\ud83d\ude00",
  "\udc00\ud800",
  "e@x.io",
  "0",
  "7",
  "07",
  "email",
  "phone",
  "anonymous_id",
);
const str = fc.oneof(
  nasty,
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.array(fc.oneof(nasty, fc.string({ maxLength: 3 })), { maxLength: 4 }).map((p) => p.join("")),
);
const num = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 0, -0, -1, 1.5, 1),
  fc.integer(),
  fc.double(),
);
const kind = fc.oneof(fc.constantFrom(...IdentityKeyKindSchema.options), str);
const key = fc.oneof(
  fc.record({ kind, value: str }, { requiredKeys: [] }),
  fc.record({ kind, value: str, extra: fc.anything() }),
  fc.constantFrom(null, undefined, [], ["email", "x"], "email", 1),
);
const evidence = fc.oneof(
  fc.record({ source: str, observationId: str, at: num }, { requiredKeys: [] }),
  fc.constantFrom(null, [], 0),
);
const leaf = fc.oneof(str, num, key, evidence, fc.constantFrom(null, undefined, true, [], {}));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        "kind",
        "value",
        "a",
        "b",
        "evidence",
        "persons",
        "keys",
        "edges",
        "refusals",
        "rules",
        "id",
        "createdAt",
        "mergedInto",
        "mergedAt",
        "key",
        "personId",
        "firstSeenAt",
        "personIds",
        "reason",
        "sink",
        "limit",
        "leaseMs",
        "now",
        "times",
        "after",
        "observationId",
        "neighboursFrom",
        "maxKeys",
        "source",
        "type",
        "receivedAt",
        "rawBody",
        "error",
        "message",
        "code",
        "availableAt",
        "idempotencyKey",
        "afterSeq",
        "afterId",
        "includeResolved",
        "contentType",
        "range",
        "from",
        "to",
        "anonymousIds",
        "partnerId",
        "at",
      ),
      tie("v"),
      { maxKeys: 6 },
    ),
    fc.array(key, { maxLength: 3 }),
  ),
})).v;
/** Structured arguments close to valid ones (so the later checks are reached). */
const structured = fc.oneof(
  fc.record(
    {
      persons: fc.array(
        fc.record(
          {
            id: str,
            createdAt: num,
            mergedInto: fc.oneof(str, fc.constant(null)),
            mergedAt: fc.oneof(num, fc.constant(null)),
          },
          { requiredKeys: ["id", "createdAt"] },
        ),
        { maxLength: 2 },
      ),
      keys: fc.array(fc.record({ key, personId: str, firstSeenAt: num }, { requiredKeys: [] }), {
        maxLength: 2,
      }),
      edges: fc.array(fc.record({ a: key, b: key, evidence }, { requiredKeys: [] }), {
        maxLength: 2,
      }),
    },
    { requiredKeys: [] },
  ),
  fc.array(key, { maxLength: 3 }),
);

describe("checkStorageInput against 62b27ba", () => {
  it("same verdict and message for every method on random arguments", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...METHODS),
        fc.array(fc.oneof(value, structured), { maxLength: 5 }),
        (method, args) => {
          expect(checkStorageInput(method, args)).toBe(oldCheck(method, args));
        },
      ),
      { numRuns: 30_000 },
    );
  });

  it("isStorableText agrees on any string", () => {
    fc.assert(
      fc.property(fc.oneof(str, fc.string({ unit: "binary", maxLength: 200 })), (s) => {
        expect(isStorableText(s)).toBe(oldStorable(s));
      }),
      { numRuns: 20_000 },
    );
    for (const s of [`${"a".repeat(64)}\ud800`, `${"a".repeat(65)}\0`, `${"é".repeat(70)}\udfff`])
      expect(isStorableText(s)).toBe(oldStorable(s));
  });
});
