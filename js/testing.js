'use strict'
// The conformance battery: what every SessionStorage must do, in the spirit of Shopify's
// `batteryOfTests` (shopify-app-session-storage-test-utils), plus what sessionkeeper adds
// (copies, canonical JSON, clear errors). Point it at your own storage:
//
//   const { test } = require('node:test')
//   const { batteryOfTests } = require('sessionkeeper/testing')
//   batteryOfTests(async () => myStorage)
//
// Like Shopify's, the battery never resets the storage between cases: it must upsert, and
// leftovers from earlier cases must not disturb later ones.

const assert = require('node:assert/strict')
const nodeTest = require('node:test')
const { Session, SessionStorageError } = require('./index.js')

/** Whether every session of `a` equals one of `b`, and the lengths match (Shopify's helper). */
function sessionArraysEqual(a, b) {
  return a.length === b.length && a.every((s) => b.some((t) => s.equals(t)))
}

/** A date at whole seconds, as Shopify's battery builds them. */
function wholeSeconds(msFromNow) {
  const d = new Date(Date.now() + msFromNow)
  d.setMilliseconds(0)
  return d
}

const LONG_SCOPE = [
  'unauthenticated_read_product_listings',
  'unauthenticated_write_checkouts',
  'unauthenticated_write_customers',
  'unauthenticated_read_customer_tags',
  'unauthenticated_read_content',
  'unauthenticated_read_product_tags',
  'read_orders',
  'read_products',
  'read_script_tags',
  'write_script_tags',
  'read_legal_policies',
].join(',')

async function roundTrip(storage, session) {
  assert.equal(await storage.storeSession(session), true, 'storeSession resolves true')
  const loaded = await storage.loadSession(session.id)
  assert.ok(loaded instanceof Session, 'loadSession resolves a Session')
  assert.ok(session.equals(loaded), `loaded session equals the stored one (${session.id})`)
  assert.equal(JSON.stringify(loaded), session.serialize(), 'loaded JSON is canonical')
  return loaded
}

async function deleteAndCheck(storage, id) {
  assert.equal(await storage.deleteSession(id), true)
  assert.equal(await storage.loadSession(id), undefined, 'a deleted session loads as undefined')
  assert.equal(await storage.deleteSession(id), true, 'deleting a missing id succeeds')
}

