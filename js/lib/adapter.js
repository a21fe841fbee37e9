'use strict'
// What sessionkeeper/redis and sessionkeeper/postgres share: reading their options, building
// the core's layout, and asking it for plans (ARCHITECTURE.md, "Storages": the core plans every
// command and says what each reply means; the adapters only send).

const { fromNative, invalidArgument, SessionStorageError } = require('./errors.js')
const { optionOf, versionArgument } = require('./args.js')
const { callbackFailed } = require('./custom.js')

/**
 * The core's layout for an adapter's options (an object of the keys in `names`, or undefined):
 * `first` names the option the layout is built on (`keyPrefix`, `table`), `graceMs` its grace.
 */
function layoutOf(Layout, options, names, first) {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidArgument('options must be an object')
  }
  const given = options ?? {}
  for (const key of Object.keys(given)) {
    if (!names.has(key)) throw invalidArgument(`unknown option "${key}"`)
  }
  const value = optionOf(given, first, 'string')
  const graceMs = optionOf(given, 'graceMs', 'number')
  try {
    return { layout: new Layout(value, graceMs), given }
  } catch (e) {
    throw fromNative(e)
  }
}

/** `plan[operation](...args)` (a layout's plan, or a step's next), a refusal as a SessionStorageError. */
function planned(plan, operation, ...args) {
  try {
    return plan[operation](...args)
  } catch (e) {
    throw fromNative(e)
  }
}

/**
 * A compare-and-store (`storeSessionIfVersion`): the core's answers (CONFLICT, a refused
 * session) as they are, a driver's failure as CALLBACK_FAILED with it as `cause`.
 */
async function versioned(storeIfVersion, session, expectedVersion) {
  versionArgument(expectedVersion)
  try {
    return await storeIfVersion([session, expectedVersion])
  } catch (e) {
    if (e instanceof SessionStorageError) throw e
    throw callbackFailed('store', session.id, e)
  }
}

/** CustomSessionStorage's options for the adapter's callbacks and the caller's `timeoutMs` and `cache`. */
function customOptions(callbacks, given) {
  const custom = { deleteSessionsCallback: callbacks.removeMany, findSessionsByShopCallback: callbacks.find }
  if (given.timeoutMs !== undefined) custom.timeoutMs = given.timeoutMs
  if (given.cache !== undefined) custom.cache = given.cache
  return custom
}

/**
 * A plan refused inside a callback (PostgreSQL cannot hold U+0000, a shop over 2 KB, a date
 * before 4714 BC) reaches CustomSessionStorage as the callback's failure: the caller gets the
 * INVALID_ARGUMENT itself, as when an argument is refused before any callback runs.
 */
function unwrap(e) {
  if (e?.code === 'CALLBACK_FAILED' && e.cause instanceof SessionStorageError && e.cause.code === 'INVALID_ARGUMENT') {
    throw e.cause
  }
  throw e
}

module.exports = { layoutOf, planned, customOptions, unwrap, versioned }
