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