/** The cases, each `(storage) => Promise<void>`, in the order they run. */
const cases = {
  'can store and delete all kinds of sessions': async (storage) => {
    const base = { id: 'test_session', shop: 'shop', state: 'state', isOnline: false, scope: 'test_scope', accessToken: '123' }
    const kinds = [
      base,
      { ...base, expires: wholeSeconds(60 * 60 * 1000) },
      { ...base, expires: null },
      { ...base, expires: undefined },
    ]
    for (const params of [...kinds, ...kinds]) {
      const session = new Session(params)
      const loaded = await roundTrip(storage, session)
      assert.ok(loaded.isActive(['test_scope']), 'loaded session is active')
      await deleteAndCheck(storage, 'test_session')
    }
  },

  'can store sessions with unexpected fields': async (storage) => {
    const session = new Session({ id: 'test_session', shop: 'shop', state: 'state', isOnline: false })
    session.someField = 'lol'
    await roundTrip(storage, session)
  },

  'can store and delete sessions with user info': async (storage) => {
    const session = new Session({
      id: 'test_session',
      shop: 'shop',
      state: 'state',
      isOnline: true,
      scope: 'test_scope',
      accessToken: '123',
      onlineAccessInfo: {
        associated_user: {
          id: 123, first_name: 'first', last_name: 'last', email: 'email@email.com',
          account_owner: true, locale: 'en', collaborator: false, email_verified: true,
        },
      },
    })
    const loaded = await roundTrip(storage, session)
    assert.ok(loaded.isActive(['test_scope']))
    assert.deepEqual(loaded.onlineAccessInfo, session.onlineAccessInfo)
    await deleteAndCheck(storage, 'test_session')
  },

  'keeps expired sessions loadable (Shopify apps read the shop of an expired session)': async (storage) => {
    const session = new Session({
      id: 'battery_expired',
      shop: 'expired.myshopify.com',
      state: 'state',
      isOnline: true,
      scope: 'test_scope',
      accessToken: '123',
      expires: wholeSeconds(-60 * 60 * 1000),
      onlineAccessInfo: { associated_user: { id: 7 } },
    })
    const loaded = await roundTrip(storage, session)
    assert.ok(loaded.isExpired() && !loaded.isActive('test_scope'), 'still expired once loaded')
    assert.equal(loaded.shop, 'expired.myshopify.com')
    assert.ok(sessionArraysEqual(await storage.findSessionsByShop('expired.myshopify.com'), [session]))
    await deleteAndCheck(storage, 'battery_expired')
  },

  'wrong ids return undefined sessions': async (storage) => {
    assert.equal(await storage.loadSession('not_a_session_id'), undefined)
  },

  'can find all the sessions for a given shop': async (storage) => {
    const sessions = [
      ['find_sessions_1', 'find-shop1-sessions.myshopify.io'],
      ['find_sessions_2', 'do-not-find-shop2-sessions.myshopify.io'],
      ['find_sessions_3', 'find-shop1-sessions.myshopify.io'],
      ['find_sessions_4', 'do-not-find-shop3-sessions.myshopify.io'],
    ].map(([id, shop]) => new Session({ id, shop, state: 'state', isOnline: false }))
    for (const s of sessions) assert.equal(await storage.storeSession(s), true)
    const found = await storage.findSessionsByShop('find-shop1-sessions.myshopify.io')
    assert.equal(found.length, 2)
    assert.ok(sessionArraysEqual(found, [sessions[0], sessions[2]]))
    assert.deepEqual(await storage.findSessionsByShop('no-such-shop.myshopify.io'), [])
  },

  'can delete the sessions for a given array of ids': async (storage) => {
    const sessions = [
      ['delete_sessions_1', 'delete-shop1-sessions.myshopify.io'],
      ['delete_sessions_2', 'do-not-delete-shop2-sessions.myshopify.io'],
      ['delete_sessions_3', 'delete-shop1-sessions.myshopify.io'],
      ['delete_sessions_4', 'do-not-delete-shop3-sessions.myshopify.io'],
    ].map(([id, shop]) => new Session({ id, shop, state: 'state', isOnline: false }))
    for (const s of sessions) assert.equal(await storage.storeSession(s), true)
    const found = await storage.findSessionsByShop('delete-shop1-sessions.myshopify.io')
    assert.equal(found.length, 2)
    assert.equal(await storage.deleteSessions(found.map((s) => s.id)), true)
    assert.deepEqual(await storage.findSessionsByShop('delete-shop1-sessions.myshopify.io'), [])
    assert.ok((await storage.loadSession('delete_sessions_2')).equals(sessions[1]), 'other sessions stay')
    assert.equal(await storage.deleteSessions([]), true, 'deleting no ids succeeds')
    assert.equal(await storage.deleteSessions(['never-stored-1', 'never-stored-2']), true)
  },

  'can store sessions with scope longer than 255 chars': async (storage) => {
    const session = new Session({ id: 'test_session', shop: 'shop', state: 'state', isOnline: false, scope: LONG_SCOPE })
    const loaded = await roundTrip(storage, session)
    assert.equal(loaded.scope, LONG_SCOPE)
  },

  'can store and delete sessions with refresh tokens': async (storage) => {
    const base = { id: 'test_refresh_token_session', shop: 'shop', state: 'state', isOnline: false, scope: 'test_scope' }
    const first = new Session({ ...base, accessToken: 'access_token_123', refreshToken: 'refresh_token_456' })
    let loaded = await roundTrip(storage, first)
    assert.equal(loaded.refreshToken, 'refresh_token_456')
    assert.equal(loaded.refreshTokenExpires, undefined)
    const d = wholeSeconds(30 * 24 * 60 * 60 * 1000)
    const second = new Session({ ...base, accessToken: 'access_token_789', refreshToken: 'refresh_token_abc', refreshTokenExpires: d })
    loaded = await roundTrip(storage, second)
    assert.equal(loaded.refreshToken, 'refresh_token_abc')
    assert.deepEqual(loaded.refreshTokenExpires, d)
    assert.equal(await storage.deleteSession(base.id), true)
    assert.equal(await storage.loadSession(base.id), undefined)
  },

  'keeps dates to the millisecond': async (storage) => {
    const session = new Session({
      id: 'battery_precision',
      shop: 'precision.myshopify.com',
      expires: new Date(Date.UTC(2031, 4, 6, 7, 8, 9, 123)),
      refreshToken: 'r',
      refreshTokenExpires: new Date(Date.UTC(2032, 0, 1, 0, 0, 0, 1)),
    })
    const loaded = await roundTrip(storage, session)
    assert.equal(loaded.expires.getTime(), session.expires.getTime())
    assert.equal(loaded.refreshTokenExpires.getTime(), session.refreshTokenExpires.getTime())
  },

  'stores copies: changing a session after storing or loading it changes nothing stored': async (storage) => {
    const session = new Session({ id: 'battery_copies', shop: 'copies.myshopify.com', scope: 'a' })
    assert.equal(await storage.storeSession(session), true)
    session.shop = 'changed.myshopify.com'
    session.scope = 'b'
    const first = await storage.loadSession('battery_copies')
    assert.equal(first.shop, 'copies.myshopify.com')
    assert.equal(first.scope, 'a')
    first.scope = 'c'
    const second = await storage.loadSession('battery_copies')
    assert.equal(second.scope, 'a')
    assert.notEqual(first, second)
  },

  'accepts plain objects as sessions and returns Sessions': async (storage) => {
    const params = { id: 'battery_plain', shop: 'plain.myshopify.com', isOnline: false, expires: Date.UTC(2030, 0, 1) }
    assert.equal(await storage.storeSession(params), true)
    const loaded = await storage.loadSession('battery_plain')
    assert.ok(loaded instanceof Session)
    assert.deepEqual(loaded.expires, new Date(Date.UTC(2030, 0, 1)))
  },

  'upserts: storing the same id again replaces it, also across shops': async (storage) => {
    await storage.storeSession(new Session({ id: 'battery_upsert', shop: 'one.myshopify.com', state: 'a' }))
    await storage.storeSession(new Session({ id: 'battery_upsert', shop: 'two.myshopify.com', state: 'b' }))
    const loaded = await storage.loadSession('battery_upsert')
    assert.equal(loaded.state, 'b')
    assert.deepEqual(await storage.findSessionsByShop('one.myshopify.com'), [])
    assert.equal((await storage.findSessionsByShop('two.myshopify.com')).length, 1)
  },

  'handles concurrent stores and loads': async (storage) => {
    const shop = 'concurrent.myshopify.com'
    const sessions = Array.from({ length: 50 }, (_, i) => new Session({ id: `battery_concurrent_${i}`, shop, state: String(i) }))
    const stored = await Promise.all(sessions.map((s) => storage.storeSession(s)))
    assert.ok(stored.every((r) => r === true))
    const loaded = await Promise.all(sessions.map((s) => storage.loadSession(s.id)))
    loaded.forEach((s, i) => assert.ok(s.equals(sessions[i])))
    const found = await storage.findSessionsByShop(shop)
    assert.ok(sessionArraysEqual(found, sessions))
    assert.equal(await storage.deleteSessions(sessions.map((s) => s.id)), true)
    assert.deepEqual(await storage.findSessionsByShop(shop), [])
  },

  'ids are opaque: path-like and Unicode ids are ids like any other': async (storage) => {
    for (const id of ['../../etc/passwd', '/abs/path', '.', 'ünï 🍪 ✓', 'a'.repeat(1024)]) {
      const session = new Session({ id, shop: 'ids.myshopify.com' })
      await roundTrip(storage, session)
      await deleteAndCheck(storage, id)
    }
  },

  'rejects bad arguments with INVALID_ARGUMENT': async (storage) => {
    const invalid = { name: 'SessionStorageError', code: 'INVALID_ARGUMENT' }
    await assert.rejects(storage.loadSession(''), invalid)
    await assert.rejects(storage.loadSession('x'.repeat(1025)), invalid)
    await assert.rejects(storage.loadSession(42), invalid)
    await assert.rejects(storage.deleteSession(''), invalid)
    await assert.rejects(storage.deleteSessions(['ok', '']), invalid)
    await assert.rejects(storage.deleteSessions('not-a-list'), invalid)
    await assert.rejects(storage.findSessionsByShop(''), invalid)
    await assert.rejects(storage.storeSession({ id: 'bad', isOnline: 'maybe' }), (e) => {
      assert.ok(e instanceof SessionStorageError)
      assert.equal(e.code, 'INVALID_ARGUMENT')
      assert.match(e.message, /isOnline/)
      return true
    })
    await assert.rejects(storage.storeSession(undefined), invalid)
    assert.equal(await storage.loadSession('bad'), undefined, 'nothing was stored')
  },
}

