'use strict'
// MemorySessionStorage and FileSessionStorage: the core's storages behind Shopify's interface.

const { native } = require('./core.js')
const { fromNative, invalidArgument } = require('./errors.js')
const { sessionText, stringify } = require('./convert.js')
const { Session, fromCanonical } = require('./session.js')
const { templateOf, sessionOf, Validated } = require('./template.js')
const { idArgument, idsArgument, shopArgument, versionArgument } = require('./args.js')

/** Text the core stores: any session-shaped value, validated by the core as the app's input. */
function storeText(session) {
  return session instanceof Session ? stringify(session, 'INVALID_ARGUMENT') : sessionText(session, 'INVALID_ARGUMENT')
}

/** The id of canonical JSON text (which starts `{"id":"…"`), without parsing the rest. */
function idOf(canonical) {
  let end = 7
  while (canonical[end] !== '"') end += canonical[end] === '\\' ? 2 : 1
  return JSON.parse(canonical.slice(6, end + 1))
}

function noOptions(options, name) {
  if (options === undefined) return
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object')
  const unknown = Object.keys(options)
  if (unknown.length > 0) throw invalidArgument(`${name} has no option "${unknown[0]}"`)
}

/**
 * The core's MemoryStorage (validation, upserts, the indexes, the canonical JSON of every
 * session) with a bounded cache of hot sessions in front (`Validated`): for each of the last
 * 4,096 ids used, the session the core holds, as its template and, once needed, as the core's
 * parse held behind a handle (and its text, until a patch replaces it). A hot load is a copy of
 * the template (~0.2 µs) instead of a call into Rust and a JSON.parse; storing a session equal
 * to the one held changes nothing and needs neither JSON nor the core; one changed only in
 * top-level fields is one `storePatched` call. Every write here updates or drops its id in
 * both at once, on the JS thread, so an id in the cache always holds what the core holds;
 * nothing else writes to the core's store (the manager only reads it). Bounded, so a million
 * sessions are held once, in Rust.
 */
/** The core's store inside a MemorySessionStorage (set by the class's static block). */
let storeOf

class MemorySessionStorage {
  #store
  #hot = new Validated()

  static {
    storeOf = (storage) => storage.#store
  }

  constructor(options) {
    noOptions(options, 'MemorySessionStorage')
    this.#store = new native.MemoryStore()
  }

