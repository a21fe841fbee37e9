'use strict'
// `make bench-glue`: the example web apps under load, each beside the same routes on the
// session library its users would otherwise pick: the Express app (sessionkeeper over Redis)
// vs express-session + connect-redis, the FastAPI app (sessionkeeper over Redis) vs Starlette's
// signed-cookie SessionMiddleware. Each app runs in its own process; autocannon drives it from
// this one for a fixed time per route, with the cookie of a signed-in user.

const autocannon = require('autocannon')
const { startApp, appEnv, CookieJar } = require('../test/apps.js')
const servers = require('../test/servers.js')

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const ROUTES = [
  ['/', 'a signed-in page (session read)'],
  ['/counter', 'the counter (session read and written)'],
]
const PAIRS = [['express', 'express-session', 'Express app vs express-session + connect-redis'],
  ['fastapi', 'starlette', "FastAPI app vs Starlette's SessionMiddleware"]]

async function measure(name, env) {
  const app = await startApp(name, env)
  try {
    const jar = new CookieJar()
    const login = await jar.post(app.url + '/login', { name: 'Bench' })
    if (login.status !== 303 || jar.cookies.size === 0) throw new Error(`${name}: login failed (${login.status})`)
    const headers = { cookie: [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
    const results = {}
    for (const [route] of ROUTES) {
      await autocannon({ url: app.url + route, headers, connections: CONNECTIONS, duration: 1 }) // warm-up
      const r = await autocannon({ url: app.url + route, headers, connections: CONNECTIONS, duration: SECONDS })
      results[route] = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx }
    }
    return results
  } finally {
    await app.stop()
  }
}

async function main() {
  const env = appEnv()
  const rows = []
  for (const [ours, theirs, what] of PAIRS) {
    const a = await measure(ours, env)
    const b = await measure(theirs, env)
    for (const [route, label] of ROUTES) {
      const x = a[route]
      const y = b[route]
      rows.push([
        `${what}, ${label}`,
        `${Math.round(x.rps)} vs ${Math.round(y.rps)} req/s; p50 ${x.p50} vs ${y.p50} ms, p99 ${x.p99} vs ${y.p99} ms; errors ${x.errors} vs ${y.errors}`,
        (x.rps / y.rps).toFixed(2),
        '>= 1.0, 0 errors',
      ])
    }
  }
  const redis = await servers.redisClient().catch(() => null)
  if (redis) {
    for (const key of await servers.keysMatching(redis, `${env.SESSION_KEY_PREFIX}*`)) await redis.del(key)
    await redis.close()
  }
  console.log(`\nWeb apps under load (autocannon, ${CONNECTIONS} connections, ${SECONDS} s per route; ratios > 1 mean sessionkeeper serves more)\n`)
  console.log('| measurement | figures | ratio | target |')
  console.log('|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.join(' | ')} |`)
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
