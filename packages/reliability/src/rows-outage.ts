/**
 * Sink outages: for roughly the first third of the run's requests, every vendor answers 503, 429
 * with `Retry-After`, 502, times out, or drops the connection, in turn. Afterwards every delivery
 * must be there (against the reference), each `Retry-After` honoured (the sink's next request came
 * no sooner), and ActiveCampaign never above 5 requests in any second (its real account limit, on
 * in this run, with the sink's own limiter at 5 a second).
 *
 * @module
 */
import type { SandboxFailure } from "@revtrace/sandbox";
import { postWebhooks } from "./http.js";
import { compareKeys, SINKS, type SinkName, vendorKeys } from "./measure.js";
import { recordErrors, recordTikTok } from "./privacy.js";
import type { RowResult } from "./row.js";
import { deliveryRows, failuresOf, ledgerCheck, reference } from "./rows-inprocess.js";
import type { Simulation } from "./simulator.js";
import { type FetchLogEntry, startStack, startVendorSandbox } from "./stack.js";

const CYCLE: SandboxFailure[] = [
  { type: "http", status: 503 },
  { type: "http", status: 429, retryAfter: "1" },
  { type: "timeout", delayMs: 2_500 },
  { type: "network" },
  { type: "http", status: 502 },
  { type: "http", status: 429, retryAfter: "2" },
];

/** Whether `e` started after `answer` came (by the log's order when known, else by the clock). */
function startedAfter(e: FetchLogEntry, answer: FetchLogEntry): boolean {
  if (e.startOrder !== undefined && answer.endOrder !== undefined) {
    return e.startOrder > answer.endOrder;
  }
  return e.start >= answer.end;
}

/** Each 429 with `Retry-After`, and whether the sink's next request waited that long. */
export function retryAfterChecks(log: readonly FetchLogEntry[]) {
  let answered = 0;
  let honoured = 0;
  const early: string[] = [];
  for (const sink of SINKS) {
    const mine = log.filter((e) => e.sink === sink).sort((a, b) => a.start - b.start);
    mine.forEach((entry, i) => {
      if (entry.status !== 429 || entry.retryAfter === null) return;
      const seconds = Number(entry.retryAfter);
      if (!Number.isFinite(seconds)) return;
      // A request already in flight when the 429 came is not a retry of it: one that started in
      // the 429's millisecond but before it came is told apart by the log's order.
      const next = mine.slice(i + 1).find((e) => startedAfter(e, entry));
      answered++;
      // 10 ms of slack for the clocks of the two ends of the same process.
      if (!next || next.start >= entry.end + seconds * 1000 - 10) honoured++;
      else early.push(`${sink}: ${next.start - entry.end} ms after a Retry-After of ${seconds} s`);
    });
  }
  return { answered, honoured, early };
}

export async function outageRows(sim: Simulation, key: string): Promise<RowResult[]> {
  const ref = await reference(sim, key);
  const sandbox = await startVendorSandbox({ acRateLimit: true });
  const fetchLog: FetchLogEntry[] = [];
  const stack = await startStack({
    sandbox,
    recorder: false,
    acLimit: 5,
    timeoutMs: 1_000,
    fetchLog,
    kifloLeads: sim.partnerLeads,
    overrides: {
      delivery: { baseDelayMs: 50, maxDelayMs: 2_000, maxAttempts: 200, batchSize: 100 },
    },
  });
  try {
    const injected: Record<SinkName, number> = {
      tiktok: 0,
      segment: 0,
      activecampaign: 0,
      kiflo: 0,
    };
    for (const sink of SINKS) {
      const third = Math.max(CYCLE.length, Math.ceil(ref.requests[sink] / 3));
      for (let i = 0; i < third; i++) {
        const failure = CYCLE[i % CYCLE.length] as SandboxFailure;
        if (sink === "kiflo") sandbox.kiflo.failNext(failure as never, 1);
        else sandbox[sink].failNext(failure, 1);
        injected[sink]++;
      }
    }
    const started = Date.now();
    const posted = await postWebhooks(() => stack.url, sim.webhooks);
    // The full profile delivers everything in about 5 minutes here: a sink that stops making progress
    // (finding 9: sends aborted and retried whole for ever) fails the row at 10, not at CI's limit.
    await stack.pipeline.drain({ timeoutMs: 10 * 60_000 });
    const seconds = (Date.now() - started) / 1000;
    const m = stack.pipeline.metrics();
    recordTikTok(sandbox);
    await recordErrors(stack.storage);
    const rows = deliveryRows(
      "outage",
      compareKeys(ref.keys, vendorKeys(sandbox)),
      await ledgerCheck(stack, sim),
      "",
      await failuresOf(stack.storage),
    );
    for (const row of rows) {
      const sink = row.row.replace("outage: ", "") as SinkName;
      if (!(sink in injected)) continue;
      const retries = m.sinks[sink]?.retries ?? 0;
      row.notes = `${injected[sink]} faults injected (of ${ref.requests[sink]} requests in the reference), ${retries} retries; ${row.notes}`;
    }
    const ra = retryAfterChecks(fetchLog);
    rows.push({
      row: "outage: Retry-After honoured",
      tried: ra.answered,
      delivered: ra.honoured,
      lost: ra.answered - ra.honoured,
      duplicated: 0,
      notes: `429 answers with Retry-After, and the sink's next request no sooner; webhooks ${JSON.stringify(posted.statuses)}, ${seconds.toFixed(0)} s to deliver everything`,
      ok: ra.answered > 0 && ra.answered === ra.honoured,
      details: ra.early.slice(0, 5).map((e) => `Retry-After not honoured: ${e}`),
    });
    const acRequests = sandbox.activecampaign.requests;
    const starts = fetchLog
      .filter((e) => e.sink === "activecampaign")
      .map((e) => e.start)
      .sort((a, b) => a - b);
    let clientMax = 0;
    for (let i = 0, j = 0; i < starts.length; i++) {
      while ((starts[i] as number) - (starts[j] as number) >= 1000) j++;
      clientMax = Math.max(clientMax, i - j + 1);
    }
    const maxInSecond = sandbox.activecampaign.maxRequestsInWindow(1000);
    // how close the limit came: the shortest time over which 6 requests arrived (over 1000 ms: met)
    const arrivals = acRequests.map((r) => r.at).sort((a, b) => a - b);
    let tightest = Number.POSITIVE_INFINITY;
    for (let i = 5; i < arrivals.length; i++)
      tightest = Math.min(tightest, (arrivals[i] as number) - (arrivals[i - 5] as number));
    const limited = acRequests.filter((r) => r.status === 429).length;
    const injected429 = CYCLE.filter((f) => f.type === "http" && f.status === 429).length;
    rows.push({
      row: "outage: ActiveCampaign ≤ 5 req/s",
      tried: acRequests.length,
      delivered: acRequests.filter((r) => r.status >= 200 && r.status < 300).length,
      lost: 0,
      duplicated: 0,
      notes: `most requests arriving in any 1 s window: ${maxInSecond} (limit 5; 6 arrived within ${Number.isFinite(tightest) ? `${tightest} ms` : "—"} at the closest), most sent by the sink in any 1 s: ${clientMax}; ${limited} answered 429 (about ${Math.round((injected.activecampaign * injected429) / CYCLE.length)} of them injected)`,
      ok: maxInSecond <= 5,
    });
    return rows;
  } finally {
    await stack.close();
    await sandbox.close();
  }
}
