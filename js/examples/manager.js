// Sessions for a web app: a signed cookie, values kept between requests, written only when
// they change. Run: node manager.js
const http = require('node:http')
const { SessionManager, MemorySessionStorage } = require('sessionkeeper')

const manager = new SessionManager({
  storage: new MemorySessionStorage(), // or FileSessionStorage, redis, postgres, cookieStorage()
  secrets: [process.env.SESSION_SECRET ?? 'change-me-to-32-or-more-random-bytes!!'],
  cookie: { secure: false }, // plain http on localhost; keep the default (true) in production
  idleTimeoutMs: 30 * 60_000,
})

const server = http.createServer(async (req, res) => {
  const session = await manager.start(req) // reads the Cookie header; a fresh session if none
  const visits = (session.get('visits') ?? 0) + 1
  session.set('visits', visits)
  const body = `visit ${visits}${session.isNew ? ' (new session)' : ''}`
  const setCookie = await manager.commit(session) // before the headers go out
  if (setCookie) res.setHeader('Set-Cookie', setCookie)
  res.end(body)
})

server.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}/`
  const first = await fetch(url)
  const cookie = first.headers.get('set-cookie').split(';')[0] // what a browser keeps
  console.log(await first.text(), `cookie: ${cookie.split('=')[0]}=…`)
  const second = await fetch(url, { headers: { cookie } })
  console.log(await second.text())
  server.close()
})
