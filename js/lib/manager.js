'use strict'
// SessionManager: cookie-bound sessions over any storage of this package. The core decides
// everything (ids, signatures, timeouts, what to write, the cookie); this file reads the
// Cookie header off whatever the app hands it, performs the storage calls a plan names, and
// keeps the app's values as a plain object (ARCHITECTURE.md, "Lifecycle manager").

const { native, call } = require('./core.js')
const { SessionStorageError, invalidArgument } = require('./errors.js')
const { fromCanonical } = require('./session.js')
const { embeddedStore } = require('./stores.js')
const debug = require('node:util').debuglog('sessionkeeper')

const SEALED = Symbol('sessionkeeper.cookieStorage')

/** The cookie-only storage: the whole record sealed (encrypted and authenticated) in the cookie. */
function cookieStorage() {
  return Object.freeze({ [SEALED]: true, toString: () => 'cookieStorage()' })
}

function isStorage(value) {
  return value !== null && typeof value === 'object' &&
    ['storeSession', 'loadSession', 'deleteSession'].every((m) => typeof value[m] === 'function')
}

/** The Cookie header of a string, an IncomingMessage / Express request, or a Fetch `Request`. */
function cookieHeader(input) {
  if (input === undefined || input === null) return null
  if (typeof input === 'string') return input
  const headers = input.headers
  if (headers !== null && typeof headers === 'object') {
    if (typeof headers.get === 'function') return headers.get('cookie')
    const value = headers.cookie
    if (typeof value === 'string') return value
    if (Array.isArray(value)) return value.join('; ')
    return null
  }
  throw invalidArgument('start() takes a Cookie header string, a request (req.headers.cookie) or a Fetch Request')
}

function json(value, what) {
  try {
    return JSON.stringify(value)
  } catch (e) {
    throw new SessionStorageError(`${what} must be JSON data: ${e.message}`, 'INVALID_ARGUMENT', { cause: e })
  }
}

/** One request's session: the app's values by key, flash values, id and deadlines. */
class ManagedSession {
  #state
  #values
  #flash
  #clock

  constructor(state, clock) {
    this.#state = state
    this.#clock = clock
    // Parsed on first use: a request that never touches them commits them as loaded.
    this.#values = null
    this.#flash = null
  }

  get #v() { return (this.#values ??= JSON.parse(native.stateValues(this.#state))) }
  get #f() { return (this.#flash ??= JSON.parse(native.stateFlash(this.#state))) }

