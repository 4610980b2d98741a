/**
 * `npm run demo`: the whole revtrace flow on `@revtrace/pipeline`, over real HTTP, on the embedded
 * SQLite store, against the local TikTok sandbox — no network, no accounts.
 *
 *  1. Collect: a visitor lands from a TikTok ad (ttclid), comes back later, fills a lead form.
 *  2. Receive: Chargebee posts a checkout payment webhook (Basic auth) to the pipeline's HTTP
 *     endpoint — twice, as Chargebee may; the second delivery is a duplicate. A wrong password is
 *     refused with 401.
 *  3. Process: the worker links the Chargebee customer to the visitor, attributes the payment
 *     (first-touch and the click-id chain), books the partner's 20 % commission and puts one
 *     conversion in the TikTok sink's outbox.
 *  4. Deliver: the sink runner posts it to the sandbox, which validates it against TikTok's contract.
 *  5. Refund: a partial refund reverses the commission in proportion.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTouchpoint, toMajor } from "@revtrace/core";
import { createIdentityResolver } from "@revtrace/identity";
import { createPipeline } from "@revtrace/pipeline";
import { createNodeListener } from "@revtrace/pipeline/node";
import { startSandbox } from "@revtrace/sandbox";
import { createTikTokSink } from "@revtrace/sink-tiktok";
import { createSqliteStorage } from "@revtrace/storage-sqlite";

const HOUR = 3_600_000;
const FIXTURES = new URL("../packages/chargebee/test/fixtures/", import.meta.url);
const WEBHOOK_USER = "chargebee";
const WEBHOOK_PASSWORD = "demo-webhook-secret";
// The fixture's example.com address is (rightly) refused by the identity rules as a reserved domain.
const FIXTURE_EMAIL = "ada@example.com";
const DEMO_EMAIL = "ada@lovelace-analytics.io";
const TTCLID = "E.C.P.v3DemoClick9x";

const say = (text: string) => console.log(text);
const step = (n: number, title: string) => say(`\n${n}. ${title}`);

/** A fixture webhook, moved to `secondsAgo` before now so TikTok's 7-day window accepts it. */
function webhookBody(name: string, now: number, secondsAgo: number): string {
  const event = JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as {
    occurred_at: number;
  };
  const shiftSeconds = Math.floor(now / 1000) - secondsAgo - event.occurred_at;
  const shift = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => shift(v, key));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v, k)]));
    }
    if (typeof value !== "number") return value;
    if (key === "resource_version") return value + shiftSeconds * 1000;
    return key.endsWith("_at") || key === "date" ? value + shiftSeconds : value;
  };
  return JSON.stringify(shift(event, "")).replaceAll(FIXTURE_EMAIL, DEMO_EMAIL);
}

