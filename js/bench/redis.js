'use strict'
// CustomSessionStorage over node-redis callbacks vs the same callbacks awaited directly.
// A "pair" is storeSession(s) then loadSession(s.id); concurrency c = c workers each running
// pairs one after another over one auto-pipelined connection.
//   node bench/redis.js <concurrency> <pairs per run> <rounds> [unique]
// `unique` gives every store new bytes (a counter in `state`), so no text is ever seen twice.

const { createClient } = require('redis')
const { randomUUID } = require('node:crypto')
const { performance } = require('node:perf_hooks')
const { Session, CustomSessionStorage } = require('../index.js')
const { sessionParams, PlainSession, compare, seconds } = require('./common.js')

const [conc = 1, pairs = 3000, rounds = 5, mode = ''] = process.argv.slice(2)
const C = Number(conc)
const N = Number(pairs)
const UNIQUE = mode === 'unique'
const PREFIX = `sk-bench:${randomUUID()}:`

async function main() {
  const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
  client.on('error', () => {})
  await client.connect()
  const key = (id) => PREFIX + id

  // The app's callbacks, identical for both variants.
  const store = async (session) => (await client.set(key(session.id), JSON.stringify(session))) === 'OK'
  const load = (id) => client.get(key(id))
  const del = async (id) => (await client.del(key(id))) >= 0

  const ours = new CustomSessionStorage(store, load, del) // node-redis resolves null when missing
  const direct = {
    storeSession: store,
    async loadSession(id) {
      const text = await load(id)
      return text === null ? undefined : new PlainSession(JSON.parse(text))
    },
  }
  const params = Array.from({ length: 1000 }, (_, i) => sessionParams(i))
  const sessions = { direct: params.map((p) => new PlainSession(p)), ours: params.map((p) => new Session(p)) }
  const storages = { direct, ours }
  let counter = 0

  async function run(variant) {
    const storage = storages[variant]
    const list = sessions[variant]
    let next = 0
    const start = performance.now()
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < N) {
          const s = list[next++ % list.length]
          if (UNIQUE) s.state = `state-${counter++}`
          if ((await storage.storeSession(s)) !== true) throw new Error('store failed')
          const loaded = await storage.loadSession(s.id)
          if (loaded.id !== s.id || loaded.expires.getTime() !== s.expires.getTime()) throw new Error('bad load')
        }
      }),
    )
    return seconds(start)
  }

  const result = await compare(['direct', 'ours'], Number(rounds), run, 'direct')
  const keys = []
  for await (const batch of client.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 1000 })) keys.push(...batch)
  if (keys.length) await client.del(keys)
  await client.quit()
  const pairsPerSec = (v) => Math.round(N / result[v].seconds)
  console.log(JSON.stringify({
    concurrency: C,
    unique: UNIQUE,
    directPairsPerSec: pairsPerSec('direct'),
    oursPairsPerSec: pairsPerSec('ours'),
    ratioOfMedians: pairsPerSec('ours') / pairsPerSec('direct'),
    medianRoundRatio: result.ours.roundRatio,
  }))
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
