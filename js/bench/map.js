'use strict'
// The cost sessionkeeper adds per operation: the same callbacks over an in-process Map,
// awaited directly vs through CustomSessionStorage (sequential, µs per op).
//   node bench/map.js <ops per run> <rounds> [unique]

const { performance } = require('node:perf_hooks')
const { Session, CustomSessionStorage } = require('../index.js')
const { sessionParams, PlainSession, median } = require('./common.js')

const [opsArg = 200000, roundsArg = 5, mode = ''] = process.argv.slice(2)
const N = Number(opsArg)
const UNIQUE = mode === 'unique'

async function main() {
  const db = new Map()
  const store = async (session) => {
    db.set(session.id, JSON.stringify(session))
    return true
  }
  // A string as a driver hands it over: a fresh copy of the stored bytes on every read.
  const load = async (id) => {
    const text = db.get(id)
    return text === undefined ? undefined : (' ' + text).slice(1)
  }
  const ours = new CustomSessionStorage(store, load, async (id) => db.delete(id) || true)
  const params = Array.from({ length: 1000 }, (_, i) => sessionParams(i))
  const plain = params.map((p) => new PlainSession(p))
  const sessions = params.map((p) => new Session(p))
  let counter = 0

  const variants = {
    directStore: (i) => {
      const s = plain[i % 1000]
      if (UNIQUE) s.state = `state-${counter++}`
      return store(s)
    },
    oursStore: (i) => {
      const s = sessions[i % 1000]
      if (UNIQUE) s.state = `state-${counter++}`
      return ours.storeSession(s)
    },
    directLoad: async (i) => {
      const text = await load(plain[i % 1000].id)
      return new PlainSession(JSON.parse(text))
    },
    oursLoad: (i) => ours.loadSession(sessions[i % 1000].id),
  }
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
  for (let round = -1; round < Number(roundsArg); round++) {
    for (const [name, op] of Object.entries(variants)) {
      const start = performance.now()
      for (let i = 0; i < N; i++) await op(i)
      const us = ((performance.now() - start) * 1000) / N
      if (round >= 0) times[name].push(us)
    }
    if (global.gc) global.gc()
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]))
  console.log(JSON.stringify({
    unique: UNIQUE,
    directStoreUs: m.directStore,
    oursStoreUs: m.oursStore,
    directLoadUs: m.directLoad,
    oursLoadUs: m.oursLoad,
    addedPerPairUs: m.oursStore - m.directStore + (m.oursLoad - m.directLoad),
  }))
}

main()
