'use strict'
// The callback contract of CustomSessionStorage, one error path at a time. After every error
// the same storage must keep working, so most tests end with a successful round trip.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { Session, CustomSessionStorage, SessionStorageError } = require('../index.js')

const session = new Session({ id: 'sess-1', shop: 'shop1.myshopify.com', accessToken: 'shpat_secret_token' })

/** A working Map storage whose callbacks can be overridden one by one. */
function storageWith(overrides = {}, options = {}) {
  const db = new Map()
  const callbacks = {
    store: async (s) => {
      db.set(s.id, JSON.stringify(s))
      return true
    },
    load: async (id) => db.get(id),
    delete: async (id) => {
      db.delete(id)
      return true
    },
    ...overrides,
  }
  const storage = new CustomSessionStorage(
    (s) => callbacks.store(s),
    (id) => callbacks.load(id),
    (id) => callbacks.delete(id),
    options,
  )
  return { storage, db, callbacks }
}

async function stillWorks(storage, callbacks, defaults) {
  Object.assign(callbacks, defaults)
  assert.equal(await storage.storeSession(session), true)
  assert.ok((await storage.loadSession(session.id)).equals(session))
}

function expectError(code, ...fragments) {
  return (e) => {
    assert.ok(e instanceof SessionStorageError, `a SessionStorageError, got ${e}`)
    assert.equal(e.code, code, e.message)
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" includes "${f}"`)
    assert.ok(!e.message.includes('shpat_secret_token'), 'no token in messages')
    return true
  }
}

test('a rejecting callback is CALLBACK_FAILED with the original error as cause', async () => {
  const { storage, callbacks } = storageWith()
  const defaults = { ...callbacks }
  const ops = [
    ['store', () => storage.storeSession(session), `failed to store session "sess-1"`],
    ['load', () => storage.loadSession('sess-1'), `failed to load session "sess-1"`],
    ['delete', () => storage.deleteSession('sess-1'), `failed to delete session "sess-1"`],
  ]
  for (const [name, run, wording] of ops) {
    const original = new TypeError(`Failed to ${name}!`)
    callbacks[name] = async () => {
      throw original
    }
    await assert.rejects(run(), (e) => {
      expectError('CALLBACK_FAILED', wording, `Failed to ${name}!`)(e)
      assert.equal(e.cause, original, 'cause is the very object thrown')
      return true
    })
    await stillWorks(storage, callbacks, defaults)
  }
})

test('a synchronous throw is handled like a rejection', async () => {
  const { storage, callbacks } = storageWith()
  const defaults = { ...callbacks }
  for (const name of ['store', 'load', 'delete']) {
    const original = new Error(`sync ${name}`)
    callbacks[name] = () => {
      throw original
    }
    const run = name === 'store' ? storage.storeSession(session) : name === 'load' ? storage.loadSession('sess-1') : storage.deleteSession('sess-1')
    assert.ok(run instanceof Promise, 'the storage method still returns a promise')
    await assert.rejects(run, (e) => expectError('CALLBACK_FAILED', `sync ${name}`)(e) && e.cause === original)
    await stillWorks(storage, callbacks, defaults)
  }
})

test('rejections with values that are not Errors keep them as cause', async () => {
  const { storage, callbacks } = storageWith()
  const defaults = { ...callbacks }
  const hostile = { toString() { throw new Error('no') } }
  for (const reason of ['plain string', 42, undefined, null, hostile, Symbol('s')]) {
    callbacks.load = () => Promise.reject(reason)
    await assert.rejects(storage.loadSession('sess-1'), (e) => {
      expectError('CALLBACK_FAILED', 'failed to load session "sess-1"')(e)
      assert.equal(e.cause, reason)
      if (typeof reason === 'string') assert.ok(e.message.includes(reason))
      return true
    })
  }
  await stillWorks(storage, callbacks, defaults)
})

test('store and delete must resolve to a boolean', async () => {
  const { storage, callbacks } = storageWith()
  const defaults = { ...callbacks }
  callbacks.store = async () => false
  assert.equal(await storage.storeSession(session), false, 'false passes through')
  callbacks.delete = () => false
  assert.equal(await storage.deleteSession('sess-1'), false)
  for (const bad of [undefined, null, 'yes', 1, {}, []]) {
    callbacks.store = async () => bad
    await assert.rejects(storage.storeSession(session), expectError('INVALID_CALLBACK_RESULT', 'store callback must resolve to true or false'))
    callbacks.delete = async () => bad
    await assert.rejects(storage.deleteSession('sess-1'), expectError('INVALID_CALLBACK_RESULT', 'delete callback'))
  }
  await stillWorks(storage, callbacks, defaults)
})

