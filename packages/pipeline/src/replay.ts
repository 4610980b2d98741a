/**
 * Replays through the webhook's own path (parse → one `ingest`), so dedupe makes every replay safe:
 * recorded bodies (files, or directories of `*.json` files, each a webhook body or a List Events page),
 * Chargebee's List Events API, quarantined bodies (after the cause was fixed), and dead letters.
 *
 * @module
 */
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ChargebeeApi } from "@revtrace/chargebee";
import { type Clock, type InboxStore, type OutboxStore, WebhookPayloadError } from "@revtrace/core";
import type { IngestOutcome, Ingestor } from "./ingest.js";

/** The part of the inbox quarantine replays use. */
type ReplayableInbox = Pick<InboxStore, "listQuarantine" | "resolveQuarantine">;

/** What a replay did. */
export interface ReplayReport {
  /** Events stored for the first time. */
  stored: number;
  /** Events already received (nothing written but the audit row). */
  duplicates: number;
  /** Bodies that failed validation (quarantined for files; skipped for the API). */
  invalid: number;
}

const emptyReport = (): ReplayReport => ({ stored: 0, duplicates: 0, invalid: 0 });

function count(report: ReplayReport, outcome: IngestOutcome): void {
  if (outcome.kind === "quarantined") report.invalid++;
  else if (outcome.duplicate) report.duplicates++;
  else report.stored++;
}

/**
 * The regular files to replay under `path`: the path itself when it is a file, else every `*.json`
 * file below it, in name order. Anything else is left out, so that nothing can block the replay:
 * a named pipe or a device called `x.json` (reading one waits forever), and, inside a folder, a
 * symlink whose target is gone. A folder reached again through a link (a link back to a parent) is
 * walked once.
 */
export async function recordedFiles(path: string): Promise<string[]> {
  return filesUnder(path, false, new Set());
}

async function filesUnder(path: string, nested: boolean, seen: Set<string>): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if (nested && (error as { code?: unknown }).code === "ENOENT") return [];
    throw error;
  }
  if (info.isFile()) return [path];
  if (!info.isDirectory()) return [];
  const real = await realpath(path);
  if (seen.has(real)) return [];
  seen.add(real);
  const entries = await readdir(path, { withFileTypes: true });
  const found: string[][] = [];
  // one after another: the folders already walked must be known before the next one
  for (const e of entries
    .filter((e) => e.isDirectory() || e.isSymbolicLink() || e.name.endsWith(".json"))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = join(path, e.name);
    if (!e.isDirectory() && !e.name.endsWith(".json")) {
      // a link: followed only to a folder
      if (!(await stat(full).catch(() => null))?.isDirectory()) continue;
    }
    found.push(await filesUnder(full, true, seen));
  }
  return found.flat();
}

/** The bodies of one recorded file: the file itself, or each event of a List Events page. */
function bodiesOf(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [text];
  }
  // a body of `null`, a number or a string is one (invalid) body, not a page
  const list =
    typeof value === "object" && value !== null ? (value as { list?: unknown }).list : undefined;
  if (Array.isArray(list)) {
    return list.map((entry) =>
      JSON.stringify((entry as { event?: unknown } | null)?.event ?? entry),
    );
  }
  return [text];
}

/** Replays recorded Chargebee bodies from files and directories. */
export async function replayFiles(
  ingestor: Ingestor,
  paths: readonly string[],
): Promise<ReplayReport> {
  const report = emptyReport();
  for (const path of paths) {
    for (const file of await recordedFiles(path)) {
      for (const body of bodiesOf(await readFile(file, "utf8"))) {
        count(
          report,
          await ingestor.ingest("chargebee", body, { contentType: "application/json" }),
        );
      }
    }
  }
  return report;
}

/**
 * Replays events of the List Events API. `raw` holds the raw JSON of each event as the API returned
 * it (captured from the responses), so the inbox keeps the real body.
 */
export async function replayApiEvents(
  ingestor: Ingestor,
  api: ChargebeeApi,
  raw: Map<string, string>,
  options: Parameters<ChargebeeApi["replayEvents"]>[0],
): Promise<ReplayReport> {
  const report = emptyReport();
  const onInvalidEvent = () => {
    report.invalid++;
  };
  for await (const event of api.replayEvents({ onInvalidEvent, ...options })) {
    const body = raw.get(event.id);
    raw.delete(event.id);
    if (body === undefined) {
      report.invalid++;
      continue;
    }
    count(
      report,
      await ingestor.ingest("chargebee", body, {
        contentType: "application/json",
        quarantine: false,
      }),
    );
  }
  return report;
}

/**
 * Replays quarantined bodies, at most `limit` in all (oldest first); those that now pass are ingested
 * and marked resolved.
 */
export async function replayQuarantine(
  ingestor: Ingestor,
  inbox: ReplayableInbox,
  now: Clock,
  limit: number,
): Promise<ReplayReport & { stillInvalid: number }> {
  const report = { ...emptyReport(), stillInvalid: 0 };
  let afterId: string | undefined;
  let remaining = limit;
  while (remaining > 0) {
    const pageSize = Math.min(remaining, 500);
    const page = await inbox.listQuarantine({
      limit: pageSize,
      ...(afterId ? { afterId } : {}),
    });
    if (page.length === 0) break;
    remaining -= page.length;
    for (const body of page) {
      afterId = body.id;
      try {
        const outcome = await ingestor.ingest(
          body.source === "retention" ? "retention" : "chargebee",
          body.rawBody,
          { contentType: body.contentType, quarantine: false },
        );
        count(report, outcome);
        await inbox.resolveQuarantine(body.id, now());
      } catch (error) {
        if (!WebhookPayloadError.isInstance(error)) throw error;
        report.stillInvalid++;
      }
    }
    if (page.length < pageSize) break;
  }
  return report;
}

/**
 * Puts dead-lettered items back in their queue: each is enqueued again under a key derived from the
 * dead item (the payload, hence every sink's dedupe id, is unchanged), so a second replay of the same
 * dead item adds nothing.
 */
export async function replayDeadLetters(
  store: OutboxStore,
  now: Clock,
  options: { sink?: string | undefined; limit: number },
): Promise<number> {
  const failures = await store.listFailures({
    ...(options.sink ? { sink: options.sink } : {}),
    limit: options.limit,
  });
  // Oldest first, so the queue keeps their original order.
  const dead = failures
    .filter((item) => item.status === "dead")
    .sort((a, b) => Number(a.id) - Number(b.id));
  if (dead.length === 0) return 0;
  return store.enqueue(
    dead.map((item) => ({
      sink: item.sink,
      idempotencyKey: `${item.idempotencyKey.split("#replay-")[0]}#replay-${item.id}`,
      payload: item.payload,
    })),
    now(),
  );
}
