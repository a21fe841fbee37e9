'use strict'
// The Session class: plain data properties (Shopify-compatible), semantics from the core.

const { inspect } = require('node:util')
const { native, canonicalize, call } = require('./core.js')
const { fromNative, invalidArgument } = require('./errors.js')
const { SESSION_KEYS, sessionFields, sessionText, stringify } = require('./convert.js')
const { templateOf, fill } = require('./fields.js')

/** Fills `s` from canonical JSON text (a fresh parse, so nothing needs copying). */
function assign(s, canonicalText) {
  return fill(s, templateOf(JSON.parse(canonicalText)), false)
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
    const text =
      params instanceof Session ? stringify(params, 'INVALID_ARGUMENT') : sessionText(params, 'INVALID_ARGUMENT')
    assign(this, canonicalize(text, false) ?? text)
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

  /** The core's one redaction rule: tokens `<redacted>`, `data` as its size (`<2 keys>`). */
  [inspect.custom](depth, options) {
    if (depth < 0) return options.stylize('[Session]', 'special')
    try {
      return native.shown(JSON.stringify(this))
    } catch (e) {
      // Never throw from inspect: say why the session cannot be shown (messages hold no tokens).
      return `Session <invalid: ${fromNative(e).message}>`
    }
  }
}

/** A Session from canonical JSON text the core has already validated. */
function fromCanonical(text) {
  return assign(Object.create(Session.prototype), text)
}

module.exports = { Session, fromCanonical }
