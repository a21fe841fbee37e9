'use strict'
// The session's fields on the JS side: the conversions between a Session, its canonical JSON
// object and its template (the parsed canonical form with dates as epoch ms, ARCHITECTURE.md
// "Session fields"). The field list is the core's (`FIELDS` in convert.js); these functions
// spell it out field by field because a loop over the table (a keyed read per field) costs
// twice as much on every load and store, and js/test/fields.test.js checks each of them
// against the table.

const { isoAt, rememberIso } = require('./convert.js')

/** The template of a parsed canonical JSON object (dates as epoch ms). */
function templateOf(o) {
  return {
    id: o.id,
    shop: o.shop,
    state: o.state,
    isOnline: o.isOnline,
    scope: o.scope,
    expires: o.expires === undefined ? undefined : epochMs(o.expires),
    accessToken: o.accessToken,
    refreshToken: o.refreshToken,
    refreshTokenExpires: o.refreshTokenExpires === undefined ? undefined : epochMs(o.refreshTokenExpires),
    onlineAccessInfo: o.onlineAccessInfo,
    data: o.data,
  }
}

function epochMs(isoText) {
  const ms = Date.parse(isoText)
  rememberIso(ms, isoText)
  return ms
}

/**
 * Fills session `s` from template `t`, copying the objects unless `t` is thrown away after.
 * Every property is set, in canonical order, so all sessions share one shape and
 * `JSON.stringify` meets the keys in canonical order.
 */
function fill(s, t, copy) {
  s.id = t.id
  s.shop = t.shop
  s.state = t.state
  s.isOnline = t.isOnline
  s.scope = t.scope
  s.expires = t.expires === undefined ? undefined : new Date(t.expires)
  s.accessToken = t.accessToken
  s.refreshToken = t.refreshToken
  s.refreshTokenExpires = t.refreshTokenExpires === undefined ? undefined : new Date(t.refreshTokenExpires)
  const info = t.onlineAccessInfo
  s.onlineAccessInfo = info === undefined || !copy ? info : copyJson(info)
  s.data = t.data === undefined || !copy ? t.data : copyJson(t.data)
  return s
}

const NOT_PLAIN = Symbol('not plain JSON')

/**
 * The template of a Session whose JSON the core just accepted as canonical, copied from its
 * fields rather than parsed from the text; `null` when a field holds anything but plain JSON
 * values (the text is then parsed when the template is first needed).
 */
function templateOfSession(s) {
  const info = s.onlineAccessInfo == null ? undefined : copyPlain(s.onlineAccessInfo)
  const data = s.data == null ? undefined : copyPlain(s.data)
  if (info === NOT_PLAIN || data === NOT_PLAIN) return null
  if (!(s.expires == null || s.expires instanceof Date)) return null
  if (!(s.refreshTokenExpires == null || s.refreshTokenExpires instanceof Date)) return null
  return {
    id: s.id,
    shop: s.shop,
    state: s.state,
    isOnline: s.isOnline,
    scope: s.scope ?? undefined,
    expires: s.expires == null ? undefined : s.expires.getTime(),
    accessToken: s.accessToken ?? undefined,
    refreshToken: s.refreshToken ?? undefined,
    refreshTokenExpires: s.refreshTokenExpires == null ? undefined : s.refreshTokenExpires.getTime(),
    onlineAccessInfo: info,
    data,
  }
}

/**
 * How session `s` differs from template `t` in fields the core can patch (every top-level one
 * but the id and the objects): `undefined` when JSON.stringify(s) would write exactly the
 * canonical text of `t` (nothing differs); else `{ changes, template }`, the changed fields as
 * the JSON text of an object (`null` for absent; written here, not by JSON.stringify of an
 * object, as this runs on every changed store) and the template of the changed session; `null`
 * when the id, `onlineAccessInfo` or `data` differ or a changed field holds a value of another
 * type than its kind's (the whole session is then written and checked, which words any error).
 * Field by field, each read once (a getter is asked once), for the reason given at the top.
 */