test('load results are validated: wrong id, wrong kinds, bad text', async () => {
  const { storage, callbacks } = storageWith()
  const defaults = { ...callbacks }
  const cases = [
    [{ id: 'other' }, 'load callback returned a session with id "other" for id "sess-1"'],
    ['{"id":"other"}', 'id "other"'],
    [new Session({ id: 'other' }), 'id "other"'],
    [[['id', 'other']], 'id "other"'],
    [{ id: 'sess-1', isOnline: 'maybe' }, 'isOnline'],
    [{ id: 'sess-1', expires: new Date(NaN) }, 'expires'],
    [{ id: 'sess-1', expires: 'soon' }, 'expires'],
    [{ shop: 'no id' }, 'id'],
    ['not json', 'session'],
    [42, 'session'],
    [true, 'session'],
    [false, 'session'],
    [() => {}, 'session'],
  ]
  for (const [answer, fragment] of cases) {
    callbacks.load = async () => answer
    await assert.rejects(storage.loadSession('sess-1'), expectError('INVALID_SESSION', fragment))
  }
  for (const nothing of [undefined, null]) {
    callbacks.load = async () => nothing
    assert.equal(await storage.loadSession('sess-1'), undefined)
  }
  await stillWorks(storage, callbacks, defaults)
})

test('the store callback gets a canonical Session, also for plain objects', async () => {
  const seen = []
  const { storage } = storageWith({
    store: (s) => {
      seen.push(s)
      return true
    },
  })
  await storage.storeSession({ id: 'plain', expires: Date.UTC(2030, 0, 1), someField: 1 })
  await storage.storeSession(session)
  assert.ok(seen[0] instanceof Session)
  assert.equal(JSON.stringify(seen[0]), '{"id":"plain","shop":"","state":"","isOnline":false,"expires":"2030-01-01T00:00:00.000Z"}')
  assert.equal(seen[1], session, 'a canonical Session is handed on as is')
  const mutated = new Session(session)
  mutated.expires = Date.UTC(2031, 0, 1) // a number where a Date belongs
  await storage.storeSession(mutated)
  assert.ok(seen[2].expires instanceof Date, 'a non-canonical Session is handed on canonicalised')
  mutated.isOnline = 'yes'
  await assert.rejects(storage.storeSession(mutated), expectError('INVALID_ARGUMENT', 'isOnline'))
  assert.equal(seen.length, 3)
})

test('callbacks run synchronously on the calling thread, and concurrently', async () => {
  let calls = 0
  const pending = []
  const storage = new CustomSessionStorage(
    () => {
      calls++
      return new Promise((resolve) => pending.push(() => resolve(true)))
    },
    () => undefined,
    () => true,
  )
  const runs = [1, 2, 3].map((i) => storage.storeSession(new Session({ id: `c${i}` })))
  assert.equal(calls, 3, 'every store callback was called before any storeSession settled')
  pending.forEach((resolve) => resolve())
  assert.deepEqual(await Promise.all(runs), [true, true, true])
})

test('thenables that are not native promises are awaited', async () => {
  const thenable = (value) => ({ then: (resolve) => resolve(value) })
  const { storage } = storageWith({
    store: () => thenable(true),
    load: () => thenable(session.serialize()),
    delete: () => thenable(true),
  })
  assert.equal(await storage.storeSession(session), true)
  assert.ok((await storage.loadSession('sess-1')).equals(session))
  const throwing = storageWith({ load: () => ({ then() { throw new Error('bad then') } }) })
  await assert.rejects(throwing.storage.loadSession('x'), expectError('CALLBACK_FAILED', 'bad then'))
})

