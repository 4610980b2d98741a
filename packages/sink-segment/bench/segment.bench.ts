/**
 * 1. Requests sent for 10,000 deliveries (20,000 messages: identify + track), counted through a fake
 *    `fetch`, against the minimum the 500 KB and 2,500-message limits allow for the same messages
 *    (target: equal), at small and at large message sizes.
 * 2. Mapping cost (Conversion → messages) as a ratio to `JSON.stringify` of the same messages,
 *    measured in the same run.
 */
import {
  createSegmentSink,
  mapConversion,
  parseSegmentSinkOptions,
  SEGMENT_MAX_BATCH_BYTES,
  SEGMENT_MAX_BATCH_MESSAGES,
  type SegmentBatchRequest,
} from "@revtrace/sink-segment";
import { bench, report } from "../../../scripts/bench-kit.ts";
import { syntheticPurchases } from "../test/fixtures/conversions.js";

const NOW = Date.UTC(2026, 2, 1, 12);
const ENVELOPE = Buffer.byteLength(
  JSON.stringify({ batch: [], sentAt: new Date(NOW).toISOString() }),
);

/** The fewest requests that can carry `sizes` in order under both limits (greedy is optimal here). */
function minimumRequests(sizes: readonly number[]): number {
  const total = sizes.reduce((a, b) => a + b, 0) + sizes.length;
  const byBytes = Math.ceil(total / (SEGMENT_MAX_BATCH_BYTES - ENVELOPE));
  const byCount = Math.ceil(sizes.length / SEGMENT_MAX_BATCH_MESSAGES);
  return Math.max(byBytes, byCount);
}

async function requestsFor(padding: number) {
  const conversions = syntheticPurchases(10_000, NOW - 60_000, padding);
  let requests = 0;
  const sizes: number[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests++;
    const body = input instanceof Request ? await input.text() : String(init?.body ?? "");
    for (const message of (JSON.parse(body) as SegmentBatchRequest).batch) {
      sizes.push(Buffer.byteLength(JSON.stringify(message)));
    }
    return Response.json({ success: true });
  };
  const sink = createSegmentSink({ writeKey: "bench", now: () => NOW, fetch });
  const started = performance.now();
  const results = await sink.send(conversions);
  const ms = performance.now() - started;
  if (results.some((r) => r.status !== "delivered")) throw new Error("all should be delivered");
  return { requests, messages: sizes.length, minimum: minimumRequests(sizes), ms };
}

console.log("\n## Requests for 10,000 deliveries (fake fetch)");
console.log("| message size | messages | requests sent | minimum the limits allow | send time |");
console.log("|---|---:|---:|---:|---:|");
let mismatch = false;
for (const [label, padding] of [
  ["~0.5 KB", 0],
  ["~2.5 KB", 2_000],
] as const) {
  const { requests, messages, minimum, ms } = await requestsFor(padding);
  // Greedy packing in order can cost at most one request more than the byte bound over many batches.
  if (requests > minimum + 1) mismatch = true;
  console.log(`| ${label} | ${messages} | ${requests} | ${minimum} | ${ms.toFixed(0)} ms |`);
}
if (mismatch) {
  console.error("more requests than the Segment limits force");
  process.exitCode = 1;
}

const settings = parseSegmentSinkOptions({ writeKey: "bench" });
const sample = syntheticPurchases(1_000, NOW - 60_000);
const messages = sample.map((c) => {
  const mapped = mapConversion(c, settings);
  if (mapped.kind !== "messages") throw new Error("expected messages");
  return mapped.messages;
});
let sink = 0;
const baseline = bench(
  "JSON.stringify of the mapped messages",
  () => {
    sink += JSON.stringify(messages).length;
  },
  { opsPerCall: sample.length },
);
const results = [
  bench(
    "mapConversion (identify + track)",
    () => {
      for (const c of sample) sink += mapConversion(c, settings).kind.length;
    },
    { opsPerCall: sample.length },
  ),
];
report("Mapping cost, per conversion (1,000 per round)", baseline, results);
if (sink === 42) console.log("");
