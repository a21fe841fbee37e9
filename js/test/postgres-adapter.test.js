'use strict'
// sessionkeeper/postgres against the real PostgreSQL (DATABASE_URL, default
// postgresql://postgres@127.0.0.1:5432/test). Every table is named for this run and dropped.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { Session, SessionStorageError } = require('../index.js')
const { postgresSessionStorage, PostgresSessionStorage } = require('../postgres.js')
const { batteryOfTests } = require('../testing.js')
const servers = require('./servers.js')

const RUN = `sk_node_${servers.runId()}`
const server = { pool: null, skip: undefined }
let tables = 0
const table = () => `${RUN}_${tables++}`

before(async () => {
  Object.assign(server, await servers.reachablePool())
})

after(async () => {
  if (!server.pool) return
  const { rows } = await server.pool.query('SELECT tablename FROM pg_tables WHERE tablename LIKE $1', [`${RUN}%`])
  for (const { tablename } of rows) await server.pool.query(`DROP TABLE ${tablename}`)
  const left = await server.pool.query('SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE $1', [`${RUN}%`])
  assert.equal(left.rows[0].n, 0, 'every table of this run is gone')
  await server.pool.end()
})

function serverTest(name, fn) {
  test(name, async (t) => (server.skip ? t.skip(server.skip) : fn(t)))
}

describe('the conformance battery, pool passed in', () => {
  let storage
  batteryOfTests(async () => (storage ??= postgresSessionStorage(server.pool, { table: table() })), {
    test: (name, fn) => serverTest(name, fn),
  })
})

describe('the conformance battery, a storage from a connection string', () => {
  let storage
  after(() => storage?.close())
  batteryOfTests(async () => (storage ??= postgresSessionStorage(servers.DATABASE_URL, { table: table() })), {
    test: (name, fn) => serverTest(name, fn),
  })
})

serverTest('the layout: one row per session, expires and usable_until as timestamptz, canonical JSON', async () => {
  const t = table()
  const storage = postgresSessionStorage(server.pool, { table: t })
  assert.ok(storage instanceof PostgresSessionStorage)
  const expires = new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 678))
  const later = new Date(Date.UTC(2040, 5, 1, 0, 0, 0, 9))
  const session = new Session({ id: 'row', shop: 'row.myshopify.com', expires, refreshToken: 'r', refreshTokenExpires: later, data: { z: 1, a: 2 } })
  await storage.storeSession(session)
  await storage.storeSession(new Session({ id: 'forever', shop: 'row.myshopify.com' }))
  const { rows } = await server.pool.query(
    `SELECT id, shop, (extract(epoch FROM expires) * 1000)::bigint::text AS expires,
            (extract(epoch FROM usable_until) * 1000)::bigint::text AS usable, session::text AS text
       FROM ${t} ORDER BY id`,
  )
  assert.deepEqual(rows, [
    { id: 'forever', shop: 'row.myshopify.com', expires: null, usable: null, text: new Session({ id: 'forever', shop: 'row.myshopify.com' }).serialize() },
    { id: 'row', shop: 'row.myshopify.com', expires: String(expires.getTime()), usable: String(later.getTime()), text: session.serialize() },
  ])
  const types = await server.pool.query(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
    [t],
  )
  assert.deepEqual(types.rows.map((r) => `${r.column_name} ${r.data_type}`), [
    'id text',
    'shop text',
    'expires timestamp with time zone',
    'usable_until timestamp with time zone',
    'session json',
  ])
})

serverTest('dates beyond 2038 and before 1970 keep their millisecond', async () => {
  const storage = postgresSessionStorage(server.pool, { table: table() })
  const session = new Session({
    id: 'far',
    expires: new Date(-1),
    refreshToken: 'r',
    refreshTokenExpires: new Date(Date.UTC(2100, 0, 1, 0, 0, 0, 1)),
  })
  await storage.storeSession(session)
  assert.equal(JSON.stringify(await storage.loadSession('far')), session.serialize())
})

