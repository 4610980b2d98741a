/**
 * One worker process of the multi-process test: an ActiveCampaign sink on the shared Postgres rate
 * limiter, sending `count` operations at once to the sandbox server. Arguments: the sandbox's
 * ActiveCampaign URL, the Postgres URL, the limiter's schema, the worker's number, the count, and
 * the retries per request (default 0).
 * Prints one JSON line with the result statuses.
 */
import { createPostgresRateLimiter } from "@revtrace/storage-postgres";
import { createActiveCampaignSink } from "../src/index.js";
import { conversionOf } from "./fixtures.js";

const [apiUrl = "", connectionString = "", schema = "", worker = "0", count = "0", retries = "0"] =
  process.argv.slice(2);
const rateLimiter = createPostgresRateLimiter({
  connectionString,
  schema,
  key: "activecampaign:multi-process-test",
});
const sink = createActiveCampaignSink({
  apiUrl,
  apiToken: "worker-token",
  listId: 1,
  onCustomerDeleted: "unsubscribe",
  rateLimiter,
  retry: { retries: Number(retries) },
});
// Warm the connection to the sandbox first (its root is no ActiveCampaign request): a cold first
// request is slower than the rest and would arrive bunched with the next second's.
await (await fetch(new URL("/", apiUrl))).arrayBuffer();
// Each operation: one contact lookup (a deletion of someone ActiveCampaign does not know).
const results = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    sink.send([
      conversionOf("customer_deleted.bonusly.1", "customer_deleted", {
        customer: { email: `w${worker}-${i}@example.com` },
      }),
    ]),
  ),
);
await rateLimiter.close();
process.stdout.write(`${JSON.stringify(results.flat().map((r) => r.status))}\n`);
