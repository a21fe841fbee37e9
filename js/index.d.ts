// Type declarations of the public API (hand-written; checked by `tsc --strict` over
// examples/typed.ts in the test suite).

/** The stable error codes, identical in the Node and Python packages. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_SESSION'
  | 'INVALID_CALLBACK_RESULT'
  | 'CALLBACK_FAILED'
  | 'CALLBACK_TIMEOUT'
  | 'NOT_SUPPORTED'
  | 'STORAGE_IO'
  | 'CONFLICT'
  | 'COOKIE_TOO_LARGE'
  | 'INVALID_SIGNATURE'

/** The error codes as constants: `ErrorCode.CALLBACK_FAILED === 'CALLBACK_FAILED'`. */
export declare const ErrorCode: { readonly [K in ErrorCode]: K }

/** Every failure of the package. Branch on `code`; `cause` holds a callback's original error. */
export declare class SessionStorageError extends Error {
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown })
  readonly code: ErrorCode
  /** For CALLBACK_FAILED: what the callback threw or rejected with. */
  cause?: unknown
  name: 'SessionStorageError'
}

/**
 * The user behind an online access token (Shopify's snake_case keys), declared as Shopify's
 * `OnlineAccessUser` is, so our sessions type-check wherever Shopify's are expected. A session
 * read from a property array holds only the fields the array carried (at least `id`). Keys not
 * listed here are kept too (after the known ones), so code written for later Shopify versions works.
 */
export interface OnlineAccessUser {
  id: number
  first_name: string
  last_name: string
  email: string
  email_verified: boolean
  account_owner: boolean
  locale: string
  collaborator: boolean
}

/**
 * Shopify's `onlineAccessInfo`: the OAuth response of an online token, less the token and scope,
 * with keys in the order Shopify writes them. Declared as Shopify's `OnlineAccessInfo` is (see
 * `OnlineAccessUser`); `session` and `account_number` are what Shopify's OAuth response adds.
 */
export interface OnlineAccessInfo {
  expires_in: number
  associated_user_scope: string
  session?: string
  account_number?: number
  associated_user: OnlineAccessUser
}

/** What `onlineAccessInfo` may hold on the way in: any of Shopify's fields, each optional. */
export interface OnlineAccessInfoParams {
  expires_in?: number | null
  associated_user_scope?: string | null
  session?: string | null
  account_number?: number | null
  associated_user?: Partial<OnlineAccessUser> | null
}

/** A JSON value, as `data` holds them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A date: a `Date`, an ISO-8601 string with a timezone, or epoch milliseconds. */
export type DateInput = Date | string | number

/**
 * What the `Session` constructor and `storeSession` accept: a plain object of this shape, a
 * `Session`, or a Shopify `Session`. `null`/`undefined` mean absent; unknown keys are ignored.
 */
export interface SessionParams {
  id: string
  shop?: string
  state?: string
  isOnline?: boolean
  scope?: string | null
  expires?: DateInput | null
  accessToken?: string | null
  refreshToken?: string | null
  refreshTokenExpires?: DateInput | null
  onlineAccessInfo?: OnlineAccessInfoParams | null
  data?: { [key: string]: JsonValue } | null
}

/** What `toObject()` returns: the session's fields, dates as `Date`s, absent fields omitted. */
export interface SessionObject {
  id: string
  shop: string
  state: string
  isOnline: boolean
  scope?: string
  expires?: Date
  accessToken?: string
  refreshToken?: string
  refreshTokenExpires?: Date
  onlineAccessInfo?: OnlineAccessInfo
  data?: { [key: string]: JsonValue }
}

/** The canonical JSON object: what `toJSON()` returns and `JSON.stringify(session)` writes. */
export interface SessionJson {
  id: string
  shop: string
  state: string
  isOnline: boolean
  scope?: string
  expires?: string
  accessToken?: string
  refreshToken?: string
  refreshTokenExpires?: string
  onlineAccessInfo?: OnlineAccessInfo
  data?: { [key: string]: JsonValue }
}

/** Scopes as Shopify takes them: `"read_a,write_b"`, a list, or a Shopify `AuthScopes`. */
export type Scopes = string | readonly string[] | { toArray(): string[] }

/** One `[key, value]` entry of Shopify's property-array form. */
export type PropertyArrayEntry = [string, string | number | boolean]

/** Anything a `load` callback may resolve to (also the items of `findSessionsByShop`'s). */
export type LoadedSession =
  | Session
  | SessionParams
  | string
  | ReadonlyArray<readonly [string, unknown]>
  | undefined
  | null

