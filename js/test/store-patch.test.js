'use strict'
// Storing a Session changed in a few top-level fields: the core patches the session it last
// accepted for that id (`Patchable::patch`) instead of reading the whole text again, in
// CustomSessionStorage and in MemorySessionStorage. Whatever
// the path, the callback must receive, and a load must return, exactly what a storage that has
// never seen the id gives; and a refused change must leave the accepted session as it was.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { Session, CustomSessionStorage } = require('../index.js')

function mapStorage() {
  const db = new Map()
  const seen = []
  const storage = new CustomSessionStorage(
    async (s) => {
      seen.push(s)
      db.set(s.id, JSON.stringify(s))
      return true
    },
    async (id) => db.get(id),
    async (id) => db.delete(id) || true,
  )
  return { storage, db, seen }
}

const params = {
  id: 'patch-1',
  shop: 'patch.myshopify.com',
  state: 'first',
  isOnline: true,
  scope: 'read_products',
  expires: new Date('2031-01-01T00:00:00.000Z'),
  accessToken: 'shpua_secret',
  onlineAccessInfo: { expires_in: 60, associated_user_scope: 'read_products', associated_user: { id: 7, email: 'a@example.com' } },
}

/** A storage that has accepted `params` (stored then loaded, so its template is built). */
async function warmed() {
  const m = mapStorage()
  await m.storage.storeSession(new Session(params))
  const session = await m.storage.loadSession(params.id)
  return { ...m, session }
}

const changes = [
  ['state', (s) => { s.state = 'second' }],
  ['isOnline', (s) => { s.isOnline = false }],
  ['scope removed', (s) => { s.scope = undefined }],
  ['scope to null', (s) => { s.scope = null }],
  ['expires', (s) => { s.expires = new Date('2032-02-02T02:02:02.002Z') }],
  ['refresh token added', (s) => { s.refreshToken = 'shprt_new'; s.refreshTokenExpires = new Date(2_000_000_000_000) }],
  ['three fields', (s) => { s.state = 'x'; s.shop = 'other.myshopify.com'; s.accessToken = 'shpua_2' }],
  ['escapes', (s) => { s.state = 'quote " backslash \\ line\u2028 é \u0001' }],
]

for (const [name, change] of changes) {
  test(`a change of ${name} stores and loads as on a storage that never saw the id`, async () => {
    const warm = await warmed()
    change(warm.session)
    assert.equal(await warm.storage.storeSession(warm.session), true)
    const cold = mapStorage()
    const fresh = Object.assign(Object.create(Session.prototype), warm.session)
    assert.equal(await cold.storage.storeSession(fresh), true)
    assert.equal(warm.db.get(params.id), cold.db.get(params.id), 'the same bytes reach the store')
    assert.equal(warm.seen.at(-1), warm.session, 'the callback receives the caller\'s own session')
    const a = await warm.storage.loadSession(params.id)
    const b = await cold.storage.loadSession(params.id)
    assert.deepEqual(a.toObject(), b.toObject())
    assert.deepEqual(a.toObject(), fresh.toObject())
    // The change is now the accepted session: changing it back is a patch too.
    a.state = 'third'
    await warm.storage.storeSession(a)
    assert.equal((await warm.storage.loadSession(params.id)).state, 'third')
  })
}

test('after a changed store, a load of other bytes is read from those bytes', async () => {
  const warm = await warmed()
  warm.session.state = 'second'
  await warm.storage.storeSession(warm.session)
  // Another process stores the id meanwhile: its bytes, not what this process stored, load.
  const other = JSON.parse(warm.db.get(params.id))
  other.state = 'from another process'
  warm.db.set(params.id, JSON.stringify(other))
  assert.equal((await warm.storage.loadSession(params.id)).state, 'from another process')
  // And bytes that are no session are refused, never answered from what was held.
  warm.session.state = 'third'
  await warm.storage.storeSession(warm.session)
  warm.db.set(params.id, warm.db.get(params.id).replace('"state":"third"', '"state":3'))
  await assert.rejects(warm.storage.loadSession(params.id), { code: 'INVALID_SESSION' })
  // The bytes this process stored load as its session.
  warm.db.set(params.id, JSON.stringify(warm.session))
  assert.equal((await warm.storage.loadSession(params.id)).state, 'third')
  // Loaded back again and again, then other bytes: still read from those bytes.
  assert.equal((await warm.storage.loadSession(params.id)).state, 'third')
  assert.equal((await warm.storage.loadSession(params.id)).state, 'third')
  warm.db.set(params.id, warm.db.get(params.id).replace('"state":"third"', '"state":"fourth"'))
  assert.equal((await warm.storage.loadSession(params.id)).state, 'fourth')
})

