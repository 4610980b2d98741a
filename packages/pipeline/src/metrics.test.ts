import { describe, expect, it } from "vitest";
import { MetricsRegistry, prometheusText } from "./metrics.js";

describe("MetricsRegistry", () => {
  it("counts the backlog per queue until each item settles, with the oldest age", () => {
    const registry = new MetricsRegistry();
    registry.track("tiktok", "a", 1000);
    registry.track("tiktok", "b", 4000);
    registry.track("tiktok", "a", 9000); // already tracked: keeps its first time
    registry.track("~work", "w", 2000);
    let snapshot = registry.snapshot(10_000, "~work", ["tiktok"]);
    expect(snapshot.sinks.tiktok).toMatchObject({ backlog: 2, oldestAgeMs: 9000 });
    expect(snapshot.worker).toMatchObject({ backlog: 1, oldestAgeMs: 8000 });
    expect(registry.pendingCount()).toBe(3);
    registry.settle("tiktok", "a");
    snapshot = registry.snapshot(10_000, "~work", ["tiktok"]);
    expect(snapshot.sinks.tiktok).toMatchObject({ backlog: 1, oldestAgeMs: 6000 });
  });
});

describe("MetricsRegistry backlog of enqueued items", () => {
  it("ignores enqueues until the process works the queues (an ingest-only process)", () => {
    const registry = new MetricsRegistry();
    registry.enqueued("~work", "w1", 1000);
    expect(registry.snapshot(5000, "~work", []).worker).toMatchObject({ backlog: 0 });
  });

  it("counts what this process enqueued from enqueue time, until claimed and settled", () => {
    const registry = new MetricsRegistry();
    registry.working = true;
    registry.enqueued("~work", "w1", 1000);
    registry.enqueued("~work", "w2", 3000);
    expect(registry.snapshot(5000, "~work", []).worker).toMatchObject({
      backlog: 2,
      oldestAgeMs: 4000,
    });
    registry.track("~work", "w1", 4000); // claimed later: still aged from its enqueue
    expect(registry.snapshot(5000, "~work", []).worker).toMatchObject({
      backlog: 2,
      oldestAgeMs: 4000,
    });
    registry.settle("~work", "w1");
    registry.settle("~work", "w2");
    expect(registry.pendingCount()).toBe(0);
  });

  it("forgets enqueued items a short claim did not return (another process took them)", () => {
    const registry = new MetricsRegistry();
    registry.working = true;
    registry.enqueued("tiktok", "a", 1000);
    registry.enqueued("tiktok", "b", 2000);
    registry.enqueued("tiktok", "c", 9000);
    registry.claimed("tiktok", 5000, 10, 10); // a full batch: more may be due, nothing known
    expect(registry.pendingCount()).toBe(3);
    registry.claimed("tiktok", 5000, 0, 10); // short: everything due at 5000 was claimed
    expect(registry.snapshot(10_000, "~work", ["tiktok"]).sinks.tiktok).toMatchObject({
      backlog: 1,
      oldestAgeMs: 1000,
    });
  });
});

describe("prometheusText", () => {
  it("writes every counter with HELP and TYPE lines and escaped labels", () => {
    const registry = new MetricsRegistry();
    registry.received = 7;
    registry.duplicates = 2;
    registry.queue('we"ird').delivered = 3;
    const text = prometheusText(registry.snapshot(0, "~work", ['we"ird']));
    expect(text).toContain(
      "# TYPE revtrace_webhooks_received_total counter\nrevtrace_webhooks_received_total 7\n",
    );
    expect(text).toContain("revtrace_webhooks_duplicate_total 2\n");
    expect(text).toContain('revtrace_sink_delivered_total{sink="we\\"ird"} 3\n');
    expect(text).toContain('revtrace_outbox_backlog{queue="worker"} 0\n');
    expect(text.endsWith("\n")).toBe(true);
    for (const line of text.trim().split("\n")) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+-]+)$/);
    }
  });
});
