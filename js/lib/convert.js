'use strict'
// Host values -> JSON text for the core. Only conversion lives here: what the text means is
// decided by the core.

const { native } = require('./core.js')
const { SessionStorageError } = require('./errors.js')

/** The keys of canonical JSON, in canonical order (from the core). */
const SESSION_KEYS = Object.freeze(native.sessionKeys())

function iso(date) {
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString()
}

/**
 * A top-level session field as JSON can carry it. Values JSON would silently drop or turn into
 * null (an invalid Date, NaN, a function) become strings instead, so the core rejects them
 * with a message naming the field rather than reading "absent".
 */
function jsonField(value) {
  switch (typeof value) {
    case 'object':
      return value instanceof Date ? iso(value) : value
    case 'number':
      return Number.isFinite(value) ? value : String(value)
    case 'bigint':
    case 'function':
    case 'symbol':
      return `[${typeof value}]`
    default:
      return value
  }
}

/** The known session fields of `value` (any object: ours, Shopify's, a plain one), for JSON. */
function sessionFields(value) {
  const fields = {}
  for (let i = 0; i < SESSION_KEYS.length; i++) {
    const key = SESSION_KEYS[i]
    const v = value[key]
    if (v !== undefined && v !== null) fields[key] = jsonField(v)
  }
  return fields
}

function stringify(value, code) {
  try {
    return JSON.stringify(value)
  } catch (e) {
    // A BigInt or a cycle inside `data`; TypeError messages name keys, never values.
    throw new SessionStorageError(`session cannot be written as JSON: ${e.message}`, code)
  }
}

/**
 * JSON text of a value offered as a session: an object (its known fields), a property array,
 * or anything else for the core to describe. `code` labels failures (INVALID_ARGUMENT for the
 * app's input, INVALID_SESSION for what a store returned).
 */
function sessionText(value, code) {
  if (value !== null && typeof value === 'object') {
    return stringify(Array.isArray(value) ? value : sessionFields(value), code)
  }
  const type = typeof value
  if (type === 'undefined' || type === 'function' || type === 'symbol' || type === 'bigint') {
    throw new SessionStorageError(
      `expected a session (an object or a property array), got ${type === 'undefined' ? 'undefined' : `a ${type}`}`,
      code,
    )
  }
  return JSON.stringify(value)
}

/** How a callback result that is neither text nor an object is described to the core. */
function tagOf(value) {
  if (value === undefined || value === null) return 'nothing'
  const type = typeof value
  if (type === 'boolean') return value ? 'true' : 'false'
  if (type === 'string' || type === 'object') return 'json'
  return type
}

module.exports = { SESSION_KEYS, iso, jsonField, sessionFields, sessionText, stringify, tagOf }
