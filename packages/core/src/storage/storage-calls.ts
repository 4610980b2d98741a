/**
 * The calls in flight of one storage, so that `close()` neither strands them (a pool ended under a
 * call that waits for a connection leaves it pending forever) nor cuts them off: `close()` drains
 * them first, for a bounded time, and rejects with a typed error the ones still running after it.
 *
 * @module
 */
import { StorageError } from "../errors.js";

/** What {@link createInFlightCalls} returns; hand it to `guardStorageMethods` (`inFlight`). */
export interface InFlightCalls {
  /** True once {@link InFlightCalls.drain} was called: new calls are refused from then on. */
  readonly closing: boolean;
  /** How many calls are in flight. */
  readonly size: number;
  /** Follows `call` until it settles; the promise returned settles like it (or on a drain timeout). */
  track<T>(method: string, call: Promise<T>): Promise<T>;
  /**
   * Marks the storage closing and waits until every call in flight has settled, or `timeoutMs` has
   * passed. Calls still running then reject with `StorageError`
   * (`<engine> storage: <method>: still running when close() stopped waiting; its outcome is
   * unknown`). Resolves `true` when every call settled by itself. A `timeoutMs` of `Infinity` waits
   * for as long as it takes. Every later drain resolves with the
   * result of the first.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

/** The longest delay `setTimeout` honours (longer ones fire at once). */
const MAX_TIMEOUT_MS = 2_147_483_647;

interface Entry {
  method: string;
  reject(error: unknown): void;
}

/** Tracks the calls of one storage of `engine`. */
export function createInFlightCalls(engine: string): InFlightCalls {
  const entries = new Set<Entry>();
  let closing = false;
  let drained: Promise<boolean> | undefined;
  let onEmpty: (() => void) | undefined;

  const done = (entry: Entry) => {
    entries.delete(entry);
    if (entries.size === 0) onEmpty?.();
  };

  return {
    get closing() {
      return closing;
    },
    get size() {
      return entries.size;
    },
    track<T>(method: string, call: Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const entry: Entry = { method, reject };
        entries.add(entry);
        call.then(
          (value) => {
            done(entry);
            resolve(value);
          },
          (error: unknown) => {
            done(entry);
            reject(error);
          },
        );
      });
    },
    drain(timeoutMs) {
      closing = true;
      drained ??= (async () => {
        if (entries.size === 0) return true;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const settled = await Promise.race([
          new Promise<boolean>((resolve) => {
            onEmpty = () => resolve(true);
          }),
          new Promise<boolean>((resolve) => {
            // Beyond setTimeout's range (Infinity included), wait for as long as it takes.
            if (timeoutMs <= MAX_TIMEOUT_MS) timer = setTimeout(() => resolve(false), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        onEmpty = undefined;
        for (const entry of entries) {
          entry.reject(
            new StorageError(
              `${engine} storage: ${entry.method}: still running when close() stopped waiting; its outcome is unknown`,
              { engine },
            ),
          );
        }
        entries.clear();
        return settled;
      })();
      return drained;
    },
  };
}
