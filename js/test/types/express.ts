// sessionkeeper/express and the Fetch pair as a TypeScript app uses them, under tsc --strict
// (run by adapters-api.test.js).
import express from 'express'
import { sessionMiddleware } from '../../express.js'
import { SessionManager, MemorySessionStorage, ManagedSession } from '../../index.js'

type Data = { user: string; visits: number }
const manager = new SessionManager<Data>({ storage: new MemorySessionStorage(), secrets: ['a-secret-of-at-least-thirty-two-bytes!!'] })

const app = express()
app.use(sessionMiddleware(manager))
app.use(sessionMiddleware(manager, { property: 'session' }))
app.post('/login', (req, res, next) => {
  const session: ManagedSession = req.session
  session.regenerate((err: Error | null) => {
    if (err) return next(err)
    session.set('user', 'ada')
    res.redirect(303, '/')
  })
})
app.post('/logout', (req, res) => req.session.destroy(() => res.redirect(303, '/')))

async function route(request: Request): Promise<Response> {
  const session = await manager.start(request)
  session.set('visits', (session.get('visits') ?? 0) + 1)
  const response: Response = await manager.commitTo(session, Response.redirect('https://example.com/', 303))
  const headers: Headers = await manager.commitTo(session, new Headers())
  void headers
  return response
}
void route

// @ts-expect-error the middleware takes a manager
sessionMiddleware({})
// @ts-expect-error unknown option
sessionMiddleware(manager, { name: 'sid' })
void manager.start().then((session) => {
  // @ts-expect-error commitTo takes a Response or Headers
  void manager.commitTo(session, {})
  // @ts-expect-error a value of the wrong type for a typed key
  session.set('user', 1)
})