test('a result whose then getter throws, or a Promise subclass, still gives a native promise', async () => {
  const trap = {
    get then() {
      throw new Error('then getter')
    },
  }
  class Sub extends Promise {}
  for (const options of [{}, { timeoutMs: 0 }]) {
    const getter = storageWith({ store: () => trap, load: () => trap }, options).storage
    // Returned, not thrown at the call site: `.catch` on the call sees it.
    const stored = getter.storeSession(session)
    assert.ok(stored instanceof Promise)
    await assert.rejects(stored, /then getter/)
    await assert.rejects(getter.loadSession('sess-1'), /then getter/)
    const sub = storageWith({ store: () => Sub.resolve(true), load: () => Sub.resolve(session.serialize()) }, options).storage
    const result = sub.storeSession(session)
    assert.equal(Object.getPrototypeOf(result), Promise.prototype, JSON.stringify(options))
    assert.equal(await result, true)
    assert.ok((await sub.loadSession('sess-1')).equals(session))
  }
})

test('findSessionsByShop: NOT_SUPPORTED without a callback, results validated with one', async () => {
  const bare = storageWith().storage
  await assert.rejects(bare.findSessionsByShop('shop1.myshopify.com'), expectError('NOT_SUPPORTED', 'findSessionsByShop'))
  let answer
  const { storage } = storageWith({}, { findSessionsByShopCallback: async () => answer })
  answer = [session.serialize(), { id: 'b', shop: 'shop1.myshopify.com' }, [['id', 'c'], ['shop', 'shop1.myshopify.com']]]
  const found = await storage.findSessionsByShop('shop1.myshopify.com')
  assert.deepEqual(found.map((s) => s.id), ['sess-1', 'b', 'c'])
  assert.ok(found.every((s) => s instanceof Session))
  answer = []
  assert.deepEqual(await storage.findSessionsByShop('shop1.myshopify.com'), [])
  for (const bad of [undefined, 'x', {}, 3]) {
    answer = bad
    await assert.rejects(storage.findSessionsByShop('shop1.myshopify.com'), expectError('INVALID_CALLBACK_RESULT', 'array'))
  }
  answer = [session, { id: 'x', shop: 'other.myshopify.com' }]
  await assert.rejects(storage.findSessionsByShop('shop1.myshopify.com'), expectError('INVALID_SESSION', 'other.myshopify.com', 'index 1'))
  answer = [null]
  await assert.rejects(storage.findSessionsByShop('shop1.myshopify.com'), expectError('INVALID_SESSION', 'index 0'))
  answer = [{ id: 'y', shop: 'shop1.myshopify.com', isOnline: 1 }]
  await assert.rejects(storage.findSessionsByShop('shop1.myshopify.com'), expectError('INVALID_SESSION', 'isOnline', 'index 0'))
  const failing = storageWith({}, { findSessionsByShopCallback: () => { throw new Error('db down') } }).storage
  await assert.rejects(failing.findSessionsByShop('s.myshopify.com'), expectError('CALLBACK_FAILED', 'shop "s.myshopify.com"', 'db down'))
})

test('deleteSessions: the callback when given, else delete per id (deduplicated, bounded, all-or-false)', async () => {
  let received
  const withCallback = storageWith({}, { deleteSessionsCallback: async (ids) => { received = ids; return true } }).storage
  const ids = ['a', 'b', 'a']
  assert.equal(await withCallback.deleteSessions(ids), true)
  assert.deepEqual(received, ['a', 'b', 'a'])
  assert.notEqual(received, ids, 'the callback gets a copy')
  const badResult = storageWith({}, { deleteSessionsCallback: async () => 'ok' }).storage
  await assert.rejects(badResult.deleteSessions(['a']), expectError('INVALID_CALLBACK_RESULT', 'deleteSessions callback'))
  const failing = storageWith({}, { deleteSessionsCallback: async () => { throw new Error('nope') } }).storage
  await assert.rejects(failing.deleteSessions(['a', 'b']), expectError('CALLBACK_FAILED', 'failed to delete sessions ["a", "b"]', 'nope'))

  const deleted = []
  let inFlight = 0
  let maxInFlight = 0
  const perId = storageWith({
    delete: async (id) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((resolve) => setImmediate(resolve))
      inFlight--
      deleted.push(id)
      return id !== 'keep'
    },
  }).storage
  const many = Array.from({ length: 30 }, (_, i) => `id${i}`)
  assert.equal(await perId.deleteSessions([...many, 'id0']), true)
  assert.deepEqual([...deleted].sort(), [...many].sort(), 'each id once')
  assert.ok(maxInFlight > 1 && maxInFlight <= 8, `bounded concurrency, saw ${maxInFlight}`)
  assert.equal(await perId.deleteSessions(['x', 'keep']), false, 'false when any delete is false')
  assert.equal(await perId.deleteSessions([]), true)
})

