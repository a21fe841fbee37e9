'use strict'
// The read-through cache (ARCHITECTURE.md, "Cache"): tests/vectors/cache.json through the
// native cache (also read by the Rust and Python suites), then CustomSessionStorage with the
// `cache` option: single-flight, bounds, lifetimes, invalidation, copies, a failing cache.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { setTimeout: sleep } = require('node:timers/promises')
const native = require('../native.js')
const { CustomSessionStorage, Session, SessionStorageError } = require('../index.js')
const { vectors } = require('./helpers.js')

const { cases, invalid } = vectors('cache.json')

for (const c of cases) {
  test(`cache vector: ${c.name}`, () => {
    const cache = new native.SessionCache(c.config.maxEntries, c.config.maxBytes, c.config.maxStalenessMs)
    const tickets = {}
    for (const [i, step] of c.steps.entries()) {
      if (step.admit !== undefined) {
        const ticket = step.ticket === undefined ? cache.ticket() : tickets[step.ticket]
        assert.equal(cache.admit(step.admit.id, JSON.stringify(step.admit), ticket, step.at) !== 0, step.expect, `step ${i}`)
      } else if (step.get !== undefined) {
        assert.equal(cache.get(step.get, step.at) !== 0, step.expect, `step ${i}`)
      } else if (step.invalidate !== undefined) {
        cache.invalidate(step.invalidate)
      } else if (step.begin !== undefined) {
        tickets[step.begin] = cache.ticket()
      } else if (step.size !== undefined) {
        assert.deepEqual({ entries: cache.entries, bytes: cache.bytes }, step.size, `step ${i}`)
      } else {
        throw new Error(`unknown step ${JSON.stringify(step)}`)
      }
    }
  })
}

/** A storage over a Map counting its load calls; `hold` keeps loads pending until released. */
function counted(cache, { hold = false } = {}) {
  const db = new Map()
  const calls = { load: 0 }
  let release
  let gate = hold ? new Promise((r) => (release = r)) : null
  const storage = new CustomSessionStorage(
    async (s) => (db.set(s.id, JSON.stringify(s)), true),
    async (id) => {
      calls.load++
      const text = db.get(id)
      if (gate !== null) await gate
      return text
    },
    async (id) => (db.delete(id), true),
    {
      cache,
      deleteSessionsCallback: async (ids) => (ids.forEach((id) => db.delete(id)), true),
      storeIfVersionCallback: async () => false,
    },
  )
  return { storage, db, calls, release: () => (release(), (gate = null)) }
}

const session = (id, extra = {}) => new Session({ id, shop: 's.myshopify.com', accessToken: 'tok', ...extra })

test('options: validated, each refusal INVALID_ARGUMENT naming the option', () => {
  for (const { options, field } of invalid) {
    assert.throws(
      () => counted(options),
      (e) => e instanceof SessionStorageError && e.code === 'INVALID_ARGUMENT' && e.message.includes(field),
      JSON.stringify(options),
    )
  }
  for (const bad of [1, 'yes', [], { maxEntries: '10' }, { maxAge: 1 }]) {
    assert.throws(() => counted(bad), (e) => e.code === 'INVALID_ARGUMENT', JSON.stringify(bad))
  }
  assert.doesNotThrow(() => counted({}))
})

test('1,000 concurrent loads of one id: one load callback, each caller its own Session', async () => {
  const { storage, calls, release } = counted({}, { hold: true })
  await storage.storeSession(session('a'))
  const loads = Array.from({ length: 1000 }, () => storage.loadSession('a'))
  release()
  const sessions = await Promise.all(loads)
  assert.equal(calls.load, 1)
  assert.equal(new Set(sessions).size, 1000, 'no two callers share a Session')
  for (const s of sessions) assert.ok(s.equals(session('a')))
  await storage.loadSession('a')
  assert.equal(calls.load, 1, 'the next load is a hit')
})

test('a missing id is shared while in flight, and not cached', async () => {
  const { storage, calls } = counted({})
  const found = await Promise.all([storage.loadSession('none'), storage.loadSession('none')])
  assert.deepEqual(found, [undefined, undefined])
  assert.equal(calls.load, 1)
  await storage.loadSession('none')
  assert.equal(calls.load, 2)
})

test('hits are copies: a caller changing its session never changes the cache', async () => {
  const { storage } = counted({})
  await storage.storeSession(session('a', { data: { n: 1 } }))
  const first = await storage.loadSession('a')
  first.accessToken = 'changed'
  first.data.n = 2
  const again = await storage.loadSession('a')
  assert.equal(again.accessToken, 'tok')
  assert.deepEqual(again.data, { n: 1 })
})

