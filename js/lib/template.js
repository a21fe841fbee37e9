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
}

module.exports = { templateOf, sessionOf, copyJson, Validated }
