'use strict'
// CustomSessionStorage: the app's callbacks, awaited right here on the JS thread, with every
// result handed to one synchronous core function (ARCHITECTURE.md: no thread hop per call).

const { native, canonicalize, finishLoad, finishFoundItem, patchHeld, call } = require('./core.js')
const { idArgument, idsArgument, shopArgument, versionArgument } = require('./args.js')
const { raise, invalidArgument } = require('./errors.js')
const { sessionText, stringify, tagOf } = require('./convert.js')
const { Session, fromCanonical } = require('./session.js')
const { Deadlines } = require('./deadlines.js')
const { templateOf, templateOfSession, sessionOf, plainSession, Validated } = require('./template.js')
const { ReadThrough } = require('./cache.js')

/** What a subclass's own writes go through, so the cache drops what they change. */
const writing = Symbol('writing')

/**
 * Marks a store callback of our own adapters: it is called as `store(session, text)` with the
 * session's canonical JSON, which the store path already holds, so the session need not be
 * written again (app callbacks are called with the session alone, as Shopify's are).
 */
const takesText = Symbol('takes canonical text')

const OPTIONS = new Set(['cache', 'deleteSessionsCallback', 'findSessionsByShopCallback', 'storeIfVersionCallback', 'timeoutMs'])

function requireFunction(value, name, optional) {
  if (typeof value === 'function' || (optional && (value === undefined || value === null))) {
    return value ?? undefined
  }
  throw invalidArgument(`${name} must be a function, got ${value === null ? 'null' : typeof value}`)
}

/** A thrown value's own message as JS reads it: `null` when reading it throws. */
function textOf(error) {
  try {
    return error instanceof Error ? String(error.message) : String(error)
  } catch {
    return null
  }
}

/** A thrown value's class (`TypeError`, a class of the app's), else its `typeof`. */
function typeNameOf(error) {
  try {
    const name = error?.constructor?.name
    if (typeof name === 'string' && name !== '') return name
  } catch {}
  return typeof error
}

/** The CALLBACK_FAILED error for a callback that threw `error` (kept as the cause). */
function callbackFailed(operation, subject, error) {
  return raise(call(native.callbackFailed, operation, subject, textOf(error), typeNameOf(error)), error)
}

function callbackTimedOut(operation, subject, ms) {
  return raise(call(native.callbackTimeout, operation, subject, ms))
}

function isThenable(value) {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof value.then === 'function'
  )
}

/** A callback's result offered as a session: JSON text for the core, or null with `tag` set. */
function resultText(value) {
  if (typeof value === 'string') return value
  if (value instanceof Session) return stringify(value, 'INVALID_SESSION')
  if (value !== null && typeof value === 'object') return sessionText(value, 'INVALID_SESSION')
  return null
}

class CustomSessionStorage {
  #store
  #load
  #delete
  #deleteMany
  #find
  #deadlines
  #validated = new Validated()
  /** The read-through cache (`cache` option), or null. */
  #cache = null
  /** Whether the store callback takes the canonical text too (`takesText`). */
  #storeTakesText
  /** The canonical JSON of the session #sessionToStore returned last, when known, else null. */
  #text = null

  constructor(storeCallback, loadCallback, deleteCallback, options) {
    this.#store = requireFunction(storeCallback, 'storeCallback', false)
    this.#load = requireFunction(loadCallback, 'loadCallback', false)
    this.#delete = requireFunction(deleteCallback, 'deleteCallback', false)
    this.#storeTakesText = this.#store[takesText] === true
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw invalidArgument('options must be an object')
    }
    const given = options ?? {}
    for (const key of Object.keys(given)) {
      if (!OPTIONS.has(key)) throw invalidArgument(`unknown option "${key}"`)
    }
    this.#deleteMany = requireFunction(given.deleteSessionsCallback, 'deleteSessionsCallback', true)
    this.#find = requireFunction(given.findSessionsByShopCallback, 'findSessionsByShopCallback', true)
    const storeIfVersion = requireFunction(given.storeIfVersionCallback, 'storeIfVersionCallback', true)
    if (storeIfVersion !== undefined) {
      // Only a storage given the callback has the method: SessionManager asks for it by name.
      this.storeSessionIfVersion = async (session, expectedVersion) => {
        versionArgument(expectedVersion)
        const s = this.#sessionToStore(session)
        return this[writing](s.id, async () => {
          const result = await this.#invoke('storeIfVersion', s.id, (v) => storeIfVersion(v, expectedVersion), s)
          return call(native.finishStoreIfVersion, this.#boolean('storeIfVersion', result), s.id, expectedVersion)
        })
      }
    }
    const timeout = given.timeoutMs ?? undefined
    if (timeout !== undefined && typeof timeout !== 'number') {
      throw invalidArgument(`timeoutMs must be a number, got ${typeof timeout}`)
    }
    const ms = call(native.timeoutMs, timeout)
    this.#deadlines = ms === null ? null : new Deadlines(ms, callbackFailed, callbackTimedOut)
    if (given.cache !== undefined && given.cache !== null) {
      this.#cache = new ReadThrough(given.cache)
    }
  }

