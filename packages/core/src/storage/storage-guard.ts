/**
 * The lifecycle, input and error rules every storage engine shares, in one wrapper: a call after
 * `close()` rejects with `StorageError` (and, with `inFlight`, calls made before it are tracked so that
 * `close()` can let them finish); a call whose arguments break the input rules (`validate`,
 * normally `checkStorageInput`) rejects with `StorageError` before the engine runs, as does one whose
 * value JSON cannot hold (the engine's `storageJson` throws `StorageInputError`); and any other
 * failure reaches the caller as a `StorageError` whose message says which method failed (never the
 * data involved) and whose `cause` is the engine's error.
 *
 * @module
 */
import { StorageError } from "../errors.js";
import type { InFlightCalls } from "./storage-calls.js";
import { StorageInputError } from "./storage-input.js";

/** An object of async methods. */
export type AsyncMethods = Record<string, (...args: never[]) => Promise<unknown>>;

/** How {@link guardStorageMethods} learns the engine's state. */
export interface StorageGuardOptions {
  /** The engine's name, carried by every error (`sqlite`, `postgres`, …). */
  engine: string;
  /** True once the storage is closed (or closing: see `inFlight`). */
  isClosed(): boolean;
  /**
   * Tracks every call, so that `close()` can wait for those in flight (`createInFlightCalls`): once it
   * is draining, new calls are refused like calls after `close()`.
   */
  inFlight?: InFlightCalls;
  /**
   * A short, data-free explanation of an engine error, appended to the message (an error code, or a
   * hint such as "the schema is missing: run migrate()").
   */
  describe?(error: unknown): string | undefined;
  /**
   * Checks a call's arguments before the engine sees them: returns what is wrong (paths and
   * constraints, never values), or `undefined` when they are valid. Storage engines pass
   * `checkStorageInput`, so every engine refuses the same inputs the same way.
   */
  validate?(method: string, args: readonly unknown[]): string | undefined;
}

/** Returns `methods` wrapped by the shared lifecycle and error rules (see the module doc). */
export function guardStorageMethods<T extends AsyncMethods>(
  methods: T,
  options: StorageGuardOptions,
): T {
  const { engine, isClosed, describe, validate, inFlight } = options;
  const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, method] of Object.entries(methods)) {
    const call = method as unknown as (...args: unknown[]) => Promise<unknown>;
    const guarded = async (...args: unknown[]) => {
      if (isClosed() || inFlight?.closing)
        throw new StorageError(`${engine} storage is closed (${name})`, { engine });
      try {
        const invalid = validate?.(name, args);
        if (invalid !== undefined) {
          throw new StorageError(`${engine} storage: ${name}: invalid input: ${invalid}`, {
            engine,
            invalidInput: true,
          });
        }
        return await call(...args);
      } catch (error) {
        if (StorageError.isInstance(error)) throw error;
        if (StorageInputError.isInstance(error)) {
          throw new StorageError(
            `${engine} storage: ${name}: invalid input: ${error.path}: ${error.message}`,
            { engine, invalidInput: true },
          );
        }
        const detail = describe?.(error);
        throw new StorageError(`${engine} storage: ${name} failed${detail ? `: ${detail}` : ""}`, {
          engine,
          cause: error,
        });
      }
    };
    wrapped[name] = inFlight
      ? (...args) => {
          // Refused calls are not tracked: the closed check runs synchronously, before any await.
          if (inFlight.closing) return guarded(...args);
          return inFlight.track(name, guarded(...args));
        }
      : guarded;
  }
  return wrapped as unknown as T;
}
