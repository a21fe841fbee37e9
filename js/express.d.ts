// Types of `sessionkeeper/express` (hand-written; checked by `tsc --strict` in the test suite).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonValue, ManagedSession, SessionManager } from './index.js'

export interface SessionMiddlewareOptions {
  /** The request property that holds the session (default `session`). */
  property?: string
}

/**
 * Express 4/5 and Connect middleware: `req.session` is the request's `ManagedSession`. The
 * commit runs before the response headers go out (the first `write`, `end`, `writeHead` or
 * `flushHeaders` waits for it); its `Set-Cookie` is appended to the app's own; a failed start or
 * commit reaches `next(err)` with the headers still unsent. Throws INVALID_ARGUMENT for a bad
 * manager or option.
 */
export declare function sessionMiddleware<Data extends Record<string, JsonValue> = Record<string, JsonValue>>(
  manager: SessionManager<Data>,
  options?: SessionMiddlewareOptions,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

declare global {
  // Express's own request type (@types/express) merges this: `req.session` in a route is typed.
  namespace Express {
    interface Request {
      /** The request's session, set by `sessionMiddleware` from `sessionkeeper/express`. */
      session: ManagedSession
    }
  }
}
