'use strict'
// MemorySessionStorage beyond the battery: the opt-in sweep, as Python's `sweep()`.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { MemorySessionStorage, Session } = require('../index.js')

test('sweep removes exactly the sessions that can no longer be used', async () => {
  const storage = new MemorySessionStorage()
  const past = new Date(Date.now() - 60_000)
  const future = new Date(Date.now() + 60_000)
  await storage.storeSession({ id: 'expired', shop: 's.myshopify.com', expires: past })
  await storage.storeSession({ id: 'refreshable', shop: 's.myshopify.com', expires: past, refreshToken: 'r', refreshTokenExpires: future })
  await storage.storeSession({ id: 'refresh-forever', shop: 's.myshopify.com', expires: past, refreshToken: 'r' })
  await storage.storeSession({ id: 'live', shop: 's.myshopify.com', expires: future })
  await storage.storeSession({ id: 'no-expiry', shop: 's.myshopify.com' })
  assert.ok(await storage.loadSession('expired'), 'loaded once, so the JS cache of hot sessions holds it too')

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

test('sweep of 1,000 expired among 20,000 returns 1,000 and leaves the rest loadable', async () => {
  const storage = new MemorySessionStorage()
  const past = new Date(Date.now() - 60_000)
  const future = new Date(Date.now() + 3_600_000)
  for (let i = 0; i < 20_000; i++) {
    await storage.storeSession({ id: `s${i}`, shop: `shop${i % 7}.myshopify.com`, expires: i % 20 === 0 ? past : future })
  }
  assert.equal(storage.sweep(), 1000)
  assert.equal(await storage.loadSession('s0'), undefined, 'an expired one held in the hot cache is gone too')
  assert.equal(await storage.loadSession('s20'), undefined)
  assert.equal((await storage.loadSession('s1')).id, 's1', 'one of the first, no longer in the hot cache')
  assert.equal((await storage.loadSession('s19999')).id, 's19999')
  assert.equal(storage.sweep(), 0)
})

// The hot cache must always hold what the core holds: each write below would be lost, or a
// stale session served, if one of them skipped the core wrongly.
test('storing back a loaded session: unchanged costs nothing, changed is validated and kept', async () => {
  const storage = new MemorySessionStorage()
  await storage.storeSession(new Session({ id: 'a', shop: 'x.myshopify.com', state: 's1', isOnline: false, data: { n: 1 } }))
  const loaded = await storage.loadSession('a')
  assert.equal(await storage.storeSession(loaded), true)
  loaded.state = 's2'
  loaded.data.n = 2
  await storage.storeSession(loaded)
  const again = await storage.loadSession('a')
  assert.equal(again.state, 's2')
  assert.deepEqual(again.data, { n: 2 })
  again.data.n = 3 // a loaded copy is the caller's: the stored session does not change
  assert.deepEqual((await storage.loadSession('a')).data, { n: 2 })
  again.isOnline = 'yes'
  await assert.rejects(storage.storeSession(again), { code: 'INVALID_ARGUMENT', message: 'session: "isOnline" must be a boolean, got a string' })
  again.data.n = 2n
  await assert.rejects(storage.storeSession(again), { code: 'INVALID_ARGUMENT' })
  assert.equal((await storage.loadSession('a')).isOnline, false, 'nothing invalid was stored')
})

test('a session stored again after its delete, sweep or a move is stored', async () => {
  const storage = new MemorySessionStorage()
  const a = new Session({ id: 'a', shop: 'x.myshopify.com', state: '', isOnline: false })
  await storage.storeSession(a)
  await storage.loadSession('a')
  await storage.deleteSession('a')
  await storage.storeSession(a)
  assert.equal((await storage.loadSession('a')).shop, 'x.myshopify.com')
  await storage.deleteSessions(['a'])
  await storage.storeSession(a)
  assert.equal((await storage.findSessionsByShop('x.myshopify.com')).length, 1)
  await storage.storeSession({ id: 'a', shop: 'y.myshopify.com' })
  await storage.storeSession(a)
  assert.equal((await storage.loadSession('a')).shop, 'x.myshopify.com')
  assert.equal((await storage.findSessionsByShop('y.myshopify.com')).length, 0)
})

test('more sessions than the hot cache holds all load as stored', async () => {
  const storage = new MemorySessionStorage()
  for (let i = 0; i < 10_000; i++) await storage.storeSession({ id: `s${i}`, state: `v${i}` })
  for (let i = 0; i < 10_000; i += 997) assert.equal((await storage.loadSession(`s${i}`)).state, `v${i}`)
  for (let i = 0; i < 10_000; i++) await storage.storeSession({ id: `s${i}`, state: `w${i}` })
  for (let i = 0; i < 10_000; i += 991) assert.equal((await storage.loadSession(`s${i}`)).state, `w${i}`)
})
