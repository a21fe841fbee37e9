'use strict'
// sessionkeeper/redis against the real Redis (REDIS_URL) and a 3-node Redis Cluster this file
// starts (tests/cluster/redis-cluster.sh, ports from SK_CLUSTER_PORT, 7101 by default) and
// stops. Keys live under a prefix unique to this run and are deleted afterwards.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { Session, SessionStorageError } = require('../index.js')
const { redisSessionStorage, RedisSessionStorage } = require('../redis.js')
const { batteryOfTests } = require('../testing.js')
const servers = require('./servers.js')

const RUN = `sk-node-adapter:${servers.runId()}:`

const single = { client: null, skip: undefined }
const cluster = { client: null, skip: undefined }
// node-redis v4 (the oldest major the peer range allows), installed as the alias `redis4`.
const v4 = { client: null, skip: undefined }
const v4Cluster = { client: null, skip: undefined }
// A node-redis createClientPool: no single connection, so the adapter's non-pipelined path.
const pool = { client: null, skip: undefined }
const close = (client) => (client.close ?? client.quit).call(client)

before(async () => {
  try {
    single.client = await servers.redisClient()
  } catch (e) {
    single.skip = servers.unreachable(`Redis at ${servers.REDIS_URL}`, e)
  }
  v4.skip = pool.skip = single.skip
  if (!single.skip) {
    pool.client = require('redis').createClientPool({ url: servers.REDIS_URL })
    pool.client.on('error', () => {})
    await pool.client.connect()
    v4.client = require('redis4').createClient({ url: servers.REDIS_URL })
    v4.client.on('error', () => {})
    await v4.client.connect()
  }
  try {
    const started = await servers.startCluster()
    cluster.client = started.cluster
    v4Cluster.client = require('redis4').createCluster({ rootNodes: [{ url: started.url }] })
    v4Cluster.client.on('error', () => {})
    await v4Cluster.client.connect()
  } catch (e) {
    cluster.skip = v4Cluster.skip = servers.unreachable('the throwaway Redis Cluster', e)
  }
})

after(async () => {
  if (single.client) {
    await servers.deleteKeys(single.client, `${RUN}*`)
    assert.deepEqual(await servers.keysMatching(single.client, `${RUN}*`), [], 'every key of this run is gone')
    await single.client.quit()
    await v4.client.quit()
    await pool.client.close()
  }
  if (cluster.client) {
    await servers.deleteKeys(cluster.client, `${RUN}*`)
    assert.deepEqual(await servers.keysMatching(cluster.client, `${RUN}*`), [])
    await cluster.client.close()
    await v4Cluster.client.quit()
  }
  servers.stopCluster()
})

/** A test that skips itself when `server` is unreachable. */
function serverTest(server, name, fn) {
  test(name, async (t) => (server.skip ? t.skip(server.skip) : fn(t)))
}

const sessionKey = (prefix, id) => `${prefix}session:${id}`
const shopKey = (prefix, shop) => `${prefix}shop:${shop}`

/**
 * `storeSession(x)`, then a delete of x racing a store of x, `rounds` times (one id a round):
 * once both settle, the key and the shop index must agree (present in both or in neither).
 */
async function raceDeleteAndStore(server, prefix, rounds = 500) {
  const storage = redisSessionStorage(server.client, { keyPrefix: prefix })
  const shop = 'race.myshopify.com'
  const disagree = []
  for (let i = 0; i < rounds; i++) {
    const x = new Session({ id: `race-${i}`, shop })
    await storage.storeSession(x)
    await Promise.all([storage.deleteSession(x.id), storage.storeSession(x)])
    const present = await server.client.exists(sessionKey(prefix, x.id))
    const indexed = await server.client.sIsMember(shopKey(prefix, shop), x.id)
    if (Number(present) !== Number(indexed)) disagree.push(`${x.id}: key ${present}, index ${indexed}`)
  }
  assert.deepEqual(disagree, [], `${disagree.length} of ${rounds} rounds disagree`)
  // Heavier contention (two deletes, two stores) may leave a stale entry for the next find to
  // remove, but never a stored session missing from its index.
  const missing = []
  for (let i = 0; i < rounds / 5; i++) {
    const x = new Session({ id: `crowd-${i}`, shop })
    await storage.storeSession(x)
    await Promise.all([storage.deleteSession(x.id), storage.storeSession(x), storage.deleteSession(x.id), storage.storeSession(x)])
    const present = await server.client.exists(sessionKey(prefix, x.id))
    const indexed = await server.client.sIsMember(shopKey(prefix, shop), x.id)
    if (Number(present) === 1 && Number(indexed) !== 1) missing.push(x.id)
  }
  assert.deepEqual(missing, [], 'stored but not indexed')
}

