/**
 * Health answers. Liveness: the process answers (200 until `close()`). Readiness: storage answers a
 * read, and the undelivered backlog and its oldest age are under the thresholds (503 otherwise, with
 * each check in the body). Both, and the metrics, are read-only: GET and HEAD (405 otherwise).
 *
 * @module
 */
import { jsonAnswer, methodNotAllowedAnswer } from "./http-answers.js";
import { type HttpAnswer, toWebHandler, type WebHandler } from "./http-exchange.js";
import type { PipelineMetrics } from "./metrics.js";

export interface ReadinessInput {
  storageReachable: boolean;
  metrics: PipelineMetrics;
  maxBacklog: number;
  maxOldestAgeMs: number;
  closing: boolean;
}

/** The readiness checks (pure). */
export function readiness(input: ReadinessInput) {
  const queues = [input.metrics.worker, ...Object.values(input.metrics.sinks)];
  const backlog = queues.reduce((sum, q) => sum + q.backlog, 0);
  const oldestAgeMs = queues.reduce((max, q) => Math.max(max, q.oldestAgeMs), 0);
  const checks = {
    storage: input.storageReachable ? "ok" : "unreachable",
    backlog: backlog <= input.maxBacklog ? "ok" : "too_large",
    oldestAge: oldestAgeMs <= input.maxOldestAgeMs ? "ok" : "too_old",
    accepting: input.closing ? "closing" : "ok",
  };
  const ready = Object.values(checks).every((c) => c === "ok");
  return { ready, checks, backlog, oldestAgeMs };
}

/** The readiness answer. */
export function readinessAnswer(result: ReturnType<typeof readiness>): HttpAnswer {
  return jsonAnswer(result.ready ? 200 : 503, {
    status: result.ready ? "ready" : "not_ready",
    checks: result.checks,
    backlog: result.backlog,
    oldestAgeMs: result.oldestAgeMs,
  });
}

/** The liveness answer. */
export function livenessAnswer(closing: boolean): HttpAnswer {
  return jsonAnswer(closing ? 503 : 200, { status: closing ? "closing" : "alive" });
}

/** A read-only endpoint's Web handler: `answer` for GET and HEAD, 405 for any other method. */
export function readOnly(answer: () => Promise<HttpAnswer>): WebHandler {
  return toWebHandler((request) =>
    request.method === "GET" || request.method === "HEAD"
      ? answer()
      : Promise.resolve(methodNotAllowedAnswer("GET, HEAD")),
  );
}
