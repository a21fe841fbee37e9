'use strict'
// Lone surrogates (half a UTF-16 pair) in ids, shops and data are INVALID_ARGUMENT with
// nothing written. Converting such a string for the core would turn the surrogate into U+FFFD,
// so without the check `'a\uD800'` would read or delete the session `'a\uFFFD'`.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { Session, MemorySessionStorage, FileSessionStorage } = require('../index.js')
const { mapStorage, tempDir } = require('./helpers.js')

const invalid = (what) => (e) => {
  assert.equal(e.code, 'INVALID_ARGUMENT', e.message)
  assert.match(e.message, /lone surrogate/)
  if (what) assert.ok(e.message.includes(what), e.message)
  return true
}

const storages = [
  ['memory', () => new MemorySessionStorage()],
  ['file', () => new FileSessionStorage(tempDir())],
  ['custom', () => mapStorage().storage],
]

for (const [name, make] of storages) {
  test(`${name}: a lone surrogate in an argument is INVALID_ARGUMENT and nothing is written`, async () => {
    const storage = make()
    const neighbour = { id: 'a\uFFFD', shop: 's\uFFFD.myshopify.com', data: { k: 'v' } }
    assert.equal(await storage.storeSession(neighbour), true)
    for (const bad of [
      { id: 'a\uD800' },
      { id: 'b', shop: 'x\uDC00' },
      { id: 'c', data: { note: 'x\uD800' } },
      { id: 'd', data: { ['k\uDBFF']: 1 } },
      { id: 'e', accessToken: 'tok\uD800' },
    ]) {
      await assert.rejects(storage.storeSession(bad), invalid())
      assert.throws(() => new Session(bad), invalid())
    }
    await assert.rejects(storage.loadSession('a\uD800'), invalid('id'))
    await assert.rejects(storage.deleteSession('a\uD800'), invalid('id'))
    await assert.rejects(storage.deleteSessions(['ok', 'a\uD800']), invalid('ids[1]'))
    await assert.rejects(storage.findSessionsByShop('s\uD800.myshopify.com'), invalid('shop'))
    // The U+FFFD neighbour is untouched, and no other session appeared.
    assert.deepEqual((await storage.loadSession('a\uFFFD')).data, { k: 'v' })
    for (const id of ['b', 'c', 'd', 'e']) assert.equal(await storage.loadSession(id), undefined)
  })
}

test('paired surrogates (emoji) are ordinary text', async () => {
  const storage = new MemorySessionStorage()
  assert.equal(await storage.storeSession({ id: 'smile-\uD83D\uDE00', data: { e: '\uD83D\uDE00' } }), true)
  assert.equal((await storage.loadSession('smile-😀')).data.e, '😀')
})