/** Cases about app `data`, which Shopify's property-array form cannot carry. */
const dataCases = {
  'keeps app data exactly': async (storage) => {
    const session = new Session({
      id: 'battery_data',
      shop: 'data.myshopify.com',
      data: { n: 1.5, big: 2 ** 53 - 1, neg: -0.25, list: [1, 'two', null, { three: 3 }], nested: { a: { b: true } } },
    })
    const loaded = await roundTrip(storage, session)
    assert.deepEqual(loaded.data, session.data)
  },

  'stores copies of app data': async (storage) => {
    const session = new Session({ id: 'battery_data_copies', shop: 'data.myshopify.com', data: { count: 1 } })
    assert.equal(await storage.storeSession(session), true)
    session.data.count = 2
    const first = await storage.loadSession('battery_data_copies')
    assert.equal(first.data.count, 1)
    first.data.count = 3
    assert.equal((await storage.loadSession('battery_data_copies')).data.count, 1)
  },
}

/**
 * Registers every case as a test (`node:test` by default). `storageFactory` is called once
 * per case and may return the same storage each time. `appData: false` leaves out the cases
 * about `data`, for storages that keep Shopify's fields only (property-array stores).
 */
function batteryOfTests(storageFactory, options = {}) {
  const register = options.test ?? nodeTest.test
  const all = options.appData === false ? cases : { ...cases, ...dataCases }
  for (const [name, run] of Object.entries(all)) {
    register(name, async () => run(await storageFactory()))
  }
}

module.exports = { batteryOfTests, cases, dataCases, sessionArraysEqual }
