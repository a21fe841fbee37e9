'use strict'
// The real servers the adapter tests run against: Redis (REDIS_URL), PostgreSQL
// (DATABASE_URL), a throwaway 3-node Redis Cluster this run starts itself, and a TCP proxy
// that makes a server unreachable and reachable again without touching the server.
// Unreachable servers skip their tests with a printed notice, unless CI=true.

const net = require('node:net')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { randomUUID } = require('node:crypto')
const { createClient, createCluster } = require('redis')
const { Pool } = require('pg')

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'
const CLUSTER_SCRIPT = path.join(__dirname, '..', '..', 'tests', 'cluster', 'redis-cluster.sh')
const CLUSTER_PORT = process.env.SK_CLUSTER_PORT ?? '7101'

/** A key prefix / table suffix unique to this run. */
function runId() {
  return randomUUID().replaceAll('-', '').slice(0, 12)
}

/** `null` when reachable; otherwise the skip notice (or a throw, with CI=true). */
function unreachable(what, error) {
  const notice = `${what} is unreachable (${error.message})`
  if (process.env.CI === 'true') throw new Error(notice)
  console.log(`# skipping: ${notice}`)
  return notice
}

/** A connected node-redis client that fails fast instead of reconnecting forever. */
async function redisClient(url = REDIS_URL) {
  const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } })
  client.on('error', () => {}) // failures surface through the commands' rejections
  await client.connect()
  return client
}

/**
 * Runs the cluster script (`start`, `stop`, `stop-node PORT`, `start-node PORT`) for the cluster
 * on `base` and the next two ports; its output.
 */
function clusterScript(args, base = CLUSTER_PORT) {
  return execFileSync(CLUSTER_SCRIPT, args, { encoding: 'utf8', env: { ...process.env, SK_CLUSTER_PORT: String(base) } })
}

/**
 * Starts the throwaway cluster (on `base`, SK_CLUSTER_PORT by default: a test file that starts
 * its own runs beside the others on ports of its own); resolves a connected cluster client.
 */
async function startCluster(base = CLUSTER_PORT, defaults = {}) {
  const url = clusterScript(['start'], base).trim()
  const cluster = createCluster({ rootNodes: [{ url }], defaults: { socket: { connectTimeout: 2000 }, ...defaults } })
  cluster.on('error', () => {})
  await cluster.connect()
  return { url, cluster }
}

function stopCluster(base = CLUSTER_PORT) {
  clusterScript(['stop'], base)
}

/** Every key matching `pattern`, on a single node or on each master of a cluster. */
async function keysMatching(client, pattern) {
  const nodes = client.masters ? await Promise.all(client.masters.map((m) => client.nodeClient(m))) : [client]
  const keys = []
  for (const node of nodes) {
    for await (const batch of node.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch)
  }
  return keys
}

/** Deletes every key matching `pattern` (one key per command: a cluster spreads them). */
async function deleteKeys(client, pattern) {
  const keys = await keysMatching(client, pattern)
  await Promise.all(keys.map((k) => client.del(k)))
  return keys.length
}

function pgPool(options = {}) {
  const pool = new Pool({ connectionString: DATABASE_URL, ...options })
  pool.on('error', () => {})
  return pool
}

/**
 * A pool on DATABASE_URL once `probe` (a statement the suite needs first) has run on it, or the
 * reason to skip: `{ pool, skip }`, one of them null (CI=true makes the skip a failure).
 */
async function reachablePool(probe = 'SELECT 1') {
  const pool = pgPool({ connectionTimeoutMillis: 2000 })
  try {
    await pool.query(probe)
    return { pool, skip: undefined }
  } catch (e) {
    await pool.end()
    return { pool: null, skip: unreachable(`PostgreSQL at ${DATABASE_URL}`, e) }
  }
}

/**
 * A TCP proxy on a fixed local port in front of a server. `close()` drops every connection and
 * stops listening (connections are then refused); `open()` listens again on the same port.
 */
class Proxy {
  constructor(targetUrl) {
    const u = new URL(targetUrl)
    this.target = { host: u.hostname, port: Number(u.port) }
    this.targetUrl = u
    this.sockets = new Set()
    this.server = null
    this.port = 0
  }

  /** The target's URL with the proxy's port. */
  url() {
    const u = new URL(this.targetUrl)
    u.port = String(this.port)
    return u.toString()
  }

  async open() {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(this.target)
      for (const s of [inbound, outbound]) {
        this.sockets.add(s)
        s.on('close', () => this.sockets.delete(s))
        s.on('error', () => {
          inbound.destroy()
          outbound.destroy()
        })
      }
      inbound.pipe(outbound).pipe(inbound)
    })
    await new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.port, '127.0.0.1', resolve)
    })
    this.port = this.server.address().port
  }

  async close() {
    const server = this.server
    this.server = null
    for (const s of this.sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** Retries `attempt` until it resolves (a client reconnecting in the background); at most ~10 s. */
async function eventually(attempt) {
  let last
  for (let i = 0; i < 200; i++) {
    try {
      return await attempt()
    } catch (e) {
      last = e
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  throw last
}

module.exports = {
  REDIS_URL,
  DATABASE_URL,
  runId,
  unreachable,
  redisClient,
  CLUSTER_PORT,
  clusterScript,
  startCluster,
  stopCluster,
  keysMatching,
  deleteKeys,
  pgPool,
  reachablePool,
  Proxy,
  eventually,
}
