'use strict'
// The read-through cache's host half (ARCHITECTURE.md, "Cache"): the core's SessionCache decides
// hit or miss, what is admitted, for how long and what is evicted; this file shares one load
// per id among concurrent callers (promise plumbing) and keeps a failing cache from failing
// anything: every native call here that throws is a miss, a refused admission or a no-op.

const { native } = require('./binding.js')
const { fromNative, invalidArgument } = require('./errors.js')
const { optionOf } = require('./args.js')

const CACHE_OPTIONS = new Set(['maxEntries', 'maxBytes', 'maxStalenessMs'])

class ReadThrough {
  #cache
  /** Loads out, by id: a second load of an id joins the first one's promise. */
  #flights = new Map()
  /**
   * The validated template of each admission, by id, as `{ n, template }`: the core answers a
   * hit with the admission's number only. Bounded like the core's entries (oldest insert first);
   * a number it does not match is read again from the core's text.
   */
  #templates = new Map()
  #max

  /** `options`: the storage's `cache` option, `{ maxEntries, maxBytes, maxStalenessMs }`. */
  constructor(options) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw invalidArgument('cache must be an object ({ maxEntries, maxBytes, maxStalenessMs })')
    }
    for (const key of Object.keys(options)) {
      if (!CACHE_OPTIONS.has(key)) throw invalidArgument(`unknown cache option "${key}"`)
    }
    const entries = optionOf(options, 'maxEntries', 'number')
    const bytes = optionOf(options, 'maxBytes', 'number')
    const staleness = optionOf(options, 'maxStalenessMs', 'number')
    try {
      this.#cache = new native.SessionCache(entries, bytes, staleness)
    } catch (e) {
      throw fromNative(e)
    }
    this.#max = entries ?? 10000
  }

  /**
   * The validated template held for `id`, or undefined. `read(text)` validates text the core
   * holds but this side has no template of.
   */
  template(id, read) {
    try {
      const n = this.#cache.get(id, Date.now())
      if (n === 0) return undefined
      const held = this.#templates.get(id)
      if (held !== undefined && held.n === n) return held.template
      const text = this.#cache.text(id, Date.now())
      if (text === null) return undefined
      const template = read(text)
      this.#remember(id, n, template)
      return template
    } catch {
      return undefined
    }
  }

  #remember(id, n, template) {
    this.#templates.delete(id)
    if (this.#templates.size >= this.#max) this.#templates.delete(this.#templates.keys().next().value)
    this.#templates.set(id, { n, template })
  }

  /**
   * `run()`'s promise (`{ text, template }` or undefined), shared with every load of `id` that
   * starts before it settles; its text is offered to the cache.
   */
  load(id, run) {
    const flying = this.#flights.get(id)
    if (flying !== undefined) return flying
    let ticket = null
    try {
      ticket = this.#cache.ticket()
    } catch {}
    const flight = run().then(
      (loaded) => {
        this.#land(id, flight)
        if (loaded !== undefined && ticket !== null) {
          try {
            const n = this.#cache.admit(id, loaded.text, ticket, Date.now())
            if (n !== 0) this.#remember(id, n, loaded.template)
          } catch {}
        }
        return loaded
      },
      (error) => {
        this.#land(id, flight)
        throw error
      }
    )
    this.#flights.set(id, flight)
    return flight
  }

  #land(id, flight) {
    if (this.#flights.get(id) === flight) this.#flights.delete(id)
  }

  /**
   * `run()` (an own store or delete of `id`), with `id` dropped before and after: a load that
   * starts after this write began must not join or admit what was read before it.
   */
  async writing(id, run) {
    this.drop(id)
    try {
      return await run()
    } finally {
      this.drop(id)
    }
  }

  /** Forgets `id` and keeps loads already out from caching it. */
  drop(id) {
    if (typeof id !== 'string') return
    this.#flights.delete(id)
    this.#templates.delete(id)
    try {
      this.#cache.invalidate(id)
    } catch {}
  }
}

module.exports = { ReadThrough }
