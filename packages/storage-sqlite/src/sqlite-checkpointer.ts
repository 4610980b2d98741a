/**
 * WAL checkpoints on a background thread. In WAL mode every commit appends pages to the `-wal` file;
 * a checkpoint copies them back into the database file (and, at `synchronous = NORMAL`, is where the
 * fsyncs happen). SQLite runs it inside whichever COMMIT crosses `wal_autocheckpoint` pages, so one
 * commit in a few hundred took milliseconds on the event loop: measured end to end (in process, 3,000
 * webhooks through the worker), checkpoints were a third of all COMMIT time.
 *
 * Here a worker thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs`: a passive checkpoint never waits for, nor blocks, the writer or readers, and copies only
 * what no reader still needs, so it changes nothing about what a commit guarantees. The writer keeps a
 * larger `wal_autocheckpoint` as a safety net (a thread that cannot keep up, or is gone, still bounds the
 * WAL).
 *
 * @module
 */
import { Worker } from "node:worker_threads";

/** The writer's own `wal_autocheckpoint` (pages) while a background checkpointer runs. */
export const SAFETY_NET_PAGES = 8_000;

/** The code of the thread (CommonJS, evaluated by `new Worker(code, { eval: true })`). */
const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { DatabaseSync } = require("node:sqlite");
let db = null;
try {
  db = new DatabaseSync(workerData.path);
  // PASSIVE never waits for locks: a checkpoint that finds the database busy does what it can now.
  db.exec("PRAGMA busy_timeout = 0");
} catch {
  db = null;
}
const checkpoint = db && db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const timer = setInterval(() => {
  try {
    checkpoint && checkpoint.get();
  } catch {
    // busy or closing: the next tick (or the writer's own safety net) does it
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  try {
    db && db.close();
  } catch {}
  parentPort.close();
});
`;

/** A running checkpointer. */
export interface Checkpointer {
  /** Stops the thread; resolves once it closed its connection and exited. Idempotent. */
  stop(): Promise<void>;
}

/** Starts checkpointing the WAL of the database at `path` every `intervalMs`. */
export function startCheckpointer(path: string, intervalMs: number): Checkpointer {
  const worker = new Worker(THREAD, { eval: true, workerData: { path, intervalMs } });
  // Never keeps the process alive, and never takes it down: without the thread the writer's own
  // `wal_autocheckpoint` still applies.
  worker.unref();
  worker.on("error", () => {});
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        // Held while it stops: a caller awaiting close() must not see the process exit first.
        worker.ref();
        worker.postMessage("stop");
        await exited;
      })();
      return stopped;
    },
  };
}
