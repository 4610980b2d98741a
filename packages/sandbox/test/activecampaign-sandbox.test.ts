/**
 * The ActiveCampaign emulator through msw, with raw `fetch` (no sink): the documented contract, its
 * error shapes, pagination, the audit of careless clients, and the account's 5 requests a second
 * shared by every API key (shared/specs/activecampaign.md §1–§6).
 */
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, describe, expect, it } from "vitest";
import { createActiveCampaignSandbox } from "../src/index.js";

let clock = Date.UTC(2026, 2, 1, 12);
const ac = createActiveCampaignSandbox({ tokens: ["key-a", "key-b"], now: () => clock });
useMockServer(...ac.handlers());
const BASE = "https://sandbox.api-us1.com/api/3";

beforeEach(() => {
  ac.reset();
  // Each test starts in a fresh second, so the limit never carries over.
  clock += 60_000;
});

async function call(method: string, path: string, body?: unknown, token = "key-a") {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { "api-token": token, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? JSON.parse(text) : undefined,
  };
}

/** Moves the clock past the limit window after each request (tests that are not about the limit). */
async function paced(method: string, path: string, body?: unknown, token?: string) {
  clock += 250;
  return call(method, path, body, token);
}

describe("contacts", () => {
  it("contact/sync creates (201) then updates (200) by email, case-insensitively", async () => {
    const first = await paced("POST", "/contact/sync", {
      contact: { email: "Ann@Example.com", firstName: "Ann" },
    });
    expect(first.status).toBe(201);
    const second = await paced("POST", "/contact/sync", {
      contact: { email: "ann@example.com", lastName: "Lee" },
    });
    expect(second.status).toBe(200);
    expect(second.json.contact).toMatchObject({
      id: first.json.contact.id,
      firstName: "Ann",
      lastName: "Lee",
    });
    const found = await paced("GET", "/contacts?email=ANN@example.com");
    expect(found.json).toMatchObject({
      contacts: [{ id: first.json.contact.id }],
      meta: { total: "1" },
    });
  });

  it("records a blank that overwrites a stored value (the pitfall a client must avoid)", async () => {
    await paced("POST", "/contact/sync", { contact: { email: "a@b.co", phone: "+15551234" } });
    await paced("POST", "/contact/sync", { contact: { email: "a@b.co", phone: "" } });
    expect(ac.audit.blanked).toEqual([{ contactId: expect.any(String), key: "phone" }]);
  });

  it("refuses an invalid email and an unknown field id with 422 errors", async () => {
    const bad = await paced("POST", "/contact/sync", { contact: { email: "nope" } });
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0]).toMatchObject({
      code: "field_invalid",
      source: { pointer: "/data/attributes/contact/email" },
    });
    const unknown = await paced("POST", "/contact/sync", {
      contact: { email: "a@b.co", fieldValues: [{ field: "999", value: "x" }] },
    });
    expect([unknown.status, unknown.json.errors[0].code]).toEqual([422, "field_missing"]);
  });

  it("answers 404 with the documented message and deletes a contact with its links", async () => {
    expect(await paced("DELETE", "/contacts/77")).toMatchObject({
      status: 404,
      json: { message: "No result found for contact with id 77" },
    });
    const id = ac.seedContact({ email: "x@y.co" });
    ac.seedListStatus(id, "1", 1);
    expect((await paced("DELETE", `/contacts/${id}`)).json).toEqual({});
    expect(ac.state.contacts).toEqual([]);
    expect(ac.state.contactLists).toEqual([]);
  });

  it("answers 403 for a missing or unknown token (not 401)", async () => {
    expect((await paced("GET", "/contacts", undefined, "")).status).toBe(403);
    expect(await paced("GET", "/contacts", undefined, "other")).toMatchObject({
      status: 403,
      json: { message: "Forbidden" },
    });
  });
});

describe("fields, tags and lists", () => {
  it("paginates 20 by default, at most 100, with meta.total as a string", async () => {
    for (let i = 0; i < 130; i++) ac.seedTag(`tag-${i}`);
    const first = await paced("GET", "/tags");
    expect([first.json.tags.length, first.json.meta.total]).toEqual([20, "130"]);
    const big = await paced("GET", "/tags?limit=500&offset=100");
    expect(big.json.tags.length).toBe(30);
    const search = await paced("GET", "/tags?search=TAG-12");
    expect(search.json.tags.map((t: { tag: string }) => t.tag)).toEqual([
      "tag-12",
      ...Array.from({ length: 10 }, (_, i) => `tag-12${i}`),
    ]);
  });

  it("refuses duplicate fields and tags in ActiveCampaign's own shapes", async () => {
    const field = { field: { title: "Plan", type: "text", perstag: "PLAN" } };
    expect((await paced("POST", "/fields", field)).status).toBe(201);
    const again = await paced("POST", "/fields", field);
    expect([again.status, again.json.errors[0].code]).toEqual([422, "duplicate"]);
    expect((await paced("GET", "/fields?filters[perstag]=plan")).json.fields).toHaveLength(1);
    const tag = { tag: { tag: "VIP", tagType: "contact" } };
    await paced("POST", "/tags", tag);
    const dup = await paced("POST", "/tags", { tag: { tag: "vip", tagType: "contact" } });
    expect(dup).toMatchObject({ status: 422, json: { message: "Could not process request" } });
    expect(ac.audit.duplicateTags).toEqual(["vip"]);
  });

  it("relates fields to lists, and flags a re-subscription of someone who unsubscribed", async () => {
    const fieldId = ac.seedField({ title: "Plan", perstag: "PLAN" });
    expect(
      (await paced("POST", "/fieldRels", { fieldRel: { field: fieldId, relid: 0 } })).status,
    ).toBe(201);
    const contact = ac.seedContact({ email: "u@v.co" });
    ac.seedListStatus(contact, "1", 2);
    await paced("POST", "/contactLists", { contactList: { list: "1", contact, status: 1 } });
    expect(ac.audit.resubscribed).toEqual([{ contactId: contact, listId: "1" }]);
    const unknownList = await paced("POST", "/contactLists", {
      contactList: { list: "9", contact, status: 1 },
    });
    expect(unknownList.status).toBe(422);
    expect((await paced("GET", "/lists/1")).json.list).toMatchObject({
      id: "1",
      name: "Customers",
    });
  });

  it("tags and untags contacts", async () => {
    const contact = ac.seedContact({ email: "t@v.co" });
    const tag = ac.seedTag("chargebee:active");
    const added = await paced("POST", "/contactTags", { contactTag: { contact, tag } });
    expect(added.status).toBe(201);
    expect(ac.contactByEmail("T@v.co")?.tagNames).toEqual(["chargebee:active"]);
    expect((await paced("DELETE", `/contactTags/${added.json.contactTag.id}`)).status).toBe(200);
    const missing = await paced("POST", "/contactTags", { contactTag: { contact } });
    expect(missing.status).toBe(422);
  });
});

