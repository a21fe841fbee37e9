'use strict'
// tests/vectors/callback_policy.json (also read by the Rust and Python suites): the real
// CustomSessionStorage with scripted callbacks gives the same outcome, code and message as in
// Python — partial deleteSessions failures, timeouts, values that cannot be printed.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { CustomSessionStorage, SessionStorageError } = require('../index.js')
const { vectors } = require('./helpers.js')

const { cases } = vectors('callback_policy.json')

/** An Error subclass named `type`; `message: null` makes reading its message throw. */
function errorOf({ type, message }) {
  const Class = { [type]: class extends Error {} }[type]
  if (message === null) {
    Object.defineProperty(Class.prototype, 'message', {
      get() {
        throw new Error('no message for you')
      },
    })
    return new Class()
  }
  return new Class(message)
}

/** What a `{"throw": …}` script throws. */
function thrownBy(thrown) {
  switch (thrown.js) {
    case undefined:
      return errorOf(thrown)
    case 'symbol':
      return Symbol('s')
    case 'string':
      return 'plain string'
    case 'undefined':
      return undefined
    case 'hostile object':
      return {
        toString() {
          throw new Error('no')
        },
      }
    case 'null prototype':
      return Object.create(null)
    default:
      throw new Error(`unknown thrown value ${thrown.js}`)
  }
}

/** The callback a script describes; every value it throws is pushed to `thrown`. */
function scripted(name, script, called, thrown) {
  return (arg) => {
    called.push([name, Array.isArray(arg) ? [...arg] : typeof arg === 'string' ? arg : arg.id])
    const own = script?.byId !== undefined ? (script.byId[arg] ?? script.default) : script
    if (own !== null && typeof own === 'object' && 'throw' in own) {
      const value = thrownBy(own.throw)
      thrown.push(value)
      if (own.sync) throw value
      return Promise.reject(value)
    }
    if (own !== null && typeof own === 'object' && own.hang) return new Promise(() => {})
    return Promise.resolve(own)
  }
}

function storageFor(v, called, thrown) {
  const cb = (name) => scripted(name, v.callbacks[name], called, thrown)
  const options = {}
  if (v.timeoutMs !== undefined) options.timeoutMs = v.timeoutMs
  if (v.callbacks.deleteSessions !== undefined) options.deleteSessionsCallback = cb('deleteSessions')
  return new CustomSessionStorage(cb('store'), cb('load'), cb('delete'), options)
}

test('the policy vectors cover what they must', () => {
  assert.ok(cases.length >= 15)
  const all = JSON.stringify(cases)
  for (const needed of ['"hang":true', '"message":null', '(2 of 10 ids)', '"js":"symbol"']) {
    assert.ok(all.includes(needed), needed)
  }
})

for (const v of cases.filter((c) => c.hosts === undefined || c.hosts.includes('node'))) {
  test(`callback policy: ${v.name}`, async () => {
    const called = []
    const thrown = []
    const storage = storageFor(v, called, thrown)
    const [method, arg] = v.call
    const run = storage[method](arg)
    if (v.expect.error === undefined) {
      assert.deepEqual(await run, v.expect.result ?? undefined)
    } else {
      const { code, message, cause } = v.expect.error
      await assert.rejects(run, (e) => {
        assert.ok(e instanceof SessionStorageError, String(e))
        assert.deepEqual({ code: e.code, message: e.message }, { code, message })
        if (cause === null) assert.equal(e.cause, undefined, 'no cause')
        else if (cause === 'thrown') assert.equal(e.cause, thrown[0], 'the very value thrown')
        else {
          assert.ok(e.cause instanceof SessionStorageError)
          assert.deepEqual({ code: e.cause.code, message: e.cause.message }, { code: cause.code, message: cause.message })
        }
        return true
      })
    }
    for (const [name, expected] of Object.entries(v.called ?? {})) {
      const got = called.filter(([n]) => n === name).map(([, a]) => a)
      const key = (a) => JSON.stringify(a)
      assert.deepEqual(got.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)), expected, name)
    }
  })
}
