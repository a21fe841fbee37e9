'use strict'
// The example web apps as real processes on 127.0.0.1 (a free port each), and a cookie jar for
// fetch: what the app tests, the browser tests and the load bench share.

const { spawn } = require('node:child_process')
const path = require('node:path')
const { randomUUID } = require('node:crypto')

const ROOT = path.join(__dirname, '..', '..')
const PYTHON = process.env.SK_PYTHON ?? path.join(ROOT, '.venv', 'bin', 'python')
const APPS = {
  express: { command: process.execPath, args: [path.join(ROOT, 'js', 'examples', 'express-app.js')], cwd: path.join(ROOT, 'js') },
  fastapi: { command: PYTHON, args: [path.join(ROOT, 'python', 'examples', 'fastapi_app.py')], cwd: path.join(ROOT, 'python', 'examples') },
  // The load bench's baselines: the same routes on express-session and on Starlette's sessions.
  'express-session': { command: process.execPath, args: [path.join(ROOT, 'js', 'bench', 'express-session-app.js')], cwd: path.join(ROOT, 'js') },
  starlette: { command: PYTHON, args: [path.join(ROOT, 'python', 'bench', 'starlette_session_app.py')], cwd: path.join(ROOT, 'python', 'bench') },
}
const SECRET = 'a-shared-test-secret-of-32-or-more-bytes!'

/** Environment for the example apps of one run: a shared secret and a key prefix of their own. */
function appEnv(extra = {}) {
  return {
    SESSION_SECRET: SECRET,
    SESSION_KEY_PREFIX: `sk_apps_${randomUUID().slice(0, 8)}:`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    ...extra,
  }
}

/**
 * Starts example `name` (express or fastapi) with PORT=0; resolves `{ url, storage, stop }` once
 * it prints the address it listens on.
 */
function startApp(name, env) {
  const { command, args, cwd } = APPS[name]
  const child = spawn(command, args, { cwd, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk
      const m = /listening on (http:\/\/\S+) \(sessions in (\w+)\)/.exec(output)
      if (m) {
        child.stdout.off('data', onData)
        resolve({ url: m[1], storage: m[2], output: () => output, stop: () => stop(child) })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk) => { output += chunk })
    child.on('exit', (code) => reject(new Error(`${name} app exited (${code}) before listening:\n${output}`)))
  })
}

function stop(child) {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill('SIGTERM')
  })
}

/** A cookie jar over fetch: keeps what Set-Cookie says (Max-Age=0 removes), sends it back. */
class CookieJar {
  cookies = new Map()

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await fetch(url, { redirect: 'manual', ...init, headers })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      if (/;\s*Max-Age=0\b/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, pair.slice(eq + 1))
    }
    return response
  }

  /** Posts an HTML form. */
  post(url, form = {}) {
    return this.fetch(url, { method: 'POST', body: new URLSearchParams(form) })
  }
}

module.exports = { startApp, appEnv, CookieJar, SECRET, APPS, PYTHON }
