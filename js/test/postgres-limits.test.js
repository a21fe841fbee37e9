'use strict'
// sessionkeeper/postgres at PostgreSQL's edges: reserved words as table names, a 63-byte table
// name (its shop index must still exist), and what PostgreSQL cannot hold (U+0000, a shop
// over 2 KB, a date before 4714 BC), refused up front as INVALID_ARGUMENT naming the limit.
// Everything lives in a schema of this run, dropped afterwards.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { randomBytes } = require('node:crypto')
const { Session } = require('../index.js')
const { postgresSessionStorage } = require('../postgres.js')
const servers = require('./servers.js')

const SCHEMA = `sk_node_limits_${servers.runId()}`
const server = { pool: null, skip: undefined }

before(async () => {
  Object.assign(server, await servers.reachablePool(`CREATE SCHEMA ${SCHEMA}`))
})

after(async () => {
  if (!server.pool) return
  await server.pool.query(`DROP SCHEMA ${SCHEMA} CASCADE`)
  await server.pool.end()
})

function serverTest(name, fn) {
  test(name, async (t) => (server.skip ? t.skip(server.skip) : fn(t)))
}

serverTest('reserved words work as table names', async () => {
  for (const name of ['user', 'select', 'order']) {
    const storage = postgresSessionStorage(server.pool, { table: `${SCHEMA}.${name}` })
    const session = new Session({ id: name, shop: 'reserved.myshopify.com' })
    assert.equal(await storage.storeSession(session), true)
    assert.ok((await storage.loadSession(name)).equals(session))
    assert.equal((await storage.findSessionsByShop('reserved.myshopify.com')).length, 1)
    assert.equal(await storage.deleteSessions([name]), true)
  }
})

serverTest('a 63-byte table name still gets its shop index', async () => {
  const name = `t${'x'.repeat(62)}`
  const storage = postgresSessionStorage(server.pool, { table: `${SCHEMA}.${name}` })
  await storage.storeSession(new Session({ id: 'a', shop: 'long.myshopify.com' }))
  const { rows } = await server.pool.query('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [SCHEMA, name])
  const shopIndex = rows.filter((r) => /\(shop\)/.test(r.indexdef))
  assert.equal(shopIndex.length, 1, JSON.stringify(rows))
  assert.notEqual(shopIndex[0].indexname, name)
})

serverTest('what PostgreSQL cannot hold is INVALID_ARGUMENT naming the limit, and nothing is written', async () => {
  const storage = postgresSessionStorage(server.pool, { table: `${SCHEMA}.limits` })
  const invalid = (pattern) => (e) => {
    assert.equal(e.code, 'INVALID_ARGUMENT', e.message)
    assert.match(e.message, pattern)
    return true
  }
  for (const op of [
    () => storage.storeSession({ id: 'a\0b' }),
    () => storage.loadSession('a\0b'),
    () => storage.deleteSession('a\0b'),
    () => storage.deleteSessions(['ok', 'a\0b']),
    () => storage.findSessionsByShop('a\0b.myshopify.com'),
  ]) {
    await assert.rejects(op(), invalid(/U\+0000/))
  }
  // Random bytes: a repetitive shop would be compressed below the btree limit.
  const shop = randomBytes(1600).toString('hex')
  await assert.rejects(storage.storeSession({ id: 'big', shop }), invalid(/at most 2048 bytes/))
  const ancient = new Session({ id: 'old', expires: new Date(Date.UTC(-5000, 0, 1)) })
  await assert.rejects(storage.storeSession(ancient), invalid(/4714-11-24 BC/))
  assert.equal(await storage.loadSession('absent'), undefined, 'the table is made on first use')
  const { rows } = await server.pool.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.limits`)
  assert.equal(rows[0].n, 0)
})