  /**
   * `run()`, a write of session `id` by this process: with a cache, `id` is dropped before and
   * after it, whatever it returns or throws (a failed store or a CONFLICT may have changed the
   * record, or tell that another process did).
   */
  [writing](id, run) {
    return this.#cache === null ? run() : this.#cache.writing(id, run)
  }

  /**
   * Calls `callback(argument)` and settles with its result, or with `finish(result, subject)`
   * when given (no await in between: store and load return this promise itself). A synchronous
   * throw or a rejection becomes CALLBACK_FAILED (cause: the original), a late result
   * CALLBACK_TIMEOUT.
   */
  #invoke(operation, subject, callback, argument, text, finish) {
    let result
    try {
      result = text === undefined ? callback(argument) : callback(argument, text)
    } catch (error) {
      return Promise.reject(callbackFailed(operation, subject, error))
    }
    // Nothing below may throw at the caller: a `then` getter that throws, or `finish`, rejects.
    try {
      if (!isThenable(result)) return Promise.resolve(finish === undefined ? result : finish(result, subject))
      // A native promise as it is; anything else (a subclass, a thenable) followed by one, so
      // callers always get a native promise and no `then` of the app's runs here.
      const promise = Object.getPrototypeOf(result) === Promise.prototype ? result : Promise.resolve(result)
      if (this.#deadlines === null) {
        const failed = (error) => {
          throw callbackFailed(operation, subject, error)
        }
        return finish === undefined ? promise.then(undefined, failed) : promise.then((value) => finish(value, subject), failed)
      }
      return this.#deadlines.race(promise, operation, subject, finish)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** The store callback's result as the caller's answer (the core judges a non-boolean). */
  #stored = (result) => this.#boolean('store', result)

  /** The load callback's result for `id` as a new Session, or undefined. */
  #loaded = (result, id) => {
    const text = this.#resultText(id, result)
    return text === undefined ? undefined : sessionOf(this.#template(id, text))
  }

  #boolean(operation, result) {
    if (typeof result === 'boolean') return result
    return call(native.finishBool, operation, tagOf(result))
  }