test('timeouts: CALLBACK_TIMEOUT, and the storage keeps working afterwards', async () => {
  const { storage, callbacks } = storageWith({}, { timeoutMs: 30 })
  const defaults = { ...callbacks }
  let settleLate
  callbacks.load = () => new Promise((_, reject) => { settleLate = () => reject(new Error('too late')) })
  const unhandled = []
  const onUnhandled = (e) => unhandled.push(e)
  process.on('unhandledRejection', onUnhandled)
  await assert.rejects(storage.loadSession('sess-1'), expectError('CALLBACK_TIMEOUT', 'failed to load session "sess-1"', '30 ms'))
  settleLate()
  callbacks.store = () => new Promise(() => {})
  await assert.rejects(storage.storeSession(session), expectError('CALLBACK_TIMEOUT', 'store callback did not settle'))
  await stillWorks(storage, callbacks, defaults)
  await new Promise((resolve) => setTimeout(resolve, 20))
  process.off('unhandledRejection', onUnhandled)
  assert.deepEqual(unhandled, [], 'a late rejection is not left unhandled')
})

test('timeouts apply per call, with many calls pending at once', async () => {
  const resolvers = new Map()
  const { storage } = storageWith({ load: (id) => new Promise((resolve) => resolvers.set(id, resolve)) }, { timeoutMs: 40 })
  const fast = storage.loadSession('fast')
  const slow = storage.loadSession('slow')
  resolvers.get('fast')(undefined)
  assert.equal(await fast, undefined)
  await assert.rejects(slow, expectError('CALLBACK_TIMEOUT', 'slow'))
})

test('timeoutMs: 0 disables the timeout; invalid values are INVALID_ARGUMENT', async () => {
  const { storage } = storageWith({ load: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 20)) }, { timeoutMs: 0 })
  assert.equal(await storage.loadSession('x'), undefined)
  for (const bad of [-1, NaN, Infinity, '100', {}]) {
    assert.throws(() => storageWith({}, { timeoutMs: bad }), expectError('INVALID_ARGUMENT', 'timeoutMs'))
  }
  assert.doesNotThrow(() => storageWith({}, { timeoutMs: 2 ** 40 }))
})

test('constructor arguments are validated', () => {
  const f = () => true
  assert.throws(() => new CustomSessionStorage(undefined, f, f), expectError('INVALID_ARGUMENT', 'storeCallback'))
  assert.throws(() => new CustomSessionStorage(f, 'x', f), expectError('INVALID_ARGUMENT', 'loadCallback'))
  assert.throws(() => new CustomSessionStorage(f, f, null), expectError('INVALID_ARGUMENT', 'deleteCallback'))
  assert.throws(() => new CustomSessionStorage(f, f, f, 5), expectError('INVALID_ARGUMENT', 'options'))
  assert.throws(() => new CustomSessionStorage(f, f, f, { timeout: 5 }), expectError('INVALID_ARGUMENT', 'timeout'))
  assert.throws(() => new CustomSessionStorage(f, f, f, { findSessionsByShopCallback: 1 }), expectError('INVALID_ARGUMENT', 'findSessionsByShopCallback'))
  assert.throws(() => new CustomSessionStorage(f, f, f, { deleteSessionsCallback: 'x' }), expectError('INVALID_ARGUMENT', 'deleteSessionsCallback'))
})

test('invalid arguments never reach the callbacks', async () => {
  let calls = 0
  const count = () => {
    calls++
    return true
  }
  const storage = new CustomSessionStorage(count, count, count, { deleteSessionsCallback: count, findSessionsByShopCallback: count })
  await assert.rejects(storage.loadSession(''), expectError('INVALID_ARGUMENT', 'id'))
  await assert.rejects(storage.deleteSession({}), expectError('INVALID_ARGUMENT', 'id'))
  await assert.rejects(storage.deleteSessions(['a', 7]), expectError('INVALID_ARGUMENT', 'ids'))
  await assert.rejects(storage.deleteSessions(['a', '']), expectError('INVALID_ARGUMENT', 'id'))
  await assert.rejects(storage.findSessionsByShop(''), expectError('INVALID_ARGUMENT', 'shop'))
  await assert.rejects(storage.storeSession({ id: 'x', shop: 5 }), expectError('INVALID_ARGUMENT', 'shop'))
  assert.equal(calls, 0)
})

