'use strict'
// `make bench-glue`: the example web apps under load, each beside the same routes on the
// session library its users would otherwise pick: the Express app (sessionkeeper over Redis)
// vs express-session + connect-redis, the FastAPI app (sessionkeeper over Redis, then over
// cookie_storage(), like for like) vs Starlette's signed-cookie SessionMiddleware. Each app runs
// in its own process; autocannon drives it from this one for a fixed time per round, with the
// cookie of a signed-in user.

const autocannon = require('autocannon')
const { startApp, appEnv, CookieJar } = require('../test/apps.js')
const servers = require('../test/servers.js')

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const ROUTES = [
  ['/', 'a signed-in page (session read)'],
  ['/counter', 'the counter (session read and written)'],
]
// [ours, our extra env, theirs, what]
const PAIRS = [
  ['express', {}, 'express-session', 'Express app on Redis vs express-session + connect-redis'],
  ['fastapi', {}, 'starlette', "FastAPI app on Redis vs Starlette's signed-cookie SessionMiddleware"],
  ['fastapi', { SESSION_STORAGE: 'cookie' }, 'starlette', "FastAPI app on cookieStorage() vs Starlette's signed-cookie SessionMiddleware"],
]

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** A started app with a signed-in user's cookie. */
async function signedIn(name, env) {
  const app = await startApp(name, env)
  const jar = new CookieJar()
  const login = await jar.post(app.url + '/login', { name: 'Bench' })
  if (login.status !== 303 || jar.cookies.size === 0) {
    await app.stop()
    throw new Error(`${name}: login failed (${login.status})`)
  }
  app.headers = { cookie: [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
  return app
}

async function load(app, route, duration) {
  const r = await autocannon({ url: app.url + route, headers: app.headers, connections: CONNECTIONS, duration })
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx }
}

/** Both apps up at once, loaded one at a time in alternating rounds, so a busy moment of the machine hits both. */
async function compare(ours, theirs, route) {
  const runs = [[], []]
  for (const app of [ours, theirs]) await load(app, route, 1) // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, app] of [ours, theirs].entries()) runs[i].push(await load(app, route, SECONDS))
  }
  return runs.map((rs) => ({
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
  }))
}

async function main() {
  const env = appEnv()
  const rows = []
  for (const [oursName, oursEnv, theirsName, what] of PAIRS) {
    const ours = await signedIn(oursName, { ...env, ...oursEnv })
    const theirs = await signedIn(theirsName, env)
    try {
      for (const [route, label] of ROUTES) {
        const [x, y] = await compare(ours, theirs, route)
        rows.push([
          `${what}, ${label}`,
          `${Math.round(x.rps)} vs ${Math.round(y.rps)} req/s; p50 ${x.p50} vs ${y.p50} ms, p99 ${x.p99} vs ${y.p99} ms; errors ${x.errors} vs ${y.errors}`,
          (x.rps / y.rps).toFixed(2),
          '>= 1.0, 0 errors',
        ])
      }
    } finally {
      await Promise.all([ours.stop(), theirs.stop()])
    }
  }
  const redis = await servers.redisClient().catch(() => null)
  if (redis) {
    for (const key of await servers.keysMatching(redis, `${env.SESSION_KEY_PREFIX}*`)) await redis.del(key)
    await redis.close()
  }
  console.log(`\nWeb apps under load (autocannon, ${CONNECTIONS} connections, median of ${ROUNDS} alternating ${SECONDS} s rounds; ratios > 1 mean sessionkeeper serves more)\n`)
  console.log('| measurement | figures | ratio | target |')
  console.log('|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.join(' | ')} |`)
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
