'use strict'
// The interpreter of the conformance battery. The cases, their sessions, their steps and what
// each step must give are data (tests/vectors/battery.json, described in tests/vectors/README.md),
// embedded in the native module so the installed package carries exactly what the repository's
// suites run; this file only knows how each step kind is done in Node (ARCHITECTURE.md, "Tests").

const { AssertionError } = require('node:assert')
const assert = require('node:assert/strict')
const { native } = require('./core.js')
const { Session } = require('./session.js')
const { SessionStorageError } = require('./errors.js')

const VERSION = 1
const METHODS = {
  store: 'storeSession',
  load: 'loadSession',
  delete: 'deleteSession',
  deleteMany: 'deleteSessions',
  find: 'findSessionsByShop',
}

/** `{battery, sessions, invalid}` from their JSON text, refusing a version this kit does not know. */
function readVectors(text) {
  const vectors = JSON.parse(text)
  for (const [name, file] of Object.entries(vectors)) {
    if (file?.version !== VERSION) {
      throw new Error(`tests/vectors: ${name} has version ${file?.version}, this kit reads version ${VERSION}`)
    }
  }
  return vectors
}

/** Whether every session of `a` equals one of `b`, and the lengths match (Shopify's helper). */
function sessionArraysEqual(a, b) {
  return a.length === b.length && a.every((s) => b.some((t) => s.equals(t)))
}

function named(list, name, file) {
  const found = list.find((c) => c.name === name)
  if (found === undefined) throw new Error(`tests/vectors/${file} has no case "${name}"`)
  return found
}

/** A value spec (`{secondsFromNow}` at whole seconds, as Shopify builds dates; `{repeat, times}`), or the value. */
function valueOf(v, now) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
  const keys = Object.keys(v).sort().join()
  if (keys === 'secondsFromNow') return new Date(Math.floor(now / 1000) * 1000 + v.secondsFromNow * 1000)
  if (keys === 'repeat,times') return v.repeat.repeat(v.times)
  return v
}

/** The plain object a session spec describes: `like` another session of the case, `vector` a sessions.json input. */
function paramsOf(spec, specs, vectors) {
  const { like, vector, ...own } = spec
  if (like !== undefined) {
    if (!(like in specs)) throw new Error(`no session "${like}" in this case`)
    return { ...paramsOf(specs[like], specs, vectors), ...own }
  }
  if (vector !== undefined) return { ...named(vectors.sessions.sessions, vector, 'sessions.json').input, ...own }
  return own
}

/** Each named session of a case as `[{params, session}]` (one entry, or a group's members). */
function sessionsOf(specs, vectors, now) {
  const entry = (params) => {
    const resolved = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, valueOf(v, now)]))
    return { params: resolved, session: new Session(resolved) }
  }
  const out = new Map()
  for (const [name, spec] of Object.entries(specs)) {
    let members
    if (Array.isArray(spec)) members = spec.map((s) => paramsOf(s, specs, vectors))
    else if (spec.count !== undefined) {
      const fill = (i) => (v) => (typeof v === 'string' ? v.replaceAll('{i}', String(i)) : v)
      members = Array.from({ length: spec.count }, (_, i) =>
        Object.fromEntries(Object.entries(spec.each).map(([k, v]) => [k, fill(i)(v)])),
      )
    } else members = [paramsOf(spec, specs, vectors)]
    out.set(name, members.map(entry))
  }
  return out
}

/** The argument an app hands over: a fresh Session (`as: "object"`: a plain object), plus any extra fields. */
function argumentOf({ params }, step) {
  if (step.as === 'object') return { ...structuredClone(params), ...step.extraFields }
  return Object.assign(new Session(params), step.extraFields)
}

/** The calls a step makes, each `[args, expect]` (one per member when it names a group). */
function callsOf(step, sessions, vectors, now) {
  const group = (name) => {
    if (!sessions.has(name)) throw new Error(`no session "${name}" in this case`)
    return sessions.get(name)
  }
  const expectFor = (i) => {
    const e = step.expect
    if (e === null || typeof e !== 'object' || e.session === undefined) return e
    const members = group(e.session)
    return { ...e, session: (members[i] ?? members[0]).session }
  }
  switch (step.op) {
    case 'store':
      if (step.invalid !== undefined) {
        const c = named(vectors.invalid.cases, step.invalid, 'invalid.json')
        return [[[structuredClone(c.input)], { error: c.argument, field: c.field }]]
      }
      if (step.session === undefined) return [[[step.value ?? undefined], step.expect]]
      return group(step.session).map((m, i) => [[argumentOf(m, step)], expectFor(i)])
    case 'load':
    case 'delete':
      if (step.session === undefined) return [[[valueOf(step.id, now)], expectFor(0)]]
      return group(step.session).map((m, i) => [[m.session.id], expectFor(i)])
    case 'deleteMany': {
      const ids = step.sessions
        ? step.sessions.flatMap((name) => group(name).map((m) => m.session.id))
        : Array.isArray(step.ids) ? step.ids.map((id) => valueOf(id, now)) : step.ids
      return [[[ids], step.expect]]
    }
    case 'find': {
      const expect = Array.isArray(step.expect?.sessions)
        ? { sessions: step.expect.sessions.flatMap((name) => group(name).map((m) => m.session)) }
        : step.expect
      return [[[valueOf(step.shop, now)], expect]]
    }
    default:
      throw new Error(`unknown step op "${step.op}"`)
  }
}