/** The same cases against a single node and against the cluster. */
function suite(label, server) {
  let n = 0
  const prefix = () => `${RUN}${label}:${n++}:`

  describe(`${label}: the conformance battery, client passed in`, () => {
    let storage
    batteryOfTests(async () => (storage ??= redisSessionStorage(server.client, { keyPrefix: prefix() })), {
      test: (name, fn) => serverTest(server, name, fn),
    })
  })

  serverTest(server, `${label}: the layout: canonical JSON under {prefix}session:{id}, ids in {prefix}shop:{shop}`, async () => {
    const p = prefix()
    const storage = redisSessionStorage(server.client, { keyPrefix: p })
    assert.ok(storage instanceof RedisSessionStorage)
    const session = new Session({ id: 'layout', shop: 'layout.myshopify.com', scope: 'read_a', data: { z: 1, a: [true] } })
    assert.equal(await storage.storeSession(session), true)
    assert.equal(await server.client.get(sessionKey(p, 'layout')), session.serialize())
    assert.deepEqual(await server.client.sMembers(shopKey(p, 'layout.myshopify.com')), ['layout'])
    assert.equal(await storage.deleteSession('layout'), true)
    assert.equal(await server.client.exists(sessionKey(p, 'layout')), 0)
    assert.deepEqual(await server.client.sMembers(shopKey(p, 'layout.myshopify.com')), [], 'the index entry goes too')
  })

  serverTest(server, `${label}: a delete landing inside a store leaves no stale index entry`, async () => {
    // The race made certain: right after a store's SET, a delete's DEL and SREM reach the real
    // server, so the store's trailing SADD answers 1 and the adapter must ask the core for the
    // re-check (GET: gone, so SREM) instead of taking its one-round-trip shortcut.
    const p = prefix()
    const session = new Session({ id: 'recheck', shop: 'recheck.myshopify.com' })
    const client = new Proxy(server.client, {
      get(target, name) {
        const value = Reflect.get(target, name)
        if (name !== 'set') return typeof value === 'function' ? value.bind(target) : value
        return (...args) => {
          const set = target.set(...args)
          target.del(sessionKey(p, session.id)).catch(() => {})
          target.sRem(shopKey(p, session.shop), session.id).catch(() => {})
          return set
        }
      },
    })
    const storage = redisSessionStorage(client, { keyPrefix: p })
    assert.equal(await storage.storeSession(session), true)
    assert.equal(await server.client.exists(sessionKey(p, session.id)), 0, 'the delete came last')
    assert.deepEqual(await server.client.sMembers(shopKey(p, session.shop)), [], 'no entry left without its key')
  })

  serverTest(server, `${label}: a delete racing a store of the same id leaves key and index in agreement`, async () => {
    await raceDeleteAndStore(server, prefix())
  })

  serverTest(server, `${label}: a key expires a grace period after its session can no longer be used, never otherwise`, async () => {
    const p = prefix()
    const storage = redisSessionStorage(server.client, { keyPrefix: p })
    const key = sessionKey(p, 'ttl')
    const week = 7 * 24 * 3600 * 1000
    const expires = new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 678))
    const later = new Date(Date.UTC(2031, 5, 1, 0, 0, 0, 9))
    await storage.storeSession(new Session({ id: 'ttl', shop: 'ttl.myshopify.com', expires }))
    assert.equal(await server.client.pExpireTime(key), expires.getTime() + week, 'PXAT expires + 7 days, to the millisecond')
    await storage.storeSession(new Session({ id: 'ttl', shop: 'ttl.myshopify.com', expires, refreshToken: 'r', refreshTokenExpires: later }))
    assert.equal(await server.client.pExpireTime(key), later.getTime() + week, 'the later refreshTokenExpires')
    await storage.storeSession(new Session({ id: 'ttl', shop: 'ttl.myshopify.com', expires, refreshToken: 'r' }))
    assert.equal(await server.client.pExpireTime(key), -1, 'a refresh token that never expires: no TTL')
    await storage.storeSession(new Session({ id: 'ttl', shop: 'ttl.myshopify.com', expires }))
    await storage.storeSession(new Session({ id: 'ttl', shop: 'ttl.myshopify.com' }))
    assert.equal(await server.client.pExpireTime(key), -1, 'storing a session without expires removes the TTL')
    assert.equal(await server.client.pExpireTime(shopKey(p, 'ttl.myshopify.com')), -1, 'the index never expires')
    const exact = redisSessionStorage(server.client, { keyPrefix: p, graceMs: 0 })
    await exact.storeSession(new Session({ id: 'ttl', shop: 'ttl.myshopify.com', expires }))
    assert.equal(await server.client.pExpireTime(key), expires.getTime(), 'graceMs 0: PXAT expires')
    const hour = redisSessionStorage(server.client, { keyPrefix: p, graceMs: 3600_000 })
    await hour.storeSession(new Session({ id: 'ttl', shop: 'ttl.myshopify.com', expires }))
    assert.equal(await server.client.pExpireTime(key), expires.getTime() + 3600_000)
  })

  serverTest(server, `${label}: an expired session stays loadable through the grace period, then is gone`, async () => {
    const p = prefix()
    const storage = redisSessionStorage(server.client, { keyPrefix: p })
    // An online session whose token expired a minute ago: the shop must still be readable.
    const expired = new Session({
      id: 'expired', shop: 'grace.myshopify.com', isOnline: true, accessToken: 'tok',
      expires: new Date(Date.now() - 60_000), onlineAccessInfo: { associated_user: { id: 1 } },
    })
    assert.equal(await storage.storeSession(expired), true)
    const loaded = await storage.loadSession('expired')
    assert.ok(loaded?.equals(expired) && loaded.isExpired(), 'loadable, and still expired')
    assert.equal(loaded.shop, 'grace.myshopify.com')
    assert.deepEqual((await storage.findSessionsByShop('grace.myshopify.com')).map((s) => s.id), ['expired'])
    const short = redisSessionStorage(server.client, { keyPrefix: p, graceMs: 0 })
    assert.equal(await short.storeSession(expired), true)
    assert.equal(await short.loadSession('expired'), undefined, 'graceMs 0: gone at expiry')
  })

  serverTest(server, `${label}: 200 concurrent stores across 5 shops, then findSessionsByShop finds every one`, async () => {
    const p = prefix()
    const storage = redisSessionStorage(server.client, { keyPrefix: p })
    const shops = Array.from({ length: 5 }, (_, i) => `concurrent-${i}.myshopify.com`)
    const sessions = Array.from({ length: 200 }, (_, i) => new Session({ id: `c-${i}`, shop: shops[i % 5], state: `s${i}` }))
    const stored = await Promise.all(sessions.map((s) => storage.storeSession(s)))
    assert.ok(stored.every((r) => r === true))
    const found = await Promise.all(shops.map((shop) => storage.findSessionsByShop(shop)))
    for (const [i, list] of found.entries()) {
      const expected = sessions.filter((s) => s.shop === shops[i])
      assert.equal(list.length, 40)
      assert.deepEqual(list.map((s) => s.id), expected.map((s) => s.id).sort(), 'by id, in byte order')
      for (const s of list) assert.ok(s.equals(expected.find((e) => e.id === s.id)))
      assert.equal((await server.client.sMembers(shopKey(p, shops[i]))).length, 40)
    }
  })

  serverTest(server, `${label}: stale index entries are skipped and removed`, async () => {
    const p = prefix()
    const storage = redisSessionStorage(server.client, { keyPrefix: p })
    const shop = 'stale.myshopify.com'
    await storage.storeSession(new Session({ id: 'kept', shop }))
    await storage.storeSession(new Session({ id: 'moved', shop }))
    await storage.storeSession(new Session({ id: 'moved', shop: 'elsewhere.myshopify.com' }))
    // What a crash between SADD and SET leaves, and a key that expired or was deleted by hand.
    await server.client.sAdd(shopKey(p, shop), ['never-written', '', 'x'.repeat(1025)])
    assert.equal((await server.client.sMembers(shopKey(p, shop))).length, 5)
    const found = await storage.findSessionsByShop(shop)
    assert.deepEqual(found.map((s) => s.id), ['kept'])
    assert.deepEqual(await server.client.sMembers(shopKey(p, shop)), ['kept'], 'stale members removed')
    assert.deepEqual((await storage.findSessionsByShop('elsewhere.myshopify.com')).map((s) => s.id), ['moved'])
  })

  serverTest(server, `${label}: a corrupt value: its load is INVALID_SESSION naming the field, a find skips it, a delete removes it`, async () => {
    const p = prefix()
    const storage = redisSessionStorage(server.client, { keyPrefix: p })
    const shop = 'corrupt.myshopify.com'
    await storage.storeSession(new Session({ id: 'corrupt', shop }))
    await storage.storeSession(new Session({ id: 'fine', shop }))
    await server.client.set(sessionKey(p, 'corrupt'), `{"id":"corrupt","shop":"${shop}","isOnline":"maybe"}`)
    await assert.rejects(storage.loadSession('corrupt'), { code: 'INVALID_SESSION', message: /isOnline/ })
    // One broken record must not block a shop's uninstall cleanup (find, then delete every id).
    assert.deepEqual((await storage.findSessionsByShop(shop)).map((s) => s.id), ['fine'])
    assert.deepEqual((await server.client.sMembers(shopKey(p, shop))).sort(), ['corrupt', 'fine'], 'its key is there: listed still')
    await server.client.set(sessionKey(p, 'corrupt'), 'not json')
    assert.equal(await storage.deleteSession('corrupt'), true)
    assert.equal(await server.client.exists(sessionKey(p, 'corrupt')), 0)
    assert.deepEqual((await storage.findSessionsByShop(shop)).map((s) => s.id), ['fine'])
    assert.deepEqual(await server.client.sMembers(shopKey(p, shop)), ['fine'], 'the entry it left was stale and went')
  })

  serverTest(server, `${label}: a closed client is CALLBACK_FAILED with the driver's error as cause, and works once reconnected`, async () => {
    const client = server.client.duplicate()
    client.on('error', () => {})
    await client.connect()
    const storage = redisSessionStorage(client, { keyPrefix: prefix() })
    await close(client)
    await assert.rejects(storage.storeSession(new Session({ id: 'offline', shop: 'o.myshopify.com' })), (e) => {
      assert.ok(e instanceof SessionStorageError)
      assert.equal(e.code, 'CALLBACK_FAILED')
      assert.ok(e.cause instanceof Error, 'the driver error is the cause')
      assert.ok(e.message.includes(e.cause.message), e.message)
      return true
    })
    await assert.rejects(storage.loadSession('offline'), { code: 'CALLBACK_FAILED' })
    await client.connect()
    try {
      assert.equal(await storage.storeSession(new Session({ id: 'offline', shop: 'o.myshopify.com' })), true)
      assert.equal((await storage.loadSession('offline')).id, 'offline')
      assert.equal(await storage.close(), undefined)
      assert.equal(client.isOpen, true, 'close() leaves a client passed in open')
    } finally {
      await close(client)
    }
  })
}

