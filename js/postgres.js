'use strict'
// sessionkeeper/postgres: a CustomSessionStorage whose callbacks run the core's PostgreSQL
// plans with `pg` (ARCHITECTURE.md, "Storages"). The table, its schema, every statement and
// its parameters, and what the rows mean are the core's (the same for Python's adapter); this
// file only runs them.

const { native } = require('./lib/core.js')
const { CustomSessionStorage, callbackFailed, writing, takesText } = require('./lib/custom.js')
const { invalidArgument } = require('./lib/errors.js')
const { layoutOf, planned, customOptions, unwrap, versioned } = require('./lib/adapter.js')

const OPTIONS = new Set(['table', 'graceMs', 'timeoutMs', 'cache'])

/** The first column of a row (the statements the core plans return one). */
function firstColumn(row) {
  for (const column in row) return row[column]
  return undefined
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

  /** Runs one of the core's statements (built first: what it refuses is never sent). */
  async function run(query) {
    const wait = ensure()
    if (wait !== undefined) await wait
    const returns = query.returns
    const { rows, rowCount } = await pool.query(query.sql, query.params)
    if (returns === 'value') return rows.length === 0 ? undefined : firstColumn(rows[0])
    if (returns === 'sessions') return query.next(rows.map(firstColumn))
    if (returns === 'count') return rowCount ?? 0
    if (returns === 'stored') return planned(query, 'stored', rowCount ?? 0)
    return true
  }

  return {
    // `text`: the session's canonical JSON, which CustomSessionStorage hands over (`takesText`).
    store: Object.assign((session, text) => run(planned(layout, 'store', text ?? JSON.stringify(session))), { [takesText]: true }),
    load: (id) => run(planned(layout, 'load', id)),
    remove: (id) => run(planned(layout, 'deleteMany', [id])),
    removeMany: (ids) => run(planned(layout, 'deleteMany', ids)),
    find: (shop) => run(planned(layout, 'findByShop', shop)),
    storeIfVersion: ([session, expected]) => run(planned(layout, 'storeIfVersion', JSON.stringify(session), expected)),
    /** Deletes the rows past their grace period; resolves how many went. */
    async sweep() {
      try {
        return await run(layout.sweep())
      } catch (e) {
        throw callbackFailed('sweep', '', e)
      }
    },
  }
}

/**
 * Sessions in one PostgreSQL table, built on CustomSessionStorage. The layout, shared with
 * Python's adapter: `id` the primary key, `shop` indexed, `expires` and `usable_until` as
 * `timestamptz`, the canonical JSON in a `json` column; the table is created on first use.
 */
class PostgresSessionStorage extends CustomSessionStorage {
  #owned
  #sweep
  #storeIfVersion

  constructor(poolOrConnectionString, options) {
    const { layout, given } = layoutOf(native.PostgresLayout, options, OPTIONS, 'table')
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
    super(cb.store, cb.load, cb.remove, customOptions(cb, given))
    this.#owned = owned
    this.#sweep = cb.sweep
    this.#storeIfVersion = cb.storeIfVersion
  }

  /**
   * Stores `session` only if the stored row still has `expectedVersion` (0: none yet), in one
   * statement: SessionManager's `optimistic` concurrency. CONFLICT when it has another.
   */
  storeSessionIfVersion(session, expectedVersion) {
    return this[writing](session?.id, () => versioned(this.#storeIfVersion, session, expectedVersion))
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

/** `new PostgresSessionStorage(poolOrConnectionString, options)`. */
function postgresSessionStorage(poolOrConnectionString, options) {
  return new PostgresSessionStorage(poolOrConnectionString, options)
}

module.exports = { postgresSessionStorage, PostgresSessionStorage }
