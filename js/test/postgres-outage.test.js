'use strict'
// PostgreSQL cut mid-run (issue 12, "Outages"; the run and its checks are ./outage.js, shared
// with the Redis outage tests): eight loops store and load through a TCP proxy that drops every
// connection of the pool and refuses new ones for a while. Every failure is CALLBACK_FAILED
// with pg's error as cause, none hangs, all succeed after, and no acknowledged store is lost.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { postgresSessionStorage } = require('../postgres.js')
const servers = require('./servers.js')
const { outageRun, check } = require('./outage.js')

const TABLE = `sk_node_outage_${servers.runId()}`
const TIMEOUT_MS = 2000
const server = { pool: null, skip: undefined }

before(async () => {
  Object.assign(server, await servers.reachablePool())
})

after(async () => {
  if (!server.pool) return
  await server.pool.query(`DROP TABLE IF EXISTS ${TABLE}`)
  const left = await server.pool.query('SELECT count(*)::int AS n FROM pg_tables WHERE tablename = $1', [TABLE])
  assert.equal(left.rows[0].n, 0, 'the table of this run is gone')
  await server.pool.end()
})

test('PostgreSQL cut mid-run: CALLBACK_FAILED inside, none hangs, all succeed after, no acknowledged write lost', async (t) => {
  if (server.skip) return t.skip(server.skip)
  const proxy = new servers.Proxy(servers.DATABASE_URL)
  await proxy.open()
  const storage = postgresSessionStorage(proxy.url(), { table: TABLE, timeoutMs: TIMEOUT_MS })
  try {
    const run = await outageRun(storage, { cut: () => proxy.close(), restore: () => proxy.open() })
    const figures = await check(storage, run, TIMEOUT_MS)
    // The cut reached pg itself: its errors are the causes (a refused connection, a dropped one).
    const causes = new Set(run.ops.filter((o) => !o.ok).map((o) => o.error.cause.message))
    assert.ok([...causes].some((m) => /ECONNREFUSED|terminated|ECONNRESET/.test(m)), [...causes].join('; '))
    t.diagnostic(JSON.stringify({ ...figures, causes: [...causes] }))
  } finally {
    await storage.close()
    if (proxy.server) await proxy.close()
  }
})