serverTest(pool, 'a createClientPool: a delete racing a store of the same id leaves key and index in agreement', async () => {
  await raceDeleteAndStore(pool, `${RUN}pool:`)
})

serverTest(single, 'the cache option: hits need no server, another process is seen after maxStalenessMs, own writes at once', async () => {
  const p = `${RUN}cache:`
  const cached = redisSessionStorage(single.client, { keyPrefix: p, cache: { maxStalenessMs: 60_000 } })
  const other = redisSessionStorage(single.client, { keyPrefix: p })
  const s = new Session({ id: 'cached', shop: 'c.myshopify.com', state: 'one' })
  await cached.storeSession(s)
  assert.equal((await cached.loadSession('cached')).state, 'one')
  await other.storeSession(new Session({ ...s, state: 'two' }))
  assert.equal((await cached.loadSession('cached')).state, 'one', "another process's write is not seen within maxStalenessMs")
  await cached.deleteSession('cached')
  assert.equal(await cached.loadSession('cached'), undefined)
  // A record (no shop) stored over a version it does not have: CONFLICT, and the entry goes.
  const r = new Session({ id: 'record', data: { n: 1 } })
  await cached.storeSession(r)
  assert.deepEqual((await cached.loadSession('record')).data, { n: 1 })
  await other.storeSession(new Session({ id: 'record', data: { n: 2 } }))
  await assert.rejects(cached.storeSessionIfVersion(new Session({ id: 'record', data: { n: 3 } }), 7), { code: 'CONFLICT' })
  assert.deepEqual((await cached.loadSession('record')).data, { n: 2 }, 'a CONFLICT dropped the entry')
  await cached.deleteSessions(['record'])
  assert.throws(() => redisSessionStorage(single.client, { keyPrefix: p, cache: { maxEntries: 0 } }), { code: 'INVALID_ARGUMENT' })
})

