'use strict'
// SessionManager over every storage the package ships, each rule as the app sees it: cookies in,
// Set-Cookie out, storage calls counted. The clock is injected, so timeouts are exact.

const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const execFile = require('node:util').promisify(require('node:child_process').execFile)
const {
  SessionManager, MemorySessionStorage, FileSessionStorage, CustomSessionStorage, cookieStorage,
} = require('../index.js')
const { RedisSessionStorage } = require('../redis.js')
const { PostgresSessionStorage } = require('../postgres.js')
const { tempDir } = require('./helpers.js')
const { runId, unreachable, redisClient, pgPool, deleteKeys } = require('./servers.js')

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!'
const MIN = 60_000
const T0 = Date.parse('2030-01-01T00:00:00Z')
const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'vectors', 'manager.json'), 'utf8'))

/** A storage wrapper counting writes and deletes, delegating everything else. */
function counting(storage) {
  const counts = { store: 0, delete: 0 }
  const wrapped = {
    counts,
    storeSession: (s) => { counts.store++; return storage.storeSession(s) },
    loadSession: (id) => storage.loadSession(id),
    deleteSession: (id) => { counts.delete++; return storage.deleteSession(id) },
  }
  if (storage.sweep) wrapped.sweep = () => storage.sweep()
  return wrapped
}

/** A manager on a movable clock; `request(cookie)` runs start → work → commit. */
function harness(storage, options = {}) {
  const clock = { now: T0 }
  const manager = new SessionManager({ storage, secrets: [SECRET], clock: () => clock.now, ...options })
  let cookie
  async function request(work = () => {}) {
    const s = await manager.start(cookie)
    await work(s)
    const set = await manager.commit(s)
    if (set !== undefined) cookie = set.includes('Max-Age=0') ? undefined : set.split(';')[0]
    return { s, set }
  }
  return { manager, clock, request, get cookie() { return cookie }, set cookie(c) { cookie = c } }
}