  /** The session id: a bearer credential, never log it. */
  get id() { return native.stateId(this.#state) }
  /** Whether this request minted the session (no valid cookie came with it). */
  get isNew() { return native.stateIsNew(this.#state) }
  /** When the session was created (or last regenerated). */
  get createdAt() { return new Date(native.stateCreatedAt(this.#state)) }
  /** The session's deadline as last committed (idle and absolute timeouts together), if any. */
  get expiresAt() {
    const ms = native.stateExpiresAt(this.#state)
    return ms == null ? undefined : new Date(ms)
  }

  get(key) { return this.#v[key] }
  set(key, value) {
    if (typeof key !== 'string') throw invalidArgument(`session keys are strings, got ${typeof key}`)
    this.#v[key] = value
    return this
  }
  delete(key) {
    const had = Object.hasOwn(this.#v, key)
    delete this.#v[key]
    return had
  }
  has(key) { return Object.hasOwn(this.#v, key) }
  clear() { this.#values = {} }
  get size() { return Object.keys(this.#v).length }
  keys() { return Object.keys(this.#v) }
  /** A copy of the app's values. */
  toJSON() { return JSON.parse(json(this.#v, 'session values')) }

  /** Sets a value the next request reads once with `takeFlash`. */
  flash(key, value) {
    this.#f[key] = value
    return this
  }
  /** The flash value of `key`, removed from the session (the removal is committed). */
  takeFlash(key) {
    const value = this.#f[key]
    delete this.#f[key]
    return value
  }

  /**
   * Moves the session to a new id (call at login); the old id is deleted at commit. Given a
   * callback (express-session's form) the values are dropped, as express-session drops them,
   * and the callback runs on the next tick with the error, if any.
   */
  regenerate(options) {
    if (typeof options === 'function') return settle(options, () => this.regenerate({ keepData: false }))
    const keepData = options?.keepData ?? true
    call(native.stateRegenerate, this.#state, this.#clock())
    if (!keepData) {
      this.#values = {}
      this.#flash = {}
    }
  }
  /** Ends the session: the commit deletes it and clears the cookie (a callback as in express-session). */
  destroy(callback) {
    if (typeof callback === 'function') return settle(callback, () => this.destroy())
    call(native.stateDestroy, this.#state)
  }

  get [Symbol.toStringTag]() { return 'ManagedSession' }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `ManagedSession { isNew: ${this.isNew}, size: ${this.size} }`
  }

  static state(s) { return s.#state }
  /** The values and flash values to commit, each `null` when never handed to the app. */
  static payload(s) {
    const values = s.#values === null ? null : json(s.#values, 'session values')
    return [values, s.#flash === null ? null : json(s.#flash, 'flash values')]
  }
}

// express-session's callback form: the work is synchronous here, the callback still runs later,
// so code written for a store round trip keeps its order.
function settle(callback, work) {
  let error = null
  try {
    work()
  } catch (e) {
    error = e
  }
  process.nextTick(callback, error)
}

/** Appends a Set-Cookie value to a Fetch `Headers`, or returns a copy of a `Response` whose headers are immutable. */
function withCookie(target, setCookie) {
  const headers = target instanceof Headers ? target : target?.headers
  if (!(headers instanceof Headers)) throw invalidArgument('commitTo() takes a Fetch Response or Headers')
  if (setCookie === undefined) return target
  try {
    headers.append('Set-Cookie', setCookie)
    return target
  } catch (e) {
    // Response.redirect() and fetch() responses have immutable headers: send a copy instead.
    if (!(e instanceof TypeError) || target === headers) throw e
    const copy = new Response(target.body, { status: target.status, statusText: target.statusText, headers: target.headers })
    copy.headers.append('Set-Cookie', setCookie)
    return copy
  }
}

class SessionManager {
  #native
  #storage
  #memory
  #sealed
  #clock

  /**
   * @param {object} options `storage` (a storage of this package or `cookieStorage()`),
   *   `secrets`, `cookie`, `idleTimeoutMs`, `absoluteTimeoutMs`, `touchAfterMs`, `concurrency`,
   *   and `clock` (a function returning epoch ms, `Date.now` by default; tests move time with it).
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') throw invalidArgument('SessionManager takes an options object')
    const { storage, clock = Date.now, ...rest } = options
    if (typeof clock !== 'function') throw invalidArgument('clock must be a function returning epoch milliseconds')
    const sealed = storage !== null && typeof storage === 'object' && storage[SEALED] === true
    if (!sealed && !isStorage(storage)) {
      throw invalidArgument('storage must be a session storage (storeSession, loadSession, deleteSession) or cookieStorage()')
    }
    const canCompare = !sealed && typeof storage.storeSessionIfVersion === 'function'
    this.#native = call((o) => new native.NativeManager(o, sealed, canCompare), json(rest, 'options'))
    this.#storage = storage
    // The embedded memory storage is read in place (ARCHITECTURE.md, "Lifecycle manager").
    this.#memory = sealed ? null : embeddedStore(storage)
    this.#sealed = sealed
    this.#clock = clock
  }

  /** The request's session, from a Cookie header, a request, or nothing (a fresh session). */
  async start(input) {
    const m = this.#native
    let state
    if (this.#memory !== null) {
      state = call((h, s, now) => m.startInMemory(h, s, now), cookieHeader(input), this.#memory, this.#clock())
    } else {
      state = m.begin(cookieHeader(input))
      const id = native.stateLoadId(state)
      let loaded = null
      if (id != null) {
        const session = await this.#storage.loadSession(id)
        if (session !== undefined) loaded = JSON.stringify(session)
      }
      call((s, l, now) => m.open(s, l, now), state, loaded, this.#clock())
    }
    if (debug.enabled && native.stateIsNew(state)) {
      const refusal = native.stateRefusal(state)
      if (refusal != null) debug(refusal)
    }
    return new ManagedSession(state, this.#clock)
  }

  /** Writes what changed and returns the `Set-Cookie` value to send, or `undefined`. */
  async commit(session) {
    if (!(session instanceof ManagedSession)) throw invalidArgument('commit() takes a session from start()')
    const state = ManagedSession.state(session)
    const [values, flash] = ManagedSession.payload(session)
    const m = this.#native
    const plan = call((s, v, f, now) => m.commit(s, v, f, now), state, values, flash, this.#clock())
    if (plan.store != null) {
      const record = fromCanonical(plan.store)
      if (plan.expectedVersion != null) await this.#storage.storeSessionIfVersion(record, plan.expectedVersion)
      else await this.#storage.storeSession(record)
    }
    if (plan.delete != null) await this.#storage.deleteSession(plan.delete)
    native.stateCommitted(state)
    return plan.setCookie ?? undefined
  }

  /**
   * Commits and appends the `Set-Cookie` to a Fetch `Response` or `Headers` (Hono, Remix, Next
   * route handlers); resolves the object to send: `target` itself, or a copy of a `Response`
   * whose headers were immutable (`Response.redirect()`).
   */
  async commitTo(session, target) {
    if (!(target instanceof Headers) && !(target?.headers instanceof Headers)) {
      throw invalidArgument('commitTo() takes a Fetch Response or Headers')
    }
    return withCookie(target, await this.commit(session))
  }

  /** Removes expired sessions from the storage; resolves how many (0 where the store expires them itself). */
  async sweep() {
    if (this.#sealed || typeof this.#storage.sweep !== 'function') return 0
    const removed = await this.#storage.sweep()
    return typeof removed === 'number' ? removed : 0
  }

  /** Sweeps every `intervalMs` on a timer that never keeps the process alive; returns `stop()`. */
  startSweeping(intervalMs) {
    if (!Number.isFinite(intervalMs) || intervalMs < 1000) throw invalidArgument('intervalMs must be a number of milliseconds >= 1000')
    // A failed sweep is reported, not thrown into the void: the next tick tries again.
    const timer = setInterval(() => { this.sweep().catch((e) => process.emitWarning(e)) }, intervalMs)
    timer.unref()
    return { stop: () => clearInterval(timer) }
  }
}

module.exports = { SessionManager, ManagedSession, cookieStorage }
