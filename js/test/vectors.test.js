'use strict'
// The shared vectors of tests/vectors/ (also read by the Rust and Python suites): the same
// canonical bytes and the same error codes in every language.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { Session, MemorySessionStorage, FileSessionStorage, CustomSessionStorage } = require('../index.js')
const { tempDir, vectors, rawInputs } = require('./helpers.js')

const { sessions } = vectors('sessions.json')
const { cases } = vectors('invalid.json')
const raw = rawInputs('invalid.json')

/** Whether JSON.parse changed the input (an integer JavaScript cannot hold exactly). */
function lossy(text) {
  return (text.match(/-?\d{16,}/g) ?? []).some((n) => !Number.isSafeInteger(Number(n)))
}

/** A custom storage whose load callback answers `answer` and whose store callback records JSON. */
function answering(answer) {
  const written = []
  const storage = new CustomSessionStorage(
    async (session) => {
      written.push(JSON.stringify(session))
      return true
    },
    async () => answer,
    async () => true,
  )
  return { storage, written }
}

test('the vector files are not empty', () => {
  assert.ok(sessions.length >= 10)
  assert.ok(cases.length >= 20)
})

for (const v of sessions) {
  test(`session vector ${v.name}`, async () => {
    const session = new Session(v.input)
    assert.equal(JSON.stringify(session), v.canonical, 'JSON.stringify(new Session(input))')
    assert.equal(session.serialize(), v.canonical, 'serialize()')
    assert.equal(JSON.stringify(Session.deserialize(v.canonical)), v.canonical, 'canonical is a fixed point')
    assert.equal(JSON.stringify(JSON.parse(v.canonical)), v.canonical, 'fixed point through JSON.parse')
    assert.deepEqual(session.toPropertyArray(), v.propertyArray)
    assert.deepEqual(session.toPropertyArray(false), v.propertyArray)
    assert.deepEqual(session.toPropertyArray(true), v.propertyArrayWithUserData)
    assert.ok(Session.fromPropertyArray(v.propertyArrayWithUserData, true).equals(
      Session.fromPropertyArray(session.toPropertyArray(true), true)))

    for (const [i, eq] of v.equivalent.entries()) {
      const label = `equivalent ${i} (${Array.isArray(eq) ? 'property array' : typeof eq})`
      const read = typeof eq === 'string' ? Session.deserialize(eq) : new Session(eq)
      assert.equal(JSON.stringify(read), v.canonical, label)
      const loaded = await answering(eq).storage.loadSession(session.id)
      assert.equal(JSON.stringify(loaded), v.canonical, `${label} from a load callback`)
    }

    const { storage, written } = answering(v.canonical)
    assert.equal(await storage.storeSession(v.input), true)
    assert.deepEqual(written, [v.canonical], 'the store callback sees canonical JSON')
    assert.equal(JSON.stringify(await storage.loadSession(session.id)), v.canonical)

    for (const other of [new MemorySessionStorage(), new FileSessionStorage(tempDir())]) {
      assert.equal(await other.storeSession(v.input), true)
      assert.equal(JSON.stringify(await other.loadSession(session.id)), v.canonical)
      assert.equal((await other.findSessionsByShop(session.shop || 'none')).length, session.shop ? 1 : 0)
    }
  })
}

function secretsOf(input) {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return []
  return [input.accessToken, input.refreshToken].filter((t) => typeof t === 'string')
}

for (const c of cases) {
  test(`invalid vector ${c.name}`, async () => {
    const check = (code) => (e) => {
      assert.equal(e.name, 'SessionStorageError')
      assert.equal(e.code, code, e.message)
      assert.ok(e.message.includes(c.field), `"${e.message}" names ${c.field}`)
      for (const secret of secretsOf(c.input)) assert.ok(!e.message.includes(secret))
      return true
    }
    const text = raw.get(c.name)
    assert.ok(text, 'raw input found')
    const id = typeof c.input?.id === 'string' && c.input.id !== '' && c.input.id.length <= 1024 ? c.input.id : 'a'
    await assert.rejects(answering(text).storage.loadSession(id), check(c.stored), 'load callback text')
    assert.throws(() => Session.deserialize(text), check(c.stored), 'deserialize')
    // An integer beyond 2^53 is already rounded by JSON.parse: as a JS value it is another,
    // valid number, so only the text paths above can see the original.
    if (lossy(text)) return
    assert.throws(() => new Session(c.input), check(c.argument), 'constructor')
    await assert.rejects(new MemorySessionStorage().storeSession(c.input), check(c.argument), 'storeSession')
    const { storage, written } = answering(c.input)
    await assert.rejects(storage.storeSession(c.input), check(c.argument), 'custom storeSession')
    assert.deepEqual(written, [], 'the store callback never sees an invalid session')
    await assert.rejects(storage.loadSession(id), check(c.stored), 'load callback result')
  })
}