serverTest('an id or shop holding U+0000, which PostgreSQL text cannot keep, is refused before any query', async () => {
  const storage = postgresSessionStorage(server.pool, { table: table() })
  for (const params of [{ id: 'nul\u0000id' }, { id: 'nul-shop', shop: 'a\u0000b' }]) {
    await assert.rejects(storage.storeSession(new Session(params)), (e) => {
      assert.equal(e.code, 'INVALID_ARGUMENT')
      assert.match(e.message, /U\+0000/)
      return true
    })
  }
  assert.equal(await storage.storeSession(new Session({ id: 'fine' })), true, 'the storage still works')
})

serverTest('200 concurrent stores across 5 shops, then findSessionsByShop finds every one', async () => {
  const storage = postgresSessionStorage(server.pool, { table: table() })
  const shops = Array.from({ length: 5 }, (_, i) => `concurrent-${i}.myshopify.com`)
  const sessions = Array.from({ length: 200 }, (_, i) => new Session({ id: `c-${i}`, shop: shops[i % 5], state: `s${i}` }))
  const stored = await Promise.all(sessions.map((s) => storage.storeSession(s)))
  assert.ok(stored.every((r) => r === true))
  for (const shop of shops) {
    const found = await storage.findSessionsByShop(shop)
    const expected = sessions.filter((s) => s.shop === shop)
    assert.equal(found.length, 40)
    assert.deepEqual(found.map((s) => s.id).sort(), expected.map((s) => s.id).sort())
    for (const s of found) assert.ok(s.equals(expected.find((e) => e.id === s.id)))
  }
})

serverTest('schema creation racing from several connections at once succeeds', async () => {
  const t = table()
  const pools = Array.from({ length: 6 }, () => servers.pgPool({ max: 1 }))
  try {
    const storages = pools.map((pool) => postgresSessionStorage(pool, { table: t }))
    const stored = await Promise.all(storages.map((s, i) => s.storeSession(new Session({ id: `racer-${i}`, shop: 'race.myshopify.com' }))))
    assert.deepEqual(stored, Array(6).fill(true))
    assert.equal((await storages[0].findSessionsByShop('race.myshopify.com')).length, 6)
  } finally {
    await Promise.all(pools.map((p) => p.end()))
  }
})

serverTest('a corrupt row: its load is INVALID_SESSION naming the field, a find skips it, other rows still load', async () => {
  const t = table()
  const storage = postgresSessionStorage(server.pool, { table: t })
  const shop = 'c.myshopify.com'
  for (const id of ['corrupt', 'fine', 'Fine', 'misfiled']) await storage.storeSession(new Session({ id, shop }))
  await server.pool.query(`UPDATE ${t} SET session = '{"id":"corrupt","isOnline":"maybe"}' WHERE id = 'corrupt'`)
  await server.pool.query(`UPDATE ${t} SET session = '{"id":"misfiled","shop":"other.myshopify.com"}' WHERE id = 'misfiled'`)
  await assert.rejects(storage.loadSession('corrupt'), { code: 'INVALID_SESSION', message: /isOnline/ })
  // One broken row must not block a shop's uninstall cleanup (find, then delete every id); the
  // order is by id in bytes, whatever the database's collation.
  assert.deepEqual((await storage.findSessionsByShop(shop)).map((s) => s.id), ['Fine', 'fine'])
  assert.equal((await storage.loadSession('fine')).id, 'fine')
  assert.equal(await storage.deleteSession('corrupt'), true)
})

serverTest('an unreachable server is CALLBACK_FAILED with the driver error as cause; works again once reachable', async () => {
  const proxy = new servers.Proxy(servers.DATABASE_URL)
  await proxy.open()
  const storage = postgresSessionStorage(proxy.url(), { table: table() })
  try {
    // The first operation fails too: creating the table is part of it, and is retried.
    await proxy.close()
    const session = new Session({ id: 'flaky', shop: 'flaky.myshopify.com' })
    for (const op of [() => storage.storeSession(session), () => storage.loadSession('flaky'), () => storage.deleteSessions(['flaky'])]) {
      await assert.rejects(op(), (e) => {
        assert.ok(e instanceof SessionStorageError)
        assert.equal(e.code, 'CALLBACK_FAILED')
        assert.ok(e.cause instanceof Error, 'the driver error is the cause')
        assert.match(e.cause.message, /ECONNREFUSED/)
        assert.ok(e.message.includes(e.cause.message), e.message)
        return true
      })
    }
    await proxy.open()
    assert.equal(await storage.storeSession(session), true)
    await proxy.close()
    await assert.rejects(storage.loadSession('flaky'), { code: 'CALLBACK_FAILED' })
    await proxy.open()
    assert.ok((await servers.eventually(() => storage.loadSession('flaky'))).equals(session))
  } finally {
    await storage.close()
    if (proxy.server) await proxy.close()
  }
})

