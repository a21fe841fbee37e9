'use strict'
// The Session class: construction, Shopify's semantics (computed by the core), JSON,
// property arrays, inspection, and the package's exports.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { inspect } = require('node:util')
const sk = require('../index.js')
const native = require('../native.js')
const { Session, SessionStorageError, ErrorCode } = sk

const HOUR = 60 * 60 * 1000
const full = {
  id: 'sid',
  shop: 'test.myshopify.com',
  state: 'st',
  isOnline: true,
  scope: 'read_products,write_orders',
  expires: new Date('2030-01-01T00:00:00Z'),
  accessToken: 'tok',
  refreshToken: 'rt',
  refreshTokenExpires: new Date('2030-02-01T00:00:00Z'),
  onlineAccessInfo: {
    expires_in: 1,
    associated_user_scope: 'read_products',
    associated_user: { id: 42, first_name: 'F', last_name: 'L', email: 'e@x', email_verified: true, account_owner: false, locale: 'en', collaborator: false },
  },
}

test('JSON.stringify matches Shopify 13.1.0 byte for byte', () => {
  assert.equal(
    JSON.stringify(new Session(full)),
    '{"id":"sid","shop":"test.myshopify.com","state":"st","isOnline":true,"scope":"read_products,write_orders",' +
      '"expires":"2030-01-01T00:00:00.000Z","accessToken":"tok","refreshToken":"rt",' +
      '"refreshTokenExpires":"2030-02-01T00:00:00.000Z",' +
      '"onlineAccessInfo":{"expires_in":1,"associated_user_scope":"read_products",' +
      '"associated_user":{"id":42,"first_name":"F","last_name":"L","email":"e@x","email_verified":true,' +
      '"account_owner":false,"locale":"en","collaborator":false}}}',
  )
})

test('plain data properties with Shopify defaults; dates are Dates', () => {
  const s = new Session({ id: 'x' })
  assert.deepEqual(
    Object.entries(s).filter(([, v]) => v !== undefined),
    [['id', 'x'], ['shop', ''], ['state', ''], ['isOnline', false]],
  )
  const t = new Session({ ...full, expires: '2030-01-01T01:00:00+01:00', refreshTokenExpires: Date.UTC(2030, 1, 1) })
  assert.ok(t.expires instanceof Date)
  assert.equal(t.expires.toISOString(), '2030-01-01T00:00:00.000Z')
  assert.equal(t.refreshTokenExpires.getTime(), Date.UTC(2030, 1, 1))
  assert.ok(Object.getOwnPropertyDescriptor(t, 'shop').writable, 'a data property')
  t.shop = 'changed.myshopify.com'
  assert.equal(JSON.parse(JSON.stringify(t)).shop, 'changed.myshopify.com')
})

test('the constructor copies: changing the input or the copy changes nothing else', () => {
  const params = { id: 'c', data: { n: 1 }, expires: new Date(Date.UTC(2030, 0, 1)) }
  const s = new Session(params)
  params.data.n = 2
  params.expires.setUTCFullYear(2040)
  assert.equal(s.data.n, 1)
  assert.equal(s.expires.getUTCFullYear(), 2030)
  const clone = new Session(s)
  clone.data.n = 3
  assert.equal(s.data.n, 1)
  assert.ok(clone instanceof Session)
})

test('a Shopify Session instance is accepted like a plain object', () => {
  const { Session: ShopifySession } = require('@shopify/shopify-api')
  const shopify = new ShopifySession(full)
  const ours = new Session(shopify)
  assert.equal(JSON.stringify(ours), JSON.stringify(shopify))
  assert.ok(ours.equals(shopify))
  assert.deepEqual(ours.toPropertyArray(true), shopify.toPropertyArray(true))
  assert.deepEqual(ours.toPropertyArray(false), shopify.toPropertyArray(false))
  const back = ShopifySession.fromPropertyArray(ours.toPropertyArray(true), true)
  assert.ok(back.equals(shopify))
})

test('invalid input: INVALID_ARGUMENT naming the field, tokens never echoed', () => {
  const cases = [
    [{ id: 'a', isOnline: 'maybe' }, 'isOnline'],
    [{ id: 'a', expires: 'soon' }, 'expires'],
    [{ id: 'a', expires: new Date(NaN) }, 'expires'],
    [{ id: 'a', expires: NaN }, 'expires'],
    [{ id: 'a', shop: 5 }, 'shop'],
    [{ id: 'a', accessToken: () => 'shpat_fn' }, 'accessToken'],
    [{ id: 'a', isOnline: 1n }, 'isOnline'],
    [{ id: 'a', data: { big: 1n } }, 'BigInt'],
    [{ id: '' }, 'id'],
    [{}, '"id" is missing (required: a non-empty string)'],
    [{ id: undefined, shop: 's' }, '"id" is missing'],
    ['a string', 'session'],
    [undefined, 'session'],
    [null, 'session'],
    [{ id: 'a', refreshToken: 'shpat_secret', isOnline: 'shpat_secret' }, 'isOnline'],
  ]
  for (const [input, field] of cases) {
    assert.throws(() => new Session(input), (e) => {
      assert.ok(e instanceof SessionStorageError)
      assert.equal(e.code, ErrorCode.INVALID_ARGUMENT)
      assert.ok(e.message.includes(field), e.message)
      assert.ok(!e.message.includes('shpat'), e.message)
      return true
    })
  }
  const cyclic = { id: 'a', data: {} }
  cyclic.data.self = cyclic.data
  assert.throws(() => new Session(cyclic), { code: 'INVALID_ARGUMENT' })
})

