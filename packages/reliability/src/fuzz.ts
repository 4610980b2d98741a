/**
 * Fuzzed and malformed webhook requests, seeded: bad JSON, wrong types, huge and deeply nested
 * bodies, wrong content types and methods, missing and wrong credentials. None of them is a valid
 * Chargebee event, so each must be answered 400, 401, 405, 413 or 415, and nothing may be stored
 * but the quarantine of the authenticated ones that reached the parser (the 400s).
 *
 * @module
 */
import type { SeededRandom as Random } from "@revtrace/core";
import { AUTHORIZATION, WEBHOOK } from "./stack.js";

export interface FuzzRequest {
  kind: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | string | null;
  /** The answers this request may get. */
  expect: readonly number[];
}

const wrongAuth = [
  "",
  "Basic",
  "Basic !!!",
  `Basic ${Buffer.from(`${WEBHOOK.username}:wrong-password`).toString("base64")}`,
  `Basic ${Buffer.from(`admin:${WEBHOOK.password}x`).toString("base64")}`,
  `Bearer ${WEBHOOK.password}`,
  `Basic ${Buffer.from("chargebee").toString("base64")}`,
];

function validish(random: Random): Record<string, unknown> {
  return {
    id: `ev_fuzz_${random.int(1, 1e9)}`,
    occurred_at: 1_790_000_000 + random.int(0, 1e6),
    source: "system",
    object: "event",
    api_version: "v2",
    event_type: random.pick(["payment_succeeded", "subscription_created", "customer_changed"]),
    webhook_status: "scheduled",
    content: {
      transaction: { id: `txn_fuzz_${random.int(1, 1e9)}`, amount: 100, currency_code: "USD" },
      customer: { id: `cus_fuzz_${random.int(1, 1e9)}` },
    },
  };
}

/** A body that is JSON but never a valid event (a required field has the wrong type or is gone). */
function wrongTypes(random: Random): string {
  const event = validish(random);
  const breakers: ((e: Record<string, unknown>) => void)[] = [
    (e) => {
      e.id = random.pick([42, null, true, [], {}, ""]);
    },
    (e) => {
      e.occurred_at = random.pick(["yesterday", null, -1.5, [], "1790000000"]);
    },
    (e) => {
      e.event_type = random.pick([7, null, ["payment_succeeded"], {}]);
    },
    (e) => {
      e.content = random.pick(["content", 0, null, [1, 2]]);
    },
    (e) => {
      delete e.id;
    },
    (e) => {
      delete e.event_type;
    },
  ];
  random.pick(breakers)(event);
  if (random.chance(0.3)) random.pick(breakers)(event);
  return JSON.stringify(random.chance(0.1) ? [event] : event);
}

function badJson(random: Random): string | Uint8Array {
  const text = JSON.stringify(validish(random));
  switch (random.int(0, 6)) {
    case 0:
      return text.slice(0, random.int(0, text.length - 1)); // truncated
    case 1:
      return text.replace(/"/g, "'");
    case 2:
      return `${text},`;
    case 3:
      return Uint8Array.from({ length: random.int(1, 400) }, () => random.int(0, 255));
    case 4:
      return random.pick(["", " ", "null", "true", "0", '"event"', "[]", "{}"]);
    case 5:
      return Buffer.concat([
        Buffer.from('{"id":"'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}'),
      ]);
    default:
      return `{"id": "ev_${"\\u0000".repeat(random.int(1, 50))}", ${"x".repeat(random.int(0, 100))}`;
  }
}

function deep(random: Random): string {
  const depth = random.int(1_000, 100_000);
  return random.chance(0.5)
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `{"id":"ev_deep","content":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
}

export function fuzzRequest(random: Random, maxBodyBytes: number): FuzzRequest {
  const json = { authorization: AUTHORIZATION, "content-type": "application/json" };
  const roll = random.next();
  if (roll < 0.15) {
    const auth = random.pick(wrongAuth);
    return {
      kind: "bad auth",
      method: "POST",
      headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
      body: random.chance(0.5) ? JSON.stringify(validish(random)) : badJson(random),
      expect: [401],
    };
  }
  if (roll < 0.22) {
    return {
      kind: "wrong method",
      method: random.pick(["GET", "PUT", "DELETE", "PATCH"]),
      headers: json,
      body: null,
      expect: [405],
    };
  }
  if (roll < 0.32) {
    const type = random.pick([
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/xml",
      "multipart/form-data; boundary=x",
      "",
    ]);
    return {
      kind: "wrong content type",
      method: "POST",
      headers: { authorization: AUTHORIZATION, ...(type ? { "content-type": type } : {}) },
      body: JSON.stringify(validish(random)),
      expect: [415],
    };
  }
  if (roll < 0.335) {
    return {
      kind: "huge body",
      method: "POST",
      headers: json,
      body: `{"id":"ev_huge","pad":"${"a".repeat(maxBodyBytes + random.int(1, 200_000))}"}`,
      expect: [413],
    };
  }
  if (roll < 0.36) {
    return {
      kind: "deeply nested",
      method: "POST",
      headers: json,
      body: deep(random),
      expect: [400],
    };
  }
  if (roll < 0.65) {
    return {
      kind: "bad JSON",
      method: "POST",
      headers: json,
      body: badJson(random),
      expect: [400],
    };
  }
  return {
    kind: "wrong types",
    method: "POST",
    headers: json,
    body: wrongTypes(random),
    expect: [400],
  };
}
