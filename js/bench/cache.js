'use strict'
// The read-through cache over sessionkeeper/redis (DESIGN.md §4, "Hot sessions"): hot loads of
// 1,000 stored sessions with the cache vs without it, and 1,000 concurrent loads of one id on a
// cold cache (how many `load` callbacks ran, and the time vs the same loads uncached).
//   node bench/cache.js <concurrency> <loads per run> <rounds>

const { randomUUID } = require('node:crypto')
const { performance } = require('node:perf_hooks')
const { createClient } = require('redis')
const { Session, CustomSessionStorage } = require('../index.js')
const { redisSessionStorage } = require('../redis.js')
const { sessionParams, compare, seconds, median } = require('./common.js')

const [conc = 1, loads = 20000, rounds = 5] = process.argv.slice(2)
const C = Number(conc)
const N = Number(loads)
const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const RUN = `sk-bench-cache:${randomUUID()}:`

async function main() {
  const uncached = redisSessionStorage(URL, { keyPrefix: RUN })
  const cached = redisSessionStorage(URL, { keyPrefix: RUN, cache: { maxStalenessMs: 60_000 } })
  const client = createClient({ url: URL })
  client.on('error', () => {})
  await client.connect()
  const sessions = Array.from({ length: 1000 }, (_, i) => new Session(sessionParams(i)))
  try {
    for (const s of sessions) await uncached.storeSession(s)
    const variants = { uncached, cached }
    async function run(variant) {
      const storage = variants[variant]
      let next = 0
      const start = performance.now()
      await Promise.all(
        Array.from({ length: C }, async () => {
          while (next < N) {
            const s = sessions[next++ % sessions.length]
            const loaded = await storage.loadSession(s.id)
            if (loaded.id !== s.id) throw new Error('bad load')
          }
        }),
      )
      return seconds(start)
    }
    const hot = await compare(['uncached', 'cached'], Number(rounds), run, 'uncached')
    const perSec = (v) => Math.round(N / hot[v].seconds)

    // Fan-in: a fresh cached storage per round (a cold cache), its load callback counted.
    const id = sessions[0].id
    const keyOf = (i) => `${RUN}session:${i}`
    const key = keyOf(id)
    let callbacks = 0
    const fanIn = (cache) => {
      const options = cache ? { cache: {} } : {}
      const storage = new CustomSessionStorage(async () => true, async (i) => (callbacks++, client.get(keyOf(i))), async () => true, options)
      return async () => {
        const start = performance.now()
        await Promise.all(Array.from({ length: 1000 }, () => storage.loadSession(id)))
        return seconds(start)
      }
    }
    if ((await client.get(key)) === null) throw new Error('session not stored')
    const fan = { cached: [], uncached: [], callbacks: [] }
    for (let r = 0; r < Number(rounds); r++) {
      fan.uncached.push(await fanIn(false)())
      callbacks = 0
      fan.cached.push(await fanIn(true)())
      fan.callbacks.push(callbacks)
    }
    console.log(JSON.stringify({
      concurrency: C,
      uncachedLoadsPerSec: perSec('uncached'),
      cachedLoadsPerSec: perSec('cached'),
      ratioOfMedians: perSec('cached') / perSec('uncached'),
      medianRoundRatio: hot.cached.roundRatio,
      fanInCallbacks: Math.max(...fan.callbacks),
      fanInCachedMs: median(fan.cached) * 1000,
      fanInUncachedMs: median(fan.uncached) * 1000,
    }))
  } finally {
    await uncached.deleteSessions(sessions.map((s) => s.id))
    await uncached.close()
    await cached.close()
    await client.quit()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