test('isActive, isExpired and the expiry margins (Shopify unit tests)', () => {
  const active = new Session({ id: 'a', scope: 'test_scope', accessToken: 't', expires: new Date(Date.now() + HOUR) })
  assert.equal(active.isActive('test_scope'), true)
  assert.equal(active.isActive(undefined), true)
  assert.equal(active.isActive('fake_scope'), false)
  assert.equal(new Session({ ...active.toObject(), expires: new Date(Date.now() - 1000) }).isActive('test_scope'), false)
  const soon = new Session({ ...active.toObject(), expires: new Date(Date.now() + 300) })
  assert.equal(soon.isActive('test_scope'), false, 'default 500 ms margin')
  assert.equal(soon.isActive('test_scope', 200), true)
  assert.equal(new Session({ ...active.toObject(), accessToken: '' }).isActive('test_scope'), false)
  assert.equal(new Session({ id: 'e', expires: new Date(Date.now() - 1) }).isExpired(), true)
  assert.equal(new Session({ id: 'e', expires: new Date(Date.now() + 55000) }).isExpired(60000), true)
  assert.equal(new Session({ id: 'e', expires: new Date(Date.now() + 75000) }).isExpired(60000), false)
  assert.equal(new Session({ id: 'e', expires: new Date(Date.now() + HOUR) }).isExpired(), false)
  assert.equal(new Session({ id: 'e' }).isExpired(), false)
  assert.throws(() => active.isExpired('1'), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => active.isExpired(NaN), { code: 'INVALID_ARGUMENT' })
})

test('scopes: implied scopes, strings, arrays and AuthScopes-like objects', () => {
  const s = new Session({ id: 'a', scope: 'write_products, read_customers' })
  assert.equal(s.isScopeChanged('write_products, read_orders'), true)
  assert.equal(s.isScopeChanged(['read_products', 'read_customers']), false, 'write implies read')
  assert.equal(s.isScopeChanged(undefined), false)
  assert.equal(new Session({ id: 'a', scope: 'read_customers' }).isScopeChanged('write_customers'), true)
  assert.equal(new Session({ id: 'a', scope: 'write_customers' }).isScopeChanged('read_customers'), false)
  assert.equal(s.isScopeIncluded({ toArray: () => ['read_products'] }), true)
  assert.equal(new Session({ id: 'u', scope: 'unauthenticated_write_checkouts' }).isScopeIncluded('unauthenticated_read_checkouts'), true)
  const { AuthScopes } = require('@shopify/shopify-api')
  assert.equal(s.isScopeIncluded(new AuthScopes(['read_products'])), true)
  assert.throws(() => s.isScopeIncluded(5), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => s.isScopeIncluded(['a', 1]), { code: 'INVALID_ARGUMENT' })
})

test('equals: Shopify semantics plus data', () => {
  const a = new Session(full)
  assert.equal(a.equals(new Session(full)), true)
  assert.equal(a.equals(undefined), false)
  assert.equal(a.equals(null), false)
  assert.equal(a.equals(new Session({ ...full, expires: new Date(full.expires.getTime() + 123) })), false, 'millisecond-exact')
  assert.equal(a.equals(new Session({ ...full, onlineAccessInfo: { ...full.onlineAccessInfo, expires_in: 99 } })), true, 'expires_in ignored')
  assert.equal(a.equals({ ...full }), true, 'a plain object compares too')
  assert.equal(new Session({ id: 'd', data: { x: [1, { y: 2 }] } }).equals(new Session({ id: 'd', data: { x: [1, { y: 2 }] } })), true)
  assert.equal(new Session({ id: 'd', data: { x: 1 } }).equals(new Session({ id: 'd', data: { x: 2 } })), false)
})

test('property arrays: Shopify shapes both ways', () => {
  const s = new Session(full)
  assert.deepEqual(s.toPropertyArray(), [
    ['id', 'sid'], ['shop', 'test.myshopify.com'], ['state', 'st'], ['isOnline', true],
    ['scope', 'read_products,write_orders'], ['expires', 1893456000000], ['accessToken', 'tok'],
    ['refreshToken', 'rt'], ['refreshTokenExpires', 1896134400000], ['onlineAccessInfo', 42],
  ])
  const withUser = s.toPropertyArray(true)
  assert.deepEqual(withUser.slice(9), [
    ['userId', 42], ['firstName', 'F'], ['lastName', 'L'], ['email', 'e@x'], ['locale', 'en'],
    ['emailVerified', true], ['accountOwner', false], ['collaborator', false],
  ])
  assert.ok(Session.fromPropertyArray(withUser, true).equals(s))
  assert.ok(!Session.fromPropertyArray(s.toPropertyArray(false)).equals(s), 'as Shopify: user data lost')
  const sql = Session.fromPropertyArray([['ID', 'q'], ['IsOnline', 'true'], ['Expires', '1893456000000']])
  assert.equal(sql.isOnline, true)
  assert.equal(sql.expires.getTime(), 1893456000000)
  assert.throws(() => Session.fromPropertyArray('nope'), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => Session.fromPropertyArray([['id', 'a'], ['isOnline', 'maybe']]), { code: 'INVALID_ARGUMENT', message: /isOnline/ })
  assert.throws(() => s.toPropertyArray('yes'), { code: 'INVALID_ARGUMENT' })
})

