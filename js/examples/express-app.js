// An Express app with sessions: a login form, a counter page, logout. Sessions live in Redis
// (REDIS_URL, default redis://127.0.0.1:6379), or in memory when Redis is unreachable.
// The FastAPI example (python/examples/fastapi_app.py) with the same SESSION_SECRET and Redis
// shares its logins. SESSION_STORAGE=cookie seals the sessions into the cookie instead (no
// server state, nothing shared). Run: node express-app.js  (PORT, SESSION_SECRET, COOKIE_SECURE)
const express = require('express')
const { createClient } = require('redis')
const { SessionManager, MemorySessionStorage, cookieStorage } = require('sessionkeeper')
const { RedisSessionStorage } = require('sessionkeeper/redis')
const { sessionMiddleware } = require('sessionkeeper/express')

const SECRET = process.env.SESSION_SECRET ?? 'change-me-to-32-or-more-random-bytes!!'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const KEY_PREFIX = process.env.SESSION_KEY_PREFIX ?? 'example-sessions:'

/** Redis when it answers, else memory (a single-process demo still works). */
async function openStorage() {
  if (process.env.SESSION_STORAGE === 'cookie') return { storage: cookieStorage(), name: 'cookie' }
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } })
  client.on('error', () => {}) // a refused connection is reported by connect() below
  try {
    await client.connect()
    return { storage: new RedisSessionStorage(client, { keyPrefix: KEY_PREFIX }), name: 'redis', client }
  } catch {
    return { storage: new MemorySessionStorage(), name: 'memory' }
  }
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const page = (title, body) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><h1>${title}</h1>${body}<p><small>served by Express</small></p></body></html>`

function buildApp(manager) {
  const app = express()
  app.use(express.urlencoded({ extended: false }))
  app.use(sessionMiddleware(manager)) // req.session, committed before the headers go out

  app.get('/', (req, res) => {
    const user = req.session.get('user')
    if (user === undefined) {
      return res.send(page('Sign in', '<form method="post" action="/login">' +
        '<input name="name" placeholder="Your name" autofocus> <button>Sign in</button></form>'))
    }
    res.send(page(`Hello, ${escape(user)}`, '<p><a href="/counter">Counter</a></p>' +
      '<form method="post" action="/logout"><button>Sign out</button></form>'))
  })

  app.post('/login', (req, res) => {
    const name = String(req.body.name ?? '').trim().slice(0, 64)
    if (name === '') return res.status(400).send(page('Sign in', '<p>A name, please.</p>'))
    req.session.regenerate() // a new id at login: a cookie planted before it is worthless
    req.session.set('user', name)
    res.redirect(303, '/')
  })

  app.get('/counter', (req, res) => {
    const visits = Number(req.session.get('visits') ?? 0) + 1
    req.session.set('visits', visits)
    res.send(page(`Visits: ${visits}`, `<p>${escape(req.session.get('user') ?? 'anonymous')}</p><a href="/">Home</a>`))
  })

  app.post('/logout', (req, res) => {
    req.session.destroy() // deleted from the storage, the cookie cleared
    res.redirect(303, '/')
  })
  return app
}

async function main() {
  const { storage, name, client } = await openStorage()
  const manager = new SessionManager({
    storage,
    secrets: [SECRET],
    cookie: { secure: process.env.COOKIE_SECURE !== 'false' }, // https in production
  })
  const server = buildApp(manager).listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port} (sessions in ${name})`)
  })
  process.on('SIGTERM', () => server.close(() => client?.close()))
}

main()