serverTest('a pool passed in is left open by close(); an ended pool is CALLBACK_FAILED', async () => {
  const pool = servers.pgPool()
  const storage = postgresSessionStorage(pool, { table: table() })
  assert.equal(await storage.storeSession(new Session({ id: 'mine' })), true)
  await storage.close()
  assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1)
  await pool.end()
  await assert.rejects(storage.loadSession('mine'), (e) => e.code === 'CALLBACK_FAILED' && e.cause instanceof Error)
})

serverTest('table names: schema-qualified and mixed case work, as plain lowercase identifiers', async () => {
  const name = table()
  await server.pool.query(`CREATE SCHEMA IF NOT EXISTS ${name}_schema`)
  try {
    const storage = postgresSessionStorage(server.pool, { table: `${name}_Schema.Mixed_Case` })
    await storage.storeSession(new Session({ id: 'schema', shop: 's.myshopify.com' }))
    const { rows } = await server.pool.query(`SELECT id FROM ${name}_schema.mixed_case`)
    assert.deepEqual(rows, [{ id: 'schema' }])
  } finally {
    await server.pool.query(`DROP SCHEMA ${name}_schema CASCADE`)
  }
})

serverTest('sweep() removes sessions past the grace period only; expired ones stay loadable until then', async () => {
  const t = table()
  const hour = 3600_000
  const storage = postgresSessionStorage(server.pool, { table: t, graceMs: 2 * hour })
  const at = (ms) => new Date(Date.now() + ms)
  const sessions = [
    new Session({ id: 'fresh', shop: 'sweep.myshopify.com', expires: at(hour) }),
    new Session({ id: 'expired-in-grace', shop: 'sweep.myshopify.com', isOnline: true, expires: at(-hour) }),
    new Session({ id: 'past-grace', shop: 'sweep.myshopify.com', expires: at(-3 * hour) }),
    new Session({ id: 'refreshable', shop: 'sweep.myshopify.com', expires: at(-3 * hour), refreshToken: 'r', refreshTokenExpires: at(hour) }),
    new Session({ id: 'forever', shop: 'sweep.myshopify.com' }),
  ]
  for (const s of sessions) assert.equal(await storage.storeSession(s), true)
  const expired = await storage.loadSession('expired-in-grace')
  assert.ok(expired?.isExpired() && expired.shop === 'sweep.myshopify.com', 'an expired session loads, shop and all')
  assert.equal(await storage.sweep(), 1)
  assert.deepEqual((await storage.findSessionsByShop('sweep.myshopify.com')).map((s) => s.id), ['expired-in-grace', 'forever', 'fresh', 'refreshable'])
  assert.equal(await storage.sweep(), 0, 'nothing left to sweep')
  const strict = postgresSessionStorage(server.pool, { table: t, graceMs: 0 })
  assert.equal(await strict.sweep(), 1, 'graceMs 0: expired sessions go at once')
  assert.equal(await storage.loadSession('expired-in-grace'), undefined)
})

serverTest('sweep() of an unreachable server is CALLBACK_FAILED with the driver error as cause', async () => {
  const pool = servers.pgPool()
  const storage = postgresSessionStorage(pool, { table: table() })
  await pool.end()
  await assert.rejects(storage.sweep(), (e) => {
    assert.ok(e instanceof SessionStorageError)
    assert.equal(e.code, 'CALLBACK_FAILED')
    assert.match(e.message, /^failed to sweep expired sessions: /)
    assert.ok(e.cause instanceof Error && e.message.includes(e.cause.message))
    return true
  })
})