function managerSuite(name, open) {
  describe(`SessionManager over ${name}`, () => {
    let storage
    let close = async () => {}
    before(async () => { ({ storage, close = async () => {} } = await open()) })
    after(async () => close())

    test('a new session nobody wrote to is never persisted', async () => {
      const c = counting(storage)
      const h = harness(c)
      const { s, set } = await h.request()
      assert.equal(s.isNew, true)
      assert.equal(set, undefined)
      assert.equal(c.counts.store, 0)
    })

    test('values survive with the cookie; unchanged requests write nothing until touchAfterMs', async () => {
      const c = counting(storage)
      const h = harness(c, { idleTimeoutMs: 30 * MIN, touchAfterMs: 3 * MIN })
      const first = await h.request((s) => { s.set('user', 'ada').set('cart', [1, 2]) })
      assert.match(first.set, /^sid=[\w-]{32}\.[\w-]{43}; HttpOnly; SameSite=Lax; Secure; Path=\/; Max-Age=1800; Expires=/)
      for (let i = 0; i < 10; i++) {
        h.clock.now += 10_000
        const { s, set } = await h.request((s) => { assert.equal(s.get('user'), 'ada'); assert.deepEqual(s.get('cart'), [1, 2]) })
        assert.equal(s.isNew, false)
        assert.equal(set, undefined)
      }
      assert.equal(c.counts.store, 1, '10 unchanged requests inside touchAfterMs: no writes')
      h.clock.now = T0 + 3 * MIN
      const touched = await h.request()
      assert.equal(c.counts.store, 2, 'exactly one touch after it')
      assert.match(touched.set, /Max-Age=1800/, 'the cookie follows the moved deadline')
      assert.equal(touched.s.expiresAt.getTime(), T0 + 33 * MIN)
      const changed = await h.request((s) => { s.set('n', 1) })
      assert.equal(c.counts.store, 3)
      assert.equal(changed.set, undefined, 'the deadline did not move: no cookie')
    })

    test('idle and absolute timeouts hold together, from the record', async () => {
      const h = harness(storage, { idleTimeoutMs: 30 * MIN, absoluteTimeoutMs: 60 * MIN, touchAfterMs: MIN })
      const { s: first } = await h.request((s) => { s.set('a', 1) })
      h.clock.now += 30 * MIN
      let r = await h.request()
      assert.equal(r.s.isNew, true, 'idle for 30 minutes: gone')
      assert.notEqual(r.s.id, first.id)
      const h2 = harness(storage, { idleTimeoutMs: 30 * MIN, absoluteTimeoutMs: 60 * MIN, touchAfterMs: MIN })
      const { s: busy } = await h2.request((s) => { s.set('a', 1) })
      for (let m = 10; m < 60; m += 10) {
        h2.clock.now = T0 + m * MIN
        r = await h2.request()
        assert.equal(r.s.id, busy.id, `alive at minute ${m}`)
      }
      h2.clock.now = T0 + 60 * MIN
      r = await h2.request()
      assert.equal(r.s.isNew, true, 'kept busy, it still ends 60 minutes after creation')
      assert.match(r.set, /^sid=; .*Max-Age=0/, 'and the stale cookie is cleared')
    })

    test('forged, tampered, truncated, other-key and unknown cookies are never adopted', async () => {
      const h = harness(storage)
      const { s } = await h.request((s) => { s.set('secret', 'x') })
      const good = h.cookie
      const other = new SessionManager({ storage, secrets: ['another-secret-of-at-least-32-bytes!!'] })
      const forgedByOther = await (async () => { const o = await other.start(); o.set('a', 1); return (await other.commit(o)).split(';')[0] })()
      const bad = [
        good.slice(0, 8) + (good[8] === 'A' ? 'B' : 'A') + good.slice(9),
        good.slice(0, -3),
        `sid=${s.id}`,
        `sid=${s.id}.${'A'.repeat(43)}`,
        forgedByOther,
        'sid=%zz; ;;=; sid',
        `sid=${'x'.repeat(5000)}`,
      ]
      for (const cookie of bad) {
        h.cookie = cookie
        const { s: fresh } = await h.request()
        assert.equal(fresh.isNew, true, cookie)
        assert.notEqual(fresh.id, s.id)
        assert.equal(fresh.get('secret'), undefined)
      }
      h.cookie = good
      assert.equal((await h.request()).s.get('secret'), 'x', 'the good cookie still works')
    })

    test('a refused cookie is one NODE_DEBUG=sessionkeeper line of the core, naming no id', async () => {
      const h = harness(storage)
      const { s } = await h.request((s) => { s.set('a', 1) })
      const elsewhere = new SessionManager({ storage: new MemorySessionStorage(), secrets: [SECRET] })
      const e = await elsewhere.start()
      e.set('a', 1)
      const unknown = (await elsewhere.commit(e)).split(';')[0]
      // debuglog reads NODE_DEBUG when the module loads: a child process with it set.
      const script = `
        const { SessionManager, MemorySessionStorage } = require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))})
        const m = new SessionManager({ storage: new MemorySessionStorage(), secrets: [${JSON.stringify(SECRET)}] })
        ;(async () => { for (const c of process.argv.slice(1)) await m.start(c) })()`
      const { stderr } = await execFile(process.execPath, ['-e', script, `sid=${s.id}.${'A'.repeat(43)}`, unknown], {
        env: { ...process.env, NODE_DEBUG: 'sessionkeeper' },
      })
      const lines = stderr.split('\n').filter((l) => l.includes('session cookie refused'))
      assert.equal(lines.length, 2, stderr)
      assert.match(lines[0], /refused, no secret of the ring signed it: a fresh session replaces it$/)
      assert.match(lines[1], /refused, the storage holds no session under its id \(id #[0-9a-f]{12}\)/)
      assert.ok(!stderr.includes(s.id) && !stderr.includes(e.id), 'no id in the log')
    })

    test('regenerate moves the id (the old one is unloadable) and destroy clears the cookie', async () => {
      const h = harness(storage)
      const { s: before } = await h.request((s) => { s.set('cart', 1) })
      const old = h.cookie
      const { s: after } = await h.request((s) => { s.regenerate(); s.set('user', 'ada') })
      assert.notEqual(after.id, before.id)
      assert.equal(await storage.loadSession(before.id), undefined)
      const kept = h.cookie
      h.cookie = old
      assert.equal((await h.request()).s.isNew, true, 'the old cookie is dead')
      h.cookie = kept
      const { s, set } = await h.request((s) => { assert.equal(s.get('cart'), 1); s.destroy() })
      assert.match(set, /^sid=; .*Max-Age=0/)
      assert.equal(await storage.loadSession(s.id), undefined)
      const { s: dropped } = await h.request((s) => { s.regenerate({ keepData: false }) })
      assert.equal(dropped.size, 0)
    })

    test("optimistic: of two writers that loaded one version, the second commit is CONFLICT and writes nothing", async (t) => {
      if (typeof storage.storeSessionIfVersion !== 'function') {
        assert.throws(() => harness(storage, { concurrency: 'optimistic' }), { code: 'NOT_SUPPORTED' })
        return
      }
      const h = harness(storage, { concurrency: 'optimistic' })
      await h.request((s) => { s.set('n', 0) })
      const a = await h.manager.start(h.cookie)
      const b = await h.manager.start(h.cookie)
      a.set('n', 1)
      b.set('n', 2)
      await h.manager.commit(a)
      await assert.rejects(h.manager.commit(b), { name: 'SessionStorageError', code: 'CONFLICT' })
      assert.equal((await h.request()).s.get('n'), 1, 'the losing commit wrote nothing')
      // Concurrent commits of one version: exactly one wins.
      const racers = await Promise.all([1, 2, 3, 4].map(() => h.manager.start(h.cookie)))
      racers.forEach((r, i) => r.set('n', 10 + i))
      const results = await Promise.allSettled(racers.map((r) => h.manager.commit(r)))
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
      assert.ok(results.filter((r) => r.status === 'rejected').every((r) => r.reason.code === 'CONFLICT'))
    })

    test('sweep() removes sessions past their deadline where the storage does not expire them itself', async () => {
      const past = { now: Date.now() - 2 * 3_600_000 }
      const manager = new SessionManager({ storage, secrets: [SECRET], clock: () => past.now })
      const s = await manager.start()
      s.set('a', 1)
      await manager.commit(s)
      const removed = await manager.sweep()
      if (typeof storage.sweep === 'function' && !(storage instanceof PostgresSessionStorage)) {
        assert.ok(removed >= 1, `swept ${removed}`)
        assert.equal(await storage.loadSession(s.id), undefined)
      } else {
        assert.equal(typeof removed, 'number')
      }
    })

    test('flash values are read once', async () => {
      const h = harness(storage)
      await h.request((s) => { s.set('u', 1); s.flash('notice', 'saved') })
      const taken = []
      await h.request((s) => { taken.push(s.takeFlash('notice')) })
      await h.request((s) => { taken.push(s.takeFlash('notice')) })
      assert.deepEqual(taken, ['saved', undefined])
    })
  })
}

managerSuite('MemorySessionStorage', async () => ({ storage: new MemorySessionStorage() }))
const fileDir = tempDir()
managerSuite('FileSessionStorage', async () => ({ storage: new FileSessionStorage(fileDir) }))
managerSuite('CustomSessionStorage', async () => {
  const map = new Map()
  const version = (id) => (map.has(id) ? JSON.parse(map.get(id)).data.__sessionkeeper.version : 0)
  const storage = new CustomSessionStorage(
    async (s) => { map.set(s.id, JSON.stringify(s)); return true },
    async (id) => map.get(id),
    async (id) => { map.delete(id); return true },
    {
      // The app's compare-and-store (one check-and-set on the JS thread is atomic here).
      storeIfVersionCallback: async (s, expected) => {
        if (version(s.id) !== expected) return false
        map.set(s.id, JSON.stringify(s))
        return true
      },
    },
  )
  return { storage }
})

managerSuite('RedisSessionStorage', async () => {
  let client
  try {
    client = await redisClient()
  } catch (e) {
    unreachable('Redis', e)
    return { storage: new MemorySessionStorage() }
  }
  const keyPrefix = `sk-manager-${runId()}:`
  const storage = new RedisSessionStorage(client, { keyPrefix })
  return { storage, close: async () => { await deleteKeys(client, `${keyPrefix}*`); await client.quit() } }
})

managerSuite('PostgresSessionStorage', async () => {
  const pool = pgPool()
  try {
    await pool.query('SELECT 1')
  } catch (e) {
    unreachable('PostgreSQL', e)
    await pool.end()
    return { storage: new MemorySessionStorage() }
  }
  const table = `sk_manager_${runId()}`
  const storage = new PostgresSessionStorage(pool, { table })
  return { storage, close: async () => { await pool.query(`DROP TABLE IF EXISTS ${table}`); await pool.end() } }
})

describe('SessionManager over cookieStorage()', () => {
  test('the record travels sealed in the cookie, with no server state', async () => {
    const h = harness(cookieStorage())
    const { set } = await h.request((s) => { s.set('user', 'ada') })
    assert.doesNotMatch(set, /ada/)
    const { s } = await h.request((s) => { assert.equal(s.get('user'), 'ada') })
    assert.equal(s.isNew, false)
    h.cookie = h.cookie.slice(0, -2) + (h.cookie.endsWith('AA') ? 'BB' : 'AA')
    assert.equal((await h.request()).s.isNew, true, 'a tampered cookie opens a fresh session')
  })

  test('a cookie over 4096 bytes fails with COOKIE_TOO_LARGE and sends nothing', async () => {
    const h = harness(cookieStorage())
    const s = await h.manager.start()
    s.set('blob', 'x'.repeat(4000))
    await assert.rejects(h.manager.commit(s), { name: 'SessionStorageError', code: 'COOKIE_TOO_LARGE' })
  })

  test('destroy sends a clearing cookie', async () => {
    const h = harness(cookieStorage())
    await h.request((s) => { s.set('a', 1) })
    const { set } = await h.request((s) => { s.destroy() })
    assert.match(set, /^sid=; .*Max-Age=0/)
  })
})

describe('one cookie for Node and Python: tests/vectors/manager.json', () => {
  const [A, B] = [vectors.signed[0].secrets[0], vectors.signed[1].secrets[0]]
  const record = vectors.records[0]
  const at = (iso) => () => Date.parse(iso)

  test('a signed cookie of the vectors opens the vector record, under every ring that verifies it', async () => {
    const storage = new MemorySessionStorage()
    await storage.storeSession(JSON.parse(record.record))
    for (const c of [...vectors.signed.filter((c) => c.cookieName === 'sid'), ...vectors.verified]) {
      const manager = new SessionManager({ storage, secrets: c.secrets, clock: at('2030-01-01T00:05:00Z') })
      const s = await manager.start(`sid=${c.value}`)
      assert.equal(s.isNew, false, c.name)
      assert.equal(s.id, vectors.id)
      assert.deepEqual(s.toJSON(), record.values)
      assert.equal(s.takeFlash('notice'), record.flash.notice)
    }
    for (const c of vectors.refused.filter((c) => c.cookieName === 'sid')) {
      const manager = new SessionManager({ storage, secrets: c.secrets, clock: at('2030-01-01T00:05:00Z') })
      assert.equal((await manager.start(`sid=${c.value}`)).isNew, true, c.name)
    }
  })

  test('a commit writes the vector record byte for byte', async () => {
    const stored = []
    const storage = new CustomSessionStorage(async (s) => { stored.push(JSON.stringify(s)); return true }, async () => undefined, async () => true)
    const manager = new SessionManager({ storage, secrets: [A], clock: at('2030-01-01T00:00:00Z') })
    const s = await manager.start()
    for (const [k, v] of Object.entries(record.values)) s.set(k, v)
    await manager.commit(s)
    const written = JSON.parse(stored[0])
    assert.deepEqual(Object.keys(written), ['id', 'shop', 'state', 'isOnline', 'expires', 'data'])
    assert.equal(written.shop, '')
    assert.deepEqual(Object.keys(written.data), [...Object.keys(record.values), '__sessionkeeper'])
    assert.deepEqual(written.data.__sessionkeeper, { createdAt: Date.parse('2030-01-01T00:00:00Z'), writtenAt: Date.parse('2030-01-01T00:00:00Z'), version: 1 })
    assert.equal(B.length >= 32, true)
  })

  test('a sealed cookie of the vectors opens under cookieStorage()', async () => {
    for (const c of vectors.sealed) {
      const manager = new SessionManager({ storage: cookieStorage(), secrets: c.secrets, clock: at('2030-01-01T00:05:00Z') })
      const s = await manager.start(`sid=${c.value}`)
      assert.equal(s.isNew, false, c.name)
      assert.deepEqual(s.toJSON(), record.values)
    }
    for (const c of vectors.sealedRefused.filter((c) => c.cookieName === 'sid')) {
      const manager = new SessionManager({ storage: cookieStorage(), secrets: c.secrets, clock: at('2030-01-01T00:05:00Z') })
      assert.equal((await manager.start(`sid=${c.value}`)).isNew, true, c.name)
    }
  })
})

describe('SessionManager options', () => {
  const storage = new MemorySessionStorage()
  const bad = [
    [{ storage }, /secrets is required/],
    [{ storage, secrets: ['short'] }, /secrets\[0\] must be at least 32 bytes, got 5/],
    [{ storage, secrets: [SECRET], idleTimeoutMs: -1 }, /idleTimeoutMs must be between 0 and 400 days in milliseconds/],
    [{ storage, secrets: [SECRET], cookie: { name: '__Host-sid', domain: 'example.com' } }, /cookie.domain must be unset/],
    [{ storage, secrets: [SECRET], cookie: { name: '__Host-sid', secure: false } }, /cookie.secure must be true/],
    [{ storage, secrets: [SECRET], touchAfterMs: 31 * MIN }, /touchAfterMs must be shorter than idleTimeoutMs/],
    [{ storage, secrets: [SECRET], idleTimeout: 5 }, /unknown option "idleTimeout"/],
    [{ storage: {}, secrets: [SECRET] }, /storage must be a session storage/],
    [{ storage, secrets: [SECRET], clock: 5 }, /clock must be a function/],
  ]
  for (const [options, message] of bad) {
    test(`refused: ${message.source}`, () => {
      assert.throws(() => new SessionManager(options), { name: 'SessionStorageError', code: 'INVALID_ARGUMENT', message })
    })
  }

  test('optimistic concurrency over a storage that cannot compare is NOT_SUPPORTED', () => {
    const custom = new CustomSessionStorage(async () => true, async () => undefined, async () => true)
    assert.throws(() => new SessionManager({ storage: custom, secrets: [SECRET], concurrency: 'optimistic' }), { code: 'NOT_SUPPORTED' })
  })

  test('a malformed Cookie header never throws: a fresh session', async () => {
    const manager = new SessionManager({ storage, secrets: [SECRET] })
    for (const header of ['', ';', 'sid', 'sid=', '=;=;', '\u0000', 'sid=a.b.c', 'sid="x', 'a'.repeat(100_000)]) {
      assert.equal((await manager.start(header)).isNew, true)
    }
    assert.equal((await manager.start({ headers: { cookie: ['a=1', 'sid=x'] } })).isNew, true)
    assert.equal((await manager.start(new Request('http://x/', { headers: { cookie: 'sid=y' } }))).isNew, true)
  })

  test('values that are not JSON data are refused at commit, naming them', async () => {
    const manager = new SessionManager({ storage, secrets: [SECRET] })
    const s = await manager.start()
    s.set('n', 10n)
    await assert.rejects(manager.commit(s), { code: 'INVALID_ARGUMENT', message: /session values must be JSON data/ })
    const t = await manager.start()
    t.set('__sessionkeeper', 1)
    await assert.rejects(manager.commit(t), { code: 'INVALID_ARGUMENT', message: /reserved/ })
  })
})

test("a managed session's record is a session Shopify's own library loads", async () => {
  const { Session: ShopifySession } = require('@shopify/shopify-api')
  const storage = new MemorySessionStorage()
  const h = harness(storage)
  const { s } = await h.request((s) => { s.set('user', 'ada') })
  const loaded = await storage.loadSession(s.id)
  const theirs = new ShopifySession(loaded.toObject())
  assert.equal(theirs.id, s.id)
  assert.equal(theirs.shop, '')
  assert.equal(theirs.expires.getTime(), T0 + 30 * MIN)
  assert.equal(theirs.isExpired(), false)
})

test('startSweeping sweeps on a timer that never keeps the process alive', async () => {
  const { execFileSync } = require('node:child_process')
  // The process must end by itself with the sweeper running: the timer is unref'd.
  const script = `
    const { SessionManager, MemorySessionStorage } = require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))})
    const m = new SessionManager({ storage: new MemorySessionStorage(), secrets: ['${SECRET}'] })
    m.startSweeping(60_000)
    console.log('started')`
  assert.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 }), 'started\n')
  // And it sweeps: a session past its deadline is gone after one tick.
  const storage = new MemorySessionStorage()
  const past = Date.now() - 2 * 3_600_000
  const manager = new SessionManager({ storage, secrets: [SECRET], clock: () => past })
  const s = await manager.start()
  s.set('a', 1)
  await manager.commit(s)
  const sweeper = manager.startSweeping(1000)
  try {
    for (let i = 0; i < 50 && (await storage.loadSession(s.id)) !== undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.equal(await storage.loadSession(s.id), undefined)
  } finally {
    sweeper.stop()
  }
  assert.throws(() => manager.startSweeping(10), { code: 'INVALID_ARGUMENT' })
})

