'use strict'
// SessionManager and sessionkeeper/express when the storage is down (issue 12, "Outages"): the
// manager fails closed. A request whose cookie names a session the storage cannot load is an
// error, never a fresh anonymous session; a commit whose write or delete fails is an error,
// never a silent drop; the Express glue hands either to next(err) (README, "When the storage is
// down"). The storage is a CustomSessionStorage whose callbacks throw (or hang) while `down`.
// The same over Redis cut through a proxy: js/test/redis-outage.test.js.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const express = require('express')
const { SessionManager, CustomSessionStorage, SessionStorageError } = require('../index.js')
const { sessionMiddleware } = require('../express.js')

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!'

/** A CustomSessionStorage over a Map whose every callback throws while `state.down`. */
function flaky(options) {
  const db = new Map()
  const state = { down: false, hang: false, calls: 0 }
  const guard = async () => {
    state.calls++
    if (state.hang) await new Promise(() => {})
    if (state.down) throw new Error('ECONNREFUSED: the store is down')
  }
  const storage = new CustomSessionStorage(
    async (s) => { await guard(); db.set(s.id, JSON.stringify(s)); return true },
    async (id) => { await guard(); return db.get(id) },
    async (id) => { await guard(); db.delete(id); return true },
    options,
  )
  return { storage, state, db }
}

const failedWith = (code, message) => (e) => {
  assert.ok(e instanceof SessionStorageError, `${e}`)
  assert.equal(e.code, code, e.message)
  if (message) assert.equal(e.cause?.message, message, 'the callback error is the cause')
  return true
}

async function signedIn(manager) {
  const s = await manager.start()
  s.set('user', 'ada')
  return (await manager.commit(s)).split(';')[0]
}

test('start with the cookie of a stored session rejects while the store is down: no anonymous session', async () => {
  const { storage, state } = flaky()
  const manager = new SessionManager({ storage, secrets: [SECRET] })
  const cookie = await signedIn(manager)
  state.down = true
  await assert.rejects(manager.start(cookie), failedWith('CALLBACK_FAILED', 'ECONNREFUSED: the store is down'))
  state.down = false
  const back = await manager.start(cookie)
  assert.equal(back.isNew, false)
  assert.equal(back.get('user'), 'ada')
})

test('a load that hangs past timeoutMs rejects as CALLBACK_TIMEOUT, also closed', async () => {
  const { storage, state } = flaky({ timeoutMs: 50 })
  const manager = new SessionManager({ storage, secrets: [SECRET] })
  const cookie = await signedIn(manager)
  state.hang = true
  await assert.rejects(manager.start(cookie), failedWith('CALLBACK_TIMEOUT'))
})

test('a commit whose store, or whose delete, fails rejects; nothing claims success', async () => {
  const { storage, state, db } = flaky()
  const manager = new SessionManager({ storage, secrets: [SECRET] })
  const cookie = await signedIn(manager)
  const changed = await manager.start(cookie)
  changed.set('cart', 3)
  const destroyed = await manager.start(cookie)
  destroyed.destroy()
  const regenerated = await manager.start(cookie)
  regenerated.regenerate()
  state.down = true
  for (const session of [changed, destroyed, regenerated]) {
    await assert.rejects(manager.commit(session), failedWith('CALLBACK_FAILED', 'ECONNREFUSED: the store is down'))
  }
  state.down = false
  assert.equal(db.size, 1, 'the stored session is as it was: not changed, not deleted, not moved')
  const after = await manager.start(cookie)
  assert.equal(after.get('user'), 'ada')
  assert.equal(after.get('cart'), undefined)
})

test('what needs no storage call still works while the store is down: no cookie, nothing to write', async () => {
  const { storage, state } = flaky()
  const manager = new SessionManager({ storage, secrets: [SECRET] })
  state.down = true
  const fresh = await manager.start() // no cookie: nothing to load
  assert.equal(fresh.isNew, true)
  assert.equal(await manager.commit(fresh), undefined, 'untouched and new: nothing written')
  assert.equal(state.calls, 0)
  const again = await manager.start()
  again.set('user', 'ada')
  await assert.rejects(manager.commit(again), failedWith('CALLBACK_FAILED'), 'a write is still a write')
})

async function serve(app) {
  const server = http.createServer(app)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`
  return { url, close: () => new Promise((resolve) => server.close(resolve)) }
}

test('Express: a load or a commit the store cannot do reaches next(err) with the SessionStorageError; the route never runs on a failed load', async (t) => {
  const { storage, state } = flaky()
  const manager = new SessionManager({ storage, secrets: [SECRET] })
  const app = express()
  let ran = 0
  const errors = []
  app.use(sessionMiddleware(manager))
  app.get('/', (req, res) => { ran++; req.session.set('n', (req.session.get('n') ?? 0) + 1); res.send(`n=${req.session.get('n')}`) })
  app.use((err, req, res, next) => { errors.push(err); res.status(503).send('unavailable') })
  const { url, close } = await serve(app)
  t.after(close)
  const first = await fetch(url)
  assert.equal(await first.text(), 'n=1')
  const cookie = first.headers.getSetCookie()[0].split(';')[0]

  state.down = true
  const withCookie = await fetch(url, { headers: { cookie } })
  assert.equal(withCookie.status, 503)
  assert.equal(ran, 1, 'the route never ran without its session')
  const anonymous = await fetch(url) // no cookie: the route runs, its commit fails
  assert.equal(anonymous.status, 503)
  assert.deepEqual(anonymous.headers.getSetCookie(), [], 'no cookie for a session that was not stored')
  assert.equal(ran, 2)
  assert.equal(errors.length, 2)
  for (const e of errors) assert.ok(failedWith('CALLBACK_FAILED', 'ECONNREFUSED: the store is down')(e))

  state.down = false
  const back = await fetch(url, { headers: { cookie } })
  assert.equal(await back.text(), 'n=2', 'the session is intact once the store is back')
})
