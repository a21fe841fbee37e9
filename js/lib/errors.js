'use strict'
// The one error class of the package, and the bridge from the native module's errors to it.

const { native } = require('./binding.js')

const CODES = native.errorCodes()

/** The stable error codes, as constants (`ErrorCode.INVALID_SESSION === 'INVALID_SESSION'`). */
const ErrorCode = Object.freeze(Object.fromEntries(CODES.map((code) => [code, code])))
const KNOWN = new Set(CODES)

class SessionStorageError extends Error {
  constructor(message, code, options) {
    super(message, options)
    this.code = code
  }
}
Object.defineProperty(SessionStorageError.prototype, 'name', {
  value: 'SessionStorageError',
  writable: true,
  configurable: true,
})

/**
 * A native error carrying one of the core's codes becomes a SessionStorageError. Anything
 * else the native module throws (a caught Rust panic, a value napi could not convert) is still
 * a SessionStorageError, INVALID_ARGUMENT (input the core could not take), the original as
 * `cause`: every failure the library raises is one class.
 */
function fromNative(e) {
  if (e instanceof SessionStorageError) return e
  if (e !== null && typeof e === 'object' && KNOWN.has(e.code)) {
    return new SessionStorageError(e.message, e.code)
  }
  const message = e !== null && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(e)
  return new SessionStorageError(`sessionkeeper could not handle this input: ${message}`, 'INVALID_ARGUMENT', { cause: e })
}

/** An error the core described as data (`{code, message}`), with the original error as cause. */
function raise(info, cause) {
  return cause === undefined
    ? new SessionStorageError(info.message, info.code)
    : new SessionStorageError(info.message, info.code, { cause })
}

/** A host-type error: the value is not even the JS type an argument must have. */
function invalidArgument(message) {
  return new SessionStorageError(message, 'INVALID_ARGUMENT')
}

module.exports = { ErrorCode, SessionStorageError, fromNative, raise, invalidArgument }