/** A web session: Shopify's fields plus app `data`, as plain data properties. */
export declare class Session {
  /** Validates every field (`INVALID_ARGUMENT` naming the field) and copies them. */
  constructor(params: SessionParams | Session)
  readonly id: string
  shop: string
  state: string
  isOnline: boolean
  scope?: string
  expires?: Date
  accessToken?: string
  refreshToken?: string
  refreshTokenExpires?: Date
  onlineAccessInfo?: OnlineAccessInfo
  data?: { [key: string]: JsonValue }

  /** The scopes are granted, an access token is set and it does not expire within the margin (500 ms). */
  isActive(scopes?: Scopes, withinMillisecondsOfExpiry?: number): boolean
  /** `expires` falls before now plus the margin (0 ms); never without `expires`. */
  isExpired(withinMillisecondsOfExpiry?: number): boolean
  /** `false` without scopes; otherwise whether the session lacks any of them. */
  isScopeChanged(scopes?: Scopes): boolean
  /** Whether the session's scopes grant all of `scopes` (`write_x` grants `read_x`). */
  isScopeIncluded(scopes: Scopes): boolean
  /** The fields as a plain object with `Date`s (copies). */
  toObject(): SessionObject
  /** Shopify's equality (id, shop, state, isOnline, user-data property array) plus `data`. */
  equals(other?: Session | SessionParams | null): boolean
  /** The canonical JSON object, so `JSON.stringify(session)` writes canonical JSON. */
  toJSON(): SessionJson
  /** Shopify's property array; dates as epoch milliseconds. */
  toPropertyArray(returnUserData?: boolean): PropertyArrayEntry[]
  /** Reads Shopify's property array (keys case-insensitive). */
  static fromPropertyArray(
    entries: ReadonlyArray<readonly [string, unknown]>,
    returnUserData?: boolean,
  ): Session
  /** Canonical JSON text, validated by the core. */
  serialize(): string
  /** Reads JSON text of any accepted shape (`INVALID_SESSION` when it is not a session). */
  static deserialize(json: string): Session
}

