import { checkStorageInput, guardStorageMethods, type Storage } from "@revtrace/core";
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
    // No in-flight tracking: every method does all its work synchronously, when it is called (none
    // awaits anything), so a call made before close() has already done it; tracking cost ~1 µs a call.
    { engine: "memory", isClosed: () => closed, validate: checkStorageInput },
  );
  return {
    ...methods,
    engine: "memory",
    async close() {
      // Calls made before close() have done their work already (see above): nothing to wait for.
      closed = true;
    },
  };
}
