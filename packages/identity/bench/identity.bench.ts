/**
 * Identity graph throughput: 1 M random observations over 300 k persons (synthetic: each person has
 * one or two anonymous ids, most an email, some a Chargebee customer and a phone; 40 % of observations
 * carry a fresh click id; 0.5 % wrongly pair two persons' keys, so the guards work).
 *
 * The input is generated before any timing, then copied through JSON: every observation holds its
 * own objects and flat strings, as observations parsed from webhooks and forms do (no string shared
 * between observations, so no hash computed in advance).
 *
 * - Baseline: interning every key of every observation into a per-kind `Map` (`kind → value → id`),
 *   the least any identity graph does with its input.
 * - Pure graph: `replayIdentityGraph` (interning, ordering, hub detection, union-find with guards,
 *   merges and refusals with person ids).
 * - Resolver on `@revtrace/storage-memory`: `link()` one observation at a time, through the
 *   `IdentityStore` interface, on the first `STORAGE_OBSERVATIONS` observations (env var; default
 *   1 M). The memory store implements `readLinkState`, so a link in time order extends the stored
 *   persons in place (`fast-link.ts`); the others replay their component. Target (issue 12):
 *   at least 100,000 links/s.
 * - The same engine without `readLinkState` (every link replays, as before the incremental link),
 *   against the incremental link, on the first `ROUND_OBSERVATIONS` observations (env var; default
 *   200 k), fresh stores, `ROUNDS` alternating rounds: medians.
 * - Resolver on `@revtrace/storage-sqlite` (`:memory:`): the same, on the first
 *   `SQLITE_OBSERVATIONS` observations (env var; default 50 k).
 *
 * Links/s counts observations per second. Peak RSS comes from `process.resourceUsage().maxRSS`.
 */
import { performance } from "node:perf_hooks";
import type { IdentityKey } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { bench, report } from "../../../scripts/bench-kit.ts";
import {
  createIdentityResolver,
  type GraphObservation,
  replayIdentityGraph,
} from "../src/index.js";

