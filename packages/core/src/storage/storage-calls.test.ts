import { afterEach, describe, expect, it, vi } from "vitest";
import { StorageError } from "../errors.js";
import { createInFlightCalls } from "./storage-calls.js";
import { guardStorageMethods } from "./storage-guard.js";

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

afterEach(() => {
  vi.useRealTimers();
});

describe("createInFlightCalls", () => {
  it("drain waits for every call in flight, then refuses new ones through the guard", async () => {
    const inFlight = createInFlightCalls("test");
    const gate = deferred<string>();
    const methods = guardStorageMethods(
      { read: () => gate.promise },
      { engine: "test", isClosed: () => false, inFlight },
    );
    const call = methods.read();
    expect(inFlight.size).toBe(1);
    let drained: boolean | undefined;
    const drain = inFlight.drain(Number.POSITIVE_INFINITY).then((ok) => {
      drained = ok;
    });
    await expect(methods.read()).rejects.toThrow("test storage is closed (read)");
    await Promise.resolve();
    expect(drained).toBeUndefined();
    gate.resolve("value");
    await drain;
    expect(drained).toBe(true);
    expect(await call).toBe("value");
    expect(await inFlight.drain(0)).toBe(true);
  });

  it("after timeoutMs rejects the calls still running with a typed error and resolves false", async () => {
    vi.useFakeTimers();
    const inFlight = createInFlightCalls("test");
    const never = new Promise<never>(() => {});
    const stuck = inFlight.track("claim", never).catch((error: unknown) => error);
    const done = inFlight.track("ack", Promise.resolve(true));
    const drain = inFlight.drain(1_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(inFlight.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await drain).toBe(false);
    expect(await done).toBe(true);
    const error = (await stuck) as StorageError;
    expect(StorageError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      "test storage: claim: still running when close() stopped waiting; its outcome is unknown",
    );
    expect(error.engine).toBe("test");
    expect(await inFlight.drain(5)).toBe(false);
  });

  it("keeps the outcome of a call that fails on its own", async () => {
    const inFlight = createInFlightCalls("test");
    const failing = inFlight.track("x", Promise.reject(new Error("boom")));
    await expect(failing).rejects.toThrow("boom");
    expect(await inFlight.drain(0)).toBe(true);
  });
});