/** What a call gave, for a message: never a session's tokens. */
function describe(value) {
  if (value === undefined) return 'undefined'
  if (value instanceof Session) return `a Session (id ${JSON.stringify(value.id.slice(0, 40))})`
  if (Array.isArray(value)) return `an array of ${value.length}`
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value).slice(0, 40)}`
}

function checkSession(loaded, expected, expect) {
  assert.ok(loaded instanceof Session, `resolves a Session, got ${describe(loaded)}`)
  assert.ok(expected.equals(loaded), `the loaded session equals the stored one (id ${expected.id.slice(0, 40)})`)
  assert.equal(JSON.stringify(loaded), expected.serialize(), 'the loaded session has the same canonical JSON')
  if (expect.activeFor !== undefined) assert.ok(loaded.isActive(expect.activeFor), `active for ${expect.activeFor}`)
  if (expect.inactiveFor !== undefined) assert.ok(!loaded.isActive(expect.inactiveFor), `not active for ${expect.inactiveFor}`)
  if (expect.expired !== undefined) assert.equal(loaded.isExpired(), expect.expired, `isExpired() is ${expect.expired}`)
}

/** Awaits one call and checks its outcome against `expect`; resolves what it resolved to. */
async function call(storage, method, args, expect) {
  if (expect === undefined) throw new Error('the step says nothing about what to expect')
  let pending
  try {
    pending = storage[method](...args)
  } catch (e) {
    throw new AssertionError({ message: `${method} threw instead of returning a promise: ${e}` })
  }
  let result
  try {
    result = await pending
  } catch (e) {
    if (expect === null || typeof expect !== 'object' || expect.error === undefined) throw e
    assert.ok(e instanceof SessionStorageError, `rejects with a SessionStorageError, got ${e}`)
    assert.equal(e.code, expect.error, `rejects with ${expect.error}: ${e.message}`)
    if (expect.field) assert.ok(e.message.includes(expect.field), `the message names ${expect.field}: ${e.message}`)
    return undefined
  }
  if (expect === null) assert.equal(result, undefined, `${method} resolves undefined (nothing there), got ${describe(result)}`)
  else if (typeof expect === 'boolean') assert.equal(result, expect, `${method} resolves ${expect}, got ${describe(result)}`)
  else if (expect.error !== undefined) assert.fail(`${method} should reject with ${expect.error}, resolved ${describe(result)}`)
  else if (expect.session !== undefined) checkSession(result, expect.session, expect)
  else if (expect.sessions !== undefined) {
    assert.ok(Array.isArray(result), `${method} resolves an array, got ${describe(result)}`)
    assert.ok(result.every((s) => s instanceof Session), 'every item is a Session')
    assert.ok(sessionArraysEqual(result, expect.sessions), `the sessions found equal the ${expect.sessions.length} expected (any order), got ${result.length}`)
    const texts = (list) => list.map((s) => JSON.stringify(s)).sort()
    assert.deepEqual(texts(result), texts(expect.sessions), 'the sessions found have the expected canonical JSON')
  }
  return result
}

/** Mutates what the app handed over (`stored`) or got back (`loaded`): a storage keeps copies. */
function change(step, state) {
  for (const target of state[step.what] ?? []) {
    Object.assign(target, step.set)
    if (step.setData) Object.assign(target.data, step.setData)
  }
}

/** Runs one case of the battery against `storage`; a failed step throws an AssertionError naming it. */
async function runCase(theCase, storage, vectors = VECTORS) {
  const now = Date.now()
  const sessions = sessionsOf(theCase.sessions, vectors, now)
  const state = { stored: [], loaded: [] }
  for (const [index, step] of theCase.steps.entries()) {
    try {
      if (step.op === 'change') {
        change(step, state)
        continue
      }
      const method = METHODS[step.op]
      const calls = callsOf(step, sessions, vectors, now)
      const run = ([args, expect]) => call(storage, method, args, expect)
      const results = step.concurrently ? await Promise.all(calls.map(run)) : []
      if (!step.concurrently) for (const c of calls) results.push(await run(c))
      if (step.op === 'store') state.stored = calls.map(([args]) => args[0])
      if (step.op === 'load') state.loaded = results.filter((r) => r instanceof Session)
    } catch (e) {
      const error = new AssertionError({ message: `${theCase.name}, step ${index + 1} (${step.op}): ${e.message}` })
      error.cause = e
      throw error
    }
  }
}

const VECTORS = readVectors(native.BATTERY_VECTORS)

/** The cases by name, `(storage) => Promise<void>`, in the data's order: `appData` ones apart. */
function casesWhere(appData) {
  const chosen = VECTORS.battery.cases.filter((c) => (c.appData === true) === appData)
  return Object.freeze(Object.fromEntries(chosen.map((c) => [c.name, (storage) => runCase(c, storage)])))
}

module.exports = {
  cases: casesWhere(false),
  dataCases: casesWhere(true),
  readVectors,
  runCase,
  sessionArraysEqual,
}
