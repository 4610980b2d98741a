import {
  checkStorageInput,
  createInFlightCalls,
  guardStorageMethods,
  type Storage,
} from "@revtrace/core";
import { createMemoryIdentityStore } from "./memory-identity-store.js";
import { createMemoryInboxStore } from "./memory-inbox-store.js";
import { createMemoryLedgerStore } from "./memory-ledger-store.js";
import { createMemoryMappingStore } from "./memory-mapping-store.js";
import { createMemoryOutbox } from "./memory-outbox-store.js";
import { createMemoryReceiptStore } from "./memory-receipt-store.js";
import { createMemoryResourceVersionStore } from "./memory-resource-version-store.js";
import { createMemoryTouchpointStore } from "./memory-touchpoint-store.js";

/**
 * Every storage interface in process memory. For tests, demos and single-process use; nothing
 * survives the process. Stored values are copies: mutating what you passed in or got back never
 * changes the store. Input is checked like every engine's (`checkStorageInput`), and a batch is copied
 * whole before anything changes, so a failing batch writes nothing.
 *
 * @example
 * const storage = createMemoryStorage();
 * await storage.claimReceipt({ key: "chargebee:ev_1", type: "payment_succeeded", receivedAt: Date.now() }); // true
 */
export function createMemoryStorage(): Storage {
  let closed = false;
  const inFlight = createInFlightCalls("memory");
  const outbox = createMemoryOutbox();
  const methods = guardStorageMethods(
    {
      ...createMemoryIdentityStore(),
      ...createMemoryTouchpointStore(),
      ...createMemoryReceiptStore(),
      ...outbox.store,
      ...createMemoryInboxStore(outbox),
      ...createMemoryLedgerStore(),
      ...createMemoryResourceVersionStore(),
      ...createMemoryMappingStore(),
      async migrate() {},
    },
    { engine: "memory", isClosed: () => closed, validate: checkStorageInput, inFlight },
  );
  return {
    ...methods,
    engine: "memory",
    async close() {
      // Calls made before close() complete (they never wait for anything here).
      await inFlight.drain(Number.POSITIVE_INFINITY);
      closed = true;
    },
  };
}
