/** The Kiflo emulator, called directly and through the standalone server (real sockets). */
import { ConfigError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { createKifloSandbox, type KifloSandbox, startSandbox } from "../src/index.js";

const TOKEN = "kiflo-sandbox-token";

async function call(
  kiflo: KifloSandbox,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const outcome = await kiflo.handle({
    method,
    path: `/v3${path}`,
    headers: new Headers({
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/json",
      ...headers,
    }),
    body: body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body),
  });
  if (outcome.kind !== "respond") return { status: 0, body: undefined };
  const text = outcome.response.body;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text || "null");
  } catch {
    // An edge's HTML page (injected 5xx): kept as text.
  }
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read field by field
  return { status: outcome.response.status, body: parsed as any };
}

const fresh = () => createKifloSandbox({ tokens: [TOKEN], now: () => Date.UTC(2026, 0, 1) });

describe("Kiflo sandbox", () => {
  it("refuses a missing, unknown or non-Bearer token with Kiflo's error body", async () => {
    const kiflo = fresh();
    for (const authorization of ["", "Bearer nope", TOKEN, `AppId ${TOKEN}`]) {
      const answer = await call(kiflo, "GET", "/customers", undefined, { authorization });
      expect(answer).toEqual({
        status: 401,
        body: { errorCode: "Unauthorized", errorMessage: "Invalid or missing API access token" },
      });
    }
  });

  it("lists property definitions, with the Chargebee ones only when the integration is on", async () => {
    const on = await call(fresh(), "GET", "/customers/properties");
    expect(on.body.map((p: { label: string }) => p.label)).toContain("ChargeBee Customer ID");
    const tx = await call(fresh(), "GET", "/transactions/properties");
    expect(tx.body.map((p: { label: string }) => p.label)).toEqual([
      "Name",
      "Amount",
      "Chargebee Transaction ID",
      "Chargebee Invoice ID",
    ]);
    const off = createKifloSandbox({ tokens: [TOKEN], chargebeeProperties: false });
    const none = await call(off, "GET", "/customers/properties");
    expect(none.body.map((p: { label: string }) => p.label)).not.toContain("ChargeBee Customer ID");
  });

  it("pages with offset, limit, sort_by and order_by, and clamps the page size", async () => {
    const kiflo = fresh();
    for (let i = 0; i < 5; i++) kiflo.addCustomer({ properties: { email: `c${i}@example.com` } });
    const answer = await call(kiflo, "GET", "/customers?offset=1&limit=2&sort_by=id&order_by=desc");
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((c: { id: number }) => c.id)).toEqual([1003, 1002]);
    expect(answer.body).toMatchObject({ paginationSkipCount: 1, totalCount: 5 });
    const big = await call(kiflo, "GET", "/customers?limit=1000");
    expect(big.body.items).toHaveLength(5);
    const bad = await call(kiflo, "GET", "/customers?limit=-1");
    expect(bad).toMatchObject({ status: 400, body: { errorCode: "Pagination.Invalid" } });
  });

  it("converts a lead once, keeping its partner as the customer's source partner", async () => {
    const kiflo = fresh();
    const lead = kiflo.addLead({ email: "ada@example.com", partnerId: 7 });
    const body = { customer: { properties: { cf_chargebee_customer_id: "cus_1" } } };
    const first = await call(kiflo, "POST", `/leads/${lead.id}/convert/customer`, body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: lead.id, status: "Converted", customerId: 1001 });
    expect(kiflo.customers[0]).toMatchObject({
      sourcePartnerId: 7,
      properties: { email: "ada@example.com", cf_chargebee_customer_id: "cus_1" },
    });
    const again = await call(kiflo, "POST", `/leads/${lead.id}/convert/customer`, body);
    expect(again).toMatchObject({ status: 400, body: { errorCode: "Leads.AlreadyConverted" } });
    expect(kiflo.customers).toHaveLength(1);
    const unknown = await call(kiflo, "POST", "/leads/999999/convert/customer", body);
    expect(unknown).toMatchObject({ status: 404, body: { errorCode: "Leads.NotFound" } });
  });

  it("associates a customer with a deal, refusing an unknown customer", async () => {
    const kiflo = fresh();
    const customer = kiflo.addCustomer({});
    const deal = kiflo.addDeal({ contactEmail: "ada@example.com" });
    const contact = await call(kiflo, "GET", `/contacts/${deal.contactId}`);
    expect(contact.body.properties).toEqual({ email: "ada@example.com" });
    expect(
      (await call(kiflo, "POST", `/deals/${deal.id}/associate/customer`, { customerId: 42 }))
        .status,
    ).toBe(404);
    const ok = await call(kiflo, "POST", `/deals/${deal.id}/associate/customer`, {
      customerId: customer.id,
    });
    expect(ok.body).toMatchObject({ id: deal.id, customerId: customer.id });
    const bad = await call(kiflo, "POST", `/deals/${deal.id}/associate/customer`, {});
    expect(bad).toMatchObject({ status: 400, body: { errorCode: "Deals.InvalidRequest" } });
  });

  it("creates transactions for exactly one customer identifier, with defined properties only", async () => {
    const kiflo = fresh();
    const customer = kiflo.addCustomer({
      properties: { email: "ada@example.com" },
      sourcePartnerId: 3,
    });
    const tx = (customer: unknown, extra: Record<string, unknown> = {}) => ({
      currency: "USD",
      properties: { name: "Invoice 1", amount: 99.9, ...extra },
      customer,
    });
    const none = await call(kiflo, "POST", "/transactions", tx(undefined));
    expect(none).toEqual({
      status: 400,
      body: {
        errorCode: "Transactions.InvalidCustomerIdentifier",
        errorMessage: "You must specify one customer identifier",
      },
    });
    const two = await call(kiflo, "POST", "/transactions", tx({ id: customer.id, email: "x" }));
    expect(two.body.errorCode).toBe("Transactions.InvalidCustomerIdentifier");
    const unknownProperty = await call(
      kiflo,
      "POST",
      "/transactions",
      tx({ id: customer.id }, { foo: 1 }),
    );
    expect(unknownProperty).toMatchObject({
      status: 400,
      body: { errorCode: "Transactions.InvalidRequest" },
    });
    const cents = await call(kiflo, "POST", "/transactions", {
      ...tx({ id: customer.id }),
      currency: "usd",
    });
    expect(cents.status).toBe(400);
    const byEmail = await call(kiflo, "POST", "/transactions", tx({ email: "ada@example.com" }));
    expect(byEmail.body).toMatchObject({ customerId: customer.id, partnerId: 3, currency: "USD" });
    expect(kiflo.transactions).toHaveLength(1);
    const list = await call(kiflo, "GET", `/transactions?customer_id=${customer.id}`);
    expect(list.body.totalCount).toBe(1);
    const put = await call(kiflo, "PUT", `/transactions/${byEmail.body.id}`, {
      currency: "USD",
      properties: { name: "Invoice 1", amount: 50 },
    });
    expect(put.body.properties.amount).toBe(50);
    expect((await call(kiflo, "DELETE", `/transactions/${byEmail.body.id}`)).body).toBe(true);
    expect((await call(kiflo, "GET", `/transactions/${byEmail.body.id}`)).status).toBe(404);
  });

  it("refuses a body that is not JSON, or not sent as JSON", async () => {
    const kiflo = fresh();
    expect((await call(kiflo, "POST", "/customers", "{nope")).body.errorCode).toBe(
      "InvalidRequest",
    );
    const text = await call(kiflo, "POST", "/customers", {}, { "content-type": "text/plain" });
    expect(text.status).toBe(415);
  });

  it("fails on demand: matched by method and path, before or after applying the request", async () => {
    const kiflo = fresh();
    const customer = kiflo.addCustomer({});
    kiflo.failNext({ type: "http", status: 503, match: { method: "GET", path: "/customers/*" } });
    expect((await call(kiflo, "GET", "/customers")).status).toBe(200);
    expect((await call(kiflo, "GET", `/customers/${customer.id}`)).status).toBe(503);
    expect((await call(kiflo, "GET", `/customers/${customer.id}`)).status).toBe(200);
    kiflo.failNext({ type: "network", afterApply: true, match: { method: "POST" } });
    const lost = await kiflo.handle({
      method: "POST",
      path: "/v3/customers",
      headers: new Headers({
        authorization: `Bearer ${TOKEN}`,
        "content-type": "application/json",
      }),
      body: "{}",
    });
    expect(lost.kind).toBe("network_error");
    expect(kiflo.customers).toHaveLength(2);
    kiflo.failNext({ type: "error", status: 429, errorCode: "RateLimited" }, 2);
    expect((await call(kiflo, "GET", "/deals")).body.errorCode).toBe("RateLimited");
    expect((await call(kiflo, "GET", "/deals")).status).toBe(429);
    expect((await call(kiflo, "GET", "/deals")).status).toBe(200);
    expect(() => kiflo.failNext({ type: "bogus" } as never)).toThrow(ConfigError);
    kiflo.reset();
    expect(kiflo.customers).toHaveLength(0);
    expect(kiflo.requests).toHaveLength(0);
  });

  it("is served by the standalone server under /kiflo, with its control endpoints", async () => {
    const kiflo = fresh();
    kiflo.addCustomer({ properties: { email: "ada@example.com" } });
    const sandbox = await startSandbox({ kiflo });
    try {
      expect(sandbox.vendors.kiflo).toBe(`${sandbox.url}/kiflo`);
      const response = await fetch(`${sandbox.vendors.kiflo}/v3/customers`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { totalCount: number }).totalCount).toBe(1);
      const failure = await fetch(`${sandbox.url}/_sandbox/kiflo/failures`, {
        method: "POST",
        body: JSON.stringify({ failure: { type: "http", status: 500 } }),
      });
      expect(failure.status).toBe(204);
      const failed = await fetch(`${sandbox.vendors.kiflo}/v3/customers`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(failed.status).toBe(500);
      const recorded = await fetch(`${sandbox.url}/_sandbox/kiflo/recorded`);
      expect(((await recorded.json()) as { customers: unknown[] }).customers).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });
});