test('getters with side effects: what a load returns is what the stored bytes say', async () => {
  const warm = await warmed()
  const moved = new Date('2030-01-01T00:00:00.000Z')
  warm.session.expires = moved
  // Read after expires, this getter moves the Date the session holds.
  Object.defineProperty(warm.session, 'accessToken', {
    get() {
      moved.setTime(Date.parse('2035-01-01T00:00:00.000Z'))
      return 'shpua_secret'
    },
    enumerable: true,
    configurable: true,
  })
  await warm.storage.storeSession(warm.session)
  const cold = mapStorage()
  cold.db.set(params.id, warm.db.get(params.id))
  const a = await warm.storage.loadSession(params.id)
  const b = await cold.storage.loadSession(params.id)
  assert.deepEqual(a.toObject(), b.toObject())
})

test('a loaded text with a lone surrogate where the held one has U+FFFD loads as on a cold storage', async () => {
  const warm = await warmed()
  warm.session.state = 'a\uFFFD'
  await warm.storage.storeSession(warm.session)
  // Loaded back once: the text is then the core's alone, which compares what loads next.
  assert.equal((await warm.storage.loadSession(params.id)).state, 'a\uFFFD')
  const lone = warm.db.get(params.id).replace('a\uFFFD', 'a\uD800')
  assert.notEqual(lone, warm.db.get(params.id))
  warm.db.set(params.id, lone)
  const cold = mapStorage()
  cold.db.set(params.id, lone)
  const a = await warm.storage.loadSession(params.id).then((s) => s.state, (e) => e.code)
  const b = await cold.storage.loadSession(params.id).then((s) => s.state, (e) => e.code)
  assert.equal(a, b)
})

test('a getter that throws while a changed session is compared is worded as for a whole write', async () => {
  const warm = await warmed()
  warm.session.shop = 5
  Object.defineProperty(warm.session, 'refreshToken', {
    get() {
      throw new Error('boom')
    },
    enumerable: true,
  })
  await assert.rejects(warm.storage.storeSession(warm.session), (e) => {
    assert.equal(e.constructor.name, 'SessionStorageError')
    assert.equal(e.code, 'INVALID_ARGUMENT')
    assert.match(e.message, /boom/)
    return true
  })
})

const refused = [
  ['a date past the range', (s) => { s.expires = new Date(8.64e15) }, /expires/],
  ['a lone surrogate in state', (s) => { s.state = 'a\uD800' }, /lone surrogate/],
  ['a number as state', (s) => { s.state = 5 }, /state/],
  ['NaN as a date', (s) => { s.expires = new Date(NaN) }, /expires/],
]

for (const [name, change, field] of refused) {
  test(`${name} is refused with the same error as on a fresh storage, and the accepted session stays`, async () => {
    const warm = await warmed()
    const before = warm.db.get(params.id)
    change(warm.session)
    const cold = mapStorage()
    const fresh = Object.assign(Object.create(Session.prototype), warm.session)
    const coldError = await cold.storage.storeSession(fresh).then(() => null, (e) => e)
    const warmError = await warm.storage.storeSession(warm.session).then(() => null, (e) => e)
    if (coldError === null) {
      // Accepted either way (the core may take the value): both paths must then agree on bytes.
      assert.equal(warmError, null)
      assert.equal(warm.db.get(params.id), cold.db.get(params.id))
      return
    }
    assert.ok(warmError, 'refused on the warmed storage too')
    assert.equal(warmError.code, coldError.code)
    assert.equal(warmError.message, coldError.message)
    assert.match(warmError.message, field)
    assert.equal(warm.db.get(params.id), before, 'nothing was stored')
    // The accepted session is intact: an unchanged copy stores and loads as before.
    const again = await warm.storage.loadSession(params.id)
    assert.equal(again.state, 'first')
    await warm.storage.storeSession(again)
    assert.equal(warm.db.get(params.id), before)
  })
}

// MemorySessionStorage: the core stores its held parse with the changed fields replaced. What
// the core holds is read back through findSessionsByShop, which bypasses the JS cache of hot
// sessions, and must equal what a fresh storage holds after storing the same session whole.
const { MemorySessionStorage } = require('../index.js')

async function warmedMemory() {
  const storage = new MemorySessionStorage()
  await storage.storeSession(new Session(params))
  const session = await storage.loadSession(params.id)
  return { storage, session }
}

async function coreHolds(storage, shop) {
  return (await storage.findSessionsByShop(shop)).map((s) => s.toObject())
}

for (const [name, change] of changes) {
  test(`memory storage: a change of ${name} is what the core holds, as on a fresh storage`, async () => {
    const warm = await warmedMemory()
    change(warm.session)
    assert.equal(await warm.storage.storeSession(warm.session), true)
    const cold = new MemorySessionStorage()
    await cold.storeSession(Object.assign(Object.create(Session.prototype), warm.session))
    const shop = warm.session.shop
    assert.deepEqual(await coreHolds(warm.storage, shop), await coreHolds(cold, shop))
    assert.deepEqual((await warm.storage.loadSession(params.id)).toObject(), (await cold.loadSession(params.id)).toObject())
    // And again from the new held state.
    const again = await warm.storage.loadSession(params.id)
    again.state = 'third'
    await warm.storage.storeSession(again)
    assert.equal((await coreHolds(warm.storage, shop))[0].state, 'third')
  })
}

