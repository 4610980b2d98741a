import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StorageError } from "../errors.js";
import { guardStorageMethods } from "./storage-guard.js";
import { checkStorageInput, outboxPayloadJson, parseOutboxId } from "./storage-input.js";

const T0 = 1_700_000_000_000;

describe("checkStorageInput", () => {
  it("names the argument path and the rule, never the value", () => {
    const entry = {
      key: "c1",
      partnerId: "partner-secret",
      programId: null,
      kind: "earned",
      amount: { amount: 1.5, currency: "USD" },
      transactionId: null,
      refundTransactionId: null,
      subscriptionId: null,
      customerId: null,
      occurredAt: T0,
      note: null,
    };
    expect(checkStorageInput("appendCommissions", [[entry]])).toBe(
      "entries.0.amount.amount: Invalid input: expected int, received number",
    );
    expect(
      checkStorageInput("appendCommissions", [
        [{ ...entry, amount: { amount: 150, currency: "USD" }, note: "x\u0000secret" }],
      ]),
    ).toBe("entries.0.note: contains U+0000");
    expect(checkStorageInput("advanceResourceVersion", ["customer", "c_1", 2 ** 53])).toBe(
      "version: expected a safe integer",
    );
    expect(checkStorageInput("listCommissions", [{ afterSeq: 1.5 }])).toBe(
      "query.afterSeq: expected a non-negative safe integer",
    );
    expect(
      checkStorageInput("claim", [
        { sink: "s", limit: 1, leaseMs: 10, now: Number.MAX_SAFE_INTEGER },
      ]),
    ).toBe("query.leaseMs: now + leaseMs exceeds 2^53 - 1");
    expect(
      checkStorageInput("applyIdentityChange", [
        { keys: [{ key: { kind: "email", value: "ada\ud800" }, personId: "p", firstSeenAt: T0 }] },
      ]),
    ).toBe("change.keys.0.key.value: contains a lone UTF-16 surrogate");
  });

  it("names every field of an identity change by its path (the written-out identity checks)", () => {
    const key = { kind: "email", value: "ada@acme.io" };
    const evidence = { source: "s", observationId: "o1", at: T0 };
    const person = { id: "p", createdAt: T0, mergedInto: null, mergedAt: null };
    const change = (fields: object) => checkStorageInput("applyIdentityChange", [fields]);
    const valid = {
      persons: [person, { ...person, id: "q", mergedInto: "p", mergedAt: T0 }],
      keys: [{ key, personId: "p", firstSeenAt: T0 }],
      edges: [{ a: key, b: key, evidence }],
      refusals: [{ personIds: ["p", "q"], keys: [key], reason: "hub", evidence }],
      rules: "r",
    };
    expect(change(valid)).toBeUndefined();
    const cases: [object, string][] = [
      [
        { persons: [{ ...person, mergedInto: 1 }] },
        "change.persons.0.mergedInto: expected a string",
      ],
      [
        { persons: [{ ...person, mergedAt: 1.5 }] },
        "change.persons.0.mergedAt: expected a safe integer",
      ],
      [{ persons: [{ ...person, id: "\u0000" }] }, "change.persons.0.id: contains U+0000"],
      [{ persons: [null] }, "change.persons.0: expected an object"],
      [
        { keys: [{ key: { kind: "mail", value: "x" }, personId: "p", firstSeenAt: T0 }] },
        "change.keys.0.key.kind: expected one of",
      ],
      [
        { keys: [{ key: { kind: "email", value: "" }, personId: "p", firstSeenAt: T0 }] },
        "change.keys.0.key.value: expected a non-empty string",
      ],
      [
        { keys: [{ key, personId: 7, firstSeenAt: T0 }] },
        "change.keys.0.personId: expected a string",
      ],
      [
        { keys: [{ key: [key], personId: "p", firstSeenAt: T0 }] },
        "change.keys.0.key: expected an object",
      ],
      [
        { edges: [{ a: key, b: { kind: "email" }, evidence }] },
        "change.edges.0.b.value: expected a string",
      ],
      [
        { edges: [{ a: key, b: key, evidence: { ...evidence, at: Number.NaN } }] },
        "change.edges.0.evidence.at: expected a safe integer",
      ],
      [
        { edges: [{ a: key, b: key, evidence: { ...evidence, observationId: "\ud800" } }] },
        "change.edges.0.evidence.observationId: contains a lone UTF-16 surrogate",
      ],
      [
        { refusals: [{ personIds: ["p"], keys: [key], reason: "hub", evidence: "e" }] },
        "change.refusals.0.evidence: expected an object",
      ],
    ];
    for (const [fields, message] of cases) expect(change(fields)).toMatch(message);
    expect(
      checkStorageInput("readLinkState", [
        [key, { kind: "phone", value: 1 }],
        { rules: "r", observationId: "o", neighboursFrom: [0], maxKeys: 1 },
      ]),
    ).toBe("keys.1.value: expected a string");
  });

  it("accepts valid calls, omitted optional arguments, any outbox payload and unknown methods", () => {
    expect(checkStorageInput("listCommissions", [])).toBeUndefined();
    expect(
      checkStorageInput("listCommissions", [{ partnerId: "p", afterSeq: 0, limit: 0 }]),
    ).toBeUndefined();
    expect(
      checkStorageInput("enqueue", [
        [{ sink: "s", idempotencyKey: "k", payload: { a: "\u0000\ud800" } }],
        T0,
      ]),
    ).toBeUndefined();
    expect(checkStorageInput("applyIdentityChange", [{}])).toBeUndefined();
    expect(checkStorageInput("send", [1.5])).toBeUndefined();
    expect(checkStorageInput("toString", [])).toBeUndefined();
  });

  it("refuses exactly the strings that are not well-formed or hold U+0000", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        // UTF-8 turns a lone surrogate into U+FFFD, so only well-formed strings survive the round trip.
        const wellFormed = new TextDecoder().decode(new TextEncoder().encode(value)) === value;
        const storable = wellFormed && !value.includes("\u0000");
        expect(checkStorageInput("getReceipt", [value]) === undefined).toBe(storable);
      }),
    );
  });

  it("refuses exactly the numbers that are not safe integers", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger()), (version) => {
        const valid = Number.isSafeInteger(version);
        expect(checkStorageInput("advanceResourceVersion", ["t", "i", version]) === undefined).toBe(
          valid,
        );
      }),
    );
  });

  it("is applied by guardStorageMethods before the method runs", async () => {
    let ran = false;
    const guarded = guardStorageMethods(
      {
        async getReceipt(_key: string) {
          ran = true;
          return null;
        },
      },
      { engine: "test", isClosed: () => false, validate: checkStorageInput },
    );
    const error = await guarded.getReceipt("a\u0000").catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as StorageError).message).toBe(
      "test storage: getReceipt: invalid input: key: contains U+0000",
    );
    expect(ran).toBe(false);
    expect(await guarded.getReceipt("a")).toBeNull();
  });
});

describe("parseOutboxId", () => {
  it.each([
    ["1", 1],
    ["42", 42],
    ["9007199254740991", Number.MAX_SAFE_INTEGER],
    ["0", null],
    ["01", null],
    ["+1", null],
    ["-1", null],
    [" 1", null],
    ["1.0", null],
    ["1e3", null],
    ["0x1", null],
    ["", null],
    ["9007199254740992", null],
    ["99999999999999999999", null],
    ["١", null],
  ])("%j → %j", (id, expected) => {
    expect(parseOutboxId(id)).toBe(expected);
  });
});

describe("outboxPayloadJson", () => {
  it("stores undefined as null and refuses what JSON cannot hold", () => {
    expect(outboxPayloadJson(undefined)).toBe("null");
    expect(outboxPayloadJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(() => outboxPayloadJson(() => 1)).toThrow(TypeError);
    expect(() => outboxPayloadJson({ n: 1n })).toThrow(TypeError);
  });
});
