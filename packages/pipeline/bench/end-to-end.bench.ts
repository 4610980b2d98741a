/**
 * End-to-end throughput on SQLite: webhooks over HTTP (autocannon, 10 connections) into the pipeline
 * while its worker and the TikTok sink run in the same process, delivering to the TikTok sandbox.
 * Each webhook is a `payment_succeeded` of its own customer (a new person, an attribution, a
 * `Purchase`). Measured: the time until every webhook was processed and delivered, and the server's
 * resident memory after 10 k and after all of them. Targets (DESIGN's machine): 100,000 processed in
 * under 60 s, memory after 100 k within 1.5× of after 10 k. `E2E_COUNT` sets the count.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox } from "@revtrace/sandbox";
import autocannon from "autocannon";
import type { PipelineMetrics } from "../src/index.ts";

/** The same values as `e2e-server.ts`. */
const E2E_PASSWORD = "bench-webhook-password";
const E2E_TIKTOK_TOKEN = "bench-tiktok-token";
const E2E_PIXEL = "BENCHPIXEL0000000001";
const COUNT = Number(process.env.E2E_COUNT ?? 100_000);
// The fixture's times moved to now, keeping their spacing (TikTok refuses events over 7 days old).
const FIXTURE = readFileSync(
  new URL("../../chargebee/test/fixtures/payment_succeeded.bonusly.1.json", import.meta.url),
  "utf8",
);
const SHIFT = Math.floor(Date.now() / 1000) - 1_607_708_103 - 60;
const BODY = FIXTURE.replace(
  /"(occurred_at|date|paid_at|created_at|started_at|activated_at)": (\d{10})/g,
  (_, name: string, time: string) => `"${name}": ${Number(time) + SHIFT}`,
);
const AUTH = `Basic ${Buffer.from(`chargebee:${E2E_PASSWORD}`).toString("base64")}`;

type Sample = { metrics: PipelineMetrics; rss: number };
const sample = (child: ChildProcess) =>
  new Promise<Sample>((resolve) => {
    child.once("message", (message) => resolve(message as Sample));
    child.send({ type: "metrics" });
  });

const dir = mkdtempSync(join(tmpdir(), "revtrace-e2e-bench-"));
const sandbox = await startSandbox({
  port: 0,
  tiktok: { credentials: [{ accessToken: E2E_TIKTOK_TOKEN, pixelCodes: [E2E_PIXEL] }] },
});
const child = fork(new URL("./e2e-server.ts", import.meta.url).pathname, [dir], {
  execArgv: [
    "--conditions=@revtrace/source",
    "--import",
    "tsx",
    ...(process.env.E2E_CPU_PROF
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.E2E_CPU_PROF}`]
      : []),
  ],
  env: { ...process.env, TIKTOK_URL: sandbox.vendors.tiktok },
  stdio: ["ignore", "pipe", "inherit", "ipc"],
});
try {
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  let n = 0;
  const started = performance.now();
  const rssAt10k: { value: number | null } = { value: null };
  const watch = setInterval(() => {
    void sample(child).then((s) => {
      if (rssAt10k.value === null && s.metrics.processed >= 10_000) rssAt10k.value = s.rss;
    });
  }, 250);
  const load = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 10,
    amount: COUNT,
    requests: [
      {
        method: "POST",
        path: "/webhooks/chargebee",
        headers: { authorization: AUTH, "content-type": "application/json" },
        setupRequest: (request) => {
          const i = n++;
          return {
            ...request,
            body: BODY.replace('"id": "ev_', `"id": "ev_e2e${i}_`)
              .replaceAll("16BjsrSIh4AdLqkD", `cus_e2e_${i}`)
              .replaceAll("taxes@test.com", `buyer${i}@lovelace-analytics.io`)
              .replaceAll("txn_AzqYRySIstMLf6N", `txn_e2e_${i}`),
          };
        },
      },
    ],
  });
  const ingestSeconds = (performance.now() - started) / 1000;
  let last: Sample = await sample(child);
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    last = await sample(child);
    const tiktok = last.metrics.sinks.tiktok;
    const settled = (tiktok?.delivered ?? 0) + (tiktok?.skipped ?? 0) + (tiktok?.rejected ?? 0);
    if (last.metrics.processed >= COUNT && settled >= COUNT) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  clearInterval(watch);
  const seconds = (performance.now() - started) / 1000;
  const tiktok = last.metrics.sinks.tiktok;
  const received = sandbox.recorded.tiktok.length;
  console.log(`\n## End to end on SQLite (NORMAL): ${COUNT} webhooks → worker → TikTok sandbox`);
  console.log("| measure | value | target |");
  console.log("|---|---:|---:|");
  console.log(
    `| ingest (HTTP → durable → 200) | ${ingestSeconds.toFixed(1)} s, ${Math.round(COUNT / ingestSeconds)}/s, non-2xx ${load.non2xx + load.errors} | |`,
  );
  console.log(`| processed | ${last.metrics.processed} | ${COUNT} |`);
  console.log(
    `| TikTok delivered / skipped / rejected / dead | ${tiktok?.delivered} / ${tiktok?.skipped} / ${tiktok?.rejected} / ${tiktok?.deadLetters} | |`,
  );
  console.log(`| events the sandbox received | ${received} | |`);
  console.log(
    `| all processed and delivered after | ${seconds.toFixed(1)} s (${Math.round(COUNT / seconds)}/s) | < 60 s for 100 k |`,
  );
  const rss10 = rssAt10k.value ?? last.rss;
  console.log(
    `| resident memory after 10 k / after all | ${(rss10 / 2 ** 20).toFixed(0)} MiB / ${(last.rss / 2 ** 20).toFixed(0)} MiB = ${(last.rss / rss10).toFixed(2)}× | ≤ 1.5× |`,
  );
} finally {
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