test('every storeSessionIfVersion refuses a version out of range the same way', async () => {
  const custom = new CustomSessionStorage(async () => true, async () => undefined, async () => true, { storeIfVersionCallback: async () => true })
  for (const storage of [new MemorySessionStorage(), new FileSessionStorage(tempDir()), custom]) {
    for (const bad of [-1, 1.5, 2 ** 32, '1']) {
      await assert.rejects(storage.storeSessionIfVersion({ id: 'v' }, bad), { code: 'INVALID_ARGUMENT', message: /expectedVersion must be an integer from 0 to 4294967295/ })
    }
  }
})

test('the embedded memory storage is read in place, a subclass through its own loadSession', async () => {
  const loads = []
  class Watched extends MemorySessionStorage {
    async loadSession(id) {
      loads.push(id)
      return super.loadSession(id)
    }
  }
  for (const [storage, viaLoadSession] of [[new MemorySessionStorage(), false], [new Watched(), true]]) {
    loads.length = 0
    const manager = new SessionManager({ storage, secrets: [SECRET] })
    const s = await manager.start()
    s.set('user', 'ada')
    const cookie = (await manager.commit(s)).split(';')[0]
    const again = await manager.start(cookie)
    assert.equal(again.isNew, false)
    assert.equal(again.get('user'), 'ada')
    assert.deepEqual(loads, viaLoadSession ? [s.id] : [], storage.constructor.name)
    // Untouched values commit as loaded; a nested change made through get() is still a change.
    assert.equal(await manager.commit(again), undefined)
    const third = await manager.start(cookie)
    third.get('user')
    third.set('cart', { items: [] })
    await manager.commit(third)
    const fourth = await manager.start(cookie)
    fourth.get('cart').items.push(1)
    await manager.commit(fourth)
    assert.deepEqual((await manager.start(cookie)).get('cart'), { items: [1] })
  }
})
