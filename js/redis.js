'use strict'
// sessionkeeper/redis: a CustomSessionStorage whose callbacks send node-redis commands. Which
// keys, which TTL and whether an index entry is stale is the core's RedisLayout (the same for
// Python's adapter); this file only sends the commands, in the order the layout prescribes,
// including the re-checks that keep key and index in agreement when a store and a delete race.

const { native } = require('./lib/core.js')
const { CustomSessionStorage } = require('./lib/custom.js')
const { fromNative, invalidArgument } = require('./lib/errors.js')
const { optionOf } = require('./lib/args.js')

const OPTIONS = new Set(['keyPrefix', 'graceMs', 'timeoutMs'])
const COMMANDS = ['get', 'set', 'sAdd', 'sRem', 'sMembers', 'del']

function layoutOf(options) {
  const prefix = optionOf(options, 'keyPrefix', 'string')
  const graceMs = optionOf(options, 'graceMs', 'number')
  try {
    return new native.RedisLayout(prefix, graceMs)
  } catch (e) {
    throw fromNative(e)
  }
}

/** Runs one layout function, its core errors as SessionStorageError. */
function plan(fn, arg) {
  try {
    return fn(arg)
  } catch (e) {
    throw fromNative(e)
  }
}

/**
 * Whether every command goes down one connection in the order sent: a node-redis single-node
 * client, not a cluster (keys live on different nodes), a pool or a sentinel client.
 */
function oneConnection(client) {
  for (let p = Object.getPrototypeOf(client); p !== null; p = Object.getPrototypeOf(p)) {
    if (p.constructor?.name === 'RedisClient') return true
  }
  return false
}

function isClient(value) {
  return value !== null && typeof value === 'object' && COMMANDS.every((c) => typeof value[c] === 'function')
}

/** A client created from a URL: connected on first use, closed by `close()`. */
class OwnedClient {
  constructor(url) {
    let redis
    try {
      redis = require('redis')
    } catch (e) {
      throw new Error('sessionkeeper/redis needs the "redis" package to connect to a URL: npm install redis', { cause: e })
    }
    // No offline queue: while the server is unreachable commands fail at once (CALLBACK_FAILED)
    // instead of waiting for the timeout; the client keeps reconnecting in the background.
    try {
      this.client = redis.createClient({ url, disableOfflineQueue: true })
    } catch (e) {
      // node-redis names the problem ("Invalid URL", "Invalid protocol"); the URL, which may
      // hold a password, is not repeated.
      throw invalidArgument(`url must be a redis:// or rediss:// URL: ${e.message}`)
    }
    this.lastError = null
    this.waiting = null
    this.closed = false
    this.pending = 0
    this.client.on('error', (e) => {
      this.lastError = e // reported by the next operation; an unheard 'error' would crash Node
    })
    this.client.on('ready', () => {
      this.lastError = null
    })
  }

  /** Nothing when ready; else a promise of the connection, or the error that prevents it. */
  ready() {
    const client = this.client
    if (client.isReady || this.closed) return undefined
    if (!client.isOpen) {
      client.connect().catch(() => {}) // failures arrive as 'error' events
    } else if (this.lastError !== null) {
      return Promise.reject(this.lastError)
    }
    // One wait shared by every operation that arrives meanwhile (one listener pair, not one each).
    this.waiting ??= new Promise((resolve, reject) => {
      const done = (error) => {
        client.off('ready', done)
        client.off('error', done)
        this.waiting = null
        if (error) reject(error)
        else resolve()
      }
      client.on('ready', done)
      client.on('error', done)
    })
    return this.waiting
  }

  /**
   * Runs one operation, holding the socket ref'd while any is pending: a pending operation
   * keeps Node alive (even with timeoutMs 0), an idle storage never does.
   */
  track(run, arg) {
    if (this.pending++ === 0) this.client.ref()
    let result
    try {
      result = run(arg)
    } catch (e) {
      this.release()
      throw e
    }
    return result.then(
      (value) => {
        this.release()
        return value
      },
      (error) => {
        this.release()
        throw error
      },
    )
  }