describe("Deep Data", () => {
  async function connected() {
    const connection = await paced("POST", "/connections", {
      connection: {
        service: "Chargebee",
        externalid: "acme",
        name: "Chargebee",
        logoUrl: "https://x.test/l.png",
        linkUrl: "https://acme.chargebee.com",
      },
    });
    const customer = await paced("POST", "/ecomCustomers", {
      ecomCustomer: {
        connectionid: connection.json.connection.id,
        externalid: "cb_1",
        email: "p@q.co",
      },
    });
    return {
      connectionid: connection.json.connection.id,
      customerid: customer.json.ecomCustomer.id,
    };
  }
  const order = (
    ids: { connectionid: string; customerid: string },
    extra: Record<string, unknown> = {},
  ) => ({
    ecomOrder: {
      externalid: "txn_1",
      source: 1,
      email: "p@q.co",
      totalPrice: 4999,
      currency: "USD",
      externalCreatedDate: "2026-03-01T12:00:00Z",
      orderProducts: [{ externalid: "pro", name: "Pro", price: 4999, quantity: 1 }],
      ...ids,
      ...extra,
    },
  });

  it("stores orders in cents, refuses negatives, floats and duplicate externalids, updates by id", async () => {
    const ids = await connected();
    const created = await paced("POST", "/ecomOrders", order(ids));
    expect(created.status).toBe(201);
    expect((await paced("POST", "/ecomOrders", order(ids))).json.errors[0].code).toBe("duplicate");
    for (const totalPrice of [-1, 49.99]) {
      const bad = await paced(
        "POST",
        "/ecomOrders",
        order(ids, { externalid: "txn_2", totalPrice }),
      );
      expect(bad.status).toBe(422);
    }
    expect(
      (await paced("POST", "/ecomOrders", order(ids, { externalid: "txn_3", source: 2 }))).status,
    ).toBe(422);
    const updated = await paced("PUT", `/ecomOrders/${created.json.ecomOrder.id}`, {
      ecomOrder: { totalPrice: 0 },
    });
    expect(updated.json.ecomOrder).toMatchObject({ totalPrice: 0, externalid: "txn_1" });
    const found = await paced(
      "GET",
      `/ecomOrders?filters[connectionid]=${ids.connectionid}&filters[externalid]=txn_1`,
    );
    expect(found.json.ecomOrders).toHaveLength(1);
  });

  it("refuses an order for an unknown connection or customer, and a connection twice", async () => {
    const ids = await connected();
    expect((await paced("POST", "/ecomOrders", order({ ...ids, customerid: "999" }))).status).toBe(
      422,
    );
    const again = await paced("POST", "/connections", {
      connection: {
        service: "Chargebee",
        externalid: "acme",
        name: "x",
        logoUrl: "https://x.test/l.png",
        linkUrl: "https://x.test",
      },
    });
    expect(again.json.errors[0].code).toBe("duplicate");
  });
});

describe("the account's rate limit", () => {
  it("answers the sixth request of a second 429 with Retry-After, whatever the API key", async () => {
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await call("GET", "/lists", undefined, i % 2 ? "key-a" : "key-b"));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[5]?.headers.get("retry-after")).toBe("1");
    expect(ac.maxRequestsInWindow(1000)).toBe(6);
    clock += 1000;
    expect((await call("GET", "/lists")).status).toBe(200);
  });

  it("counts a sliding window, not fixed seconds", async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call("GET", "/lists")).status);
    clock += 600;
    statuses.push((await call("GET", "/lists")).status);
    clock += 399;
    statuses.push((await call("GET", "/lists")).status);
    clock += 1;
    statuses.push((await call("GET", "/lists")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 200]);
  });

  it("serves injected failures first, then answers normally", async () => {
    ac.failNext({ type: "http", status: 503, retryAfter: "2" });
    const failed = await call("GET", "/lists");
    expect([failed.status, failed.headers.get("retry-after")]).toEqual([503, "2"]);
    expect((await call("GET", "/lists")).status).toBe(200);
    expect(() => ac.failNext({ type: "nonsense" } as never)).toThrow(
      expect.objectContaining({ name: "ConfigError" }),
    );
  });
});
