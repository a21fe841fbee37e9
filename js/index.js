'use strict'
// sessionkeeper: Shopify-compatible session storage backed by a Rust core.

const { Session } = require('./lib/session.js')
const { CustomSessionStorage } = require('./lib/custom.js')
const { MemorySessionStorage, FileSessionStorage } = require('./lib/stores.js')
const { SessionStorageError, ErrorCode } = require('./lib/errors.js')
const { SessionManager, ManagedSession, cookieStorage } = require('./lib/manager.js')

module.exports = {
  Session,
  CustomSessionStorage,
  MemorySessionStorage,
  FileSessionStorage,
  SessionStorageError,
  ErrorCode,
  SessionManager,
  ManagedSession,
  cookieStorage,
}
