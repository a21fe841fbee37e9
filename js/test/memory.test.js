'use strict'
// MemorySessionStorage beyond the battery: the opt-in sweep, as Python's `sweep()`.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { MemorySessionStorage } = require('../index.js')

test('sweep removes exactly the sessions that can no longer be used', async () => {
  const storage = new MemorySessionStorage()
  const past = new Date(Date.now() - 60_000)
  const future = new Date(Date.now() + 60_000)
  await storage.storeSession({ id: 'expired', shop: 's.myshopify.com', expires: past })
  await storage.storeSession({ id: 'refreshable', shop: 's.myshopify.com', expires: past, refreshToken: 'r', refreshTokenExpires: future })
  await storage.storeSession({ id: 'refresh-forever', shop: 's.myshopify.com', expires: past, refreshToken: 'r' })
  await storage.storeSession({ id: 'live', shop: 's.myshopify.com', expires: future })
  await storage.storeSession({ id: 'no-expiry', shop: 's.myshopify.com' })
  assert.ok(await storage.loadSession('expired'), 'loaded once, so the JS view holds it too')

  assert.equal(storage.sweep(), 1)
  assert.equal(await storage.loadSession('expired'), undefined)
  const left = (await storage.findSessionsByShop('s.myshopify.com')).map((s) => s.id).sort()
  assert.deepEqual(left, ['live', 'no-expiry', 'refresh-forever', 'refreshable'])
  assert.equal(storage.sweep(), 0, 'nothing more is due')
})

test('a session stored again with a later expiry survives the sweep', async () => {
  const storage = new MemorySessionStorage()
  await storage.storeSession({ id: 'a', expires: new Date(Date.now() - 1000) })
  await storage.storeSession({ id: 'a', expires: new Date(Date.now() + 60_000) })
  assert.equal(storage.sweep(), 0)
  assert.ok(await storage.loadSession('a'))
})
