'use strict'
// Redis outages mid-run (issue 12, "Outages"; the shared run and its checks are ./outage.js):
// - the connection cut through a TCP proxy (the server stays up);
// - the server itself stopped (SIGTERM) and started again on its port and data directory;
// - one master of a Redis Cluster going away and coming back (its own cluster, on
//   SK_CLUSTER_PORT + 3 and the next two ports, so it never meets the adapter tests' cluster);
// - a SessionManager over a storage whose server is away: it fails closed.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { Session, SessionManager, SessionStorageError } = require('../index.js')
const { redisSessionStorage } = require('../redis.js')
const servers = require('./servers.js')
const { outageRun, check, warningsDuring, SHOP } = require('./outage.js')

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
  assert.deepEqual(await servers.keysMatching(server.client, `${PREFIX}*`), [])
  await server.client.close()
})

test('the connection cut mid-run: CALLBACK_FAILED inside, none hangs, all succeed after, no acknowledged write lost', async (t) => {
  if (server.skip) return t.skip(server.skip)
  const proxy = new servers.Proxy(servers.REDIS_URL)
  await proxy.open()
  const storage = redisSessionStorage(proxy.url(), { keyPrefix: `${PREFIX}cut:`, timeoutMs: TIMEOUT_MS })
  try {
    let run
    // Each operation during the outage used to add a 'connect' listener to the reconnecting
    // socket (ref/unref per operation): MaxListenersExceededWarning. None may appear.
    const warnings = await warningsDuring(async () => {
      run = await outageRun(storage, { cut: () => proxy.close(), restore: () => proxy.open() })
    })
    assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), [])
    t.diagnostic(JSON.stringify(await check(storage, run, TIMEOUT_MS)))
  } finally {
    await storage.close()
    if (proxy.server) await proxy.close()
  }
})

/** A free local port (listened on and closed; nothing else here takes ports at random). */
async function freePort() {
  const probe = net.createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/**
 * A redis-server of this test's own on `port`, its data in `dir`: append-only, so a write it
 * acknowledged is on disk when SIGTERM stops it (Redis flushes the AOF on a clean shutdown).
 */
async function redisServer(port, dir) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  await servers.eventually(async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    const client = await servers.redisClient(`redis://127.0.0.1:${port}`)
    await client.close()
  })
  return { stop: async () => { child.kill('SIGTERM'); await exited } }
}

test('the server restarted mid-run: the same, and what it acknowledged survives the restart', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-redis-restart-'))
  const port = await freePort()
  let redis
  try {
    redis = await redisServer(port, dir)
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true })
    return t.skip(servers.unreachable('a redis-server of its own', e))
  }
  const storage = redisSessionStorage(`redis://127.0.0.1:${port}`, { keyPrefix: `${PREFIX}restart:`, timeoutMs: TIMEOUT_MS })
  try {
    const run = await outageRun(storage, {
      cut: () => redis.stop(),
      restore: async () => { redis = await redisServer(port, dir) },
    })
    t.diagnostic(JSON.stringify(await check(storage, run, TIMEOUT_MS)))
  } finally {
    await storage.close()
    await redis.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a SessionManager over a store that is away fails closed: start and commit reject, nothing is served anonymously', async (t) => {
  if (server.skip) return t.skip(server.skip)
  const proxy = new servers.Proxy(servers.REDIS_URL)
  await proxy.open()
  const storage = redisSessionStorage(proxy.url(), { keyPrefix: `${PREFIX}manager:`, timeoutMs: TIMEOUT_MS })
  const manager = new SessionManager({ storage, secrets: ['a-secret-of-at-least-thirty-two-bytes!!'] })
  try {
    const first = await manager.start()
    first.set('user', 'ada')
    const cookie = (await manager.commit(first)).split(';')[0]
    const before = await manager.start(cookie)
    await proxy.close()
    // The cookie names a stored session the manager cannot read: no fresh anonymous session.
    await assert.rejects(manager.start(cookie), (e) => {
      assert.ok(e instanceof SessionStorageError && e.code === 'CALLBACK_FAILED', `${e}`)
      assert.ok(e.cause instanceof Error)
      return true
    })
    // A change that cannot be written is an error, never a silent drop.
    before.set('cart', 3)
    await assert.rejects(manager.commit(before), { name: 'SessionStorageError', code: 'CALLBACK_FAILED' })
    await proxy.open()
    const again = await servers.eventually(() => manager.start(cookie))
    assert.equal(again.isNew, false)
    assert.equal(again.get('user'), 'ada')
    assert.equal(again.get('cart'), undefined, 'the failed commit wrote nothing')
  } finally {
    await storage.close()
    if (proxy.server) await proxy.close()
  }
})