  release() {
    if (--this.pending === 0) this.client.unref()
  }

  async close() {
    if (this.closed) return
    this.closed = true
    const client = this.client
    if (client.isReady) await (client.close ?? client.quit).call(client)
    else if (client.isOpen) await (client.destroy ?? client.disconnect).call(client)
  }
}

/**
 * The layout's answers for recently used ids, bounded (oldest first out): the session key, and
 * the planned write with the text it was planned for. Both are pure functions of their input,
 * so a session stored again unchanged, or loaded again, costs no call into the core.
 */
class Plans {
  constructor(layout, max = 4096) {
    this.layout = layout
    this.max = max
    this.byId = new Map()
  }

  #entry(id) {
    let entry = this.byId.get(id)
    if (entry === undefined) {
      entry = { key: plan((i) => this.layout.sessionKey(i), id), text: null, write: null }
      if (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value)
      this.byId.set(id, entry)
    }
    return entry
  }

  key(id) {
    return this.#entry(id).key
  }

  /** The writes of a store of `text`, the canonical JSON of a session with `id`. */
  write(id, text) {
    const entry = this.#entry(id)
    if (entry.text !== text) {
      entry.write = plan((t) => this.layout.store(t), text)
      entry.text = text
    }
    return entry.write
  }
}

/** The five callbacks of the storage, over one client and layout. */
function callbacks(client, layout, owned) {
  const pipelined = oneConnection(client)
  const plans = new Plans(layout)
  const ready = owned === null ? () => undefined : () => owned.ready()

  async function store(session) {
    const wait = ready()
    if (wait !== undefined) await wait
    const text = JSON.stringify(session)
    const w = plans.write(session.id, text)
    const value = w.value ?? text
    const set = () => (w.expireAtMs === null ? client.set(w.key, value) : client.set(w.key, value, { PXAT: w.expireAtMs }))
    // SADD, SET, SADD: the second SADD restores an index entry that a concurrent find removed
    // after reading the key before this SET landed (see find); it answers 1 only when an SREM
    // landed since the first, and then the re-check reads the key and drops the entry if a
    // concurrent delete removed the key after our SET (the core's layout_removal docs give the
    // whole protocol).
    let reply
    let readded
    if (pipelined) {
      // One connection keeps the order, in one round trip.
      const replies = await Promise.all([
        client.sAdd(w.indexKey, w.member),
        set(),
        client.sAdd(w.indexKey, w.member),
      ])
      reply = replies[1]
      readded = replies[2]
    } else {
      await client.sAdd(w.indexKey, w.member)
      reply = await set()
      readded = await client.sAdd(w.indexKey, w.member)
    }
    if (Number(readded) !== 0 && !holds(w.indexKey, await client.get(w.key), value)) {
      await client.sRem(w.indexKey, w.member)
      // A store may have landed meanwhile: every SREM is followed by a GET and an SADD back.
      if (holds(w.indexKey, await client.get(w.key), value)) await client.sAdd(w.indexKey, w.member)
    }
    return reply === 'OK'
  }

  /** Whether `now` (a GET reply) is a session listed in `indexKey`; `written` needs no parse. */
  function holds(indexKey, now, written) {
    if (now === null || now === undefined) return false
    const text = String(now)
    return text === written || layout.belongs(indexKey, text)
  }

  function load(id) {
    const wait = ready()
    if (wait !== undefined) return wait.then(() => client.get(plans.key(id)))
    return client.get(plans.key(id))
  }

  async function remove(id) {
    const wait = ready()
    if (wait !== undefined) await wait
    const key = plans.key(id)
    const stored = await client.get(key)
    if (stored === null || stored === undefined) return true
    const indexKey = layout.indexKeyOf(String(stored))
    // Key first: a crash in between leaves only a stale index entry, which readers drop.
    if (indexKey === null) {
      await client.del(key)
      return true
    }
    // Then the re-check: a store that landed its SET after our DEL has its entry put back.
    let now
    if (pipelined) {
      now = (await Promise.all([client.del(key), client.sRem(indexKey, id), client.get(key)]))[2]
    } else {
      await client.del(key)
      await client.sRem(indexKey, id)
      now = await client.get(key)
    }
    if (holds(indexKey, now, null)) await client.sAdd(indexKey, id)
    return true
  }

  async function removeMany(ids) {
    await Promise.all(ids.map(remove))
    return true
  }

  async function find(shop) {
    const wait = ready()
    if (wait !== undefined) await wait
    const indexKey = plan((s) => layout.shopKey(s), shop)
    const ids = await client.sMembers(indexKey)
    if (ids.length === 0) return []
    const values = await Promise.all(
      ids.map((id) => {
        const key = layout.memberKey(String(id))
        return key === null ? null : client.get(key) // not a session id at all: stale
      }),
    )
    const keep = layout.found(shop, values.map((v) => (v === null || v === undefined ? null : String(v))))
    const stale = ids.filter((_, i) => !keep[i])
    if (stale.length > 0) {
      await client.sRem(indexKey, stale)
      // A store may have landed its SET between our GET and SREM: read those keys again and
      // put back the members that are sessions of this shop after all.
      const again = await Promise.all(
        stale.map((id) => {
          const key = layout.memberKey(String(id))
          return key === null ? null : client.get(key)
        }),
      )
      const back = layout.found(shop, again.map((v) => (v === null || v === undefined ? null : String(v))))
      const revived = stale.filter((_, i) => back[i])
      if (revived.length > 0) await client.sAdd(indexKey, revived)
    }
    return values.filter((_, i) => keep[i])
  }

  const all = { store, load, remove, removeMany, find }
  if (owned === null) return all
  return Object.fromEntries(Object.entries(all).map(([name, fn]) => [name, (arg) => owned.track(fn, arg)]))
}

