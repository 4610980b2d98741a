/**
 * Parse + validate + normalize cost of `parseChargebeeEvent` over every real fixture body (from the
 * string, as a webhook endpoint receives it), against `JSON.parse` of the same bodies in the same run
 * (target ≤ 1.5×). Also measures the official SDK's webhook handler on the same bodies for reference
 * (it only checks `id`/`event_type`, research/perf-anchors.md §2).
 *
 * Before the one-pass field readers (zod strip-mode schemas, then a normalizer), this bench gave
 * 1.81–1.97× on the same machine; the readers validate more (currency presence, signs, id length,
 * milliseconds, transaction kinds) and cost less.
 *
 * The airbyte fixture is a List Events response; like research/perf-anchors.md, its `list[0].event`
 * re-serialized with 2-space indentation is used as the webhook body.
 */
import { parseChargebeeEvent } from "@revtrace/chargebee";
import Chargebee, { basicAuthValidator } from "chargebee";
import { type BenchResult, bench, benchAsync, report } from "../../../scripts/bench-kit.ts";
import { REAL_FIXTURES, webhookBody } from "../test/fixtures/index.ts";

const bodies = REAL_FIXTURES.map(webhookBody);

let sink = 0;
const jsonParse = () => {
  for (const body of bodies) sink += (JSON.parse(body) as object) === null ? 0 : 1;
};
const parseAll = () => {
  for (const body of bodies) sink += parseChargebeeEvent(body).occurredAt > 0 ? 1 : 0;
};

/**
 * The VM drifts between speed states minutes at a time (research/perf-anchors.md), so the two are
 * measured in alternating short rounds and the ratio is taken per round (median reported).
 */
const ratios: number[] = [];
const baselines: BenchResult[] = [];
const parses: BenchResult[] = [];
for (let round = 0; round < 41; round++) {
  const options = { rounds: 3, roundMs: 30 };
  const order = round % 2 === 0 ? [jsonParse, parseAll] : [parseAll, jsonParse];
  const [first, second] = order.map((fn) =>
    bench(fn === jsonParse ? "JSON.parse" : "parseChargebeeEvent", fn, options),
  ) as [BenchResult, BenchResult];
  const [base, parsed] = order[0] === jsonParse ? [first, second] : [second, first];
  baselines.push(base);
  parses.push(parsed);
  ratios.push(parsed.nsPerOp / base.nsPerOp);
}
const median = <T>(values: T[], key: (v: T) => number): T =>
  [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)] as T;
const baseline = median(baselines, (r) => r.nsPerOp);
const parse = {
  ...median(parses, (r) => r.nsPerOp),
  name: "parseChargebeeEvent (parse + validate + normalize)",
};
const ratio = median(ratios, (r) => r);

const user = "revtrace";
const pass = "bench-password";
const chargebee = new Chargebee({ site: "bench-test", apiKey: "unused" });
const handler = chargebee.webhooks.createHandler({
  requestValidator: basicAuthValidator((u: string, p: string) => u === user && p === pass),
});
const seen = new Set<string>();
for (const body of bodies) seen.add((JSON.parse(body) as { event_type: string }).event_type);
for (const type of seen) handler.on(type as never, () => {});
const headers = { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` };
const sdk = await benchAsync(
  "official SDK handler.handle() with Basic auth",
  async () => {
    for (const body of bodies) await handler.handle({ body, headers });
  },
  { rounds: 9 },
);

report(`Chargebee webhook parsing, ${bodies.length} real fixture bodies per op`, baseline, [
  parse,
  sdk,
]);
console.log(
  `\nparse+normalize / JSON.parse, median of ${ratios.length} interleaved rounds = ${ratio.toFixed(2)}× ` +
    `(per-round range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; target ≤ 1.50×)`,
);
if (sink === -1) console.log("");
