import { createRequire } from "node:module";
import { type Logger, toLogger } from "@revtrace/core";
import type { PgPoolLike } from "./pg-types.js";

/** A pool revtrace created, which it must end. */
export interface OwnedPool extends PgPoolLike {
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

type PgModule = {
  Pool: new (config: {
    connectionString: string;
    max: number;
    application_name: string;
    connectionTimeoutMillis?: number;
  }) => OwnedPool;
};

/**
 * Creates a `pg` Pool. `pg` is CommonJS without bundled types; it is loaded through `require`, typed
 * by the narrow {@link PgPoolLike} surface revtrace uses. `connectionTimeoutMillis` bounds each
 * connection attempt (default: `pg`'s, no limit).
 */
export function createPgPool(
  connectionString: string,
  max: number,
  logger: Partial<Logger> | undefined,
  extra: { connectionTimeoutMillis?: number } = {},
): OwnedPool {
  const { Pool } = createRequire(import.meta.url)("pg") as PgModule;
  const pool = new Pool({ ...extra, connectionString, max, application_name: "revtrace" });
  const log = toLogger(logger);
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on("error", (error) => {
    log.error({ code: (error as { code?: unknown }).code }, "revtrace: postgres pool error");
  });
  return pool;
}
