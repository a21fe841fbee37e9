// Types of `sessionkeeper/redis` (hand-written; checked by `tsc --strict` in the test suite).
import type { CustomSessionStorage, Session, SessionCacheOptions } from './index.js'

/**
 * The node-redis (v4 or later) commands the storage sends: a `createClient()` or
 * `createCluster()` client fits. Replies must be strings (node-redis's default).
 */
export interface RedisCommands {
  get(key: string): Promise<unknown>
  set(key: string, value: string, options?: { PXAT: number }): Promise<unknown>
  sAdd(key: string, members: string | string[]): Promise<unknown>
  sRem(key: string, members: string | string[]): Promise<unknown>
  sMembers(key: string): Promise<unknown>
  del(keys: string | string[]): Promise<unknown>
}

export interface RedisSessionStorageOptions {
  /** Prefix of every key (default `sessionkeeper:`); at most 256 bytes. */
  keyPrefix?: string
  /**
   * How long a session stays loadable after it stopped being usable, in ms (default 7 days;
   * 0 to 3650 days). Shopify apps read expired sessions (the shop, to send the merchant back
   * through OAuth), so a key's `PXAT` is the session's last usable instant plus this.
   */
  graceMs?: number
  /** Per-operation timeout in ms (default 10000; 0 disables). */
  timeoutMs?: number
  /** A read-through cache in front of the store (off unless given): see `SessionCacheOptions`. */
  cache?: SessionCacheOptions
}

/**
 * Sessions in Redis, single node or Cluster: `{keyPrefix}session:{id}` holds the canonical
 * JSON and expires `graceMs` after the session can no longer be used; the set `{keyPrefix}shop:{shop}`
 * indexes each shop's session ids. A `CustomSessionStorage`: errors, timeouts and validation
 * work the same way (a driver failure is CALLBACK_FAILED with the driver's error as `cause`).
 * `findSessionsByShop` resolves the shop's sessions by id, skipping a stored value that is not
 * a session (its `loadSession` is INVALID_SESSION naming the problem).
 */
export declare class RedisSessionStorage extends CustomSessionStorage {
  /**
   * `clientOrUrl`: a connected node-redis client (never closed by the storage), or a
   * `redis://` URL, from which the storage creates its own client, connected on first use.
   */
  constructor(clientOrUrl: RedisCommands | string, options?: RedisSessionStorageOptions)
  /** Closes the client created from a URL; a client passed in is left open. */
  close(): Promise<void>
  /** Stores only if the stored record still has `expectedVersion` (0: none yet), atomically (SessionManager's optimistic concurrency); rejects with CONFLICT otherwise. */
  storeSessionIfVersion(session: Session, expectedVersion: number): Promise<boolean>
}

/** `new RedisSessionStorage(clientOrUrl, options)`. */
export declare function redisSessionStorage(
  clientOrUrl: RedisCommands | string,
  options?: RedisSessionStorageOptions,
): RedisSessionStorage
