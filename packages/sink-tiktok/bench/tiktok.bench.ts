/**
 * 1. Requests sent for 10,000 conversions, counted through a fake `fetch`: must equal
 *    ceil(10,000 / batch size) for the default batch size and for TikTok's maximum.
 * 2. Mapping throughput (normalization, SHA-256 hashing, properties) as a ratio to `JSON.stringify`
 *    of the same mapped payloads, measured in the same run.
 */
import { createTikTokSink, mapConversion, parseTikTokSinkOptions } from "@revtrace/sink-tiktok";
import { bench, report } from "../../../scripts/bench-kit.ts";
import { syntheticPurchases } from "../test/fixtures/conversions.js";

const NOW = Date.UTC(2026, 2, 1, 12);
const conversions = syntheticPurchases(10_000, NOW - 60_000);

async function requestsFor(
  batchSize: number | undefined,
): Promise<{ requests: number; events: number; ms: number }> {
  let requests = 0;
  let events = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests++;
    const body = input instanceof Request ? await input.text() : String(init?.body ?? "");
    events += (JSON.parse(body) as { data: unknown[] }).data.length;
    return new Response(
      JSON.stringify({ code: 0, message: "OK", request_id: `bench-${requests}`, data: {} }),
      {
        headers: { "content-type": "application/json" },
      },
    );
  };
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
  return { requests, events, ms };
}

console.log("\n## Requests for 10,000 conversions (fake fetch)");
console.log(
  "| batch size | requests sent | expected ceil(10000 / batch) | events sent | send time |",
);
console.log("|---:|---:|---:|---:|---:|");
let mismatch = false;
for (const batchSize of [undefined, 1000]) {
  const effective =
    batchSize ?? parseTikTokSinkOptions({ accessToken: "t", pixelCode: "p" }).batchSize;
  const expected = Math.ceil(conversions.length / effective);
  const { requests, events, ms } = await requestsFor(batchSize);
  if (requests !== expected || events !== conversions.length) mismatch = true;
  const label = batchSize === undefined ? `${effective} (default)` : String(effective);
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