test('LRU bounded by entries: the least recently used is loaded again', async () => {
  const { storage, calls } = counted({ maxEntries: 2 })
  for (const id of ['a', 'b', 'c']) await storage.storeSession(session(id))
  for (const id of ['a', 'b', 'a', 'c']) await storage.loadSession(id)
  assert.equal(calls.load, 3)
  await storage.loadSession('a')
  assert.equal(calls.load, 3, 'a was used more recently than b')
  await storage.loadSession('b')
  assert.equal(calls.load, 4, 'b was evicted')
})

test('LRU bounded by bytes: a session larger than maxBytes is never held', async () => {
  const { storage, calls } = counted({ maxBytes: 200 })
  await storage.storeSession(session('big', { data: { blob: 'x'.repeat(300) } }))
  await storage.loadSession('big')
  await storage.loadSession('big')
  assert.equal(calls.load, 2)
})

test('own store, delete, deleteSessions and a CONFLICT drop the entry', async () => {
  const { storage, calls } = counted({})
  await storage.storeSession(session('a'))
  const writes = [
    () => storage.storeSession(session('a', { state: 'new' })),
    () => storage.deleteSession('a').then(() => storage.storeSession(session('a'))),
    () => storage.deleteSessions(['a', 'b']).then(() => storage.storeSession(session('a'))),
    () => storage.storeSessionIfVersion(session('a'), 3).catch((e) => assert.equal(e.code, 'CONFLICT')),
  ]
  await storage.loadSession('a')
  let expected = 1
  for (const write of writes) {
    await storage.loadSession('a')
    assert.equal(calls.load, expected, 'a hit')
    await write()
    await storage.loadSession('a')
    assert.equal(calls.load, ++expected, 'the write dropped it')
  }
  assert.equal((await storage.loadSession('a')).state, '')
})

test('a store landing while a load is out: the load is not admitted, later loads do not join it', async () => {
  const { storage, calls, release } = counted({}, { hold: true })
  await storage.storeSession(session('a'))
  const old = storage.loadSession('a')
  await storage.storeSession(session('a', { state: 'new' }))
  const after = storage.loadSession('a')
  release()
  assert.equal((await old).state, '')
  assert.equal((await after).state, 'new', 'a load started after the store sees it')
  assert.equal(calls.load, 2)
  assert.equal((await storage.loadSession('a')).state, 'new', 'the old load was not admitted')
  assert.equal(calls.load, 2, 'the later one was')
})

test('lifetime: at most maxStalenessMs, and never past the session\'s expires', async () => {
  const { storage, calls } = counted({ maxStalenessMs: 30 })
  await storage.storeSession(session('a'))
  await storage.loadSession('a')
  await sleep(60)
  await storage.loadSession('a')
  assert.equal(calls.load, 2, 'reloaded after maxStalenessMs')

  const long = counted({ maxStalenessMs: 3_600_000 })
  await long.storage.storeSession(session('e', { expires: new Date(Date.now() + 50) }))
  await long.storage.loadSession('e')
  await sleep(100)
  await long.storage.loadSession('e')
  assert.equal(long.calls.load, 2, 'reloaded once the session expired')
  await long.storage.loadSession('e')
  assert.equal(long.calls.load, 3, 'an expired session is not held')
})

test('a failing cache never fails a load: it falls through to the callback', async () => {
  const proto = native.SessionCache.prototype
  const saved = { get: proto.get, text: proto.text, admit: proto.admit, ticket: proto.ticket, invalidate: proto.invalidate }
  const { storage, calls } = counted({})
  await storage.storeSession(session('a'))
  for (const name of Object.keys(saved)) {
    proto[name] = () => {
      throw new Error('cache broken')
    }
  }
  try {
    assert.ok((await storage.loadSession('a')).equals(session('a')))
    assert.ok(await storage.storeSession(session('a', { state: 's' })))
    assert.equal((await storage.loadSession('a')).state, 's')
    assert.equal(calls.load, 2)
  } finally {
    Object.assign(proto, saved)
  }
})

test('SessionManager over a cached storage: unchanged requests load from the cache, a write is seen at once', async () => {
  const { SessionManager } = require('../index.js')
  const { storage, calls } = counted({})
  const manager = new SessionManager({ storage, secrets: ['a-secret-of-at-least-32-bytes-long!!'] })
  const first = await manager.start(undefined)
  first.set('visits', 1)
  const cookie = (await manager.commit(first)).split(';')[0]
  for (let i = 0; i < 3; i++) {
    const s = await manager.start(cookie)
    assert.equal(s.get('visits'), 1)
    await manager.commit(s)
  }
  assert.equal(calls.load, 1, 'one load, then hits')
  const s = await manager.start(cookie)
  s.set('visits', 2)
  await manager.commit(s)
  assert.equal((await manager.start(cookie)).get('visits'), 2)
  assert.equal(calls.load, 2, 'the commit dropped the entry')
})
