/**
 * The lifecycle, input and error rules every storage engine shares, in one wrapper: a call after
 * `close()` rejects with `StorageError`; a call whose arguments break the input rules (`validate`,
 * normally `checkStorageInput`) rejects with `StorageError` before the engine runs, as does one whose
 * value JSON cannot hold (the engine's `storageJson` throws `StorageInputError`); and any other
 * failure reaches the caller as a `StorageError` whose message says which method failed (never the
 * data involved) and whose `cause` is the engine's error.
 *
 * @module
 */
import { StorageError } from "../errors.js";
import { StorageInputError } from "./storage-input.js";

/** An object of async methods. */
export type AsyncMethods = Record<string, (...args: never[]) => Promise<unknown>>;

/** How {@link guardStorageMethods} learns the engine's state. */
export interface StorageGuardOptions {
  /** The engine's name, carried by every error (`sqlite`, `postgres`, …). */
  engine: string;
  /** True once the storage is closed. */
  isClosed(): boolean;
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
  const { engine, isClosed, describe, validate } = options;
  const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, method] of Object.entries(methods)) {
    const call = method as unknown as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = async (...args) => {
      if (isClosed()) throw new StorageError(`${engine} storage is closed (${name})`, { engine });
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
  }
  return wrapped as unknown as T;
}
