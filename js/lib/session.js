'use strict'
// The Session class: plain data properties (Shopify-compatible), semantics from the core.

const { inspect } = require('node:util')
const { native, canonicalize, call } = require('./core.js')
const { invalidArgument } = require('./errors.js')
const { SESSION_KEYS, rememberIso, sessionFields, sessionText, stringify } = require('./convert.js')

const SECRET = new Set(['accessToken', 'refreshToken'])

/**
 * Fills `s` from a parsed canonical JSON object. Every property is set, in canonical order,
 * so all sessions share one shape and `JSON.stringify` meets the keys in canonical order.
 */
function assign(s, o) {
  s.id = o.id
  s.shop = o.shop
  s.state = o.state
  s.isOnline = o.isOnline
  s.scope = o.scope
  s.expires = o.expires === undefined ? undefined : dateOf(o.expires)
  s.accessToken = o.accessToken
  s.refreshToken = o.refreshToken
  s.refreshTokenExpires = o.refreshTokenExpires === undefined ? undefined : dateOf(o.refreshTokenExpires)
  s.onlineAccessInfo = o.onlineAccessInfo
  s.data = o.data
  return s
}

/** A Date from canonical ISO text, remembering the text for the next toJSON. */
function dateOf(isoText) {
  const date = new Date(isoText)
  rememberIso(date.getTime(), isoText)
  return date
}

function scopesArgument(scopes, name) {
  if (typeof scopes === 'string') return scopes
  const list =
    scopes !== null && typeof scopes === 'object' && typeof scopes.toArray === 'function'
      ? scopes.toArray() // Shopify's AuthScopes
      : scopes
  if (Array.isArray(list) && list.every((s) => typeof s === 'string')) return list
  throw invalidArgument(
    `${name} must be a string, an array of strings or AuthScopes, got ${describe(scopes)}`,
  )
}

function withinArgument(within) {
  if (within === undefined || typeof within === 'number') return within
  throw invalidArgument(`withinMillisecondsOfExpiry must be a number, got ${describe(within)}`)
}

function booleanArgument(value, name) {
  if (value === undefined || typeof value === 'boolean') return value === true
  throw invalidArgument(`${name} must be a boolean, got ${describe(value)}`)
}

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  const type = typeof value
  return type === 'undefined' ? 'undefined' : `a value of type ${type}`
}

class Session {
  constructor(params) {
    if (params instanceof Session) {
      const text = stringify(params, 'INVALID_ARGUMENT')
      assign(this, JSON.parse(canonicalize(text, false) ?? text))
      return
    }
    const text = sessionText(params, 'INVALID_ARGUMENT')
    assign(this, JSON.parse(canonicalize(text, false) ?? text))
  }

  isActive(scopes, withinMillisecondsOfExpiry) {
    const given = scopes === undefined ? undefined : scopesArgument(scopes, 'scopes')
    return call(native.isActive, stringify(this, 'INVALID_ARGUMENT'), given, withinArgument(withinMillisecondsOfExpiry))
  }

  isExpired(withinMillisecondsOfExpiry) {
    return call(native.isExpired, stringify(this, 'INVALID_ARGUMENT'), withinArgument(withinMillisecondsOfExpiry))
  }

  isScopeChanged(scopes) {
    const given = scopes === undefined ? undefined : scopesArgument(scopes, 'scopes')
    return call(native.isScopeChanged, stringify(this, 'INVALID_ARGUMENT'), given)
  }

  isScopeIncluded(scopes) {
    return call(native.isScopeIncluded, stringify(this, 'INVALID_ARGUMENT'), scopesArgument(scopes, 'scopes'))
  }

  equals(other) {
    if (other === undefined || other === null) return false
    const otherText =
      other instanceof Session ? stringify(other, 'INVALID_ARGUMENT') : sessionText(other, 'INVALID_ARGUMENT')
    return call(native.equals, stringify(this, 'INVALID_ARGUMENT'), otherText)
  }

  toObject() {
    const object = { id: this.id, shop: this.shop, state: this.state, isOnline: this.isOnline }
    for (let i = 4; i < SESSION_KEYS.length; i++) {
      const key = SESSION_KEYS[i]
      const v = this[key]
      if (v === undefined || v === null) continue
      object[key] = v instanceof Date ? new Date(v.getTime()) : typeof v === 'object' ? structuredClone(v) : v
    }
    return object
  }

  toJSON() {
    return sessionFields(this, 'INVALID_ARGUMENT')
  }

  toPropertyArray(returnUserData) {
    const withUser = booleanArgument(returnUserData, 'returnUserData')
    return JSON.parse(call(native.toPropertyArray, stringify(this, 'INVALID_ARGUMENT'), withUser))
  }

  static fromPropertyArray(entries, returnUserData) {
    const withUser = booleanArgument(returnUserData, 'returnUserData')
    if (!Array.isArray(entries)) {
      throw invalidArgument(`entries must be a property array, got ${describe(entries)}`)
    }
    const text = sessionText(entries, 'INVALID_ARGUMENT')
    return fromCanonical(call(native.fromPropertyArray, text, withUser))
  }

  serialize() {
    const text = stringify(this, 'INVALID_ARGUMENT')
    return canonicalize(text, false) ?? text
  }

  static deserialize(json) {
    if (typeof json !== 'string') {
      throw invalidArgument(`deserialize expects JSON text, got ${describe(json)}`)
    }
    return fromCanonical(canonicalize(json, true) ?? json)
  }

  [inspect.custom](depth, options, inspectValue) {
    if (depth < 0) return options.stylize('[Session]', 'special')
    const shown = {}
    for (const key of Object.keys(this)) {
      const v = this[key]
      if (v === undefined) continue
      shown[key] = SECRET.has(key) && v !== null ? '[redacted]' : v
    }
    const nested = { ...options, depth: options.depth === null ? null : options.depth - 1 }
    return `Session ${inspectValue(shown, nested)}`
  }
}

/** A Session from canonical JSON text the core has already validated. */
function fromCanonical(text) {
  return assign(Object.create(Session.prototype), JSON.parse(text))
}

module.exports = { Session, fromCanonical }
