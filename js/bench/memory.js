'use strict'
// MemorySessionStorage vs a pure-JS memory storage that copies (JSON text in a Map), with
// Shopify's @shopify/shopify-app-session-storage-memory (shares references) for information.
// Sequential; loads/s, stores/s and a 50/50 mix of the two (ops/s), median over rounds. The
// mix runs twice: storing back the sessions as they are (what an app mostly does: a loaded
// session stored unchanged), and with every store changed (a new `state` each time, so no
// store can be recognised as holding what is already held).
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

/** Ops/s of N operations, half stores of `toStore(i, flip)`, half loads, as `flips` says. */
async function mixed(c, toStore) {
  const start = performance.now()
  for (let i = 0; i < N; i++) {
    const f = flips[i]
    if (f >= 1000) {
      await c.storage.storeSession(toStore(i, f))
    } else {
      const s = await c.storage.loadSession(c.sessions[f].id)
      if (s.id !== c.sessions[f].id) throw new Error('bad load')
    }
  }
  return N / ((performance.now() - start) / 1000)
}

let flips

async function main() {
  const params = Array.from({ length: 1000 }, (_, i) => sessionParams(i))
  const candidates = {
    jsonMap: { storage: new JsonMapStorage(), make: (p) => new PlainSession(p) },
    sessionkeeper: { storage: new MemorySessionStorage(), make: (p) => new Session(p) },
  }
  const shopify = shopifyMemory()
  if (shopify) candidates.shopifyReferences = shopify
  const results = Object.fromEntries(Object.keys(candidates).map((k) => [k, { loads: [], stores: [], mix: [], changed: [] }]))
  for (const c of Object.values(candidates)) {
    c.sessions = params.map(c.make)
    // Two versions of every session differing in `state`, stored alternately.
    c.changed = [0, 1].map((v) => params.map((p) => c.make({ ...p, state: `${p.state}-${v}` })))
  }
  // One sequence of coin flips for every candidate: store or load, which session.
  flips = Array.from({ length: N }, (_, i) => ((i * 2654435761) >>> 0) % 2000)

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
      const mix = await mixed(c, (i, f) => c.sessions[f % 1000])
      const turns = new Uint8Array(1000)
      const changed = await mixed(c, (i, f) => c.changed[turns[f % 1000]++ & 1][f % 1000])
      if (round >= 0) {
        results[name].loads.push(loads)
        results[name].stores.push(stores)
        results[name].mix.push(mix)
        results[name].changed.push(changed)
      }
    }
    if (global.gc) global.gc()
  }
  const out = {}
  for (const [name, r] of Object.entries(results)) {
    out[name] = {
      loadsPerSec: Math.round(median(r.loads)),
      storesPerSec: Math.round(median(r.stores)),
      mixPerSec: Math.round(median(r.mix)),
      changedMixPerSec: Math.round(median(r.changed)),
    }
  }
  const base = out.jsonMap
  for (const r of Object.values(out)) {
    r.loadRatio = r.loadsPerSec / base.loadsPerSec
    r.storeRatio = r.storesPerSec / base.storesPerSec
    r.pairRatio = (1 / base.loadsPerSec + 1 / base.storesPerSec) / (1 / r.loadsPerSec + 1 / r.storesPerSec)
    r.mixRatio = r.mixPerSec / base.mixPerSec
    r.changedMixRatio = r.changedMixPerSec / base.changedMixPerSec
  }
  console.log(JSON.stringify(out))
}

main()
