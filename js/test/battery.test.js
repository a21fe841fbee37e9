'use strict'
// The conformance battery (sessionkeeper/testing) against every storage this package ships,
// and CustomSessionStorage with each load-result shape and with sync callbacks; then the kit
// itself: it carries tests/vectors/battery.json unchanged, refuses unknown versions, and fails
// a storage that breaks the promise a case is about.

const { describe, test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const { Session, MemorySessionStorage, FileSessionStorage } = require('../index.js')
const { batteryOfTests } = require('../testing.js')
const { tempDir, mapStorage, vectors } = require('./helpers.js')

describe('MemorySessionStorage', () => {
  const storage = new MemorySessionStorage()
  batteryOfTests(async () => storage, { test })
})

describe('FileSessionStorage', () => {
  const storage = new FileSessionStorage(tempDir())
  batteryOfTests(async () => storage, { test })
})

describe('FileSessionStorage, a new instance per case on one directory', () => {
  const dir = tempDir()
  batteryOfTests(async () => new FileSessionStorage(dir), { test })
})

for (const shape of ['text', 'object', 'session', 'propertyArray']) {
  for (const sync of [false, true]) {
    describe(`CustomSessionStorage, load returns ${shape}, ${sync ? 'sync' : 'async'} callbacks`, () => {
      const { storage } = mapStorage({ shape, sync })
      batteryOfTests(async () => storage, { test, appData: shape !== 'propertyArray' })
    })
  }
}

describe('CustomSessionStorage without deleteSessions callback (per-id fallback)', () => {
  const { storage } = mapStorage({ deleteMany: false })
  batteryOfTests(async () => storage, { test })
})

for (const shape of ['text', 'session']) {
  describe(`CustomSessionStorage with a read-through cache, load returns ${shape}`, () => {
    const { storage } = mapStorage({ shape, cache: { maxEntries: 4, maxStalenessMs: 60_000 } })
    batteryOfTests(async () => storage, { test })
  })
}

describe('CustomSessionStorage without timeout', () => {
  const { storage } = mapStorage({ timeoutMs: 0 })
  batteryOfTests(async () => storage, { test })
})

describe('the battery itself', () => {
  const battery = require('../lib/battery.js')
  const { native } = require('../lib/core.js')
  const { cases, dataCases } = require('../testing.js')

  test('the native module carries tests/vectors/battery.json and the vector files it names, unchanged', () => {
    assert.deepEqual(JSON.parse(native.BATTERY_VECTORS), {
      battery: vectors('battery.json'),
      sessions: vectors('sessions.json'),
      invalid: vectors('invalid.json'),
    })
  })

  test('each case has one unique kebab-case name, the data cases apart', () => {
    const names = vectors('battery.json').cases.map((c) => c.name)
    assert.deepEqual([...Object.keys(cases), ...Object.keys(dataCases)], names)
    assert.equal(new Set(names).size, names.length)
    for (const name of names) assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/)
    assert.deepEqual(Object.keys(dataCases), ['keeps-app-data-exactly', 'stores-copies-of-app-data'])
  })

  test('tsc --strict accepts the kit as an app uses it and rejects misuse (test/types/testing.ts)', () => {
    const root = path.join(__dirname, '..')
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'test/types/tsconfig.testing.json'], { cwd: root, encoding: 'utf8' })
  })

  test('a version the kit does not know is refused', () => {
    const text = native.BATTERY_VECTORS
    assert.ok(battery.readVectors(text).battery.cases.length > 0)
    for (const file of ['battery', 'sessions', 'invalid']) {
      const changed = JSON.parse(text)
      changed[file].version = 2
      assert.throws(() => battery.readVectors(JSON.stringify(changed)), new RegExp(`${file} has version 2`))
    }
  })

  test('a step the kit does not know fails the case instead of passing it', async () => {
    const theCase = { name: 'made-up', sessions: {}, steps: [{ op: 'rename', id: 'x', expect: true }] }
    await assert.rejects(battery.runCase(theCase, new MemorySessionStorage()), /made-up, step 1 \(rename\): unknown step op/)
  })

  /** A storage doing what `inner` does, through its public methods only. */
  const delegate = (inner) =>
    Object.fromEntries(
      ['storeSession', 'loadSession', 'deleteSession', 'deleteSessions', 'findSessionsByShop'].map((m) => [m, (...args) => inner[m](...args)]),
    )

  // Each storage breaks one promise; the battery must notice, in the case about it.
  const sharing = () => {
    const kept = new Map() // the objects the app handed over, not copies
    return {
      storeSession: async (s) => (kept.set(s.id, s), true),
      loadSession: async (id) => kept.get(id),
    }
  }
  const flaws = {
    'stores-copies': sharing,
    'stores-copies-of-app-data': sharing,
    'wrong-ids-return-no-session': (inner) => ({ loadSession: async (id) => (await inner.loadSession(id)) ?? null }),
    'can-find-all-the-sessions-for-a-given-shop': (inner) => {
      const ids = new Set() // every session ever stored, whatever its shop
      return {
        storeSession: async (s) => (ids.add(s.id), inner.storeSession(s)),
        findSessionsByShop: async () => (await Promise.all([...ids].map((id) => inner.loadSession(id)))).filter(Boolean),
      }
    },
    'can-delete-the-sessions-for-a-given-array-of-ids': () => ({ deleteSessions: async () => true }),
    'can-store-sessions-with-scope-longer-than-255-chars': (inner) => ({
      storeSession: async (s) => inner.storeSession({ ...new Session(s).toObject(), scope: s.scope?.slice(0, 255) }),
    }),
    'keeps-dates-to-the-millisecond': (inner) => ({
      storeSession: async (s) => inner.storeSession({ ...new Session(s).toObject(), expires: s.expires && Math.floor(s.expires / 1000) * 1000 }),
    }),
    'keeps-expired-sessions-loadable': (inner) => ({
      loadSession: async (id) => {
        const s = await inner.loadSession(id)
        return s?.isExpired() ? undefined : s
      },
    }),
    'rejects-bad-arguments': (inner) => ({ loadSession: async (id) => (id === '' ? undefined : inner.loadSession(id)) }),
    'upserts-also-across-shops': (inner) => ({
      findSessionsByShop: async (shop) => (shop === 'one.myshopify.com' ? [new Session({ id: 'battery_upsert', shop })] : inner.findSessionsByShop(shop)),
    }),
    'keeps-app-data-exactly': (inner) => ({
      storeSession: async (s) => inner.storeSession({ ...new Session(s).toObject(), data: undefined }),
    }),
  }
  for (const [name, flaw] of Object.entries(flaws)) {
    test(`a storage that breaks "${name}" fails that case`, async () => {
      const inner = new MemorySessionStorage()
      const broken = { ...delegate(inner), ...flaw(inner) }
      const run = cases[name] ?? dataCases[name]
      await run(inner)
      await assert.rejects(run(broken), (e) => {
        assert.ok(e instanceof assert.AssertionError)
        assert.ok(e.cause instanceof assert.AssertionError, `an assertion of the case failed: ${e.cause}`)
        assert.match(e.message, new RegExp(`^${name}, step \\d+ \\(\\w+\\): `))
        return true
      })
    })
  }
})
