'use strict'
// sessionkeeper/postgres: a CustomSessionStorage whose callbacks run `pg` queries. The table,
// its schema and every statement are the core's PostgresLayout (the same for Python's
// adapter); this file only runs them.

const { native } = require('./lib/core.js')
const { CustomSessionStorage, callbackFailed } = require('./lib/custom.js')
const { SessionStorageError, fromNative, invalidArgument } = require('./lib/errors.js')
const { optionOf } = require('./lib/args.js')

const OPTIONS = new Set(['table', 'graceMs', 'timeoutMs'])

function layoutOf(options) {
  const table = optionOf(options, 'table', 'string')
  const graceMs = optionOf(options, 'graceMs', 'number')
  try {
    return new native.PostgresLayout(table, graceMs)
  } catch (e) {
    throw fromNative(e)
  }
}

/** A `pg.Pool` (or a pool with its interface): `query`, and `connect` checking out a client. */
function isPool(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.query === 'function' &&
    typeof value.connect === 'function' &&
    typeof value.totalCount === 'number'
  )
}

function ownedPool(connectionString) {
  let pg
  try {
    pg = require('pg')
  } catch (e) {
    throw new Error('sessionkeeper/postgres needs the "pg" package to connect: npm install pg', { cause: e })
  }
  // allowExitOnIdle: idle connections never keep a finished process alive.
  const pool = new pg.Pool({ connectionString, allowExitOnIdle: true })
  // An idle connection the server drops is reported by the next query; an unheard 'error'
  // event would crash Node.
  pool.on('error', () => {})
  return pool
}

/** Runs the layout's schema statements in one transaction on one connection. */
async function createSchema(pool, statements) {
  const client = await pool.connect()
  let broken
  try {
    await client.query('BEGIN')
    for (const statement of statements) await client.query(statement)
    await client.query('COMMIT')
  } catch (e) {
    broken = e
    await client.query('ROLLBACK').catch(() => {})
    throw e
  } finally {
    // A connection that failed mid-transaction is discarded rather than reused.
    client.release(broken)
  }
}

/** The five callbacks of the storage, over one pool and layout. */
function callbacks(pool, layout) {
  const sql = {
    upsert: layout.upsertSql,
    load: layout.loadSql,
    remove: layout.deleteSql,
    removeMany: layout.deleteManySql,
    find: layout.findSql,
  }
  const schema = layout.schema()
  let ready = false
  let creating = null
  // The table is created on first use (and again after a failure), never twice at once.
  const ensure = () => {
    if (ready) return undefined
    creating ??= createSchema(pool, schema).then(
      () => {
        ready = true
      },
      (e) => {
        creating = null
        throw e
      },
    )
    return creating
  }

  async function store(session) {
    const wait = ensure()
    if (wait !== undefined) await wait
    const text = JSON.stringify(session)
    let row
    try {
      row = layout.row(text)
    } catch (e) {
      throw fromNative(e)
    }
    await pool.query(sql.upsert, [row.id, row.shop, row.expiresMs, row.usableUntilMs, row.session ?? text])
    return true
  }

  /** The layout's check of an id or shop PostgreSQL cannot hold (INVALID_ARGUMENT). */
  function checked(field, value) {
    try {
      layout.checkText(field, value)
    } catch (e) {
      throw fromNative(e)
    }
    return value
  }

  async function load(id) {
    checked('id', id)
    const wait = ensure()
    if (wait !== undefined) await wait
    const { rows } = await pool.query(sql.load, [id])
    return rows.length === 0 ? undefined : rows[0].session
  }

  async function remove(id) {
    checked('id', id)
    const wait = ensure()
    if (wait !== undefined) await wait
    await pool.query(sql.remove, [id])
    return true
  }

  async function removeMany(ids) {
    for (const id of ids) checked('id', id)
    const wait = ensure()
    if (wait !== undefined) await wait
    await pool.query(sql.removeMany, [ids])
    return true
  }

  async function find(shop) {
    checked('shop', shop)
    const wait = ensure()
    if (wait !== undefined) await wait
    const { rows } = await pool.query(sql.find, [shop])
    return rows.map((r) => r.session)
  }

  /** Deletes the rows past their grace period; resolves how many went. */
  async function sweep() {
    try {
      const wait = ensure()
      if (wait !== undefined) await wait
      const { rowCount } = await pool.query(layout.sweepSql, [layout.sweepCutoffMs()])
      return rowCount ?? 0
    } catch (e) {
      throw callbackFailed('sweep', '', e)
    }
  }

  return { store, load, remove, removeMany, find, sweep }
}