  /**
   * The session handed to the store callback: the caller's own Session when canonical. Sets
   * `#text` to its canonical JSON when that is known without writing it (else null), last, so
   * nothing read on the way (a getter) can change it before storeSession reads it.
   */
  #sessionToStore(session) {
    this.#text = null
    if (!(session instanceof Session)) return new Session(session)
    const entry = this.#validated.accepted(session, patchHeld)
    if (entry !== null) {
      this.#text = entry.text
      return session
    }
    const text = stringify(session, 'INVALID_ARGUMENT')
    if (this.#validated.has(session.id, text)) {
      this.#text = text
      return session
    }
    const canonical = canonicalize(text, false)
    if (canonical !== null) {
      this.#text = canonical
      return fromCanonical(canonical)
    }
    // A template read from the fields only when they are what JSON.stringify wrote; else the
    // text is parsed when the template is first needed.
    this.#validated.accept(session.id, text, plainSession(session) ? templateOfSession(session) : null)
    this.#text = text
    return session
  }

  /** The text argument of the store callback for the session just prepared: see `takesText`. */
  #storeText() {
    return this.#storeTakesText ? (this.#text ?? undefined) : undefined
  }

  /** The template of the session with `id` in `text`, which the load callback returned. */
  #template(id, text) {
    const known = this.#validated.template(id, text)
    if (known !== undefined) return known
    const canonical = finishLoad(id, text)
    const t = templateOf(JSON.parse(canonical ?? text))
    this.#validated.accept(id, canonical ?? text, t, canonical === null ? null : text)
    return t
  }

  storeSession(session) {
    let s
    let text
    try {
      s = this.#sessionToStore(session)
      text = this.#storeText()
    } catch (error) {
      return Promise.reject(error)
    }
    // Neither a closure nor an async frame on the uncached path: it is every app's hot path.
    if (this.#cache === null) return this.#invoke('store', s.id, this.#store, s, text, this.#stored)
    return this.#cache.writing(s.id, () => this.#invoke('store', s.id, this.#store, s, text, this.#stored))
  }

  loadSession(id) {
    try {
      // An id the core has accepted a session for needs no second look.
      if (!this.#validated.knows(id)) idArgument(id)
    } catch (error) {
      return Promise.reject(error)
    }
    if (this.#cache === null) return this.#invoke('load', id, this.#load, id, undefined, this.#loaded)
    return this.#loadCached(id)
  }

  async #loadCached(id) {
    const held = this.#cache.template(id, (text) => this.#template(id, text))
    if (held !== undefined) return sessionOf(held)
    // One callback call and one validation for every load of `id` that starts meanwhile; each
    // caller gets its own Session from the shared template.
    const loaded = await this.#cache.load(id, () => this.#loadText(id))
    return loaded === undefined ? undefined : sessionOf(loaded.template)
  }

  /** The load callback's result for `id`: its text and validated template, or undefined. */
  async #loadText(id) {
    const text = this.#resultText(id, await this.#invoke('load', id, this.#load, id))
    return text === undefined ? undefined : { text, template: this.#template(id, text) }
  }

  /** The text of a load callback's `result` for `id`; undefined for none (the core judges a non-text). */
  #resultText(id, result) {
    if (result === undefined || result === null) return undefined
    const text = resultText(result)
    if (text === null) {
      call(native.finishLoadTagged, id, tagOf(result))
      return undefined
    }
    return text
  }

  async deleteSession(id) {
    idArgument(id)
    return this.#deleteOne(id)
  }

  /**
   * Through the deleteSessions callback when given; else `delete` per id as the core plans it,
   * every id tried, then one verdict from the core (`storage/fallback.rs`).
   */
  async deleteSessions(ids) {
    idsArgument(ids)
    const plan = call(native.planDeleteMany, ids, this.#deleteMany !== undefined)
    if (typeof plan === 'string') {
      const run = async () => this.#boolean('deleteSessions', await this.#invoke('deleteSessions', plan, this.#deleteMany, ids.slice()))
      if (this.#cache === null) return run()
      for (const id of ids) this.#cache.drop(id)
      try {
        return await run()
      } finally {
        for (const id of ids) this.#cache.drop(id)
      }
    }
    const planned = []
    const outcomes = []
    for (const batch of plan) {
      const settled = await Promise.allSettled(batch.map((id) => this.#deleteOne(id)))
      for (const s of settled) outcomes.push(s.status === 'fulfilled' ? s.value : s.reason)
      planned.push(...batch)
    }
    const verdict = call(native.finishDeleteMany, planned, outcomes)
    if (typeof verdict === 'boolean') return verdict
    throw raise(verdict, outcomes[verdict.cause ?? -1])
  }

  async #deleteOne(id) {
    if (this.#cache === null) return this.#boolean('delete', await this.#invoke('delete', id, this.#delete, id))
    return this.#cache.writing(id, async () => this.#boolean('delete', await this.#invoke('delete', id, this.#delete, id)))
  }

  async findSessionsByShop(shop) {
    shopArgument(shop)
    if (this.#find === undefined) throw raise(call(native.findNotSupported))
    const result = await this.#invoke('findSessionsByShop', shop, this.#find, shop)
    if (!Array.isArray(result)) throw raise(call(native.notAList, tagOf(result)))
    return result.map((item, index) => {
      const text = resultText(item)
      if (text === null) {
        call(native.finishFoundItemTagged, shop, index, tagOf(item))
      }
      return fromCanonical(finishFoundItem(shop, index, text) ?? text)
    })
  }

  /**
   * Releases what the storage holds: nothing here (the callbacks' resources are the app's); the
   * Redis and PostgreSQL storages close a client or pool they created.
   */
  async close() {}

  /** `await using storage = …`: calls {close}. */
  [Symbol.asyncDispose]() {
    return this.close()
  }
}

module.exports = { CustomSessionStorage, callbackFailed, writing, takesText }
