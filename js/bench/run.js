'use strict'
// `make bench-node`: every Node ratio of ARCHITECTURE.md in one run (about three minutes).
// Each measurement runs in its own process (with --expose-gc) so one cannot warm or litter
// the heap of the next.

const { execFileSync } = require('node:child_process')
const path = require('node:path')

function run(script, ...args) {
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, script), ...args.map(String)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return JSON.parse(out.trim().split('\n').pop())
}

const f2 = (x) => x.toFixed(2)
const rows = []

let redis = true
try {
  for (const [c, pairs, rounds] of [[1, 3000, 9], [64, 40000, 9]]) {
    for (const mode of ['', 'unique']) {
      const r = run('redis.js', c, pairs, rounds, mode)
      rows.push([
        `CustomSessionStorage over node-redis vs direct, concurrency ${c}${mode ? ', every store new bytes' : ''}`,
        `${r.oursPairsPerSec} vs ${r.directPairsPerSec} pairs/s`,
        `${f2(r.ratioOfMedians)} (median of round ratios ${f2(r.medianRoundRatio)})`,
        c === 1 ? '>= 0.90' : '>= 0.85',
      ])
    }
  }
} catch (e) {
  redis = false
  console.log(`(Redis unreachable, skipped the Redis rows: ${e.message.split('\n')[0]})`)
}

// sessionkeeper/redis vs Shopify's Redis adapter, same server, each with its own connection.
if (redis) {
  try {
    for (const [c, pairs] of [[1, 3000], [64, 30000]]) {
      for (const mode of ['', 'fresh', 'unique']) {
        const r = run('adapters.js', c, pairs, 5, mode)
        const what = { '': 'the same 1,000 sessions', fresh: 'a new session id per pair', unique: 'every store new bytes' }[mode]
        rows.push([
          `sessionkeeper/redis vs Shopify's Redis adapter, concurrency ${c}, ${what}`,
          `${r.oursPairsPerSec} vs ${r.shopifyPairsPerSec} pairs/s`,
          `${f2(r.ratioOfMedians)} (median of round ratios ${f2(r.medianRoundRatio)})`,
          mode === '' ? (c === 1 ? '>= 1.5' : '>= 1.2') : 'information',
        ])
      }
    }
  } catch (e) {
    console.log(`(skipped the adapter rows: ${e.message.split('\n')[0]})`)
  }
}

// The read-through cache over sessionkeeper/redis (DESIGN.md §4, "Hot sessions").
if (redis) {
  for (const [c, loads] of [[1, 5000], [64, 20000]]) {
    const r = run('cache.js', c, loads, 5)
    rows.push([
      `hot loads of 1,000 sessions over sessionkeeper/redis, cache vs none, concurrency ${c}`,
      `${r.cachedLoadsPerSec} vs ${r.uncachedLoadsPerSec} loads/s`,
      `${f2(r.ratioOfMedians)} (median of round ratios ${f2(r.medianRoundRatio)})`,
      c === 1 ? '>= 10' : 'information',
    ])
    if (c === 1) {
      rows.push([
        '1,000 concurrent loads of one id on a cold cache (single-flight fan-in)',
        `${r.fanInCallbacks} load callback; ${f2(r.fanInCachedMs)} vs ${f2(r.fanInUncachedMs)} ms uncached`,
        `${r.fanInCallbacks}`,
        '1 callback',
      ])
    }
  }
}

for (const mode of ['', 'unique']) {
  const m = run('map.js', 200000, 5, mode)
  rows.push([
    `added per store+load pair over an in-process Map${mode ? ', every store new bytes' : ''}`,
    `store ${f2(m.oursStoreUs)} vs ${f2(m.directStoreUs)} µs, load ${f2(m.oursLoadUs)} vs ${f2(m.directLoadUs)} µs`,
    `${m.addedPerPairUs >= 0 ? '+' : ''}${f2(m.addedPerPairUs)} µs`,
    'report',
  ])
}

const mem = run('memory.js', 300000, 5)
rows.push([
  'MemorySessionStorage vs pure-JS JSON-in-a-Map storage',
  `loads ${mem.sessionkeeper.loadsPerSec} vs ${mem.jsonMap.loadsPerSec}/s, stores ${mem.sessionkeeper.storesPerSec} vs ${mem.jsonMap.storesPerSec}/s`,
  `loads ${f2(mem.sessionkeeper.loadRatio)}, stores ${f2(mem.sessionkeeper.storeRatio)}, store+load ${f2(mem.sessionkeeper.pairRatio)}`,
  '>= 1.0',
])
rows.push([
  'MemorySessionStorage vs the same, 50/50 mix of stores and loads of 1,000 sessions',
  `${mem.sessionkeeper.mixPerSec} vs ${mem.jsonMap.mixPerSec} ops/s`,
  f2(mem.sessionkeeper.mixRatio),
  '>= 1.0',
])
rows.push([
  'MemorySessionStorage vs the same, 50/50 mix, every store a changed session',
  `${mem.sessionkeeper.changedMixPerSec} vs ${mem.jsonMap.changedMixPerSec} ops/s`,
  f2(mem.sessionkeeper.changedMixRatio),
  'information',
])
if (mem.shopifyReferences) {
  rows.push([
    "Shopify's memory storage (shares references) vs the same JSON-in-a-Map",
    `loads ${mem.shopifyReferences.loadsPerSec}/s, stores ${mem.shopifyReferences.storesPerSec}/s`,
    `loads ${f2(mem.shopifyReferences.loadRatio)}, stores ${f2(mem.shopifyReferences.storeRatio)}`,
    'information',
  ])
}

const million = run('million.js', 1000000)
rows.push([
  '1,000,000 sessions in MemorySessionStorage: RSS added vs canonical JSON bytes',
  `${(million.rssAdded / 2 ** 20).toFixed(0)} MiB vs ${(million.jsonBytes / 2 ** 20).toFixed(0)} MiB`,
  f2(million.ratio),
  '<= 2.0',
])

const mgr = run('manager.js', 100000, 7)
rows.push([
  'SessionManager start + commit of an unchanged session over MemorySessionStorage, added to a bare load',
  `${f2(mgr.managedUs)} vs ${f2(mgr.bareLoadUs)} µs`,
  `+${f2(mgr.addedUs)} µs`,
  '<= +5 µs',
])
rows.push([
  'SessionManager storage writes per 1,000 unchanged requests 1 s apart, touchAfterMs 180 s',
  `${mgr.writesPer1000} writes`,
  `${mgr.writesPer1000}`,
  '<= 1000 / 180 (5.6)',
])

console.log('\nNode benchmarks (median over rounds; ratios > 1 mean sessionkeeper is faster)\n')
console.log('| measurement | figures | ratio | target |')
console.log('|---|---|---|---|')
for (const r of rows) console.log(`| ${r.join(' | ')} |`)
if (!redis) process.exitCode = 0
