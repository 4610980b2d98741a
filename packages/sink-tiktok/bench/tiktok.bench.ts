/**
 * 1. Batch isolation: requests and re-sent events when k of 1,000 events are bad (k = 1, 2, 10,
 *    1,000), for a TikTok that names the bad event (`Batch.N`, one per answer) and one that names
 *    none, through a fake `fetch` that validates all-or-nothing like TikTok (spec §5). The bound is
 *    2·k·log2(n) + 2 requests (the probe included); the old sink threw for two unnamed bad events and
 *    re-sent ~N²/2 events when every event was refused.
 * 2. Requests sent for 10,000 conversions: ceil(10,000 / batch size), 10 with the default 1,000.
 * 3. Mapping throughput (normalization, SHA-256 hashing, properties) as a ratio to `JSON.stringify`
 *    of the same mapped payloads, measured in the same run.
 */
import type { Conversion } from "@revtrace/core";
import { createTikTokSink, mapConversion, parseTikTokSinkOptions } from "@revtrace/sink-tiktok";
import { bench, report } from "../../../scripts/bench-kit.ts";
import { syntheticPurchases } from "../test/fixtures/conversions.js";

const NOW = Date.UTC(2026, 2, 1, 12);
const conversions = syntheticPurchases(10_000, NOW - 60_000);

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

async function bodyOf(input: RequestInfo | URL, init?: RequestInit): Promise<string> {
  return input instanceof Request ? await input.text() : String(init?.body ?? "");
}

/** A fake TikTok `fetch`: all-or-nothing validation of the events whose id is in `bad`. */
function fakeTikTok(bad: ReadonlySet<string>, naming: boolean) {
  const counts = { requests: 0, events: 0 };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    counts.requests++;
    const ids = (
      JSON.parse(await bodyOf(input, init)) as { data: Array<{ event_id: string }> }
    ).data.map((event) => event.event_id);
    counts.events += ids.length;
    if (ids.length === 0) return json({ code: 40061, message: "Invalid batch size", data: {} });
    const index = ids.findIndex((id) => bad.has(id));
    if (index < 0) return json({ code: 0, message: "OK", data: {} });
    const message = naming ? `Batch.${index}.user: invalid` : "Param error";
    return json({ code: 40002, message, data: {} });
  };
  return { fetch, counts };
}

async function isolation(k: number, naming: boolean) {
  const items: Conversion[] = conversions.slice(0, 1_000);
  // k bad events spread evenly over the batch.
  const bad = new Set(
    Array.from({ length: k }, (_, i) => items[Math.floor((i * 1_000) / k)]?.id as string),
  );
  const { fetch, counts } = fakeTikTok(bad, naming);
  const sink = createTikTokSink({
    accessToken: "bench-token",
    pixelCode: "C4BENCH",
    now: () => NOW,
    fetch,
    retry: { retries: 0 },
  });
  const started = performance.now();
  const results = await sink.send(items);
  const ms = performance.now() - started;
  const rejected = results.filter((r) => r.status === "rejected").length;
  const delivered = results.filter((r) => r.status === "delivered").length;
  if (rejected !== k || delivered !== 1_000 - k) {
    throw new Error(`k=${k}: ${rejected} rejected, ${delivered} delivered`);
  }
  return { ...counts, ms };
}

console.log(
  "\n## Batch isolation: k bad events among 1,000 (fake fetch, all-or-nothing like TikTok)",
);
console.log(
  "| TikTok's 40002 message | k bad | requests | bound 2·k·log2(n)+2 | events sent | re-sent events (sent − 1,000) | send time |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
let overBound = false;
for (const naming of [false, true]) {
  for (const k of [1, 2, 10, 1_000]) {
    const { requests, events, ms } = await isolation(k, naming);
    const bound = 2 * k * Math.ceil(Math.log2(1_000)) + 2;
    if (requests > bound) overBound = true;
    const label = naming ? "names the event (Batch.N)" : "names no event";
    console.log(
      `| ${label} | ${k} | ${requests} | ${bound} | ${events} | ${events - 1_000} | ${ms.toFixed(0)} ms |`,
    );
  }
}
if (overBound) {
  console.error("batch isolation took more requests than 2·k·log2(n) + 2");
  process.exitCode = 1;
}

async function requestsFor(
  batchSize: number | undefined,
): Promise<{ requests: number; events: number; ms: number }> {
  const { fetch, counts } = fakeTikTok(new Set(), false);
  const sink = createTikTokSink({
    accessToken: "bench-token",
    pixelCode: "C4BENCH",
    now: () => NOW,
    fetch,
    batchSize,
  });
  const started = performance.now();
  const results = await sink.send(conversions);
  const ms = performance.now() - started;
  if (results.some((r) => r.status !== "delivered"))
    throw new Error("every conversion should be delivered");
  return { ...counts, ms };
}

console.log("\n## Requests for 10,000 conversions (fake fetch)");
console.log(
  "| batch size | requests sent | expected ceil(10000 / batch) | events sent | send time |",
);
console.log("|---:|---:|---:|---:|---:|");
let mismatch = false;
for (const batchSize of [undefined, 50]) {
  const effective =
    batchSize ?? parseTikTokSinkOptions({ accessToken: "t", pixelCode: "p" }).batchSize;
  const expected = Math.ceil(conversions.length / effective);
  const { requests, events, ms } = await requestsFor(batchSize);
  if (requests !== expected || events !== conversions.length) mismatch = true;
  const label = batchSize === undefined ? `${effective} (default)` : `${effective} (old default)`;
  console.log(`| ${label} | ${requests} | ${expected} | ${events} | ${ms.toFixed(0)} ms |`);
}
if (mismatch) {
  console.error("requests sent differ from ceil(10000 / batch size)");
  process.exitCode = 1;
}

const settings = parseTikTokSinkOptions({ accessToken: "t", pixelCode: "p" });
const sample = conversions.slice(0, 1000);
const payloads = sample.map((c) => {
  const mapped = mapConversion(c, settings, NOW);
  if (mapped.kind !== "event") throw new Error("expected an event");
  return mapped.event;
});
let sink = 0;
const baseline = bench(
  "JSON.stringify of the mapped payloads",
  () => {
    sink += JSON.stringify(payloads).length;
  },
  { opsPerCall: sample.length },
);
const results = [
  bench(
    "mapConversion (normalize + SHA-256 + properties)",
    () => {
      for (const c of sample) sink += mapConversion(c, settings, NOW).kind.length;
    },
    { opsPerCall: sample.length },
  ),
];
report("Mapping throughput, per conversion (1,000 per round)", baseline, results);
if (sink === 42) console.log("");
