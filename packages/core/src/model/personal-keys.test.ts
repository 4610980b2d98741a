import { describe, expect, it } from "vitest";
import { z } from "zod";
import { redact, redactText } from "../logger.js";
import { personal } from "./personal-data.js";
import { PERSONAL_KEYS, personalKeysOf, snakeCase } from "./personal-keys.js";

describe("personal keys derived from the model's schemas", () => {
  it("cover every personal field of the billing, Retention, touchpoint and contact models", () => {
    for (const key of [
      "email",
      "phone",
      "firstname",
      "last_name",
      "company",
      "line1",
      "line2",
      "line3",
      "city",
      "state_code",
      "zip",
      "createdfromip",
      "created_from_ip",
      "ip",
      "useragent",
      "user_agent",
      "companyname",
      "feedback",
    ])
      expect(PERSONAL_KEYS).toContain(key);
    // Not personal on their own, and needed to debug: kept.
    for (const key of ["country", "id", "currency", "amount", "customerid", "externalid"])
      expect(PERSONAL_KEYS).not.toContain(key);
  });

  it("follow wrappers, arrays, unions, records and lazy schemas, and only marked fields", () => {
    const inner = z.object({ secretSauce: personal(z.string(), "free_text"), plain: z.string() });
    const root = z.object({
      list: z.array(inner).nullable(),
      either: z.union([
        z.object({ homeTown: personal(z.string(), "address").optional() }),
        z.number(),
      ]),
      byId: z.record(z.string(), z.object({ nick: personal(z.string().nullable(), "name") })),
      later: z.lazy(() => z.object({ deviceId: personal(z.string(), "device").default("x") })),
    });
    expect([...personalKeysOf([root])].sort()).toEqual([
      "deviceId",
      "homeTown",
      "nick",
      "secretSauce",
    ]);
    expect(snakeCase("createdFromIp")).toBe("created_from_ip");
  });
});

describe("redact() on the model", () => {
  it("masks the address, IP and names of a customer (camelCase and Chargebee's snake_case)", () => {
    const customer = {
      id: "cus_1",
      createdFromIp: "203.0.113.9",
      billingAddress: { line1: "1 Main St", zip: "94107", city: "SF", state: "CA", country: "US" },
    };
    expect(redact(customer)).toEqual({
      id: "cus_1",
      createdFromIp: "[redacted]",
      billingAddress: {
        line1: "[redacted]",
        zip: "[redacted]",
        city: "[redacted]",
        state: "[redacted]",
        country: "US",
      },
    });
    const raw = {
      customer: { id: "cus_1", created_from_ip: "203.0.113.9", billing_address: { line1: "x" } },
    };
    expect(redact(raw)).toEqual({
      customer: {
        id: "cus_1",
        created_from_ip: "[redacted]",
        billing_address: { line1: "[redacted]" },
      },
    });
  });
});

describe("phone numbers in text", () => {
  it.each([
    ["call +1 111 111 1111 now", "call [redacted-phone] now"],
    ["(555) 123-4567", "[redacted-phone]"],
    ["555-123-4567", "[redacted-phone]"],
    ["555.123.4567", "[redacted-phone]"],
    ["020 7946 0958", "[redacted-phone]"],
    ["07911 123456", "[redacted-phone]"],
    ["phone=+447911123456;", "phone=[redacted-phone];"],
  ])("masks %j", (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    "amount 150050 at 1764748666000",
    "USD 2.24 and JPY 1500",
    "2026-12-03 07:57:46",
    "2026-12-03T07:57:46.000Z",
    "connect ECONNREFUSED 192.168.100.200:5432",
    "v10.20.300",
    "cus_123-456-7890",
    "id 12345678-1234-1234-1234-123456789012",
    "1234567.89",
    "attempt 3 of 5, waited 1500 ms",
  ])("leaves ordinary numbers alone: %j", (text) => {
    expect(redactText(text)).toBe(text);
  });
});
