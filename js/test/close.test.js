'use strict'
// Every storage has `close()` and `Symbol.asyncDispose`, so `await using` works on all of them:
// a no-op where nothing is held, the client or pool the storage created for the adapters.
// Node 20 does not parse `await using` yet, so these tests call Symbol.asyncDispose in a
// `finally` block, as `await using` does; examples/typed.ts (compiled by tsc, run by
// examples.test.js) uses the syntax itself.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { MemorySessionStorage, FileSessionStorage, CustomSessionStorage } = require('../index.js')
const { redisSessionStorage } = require('../redis.js')
const { postgresSessionStorage } = require('../postgres.js')
const { tempDir } = require('./helpers.js')
const servers = require('./servers.js')

const RUN = `sk-node-close:${servers.runId()}:`

test('memory, file and custom storages close as a no-op and keep working', async () => {
  const storages = [
    new MemorySessionStorage(),
    new FileSessionStorage(tempDir()),
    new CustomSessionStorage(async () => true, async () => undefined, async () => true),
  ]
  for (const storage of storages) {
    assert.equal(typeof storage[Symbol.asyncDispose], 'function')
    assert.equal(await storage.close(), undefined)
    assert.equal(await storage[Symbol.asyncDispose](), undefined)
    assert.equal(await storage.storeSession({ id: 'after-close' }), true, 'nothing was held, nothing breaks')
  }
})

/** `await using storage = make()` around `body`, as the language runs it. */
async function using(make, body) {
  const storage = make()
  try {
    return await body(storage)
  } finally {
    await storage[Symbol.asyncDispose]()
  }
}

test('Symbol.asyncDispose calls close(), which subclasses override', async () => {
  let closed = 0
  class Counting extends CustomSessionStorage {
    async close() {
      closed += 1
    }
  }
  await using(
    () => new Counting(async () => true, async () => undefined, async () => true),
    async (storage) => {
      assert.equal(await storage.storeSession({ id: 'x' }), true)
      assert.equal(closed, 0)
    },
  )
  assert.equal(closed, 1)
})

test('a Redis storage made from a URL is closed by Symbol.asyncDispose', async (t) => {
  try {
    const probe = await servers.redisClient()
    await (probe.close ?? probe.quit).call(probe)
  } catch (e) {
    return t.skip(servers.unreachable(`Redis at ${servers.REDIS_URL}`, e))
  }
  const storage = await using(
    () => redisSessionStorage(servers.REDIS_URL, { keyPrefix: RUN }),
    async (s) => {
      assert.equal(await s.storeSession({ id: 'u', shop: 'close.myshopify.com' }), true)
      assert.equal(await s.deleteSession('u'), true)
      return s
    },
  )
  // The storage's own client is gone: a script using `await using` exits without help.
  await assert.rejects(storage.loadSession('u'))
})

test('a PostgreSQL storage made from a connection string is closed by Symbol.asyncDispose', async (t) => {
  const probe = servers.pgPool()
  try {
    await probe.query('SELECT 1')
  } catch (e) {
    return t.skip(servers.unreachable(`PostgreSQL at ${servers.DATABASE_URL}`, e))
  } finally {
    await probe.end()
  }
  const table = `sk_node_close_${servers.runId()}`
  const storage = await using(
    () => postgresSessionStorage(servers.DATABASE_URL, { table }),
    async (s) => {
      assert.equal(await s.storeSession({ id: 'p' }), true)
      return s
    },
  )
  await assert.rejects(storage.loadSession('p'))
  const pool = servers.pgPool()
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.end()
})
