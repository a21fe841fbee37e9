'use strict'
// Checks of the JS types of storage arguments; what a valid id or shop is, the core decides.

const { native, checkId, checkShop } = require('./core.js')
const { invalidArgument } = require('./errors.js')

/**
 * Refuses a string holding a lone surrogate. Converting it for the core would replace the
 * surrogate with U+FFFD, so `"a\uD800"` would silently read, or delete, the session `"a\uFFFD"`.
 */
function wellFormed(text, what) {
  if (!text.isWellFormed()) throw invalidArgument(native.loneSurrogateMessage(what))
}

/** A string argument named `name`, well-formed, then judged by the core's `check`. */
function stringArgument(value, name, check) {
  if (typeof value !== 'string') {
    throw invalidArgument(`${name} must be a string, got ${value === null ? 'null' : typeof value}`)
  }
  wellFormed(value, name)
  check(value)
  return value
}

function idArgument(id) {
  return stringArgument(id, 'id', checkId)
}

function idsArgument(ids) {
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw invalidArgument('ids must be an array of strings')
  }
  for (let i = 0; i < ids.length; i++) wellFormed(ids[i], `ids[${i}]`)
  return ids
}

function shopArgument(shop) {
  return stringArgument(shop, 'shop', checkShop)
}

/** An optional option of JS type `type` (`undefined` when absent or null); its value the core judges. */
function optionOf(options, name, type) {
  const value = options[name] ?? undefined
  if (value !== undefined && typeof value !== type) {
    throw invalidArgument(`${name} must be a ${type}, got ${typeof value}`)
  }
  return value
}

/** A record version for compare-and-store: an integer from 0 (no record yet) to 2^32 - 1. */
function versionArgument(version) {
  if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) {
    throw invalidArgument(`expectedVersion must be an integer from 0 to 4294967295, got ${String(version)}`)
  }
  return version
}

module.exports = { idArgument, idsArgument, shopArgument, optionOf, versionArgument }