/** Shopify's session storage interface. */
export interface SessionStorage {
  /** Stores (upserts) a session; resolves `true` when stored. */
  storeSession(session: Session | SessionParams): Promise<boolean>
  /** The session with `id`, or `undefined`. */
  loadSession(id: string): Promise<Session | undefined>
  /** Deletes a session; deleting a missing id succeeds. */
  deleteSession(id: string): Promise<boolean>
  /** Deletes every session in `ids`. */
  deleteSessions(ids: readonly string[]): Promise<boolean>
  /** Every session of `shop` (`[]` when none). */
  findSessionsByShop(shop: string): Promise<Session[]>
  /**
   * Releases what the storage holds (a client or pool it created; nothing for the memory, file
   * and custom storages). Also called by `await using` through `[Symbol.asyncDispose]`.
   */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** A value or a promise of it: callbacks may be sync or async. */
export type MaybePromise<T> = T | PromiseLike<T>

export type StoreCallback = (session: Session) => MaybePromise<boolean>
export type LoadCallback = (id: string) => MaybePromise<LoadedSession>
export type DeleteCallback = (id: string) => MaybePromise<boolean>
export type DeleteSessionsCallback = (ids: string[]) => MaybePromise<boolean>
export type FindSessionsByShopCallback = (shop: string) => MaybePromise<ReadonlyArray<LoadedSession>>

export interface CustomSessionStorageOptions {
  /**
   * Deletes many at once. Without it `deleteSessions` calls `delete` per id (8 at a time) and
   * tries every id; if any fail it rejects, once all have settled, with one error naming them.
   */
  deleteSessionsCallback?: DeleteSessionsCallback
  /** Without it `findSessionsByShop` fails with NOT_SUPPORTED. */
  findSessionsByShopCallback?: FindSessionsByShopCallback
  /**
   * Your compare-and-store: store `session` only if the stored record's version (its
   * `data.__sessionkeeper.version`, 0 when none) is `expectedVersion`, atomically; resolve
   * `false` otherwise (a CONFLICT). Gives the storage `storeSessionIfVersion`, which
   * SessionManager's `optimistic` concurrency needs.
   */
  storeIfVersionCallback?: (session: Session, expectedVersion: number) => MaybePromise<boolean>
  /** Per-callback timeout in ms (default 10000; 0 disables). */
  timeoutMs?: number
  /** A read-through cache in front of the callbacks (off unless given; `{}` for its defaults). */
  cache?: SessionCacheOptions
}

/**
 * The read-through cache: loads of one id while one is out share its callback call; a loaded
 * session is held until the earlier of its `expires` and `maxStalenessMs` after the load, and
 * dropped by this storage's own store, delete or CONFLICT. Hits are fresh Session copies.
 * Another process's writes to a shared store are seen after at most `maxStalenessMs`.
 */
export interface SessionCacheOptions {
  /** Sessions held at most (default 10000); the least recently used goes first. */
  maxEntries?: number
  /** Bytes held at most, ids plus JSON text (default 32 MiB). */
  maxBytes?: number
  /** How long a loaded session may be served, in ms (default 1000; > 0). */
  maxStalenessMs?: number
}

/** Session storage over your own callbacks, which run on the calling JS thread. */
export declare class CustomSessionStorage implements SessionStorage {
  constructor(
    storeCallback: StoreCallback,
    loadCallback: LoadCallback,
    deleteCallback: DeleteCallback,
    options?: CustomSessionStorageOptions,
  )
  storeSession(session: Session | SessionParams): Promise<boolean>
  loadSession(id: string): Promise<Session | undefined>
  deleteSession(id: string): Promise<boolean>
  deleteSessions(ids: readonly string[]): Promise<boolean>
  findSessionsByShop(shop: string): Promise<Session[]>
  /** Present when `storeIfVersionCallback` was given: rejects with CONFLICT when it resolves `false`. */
  storeSessionIfVersion?(session: Session | SessionParams, expectedVersion: number): Promise<boolean>
  /** Releases what the storage holds (nothing here; subclasses close what they created). */
  close(): Promise<void>
  /** `await using storage = …` calls {@link close}. */
  [Symbol.asyncDispose](): Promise<void>
}

/** In-process storage (the embedded default). Stores copies, never shared references. */
export declare class MemorySessionStorage implements SessionStorage {
  constructor(options?: Record<string, never>)
  storeSession(session: Session | SessionParams): Promise<boolean>
  loadSession(id: string): Promise<Session | undefined>
  deleteSession(id: string): Promise<boolean>
  deleteSessions(ids: readonly string[]): Promise<boolean>
  findSessionsByShop(shop: string): Promise<Session[]>
  /**
   * Removes the sessions that can no longer be used (past `expires` and, with a refresh token,
   * past `refreshTokenExpires`); returns how many. Opt-in: call it on your own schedule.
   */
  sweep(): number
  /** Stores a copy only if the stored record still has `expectedVersion` (0: none yet); rejects with CONFLICT otherwise. */
  storeSessionIfVersion(session: Session | SessionParams, expectedVersion: number): Promise<boolean>
  /** Nothing to release: exists so every storage closes the same way. */
  close(): Promise<void>
  /** `await using storage = …` calls {@link close}. */
  [Symbol.asyncDispose](): Promise<void>
}

/** One file per session under `directory` (created 0700 when missing); I/O off the JS thread. */
export declare class FileSessionStorage implements SessionStorage {
  constructor(directory: string, options?: Record<string, never>)
  storeSession(session: Session | SessionParams): Promise<boolean>
  loadSession(id: string): Promise<Session | undefined>
  deleteSession(id: string): Promise<boolean>
  deleteSessions(ids: readonly string[]): Promise<boolean>
  findSessionsByShop(shop: string): Promise<Session[]>
  /** Releases what the storage holds (nothing here; subclasses close what they created). */
  /** Stores only if the stored record still has `expectedVersion` (0: none yet), atomically across processes; rejects with CONFLICT otherwise. */
  storeSessionIfVersion(session: Session | SessionParams, expectedVersion: number): Promise<boolean>
  /** Removes the session files that can no longer be used; resolves how many. */
  sweep(): Promise<number>
  close(): Promise<void>
  /** `await using storage = …` calls {@link close}. */
  [Symbol.asyncDispose](): Promise<void>
}

/** The session cookie's name and attributes (defaults: `sid`, `/`, HttpOnly, Secure, SameSite=Lax). */
export interface SessionCookieOptions {
  /** The cookie name (default `sid`). `__Host-` names need `secure`, path `/` and no domain; `__Secure-` names need `secure`. */
  name?: string
  /** `Path` (default `/`). */
  path?: string
  /** `Domain` (default none: the host only). */
  domain?: string
  /** `HttpOnly` (default true). */
  httpOnly?: boolean
  /** `Secure` (default true). */
  secure?: boolean
  /** `SameSite` (default `Lax`); `None` needs `secure`. */
  sameSite?: 'Strict' | 'Lax' | 'None' | 'strict' | 'lax' | 'none'
}

/** The cookie-only storage: the whole record sealed in the cookie, no server state. */
export interface CookieStorage {
  readonly __sessionkeeperCookieStorage?: never
}

/** `cookieStorage()`: records sealed (XChaCha20-Poly1305, keys derived from `secrets`) in the cookie. */
export declare function cookieStorage(): CookieStorage

/** A storage the manager can run `optimistic` concurrency over. */
export interface ComparingSessionStorage extends SessionStorage {
  /** Stores `session` only if the stored record still has `expectedVersion` (0: none yet); else rejects with CONFLICT. */
  storeSessionIfVersion(session: Session, expectedVersion: number): Promise<boolean>
}

export interface SessionManagerOptions {
  /** Any storage of this package (memory, file, custom, redis, postgres) or `cookieStorage()`. */
  storage: SessionStorage | CookieStorage
  /** Secrets of at least 32 bytes: the first signs (and seals), all verify. Rotate by putting a new one first. */
  secrets: readonly string[]
  /** The session cookie. */
  cookie?: SessionCookieOptions
  /** Sliding timeout from the last write, in ms (default 30 minutes; 0 = none). */
  idleTimeoutMs?: number
  /** Timeout from creation, never extended, in ms (default 12 hours; 0 = none). */
  absoluteTimeoutMs?: number
  /** An unchanged session is re-written at most this often, in ms (default a tenth of the idle timeout). */
  touchAfterMs?: number
  /** `last-write-wins` (default) or `optimistic` (a stale commit rejects with CONFLICT; needs a comparing storage). */
  concurrency?: 'last-write-wins' | 'optimistic'
  /** The clock, in epoch ms (default `Date.now`). */
  clock?: () => number
}

/** Where `start()` reads the Cookie header from. */
export type CookieSource =
  | string
  | null
  | undefined
  | { headers: { cookie?: string | string[] } }
  | { headers: { get(name: string): string | null } }

/** One request's session: the app's values by key, flash values, id and deadlines. */
export declare class ManagedSession<Data extends Record<string, JsonValue> = Record<string, JsonValue>> {
  private constructor()
  /** The session id: a bearer credential, never log it. */
  readonly id: string
  /** Whether this request minted the session (no valid cookie came with it). */
  readonly isNew: boolean
  /** When the session was created (or last regenerated). */
  readonly createdAt: Date
  /** The deadline as last committed (idle and absolute timeouts together), if any. */
  readonly expiresAt: Date | undefined
  get<K extends keyof Data & string>(key: K): Data[K] | undefined
  set<K extends keyof Data & string>(key: K, value: Data[K]): this
  delete(key: keyof Data & string): boolean
  has(key: string): boolean
  clear(): void
  readonly size: number
  keys(): Array<keyof Data & string>
  /** A copy of the app's values. */
  toJSON(): Partial<Data>
  /** Sets a value the next request reads once with `takeFlash`. */
  flash(key: string, value: JsonValue): this
  /** The flash value of `key`, removed from the session (the removal is committed). */
  takeFlash<T extends JsonValue = JsonValue>(key: string): T | undefined
  /** Moves the session to a new id (call it at login); the old id is deleted at commit. */
  regenerate(options?: { keepData?: boolean }): void
  /** express-session's form: a new id with the values dropped; `callback` runs on the next tick. */
  regenerate(callback: (error: Error | null) => void): void
  /** Ends the session: the commit deletes it and clears the cookie. */
  destroy(callback?: (error: Error | null) => void): void
}

/** Cookie-bound sessions with app data, timeouts, signing, touch, regeneration and GC. */
export declare class SessionManager<Data extends Record<string, JsonValue> = Record<string, JsonValue>> {
  /** Throws SessionStorageError INVALID_ARGUMENT naming a bad option, NOT_SUPPORTED for `optimistic` over a storage that cannot compare. */
  constructor(options: SessionManagerOptions)
  /** The request's session, from a Cookie header, a request, or nothing (a fresh session). Never throws on a malformed header. */
  start(source?: CookieSource): Promise<ManagedSession<Data>>
  /** Writes what changed; resolves the `Set-Cookie` value to send, or `undefined`. */
  commit(session: ManagedSession<Data>): Promise<string | undefined>
  /**
   * Commits and appends the `Set-Cookie` to a Fetch `Response` or `Headers` (Hono, Remix, Next
   * route handlers). Resolves what to send: `target` itself, or a copy of a `Response` whose
   * headers are immutable (`Response.redirect()`).
   */
  commitTo<T extends Response | Headers>(session: ManagedSession<Data>, target: T): Promise<T>
  /** Removes expired sessions from the storage; resolves how many (0 where the store expires them itself). */
  sweep(): Promise<number>
  /** Sweeps every `intervalMs` (>= 1000) on a timer that never keeps the process alive. */
  startSweeping(intervalMs: number): { stop(): void }
}
