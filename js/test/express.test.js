'use strict'
// sessionkeeper/express and manager.commitTo, each edge as a client sees it: a real Express 5
// and Express 4 app (or a bare http server for Connect-style chains) on 127.0.0.1, driven with fetch.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { Readable } = require('node:stream')
const FRAMEWORKS = [['Express 5', require('express')], ['Express 4', require('express4')]]
const { SessionManager, MemorySessionStorage, SessionStorageError } = require('sessionkeeper')
const { sessionMiddleware } = require('sessionkeeper/express')
const esm = import('sessionkeeper/express')

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!'

/** A memory storage that records whether the headers were out at each write, and can fail. */
function watchedStorage() {
  const memory = new MemorySessionStorage()
  const watch = { failStore: false, failLoad: false, headersSentAtStore: [], res: null }
  const storage = {
    storeSession: async (session) => {
      watch.headersSentAtStore.push(watch.res?.headersSent)
      await new Promise((resolve) => setTimeout(resolve, 5)) // a real round trip's gap
      if (watch.failStore) throw new Error('storage down')
      return memory.storeSession(session)
    },
    loadSession: async (id) => {
      if (watch.failLoad) throw new Error('storage down on load')
      return memory.loadSession(id)
    },
    deleteSession: (id) => memory.deleteSession(id),
  }
  return { storage, watch }
}

/** An Express app with the middleware, `routes(app)`, and an error handler answering 503 `error: message`. */
async function serve(express, routes, { storage, watch } = watchedStorage()) {
  const manager = new SessionManager({ storage, secrets: [SECRET] })
  const app = express()
  app.use((req, res, next) => { if (watch) watch.res = res; next() })
  app.use(sessionMiddleware(manager))
  routes(app)
  const errors = []
  app.use((err, req, res, next) => {
    errors.push(err)
    res.status(503).send(`error: ${err.message}`)
  })
  return listen(app, { watch, errors, manager })
}

async function listen(handler, extra) {
  const server = http.createServer(handler)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`
  const get = (path, init) => fetch(url + path, { redirect: 'manual', ...init })
  return { ...extra, url, get, close: () => new Promise((resolve) => server.close(resolve)) }
}

const cookieOf = (response) => response.headers.getSetCookie().find((c) => c.startsWith('sid='))

for (const [name, express] of FRAMEWORKS) {
  test(`${name}: the commit runs before the headers go out, its Set-Cookie beside the app's own`, async (t) => {
    const app = await serve(express, (a) => a.get('/', (req, res) => {
      req.session.set('n', 1)
      res.cookie('theme', 'dark')
      res.append('Set-Cookie', 'lang=en; Path=/')
      res.json({ ok: true })
    }))
    t.after(app.close)
    const response = await app.get('/')
    assert.deepEqual(await response.json(), { ok: true })
    const cookies = response.headers.getSetCookie()
    assert.equal(cookies.length, 3, cookies.join(' | '))
    assert.ok(cookies.some((c) => c.startsWith('theme=dark')))
    assert.ok(cookies.some((c) => c.startsWith('lang=en')))
    assert.match(cookieOf(response), /^sid=[^;]+; HttpOnly; SameSite=Lax; Secure; Path=\/;/)
    assert.deepEqual(app.watch.headersSentAtStore, [false])
  })

  test(`${name}: res.redirect carries the cookie, and the next request reads the session`, async (t) => {
    const app = await serve(express, (a) => {
      a.post('/login', (req, res) => { req.session.set('user', 'ada'); res.redirect(303, '/') })
      a.get('/', (req, res) => res.send(String(req.session.get('user'))))
    })
    t.after(app.close)
    const login = await app.get('/login', { method: 'POST' })
    assert.equal(login.status, 303)
    assert.equal(login.headers.get('location'), '/')
    const cookie = cookieOf(login).split(';')[0]
    assert.equal(await (await app.get('/', { headers: { cookie } })).text(), 'ada')
    assert.equal(await (await app.get('/')).text(), 'undefined')
  })

  test(`${name}: a streamed response: the first write waits for the commit, every chunk arrives in order`, async (t) => {
    const app = await serve(express, (a) => {
      a.get('/stream', (req, res) => {
        req.session.set('streamed', true)
        res.setHeader('Content-Type', 'text/plain')
        assert.equal(res.write('one '), true)
        res.write('two ')
        res.end('three')
      })
      a.get('/pipe', (req, res) => {
        req.session.set('piped', true)
        res.flushHeaders()
        Readable.from(['a', 'b', 'c']).pipe(res)
      })
      a.get('/head', (req, res) => {
        req.session.set('head', true)
        res.writeHead(201, { 'X-App': 'yes' }).end('made')
      })
    })
    t.after(app.close)
    const streamed = await app.get('/stream')
    assert.equal(await streamed.text(), 'one two three')
    assert.ok(cookieOf(streamed))
    const piped = await app.get('/pipe')
    assert.equal(await piped.text(), 'abc')
    assert.ok(cookieOf(piped))
    const head = await app.get('/head')
    assert.equal(head.status, 201)
    assert.equal(head.headers.get('x-app'), 'yes')
    assert.equal(await head.text(), 'made')
    assert.ok(cookieOf(head))
    assert.deepEqual(app.watch.headersSentAtStore, [false, false, false])
  })

  test(`${name}: a failed commit reaches next(err) with the headers unsent; the app's response is dropped`, async (t) => {
    const app = await serve(express, (a) => {
      a.get('/', (req, res) => { req.session.set('n', 1); res.cookie('theme', 'dark'); res.redirect('/elsewhere') })
      a.get('/stream', (req, res) => { req.session.set('n', 1); res.write('partial'); res.end() })
    })
    t.after(app.close)
    app.watch.failStore = true
    for (const path of ['/', '/stream']) {
      const response = await app.get(path)
      assert.equal(response.status, 503)
      assert.equal(await response.text(), 'error: storage down')
      assert.equal(response.headers.get('location'), null)
      assert.deepEqual(response.headers.getSetCookie(), [])
    }
    assert.equal(app.errors.length, 2)
  })

  test(`${name}: a failed load reaches next(err) before any route runs`, async (t) => {
    let ran = 0
    const app = await serve(express, (a) => a.get('/', (req, res) => { ran++; req.session.set('x', 1); res.end() }))
    t.after(app.close)
    const cookie = cookieOf(await app.get('/')).split(';')[0]
    app.watch.failLoad = true
    const response = await app.get('/', { headers: { cookie } })
    assert.equal(response.status, 503)
    assert.equal(await response.text(), 'error: storage down on load')
    assert.equal(ran, 1)
  })

  test(`${name}: regenerate(cb) and destroy(cb) work as in express-session`, async (t) => {
    const app = await serve(express, (a) => {
      a.get('/set', (req, res) => { req.session.set('cart', 3); res.end() })
      a.post('/login', (req, res, next) => {
        const before = req.session.id
        req.session.regenerate((err) => {
          if (err) return next(err)
          assert.notEqual(req.session.id, before)
          req.session.set('user', 'ada')
          res.send(JSON.stringify(req.session.toJSON())) // express-session drops the old values
        })
      })
      a.post('/logout', (req, res, next) => req.session.destroy((err) => (err ? next(err) : res.redirect(303, '/'))))
      a.get('/', (req, res) => res.send(JSON.stringify(req.session.toJSON())))
    })
    t.after(app.close)
    const first = cookieOf(await app.get('/set')).split(';')[0]
    const login = await app.get('/login', { method: 'POST', headers: { cookie: first } })
    assert.equal(await login.text(), '{"user":"ada"}')
    const second = cookieOf(login).split(';')[0]
    assert.notEqual(second, first)
    assert.equal(await (await app.get('/', { headers: { cookie: first } })).text(), '{}', 'the old id was deleted')
    const logout = await app.get('/logout', { method: 'POST', headers: { cookie: second } })
    assert.match(cookieOf(logout), /Max-Age=0/)
    assert.equal(await (await app.get('/', { headers: { cookie: second } })).text(), '{}')
  })
}

