'use strict'
// Validated sessions kept as templates, copied per use.
//
// Building a Session from JSON text costs a JSON.parse (~1 µs for a typical session) plus the
// core's validation (~2 µs). A template is the parsed canonical form, kept where it is
// useful: a copy of it costs ~0.2 µs. Templates are never handed out, only copied, so a caller
// mutating a session can never change one.

const { Session } = require('./session.js')
const { rememberIso } = require('./convert.js')

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

/** A deep copy of a JSON value (as JSON.parse builds them: plain objects, arrays, primitives). */
function copyJson(value) {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const copy = new Array(value.length)
    for (let i = 0; i < value.length; i++) copy[i] = copyJson(value[i])
    return copy
  }
  const copy = {}
  for (const key in value) {
    // JSON.parse makes "__proto__" an own key; plain assignment would set the prototype.
    if (key === '__proto__') {
      Object.defineProperty(copy, key, { value: copyJson(value[key]), enumerable: true, writable: true, configurable: true })
    } else {
      copy[key] = copyJson(value[key])
    }
  }
  return copy
}

function sameDate(date, ms) {
  return ms === undefined ? date === undefined || date === null : date instanceof Date && date.getTime() === ms
}

function sameOptional(value, expected) {
  return expected === undefined ? value === undefined || value === null : value === expected
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

/**
 * Whether JSON.stringify(session) would write exactly the canonical text of template `t`,
 * decided without writing it: every field equal to the template's.
 */
function sameSession(s, t) {
  return (
    s.id === t.id &&
    s.shop === t.shop &&
    s.state === t.state &&
    s.isOnline === t.isOnline &&
    sameOptional(s.scope, t.scope) &&
    sameDate(s.expires, t.expires) &&
    sameOptional(s.accessToken, t.accessToken) &&
    sameOptional(s.refreshToken, t.refreshToken) &&
    sameDate(s.refreshTokenExpires, t.refreshTokenExpires) &&
    (t.onlineAccessInfo === undefined
      ? s.onlineAccessInfo === undefined || s.onlineAccessInfo === null
      : sameJson(s.onlineAccessInfo, t.onlineAccessInfo)) &&
    (t.data === undefined ? s.data === undefined || s.data === null : sameJson(s.data, t.data))
  )
}

const NOT_PLAIN = Symbol('not plain JSON')

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

/** A new Session from a template, sharing nothing mutable with it. */
function sessionOf(t) {
  const s = Object.create(Session.prototype)
  s.id = t.id
  s.shop = t.shop
  s.state = t.state
  s.isOnline = t.isOnline
  s.scope = t.scope
  s.expires = t.expires === undefined ? undefined : new Date(t.expires)
  s.accessToken = t.accessToken
  s.refreshToken = t.refreshToken
  s.refreshTokenExpires = t.refreshTokenExpires === undefined ? undefined : new Date(t.refreshTokenExpires)
  s.onlineAccessInfo = t.onlineAccessInfo === undefined ? undefined : copyJson(t.onlineAccessInfo)
  s.data = t.data === undefined ? undefined : copyJson(t.data)
  return s
}

/**
 * The last session text the core accepted for each id, with its template (built when first
 * needed). Validation is a pure function of (id, text), so the same bytes need not be
 * validated twice: loading back what was just stored, or a session loaded on every request,
 * skips the core and the JSON parse. Keyed by id, so a lookup hashes the short id and compares
 * the text once. Bounded; the oldest id goes first.
 */
class Validated {
  constructor(max = 4096) {
    this.max = max
    this.byId = new Map()
  }

  /** The template of `text` if it is the accepted text of `id`, else undefined. */
  template(id, text) {
    const entry = this.byId.get(id)
    if (entry === undefined || entry.text !== text) return undefined
    if (entry.template === null) entry.template = templateOf(JSON.parse(text))
    return entry.template
  }

  /** Records that the core accepted `text` as the canonical JSON of a session with `id`. */
  accept(id, text, template = null) {
    const entry = this.byId.get(id)
    if (entry !== undefined) {
      entry.text = text
      entry.template = template
      return
    }
    if (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value)
    this.byId.set(id, { text, template })
  }

  /** Whether `text` is the accepted text of `id`. */
  has(id, text) {
    const entry = this.byId.get(id)
    return entry !== undefined && entry.text === text
  }

  /** Whether `session` is, field for field, the session last accepted with its id. */
  holds(session) {
    // Only a template already built is compared; building one would cost the parse saved.
    const entry = this.byId.get(session.id)
    return entry !== undefined && entry.template !== null && sameSession(session, entry.template)
  }
}

module.exports = { templateOf, templateOfSession, sessionOf, copyJson, sameSession, Validated }
