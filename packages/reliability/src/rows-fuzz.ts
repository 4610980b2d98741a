/**
 * The fuzz row: `count` seeded malformed requests over HTTP against the webhook endpoint.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createSeededRandom as createRandom } from "@revtrace/core";
import { type FuzzRequest, fuzzRequest } from "./fuzz.js";
import type { RowResult } from "./row.js";
import { startStack } from "./stack.js";

const bodyDigest = (body: FuzzRequest["body"]) =>
  createHash("sha256")
    .update(body ?? "")
    .digest("hex");

const MAX_BODY_BYTES = 1_048_576;

export async function fuzzRows(seed: number, count: number): Promise<RowResult[]> {
  const stack = await startStack({ recorder: false });
  const random = createRandom(seed);
  const byKind = new Map<string, { tried: number; expected: number }>();
  const wrong = new Map<string, number>();
  let answered400 = 0;
  let crashes = 0;
  let next = 0;
  /** Distinct bodies answered 400: the pipeline quarantines a body Chargebee retries once. */
  const distinct400 = new Set<string>();
  try {
    const client = async () => {
      while (next < count) {
        next++;
        const request = fuzzRequest(random, MAX_BODY_BYTES);
        const stats = byKind.get(request.kind) ?? { tried: 0, expected: 0 };
        byKind.set(request.kind, stats);
        stats.tried++;
        let status = 0;
        try {
          const response = await fetch(`${stack.url}/webhooks/chargebee`, {
            method: request.method,
            headers: request.headers,
            ...(request.body !== null ? { body: request.body as BodyInit } : {}),
            signal: AbortSignal.timeout(30_000),
          });
          await response.arrayBuffer();
          status = response.status;
        } catch {
          status = 0;
        }
        if (status === 0 || status >= 500) crashes++;
        if (status === 400) {
          answered400++;
          distinct400.add(bodyDigest(request.body));
        }
        if (request.expect.includes(status)) stats.expected++;
        else {
          const key = `${request.kind} → ${status}`;
          wrong.set(key, (wrong.get(key) ?? 0) + 1);
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: 12 }, client));
    const seconds = (Date.now() - started) / 1000;
    const live = await fetch(`${stack.url}/health/live`).then((r) => r.status);
    const m = stack.pipeline.metrics();
    const quarantined = (await stack.storage.listQuarantine({ limit: count + 1 })).length;
    const expected = [...byKind.values()].reduce((n, s) => n + s.expected, 0);
    const stored = m.received + m.duplicates;
    return [
      {
        row: `fuzz ${count} malformed over HTTP`,
        tried: count,
        delivered: expected,
        lost: count - expected,
        duplicated: 0,
        notes: `answered as expected (400/401/405/413/415) ${expected}; ${crashes} crashes (no answer or 5xx), /health/live ${live} after; stored ${stored} events, quarantined ${quarantined} of ${answered400} authenticated 400s (${distinct400.size} distinct bodies, each kept at least once); ${Math.round(count / seconds)} req/s; ${[
          ...byKind,
        ]
          .map(([k, s]) => `${k} ${s.tried}`)
          .join(", ")}`,
        ok:
          expected === count &&
          crashes === 0 &&
          live === 200 &&
          stored === 0 &&
          quarantined >= distinct400.size &&
          quarantined <= answered400 &&
          m.quarantined === quarantined,
        details: [...wrong].map(([k, n]) => `fuzz unexpected answer: ${k}: ${n}`),
      },
    ];
  } finally {
    await stack.close();
  }
}
