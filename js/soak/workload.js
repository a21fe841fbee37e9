'use strict'
// The soak workload (issue 12): mixed store/load/delete/find operations against a storage,
// each outcome checked against a model of what the storage must hold. A custom storage's
// callbacks also throw or hang past its timeoutMs on chosen ids, and some calls carry invalid
// arguments, so error paths run as often as the happy ones. Used by `make soak` (soak/run.js,
// 1,000,000 operations, RSS curve) and by test/soak.test.js (10,000 operations in `make test`).

const assert = require('node:assert/strict')
const { CustomSessionStorage, MemorySessionStorage, Session, SessionStorageError } = require('../index.js')

const IDS = 2000
const SHOPS = 8
// Mutations and loads run this many at a time on distinct ids; finds run after them, so every
// outcome has one right answer.
const BATCH = 60
const FINDS = 4
const TIMEOUT_MS = 5

const shopOf = (n) => `soak-${n % SHOPS}.myshopify.com`

/** A seeded PRNG (mulberry32): a failing run can be repeated with its seed. */
function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A custom storage over a Map with a per-shop index; `faults` maps an id to 'throw' or 'hang'. */
function customStorage(faults) {
  const db = new Map()
  const shops = new Map()
  const fault = (id) => {
    const f = faults.get(id)
    if (f === 'throw') throw new Error(`injected failure for ${id}`)
    if (f === 'hang') return new Promise(() => {})
    return null
  }
  const index = (shop) => shops.get(shop) ?? shops.set(shop, new Set()).get(shop)
  const storage = new CustomSessionStorage(
    async (s) => fault(s.id) ?? (db.set(s.id, JSON.stringify(s)), index(s.shop).add(s.id), true),
    async (id) => fault(id) ?? db.get(id),
    async (id) => {
      const f = fault(id)
      if (f) return f
      const text = db.get(id)
      if (text !== undefined) index(JSON.parse(text).shop).delete(id)
      db.delete(id)
      return true
    },
    {
      timeoutMs: TIMEOUT_MS,
      findSessionsByShopCallback: async (shop) => [...index(shop)].map((id) => db.get(id)),
    },
  )
  return storage
}

function expectCode(code) {
  return (e) => {
    assert.ok(e instanceof SessionStorageError, `a SessionStorageError, got ${e}`)
    assert.equal(e.code, code, e.message)
    return true
  }
}

/**
 * Runs `ops` operations against a fresh storage of `kind` ('memory' | 'custom'); calls
 * `sample(done)` every `every` operations. Returns counts of each outcome.
 */
async function soak({ kind, ops, seed = 1, every = 10_000, sample = () => {} }) {
  const random = prng(seed)
  const faults = new Map()
  const storage = kind === 'custom' ? customStorage(faults) : new MemorySessionStorage()
  const model = new Map()
  const counts = { store: 0, load: 0, delete: 0, find: 0, invalid: 0, throw: 0, hang: 0 }
  let done = 0
  let nextSample = every
  while (done < ops) {
    const start = Math.floor(random() * IDS)
    const size = Math.min(BATCH, ops - done)
    faults.clear()
    const pending = []
    for (let k = 0; k < size; k++) {
      const n = (start + k) % IDS
      const id = `soak-${n}`
      const r = random()
      const f = kind === 'custom' ? random() : 1
      const fault = f < 0.002 ? 'hang' : f < 0.02 ? 'throw' : null
      if (fault) faults.set(id, fault)
      if (r < 0.02) {
        counts.invalid++
        pending.push(assert.rejects(storage.loadSession(''), expectCode('INVALID_ARGUMENT')))
        continue
      }
      const op = r < 0.4 ? 'store' : r < 0.8 ? 'load' : 'delete'
      counts[fault ?? op]++
      const run =
        op === 'store'
          ? storage.storeSession(new Session({ id, shop: shopOf(n), accessToken: 't', data: { n, at: done + k } }))
          : op === 'load'
            ? storage.loadSession(id)
            : storage.deleteSession(id)
      if (fault) {
        pending.push(assert.rejects(run, expectCode(fault === 'hang' ? 'CALLBACK_TIMEOUT' : 'CALLBACK_FAILED')))
      } else if (op === 'store') {
        model.set(id, done + k)
        pending.push(run.then((ok) => assert.equal(ok, true)))
      } else if (op === 'load') {
        const at = model.get(id)
        pending.push(run.then((s) => assert.equal(s?.data.at, at, id)))
      } else {
        model.delete(id)
        pending.push(run.then((ok) => assert.equal(ok, true)))
      }
    }
    await Promise.all(pending)
    faults.clear()
    const finds = []
    for (let k = 0; k < FINDS; k++) {
      const shop = shopOf(Math.floor(random() * SHOPS))
      const want = [...model.keys()].filter((id) => shopOf(Number(id.slice(5))) === shop).sort()
      finds.push(storage.findSessionsByShop(shop).then((found) => assert.deepEqual(found.map((s) => s.id).sort(), want, shop)))
    }
    counts.find += FINDS
    await Promise.all(finds)
    done += size + FINDS
    if (done >= nextSample) {
      sample(done)
      nextSample += every
    }
  }
  await storage.close()
  return counts
}

module.exports = { soak, TIMEOUT_MS }
