'use strict'
// Shared pieces of the Node benchmarks: the session they move, the pure-JS baselines, and
// the measuring loop (alternating variants, median over rounds).

const { performance } = require('node:perf_hooks')

/** A realistic online session: ~550 bytes of canonical JSON. */
function sessionParams(i) {
  return {
    id: `bench-shop-${i % 1000}.myshopify.com_${100000 + i}`,
    shop: `bench-shop-${i % 1000}.myshopify.com`,
    state: 'f1b2c3d4e5f6a7b8c9d0',
    isOnline: true,
    scope: 'read_products,write_products,read_orders,write_orders,read_customers',
    expires: new Date(Date.UTC(2031, 0, 1, 0, 0, 0, i % 1000)),
    accessToken: `shpua_${'0123456789abcdef'.repeat(2)}`,
    onlineAccessInfo: {
      expires_in: 86398,
      associated_user_scope: 'read_products,write_products,read_orders,write_orders,read_customers',
      associated_user: {
        id: 902541635 + i,
        first_name: 'Bench',
        last_name: 'Marker',
        email: `bench.marker+${i}@example.com`,
        email_verified: true,
        account_owner: true,
        locale: 'en-CA',
        collaborator: false,
      },
    },
  }
}

/**
 * What an app without sessionkeeper uses: Shopify's Session shape (Object.assign of the
 * params), with the dates revived after JSON.parse.
 */
class PlainSession {
  constructor(params) {
    Object.assign(this, params)
    if (typeof this.expires === 'string') this.expires = new Date(this.expires)
    if (typeof this.refreshTokenExpires === 'string') this.refreshTokenExpires = new Date(this.refreshTokenExpires)
  }
}

/** The pure-JS memory storage that copies: JSON text in a Map. */
class JsonMapStorage {
  constructor() {
    this.map = new Map()
  }
  async storeSession(session) {
    this.map.set(session.id, JSON.stringify(session))
    return true
  }
  async loadSession(id) {
    const text = this.map.get(id)
    return text === undefined ? undefined : new PlainSession(JSON.parse(text))
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Runs each variant `rounds` times, alternating, rotating the order each round, after one
 * warm-up run each. `run(variant)` resolves to seconds for one run. Returns medians and the
 * per-round ratios against `base`.
 */
async function compare(variants, rounds, run, base) {
  for (const v of variants) await run(v)
  const times = Object.fromEntries(variants.map((v) => [v, []]))
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length])
    for (const v of order) times[v].push(await run(v))
    if (global.gc) global.gc()
  }
  const result = {}
  for (const v of variants) {
    result[v] = {
      seconds: median(times[v]),
      roundRatio: median(times[v].map((t, i) => times[base][i] / t)),
    }
  }
  return result
}

function seconds(start) {
  return (performance.now() - start) / 1000
}

module.exports = { sessionParams, PlainSession, JsonMapStorage, median, compare, seconds }
