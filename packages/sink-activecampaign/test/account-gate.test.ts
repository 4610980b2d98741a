/**
 * The account gate and the limiter's start accounting, through the real sink and HTTP client, on
 * fake timers and a scripted `fetch` (no sockets): every time below is the fake clock's, so nothing
 * depends on the machine's speed. Spec §1: 5 requests a second per account; a 429 with
 * `Retry-After` throttles the account.
 */
import type { RateLimiter } from "@revtrace/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type ActiveCampaignRateLimiter,
  createActiveCampaignSink,
  createInProcessRateLimiter,
} from "../src/index.js";
import { conversionOf } from "./fixtures.js";

/** A deletion of someone ActiveCampaign does not know: one `GET /contacts?email=` each. */
const deletion = (i: number) =>
  conversionOf("customer_deleted.bonusly.1", "customer_deleted", {
    customer: { email: `nobody${i}@example.com` },
  });

/** A `fetch` that records when each request started and answers with `answer(n)` (n from 0). */
function scriptedFetch(answer: (n: number) => Response) {
  const starts: number[] = [];
  const fetch: typeof globalThis.fetch = async () => {
    starts.push(Date.now());
    return answer(starts.length - 1);
  };
  return { fetch, starts };
}

const noContacts = () => Response.json({ contacts: [], meta: { total: "0" } });

function sink(rateLimiter: RateLimiter, fetch: typeof globalThis.fetch, retries = 0) {
  return createActiveCampaignSink({
    apiUrl: "https://gate.api-us1.com",
    apiToken: "t",
    listId: 1,
    onCustomerDeleted: "unsubscribe",
    rateLimiter,
    fetch,
    retry: { retries, minTimeoutMs: 1, maxTimeoutMs: 1, maxElapsedMs: 60_000 },
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("a 429 with Retry-After", () => {
  it("holds the requests already queued behind the limiter until its deadline", async () => {
    // The 429's headers arrive at once, its body 200 ms later: the client is still reading it when
    // the limiter's next slot (100 ms) falls due. That waiting request must not leave before 1 s.
    const { fetch, starts } = scriptedFetch((n) =>
      n === 0
        ? new Response(
            new ReadableStream({
              start(controller) {
                setTimeout(() => {
                  controller.enqueue(new TextEncoder().encode("{}"));
                  controller.close();
                }, 200);
              },
            }),
            { status: 429, headers: { "retry-after": "1" } },
          )
        : noContacts(),
    );
    const limiter = createInProcessRateLimiter({ limit: 1, intervalMs: 100, marginMs: 0 });
    const acSink = sink(limiter, fetch);
    const first = acSink.send([deletion(1), deletion(2)]);
    const failed = expect(first).rejects.toMatchObject({ status: 429 });
    await vi.advanceTimersByTimeAsync(300);
    await failed;
    // The next send, queued during the pause, goes at the deadline.
    const next = acSink.send([deletion(3), deletion(4)]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await next).map((r) => r.status)).toEqual(["skipped", "skipped"]);
    expect(starts[0]).toBe(0);
    expect(starts.slice(1).every((start) => start >= 1_000)).toBe(true);
    expect(starts.length).toBeGreaterThanOrEqual(3);
  });

  it("holds the other requests of a send that retries it, and the retry itself, until its deadline", async () => {
    const { fetch, starts } = scriptedFetch((n) =>
      n === 0 ? new Response(null, { status: 429, headers: { "retry-after": "2" } }) : noContacts(),
    );
    // The other two wait behind the limiter (one slot per 100 ms) when the 429 comes.
    const limiter = createInProcessRateLimiter({ limit: 1, intervalMs: 100, marginMs: 0 });
    const sent = sink(limiter, fetch, 2).send([1, 2, 3].map(deletion));
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await sent).map((r) => r.status)).toEqual(["skipped", "skipped", "skipped"]);
    expect(starts).toHaveLength(4);
    expect(starts[0]).toBe(0);
    expect(starts.slice(1).every((start) => start >= 2_000)).toBe(true);
  });
});

describe("a request that starts late after its grant", () => {
  it("counts its slot from its start, so the next window's request cannot bunch with it", async () => {
    // The first grant's continuation is delayed by 300 ms (a busy event loop); a slot counted from
    // the grant would let the second request go at 1,000 ms, 700 ms after the first really started.
    const inner = createInProcessRateLimiter({ limit: 1, intervalMs: 1_000, marginMs: 0 });
    let grants = 0;
    const late: ActiveCampaignRateLimiter = {
      started: () => inner.started(),
      async acquire(signal) {
        await inner.acquire(signal);
        if (grants++ === 0) await new Promise((resolve) => setTimeout(resolve, 300));
      },
    };
    const { fetch, starts } = scriptedFetch(noContacts);
    const sent = sink(late, fetch).send([deletion(1), deletion(2), deletion(3)]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await sent).map((r) => r.status)).toEqual(["skipped", "skipped", "skipped"]);
    expect(starts).toEqual([300, 1_300, 2_300]);
  });
});