test('Connect-style: a bare http server chaining the middleware by hand', async (t) => {
  const manager = new SessionManager({ storage: new MemorySessionStorage(), secrets: [SECRET] })
  const middleware = sessionMiddleware(manager, { property: 'sk' })
  const app = await listen((req, res) => middleware(req, res, (err) => {
    if (err) { res.statusCode = 500; return res.end() }
    req.sk.set('visits', (req.sk.get('visits') ?? 0) + 1)
    res.end(String(req.sk.get('visits')))
  }))
  t.after(app.close)
  const first = await app.get('/')
  assert.equal(await first.text(), '1')
  const cookie = cookieOf(first).split(';')[0]
  assert.equal(await (await app.get('/', { headers: { cookie } })).text(), '2')
})

test('bad arguments are INVALID_ARGUMENT at construction; the ESM entry is the same function', async () => {
  const manager = new SessionManager({ storage: new MemorySessionStorage(), secrets: [SECRET] })
  for (const [m, o] of [[{}, undefined], [manager, { prop: 'x' }], [manager, { property: '' }], [manager, null]]) {
    assert.throws(() => sessionMiddleware(m, o), (e) => e instanceof SessionStorageError && e.code === 'INVALID_ARGUMENT')
  }
  assert.equal((await esm).sessionMiddleware, sessionMiddleware)
})

test('commitTo: a Fetch Response or Headers gets the Set-Cookie; an immutable redirect is copied', async () => {
  const manager = new SessionManager({ storage: new MemorySessionStorage(), secrets: [SECRET] })
  const request = new Request('http://127.0.0.1/', { headers: { cookie: 'theme=dark' } })
  const session = await manager.start(request)
  session.set('user', 'ada')
  const response = new Response('hi', { headers: { 'Set-Cookie': 'theme=dark' } })
  assert.equal(await manager.commitTo(session, response), response)
  assert.equal(response.headers.getSetCookie().length, 2)
  const cookie = response.headers.getSetCookie()[1].split(';')[0]

  const again = await manager.start(new Request('http://127.0.0.1/', { headers: { cookie } }))
  assert.equal(again.get('user'), 'ada')
  again.regenerate()
  const redirect = Response.redirect('http://127.0.0.1/home', 302)
  const sent = await manager.commitTo(again, redirect)
  assert.notEqual(sent, redirect)
  assert.equal(sent.status, 302)
  assert.equal(sent.headers.get('location'), 'http://127.0.0.1/home')
  assert.match(sent.headers.get('set-cookie'), /^sid=/)

  const headers = new Headers()
  const untouched = await manager.start()
  assert.equal(await manager.commitTo(untouched, headers), headers)
  assert.deepEqual(headers.getSetCookie(), [], 'an untouched new session sends no cookie')
  await assert.rejects(manager.commitTo(untouched, {}), (e) => e.code === 'INVALID_ARGUMENT')
})