test('toObject returns copies with Dates, absent fields omitted', () => {
  const s = new Session(full)
  const o = s.toObject()
  assert.deepEqual(o, { ...full })
  o.expires.setUTCFullYear(2000)
  o.onlineAccessInfo.associated_user.id = 1
  assert.equal(s.expires.getUTCFullYear(), 2030)
  assert.equal(s.onlineAccessInfo.associated_user.id, 42)
  assert.deepEqual(new Session({ id: 'm' }).toObject(), { id: 'm', shop: '', state: '', isOnline: false })
  assert.ok(new Session(new Session(full).toObject()).equals(s))
})

test('serialize and deserialize round-trip dates (Shopify JSON leaves strings)', () => {
  const s = new Session({ ...full, data: { cart: [1, 2], note: 'é"\n' } })
  const text = s.serialize()
  assert.equal(text, JSON.stringify(s))
  const back = Session.deserialize(text)
  assert.ok(back.expires instanceof Date)
  assert.ok(back.equals(s))
  assert.throws(() => Session.deserialize('{"id":"a","isOnline":"x"}'), { code: 'INVALID_SESSION', message: /isOnline/ })
  assert.throws(() => Session.deserialize('nope'), { code: 'INVALID_SESSION' })
  assert.throws(() => Session.deserialize({ id: 'a' }), { code: 'INVALID_ARGUMENT' })
  const mutated = new Session(full)
  mutated.expires = 1893456000000
  assert.equal(mutated.serialize(), JSON.stringify(new Session(full)), 'serialize canonicalises')
  mutated.isOnline = 'no'
  assert.throws(() => mutated.serialize(), { code: 'INVALID_ARGUMENT' })
})

test('util.inspect and console.log hide the tokens, the app data and the user', () => {
  const s = new Session({ ...full, data: { csrf: 'app-secret' } })
  const shown = inspect(s, { depth: 5 })
  assert.ok(!/tok|'rt'|app-secret|e@x/.test(shown), shown)
  assert.match(shown, /^Session \{ id: "sid", shop: "test\.myshopify\.com", /)
  assert.match(shown, /accessToken: <redacted>, refreshToken: <redacted>, /)
  assert.match(shown, /onlineAccessInfo: <user 42>, data: <1 key> \}$/)
  assert.equal(inspect({ nested: { deeper: s } }, { depth: 1 }).includes('tok'), false)
  assert.equal(inspect([s]).includes("'tok'"), false)
  s.isOnline = 'no'
  assert.equal(inspect(s), 'Session <invalid: session: "isOnline" must be a boolean, got a string>')
})

test('exports: classes, ErrorCode constants, SessionStorageError shape', async () => {
  assert.deepEqual(Object.keys(sk).sort(), [
    'CustomSessionStorage', 'ErrorCode', 'FileSessionStorage', 'ManagedSession', 'MemorySessionStorage', 'Session',
    'SessionManager', 'SessionStorageError', 'cookieStorage',
  ])
  assert.deepEqual(Object.keys(ErrorCode), [
    'INVALID_ARGUMENT', 'INVALID_SESSION', 'INVALID_CALLBACK_RESULT', 'CALLBACK_FAILED', 'CALLBACK_TIMEOUT',
    'NOT_SUPPORTED', 'STORAGE_IO', 'CONFLICT', 'COOKIE_TOO_LARGE', 'INVALID_SIGNATURE',
  ])
  assert.ok(Object.isFrozen(ErrorCode))
  const cause = new Error('inner')
  const e = new SessionStorageError('outer', ErrorCode.CALLBACK_FAILED, { cause })
  assert.equal(e.name, 'SessionStorageError')
  assert.equal(e.cause, cause)
  assert.ok(e instanceof Error)
  assert.match(String(e), /^SessionStorageError: outer/)
  const esm = await import('../index.mjs')
  assert.equal(esm.Session, Session, 'ESM and CommonJS share one class')
  assert.equal(esm.default, sk)
  const testing = await import('../testing.mjs')
  assert.equal(typeof testing.batteryOfTests, 'function')
})

test('a Rust panic reaches JS as an error, never a crash', () => {
  assert.throws(() => native._panicForTests(), /deliberate panic/)
  assert.equal(new Session({ id: 'after-panic' }).id, 'after-panic')
})
