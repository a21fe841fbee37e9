'use strict'
// sessionkeeper/express: SessionManager as Express 4/5 and Connect middleware (ARCHITECTURE.md,
// "Framework glue"). It only adapts: `manager.start(req)` before the app runs, `manager.commit`
// before the response headers go out, the Set-Cookie it returns appended to the app's headers.
//
// Why the commit waits for the first write instead of running in `writeHead` or at `res.end`:
// `writeHead` is synchronous, so an awaited store cannot finish inside it, and after `res.end`
// the status line is on the wire, so a failed store could no longer change the response (the
// "200 despite a failed save" reports against express-session). Holding the first
// `write`/`end`/`writeHead`/`flushHeaders` until the commit settles keeps the headers unsent
// until then: the Set-Cookie is appended, or the error goes to `next(err)` with the app's
// response dropped so the error handler writes its own.

const { SessionManager } = require('./lib/manager.js')
const { invalidArgument } = require('./lib/errors.js')

const OPTIONS = new Set(['property'])

/**
 * Holds every header-sending call on `res` until `commit()` settles, then replays them in order
 * behind the Set-Cookie; on failure drops them and hands the error to `fail`.
 */
function holdUntilCommitted(res, commit, fail) {
  const originals = { write: res.write, end: res.end, writeHead: res.writeHead, flushHeaders: res.flushHeaders }
  const held = []
  let started = false

  const restore = () => Object.assign(res, originals)
  const release = (setCookie) => {
    restore()
    if (setCookie !== undefined && !res.headersSent) res.appendHeader('Set-Cookie', setCookie)
    for (const [name, args] of held) originals[name].apply(res, args)
  }
  const hold = (name, args) => {
    held.push([name, args])
    if (started) return
    started = true
    commit().then(release, (error) => {
      restore()
      // The headers are unsent (everything that would send them is held): the error handler
      // answers instead of the app's response, from a clean slate (a Location or an app cookie
      // meant for the dropped response must not ride on the error page).
      if (res.headersSent) return res.destroy(error)
      for (const name of res.getHeaderNames()) res.removeHeader(name)
      res.statusCode = 500
      fail(error)
    })
  }

  res.write = function write(...args) {
    hold('write', args)
    // Nothing is buffered in the socket yet, so there is no back pressure to report.
    return true
  }
  res.end = function end(...args) {
    hold('end', args)
    return this
  }
  res.writeHead = function writeHead(...args) {
    hold('writeHead', args)
    return this
  }
  res.flushHeaders = function flushHeaders(...args) {
    hold('flushHeaders', args)
  }
}

/**
 * Express/Connect middleware: `req.session` is the request's `ManagedSession`, committed before
 * the response headers go out; a failed start or commit goes to `next(err)`.
 * `options.property` names the request property (default `session`).
 */
function sessionMiddleware(manager, options = {}) {
  if (!(manager instanceof SessionManager)) throw invalidArgument('sessionMiddleware() takes a SessionManager')
  if (options === null || typeof options !== 'object') throw invalidArgument('sessionMiddleware() options must be an object')
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) throw invalidArgument(`unknown sessionMiddleware option ${JSON.stringify(key)}`)
  }
  const property = options.property ?? 'session'
  if (typeof property !== 'string' || property === '') throw invalidArgument('property must be a non-empty string')

  return function sessionkeeper(req, res, next) {
    if (req[property] !== undefined) return next() // mounted twice: the outer one owns the session
    manager.start(req).then((session) => {
      req[property] = session
      holdUntilCommitted(res, () => manager.commit(session), next)
      next()
    }, next)
  }
}

module.exports = { sessionMiddleware }
