// Sessions in a Fetch-API route handler (Hono, Remix, Next.js route handlers, Deno-style
// servers): start from the Request, commit onto the Response. Run: node fetch-handler.js
const { SessionManager, MemorySessionStorage } = require('sessionkeeper')

const manager = new SessionManager({
  storage: new MemorySessionStorage(),
  secrets: [process.env.SESSION_SECRET ?? 'change-me-to-32-or-more-random-bytes!!'],
})

async function handle(request) {
  const session = await manager.start(request) // reads the request's Cookie header
  const visits = (session.get('visits') ?? 0) + 1
  session.set('visits', visits)
  // commitTo appends the Set-Cookie; for Response.redirect() (immutable headers) it returns a copy.
  return manager.commitTo(session, new Response(`visit ${visits}`))
}

async function main() {
  const first = await handle(new Request('https://example.com/'))
  const cookie = first.headers.get('set-cookie').split(';')[0]
  const second = await handle(new Request('https://example.com/', { headers: { cookie } }))
  console.log(await first.text(), '/', await second.text())
}

main()
