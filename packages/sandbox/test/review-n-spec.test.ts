/**
 * Review n: the emulators against shared/specs/*.md, black-box over real HTTP (the standalone server
 * on an ephemeral port, no msw). Each test names the spec line it holds the sandbox to.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SandboxServer, startSandbox } from "../src/index.js";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, activecampaign: { rateLimit: false } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.segment.reset();
  sandbox.activecampaign.reset();
});

const segmentHeaders = {
  authorization: `Basic ${Buffer.from("review-n-key:").toString("base64")}`,
  "content-type": "application/json",
};

describe("Segment size limits (segment-http-api.md §4)", () => {
  // §4: "Batch request | 500 KB | HTTP 400"; §5: "200 for all requests except oversize payloads
  // and invalid JSON (400)". The server's own 5 MB cap must not turn Segment's 400 into a 413.
  it("answers a 6 MB batch with Segment's 400, not the server's 413", async () => {
    const body = JSON.stringify({
      batch: [{ type: "track", userId: "u", event: "x".repeat(6_000_000) }],
    });
    const answer = await fetch(`${sandbox.vendors.segment}/v1/batch`, {
      method: "POST",
      headers: segmentHeaders,
      body,
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ success: false, code: "invalid_request" });
    expect(sandbox.segment.requests.at(-1)).toMatchObject({ path: "/v1/batch", status: 400 });
    expect(sandbox.segment.recorded).toHaveLength(0);
  });

  it("answers a 6 MB single call with Segment's 400 too (32 KB limit)", async () => {
    const answer = await fetch(`${sandbox.vendors.segment}/v1/track`, {
      method: "POST",
      headers: segmentHeaders,
      body: JSON.stringify({ userId: "u", event: "x".repeat(6_000_000) }),
    });
    expect(answer.status).toBe(400);
  });
});

const AC_HEADERS = { "api-token": "review-n", "content-type": "application/json" };
async function ac(method: string, path: string, body?: unknown) {
  const answer = await fetch(`${sandbox.vendors.activecampaign}/api/3${path}`, {
    method,
    headers: AC_HEADERS,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  return { status: answer.status, json: text ? JSON.parse(text) : undefined };
}

describe("ActiveCampaign contacts (activecampaign.md §2)", () => {
  // §2: "Prefer sync over `POST /contacts` (create), which returns 422 `duplicate` if the email
  // exists"; §1 "Error shapes" quotes the body of that 422.
  it("POST /contacts creates a contact, and refuses an existing email with the documented 422", async () => {
    const created = await ac("POST", "/contacts", { contact: { email: "ann@example.com" } });
    expect(created.status).toBe(201);
    expect(created.json.contact).toMatchObject({
      email: "ann@example.com",
      id: expect.any(String),
    });
    const again = await ac("POST", "/contacts", { contact: { email: "ANN@example.com" } });
    expect(again.status).toBe(422);
    expect(again.json).toEqual({
      errors: [
        {
          title: "Email address already exists in the system",
          detail: "",
          code: "duplicate",
          source: { pointer: "/data/attributes/email" },
        },
      ],
    });
    expect(sandbox.activecampaign.state.contacts).toHaveLength(1);
    const invalid = await ac("POST", "/contacts", { contact: { firstName: "No email" } });
    expect(invalid.status).toBe(422);
  });

  // §1 Pagination: "For big contact walks AC recommends `orders[id]=ASC` + `id_greater=<lastId>`";
  // §2: filters `phone` (prefix match), `id_greater`, `orders[id]`. Ignoring them answers every
  // contact: a walk by id_greater never ends, a phone lookup finds the wrong person.
  it("GET /contacts honours id_greater, orders[id] and the phone prefix filter", async () => {
    const ids: string[] = [];
    for (const [email, phone] of [
      ["a@example.com", "+4930111"],
      ["b@example.com", "+4930222"],
      ["c@example.com", "+1555333"],
    ]) {
      ids.push((await ac("POST", "/contact/sync", { contact: { email, phone } })).json.contact.id);
    }
    const after = await ac("GET", `/contacts?orders[id]=ASC&id_greater=${ids[0]}`);
    expect(after.json.contacts.map((c: { id: string }) => c.id)).toEqual([ids[1], ids[2]]);
    expect(after.json.meta.total).toBe("2");
    const last = await ac("GET", `/contacts?orders[id]=ASC&id_greater=${ids[2]}`);
    expect(last.json.contacts).toEqual([]);
    const desc = await ac("GET", "/contacts?orders[id]=DESC");
    expect(desc.json.contacts.map((c: { id: string }) => c.id)).toEqual([...ids].reverse());
    const berlin = await ac("GET", `/contacts?phone=${encodeURIComponent("+4930")}`);
    expect(berlin.json.contacts.map((c: { email: string }) => c.email)).toEqual([
      "a@example.com",
      "b@example.com",
    ]);
  });
});

describe("Segment single-call endpoints (segment-http-api.md §3.1)", () => {
  // §3.1: `type` is required in a batch; "Single-call endpoints imply it": /v1/track is a track.
  it("records a message posted to /v1/track as a track, whatever type its body claims", async () => {
    const answer = await fetch(`${sandbox.vendors.segment}/v1/track`, {
      method: "POST",
      headers: segmentHeaders,
      body: JSON.stringify({ type: "identify", userId: "u", event: "Order Completed" }),
    });
    expect(answer.status).toBe(200);
    expect(sandbox.segment.recorded.map((r) => r.message.type)).toEqual(["track"]);
  });
});

describe("control endpoint robustness", () => {
  // A `times` the queue cannot hold (1e9 pushes ~8 GB) must be refused, not hang the server.
  it("refuses a failure count that is not a small positive integer", async () => {
    const inject = (times: unknown) =>
      fetch(`${sandbox.url}/_sandbox/segment/failures`, {
        method: "POST",
        body: JSON.stringify({ failure: { type: "http", status: 503 }, times }),
      });
    expect((await inject("abc")).status).toBe(400);
    expect((await inject(-1)).status).toBe(400);
    expect((await inject(1.5)).status).toBe(400);
    expect((await inject(1e9)).status).toBe(400);
    expect((await inject(2)).status).toBe(204);
  });
});