async function main(): Promise<void> {
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "revtrace-demo-"));
  const sandbox = await startSandbox({ port: 0 });
  const storage = createSqliteStorage({ path: join(dir, "revtrace.db") });
  await storage.migrate();
  const pipeline = createPipeline({
    storage,
    sinks: [
      createTikTokSink({
        accessToken: "demo-access-token",
        pixelCode: "CDEMOPIXEL123",
        baseUrl: `${sandbox.vendors.tiktok}/open_api/v1.3/`,
        testEventCode: "TEST12345",
      }),
    ],
    chargebee: { credentials: [{ username: WEBHOOK_USER, password: WEBHOOK_PASSWORD }] },
    commissions: { rules: [{ percent: 20, duration: "lifetime" }] },
  });
  const server = createServer(createNodeListener(pipeline));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/chargebee`;
  const post = async (body: string, password = WEBHOOK_PASSWORD) => {
    const authorization = `Basic ${Buffer.from(`${WEBHOOK_USER}:${password}`).toString("base64")}`;
    const response = await fetch(endpoint, {
      method: "POST",
      body,
      headers: { authorization, "content-type": "application/json" },
    });
    return { status: response.status, text: await response.text() };
  };
  try {
    say(`revtrace demo — pipeline at ${endpoint}, TikTok sandbox ${sandbox.vendors.tiktok}`);

    step(1, "Collect: touchpoints and a lead form");
    const visitor = "anon_5c1e9b2f";
    const touchpoints = [
      createTouchpoint({
        id: "tp_tiktok_ad",
        anonymousId: visitor,
        occurredAt: now - 72 * HOUR,
        clickIds: { ttclid: TTCLID },
        utm: { source: "tiktok", medium: "paid_social", campaign: "spring_launch" },
        landingPage: `https://app.example.com/?ttclid=${TTCLID}&utm_source=tiktok`,
        referrer: "https://www.tiktok.com/",
        userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15",
        ip: "203.0.113.7",
        ttp: "2dKqVtbLhTqS5wE8VQy1mGZ9aQx",
      }),
      createTouchpoint({
        id: "tp_google",
        anonymousId: visitor,
        occurredAt: now - 26 * HOUR,
        referrer: "https://www.google.com/",
        landingPage: "https://app.example.com/pricing",
      }),
    ];
    await storage.addTouchpoints(touchpoints);
    for (const tp of touchpoints) {
      say(
        `   ${tp.id.padEnd(13)} ${tp.channel.padEnd(14)} ${new Date(tp.occurredAt).toISOString()}`,
      );
    }
    const lead = await createIdentityResolver({ storage }).link(
      [
        { kind: "anonymous_id", value: visitor },
        { kind: "email", value: " Ada@Lovelace-Analytics.io" },
      ],
      { source: "lead_form", observationId: "form:demo-1", at: now - 2 * HOUR },
    );
    say(`   lead form linked the visitor to person ${lead.personId} (email never printed)`);

    step(2, "Receive: a Chargebee payment webhook over HTTP, delivered twice");
    const payment = webhookBody("payment_succeeded.items-click-id.synthetic.json", now, 300);
    for (const delivery of [1, 2]) {
      const answer = await post(payment);
      say(`   delivery ${delivery} → HTTP ${answer.status} ${answer.text}`);
    }
    say(`   wrong password → HTTP ${(await post(payment, "wrong")).status}`);

    step(3, "Process and deliver: identity → attribution → commission → TikTok outbox → sandbox");
    await pipeline.drain();
    for (const recorded of sandbox.recorded.tiktok) {
      const e = recorded.event as Record<string, unknown> & {
        user?: Record<string, unknown>;
        properties?: Record<string, unknown>;
      };
      const hashed = createHash("sha256").update(DEMO_EMAIL).digest("hex");
      say(
        `   TikTok accepted ${String(e.event)} event_id=${String(e.event_id)} value=${String(e.properties?.value)} ${String(e.properties?.currency)} ttclid=${String(e.user?.ttclid)} email=sha256:${String(e.user?.email).slice(0, 12)}… (${e.user?.email === hashed ? "matches" : "DOES NOT match"} the lead's email)`,
      );
    }
    if (sandbox.recorded.tiktok.length !== 1) {
      throw new Error("the sandbox did not record exactly one TikTok event");
    }
    const balance = async () =>
      (await storage.listCommissions({ partnerId: "partner-42" }))
        .map((entry) => `${entry.kind} ${toMajor(entry.amount)} ${entry.amount.currency}`)
        .join(", ");
    say(`   partner-42 commission: ${await balance()}`);

    step(4, "Refund: EUR 15.00 of the EUR 49.00 payment");
    const refund = await post(webhookBody("payment_refunded.partial.synthetic.json", now, 60));
    say(`   refund webhook → HTTP ${refund.status}`);
    await pipeline.drain();
    say(`   partner-42 commission: ${await balance()}`);

    const m = pipeline.metrics();
    say(
      `\nCounters: received ${m.received}, duplicates ${m.duplicates}, processed ${m.processed}, TikTok delivered ${m.sinks.tiktok?.delivered}, dead letters ${m.sinks.tiktok?.deadLetters}.`,
    );
    say(
      "Done: one webhook (delivered twice) → one person → credited TikTok click → one TikTok event; the refund reversed the commission in proportion.",
    );
  } finally {
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    await pipeline.close(); // closes the storage too
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error("revtrace demo failed:", error);
  process.exit(1);
});
