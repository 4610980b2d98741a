/**
 * Identity graph throughput: 1 M random observations over 300 k persons (synthetic: each person has
 * one or two anonymous ids, most an email, some a Chargebee customer and a phone; 40 % of observations
 * carry a fresh click id; 0.5 % wrongly pair two persons' keys, so the guards work).
 *
 * - Baseline: inserting the same keys into per-kind `Map`s (interning cost alone).
 * - Pure graph: `replayIdentityGraph` (interning, hub detection, union-find with guards, history).
 * - Resolver on `@revtrace/storage-memory`: `link()` one observation at a time, through the
 *   `IdentityStore` interface (`STORAGE_OBSERVATIONS` env var to change the count; default 1 M).
 *
 * Peak RSS comes from `process.resourceUsage().maxRSS`.
 */
import { performance } from "node:perf_hooks";
import type { IdentityKey } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { bench, report } from "../../../scripts/bench-kit.ts";
import {
  createIdentityResolver,
  type GraphObservation,
  replayIdentityGraph,
} from "../src/index.js";

const OBSERVATIONS = 1_000_000;
const PERSONS = 300_000;
const STORAGE_OBSERVATIONS = Number(process.env.STORAGE_OBSERVATIONS ?? OBSERVATIONS);

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
    if (rand() < 0.2) strong.push({ kind: "phone", value: `+1415${String(p).padStart(7, "0")}` });
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
    observations.push({ keys, evidence: { source: "bench", observationId: `o${i}`, at: i } });
  }
  return observations;
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const rss = () => process.resourceUsage().maxRSS;

const observations = generate();
const rssInput = rss();
let keyCount = 0;
for (const o of observations) keyCount += o.keys.length;

let sink = 0;
const baseline = bench(
  "Map.set of the same keys",
  () => {
    const maps = new Map<string, Map<string, number>>();
    for (let i = 0; i < observations.length; i++) {
      for (const key of (observations[i] as GraphObservation).keys) {
        let map = maps.get(key.kind);
        if (!map) {
          map = new Map();
          maps.set(key.kind, map);
        }
        if (!map.has(key.value)) map.set(key.value, i);
      }
    }
    sink += maps.size;
  },
  { rounds: 3, roundMs: 1, opsPerCall: OBSERVATIONS },
);

let persons = 0;
let refusals = 0;
const graph = bench(
  "pure graph (replayIdentityGraph)",
  () => {
    const result = replayIdentityGraph(observations);
    refusals = result.refusals.length;
    sink += result.merges.length;
  },
  { rounds: 3, roundMs: 1, opsPerCall: OBSERVATIONS },
);
persons = replayIdentityGraph(observations).persons().length;
const rssGraph = rss();

report(
  `Identity links, ${OBSERVATIONS.toLocaleString("en-US")} observations (${keyCount.toLocaleString("en-US")} keys) over ${PERSONS.toLocaleString("en-US")} persons`,
  baseline,
  [graph],
);
console.log(
  `\npure graph: ${persons.toLocaleString("en-US")} persons, ${refusals.toLocaleString("en-US")} refused merges`,
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
console.log(
  `\nresolver.link on @revtrace/storage-memory: ${subset.length.toLocaleString("en-US")} observations in ${seconds.toFixed(1)} s = ${Math.round(storageRate).toLocaleString("en-US")} links/s (${(graph.opsPerSec / storageRate).toFixed(1)}× slower than the pure graph, ${(baseline.opsPerSec / storageRate).toFixed(1)}× slower than the baseline)`,
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
