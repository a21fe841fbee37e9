'use strict'
// Redis cut mid-run (issue 12, outages): eight loops of stores and loads run through a TCP proxy
// while the proxy drops every connection and refuses new ones for a while. Every operation
// that fails fails as CALLBACK_FAILED with the driver's error as cause and settles within
// timeoutMs (none hangs); every operation started while the server is away fails; once one
// operation has succeeded again, all later ones succeed and read what was stored.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { Session, SessionStorageError } = require('../index.js')
const { redisSessionStorage } = require('../redis.js')
const servers = require('./servers.js')

const PREFIX = `sk-node-outage:${servers.runId()}:`
const TIMEOUT_MS = 2000
const server = { client: null, skip: undefined }

before(async () => {
  try {
    server.client = await servers.redisClient()
  } catch (e) {
    server.skip = servers.unreachable(`Redis at ${servers.REDIS_URL}`, e)
  }
})

after(async () => {
  if (!server.client) return
  await servers.deleteKeys(server.client, `${PREFIX}*`)
  await server.client.close()
})

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

test('an outage mid-run fails the operations inside it as CALLBACK_FAILED, none hangs, all after succeed', async (t) => {
  if (server.skip) return t.skip(server.skip)
  const proxy = new servers.Proxy(servers.REDIS_URL)
  await proxy.open()
  const storage = redisSessionStorage(proxy.url(), { keyPrefix: PREFIX, timeoutMs: TIMEOUT_MS })
  const ops = []
  let state = 'up' // 'up' | 'down' | 'back'
  let running = true
  let stored = 0
  const loop = async (w) => {
    for (let i = 0; running; i++) {
      const id = `w${w}-${i % 10}`
      const startedIn = state
      const started = Date.now()
      const run = i % 2 ? storage.loadSession(id) : storage.storeSession(new Session({ id, shop: 'outage.myshopify.com', data: { w, i } }))
      const op = { startedIn, started, ok: false, error: null, ms: 0 }
      try {
        await run
        op.ok = true
        if (!(i % 2)) stored++
      } catch (e) {
        op.error = e
      }
      op.ms = Date.now() - started
      op.endedIn = state
      ops.push(op)
      if (!op.ok) await sleep(5)
    }
  }
  try {
    const loops = Array.from({ length: 8 }, (_, w) => loop(w))
    await sleep(150)
    await proxy.close()
    state = 'down'
    await sleep(400)
    await proxy.open()
    state = 'back'
    // Recovered once one operation started after the reopen succeeds; from then on, all must.
    const recovered = await servers.eventually(async () => {
      const first = ops.find((o) => o.startedIn === 'back' && o.ok)
      if (!first) throw new Error('no operation has succeeded since the reopen')
      return first.started + first.ms
    })
    await sleep(200)
    running = false
    await Promise.all(loops)

    const failures = ops.filter((o) => !o.ok)
    assert.ok(ops.filter((o) => o.startedIn === 'up').every((o) => o.ok || o.endedIn !== 'up'), 'no failure before the cut')
    assert.ok(failures.length > 0, 'the outage was seen')
    for (const { error } of failures) {
      assert.ok(error instanceof SessionStorageError, `${error}`)
      assert.equal(error.code, 'CALLBACK_FAILED', error.message)
      assert.ok(error.cause instanceof Error, 'the driver error is the cause')
    }
    const down = ops.filter((o) => o.startedIn === 'down' && o.endedIn === 'down')
    assert.ok(down.length > 0 && down.every((o) => !o.ok), 'every operation inside the outage failed')
    assert.ok(ops.every((o) => o.ms < TIMEOUT_MS + 500), `an operation hung: ${Math.max(...ops.map((o) => o.ms))} ms`)
    const afterRecovery = ops.filter((o) => o.started > recovered)
    assert.ok(afterRecovery.length > 0, 'operations ran after the recovery')
    assert.deepEqual(afterRecovery.filter((o) => !o.ok).map((o) => o.error.message), [], 'all succeed after the recovery')
    assert.ok(stored > 0)
    for (let w = 0; w < 8; w++) assert.ok((await storage.loadSession(`w${w}-0`)).id === `w${w}-0`, 'stores before or after the outage are readable')
  } finally {
    running = false
    await storage.close()
    if (proxy.server) await proxy.close()
  }
})
