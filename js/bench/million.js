'use strict'
// 1,000,000 sessions in MemorySessionStorage: resident memory added (RSS after − RSS before,
// each after a full GC) against the canonical JSON bytes of the sessions held.
//   node --expose-gc bench/million.js <sessions>

const { Session, MemorySessionStorage } = require('../index.js')
const { sessionParams } = require('./common.js')

const N = Number(process.argv[2] ?? 1000000)

function settle() {
  for (let i = 0; i < 3; i++) global.gc()
  return process.memoryUsage()
}

async function main() {
  // Everything the measurement itself needs is loaded before the first reading.
  const storage = new MemorySessionStorage()
  await storage.storeSession(new Session(sessionParams(N)))
  await storage.deleteSession(sessionParams(N).id)
  const before = settle()
  let jsonBytes = 0
  for (let i = 0; i < N; i++) {
    const session = new Session(sessionParams(i))
    jsonBytes += Buffer.byteLength(JSON.stringify(session))
    await storage.storeSession(session)
  }
  const after = settle()
  const probe = await storage.loadSession(sessionParams(N - 1).id)
  if (probe === undefined) throw new Error('lost a session')
  const added = after.rss - before.rss
  console.log(
    JSON.stringify({
      sessions: N,
      jsonBytes,
      rssBefore: before.rss,
      rssAfter: after.rss,
      rssAdded: added,
      heapUsedAdded: after.heapUsed - before.heapUsed,
      ratio: added / jsonBytes,
    }),
  )
}

main()