  /** Stores held session `held` with `changes` applied (the core's text is not needed here). */
  #patch = (held, changes) => {
    try {
      this.#store.storePatched(held, changes)
    } catch (e) {
      throw fromNative(e)
    }
    return null
  }

  /** Calls `method` of the core's storage, its errors as SessionStorageError. */
  #native(method, argument) {
    try {
      return this.#store[method](argument)
    } catch (e) {
      throw fromNative(e)
    }
  }

  async storeSession(session) {
    // Held and unchanged: nothing to do. Held and changed only in top-level fields: the core
    // stores its held parse with those fields replaced (no JSON of the whole session).
    if (session instanceof Session && this.#hot.accepted(session, this.#patch) !== null) return true
    const text = storeText(session)
    // The very text the core accepted and holds for this id: storing it again changes nothing.
    if (text.startsWith('{"id":"') && this.#hot.has(idOf(text), text)) return true
    const canonical = this.#native('store', text)
    const accepted = canonical ?? text
    // The id the core accepted, from the text it validated: reading `session.id` again could
    // meet a getter that now answers another id. The template is built on the first load.
    this.#hot.accept(idOf(accepted), accepted)
    return true
  }

  /**
   * Stores a copy of `session` only if the stored record still has `expectedVersion` (0: none
   * yet), atomically: SessionManager's `optimistic` concurrency. CONFLICT when it has another.
   */
  async storeSessionIfVersion(session, expectedVersion) {
    const text = storeText(session)
    let canonical
    try {
      canonical = this.#store.storeIfVersion(text, versionArgument(expectedVersion))
    } catch (e) {
      throw fromNative(e)
    }
    const accepted = canonical ?? text
    this.#hot.accept(idOf(accepted), accepted)
    return true
  }

  /**
   * Removes the sessions that can no longer be used (past `expires` and, with a refresh token,
   * past `refreshTokenExpires`); returns how many. Opt-in: call it on your own schedule.
   */
  sweep() {
    const removed = this.#store.sweep()
    for (const id of removed) this.#hot.forget(id)
    return removed.length
  }

  async loadSession(id) {
    const held = this.#hot.loaded(id)
    if (held !== undefined) return sessionOf(held)
    // Not held: the core checks the id (INVALID_ARGUMENT for '' and the like).
    if (typeof id !== 'string' || !id.isWellFormed()) idArgument(id)
    const text = this.#native('load', id)
    if (text === null) return undefined
    const template = templateOf(JSON.parse(text))
    this.#hot.accept(id, text, template)
    return sessionOf(template)
  }

  async deleteSession(id) {
    if (typeof id !== 'string' || !id.isWellFormed()) idArgument(id)
    const removed = this.#native('delete', id)
    this.#hot.forget(id)
    return removed
  }

  async deleteSessions(ids) {
    idsArgument(ids)
    const removed = this.#native('deleteMany', ids)
    for (const id of ids) this.#hot.forget(id)
    return removed
  }

  async findSessionsByShop(shop) {
    shopArgument(shop)
    return this.#native('findByShop', shop).map(fromCanonical)
  }

  /** Nothing to release: {close} exists so every storage can be closed the same way. */
  async close() {}

  /** `await using storage = new …`: calls {close}. */
  [Symbol.asyncDispose]() {
    return this.close()
  }
}

class FileSessionStorage {
  #ready

  constructor(directory, options) {
    if (typeof directory !== 'string' || directory === '') {
      throw invalidArgument('directory must be a non-empty string')
    }
    noOptions(options, 'FileSessionStorage')
    this.#ready = native.openFileStore(directory)
    // Opening fails only on I/O; the first operation reports it, so no rejection goes unhandled.
    this.#ready.catch(() => {})
  }

  async #run(work) {
    try {
      return await work(await this.#ready)
    } catch (e) {
      throw fromNative(e)
    }
  }

  async storeSession(session) {
    const text = storeText(session)
    await this.#run((store) => store.store(text))
    return true
  }

  /** As MemorySessionStorage's: stores only over `expectedVersion`, atomically across processes. */
  async storeSessionIfVersion(session, expectedVersion) {
    const text = storeText(session)
    const expected = versionArgument(expectedVersion)
    await this.#run((store) => store.storeIfVersion(text, expected))
    return true
  }

  /** Removes the session files that can no longer be used; resolves how many. */
  async sweep() {
    return this.#run((store) => store.sweep())
  }

  async loadSession(id) {
    idArgument(id)
    const text = await this.#run((store) => store.load(id))
    return text === null ? undefined : fromCanonical(text)
  }

  async deleteSession(id) {
    idArgument(id)
    return this.#run((store) => store.delete(id))
  }

  async deleteSessions(ids) {
    idsArgument(ids)
    return this.#run((store) => store.deleteMany(ids))
  }

  async findSessionsByShop(shop) {
    shopArgument(shop)
    const texts = await this.#run((store) => store.findByShop(shop))
    return texts.map(fromCanonical)
  }

  /** Nothing to release: {close} exists so every storage can be closed the same way. */
  async close() {}

  /** `await using storage = new …`: calls {close}. */
  [Symbol.asyncDispose]() {
    return this.close()
  }
}

/**
 * The core's store of `storage` when it is exactly this package's MemorySessionStorage (not a
 * subclass, whose overrides must run): the manager then opens sessions from it in place.
 */
function embeddedStore(storage) {
  return Object.getPrototypeOf(storage) === MemorySessionStorage.prototype ? storeOf(storage) : null
}

module.exports = { MemorySessionStorage, FileSessionStorage, embeddedStore }
