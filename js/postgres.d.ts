// Types of `sessionkeeper/postgres` (hand-written; checked by `tsc --strict` in the test suite).
import type { CustomSessionStorage, Session, SessionCacheOptions } from './index.js'

/** What the storage uses of a `pg.Pool`: queries, and a client checked out for the schema. */
export interface PostgresPool {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
  connect(): Promise<{
    query(text: string): Promise<unknown>
    release(error?: Error | boolean): void
  }>
  readonly totalCount: number
}

export interface PostgresSessionStorageOptions {
  /** The table (default `sessionkeeper_sessions`): letters, digits and `_`, optionally `schema.table`. */
  table?: string
  /**
   * How long `sweep()` keeps a session after it stopped being usable, in ms (default 7 days;
   * 0 to 3650 days). Shopify apps read expired sessions (the shop, to send the merchant back
   * through OAuth), so they stay loadable until then.
   */
  graceMs?: number
  /** Per-operation timeout in ms (default 10000; 0 disables). */
  timeoutMs?: number
  /** A read-through cache in front of the store (off unless given): see `SessionCacheOptions`. */
  cache?: SessionCacheOptions
}

/**
 * Sessions in one PostgreSQL table: `id` the primary key, `shop` indexed, `expires` and
 * `usable_until` as `timestamptz`, the canonical JSON in a `json` column. The table is created
 * on first use (safely when several processes start at once). A `CustomSessionStorage`:
 * a driver failure is CALLBACK_FAILED with the driver's error as `cause`. `findSessionsByShop`
 * resolves the shop's sessions by id, skipping a row that is not a session (its `loadSession`
 * is INVALID_SESSION naming the problem).
 */
export declare class PostgresSessionStorage extends CustomSessionStorage {
  /**
   * `poolOrConnectionString`: a `pg.Pool` (never ended by the storage), or a `postgres://`
   * connection string, from which the storage creates its own pool.
   */
  constructor(poolOrConnectionString: PostgresPool | string, options?: PostgresSessionStorageOptions)
  /** Ends the pool created from a connection string; a pool passed in is left open. */
  close(): Promise<void>
  /** Stores only if the stored record still has `expectedVersion` (0: none yet), atomically (SessionManager's optimistic concurrency); rejects with CONFLICT otherwise. */
  storeSessionIfVersion(session: Session, expectedVersion: number): Promise<boolean>
  /**
   * Deletes the sessions that stopped being usable more than `graceMs` ago; resolves how many.
   * Opt-in: call it on your own schedule. A driver failure is CALLBACK_FAILED.
   */
  sweep(): Promise<number>
}

/** `new PostgresSessionStorage(poolOrConnectionString, options)`. */
export declare function postgresSessionStorage(
  poolOrConnectionString: PostgresPool | string,
  options?: PostgresSessionStorageOptions,
): PostgresSessionStorage
