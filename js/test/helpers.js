'use strict'
// Shared pieces of the test suite.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { after } = require('node:test')
const { Session, CustomSessionStorage } = require('../index.js')

/** A temporary directory removed when the test file ends. */
function tempDir(prefix = 'sk-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * A CustomSessionStorage over a Map, its load callback answering in the shape `shape`
 * ('text' | 'object' | 'session' | 'propertyArray'), its callbacks sync or async.
 */
function mapStorage({ shape = 'text', sync = false, deleteMany = true, timeoutMs } = {}) {
  const db = new Map()
  const wrap = (fn) => (sync ? fn : async (...args) => fn(...args))
  const answer = (text) => {
    if (text === undefined) return undefined
    switch (shape) {
      case 'text':
        return text
      case 'object':
        return JSON.parse(text)
      case 'session':
        return Session.deserialize(text)
      case 'propertyArray':
        return Session.deserialize(text).toPropertyArray(true)
      default:
        throw new Error(`unknown shape ${shape}`)
    }
  }
  const options = {
    findSessionsByShopCallback: wrap((shop) =>
      [...db.values()].filter((t) => JSON.parse(t).shop === shop).map(answer),
    ),
  }
  if (deleteMany) {
    options.deleteSessionsCallback = wrap((ids) => {
      ids.forEach((id) => db.delete(id))
      return true
    })
  }
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs
  const storage = new CustomSessionStorage(
    wrap((session) => {
      db.set(session.id, JSON.stringify(session))
      return true
    }),
    wrap((id) => answer(db.get(id))),
    wrap((id) => {
      db.delete(id)
      return true
    }),
    options,
  )
  return { storage, db }
}

/** Reads one of the shared vector files of tests/vectors/. */
function vectors(name) {
  const file = path.join(__dirname, '..', '..', 'tests', 'vectors', name)
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
  if (parsed.version !== 1) throw new Error(`${name}: unknown vector version ${parsed.version}`)
  return parsed
}

module.exports = { tempDir, mapStorage, vectors }
