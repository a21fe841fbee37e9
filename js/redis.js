'use strict'
// sessionkeeper/redis: a CustomSessionStorage whose callbacks run the core's Redis plans with
// node-redis (ARCHITECTURE.md, "Storages"). The core builds each operation step by step — which
// keys, which TTL, the re-checks that keep a key and its shop index in agreement when a store and
// a delete race — and says what every reply means; this file only sends the commands of each
// step and hands the replies back, as Python's adapter does with redis-py.

const { native } = require('./lib/core.js')
const { CustomSessionStorage, writing, takesText } = require('./lib/custom.js')
const { invalidArgument } = require('./lib/errors.js')
const { layoutOf, planned, customOptions, versioned } = require('./lib/adapter.js')

const OPTIONS = new Set(['keyPrefix', 'graceMs', 'timeoutMs', 'cache'])
const COMMANDS = ['get', 'set', 'sAdd', 'sRem', 'sMembers', 'del']

/**
 * A plan's commands (`[name, ...args]`) as node-redis methods: its typed API is what every
 * client kind offers (single node, cluster, pool). Nothing is prepared ahead: a step cached for
 * an id holds only its arrays, so a thousand fresh ids leave little for the collector.
 */
const SEND = {
  GET: (client, c) => client.get(c[1]),
  SET: (client, c) => (c.length === 3 ? client.set(c[1], c[2]) : client.set(c[1], c[2], { [c[3]]: Number(c[4]) })),
  SADD: (client, c) => client.sAdd(c[1], c.length === 3 ? c[2] : c.slice(2)),
  SREM: (client, c) => client.sRem(c[1], c.length === 3 ? c[2] : c.slice(2)),
  SMEMBERS: (client, c) => client.sMembers(c[1]),
  DEL: (client, c) => client.del(c[1]),
  // `EVAL script 1 key ...args`: one key, so a cluster routes it like any single-key command.
  EVAL: (client, c) => client.eval(c[1], { keys: [c[3]], arguments: c.slice(4) }),
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
    // Whether the socket is ref'd (node-redis keeps the choice for each new socket).
    this.refd = true
    this.client.on('error', (e) => {
      this.lastError = e // reported by the next operation; an unheard 'error' would crash Node
      this.sync(true)
    })
    this.client.on('ready', () => {
      this.lastError = null
      this.sync(true)
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
  track(run, arg, text) {
    if (this.pending++ === 0) this.sync(false)
    let result
    try {
      result = run(arg, text)
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
    if (--this.pending === 0) this.sync(false)
  }

  /**
   * Refs the socket while an operation is pending, unrefs it when none is. While a socket is
   * still connecting, Node's net.Socket defers each ref()/unref() as one more 'connect'
   * listener, so toggling per operation during an outage (each fails at once) piled them up
   * (MaxListenersExceededWarning, and memory for as long as the server stayed away). So the
   * unref waits for a settled socket: at once when ready, else at the next 'ready' or 'error'
   * (`settled`); a ref is never delayed, and is made once however many operations come.
   */
  sync(settled) {
    const want = this.pending > 0
    if (want === this.refd || this.closed) return
    if (!want && !settled && !this.client.isReady) return
    this.refd = want
    if (want) this.client.ref()
    else this.client.unref()
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
 * A step of a plan with what is read of it once: its commands, and how it ends without asking
 * the core — one reply is the result (`yields`; when it is the only command, that command's
 * promise is the result), or a reply of 0 means `true` (`doneIfZero`).
 */
function stepOf(step) {
  const commands = step.commands
  const calls = commands.length === 1 ? commands[0] : commands.flat()
  const phases = commands.map((phase) => phase.length)
  const yields = step.yields
  const only = yields !== null && calls.length === 1 ? calls[0] : null
  return { step, text: null, phases, calls, yields, doneIfZero: step.doneIfZero, only }
}

/**
 * The same for a first step, the core's plain-data form of a store's or a load's (JSON of
 * `[commands, commands per phase, yields, doneIfZero]`): its `null` arguments are `text`, the
 * JSON planned, which also plans the step that reads the replies (`storeStep`) when neither
 * shortcut ends it.
 */
function firstStepOf(json, text) {
  const [calls, counts, yields, doneIfZero] = JSON.parse(json)
  for (const c of calls) for (let i = 1; i < c.length; i++) if (c[i] === null) c[i] = text
  const only = yields !== null && calls.length === 1 ? calls[0] : null
  return { step: null, text, phases: counts, calls, yields, doneIfZero, only }
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
    entry.load ??= firstStepOf(planned(this.layout, 'load', id), null)
    return entry.load
  }

  /** The first step of a store of `text`, the canonical JSON of a session with `id`. */
  store(id, text) {
    const entry = this.#entry(id)
    if (entry.text !== text) {
      entry.store = firstStepOf(planned(this.layout, 'store', text), text)
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
  function send(at) {
    if (!pipelined) return sendPhases(at.calls, at.phases)
    // One connection keeps the order, so every phase goes out at once: one round trip.
    const calls = at.calls
    const sent = new Array(calls.length)
    for (let i = 0; i < calls.length; i++) sent[i] = sendOne(client, calls[i])
    return Promise.all(sent)
  }

  /** `calls` phase by phase, `counts[i]` commands in phase i, each after the one before. */
  async function sendPhases(calls, counts) {
    const replies = []
    let at = 0
    for (const n of counts) {
      const phase = calls.slice(at, (at += n))
      replies.push(...(await Promise.all(phase.map((c) => sendOne(client, c)))))
    }
    return replies
  }

  /**
   * The result of a plan from step `at` and its replies. Plain, not async: a store ends here
   * on its first replies, and each promise layer on the path of every request costs.
   */
  function settle(at, replies) {
    if (at.yields !== null) return replies[at.yields]
    if (at.doneIfZero !== null && replies[at.doneIfZero] === 0) return true
    const next = planned(at.step ?? planned(layout, 'storeStep', at.text), 'next', replies)
    return next instanceof native.RedisStep ? run(stepOf(next)) : next
  }

  /** Runs a plan from `at`, a step read by stepOf. */
  function run(at) {
    return send(at).then((replies) => settle(at, replies))
  }

  /** `text`: the session's canonical JSON, which CustomSessionStorage hands over (`takesText`). */
  function store(session, text) {
    const wait = ready()
    if (wait !== undefined) return wait.then(() => store(session, text))
    return run(plans.store(session.id, text ?? JSON.stringify(session)))
  }
  store[takesText] = true

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

  /** `[session, expectedVersion]`: the manager's compare-and-store, one EVAL. */
  async function storeIfVersion([session, expected]) {
    const wait = ready()
    if (wait !== undefined) await wait
    const first = stepOf(planned(layout, 'storeIfVersion', JSON.stringify(session), expected))
    return run(first)
  }

  const all = { store, load, remove, removeMany, find, storeIfVersion }
  if (owned === null) return all
  const tracked = Object.fromEntries(Object.entries(all).map(([name, fn]) => [name, (arg, text) => owned.track(fn, arg, text)]))
  tracked.store[takesText] = true
  return tracked
}

/**
 * Sessions in Redis (single node or Cluster), built on CustomSessionStorage. The layout, shared
 * with Python's adapter: `{keyPrefix}session:{id}` holds the canonical JSON, expiring when the
 * session can no longer be used; the set `{keyPrefix}shop:{shop}` indexes a shop's ids.
 */
class RedisSessionStorage extends CustomSessionStorage {
  #owned
  #storeIfVersion

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
    this.#storeIfVersion = cb.storeIfVersion
  }

  /**
   * Stores `session` only if the stored record still has `expectedVersion` (0: none yet), in one
   * atomic script: SessionManager's `optimistic` concurrency. CONFLICT when it has another.
   */
  storeSessionIfVersion(session, expectedVersion) {
    return this[writing](session?.id, () => versioned(this.#storeIfVersion, session, expectedVersion))
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