suite('single node', single)
suite('cluster', cluster)
suite('node-redis v4, single node', v4)
suite('node-redis v4, cluster', v4Cluster)

describe('single node: a storage from a URL', () => {
  let storage
  after(() => storage?.close())
  batteryOfTests(async () => (storage ??= redisSessionStorage(servers.REDIS_URL, { keyPrefix: `${RUN}url:` })), {
    test: (name, fn) => serverTest(single, name, fn),
  })
})

serverTest(single, 'a URL storage: unreachable server is CALLBACK_FAILED with the driver error; works again once reachable', async () => {
  const proxy = new servers.Proxy(servers.REDIS_URL)
  await proxy.open()
  const storage = redisSessionStorage(proxy.url(), { keyPrefix: `${RUN}proxy:` })
  try {
    const session = new Session({ id: 'flaky', shop: 'flaky.myshopify.com' })
    assert.equal(await storage.storeSession(session), true)
    await proxy.close()
    for (const op of [() => storage.storeSession(session), () => storage.loadSession('flaky'), () => storage.findSessionsByShop('flaky.myshopify.com')]) {
      await assert.rejects(op(), (e) => {
        assert.equal(e.code, 'CALLBACK_FAILED')
        assert.ok(e.cause instanceof Error, 'the driver error is the cause')
        assert.ok(e.message.includes(e.cause.message), e.message)
        return true
      })
    }
    await proxy.open()
    const loaded = await servers.eventually(() => storage.loadSession('flaky'))
    assert.ok(loaded.equals(session))
    assert.equal(await storage.deleteSession('flaky'), true)
  } finally {
    await storage.close()
    if (proxy.server) await proxy.close()
  }
  await assert.rejects(storage.loadSession('flaky'), { code: 'CALLBACK_FAILED' }, 'closed for good')
})

serverTest(single, 'a URL storage: a server that never answered is CALLBACK_FAILED, not a hang', async () => {
  const proxy = new servers.Proxy(servers.REDIS_URL)
  await proxy.open()
  const url = proxy.url()
  await proxy.close()
  const storage = redisSessionStorage(url, { keyPrefix: `${RUN}never:` })
  try {
    await assert.rejects(storage.loadSession('x'), (e) => {
      assert.equal(e.code, 'CALLBACK_FAILED')
      assert.match(e.cause.message, /ECONNREFUSED/)
      return true
    })
  } finally {
    await storage.close()
  }
})
