/**
 * The storage contract: narrow async interfaces, one per consumer. Every engine
 * (`@revtrace/storage-memory`, `-sqlite`, `-postgres`) implements all of them in one object and passes
 * `runStorageConformance` from `@revtrace/testing`.
 *
 * Conventions: not-found is `null` (never a throw), writes are idempotent on natural keys, a write
 * that fails (a batch included) writes nothing, engine failures throw `StorageError`. Invalid input
 * (a fractional amount or time, a string holding U+0000, … see `checkStorageInput`) is refused the same
 * way by every engine, with a `StorageError` naming the method and the argument path.
 *
 * @module
 */
import type { IdentityStore } from "./identity-store.js";
import type { InboxStore } from "./inbox-store.js";
import type { LedgerStore } from "./ledger-store.js";
import type { MappingStore } from "./mapping-store.js";
import type { OutboxStore } from "./outbox-store.js";
import type { ReceiptStore } from "./receipt-store.js";
import type { ResourceVersionStore } from "./resource-version-store.js";
import type { TouchpointStore } from "./touchpoint-store.js";

/** All storage interfaces in one object. */
export interface Storage
  extends IdentityStore,
    TouchpointStore,
    ReceiptStore,
    OutboxStore,
    LedgerStore,
    ResourceVersionStore,
    InboxStore,
    MappingStore {
  /** The engine's name: `memory`, `sqlite`, `postgres`. */
  readonly engine: string;
  /**
   * Creates or upgrades the schema. Never run implicitly; idempotent, and safe to run from several
   * processes at once. A no-op for engines without a schema.
   */
  migrate(): Promise<void>;
  /**
   * Lets the calls in flight finish, then releases connections and handles (only those the engine
   * opened itself). Calls in flight are never stranded: each settles, either as it would have, or,
   * when an engine bounds the wait (PostgreSQL's `closeTimeoutMs`) and a call is still running at
   * its end, with a `StorageError` saying its outcome is unknown. Idempotent. Every call made after
   * `close()` was called rejects with `StorageError`.
   */
  close(): Promise<void>;
  /**
   * A view of this same storage whose writes resolve as soon as they are applied, before they are
   * durable: they become durable at the engine's next commit (SQLite: when the event-loop turn ends,
   * with every write issued beside them, as with group commit), and every read and write of the
   * process sees them at once. For work that is redone after a crash anyway (the pipeline's worker and
   * sink loops: idempotent steps on leased items); anything promised to someone outside (an HTTP 200)
   * must wait for the commit: use the storage itself. Optional: an engine without it (or whose writes
   * are durable once applied) is used as it is.
   */
  deferredCommits?(): DeferredCommitStorage;
}

/** See {@link Storage.deferredCommits}. */
export interface DeferredCommitStorage extends Storage {
  /** Resolves once every write applied so far (through either view) is durable. */
  committed(): Promise<void>;
}