/**
 * Sessions in one PostgreSQL table, built on CustomSessionStorage. The layout, shared with
 * Python's adapter: `id` the primary key, `shop` indexed, `expires` and `usable_until` as
 * `timestamptz`, the canonical JSON in a `json` column; the table is created on first use.
 */
class PostgresSessionStorage extends CustomSessionStorage {
  #owned
  #sweep

  constructor(poolOrConnectionString, options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw invalidArgument('options must be an object')
    }
    const given = options ?? {}
    for (const key of Object.keys(given)) {
      if (!OPTIONS.has(key)) throw invalidArgument(`unknown option "${key}"`)
    }
    const layout = layoutOf(given)
    let pool
    let owned = null
    if (typeof poolOrConnectionString === 'string' && poolOrConnectionString !== '') {
      pool = owned = ownedPool(poolOrConnectionString)
    } else if (isPool(poolOrConnectionString)) {
      pool = poolOrConnectionString
    } else {
      throw invalidArgument('pool must be a pg Pool or a postgres:// connection string')
    }
    const cb = callbacks(pool, layout)
    const custom = { deleteSessionsCallback: cb.removeMany, findSessionsByShopCallback: cb.find }
    if (given.timeoutMs !== undefined) custom.timeoutMs = given.timeoutMs
    super(cb.store, cb.load, cb.remove, custom)
    this.#owned = owned
    this.#sweep = cb.sweep
  }

  /**
   * Deletes the sessions that stopped being usable more than `graceMs` ago (expired sessions
   * stay loadable until then, as Shopify apps expect); resolves how many were deleted. Opt-in:
   * call it on your own schedule.
   */
  sweep() {
    return this.#sweep()
  }

  // What the layout refuses (U+0000, a shop over 2 KB, a date before 4714 BC) is raised inside
  // a callback, so the storage reports CALLBACK_FAILED; the app gets the INVALID_ARGUMENT itself.
  storeSession(session) {
    return super.storeSession(session).catch(unwrap)
  }

  loadSession(id) {
    return super.loadSession(id).catch(unwrap)
  }

  deleteSession(id) {
    return super.deleteSession(id).catch(unwrap)
  }

  deleteSessions(ids) {
    return super.deleteSessions(ids).catch(unwrap)
  }

  findSessionsByShop(shop) {
    return super.findSessionsByShop(shop).catch(unwrap)
  }

  /** Ends the pool this storage created from a connection string; a pool passed in is left open. */
  async close() {
    const pool = this.#owned
    if (pool === null) return
    this.#owned = null
    await pool.end()
  }
}

/** The layout's own INVALID_ARGUMENT out of the CALLBACK_FAILED that carries it. */
function unwrap(e) {
  if (e?.code === 'CALLBACK_FAILED' && e.cause instanceof SessionStorageError && e.cause.code === 'INVALID_ARGUMENT') {
    throw e.cause
  }
  throw e
}

/** `new PostgresSessionStorage(poolOrConnectionString, options)`. */
function postgresSessionStorage(poolOrConnectionString, options) {
  return new PostgresSessionStorage(poolOrConnectionString, options)
}

module.exports = { postgresSessionStorage, PostgresSessionStorage }
