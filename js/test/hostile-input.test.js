'use strict'
// What a hostile tester tried against the public API: values that change while read, values
// JSON cannot carry, getters that throw, tokens of the wrong type and ids built to forge log
// lines. Every failure must be a SessionStorageError (the original as `cause`) whose message
// neither echoes a token nor carries a raw control character.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { Session, SessionStorageError, MemorySessionStorage, CustomSessionStorage } = require('../index.js')

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/

test("MemorySessionStorage reads a stored object's id once: a getter cannot swap sessions", async () => {
  const storage = new MemorySessionStorage()
  await storage.storeSession({ id: 'victim', shop: 'v.myshopify.com', accessToken: 'victim-token' })
  let reads = 0
  const hostile = {
    get id() {
      return reads++ === 0 ? 'attacker' : 'victim'
    },
    shop: 'a.myshopify.com',
    accessToken: 'attacker-token',
  }
  await storage.storeSession(hostile)
  assert.equal((await storage.loadSession('victim')).accessToken, 'victim-token')
  assert.equal((await storage.loadSession('attacker')).accessToken, 'attacker-token')
})

test('cyclic or BigInt data on a Session, and throwing getters, are SessionStorageErrors with a cause', async () => {
  const storage = new MemorySessionStorage()
  const cyclic = new Session({ id: 'c' })
  cyclic.data = {}
  cyclic.data.self = cyclic.data
  const big = new Session({ id: 'b' })
  big.data = { n: 10n }
  for (const session of [cyclic, big]) {
    await assert.rejects(storage.storeSession(session), (e) => {
      assert.ok(e instanceof SessionStorageError, e)
      assert.equal(e.code, 'INVALID_ARGUMENT')
      assert.ok(e.cause instanceof TypeError)
      return true
    })
    assert.throws(() => session.serialize(), { name: 'SessionStorageError', code: 'INVALID_ARGUMENT' })
  }
  const boom = new Error('getter exploded')
  const throwing = {
    id: 'g',
    get shop() {
      throw boom
    },
  }
  await assert.rejects(storage.storeSession(throwing), (e) => {
    assert.ok(e instanceof SessionStorageError)
    assert.equal(e.code, 'INVALID_ARGUMENT')
    assert.equal(e.cause, boom)
    return true
  })
  const custom = new CustomSessionStorage(
    async () => true,
    async () => throwing,
    async () => true,
  )
  await assert.rejects(custom.loadSession('g'), (e) => {
    assert.ok(e instanceof SessionStorageError)
    assert.equal(e.code, 'INVALID_SESSION')
    assert.equal(e.cause, boom)
    return true
  })
})

test('a token of the wrong type is never echoed', async () => {
  for (const field of ['accessToken', 'refreshToken']) {
    const custom = new CustomSessionStorage(
      async () => true,
      async (id) => ({ id, [field]: 987654321012345 }),
      async () => true,
    )
    await assert.rejects(custom.loadSession('t'), (e) => {
      assert.equal(e.code, 'INVALID_SESSION')
      assert.ok(!e.message.includes('987654321012345'), e.message)
      assert.match(e.message, new RegExp(`"${field}" must be a string, got a number`))
      return true
    })
    assert.throws(() => new Session({ id: 't', [field]: 987654321012345 }), (e) => !e.message.includes('987654321012345'))
  }
})

test('ids in CALLBACK_FAILED and CALLBACK_TIMEOUT messages cannot forge log lines', async () => {
  const id = 'x\n2026-01-01 [ERROR] forged\r\u001b[2J\u202e'
  const failing = new CustomSessionStorage(
    async () => {
      throw new Error('down')
    },
    async () => new Promise(() => {}),
    async () => true,
    { timeoutMs: 20 },
  )
  for (const [op, code] of [
    [() => failing.storeSession({ id }), 'CALLBACK_FAILED'],
    [() => failing.loadSession(id), 'CALLBACK_TIMEOUT'],
  ]) {
    await assert.rejects(op(), (e) => {
      assert.equal(e.code, code)
      assert.ok(!CONTROL.test(e.message), JSON.stringify(e.message))
      assert.ok(e.message.includes('"x\\n2026-01-01 [ERROR] forged\\r\\u001b[2J\\u202e"'), e.message)
      return true
    })
  }
})

test('a caught Rust panic becomes a SessionStorageError with the original as cause', () => {
  const { native } = require('../lib/core.js')
  const { fromNative } = require('../lib/errors.js')
  let panic
  try {
    native._panicForTests()
  } catch (e) {
    panic = e
  }
  const e = fromNative(panic)
  assert.ok(e instanceof SessionStorageError)
  assert.equal(e.code, 'INVALID_ARGUMENT')
  assert.equal(e.cause, panic)
})
