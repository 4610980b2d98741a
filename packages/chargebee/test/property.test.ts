/**
 * fast-check: random JSON and mutated fixtures never crash the parser: it returns a valid BillingEvent
 * or throws WebhookPayloadError, nothing else.
 */
import { BillingEventSchema, WebhookPayloadError } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseChargebeeEvent } from "../src/index.js";
import { REAL_FIXTURES, SYNTHETIC_FIXTURES, webhookBody } from "./fixtures/index.js";

const bodies = [...REAL_FIXTURES, ...SYNTHETIC_FIXTURES].map((name) =>
  JSON.parse(webhookBody(name)),
);

/** Parses `input`; asserts the outcome is a valid BillingEvent or a WebhookPayloadError. */
function check(input: unknown): "event" | "rejected" {
  let event: unknown;
  try {
    event = parseChargebeeEvent(input as object);
  } catch (error) {
    if (WebhookPayloadError.isInstance(error)) {
      expect(error.httpStatus).toBe(400);
      return "rejected";
    }
    throw error;
  }
  const result = BillingEventSchema.safeParse(event);
  if (!result.success) throw new Error(`Invalid BillingEvent: ${result.error.message}`);
  return "event";
}

type Json = unknown;
type Path = Array<string | number>;

/** Every path to a value inside `value`. */
function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

/** A deep copy of `value` with the value at `path` replaced (or deleted when `replacement` is undefined). */
function mutate(value: Json, path: Path, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined && !Array.isArray(node)) delete node[last];
  else node[last] = replacement;
  return copy;
}

const weirdValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    null,
    "",
    -1,
    1.5,
    0,
    Number.MAX_SAFE_INTEGER,
    1e300,
    "XYZ",
    "JPY",
    "CLF",
    [],
    {},
    true,
    "2020-01-01",
    "__proto__",
  ),
);

describe("parser robustness (fast-check)", () => {
  it("random JSON values never crash it", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        check(value);
        check(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it("random strings and bytes never crash it", () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array(), (text, bytes) => {
        check(text);
        check(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it("random objects with a valid envelope never crash it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          "payment_succeeded",
          "payment_refunded",
          "subscription_created",
          "customer_deleted",
          "invoice_generated",
          "credit_note_created",
          "transaction_created",
          "something_else",
        ),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (eventType, content) => {
          check({ id: "ev_x", event_type: eventType, occurred_at: 1700000000, content });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fixtures with one value replaced or removed never crash it", () => {
    const cases = bodies.flatMap((body) => paths(body).map((path) => ({ body, path })));
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.option(weirdValue, { nil: undefined }),
        ({ body, path }, replacement) => {
          check(mutate(body, path, replacement));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("fixtures with several values replaced never crash it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bodies),
        fc.array(fc.tuple(fc.nat(), weirdValue), { minLength: 2, maxLength: 6 }),
        (body, edits) => {
          let value: Json = body;
          for (const [index, replacement] of edits) {
            const all = paths(value).filter((path) => path.length > 0);
            if (all.length === 0) break;
            value = mutate(value, all[index % all.length] as Path, replacement);
          }
          check(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a transaction is money received only when its type is payment (spec §4.4)", () => {
    fc.assert(
      fc.property(
        fc.option(
          fc.oneof(
            fc.constantFrom("payment", "refund", "payment_reversal", "authorization"),
            fc.string(),
          ),
          { nil: undefined },
        ),
        fc.integer({ min: 0, max: 10_000_000 }),
        (type, amount) => {
          const event = parseChargebeeEvent({
            id: "ev_x",
            event_type: "transaction_created",
            occurred_at: 1700000000,
            content: { transaction: { id: "txn_x", type, amount, currency_code: "USD" } },
          });
          expect(event.payment !== null).toBe(type === "payment");
          expect(event.refund !== null).toBe(type === "refund" || type === "payment_reversal");
          if (event.refund) expect(event.refund.transactionType).toBe(type);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the unmutated fixtures all parse to events (the property above is not vacuous)", () => {
    for (const body of bodies) expect(check(body)).toBe("event");
  });
});
