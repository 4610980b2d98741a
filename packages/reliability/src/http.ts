/**
 * The clients of a run: the browser's tracker calls (one cookie jar per device) and Chargebee's
 * webhook deliveries (Basic auth; a failed delivery is retried, as Chargebee retries non-2xx answers).
 *
 * @module
 */
import type { CollectCall, WebhookDelivery } from "./simulator.js";
import { AUTHORIZATION } from "./stack.js";

const UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

export interface PostStats {
  statuses: Record<number, number>;
  /** Attempts that failed (network error or 5xx) and were retried. */
  retried: number;
}

function count(stats: PostStats, status: number) {
  stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
}

/** Posts the tracker calls in time order, the pipeline's clock set to each call's time. */
export async function postCollects(
  url: string,
  calls: readonly CollectCall[],
  setClock: (at: number | null) => void,
): Promise<PostStats> {
  const stats: PostStats = { statuses: {}, retried: 0 };
  const cookies = new Map<string, string>();
  for (const call of calls) {
    setClock(call.at);
    const cookie = cookies.get(call.device);
    const response = await fetch(`${url}/rt/collect`, {
      method: "POST",
      headers: { "content-type": "text/plain", "user-agent": UA, ...(cookie ? { cookie } : {}) },
      body: call.body,
    });
    await response.arrayBuffer();
    count(stats, response.status);
    const set = response.headers.getSetCookie().find((c) => c.startsWith("rt_vid="));
    if (set) cookies.set(call.device, set.split(";")[0] as string);
  }
  setClock(null);
  return stats;
}

/**
 * Posts the deliveries with `concurrency` clients. A delivery that fails (no answer, or 5xx) is
 * retried until it is answered or `deadline` passes; `url()` is read at each attempt (a restarted
 * process has a new port).
 */
export async function postWebhooks(
  url: () => string,
  deliveries: readonly WebhookDelivery[],
  options: { concurrency?: number; deadline?: number; onPosted?: (n: number) => void } = {},
): Promise<PostStats> {
  const stats: PostStats = { statuses: {}, retried: 0 };
  const deadline = options.deadline ?? Date.now() + 30 * 60_000;
  let next = 0;
  let posted = 0;
  const client = async () => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++] as WebhookDelivery;
      for (;;) {
        let status = 0;
        try {
          const response = await fetch(`${url()}/webhooks/chargebee`, {
            method: "POST",
            headers: { authorization: AUTHORIZATION, "content-type": "application/json" },
            body: delivery.body,
            signal: AbortSignal.timeout(30_000),
          });
          await response.arrayBuffer();
          status = response.status;
        } catch {
          status = 0;
        }
        if ((status >= 200 && status < 500) || Date.now() > deadline) {
          count(stats, status);
          break;
        }
        stats.retried++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      options.onPosted?.(++posted);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, client));
  return stats;
}
