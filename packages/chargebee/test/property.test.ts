/**
 * fast-check: random JSON and mutated fixtures never crash the parser, and say exactly what invalid
 * input gets: a valid BillingEvent, or a WebhookPayloadError (HTTP 400) with one issue whose path
 * names the field at fault (near the mutation) and whose message starts with that path; never another
 * error class, never an input value in the issues.
 */
import { BillingEventSchema, WebhookPayloadError } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseChargebeeEvent } from "../src/index.js";
import { REAL_FIXTURES, SYNTHETIC_FIXTURES, webhookBody } from "./fixtures/index.js";

const bodies = [...REAL_FIXTURES, ...SYNTHETIC_FIXTURES].map((name) =>
  JSON.parse(webhookBody(name)),
);

type Outcome = { kind: "event" } | { kind: "rejected"; path: Path };

/**
 * Parses `input`; asserts the outcome is a valid BillingEvent or a WebhookPayloadError that names one
 * field path, and returns which.
 */
function check(input: unknown): Outcome {
  let event: unknown;
  try {
    event = parseChargebeeEvent(input as object);
  } catch (error) {
    expect(WebhookPayloadError.isInstance(error)).toBe(true);
    const payload = error as WebhookPayloadError;
    expect(payload.httpStatus).toBe(400);
    expect(payload.issues).toHaveLength(1);
    const issue = payload.issues[0];
    expect(Object.keys(issue ?? {}).sort()).toEqual(["code", "message", "path"]);
    const path = (issue?.path ?? []) as Path;
    for (const key of path) expect(["string", "number"]).toContain(typeof key);
    const where = path.length > 0 ? path.join(".") : "(body)";
    if (payload.message.startsWith("Chargebee webhook body:")) {
      expect(path).toEqual([]);
    } else {
      expect(payload.message.startsWith(`Invalid Chargebee event: ${where}: `)).toBe(true);
    }
    return { kind: "rejected", path };
  }
  const result = BillingEventSchema.safeParse(event);
  if (!result.success) throw new Error(`Invalid BillingEvent: ${result.error.message}`);
  return { kind: "event" };
}

const startsWith = (path: Path, prefix: Path) =>
  prefix.length <= path.length && prefix.every((key, i) => path[i] === key);

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

const ENVELOPE_FIELDS = ["id", "event_type", "occurred_at", "api_version", "source", "content"];