for (const [name, change, field] of refused) {
  test(`memory storage: ${name} is refused as on a fresh storage, and the core keeps what it held`, async () => {
    const warm = await warmedMemory()
    const before = await coreHolds(warm.storage, params.shop)
    change(warm.session)
    const cold = new MemorySessionStorage()
    const coldError = await cold.storeSession(Object.assign(Object.create(Session.prototype), warm.session)).then(() => null, (e) => e)
    const warmError = await warm.storage.storeSession(warm.session).then(() => null, (e) => e)
    if (coldError === null) {
      assert.equal(warmError, null)
      assert.deepEqual(await coreHolds(warm.storage, params.shop), await coreHolds(cold, params.shop))
      return
    }
    assert.ok(warmError, 'refused on the warmed storage too')
    assert.equal(warmError.code, coldError.code)
    assert.equal(warmError.message, coldError.message)
    assert.match(warmError.message, field)
    assert.deepEqual(await coreHolds(warm.storage, params.shop), before, 'nothing was stored')
    const again = await warm.storage.loadSession(params.id)
    assert.equal(again.state, 'first')
    again.state = 'after'
    await warm.storage.storeSession(again)
    assert.equal((await coreHolds(warm.storage, params.shop))[0].state, 'after', 'the held session still patches')
  })
}

// The Redis adapter's store is handed the canonical text the store path already holds (whole,
// patched or unchanged) instead of writing the session again: what reaches Redis must be
// exactly the canonical JSON of the session stored, every time.
const { redisSessionStorage } = require('../redis.js')
const servers = require('./servers.js')

test('the Redis adapter stores the canonical text of each session, after whole, patched and unchanged stores', async (t) => {
  let client
  try {
    client = await servers.redisClient()
  } catch (e) {
    return t.skip(servers.unreachable(`Redis at ${servers.REDIS_URL}`, e))
  }
  const prefix = `sk-node-patch:${servers.runId()}:`
  const storage = redisSessionStorage(servers.REDIS_URL, { keyPrefix: prefix })
  try {
    const stored = async () => client.get(`${prefix}session:${params.id}`)
    const canonical = (s) => Object.assign(Object.create(Session.prototype), s).serialize()
    const session = new Session(params)
    await storage.storeSession(session)
    assert.equal(await stored(), canonical(session))
    const loaded = await storage.loadSession(params.id)
    for (const [, change] of changes) {
      change(loaded)
      await storage.storeSession(loaded)
      assert.equal(await stored(), canonical(loaded))
      await storage.storeSession(loaded) // unchanged
      assert.equal(await stored(), canonical(loaded))
    }
    // A Session with its own toJSON is written as its toJSON says, never from what was held.
    const own = await storage.loadSession(params.id)
    own.toJSON = function () {
      return { ...Session.prototype.toJSON.call(this), state: 'from-toJSON' }
    }
    await storage.storeSession(own)
    assert.equal(JSON.parse(await stored()).state, 'from-toJSON')
    class Subclass extends Session {
      toJSON() {
        return { ...super.toJSON(), state: 'from-subclass' }
      }
    }
    const sub = Object.assign(Object.create(Subclass.prototype), await storage.loadSession(params.id))
    await storage.storeSession(sub)
    assert.equal(JSON.parse(await stored()).state, 'from-subclass')
    // An own toJSON once, then removed: the next store writes the fields again, never the text
    // the toJSON wrote (no template is taken from fields that toJSON overrode).
    const once = await storage.loadSession(params.id)
    once.state = 'fields'
    once.toJSON = function () {
      return { ...Session.prototype.toJSON.call(this), state: 'overridden' }
    }
    await storage.storeSession(once)
    assert.equal(JSON.parse(await stored()).state, 'overridden')
    delete once.toJSON
    await storage.storeSession(once)
    assert.equal(await stored(), canonical(once))
    once.accessToken = 'shpua_after'
    await storage.storeSession(once)
    assert.equal(await stored(), canonical(once))
    // Text another writer left in another shape (snake_case keys, epoch dates) loads, and the
    // session stored back reaches Redis canonical.
    const other = { id: params.id, shop: params.shop, state: 'snake', is_online: false, expires: 1_950_000_000_000 }
    await client.set(`${prefix}session:${params.id}`, JSON.stringify(other))
    const read = await storage.loadSession(params.id)
    assert.equal(read.state, 'snake')
    await storage.storeSession(read)
    assert.equal(await stored(), canonical(read))
    read.state = 'patched-after-snake'
    await storage.storeSession(read)
    assert.equal(await stored(), canonical(read))
    // A plain object and a non-canonical Session still reach Redis canonical.
    await storage.storeSession({ ...params, state: 'plain' })
    assert.equal(JSON.parse(await stored()).state, 'plain')
    assert.equal(await stored(), new Session({ ...params, state: 'plain' }).serialize())
  } finally {
    await storage.close()
    await servers.deleteKeys(client, `${prefix}*`)
    await client.close()
  }
})
