// One side of the cross-language suite: writes or reads the shared vector sessions through a
// sessionkeeper storage, printing canonical JSON per id on stdout (one JSON object).
//   node node_side.js write <kind> <target>      stores every vector session, prints {id: json}
//   node node_side.js read  <kind> <target> ids  loads the ids (JSON array), prints {id: json}
// <kind>: file (target = directory); redis, redis-cluster (target = <url>|<keyPrefix>, the
// cluster's seed URL for redis-cluster); postgres (target = <dsn>|<table>). An empty keyPrefix or
// table means the default.
'use strict'
const path = require('node:path')
const fs = require('node:fs')
const JS = process.env.SK_JS || path.join(__dirname, '..', '..', 'js')
const sk = require(JS)

/** `<left>|<right>`, split at the last `|` (URLs never hold one unescaped). */
function pair(target) {
  const at = target.lastIndexOf('|')
  if (at < 0) throw new Error(`target must be <url>|<name>, got ${target}`)
  return [target.slice(0, at), target.slice(at + 1) || undefined]
}

// The lifecycle manager's side (`manager <kind> <target> <cookie|-> <valuesJson>`): starts from
// the cookie, prints what it saw, sets the given values and prints the cookie the commit sent.
const SECRETS = ['interop-secret-of-at-least-32-bytes!!']

async function open(kind, target) {
  if (kind === 'cookie') return { storage: sk.cookieStorage(), close: async () => {} }
  if (kind === 'file') return { storage: new sk.FileSessionStorage(target), close: async () => {} }
  if (kind === 'redis') {
    const [url, keyPrefix] = pair(target)
    const storage = require(path.join(JS, 'redis.js')).redisSessionStorage(url, { keyPrefix })
    return { storage, close: () => storage.close() }
  }
  if (kind === 'redis-cluster') {
    const [url, keyPrefix] = pair(target)
    const { createCluster } = require(require.resolve('redis', { paths: [JS] }))
    const cluster = createCluster({ rootNodes: [{ url }] })
    cluster.on('error', () => {})
    await cluster.connect()
    const storage = require(path.join(JS, 'redis.js')).redisSessionStorage(cluster, { keyPrefix })
    return { storage, close: () => cluster.close() }
  }
  if (kind === 'postgres') {
    const [dsn, table] = pair(target)
    const storage = require(path.join(JS, 'postgres.js')).postgresSessionStorage(dsn, { table })
    return { storage, close: () => storage.close() }
  }
  throw new Error(`unknown storage kind ${kind}`)
}

async function main() {
  const [mode, kind, target, idsJson] = process.argv.slice(2)
  const { storage, close } = await open(kind, target)
  const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'sessions.json'), 'utf8'))
  const out = {}
  try {
    if (mode === 'manager') {
      const [cookie, valuesJson] = process.argv.slice(5)
      const manager = new sk.SessionManager({ storage, secrets: SECRETS })
      const session = await manager.start(cookie === '-' ? undefined : cookie)
      Object.assign(out, { isNew: session.isNew, id: session.id, values: session.toJSON(), flash: session.takeFlash('from') ?? null })
      for (const [k, v] of Object.entries(JSON.parse(valuesJson))) session.set(k, v)
      session.flash('from', 'node')
      out.setCookie = (await manager.commit(session)) ?? null
    } else if (mode === 'write') {
      for (const c of vectors.sessions) {
        const session = new sk.Session(c.input)
        let stored
        try {
          stored = await storage.storeSession(session)
        } catch (e) {
          // A session the storage refuses up front (PostgreSQL: U+0000 in the id) is left out;
          // test_interop.py checks exactly which ones are.
          if (e.code === 'INVALID_ARGUMENT') continue
          throw e
        }
        if (stored !== true) throw new Error(`store ${c.name} failed`)
        out[session.id] = JSON.stringify(session)
      }
    } else {
      for (const id of JSON.parse(idsJson)) {
        const loaded = await storage.loadSession(id)
        out[id] = loaded === undefined ? null : JSON.stringify(loaded)
      }
    }
  } finally {
    await close()
  }
  process.stdout.write(JSON.stringify(out))
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
