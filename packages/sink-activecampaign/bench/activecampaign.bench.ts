/**
 * A full sync of 40 Chargebee customers through the standalone sandbox (real HTTP, the emulator's
 * 5 requests/second account limit on), with the sink's default in-process limiter:
 * 1. requests per synced customer against the minimum the API allows (3: `contact/sync`,
 *    `POST /contactLists`, `POST /contactTags`; the sink also reads the membership, so as never to
 *    re-subscribe, and the contact's tags, so as to remove the old state);
 * 2. sync throughput (requests per second over the sync) as a ratio of the 5 req/s ceiling
 *    (target ≥ 0.9), and the customers per second that makes, against the ceiling's 5 / 3.
 * The setup (fields and tags) is counted apart: once per sink, not per customer.
 */
import type { BillingCustomer, BillingSubscription } from "@revtrace/core";
import { startSandbox } from "@revtrace/sandbox";
import {
  type CustomerRecord,
  createActiveCampaignSink,
  DEFAULT_FIELDS,
} from "@revtrace/sink-activecampaign";
import { billingEventOf } from "../test/fixtures.js";

const CUSTOMERS = 40;
const CEILING = 5;
const API_MINIMUM = 3;

const real = billingEventOf("payment_succeeded.bonusly.1");
const records: CustomerRecord[] = Array.from({ length: CUSTOMERS }, (_, i) => ({
  customer: {
    ...(real.customer as BillingCustomer),
    id: `cus_${i}`,
    email: `bench${i}@example.com`,
  },
  subscriptions: [{ ...(real.subscription as BillingSubscription), id: `sub_${i}` }],
}));

const sandbox = await startSandbox({ activecampaign: { tokens: ["bench-token"] } });
const ac = sandbox.activecampaign;
// Fields created by an earlier run: the setup is then two lookups.
for (const field of Object.values(DEFAULT_FIELDS)) ac.seedField(field);

const sink = createActiveCampaignSink({
  apiUrl: sandbox.vendors.activecampaign,
  apiToken: "bench-token",
  listId: 1,
});
await sink.setup();
const setupRequests = ac.requests.length;
const started = performance.now();
const result = await sink.fullSync({
  source: {
    async *backfillCustomers() {
      yield* records;
    },
  },
  countFirst: false,
});
const seconds = (performance.now() - started) / 1000;
const syncRequests = ac.requests.slice(setupRequests);
const span = ((syncRequests.at(-1)?.at ?? 0) - (syncRequests[0]?.at ?? 0)) / 1000;
const throttled = ac.requests.filter((r) => r.status === 429).length;
await sandbox.close();

if (result.synced !== CUSTOMERS) throw new Error(`synced ${result.synced} of ${CUSTOMERS}`);
const perCustomer = syncRequests.length / CUSTOMERS;
// n requests spaced by the limit span (n − 1) intervals: the rate the ceiling allows over that span.
const rate = (syncRequests.length - 1) / span;
console.log("\n## Full sync of 40 customers through the sandbox (5 req/s account limit)");
console.log("| measure | value | baseline | ratio |");
console.log("|---|---:|---:|---:|");
console.log(`| setup requests (fields + tags, once) | ${setupRequests} | — | — |`);
console.log(
  `| requests per synced customer | ${perCustomer.toFixed(2)} | API minimum ${API_MINIMUM} | ${(perCustomer / API_MINIMUM).toFixed(2)}× |`,
);
console.log(
  `| sync throughput, requests/s | ${rate.toFixed(2)} | ceiling ${CEILING} | ${(rate / CEILING).toFixed(3)} |`,
);
console.log(
  `| customers/s | ${(CUSTOMERS / seconds).toFixed(2)} | ceiling ${(CEILING / API_MINIMUM).toFixed(2)} at the API minimum | ${(CUSTOMERS / seconds / (CEILING / API_MINIMUM)).toFixed(3)} |`,
);
console.log(`| 429 answers | ${throttled} | 0 | — |`);
console.log(
  `| most requests in any 1 s window | ${ac.maxRequestsInWindow(1000)} | ≤ ${CEILING} | — |`,
);
