'use strict'
// SessionManager: what start + commit of an unchanged session adds to a bare storage load
// (memory storage, sequential, median over rounds), and storage writes per 1,000 unchanged
// requests one second apart with touchAfterMs = 3 minutes.
//   node bench/manager.js <requests per round> <rounds>

const { performance } = require('node:perf_hooks')
const { SessionManager, MemorySessionStorage } = require('../index.js')
const { median } = require('./common.js')

const [nArg = 100000, roundsArg = 7] = process.argv.slice(2)
const N = Number(nArg)

async function main() {
  const storage = new MemorySessionStorage()
  const manager = new SessionManager({ storage, secrets: ['bench-secret-of-at-least-32-bytes!!'] })
  const first = await manager.start()
  first.set('user', 'ada').set('cart', [1, 2, 3])
  const cookie = (await manager.commit(first)).split(';')[0]
  const id = first.id
  const managed = []
  const bare = []
  for (let round = -1; round < Number(roundsArg); round++) {
    let t = performance.now()
    for (let i = 0; i < N; i++) await storage.loadSession(id)
    const loadUs = ((performance.now() - t) * 1000) / N
    t = performance.now()
    for (let i = 0; i < N; i++) {
      const s = await manager.start(cookie)
      await manager.commit(s)
    }
    const managedUs = ((performance.now() - t) * 1000) / N
    if (round >= 0) {
      bare.push(loadUs)
      managed.push(managedUs)
    }
  }

  // Writes per 1,000 unchanged requests, one second apart, counted at the storage.
  let writes = 0
  const counted = {
    storeSession: (s) => { writes++; return storage.storeSession(s) },
    loadSession: (i) => storage.loadSession(i),
    deleteSession: (i) => storage.deleteSession(i),
  }
  const clock = { now: Date.now() }
  const touching = new SessionManager({ storage: counted, secrets: ['bench-secret-of-at-least-32-bytes!!'], touchAfterMs: 180_000, clock: () => clock.now })
  const s = await touching.start()
  s.set('user', 'ada')
  let c = (await touching.commit(s)).split(';')[0]
  writes = 0
  for (let i = 0; i < 1000; i++) {
    clock.now += 1000
    const r = await touching.start(c)
    const set = await touching.commit(r)
    if (set) c = set.split(';')[0]
  }
  const m = median(managed)
  const b = median(bare)
  console.log(JSON.stringify({ managedUs: m, bareLoadUs: b, addedUs: m - b, writesPer1000: writes }))
}

main()