/**
 * Sessions in Redis (single node or Cluster), built on CustomSessionStorage. The layout, shared
 * with Python's adapter: `{keyPrefix}session:{id}` holds the canonical JSON, expiring when the
 * session can no longer be used; the set `{keyPrefix}shop:{shop}` indexes a shop's ids.
 */
class RedisSessionStorage extends CustomSessionStorage {
  #owned

  constructor(clientOrUrl, options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw invalidArgument('options must be an object')
    }
    const given = options ?? {}
    for (const key of Object.keys(given)) {
      if (!OPTIONS.has(key)) throw invalidArgument(`unknown option "${key}"`)
    }
    const layout = layoutOf(given)
    let owned = null
    let client
    if (typeof clientOrUrl === 'string' && clientOrUrl !== '') {
      owned = new OwnedClient(clientOrUrl)
      client = owned.client
    } else if (isClient(clientOrUrl)) {
      client = clientOrUrl
    } else {
      throw invalidArgument('client must be a node-redis client (createClient or createCluster) or a redis:// URL')
    }
    const cb = callbacks(client, layout, owned)
    const custom = { deleteSessionsCallback: cb.removeMany, findSessionsByShopCallback: cb.find }
    if (given.timeoutMs !== undefined) custom.timeoutMs = given.timeoutMs
    super(cb.store, cb.load, cb.remove, custom)
    this.#owned = owned
  }

  /** Closes the client this storage created from a URL; a client passed in is left open. */
  async close() {
    if (this.#owned !== null) await this.#owned.close()
  }
}

/** `new RedisSessionStorage(clientOrUrl, options)`. */
function redisSessionStorage(clientOrUrl, options) {
  return new RedisSessionStorage(clientOrUrl, options)
}

module.exports = { redisSessionStorage, RedisSessionStorage }
