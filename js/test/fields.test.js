'use strict'
// The JS side's per-field code against the core's one field table: each conversion in
// lib/fields.js handles exactly the table's fields, each by its kind, and `util.inspect` shows
// a session by the shared redaction vectors.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { inspect } = require('node:util')
const { Session } = require('../index.js')
const { FIELDS, SESSION_KEYS, sessionFields, iso, isoAt } = require('../lib/convert.js')
const { templateOf, fill, templateOfSession, changedFields, copyJson } = require('../lib/fields.js')

const canonical = {
  id: 'a',
  shop: 's',
  state: 't',
  isOnline: true,
  scope: 'read_products',
  expires: '2030-01-01T00:00:00.000Z',
  accessToken: 'shpat_a',
  refreshToken: 'shprt_r',
  refreshTokenExpires: '2031-01-01T00:00:00.000Z',
  onlineAccessInfo: { associated_user: { id: 1 } },
  data: { k: [1] },
}

/** Another value of each kind, to tell whether a conversion looks at a field. */
const OTHER = {
  id: 'b', text: 'other', flag: false, scopes: 'write_orders', token: 'other', date: 1e12,
  onlineAccessInfo: { associated_user: { id: 2 } }, data: { k: [2] },
}

test('the table is the core\'s, in canonical order', () => {
  assert.deepEqual(SESSION_KEYS, Object.keys(canonical))
  assert.deepEqual(Object.keys(new Session({ id: 'a' }).toJSON()), ['id', 'shop', 'state', 'isOnline'])
  const kinds = Object.fromEntries(FIELDS.map((f) => [f.js, f.kind]))
  assert.equal(kinds.expires, 'date')
  assert.equal(kinds.accessToken, 'token')
  assert.deepEqual(FIELDS.filter((f) => f.python !== f.js).map((f) => f.python), [
    'is_online', 'access_token', 'refresh_token', 'refresh_token_expires', 'online_access_info',
  ])
})

test('templateOf and fill convert every field of the table by its kind', () => {
  const t = templateOf(canonical)
  assert.deepEqual(Object.keys(t), SESSION_KEYS)
  const s = fill(Object.create(Session.prototype), t, true)
  assert.deepEqual(Object.keys(s), SESSION_KEYS)
  for (const { js, kind } of FIELDS) {
    if (kind === 'date') {
      assert.equal(t[js], Date.parse(canonical[js]), js)
      assert.ok(s[js] instanceof Date && s[js].getTime() === t[js], js)
    } else if (kind === 'onlineAccessInfo' || kind === 'data') {
      assert.deepEqual(s[js], canonical[js], js)
      assert.notEqual(s[js], t[js], `${js} is copied`)
    } else {
      assert.equal(s[js], canonical[js], js)
    }
  }
  assert.equal(JSON.stringify(s), JSON.stringify(canonical))
})

test('templateOfSession and changedFields look at every field of the table', () => {
  const s = Session.deserialize(JSON.stringify(canonical))
  const t = templateOfSession(s)
  assert.deepEqual(t, templateOf(canonical))
  assert.equal(changedFields(s, t), undefined)
  for (const { js, kind } of FIELDS) {
    const changed = Session.deserialize(JSON.stringify(canonical))
    changed[js] = kind === 'date' ? new Date(OTHER.date) : OTHER[kind]
    assert.notEqual(changedFields(changed, t), undefined, js)
    assert.notDeepEqual(templateOfSession(changed), t, js)
  }
})

test('sessionFields (Session#toJSON) writes every field of the table, in its order', () => {
  const s = Session.deserialize(JSON.stringify(canonical))
  assert.deepEqual(Object.keys(sessionFields(s, 'INVALID_ARGUMENT')), SESSION_KEYS)
  assert.equal(JSON.stringify(s), JSON.stringify(canonical))
  for (const { js, kind } of FIELDS) {
    const one = { [js]: kind === 'date' ? new Date(OTHER.date) : OTHER[kind] }
    const expected = kind === 'date' ? new Date(OTHER.date).toISOString() : OTHER[kind]
    assert.deepEqual(sessionFields(one, 'INVALID_ARGUMENT'), { [js]: expected }, js)
    assert.deepEqual(sessionFields({ [js]: null }, 'INVALID_ARGUMENT'), {}, `${js}: null is absent`)
  }
})

test('copyJson copies every object and array, an own "__proto__" key as data, no inherited key', () => {
  const original = JSON.parse('{"__proto__":{"x":[1,{"y":2}]},"a":[{"b":null}],"c":"d"}')
  const copy = copyJson(original)
  assert.equal(JSON.stringify(copy), JSON.stringify(original))
  assert.equal(Object.getPrototypeOf(copy), Object.prototype)
  assert.ok(Object.hasOwn(copy, '__proto__'))
  const pairs = [[copy, original], [copy.__proto__, original.__proto__], [copy.__proto__.x, original.__proto__.x],
    [copy.__proto__.x[1], original.__proto__.x[1]], [copy.a, original.a], [copy.a[0], original.a[0]]]
  for (const [c, o] of pairs) assert.notEqual(c, o, 'nothing shared')
  Object.prototype.polluted = { z: 1 }
  try {
    assert.equal(JSON.stringify(copyJson({ k: { l: 1 } })), '{"k":{"l":1}}')
    assert.equal(Object.hasOwn(copyJson({ k: 1 }), 'polluted'), false)
  } finally {
    delete Object.prototype.polluted
  }
})

test('the kept ISO texts: each instant its own, also instants that share a slot', () => {
  const instants = [0, -1, 1e12, 1e12 + 8192, 1e12 + 2 ** 32, -8.64e15, 8.64e15, Date.UTC(2031, 0, 1, 0, 0, 0, 5)]
  for (let round = 0; round < 2; round++) {
    for (const ms of instants) {
      assert.equal(isoAt(ms), new Date(ms).toISOString(), String(ms))
      assert.equal(iso(new Date(ms)), new Date(ms).toISOString(), String(ms))
    }
  }
})

test('util.inspect shows sessions by the shared redaction vectors', () => {
  const file = path.join(__dirname, '..', '..', 'tests', 'vectors', 'shown.json')
  const vectors = JSON.parse(fs.readFileSync(file, 'utf8'))
  assert.equal(vectors.version, 1)
  for (const c of vectors.cases) {
    assert.equal(inspect(new Session(c.input)), c.node, c.name)
  }
})