/** The slot ranges of a cluster's masters: `[[from, to, port], ...]`. */
async function slotOwners(seed) {
  const replies = await seed.sendCommand(['CLUSTER', 'SLOTS'])
  return replies.map(([from, to, [, port]]) => [Number(from), Number(to), Number(port)])
}

test('a Cluster master going away: its keys fail as CALLBACK_FAILED without hanging, the others are served, all again once it is back', async (t) => {
  const base = Number(servers.CLUSTER_PORT) + 3
  let cluster
  try {
    // disableOfflineQueue: with node-redis's default offline queue, commands for the master
    // that is away wait for it (CALLBACK_TIMEOUT at the storage's timeout) and are still sent
    // when it is back, so a store reported as failed lands later, over newer ones. README
    // "Outages" asks for this option on a client passed in.
    ;({ cluster } = await servers.startCluster(base, { disableOfflineQueue: true }))
  } catch (e) {
    return t.skip(servers.unreachable('a Redis Cluster of its own', e))
  }
  const seed = await servers.redisClient(`redis://127.0.0.1:${base}`)
  const prefix = `${PREFIX}cluster:`
  const storage = redisSessionStorage(cluster, { keyPrefix: prefix, timeoutMs: TIMEOUT_MS })
  try {
    const owners = await slotOwners(seed)
    const portOf = async (key) => {
      const slot = Number(await seed.sendCommand(['CLUSTER', 'KEYSLOT', key]))
      return owners.find(([from, to]) => slot >= from && slot <= to)[2]
    }
    // The master to stop: not the seed, and not the one holding the shop's index (every store
    // writes it), so stores of the other masters' ids can succeed during the outage.
    const shopPort = await portOf(`${prefix}shop:${SHOP}`)
    const away = [base + 1, base + 2].find((p) => p !== shopPort)
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`)
    const onAway = new Set()
    for (const id of ids) if ((await portOf(`${prefix}session:${id}`)) === away) onAway.add(id)
    assert.ok(onAway.size > 0 && onAway.size < ids.length, 'ids on both sides')

    const ops = []
    let state = 'up'
    const op = async (id, i) => {
      const started = Date.now()
      const startedIn = state
      const record = { id, i, startedIn, ok: false, error: null }
      try {
        if (i % 2 === 0) await storage.storeSession(new Session({ id, shop: SHOP, data: { i } }))
        else await storage.loadSession(id)
        record.ok = true
      } catch (e) {
        record.error = e
      }
      record.ms = Date.now() - started
      record.endedIn = state
      ops.push(record)
    }
    const round = (i) => Promise.all(ids.map((id) => op(id, i)))
    await round(0)
    const stoppedAt = Date.now()
    servers.clusterScript(['stop-node', String(away)], base)
    state = 'down'
    for (let i = 1; i <= 4; i++) await round(i)
    servers.clusterScript(['start-node', String(away)], base)
    state = 'back'
    await servers.eventually(() => storage.loadSession([...onAway][0]))
    const outageMs = Date.now() - stoppedAt
    // What the master acknowledged before it went away is there again; the others hold round 4.
    for (const id of ids) assert.equal((await storage.loadSession(id)).data.i, onAway.has(id) ? 0 : 4, id)
    await round(5)
    await round(6)

    const down = ops.filter((o) => o.startedIn === 'down' && o.endedIn === 'down')
    for (const o of down.filter((o) => onAway.has(o.id))) {
      assert.equal(o.ok, false, `${o.id} is on the master that is away`)
      assert.ok(o.error instanceof SessionStorageError && o.error.code === 'CALLBACK_FAILED', `${o.error}`)
      assert.ok(o.error.cause instanceof Error, 'the driver error is the cause')
    }
    const others = down.filter((o) => !onAway.has(o.id))
    assert.deepEqual(others.filter((o) => !o.ok).map((o) => `${o.id}: ${o.error.message}`), [], 'the other masters serve their keys')
    const maxMs = Math.max(...ops.map((o) => o.ms))
    assert.ok(maxMs < TIMEOUT_MS + 500, `an operation hung: ${maxMs} ms`)
    const late = ops.filter((o) => o.startedIn === 'back')
    assert.deepEqual(late.filter((o) => !o.ok).map((o) => `${o.id}: ${o.error.message}`), [], 'all succeed once the master is back')
    for (const id of ids) assert.ok((await storage.loadSession(id)).equals(new Session({ id, shop: SHOP, data: { i: 6 } })))
    t.diagnostic(JSON.stringify({ ops: ops.length, failedDuring: down.filter((o) => !o.ok).length,
      idsOnAway: onAway.size, maxSettleMs: maxMs, outageMs }))
  } finally {
    await seed.close()
    await cluster.close().catch(() => {})
    servers.clusterScript(['stop'], base)
  }
})
