'use strict'
// Host values -> JSON text for the core. Only conversion lives here: what the text means is
// decided by the core.

const { native } = require('./core.js')
const { SessionStorageError } = require('./errors.js')

/** The session's fields in canonical order, from the core's table: `{ js, python, kind }`. */
const FIELDS = Object.freeze(native.sessionFields().map(Object.freeze))
/** The keys of canonical JSON, in canonical order. */
const SESSION_KEYS = Object.freeze(FIELDS.map((f) => f.js))
/** The Python spellings the core also reads (`access_token` for `accessToken`, …). */
const SNAKE_CASE_KEYS = Object.freeze(FIELDS.filter((f) => f.python !== f.js).map((f) => f.python))

// Date#toISOString costs ~0.35 µs, as much as the rest of a session's toJSON: the strings of
// recently seen instants are kept (sessions are written again and again with the same dates),
// in slots picked by the instant's low bits: a lookup is an index and a compare, where a Map
// keyed by a number hashes it and walks a bucket on every toJSON.
const ISO_SLOTS = 8192
const isoTimes = new Float64Array(ISO_SLOTS).fill(NaN)
const isoTexts = new Array(ISO_SLOTS).fill('')

function iso(date) {
  return isoAt(date.getTime())
}

/** The ISO text of the instant `ms` (a valid Date's time). */
function isoAt(ms) {
  const slot = ms & (ISO_SLOTS - 1)
  if (isoTimes[slot] === ms) return isoTexts[slot]
  const text = new Date(ms).toISOString()
  rememberIso(ms, text)
  return text
}

/** Records the ISO text of `ms` (also for dates read from canonical JSON). */
function rememberIso(ms, text) {
  const slot = ms & (ISO_SLOTS - 1)
  isoTimes[slot] = ms
  isoTexts[slot] = text
}

/** What a value JSON cannot carry is, for messages; `undefined` when JSON can carry it. */
function notJson(value) {
  switch (typeof value) {
    case 'object':
      return value instanceof Date && Number.isNaN(value.getTime()) ? 'an invalid Date' : undefined
    case 'number':
      return Number.isFinite(value) ? undefined : String(value)
    case 'bigint':
    case 'function':
    case 'symbol':
      return `a ${typeof value}`
    default:
      return undefined
  }
}

/**
 * A top-level session field as JSON carries it (Dates as ISO strings). JSON would silently
 * drop a function or turn NaN and an invalid Date into null, which the core would read as
 * "absent"; those are refused here, naming the field.
 */
function jsonField(key, value, code) {
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (value instanceof Date && !Number.isNaN(value.getTime())) return iso(value)
  const bad = notJson(value)
  if (bad === undefined) return value
  const what = code === 'INVALID_SESSION' ? 'invalid session' : 'session'
  throw new SessionStorageError(`${what}: "${key}" must be a JSON value, got ${bad}`, code)
}

/**
 * The known session fields of `value` (any object: ours, Shopify's, a plain one), for JSON: what
 * Session#toJSON gives, so on every store. Field by field, as lib/fields.js spells the table
 * out (js/test/fields.test.js holds it to the table): a loop over the keys costs a keyed read
 * and a keyed store per field.
 */
function sessionFields(value, code) {
  const fields = {}
  let v
  if ((v = value.id) !== undefined && v !== null) fields.id = jsonField('id', v, code)
  if ((v = value.shop) !== undefined && v !== null) fields.shop = jsonField('shop', v, code)
  if ((v = value.state) !== undefined && v !== null) fields.state = jsonField('state', v, code)
  if ((v = value.isOnline) !== undefined && v !== null) fields.isOnline = jsonField('isOnline', v, code)
  if ((v = value.scope) !== undefined && v !== null) fields.scope = jsonField('scope', v, code)
  if ((v = value.expires) !== undefined && v !== null) fields.expires = jsonField('expires', v, code)
  if ((v = value.accessToken) !== undefined && v !== null) fields.accessToken = jsonField('accessToken', v, code)
  if ((v = value.refreshToken) !== undefined && v !== null) fields.refreshToken = jsonField('refreshToken', v, code)
  if ((v = value.refreshTokenExpires) !== undefined && v !== null) {
    fields.refreshTokenExpires = jsonField('refreshTokenExpires', v, code)
  }
  if ((v = value.onlineAccessInfo) !== undefined && v !== null) {
    fields.onlineAccessInfo = jsonField('onlineAccessInfo', v, code)
  }
  if ((v = value.data) !== undefined && v !== null) fields.data = jsonField('data', v, code)
  return fields
}

/**
 * JSON.stringify of a session-shaped value, every failure a SessionStorageError with the
 * original as `cause`: a BigInt or a cycle inside `data` (TypeError messages name keys, never
 * values), or a getter that throws.
 */
function stringify(value, code) {
  try {
    return JSON.stringify(value)
  } catch (e) {
    throw asSessionError(e, code)
  }
}

function asSessionError(e, code) {
  if (e instanceof SessionStorageError) return e
  const message = e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(e)
  return new SessionStorageError(`session cannot be written as JSON: ${message}`, code, { cause: e })
}

/**
 * JSON text of a value offered as a session: an object (its known fields), a property array,
 * or anything else for the core to describe. `code` labels failures (INVALID_ARGUMENT for the
 * app's input, INVALID_SESSION for what a store returned).
 */
function sessionText(value, code) {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return stringify(value, code)
    let fields
    try {
      // Each field is read once, here: the text the core validates is this snapshot.
      fields = sessionFields(value, code)
      // Input may spell fields in snake_case (a store shared with Python apps): the core merges
      // the two spellings and refuses a conflict, so forward them as found.
      for (let i = 0; i < SNAKE_CASE_KEYS.length; i++) {
        const key = SNAKE_CASE_KEYS[i]
        const v = value[key]
        if (v !== undefined && v !== null) fields[key] = jsonField(key, v, code)
      }
    } catch (e) {
      throw asSessionError(e, code)
    }
    return stringify(fields, code)
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

module.exports = {
  FIELDS, SESSION_KEYS, iso, isoAt, rememberIso, jsonField, sessionFields, sessionText, stringify, asSessionError, tagOf,
}
