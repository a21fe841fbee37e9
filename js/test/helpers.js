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
function mapStorage({ shape = 'text', sync = false, deleteMany = true, timeoutMs, cache } = {}) {
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
  if (cache !== undefined) options.cache = cache
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

/**
 * The exact JSON text of each case's `input` in a vector file, by case name. JSON.parse would
 * round integers beyond 2^53, and the text paths must see the bytes the vector holds.
 */
function rawInputs(name) {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'vectors', name), 'utf8')
  const inputs = new Map()
  const re = /"name"\s*:\s*"([^"]+)"\s*,\s*"input"\s*:\s*/g
  let m
  while ((m = re.exec(text)) !== null) {
    inputs.set(m[1], text.slice(re.lastIndex, valueEnd(text, re.lastIndex)))
  }
  return inputs
}

/** The index just past the JSON value starting at `start`. */
function valueEnd(text, start) {
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') {
      inString = true
    } else if (c === '{' || c === '[') {
      depth++
    } else if (c === '}' || c === ']') {
      depth--
      if (depth === 0) return i + 1
      if (depth < 0) return i
    } else if (depth === 0 && (c === ',' || c === '\n')) {
      return i
    }
  }
  return text.length
}

module.exports = { tempDir, mapStorage, vectors, rawInputs }
