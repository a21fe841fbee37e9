'use strict'
// sessionkeeper/redis vs Shopify's @shopify/shopify-app-session-storage-redis on the same
// server: store+load pairs/s. Concurrency c = c workers each running pairs one after another;
// each storage opens its own connection from the URL.
//   node bench/adapters.js <concurrency> <pairs per run> <rounds> [unique|fresh]
// By default 1,000 sessions are stored again and again (Shopify's best case: the session is
// already in its shop list, so its store is SET + GET). `unique` gives every store new bytes
// (a counter in `state`), so no text is ever seen twice; `fresh` gives every pair a new session
// id, as each OAuth does (Shopify's store is then SET + GET + SET of the shop list).

const { randomUUID } = require('node:crypto')
const { performance } = require('node:perf_hooks')
const { createClient } = require('redis')
const { Session } = require('../index.js')
const { redisSessionStorage } = require('../redis.js')
const { sessionParams, compare, seconds } = require('./common.js')

const [conc = 1, pairs = 3000, rounds = 5, mode = ''] = process.argv.slice(2)
const C = Number(conc)
const N = Number(pairs)
const UNIQUE = mode === 'unique'
const FRESH = mode === 'fresh'
const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const RUN = `sk-bench-adapters:${randomUUID()}:`

async function main() {
  const { RedisSessionStorage: ShopifyRedis } = require('@shopify/shopify-app-session-storage-redis')
  const { Session: ShopifySession } = require('@shopify/shopify-api')
  const ours = redisSessionStorage(URL, { keyPrefix: `${RUN}ours:` })
  const shopify = new ShopifyRedis(URL, { sessionKeyPrefix: `${RUN}shopify` })
  const params = Array.from({ length: 1000 }, (_, i) => sessionParams(i))
  const variants = {
    shopify: { storage: shopify, sessions: params.map((p) => new ShopifySession(p)) },
    ours: { storage: ours, sessions: params.map((p) => new Session(p)) },
  }
  let counter = 0

  async function run(variant) {
    const { storage, sessions } = variants[variant]
    let next = 0
    const start = performance.now()
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < N) {
          const s = sessions[next++ % sessions.length]
          if (UNIQUE) s.state = `state-${counter++}`
          if (FRESH) s.id = `${s.shop}_${counter++}`
          if ((await storage.storeSession(s)) !== true) throw new Error('store failed')
          const loaded = await storage.loadSession(s.id)
          if (loaded.id !== s.id || loaded.expires.getTime() !== s.expires.getTime()) throw new Error('bad load')
        }
      }),
    )
    return seconds(start)
  }

  try {
    const result = await compare(['shopify', 'ours'], Number(rounds), run, 'shopify')
    const pairsPerSec = (v) => Math.round(N / result[v].seconds)
    console.log(JSON.stringify({
      concurrency: C,
      mode: mode || 'same sessions',
      shopifyPairsPerSec: pairsPerSec('shopify'),
      oursPairsPerSec: pairsPerSec('ours'),
      ratioOfMedians: pairsPerSec('ours') / pairsPerSec('shopify'),
      medianRoundRatio: result.ours.roundRatio,
    }))
  } finally {
    await ours.close()
    await shopify.disconnect()
    const client = createClient({ url: URL })
    client.on('error', () => {})
    await client.connect()
    const keys = []
    for await (const batch of client.scanIterator({ MATCH: `${RUN}*`, COUNT: 1000 })) keys.push(...batch)
    for (let i = 0; i < keys.length; i += 1000) await client.del(keys.slice(i, i + 1000))
    await client.quit()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
