/** What a `pg` query resolves to (the fields revtrace reads). */
export interface PgQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/** A checked-out connection: `pg`'s `PoolClient`, or anything shaped like it. */
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  /** Returns the connection to its pool; an error argument destroys it instead. */
  release(error?: Error | boolean): void;
}

/** A connection pool: `pg`'s `Pool`, or anything shaped like it. */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  connect(): Promise<PgClientLike>;
}
