'use strict'
// Shopify's guide RedisStore, ported (examples/redis-store.js), against the real Redis:
// REDIS_URL, default redis://127.0.0.1:6379. Unreachable: skipped with a notice, unless CI=true.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { randomUUID } = require('node:crypto')
const { createClient } = require('redis')
const { Session, SessionStorageError } = require('../index.js')
const { batteryOfTests } = require('../testing.js')
const { RedisStore } = require('../examples/redis-store.js')

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const PREFIX = `sk-node-test:${randomUUID()}:`

async function connect() {
  const client = createClient({ url: URL, socket: { connectTimeout: 2000, reconnectStrategy: false } })
  client.on('error', () => {}) // failures surface through the commands' rejections
  await client.connect()
  return client
}

async function removeKeys(client) {
  const keys = []
  for await (const batch of client.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 500 })) keys.push(...batch)
  if (keys.length > 0) await client.del(keys)
}

let client
let unreachable
before(async () => {
  try {
    client = await connect()
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`Redis at ${URL} is unreachable: ${e.message}`)
    unreachable = `Redis at ${URL} is unreachable (${e.message})`
    console.log(`# skipping the Redis tests: ${unreachable}`)
  }
})
after(async () => {
  if (!client) return
  await removeKeys(client)
  assert.equal((await client.keys(`${PREFIX}*`)).length, 0, 'every key of this run is gone')
  await client.quit()
})

describe('CustomSessionStorage over the guide RedisStore', () => {
  let storage
  batteryOfTests(async () => {
    storage ??= new RedisStore(client, PREFIX).storage()
    return storage
  }, { test: (name, fn) => test(name, { skip: unreachable }, async (t) => (unreachable ? t.skip() : fn())) })
})

test('sessions are stored as canonical JSON, readable by anyone', async (t) => {
  if (unreachable) return t.skip(unreachable)
  const storage = new RedisStore(client, PREFIX).storage()
  const session = new Session({ id: 'canonical', shop: 'redis.myshopify.com', expires: new Date(Date.UTC(2030, 0, 1)) })
  await storage.storeSession(session)
  assert.equal(await client.get(`${PREFIX}canonical`), session.serialize())
})

test('a corrupt value in Redis is INVALID_SESSION naming the field, other sessions still load', async (t) => {
  if (unreachable) return t.skip(unreachable)
  const storage = new RedisStore(client, PREFIX).storage()
  await client.set(`${PREFIX}corrupt`, '{"id":"corrupt","isOnline":"maybe"}')
  await storage.storeSession(new Session({ id: 'fine' }))
  await assert.rejects(storage.loadSession('corrupt'), { code: 'INVALID_SESSION', message: /isOnline/ })
  assert.equal((await storage.loadSession('fine')).id, 'fine')
})

test('a closed client is CALLBACK_FAILED with the driver error as cause; a new one works again', async (t) => {
  if (unreachable) return t.skip(unreachable)
  const store = new RedisStore(await connect(), PREFIX)
  const storage = store.storage()
  await store.client.quit()
  await assert.rejects(storage.storeSession(new Session({ id: 'offline' })), (e) => {
    assert.ok(e instanceof SessionStorageError)
    assert.equal(e.code, 'CALLBACK_FAILED')
    assert.ok(e.cause instanceof Error, 'the driver error is the cause')
    assert.ok(e.message.includes(e.cause.message), e.message)
    return true
  })
  store.client = await connect()
  try {
    assert.equal(await storage.storeSession(new Session({ id: 'offline' })), true)
    assert.equal((await storage.loadSession('offline')).id, 'offline')
  } finally {
    await store.client.quit()
  }
})