function changedFields(s, t) {
  if (s.id !== t.id || !sameObject(s.onlineAccessInfo, t.onlineAccessInfo) || !sameObject(s.data, t.data)) return null
  const shop = s.shop
  const state = s.state
  const isOnline = s.isOnline
  const scope = optionalText(s.scope)
  const expires = dateValue(s.expires)
  const accessToken = optionalText(s.accessToken)
  const refreshToken = optionalText(s.refreshToken)
  const refreshTokenExpires = dateValue(s.refreshTokenExpires)
  if (
    shop === t.shop && state === t.state && isOnline === t.isOnline && scope === t.scope && expires === t.expires &&
    accessToken === t.accessToken && refreshToken === t.refreshToken && refreshTokenExpires === t.refreshTokenExpires
  ) {
    return undefined
  }
  if (
    typeof shop !== 'string' || typeof state !== 'string' || typeof isOnline !== 'boolean' || scope === NOT_PLAIN ||
    expires === NOT_PLAIN || accessToken === NOT_PLAIN || refreshToken === NOT_PLAIN || refreshTokenExpires === NOT_PLAIN
  ) {
    return null
  }
  // The core's field names are plain identifiers: no escaping.
  let changes = ''
  if (shop !== t.shop) changes += `,"shop":${JSON.stringify(shop)}`
  if (state !== t.state) changes += `,"state":${JSON.stringify(state)}`
  if (isOnline !== t.isOnline) changes += `,"isOnline":${isOnline}`
  if (scope !== t.scope) changes += `,"scope":${member(scope)}`
  // Dates written from the instants read above: a getter read since may have moved the Date.
  if (expires !== t.expires) changes += `,"expires":${member(expires === undefined ? undefined : isoAt(expires))}`
  if (accessToken !== t.accessToken) changes += `,"accessToken":${member(accessToken)}`
  if (refreshToken !== t.refreshToken) changes += `,"refreshToken":${member(refreshToken)}`
  if (refreshTokenExpires !== t.refreshTokenExpires) {
    changes += `,"refreshTokenExpires":${member(refreshTokenExpires === undefined ? undefined : isoAt(refreshTokenExpires))}`
  }
  return {
    changes: `{${changes.slice(1)}}`,
    template: {
      id: t.id,
      shop,
      state,
      isOnline,
      scope,
      expires,
      accessToken,
      refreshToken,
      refreshTokenExpires,
      onlineAccessInfo: t.onlineAccessInfo,
      data: t.data,
    },
  }
}

/** A scopes or token field's template value: a string, or undefined for absent. */
function optionalText(v) {
  return v === undefined || v === null ? undefined : typeof v === 'string' ? v : NOT_PLAIN
}

/** A date field's template value: epoch ms, or undefined for absent. */
function dateValue(v) {
  if (v === undefined || v === null) return undefined
  if (!(v instanceof Date)) return NOT_PLAIN
  const ms = v.getTime()
  return Number.isNaN(ms) ? NOT_PLAIN : ms
}

/** A changed optional member's JSON value. */
function member(v) {
  return v === undefined ? 'null' : JSON.stringify(v)
}

function sameObject(value, expected) {
  return expected === undefined ? value === undefined || value === null : sameJson(value, expected)
}

/**
 * Whether `value` is exactly the JSON value `expected` (from JSON.parse): plain objects with
 * the same keys in the same order, arrays, equal primitives. Anything JSON.stringify would
 * write differently (a Date, a class instance, a toJSON method) does not match.
 */
function sameJson(value, expected) {
  if (typeof expected !== 'object' || expected === null) return value === expected
  if (typeof value !== 'object' || value === null) return false
  if (Array.isArray(expected)) {
    if (!Array.isArray(value) || value.length !== expected.length) return false
    for (let i = 0; i < expected.length; i++) if (!sameJson(value[i], expected[i])) return false
    return true
  }
  const proto = Object.getPrototypeOf(value)
  if ((proto !== Object.prototype && proto !== null) || Array.isArray(value)) return false
  const keys = Object.keys(value)
  const expectedKeys = Object.keys(expected)
  if (keys.length !== expectedKeys.length) return false
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== expectedKeys[i] || !sameJson(value[keys[i]], expected[keys[i]])) return false
  }
  return true
}

/** A deep copy of a JSON value (as JSON.parse builds them: plain objects, arrays, primitives). */
function copyJson(value) {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const copy = new Array(value.length)
    for (let i = 0; i < value.length; i++) copy[i] = copyJson(value[i])
    return copy
  }
  // A spread copies a plain object's own properties in one step (an own "__proto__" key
  // included, as a data property); then the objects inside are copied in turn. Assigning to an
  // own "__proto__" data property sets that property, not the prototype.
  const copy = { ...value }
  for (const key in copy) {
    const v = copy[key]
    if (typeof v === 'object' && v !== null && Object.hasOwn(copy, key)) copy[key] = copyJson(v)
  }
  return copy
}

/** A copy of `value` if it holds plain JSON values only (as JSON.parse builds them). */
function copyPlain(value) {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'number' ? (Number.isFinite(value) ? value : NOT_PLAIN)
      : typeof value === 'string' || typeof value === 'boolean' || value === null ? value : NOT_PLAIN
  }
  if (Array.isArray(value)) {
    const copy = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || (copy[i] = copyPlain(value[i])) === NOT_PLAIN) return NOT_PLAIN
    }
    return copy
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN
  const copy = {}
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return NOT_PLAIN
    if ((copy[key] = copyPlain(value[key])) === NOT_PLAIN) return NOT_PLAIN
  }
  return copy
}

module.exports = { templateOf, fill, templateOfSession, changedFields, copyJson }
