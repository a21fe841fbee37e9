'use strict'
// MemorySessionStorage vs a pure-JS memory storage that copies (JSON text in a Map), with
// Shopify's @shopify/shopify-app-session-storage-memory (shares references) for information.
// Sequential; loads/s and stores/s, median over rounds.
//   node bench/memory.js <ops per run> <rounds>

const { performance } = require('node:perf_hooks')
const { Session, MemorySessionStorage } = require('../index.js')
const { sessionParams, PlainSession, JsonMapStorage, median } = require('./common.js')

const [opsArg = 300000, roundsArg = 5] = process.argv.slice(2)
const N = Number(opsArg)

function shopifyMemory() {
  try {
    const { MemorySessionStorage: ShopifyMemory } = require('@shopify/shopify-app-session-storage-memory')
    const { Session: ShopifySession } = require('@shopify/shopify-api')
    return { storage: new ShopifyMemory(), make: (p) => new ShopifySession(p) }
  } catch (e) {
    return null
  }
}

async function main() {
  const params = Array.from({ length: 1000 }, (_, i) => sessionParams(i))
  const candidates = {
    jsonMap: { storage: new JsonMapStorage(), make: (p) => new PlainSession(p) },
    sessionkeeper: { storage: new MemorySessionStorage(), make: (p) => new Session(p) },
  }
  const shopify = shopifyMemory()
  if (shopify) candidates.shopifyReferences = shopify
  const results = Object.fromEntries(Object.keys(candidates).map((k) => [k, { loads: [], stores: [] }]))
  for (const c of Object.values(candidates)) c.sessions = params.map(c.make)

  for (let round = -1; round < Number(roundsArg); round++) {
    for (const [name, c] of Object.entries(candidates)) {
      let start = performance.now()
      for (let i = 0; i < N; i++) await c.storage.storeSession(c.sessions[i % 1000])
      const stores = N / ((performance.now() - start) / 1000)
      start = performance.now()
      for (let i = 0; i < N; i++) {
        const s = await c.storage.loadSession(c.sessions[i % 1000].id)
        if (s.expires.getTime() !== c.sessions[i % 1000].expires.getTime()) throw new Error('bad load')
      }
      const loads = N / ((performance.now() - start) / 1000)
      if (round >= 0) {
        results[name].loads.push(loads)
        results[name].stores.push(stores)
      }
    }
    if (global.gc) global.gc()
  }
  const out = {}
  for (const [name, r] of Object.entries(results)) {
    out[name] = { loadsPerSec: Math.round(median(r.loads)), storesPerSec: Math.round(median(r.stores)) }
  }
  const base = out.jsonMap
  for (const r of Object.values(out)) {
    r.loadRatio = r.loadsPerSec / base.loadsPerSec
    r.storeRatio = r.storesPerSec / base.storesPerSec
    r.pairRatio = (1 / base.loadsPerSec + 1 / base.storesPerSec) / (1 / r.loadsPerSec + 1 / r.storesPerSec)
  }
  console.log(JSON.stringify(out))
}

main()
