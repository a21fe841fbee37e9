// SessionManager as a TypeScript app uses it, under tsc --strict (run by adapters-api.test.js).
import { createServer } from 'node:http'
import {
  SessionManager, MemorySessionStorage, cookieStorage, ManagedSession, SessionStorageError,
} from '../../index.js'

type Data = { user: string; visits: number }

const manager = new SessionManager<Data>({
  storage: new MemorySessionStorage(),
  secrets: ['a-secret-of-at-least-thirty-two-bytes!!'],
  cookie: { name: '__Host-sid', sameSite: 'Strict' },
  idleTimeoutMs: 15 * 60_000,
  absoluteTimeoutMs: 8 * 3_600_000,
  concurrency: 'last-write-wins',
})

createServer(async (req, res) => {
  const session: ManagedSession<Data> = await manager.start(req)
  const visits: number = (session.get('visits') ?? 0) + 1
  session.set('visits', visits)
  const notice = session.takeFlash<string>('notice')
  if (session.isNew) session.regenerate({ keepData: true })
  try {
    const setCookie = await manager.commit(session)
    if (setCookie !== undefined) res.setHeader('Set-Cookie', setCookie)
  } catch (e) {
    if (e instanceof SessionStorageError && e.code === 'CONFLICT') res.statusCode = 409
  }
  res.end(`${visits} ${notice ?? ''} ${session.expiresAt?.toISOString() ?? ''}`)
})

async function fetchHandler(request: Request): Promise<Response> {
  const sealed = new SessionManager({ storage: cookieStorage(), secrets: ['a-secret-of-at-least-thirty-two-bytes!!'] })
  const session = await sealed.start(request)
  session.set('path', new URL(request.url).pathname)
  const headers = new Headers()
  const setCookie = await sealed.commit(session)
  if (setCookie) headers.append('Set-Cookie', setCookie)
  const swept: number = await sealed.sweep()
  return new Response(String(swept), { headers })
}
void fetchHandler

// @ts-expect-error a value of the wrong type for a typed key
manager.start().then((s) => s.set('visits', 'many'))
// @ts-expect-error secrets are required
void new SessionManager({ storage: new MemorySessionStorage() })
// @ts-expect-error unknown concurrency
void new SessionManager({ storage: cookieStorage(), secrets: ['x'], concurrency: 'merge' })