describe("parser robustness (fast-check)", () => {
  it("random JSON values are refused at the body or an envelope field", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const outcome of [check(value), check(JSON.stringify(value))]) {
          if (outcome.kind === "event") continue;
          if (outcome.path.length === 0) continue;
          expect(ENVELOPE_FIELDS).toContain(outcome.path[0]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("random strings and bytes are refused at the body (or parse as an event)", () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array(), (text, bytes) => {
        for (const outcome of [check(text), check(bytes)]) {
          if (outcome.kind === "rejected" && outcome.path.length > 0) {
            expect(ENVELOPE_FIELDS).toContain(outcome.path[0]);
          }
        }
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
          const outcome = check({
            id: "ev_x",
            event_type: eventType,
            occurred_at: 1700000000,
            content,
          });
          // The envelope is valid: whatever is refused is inside the content.
          if (outcome.kind === "rejected") expect(outcome.path[0]).toBe("content");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fixtures with one value replaced or removed are refused at that value's object", () => {
    const cases = bodies.flatMap((body) => paths(body).map((path) => ({ body, path })));
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.option(weirdValue, { nil: undefined }),
        ({ body, path }, replacement) => {
          const outcome = check(mutate(body, path, replacement));
          if (outcome.kind === "event" || path.length === 0) return;
          // Another event type reads other content; anything may be at fault then.
          if (path.length === 1 && path[0] === "event_type") return;
          // The field at fault is the mutated one, inside it, or a sibling read with it (an
          // amount whose new currency cannot hold it, a required field that went missing).
          expect(startsWith(outcome.path, path.slice(0, -1))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("the rules named in the issue get their field paths", () => {
    const payment = bodies.find((b) => b.id === "ev_AzqYRySIstMN16O") as Record<string, unknown>;
    const cases: Array<[Path, unknown, string]> = [
      [["id"], "", "id"],
      [["id"], "x".repeat(41), "id"],
      [["occurred_at"], 1_607_708_103_000, "occurred_at"],
      [["content", "transaction", "amount"], -1, "content.transaction.amount"],
      [["content", "transaction", "amount"], 1.5, "content.transaction.amount"],
      [["content", "transaction", "amount"], 2 ** 60, "content.transaction.amount"],
      [["content", "transaction", "type"], "refund", "content.transaction.type"],
      [["content", "invoice", "total"], -100, "content.invoice.total"],
      [["content", "transaction", "currency_code"], "usd", "content.transaction.currency_code"],
    ];
    for (const [path, value, expected] of cases) {
      const outcome = check(mutate(payment, path, value));
      expect(outcome).toEqual({ kind: "rejected", path: expected.split(".") });
    }
    // No currency anywhere in a v2 event: refused at the first amount's object.
    let bare: Json = payment;
    for (const key of ["transaction", "invoice", "subscription"]) {
      bare = mutate(bare, ["content", key, "currency_code"], undefined);
    }
    bare = mutate(bare, ["content", "customer", "preferred_currency_code"], undefined);
    expect(check(bare)).toEqual({
      kind: "rejected",
      path: ["content", "subscription", "currency_code"],
    });
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
          // Several faults: the error names one of them (check asserts its shape).
          check(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a transaction is money received only when it is a successful payment (spec §4.4)", () => {
    const statuses = ["success", "failure", "timeout", "late_failure", "in_progress", "voided"];
    fc.assert(
      fc.property(
        fc.option(
          fc.oneof(
            fc.constantFrom("payment", "refund", "payment_reversal", "authorization"),
            fc.string(),
          ),
          { nil: undefined },
        ),
        fc.option(fc.oneof(fc.constantFrom(...statuses), fc.string()), { nil: undefined }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (type, status, amount) => {
          const event = parseChargebeeEvent({
            id: "ev_x",
            event_type: "transaction_created",
            occurred_at: 1700000000,
            content: { transaction: { id: "txn_x", type, status, amount, currency_code: "USD" } },
          });
          const failed = ["failure", "timeout", "late_failure"].includes(status as string);
          expect(event.payment !== null).toBe(type === "payment" && status === "success");
          expect(event.failedPayment !== null).toBe(type === "payment" && failed);
          expect(event.refund !== null).toBe(type === "refund" || type === "payment_reversal");
          if (event.refund) expect(event.refund.transactionType).toBe(type);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("payment_succeeded is revenue only as a successful payment; anything else is refused", () => {
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom("payment", "refund", "payment_reversal", "authorization"), {
          nil: undefined,
        }),
        fc.option(fc.constantFrom("success", "failure", "in_progress"), { nil: undefined }),
        (type, status) => {
          const outcome = check({
            id: "ev_x",
            event_type: "payment_succeeded",
            occurred_at: 1700000000,
            content: {
              transaction: { id: "txn_x", type, status, amount: 1, currency_code: "USD" },
            },
          });
          const typeOk = type === undefined || type === "payment";
          const statusOk = status === undefined || status === "success";
          if (typeOk && statusOk) expect(outcome).toEqual({ kind: "event" });
          else {
            const field = typeOk ? "status" : "type";
            expect(outcome).toEqual({ kind: "rejected", path: ["content", "transaction", field] });
          }
        },
      ),
    );
  });

  it("the unmutated fixtures all parse to events (the properties above are not vacuous)", () => {
    for (const body of bodies) expect(check(body)).toEqual({ kind: "event" });
  });
});
