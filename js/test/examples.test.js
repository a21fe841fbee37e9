'use strict'
// The examples run, and the hand-written declarations type-check them: `tsc --strict` over
// examples/typed.ts, then the compiled output runs against the real module.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const node = (...args) => execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' })

test('the quickstart runs (CommonJS)', () => {
  const out = node('examples/quickstart.js')
  assert.match(out, /^stored: true$/m)
  assert.match(out, /^equal: true$/m)
  assert.match(out, /^active for read_products: true$/m)
  assert.match(out, /^expires is a Date: true$/m)
  assert.match(out, /accessToken: <redacted>/)
  assert.ok(!out.includes('shpat_example'), 'the token never shows')
  assert.match(out, /^rejected: INVALID_SESSION - load callback returned invalid session: "isOnline"/m)
  assert.match(out, /^after delete: undefined$/m)
})

test('the quickstart runs (ES module)', () => {
  assert.equal(node('examples/quickstart.mjs'), 'stored: true\nloaded shop: esm.myshopify.com\njson: true\nrejected: true\n')
})

test('the public declarations have no `any`', () => {
  for (const file of ['index.d.ts', 'testing.d.ts']) {
    const code = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')
    assert.ok(!/\bany\b/.test(code), `${file} mentions any`)
  }
})

test('tsc --strict accepts the typed example, whose compiled output runs', () => {
  node(TSC, '-p', 'examples/tsconfig.json', '--noEmit', '--strict')
  node(TSC, '-p', 'examples/tsconfig.json')
  const out = node(path.join('.tsbuild', 'typed.js'))
  assert.deepEqual(out.trim().split('\n'), [
    'custom true true 1 true typed-custom',
    'memory true true 1 true typed-memory',
    'file true true 1 true typed-file',
    'typed errors INVALID_ARGUMENT',
  ])
})

test('tsc rejects misuse of the declarations', () => {
  const dir = path.join(ROOT, '.tsbuild')
  fs.mkdirSync(dir, { recursive: true })
  const bad = path.join(dir, 'misuse.ts')
  fs.writeFileSync(bad, [
    "import { Session, CustomSessionStorage } from 'sessionkeeper'",
    "new Session({ shop: 'no id' })",
    "new CustomSessionStorage(async () => 'yes', async () => undefined, async () => true)",
    "const s = new Session({ id: 'a' }); const n: number = s.expires",
    '',
  ].join('\n'))
  let output = ''
  try {
    node(TSC, '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', bad)
  } catch (e) {
    output = e.stdout
  }
  for (const line of [2, 3, 4]) assert.match(output, new RegExp(`misuse\\.ts\\(${line},`), output)
})

test('the manager example: a session survives a second request with the cookie it set', () => {
  assert.equal(node('examples/manager.js'), 'visit 1 (new session) cookie: sid=…\nvisit 2\n')
})

test('the Express quick example: four lines give an app sessions that survive a request', () => {
  assert.equal(node('examples/express-quick.js'), 'visit 1 / visit 2\n')
})

test('the Fetch handler example: start(request), commitTo(session, response)', () => {
  assert.equal(node('examples/fetch-handler.js'), 'visit 1 / visit 2\n')
})
