/**
 * Review L: ActiveCampaign sink against shared/specs/activecampaign.md. The scripted answers are
 * synthetic (fake-account.ts); the conversions are real Chargebee events (fixtures.ts).
 */
import type { RateLimiter } from "@revtrace/core";
import { useMockServer } from "@revtrace/testing/msw";
import { describe, expect, it } from "vitest";
import { type ActiveCampaignSinkOptions, createActiveCampaignSink } from "../src/index.js";
import { listOf, script, sequence, TOKEN } from "./fake-account.js";
import { conversionOf } from "./fixtures.js";

const server = useMockServer();
const unlimited: RateLimiter = { acquire: async () => {} };

function sink(options: Partial<ActiveCampaignSinkOptions> = {}) {
  return createActiveCampaignSink({
    apiUrl: "https://acme.api-us1.com",
    apiToken: TOKEN,
    listId: 3,
    rateLimiter: unlimited,
    retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 5_000 },
    ...options,
  });
}

describe("review-l: the deletion tag is idempotent (spec §1: contactTags need lookup-before-create)", () => {
  const deleted = () => conversionOf("customer_deleted.bonusly.1", "customer_deleted");

  it("a redelivered customer_deleted does not attach the deletion tag a second time", async () => {
    script(server, {
      "GET contacts": listOf("contacts", [{ id: "7", email: "benjamin@test.com" }]),
      "GET tags": listOf("tags", [{ id: "46", tag: "chargebee:deleted" }]),
      // The first delivery attached it already.
      "GET contacts/7/contactTags": listOf("contactTags", [{ id: "92", tag: "46", contact: "7" }]),
    });
    const item = deleted();
    expect(await sink({ onCustomerDeleted: "tag" }).send([item])).toEqual([
      { id: item.id, status: "delivered" },
    ]);
    expect(sequence(server)).toEqual([
      ["GET contacts?email=benjamin@test.com"],
      ["GET tags?search=chargebee:deleted&limit=100&offset=0"],
      ["GET contacts/7/contactTags?limit=100&offset=0"],
    ]);
  });

  it("a first delivery looks at the contact's tags, then attaches the tag once", async () => {
    script(server, {
      "GET contacts": listOf("contacts", [{ id: "7", email: "benjamin@test.com" }]),
      "GET tags": listOf("tags", [{ id: "46", tag: "chargebee:deleted" }]),
      "GET contacts/7/contactTags": listOf("contactTags", []),
      "POST contactTags": { contactTag: { id: "92", tag: "46", contact: "7" } },
    });
    const item = deleted();
    expect(await sink({ onCustomerDeleted: "tag" }).send([item])).toEqual([
      { id: item.id, status: "delivered" },
    ]);
    expect(sequence(server)).toEqual([
      ["GET contacts?email=benjamin@test.com"],
      ["GET tags?search=chargebee:deleted&limit=100&offset=0"],
      ["GET contacts/7/contactTags?limit=100&offset=0"],
      ["POST contactTags", { contactTag: { contact: "7", tag: "46" } }],
    ]);
  });
});
