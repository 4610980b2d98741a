/**
 * Where the adapters mount the pipeline's endpoints.
 *
 * @module
 */
import type { Pipeline, WebHandler } from "../pipeline.js";

/** The path of each endpoint; `null` leaves it out. */
export interface RoutePaths {
  webhook: string | null;
  retention: string | null;
  /** The tracker's collect endpoint (same-origin: serve it on your site's own host). */
  collect: string | null;
  live: string | null;
  ready: string | null;
  metrics: string | null;
}

/** The default paths. */
export const DEFAULT_PATHS: RoutePaths = {
  webhook: "/webhooks/chargebee",
  retention: "/webhooks/chargebee-retention",
  collect: "/rt/collect",
  live: "/health/live",
  ready: "/health/ready",
  metrics: "/metrics",
};

/** Path → handler. */
export function resolvePaths(
  pipeline: Pipeline,
  paths: Partial<RoutePaths> = {},
): Map<string, WebHandler> {
  const merged = { ...DEFAULT_PATHS, ...paths };
  const routes = new Map<string, WebHandler>();
  const add = (path: string | null, handler: WebHandler) => {
    if (path !== null) routes.set(path, handler);
  };
  add(merged.webhook, pipeline.handleWebhook);
  add(merged.retention, pipeline.handleRetentionWebhook);
  add(merged.collect, pipeline.handleCollect);
  add(merged.live, pipeline.handleLive);
  add(merged.ready, pipeline.handleReady);
  add(merged.metrics, pipeline.handleMetrics);
  return routes;
}

/** True for an `http:`/`https:` request target in absolute form (RFC 9112 §3.2.2) that parses. */
export function isAbsoluteForm(target: string): boolean {
  return /^https?:\/\//i.test(target) && URL.canParse(target);
}

/**
 * The path a request target routes on: the origin form's part before `?`, or the path of an
 * absolute-form target (which a server must accept, RFC 9112 §3.2.2).
 */
export function routePath(target: string): string {
  if (isAbsoluteForm(target)) return new URL(target).pathname;
  return target.split("?")[0] as string;
}