test('the timeout queue stays bounded behind a call that never settles', async () => {
  const { Deadlines } = require('../lib/deadlines.js')
  const deadlines = new Deadlines(60_000, (op, subject, e) => e, () => new Error('timeout'))
  const stuck = deadlines.race(new Promise(() => {}), 'load', 'stuck')
  stuck.catch(() => {})
  for (let i = 0; i < 20_000; i++) await deadlines.race(Promise.resolve(i), 'load', String(i))
  assert.equal(deadlines.pending, 1)
  assert.ok(deadlines.calls.length - deadlines.head <= 2 * deadlines.pending + 1025, `calls ${deadlines.calls.length}`)
  deadlines.timer.unref() // the stuck call must not hold the test process for a minute
})

test('what was validated before is never served stale', async () => {
  const written = []
  let answer
  const storage = new CustomSessionStorage(
    (s) => {
      written.push(JSON.stringify(s))
      return true
    },
    () => answer,
    () => true,
  )
  const s = new Session({ id: 'memo', shop: 'memo.myshopify.com', data: { count: 1, when: 'x' } })
  await storage.storeSession(s)
  s.data.count = 2 // nested, in place
  await storage.storeSession(s)
  s.expires = new Date(Date.UTC(2030, 0, 1))
  await storage.storeSession(s)
  s.data.when = new Date(Date.UTC(2031, 0, 1)) // JSON writes it as text
  await storage.storeSession(s)
  assert.deepEqual(written.map((t) => JSON.parse(t).data), [
    { count: 1, when: 'x' }, { count: 2, when: 'x' }, { count: 2, when: 'x' }, { count: 2, when: '2031-01-01T00:00:00.000Z' },
  ])
  assert.equal(JSON.parse(written[2]).expires, '2030-01-01T00:00:00.000Z')
  s.isOnline = 'yes'
  await assert.rejects(storage.storeSession(s), { code: 'INVALID_ARGUMENT' })

  answer = written[3]
  const first = await storage.loadSession('memo')
  assert.equal(first.data.when, '2031-01-01T00:00:00.000Z')
  first.data.count = 99
  assert.equal((await storage.loadSession('memo')).data.count, 2, 'a loaded copy shares nothing')
  answer = written[0]
  assert.equal((await storage.loadSession('memo')).data.count, 1, 'new bytes are read anew')
  answer = '{"id":"memo","isOnline":"nope"}'
  await assert.rejects(storage.loadSession('memo'), { code: 'INVALID_SESSION' })
  answer = written[0]
  await assert.rejects(storage.loadSession('other-id'), { code: 'INVALID_SESSION', message: /id "memo" for id "other-id"/ })
})

test('a text with a raw lone surrogate is refused as its JSON escape is, from a load, a find and deserialize', async () => {
  const good = JSON.stringify(new Session({ id: 'lone-1', shop: 'lone.myshopify.com', state: 'x', isOnline: false }))
  // The raw half of a UTF-16 pair (what a driver could hand back), and the escape JSON.stringify writes.
  const raw = good.replace('"state":"x"', '"state":"a\uD800"')
  const escaped = good.replace('"state":"x"', '"state":"a\\ud800"')
  const refusal = async (text) => {
    const storage = new CustomSessionStorage(async () => true, async () => text, async () => true, {
      findSessionsByShopCallback: async () => [text],
    })
    const load = await storage.loadSession('lone-1').then(() => null, (e) => [e.code, e.message])
    const find = await storage.findSessionsByShop('lone.myshopify.com').then(() => null, (e) => [e.code, e.message])
    let deserialize = null
    try {
      Session.deserialize(text)
    } catch (e) {
      deserialize = [e.code, e.message]
    }
    return { load, find, deserialize }
  }
  const expected = await refusal(escaped)
  for (const outcome of Object.values(expected)) {
    assert.equal(outcome[0], 'INVALID_SESSION')
    assert.match(outcome[1], /lone surrogate/)
  }
  assert.deepEqual(await refusal(raw), expected)
  // U+FFFD itself, and a well-formed pair beside it, are text like any other.
  const replacement = good.replace('"state":"x"', '"state":"a\uFFFD\uD83D\uDE00"')
  assert.equal(Session.deserialize(replacement).state, 'a\uFFFD\uD83D\uDE00')
})
