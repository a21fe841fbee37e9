'use strict'
// sessionkeeper/redis: a CustomSessionStorage whose callbacks run the core's Redis plans with
// node-redis (ARCHITECTURE.md, "Storages"). The core builds each operation step by step — which
// keys, which TTL, the re-checks that keep a key and its shop index in agreement when a store and
// a delete race — and says what every reply means; this file only sends the commands of each
// step and hands the replies back, as Python's adapter does with redis-py.

const { native } = require('./lib/core.js')
const { CustomSessionStorage } = require('./lib/custom.js')
const { invalidArgument } = require('./lib/errors.js')
const { layoutOf, planned, customOptions } = require('./lib/adapter.js')

const OPTIONS = new Set(['keyPrefix', 'graceMs', 'timeoutMs'])
const COMMANDS = ['get', 'set', 'sAdd', 'sRem', 'sMembers', 'del']

/**
 * A plan's commands (`[name, ...args]`) as node-redis methods: its typed API is what every
 * client kind offers (single node, cluster, pool).
 */
const SEND = {
  GET: (client, c) => client.get(c[1]),
  SET: (client, c) => (c.length === 3 ? client.set(c[1], c[2]) : client.set(c[1], c[2], { [c[3]]: Number(c[4]) })),
  SADD: (client, c) => client.sAdd(c[1], c.slice(2)),
  SREM: (client, c) => client.sRem(c[1], c.slice(2)),
  SMEMBERS: (client, c) => client.sMembers(c[1]),
  DEL: (client, c) => client.del(c[1]),
}

function sendOne(client, command) {
  return SEND[command[0]](client, command)
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
 * A step of a plan with what is read of it once: its commands, and whether one reply is the
 * result (then, when it is the only command, that command's promise is the result).
 */
function stepOf(step) {
  const commands = step.commands
  const yields = step.yields
  const only = yields !== null && commands.length === 1 && commands[0].length === 1 ? commands[0][0] : null
  return { step, commands, yields, only }
}

/**
 * The first steps of recently used ids, bounded (oldest first out): a load's, and a store's with
 * the text it was planned for. A step never changes once built, so a session stored again
 * unchanged, or loaded again, costs no call into the core before its commands go out.
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
      entry = { load: null, text: null, store: null }
      if (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value)
      this.byId.set(id, entry)
    }
    return entry
  }

  load(id) {
    const entry = this.#entry(id)
    entry.load ??= stepOf(planned(this.layout, 'load', id))
    return entry.load
  }

  /** The first step of a store of `text`, the canonical JSON of a session with `id`. */
  store(id, text) {
    const entry = this.#entry(id)
    if (entry.text !== text) {
      entry.store = stepOf(planned(this.layout, 'store', text))
      entry.text = text
    }
    return entry.store
  }
}

/** The five callbacks of the storage, over one client and layout. */
function callbacks(client, layout, owned) {
  const pipelined = oneConnection(client)
  const plans = new Plans(layout)
  const ready = owned === null ? () => undefined : () => owned.ready()

  /** One step's replies, in order: its phases one after another, or all down one connection. */
  async function send(phases) {
    // One connection keeps the order, so every phase goes out at once: one round trip.
    if (pipelined) return Promise.all(phases.flat().map((command) => sendOne(client, command)))
    const replies = []
    for (const phase of phases) replies.push(...(await Promise.all(phase.map((command) => sendOne(client, command)))))
    return replies
  }

  /** Runs a plan from `first` (a step, or the result when there was nothing to send). */
  async function run(first) {
    let at = first
    for (;;) {
      const replies = await send(at.commands)
      if (at.yields !== null) return replies[at.yields]
      const next = planned(at.step, 'next', replies)
      if (!(next instanceof native.RedisStep)) return next
      at = stepOf(next)
    }
  }

  async function store(session) {
    const wait = ready()
    if (wait !== undefined) await wait
    return run(plans.store(session.id, JSON.stringify(session)))
  }

  function load(id) {
    const wait = ready()
    if (wait !== undefined) return wait.then(() => load(id))
    const plan = plans.load(id)
    return plan.only !== null ? sendOne(client, plan.only) : run(plan)
  }

  async function removeMany(ids) {
    const wait = ready()
    if (wait !== undefined) await wait
    const first = planned(layout, 'deleteMany', ids)
    return first instanceof native.RedisStep ? run(stepOf(first)) : first
  }

  const remove = (id) => removeMany([id])

  async function find(shop) {
    const wait = ready()
    if (wait !== undefined) await wait
    return run(stepOf(planned(layout, 'findByShop', shop)))
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
    const { layout, given } = layoutOf(native.RedisLayout, options, OPTIONS, 'keyPrefix')
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
    super(cb.store, cb.load, cb.remove, customOptions(cb, given))
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