const OBSERVATIONS = 1_000_000;
const PERSONS = 300_000;
const STORAGE_OBSERVATIONS = Number(process.env.STORAGE_OBSERVATIONS ?? OBSERVATIONS);
const SQLITE_OBSERVATIONS = Number(process.env.SQLITE_OBSERVATIONS ?? 50_000);
const ROUND_OBSERVATIONS = Number(process.env.ROUND_OBSERVATIONS ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** The memory engine's target (issue 12). */
const TARGET = 100_000;

/** A small deterministic PRNG (mulberry32), so every run links the same observations. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Keys {
  anon: IdentityKey[];
  strong: IdentityKey[];
}

function generate(): GraphObservation[] {
  const rand = random(42);
  const people: Keys[] = [];
  for (let p = 0; p < PERSONS; p++) {
    const anon = [{ kind: "anonymous_id", value: `a${p}` } as IdentityKey];
    if (rand() < 0.3) anon.push({ kind: "anonymous_id", value: `b${p}` });
    const strong: IdentityKey[] = [];
    if (rand() < 0.8) strong.push({ kind: "email", value: `user${p}@mail${p % 97}.example.io` });
    if (rand() < 0.3)
      strong.push({ kind: "chargebee_customer_id", value: `cus_${p.toString(36)}` });
    // Valid NANP numbers (exchange 200–229): until 2026-12-07 this wrote `+1415000…`, an exchange
    // NANP never assigns, which libphonenumber-js tests against all 25 NANP countries before giving
    // up on a country (13.4 µs a parse against 4.5 µs for a real number, measured that day).
    if (rand() < 0.2) strong.push({ kind: "phone", value: `+1415${2000000 + p}` });
    people.push({ anon, strong });
  }
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  const observations: GraphObservation[] = [];
  for (let i = 0; i < OBSERVATIONS; i++) {
    const person = pick(people);
    const keys: IdentityKey[] = [pick(person.anon)];
    if (person.strong.length > 0 && rand() < 0.7) keys.push(pick(person.strong));
    if (rand() < 0.4) keys.push({ kind: "click_id", value: `ck${i.toString(36)}` });
    if (rand() < 0.005) {
      const other = pick(people);
      if (other.strong.length > 0) keys.push(pick(other.strong));
    }
    const observation = { keys, evidence: { source: "bench", observationId: `o${i}`, at: i } };
    // as parsed from a JSON payload: nothing shared with other observations
    observations.push(JSON.parse(JSON.stringify(observation)) as GraphObservation);
  }
  return observations;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const mb = (kb: number) => `${fmt(kb / 1024)} MB`;
const rss = () => process.resourceUsage().maxRSS;

const observations = generate();
const rssInput = rss();
let keyCount = 0;
for (const o of observations) keyCount += o.keys.length;

let sink = 0;
const baseline = bench(
  "baseline: intern keys in Maps",
  () => {
    const maps = new Map<string, Map<string, number>>();
    let ids = 0;
    for (let i = 0; i < observations.length; i++) {
      for (const key of (observations[i] as GraphObservation).keys) {
        let map = maps.get(key.kind);
        if (!map) {
          map = new Map();
          maps.set(key.kind, map);
        }
        if (map.get(key.value) === undefined) map.set(key.value, ids++);
      }
    }
    sink += ids;
  },
  { rounds: 3, roundMs: 1, opsPerCall: OBSERVATIONS },
);

let refusals = 0;
const graph = bench(
  "pure graph: replayIdentityGraph",
  () => {
    const result = replayIdentityGraph(observations);
    refusals = result.refusals.length;
    sink += result.merges.length;
  },
  { rounds: 3, roundMs: 1, opsPerCall: OBSERVATIONS },
);
const persons = replayIdentityGraph(observations).persons().length;
const rssGraph = rss();

report(
  `Identity links, ${fmt(OBSERVATIONS)} observations (${fmt(keyCount)} keys) over ${fmt(PERSONS)} persons`,
  baseline,
  [graph],
);
console.log(
  `\npure graph: ${fmt(graph.opsPerSec)} links/s, ${(graph.nsPerOp / baseline.nsPerOp).toFixed(2)}× the baseline's cost (baseline ${fmt(baseline.opsPerSec)} links/s); ${fmt(persons)} persons, ${fmt(refusals)} refused merges`,
);

// Through the storage interface: one link() at a time, on the memory engine.
const storage = createMemoryStorage();
const identity = createIdentityResolver({ storage });
const subset = observations.slice(0, STORAGE_OBSERVATIONS);
const start = performance.now();
for (const o of subset) await identity.link(o.keys, o.evidence);
const seconds = (performance.now() - start) / 1000;
const rssStorage = rss();
const storageRate = subset.length / seconds;
const count =
  subset.length === OBSERVATIONS
    ? `all ${fmt(OBSERVATIONS)} observations`
    : `the first ${fmt(subset.length)} of the ${fmt(OBSERVATIONS)} observations (STORAGE_OBSERVATIONS)`;
console.log(
  `\nresolver.link on @revtrace/storage-memory, ${count}: ${seconds.toFixed(1)} s = ${fmt(storageRate)} links/s, ${(baseline.opsPerSec / storageRate).toFixed(1)}× the baseline's cost, ${(graph.opsPerSec / storageRate).toFixed(1)}× the pure graph's`,
);
console.log(
  `target: resolver.link on memory >= ${fmt(TARGET)} links/s: ${storageRate >= TARGET ? "met" : "NOT met"}`,
);

// Incremental link against replay, alternating rounds on fresh memory stores.
const roundSubset = observations.slice(0, Math.min(ROUND_OBSERVATIONS, subset.length));
const rates: Record<"incremental" | "replay", number[]> = { incremental: [], replay: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of ["incremental", "replay"] as const) {
    const fresh = createMemoryStorage();
    if (mode === "replay") delete fresh.readLinkState;
    const resolver = createIdentityResolver({ storage: fresh });
    const t0 = performance.now();
    for (const o of roundSubset) await resolver.link(o.keys, o.evidence);
    rates[mode].push(roundSubset.length / ((performance.now() - t0) / 1000));
  }
}
const median = (list: number[]) =>
  [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
console.log(
  `memory, first ${fmt(roundSubset.length)} observations, median of ${ROUNDS} alternating rounds: incremental ${fmt(median(rates.incremental))} links/s, replay ${fmt(median(rates.replay))} links/s (${(median(rates.incremental) / median(rates.replay)).toFixed(1)}×)`,
);

// The same links on the embedded engine (`@revtrace/storage-sqlite`, `:memory:`), on fewer observations.
const sqliteSubset = observations.slice(0, Math.min(SQLITE_OBSERVATIONS, subset.length));
const sqlite = createSqliteStorage({ path: ":memory:" });
await sqlite.migrate();
const onSqlite = createIdentityResolver({ storage: sqlite });
const sqliteStart = performance.now();
for (const o of sqliteSubset) await onSqlite.link(o.keys, o.evidence);
const sqliteRate = sqliteSubset.length / ((performance.now() - sqliteStart) / 1000);
await sqlite.close();
console.log(
  `resolver.link on @revtrace/storage-sqlite (:memory:), the first ${fmt(sqliteSubset.length)} observations (SQLITE_OBSERVATIONS): ${fmt(sqliteRate)} links/s, ${(storageRate / sqliteRate).toFixed(1)}× the memory engine's cost`,
);

const check = replayIdentityGraph(subset);
const sample = subset.slice(-1000).map((o) => o.keys[0] as IdentityKey);
let agree = 0;
for (const key of sample) if ((await identity.resolve([key]))?.id === check.personOf(key)) agree++;
console.log(
  `consistency: ${agree}/${sample.length} sampled keys resolve to the pure graph's person id`,
);

console.log(
  `\npeak RSS: ${mb(rssInput)} after generating the input, ${mb(rssGraph)} after the pure graph runs, ${mb(rssStorage)} after the storage run`,
);
if (sink === -1) console.log("");
