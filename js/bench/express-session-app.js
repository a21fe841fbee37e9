'use strict'
// The load bench's baseline: the routes of examples/express-app.js on express-session with
// connect-redis, configured as connect-redis advises (resave: false, saveUninitialized: false,
// touch by EXPIRE), so each side does the work the other does. Started by bench/glue.js.
const express = require('express')
const session = require('express-session')
const { RedisStore } = require('connect-redis')
const { createClient } = require('redis')

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const page = (title, body) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><h1>${title}</h1>${body}<p><small>served by Express</small></p></body></html>`

async function main() {
  const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
  await client.connect()
  const app = express()
  app.use(express.urlencoded({ extended: false }))
  app.use(session({
    store: new RedisStore({ client, prefix: process.env.SESSION_KEY_PREFIX ?? 'bench-sess:', ttl: 1800 }),
    secret: process.env.SESSION_SECRET,
    name: 'sid',
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 1800_000 },
  }))

  app.get('/', (req, res) => {
    if (req.session.user === undefined) return res.send(page('Sign in', '<form method="post" action="/login"></form>'))
    res.send(page(`Hello, ${escape(req.session.user)}`, '<p><a href="/counter">Counter</a></p>'))
  })
  app.post('/login', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err)
      req.session.user = String(req.body.name ?? '').trim().slice(0, 64)
      res.redirect(303, '/')
    })
  })
  app.get('/counter', (req, res) => {
    req.session.visits = Number(req.session.visits ?? 0) + 1
    res.send(page(`Visits: ${req.session.visits}`, `<p>${escape(req.session.user ?? 'anonymous')}</p>`))
  })

  const server = app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port} (sessions in redis)`)
  })
  process.on('SIGTERM', () => server.close(() => client.close()))
}

main()
