// Sessions in an Express app: the four lines marked (1)-(4), then req.session in any route.
// Run: node express-quick.js
const express = require('express')
const { SessionManager, MemorySessionStorage } = require('sessionkeeper') // (1)
const { sessionMiddleware } = require('sessionkeeper/express') // (2)

const app = express()
const manager = new SessionManager({ storage: new MemorySessionStorage(), secrets: [process.env.SESSION_SECRET ?? 'change-me-to-32-or-more-random-bytes!!'] }) // (3)
app.use(sessionMiddleware(manager)) // (4): req.session, committed before the headers go out

app.get('/', (req, res) => {
  const visits = (req.session.get('visits') ?? 0) + 1
  req.session.set('visits', visits)
  res.send(`visit ${visits}`)
})

// Two requests, the second with the cookie of the first, as a browser sends it.
const server = app.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}/`
  const first = await fetch(url)
  const cookie = first.headers.get('set-cookie').split(';')[0]
  console.log(await first.text(), '/', await (await fetch(url, { headers: { cookie } })).text())
  server.close()
})
