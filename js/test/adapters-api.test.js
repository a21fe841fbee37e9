'use strict'
// sessionkeeper/redis and sessionkeeper/postgres without a server: argument checks, the
// declarations (`tsc --strict` over test/types/adapters.ts), the ESM entries, the packed files,
// and a finished process exiting with URL-created storages alive.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { CustomSessionStorage } = require('../index.js')
const { redisSessionStorage, RedisSessionStorage } = require('../redis.js')
const { postgresSessionStorage, PostgresSessionStorage } = require('../postgres.js')
const { REDIS_URL, DATABASE_URL } = require('./servers.js')

const ROOT = path.join(__dirname, '..')
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const invalid = (message) => ({ name: 'SessionStorageError', code: 'INVALID_ARGUMENT', message })

/** Stands in for a node-redis client; never sent a command here. */
const fakeClient = Object.fromEntries(['get', 'set', 'sAdd', 'sRem', 'sMembers', 'del'].map((c) => [c, () => {}]))
const fakePool = { query() {}, connect() {}, totalCount: 0 }

test('redisSessionStorage checks its arguments (INVALID_ARGUMENT)', () => {
  assert.ok(redisSessionStorage(fakeClient) instanceof CustomSessionStorage)
  assert.ok(new RedisSessionStorage(fakeClient, { keyPrefix: 'a:', timeoutMs: 0 }) instanceof RedisSessionStorage)
  for (const bad of [undefined, null, 42, '', {}, { get() {} }]) {
    assert.throws(() => redisSessionStorage(bad), invalid(/node-redis client/))
  }
  for (const url of ['not a url', 'http://user:secret@host']) {
    assert.throws(() => redisSessionStorage(url), (e) => {
      assert.equal(e.code, 'INVALID_ARGUMENT')
      assert.match(e.message, /url must be a redis:\/\/ or rediss:\/\/ URL: Invalid/)
      assert.ok(!e.message.includes('secret'), 'the URL is not repeated')
      return true
    })
  }
  assert.throws(() => redisSessionStorage(fakeClient, { keyPrefix: '' }), invalid(/keyPrefix/))
  assert.throws(() => redisSessionStorage(fakeClient, { keyPrefix: 'x'.repeat(257) }), invalid(/keyPrefix/))
  assert.throws(() => redisSessionStorage(fakeClient, { keyPrefix: 7 }), invalid(/keyPrefix must be a string/))
  // Prefixes that could nest inside another storage's keys (`p:app:shop:` inside `p:app:`).
  for (const nested of ['p:app:shop:', 'p:app:session:']) {
    assert.throws(() => redisSessionStorage(fakeClient, { keyPrefix: nested }), invalid(/nests inside another storage/))
  }
  assert.throws(() => redisSessionStorage(fakeClient, { sessionKeyPrefix: 'x' }), invalid(/unknown option "sessionKeyPrefix"/))
  assert.throws(() => redisSessionStorage(fakeClient, null), invalid(/options must be an object/))
  assert.throws(() => redisSessionStorage(fakeClient, { timeoutMs: 'soon' }), invalid(/timeoutMs/))
  assert.ok(redisSessionStorage(fakeClient, { graceMs: 0 }) && redisSessionStorage(fakeClient, { graceMs: null }))
  assert.throws(() => redisSessionStorage(fakeClient, { graceMs: '7d' }), invalid(/graceMs must be a number, got string/))
  for (const graceMs of [-1, NaN, Infinity, 3651 * 24 * 3600 * 1000]) {
    assert.throws(() => redisSessionStorage(fakeClient, { graceMs }), invalid(/grace period must be between 0 and 3650 days/), String(graceMs))
  }
})

test('postgresSessionStorage checks its arguments (INVALID_ARGUMENT)', () => {
  assert.ok(postgresSessionStorage(fakePool) instanceof CustomSessionStorage)
  assert.ok(new PostgresSessionStorage(fakePool, { table: 'app.sessions' }) instanceof PostgresSessionStorage)
  for (const bad of [undefined, null, 42, '', {}, { query() {} }]) {
    assert.throws(() => postgresSessionStorage(bad), invalid(/pg Pool/))
  }
  for (const table of ['', 'a;drop table x', 'a.b.c', '1abc', '"quoted"', 'x'.repeat(64)]) {
    assert.throws(() => postgresSessionStorage(fakePool, { table }), invalid(/table/), table)
  }
  assert.throws(() => postgresSessionStorage(fakePool, { table: 5 }), invalid(/table must be a string/))
  assert.throws(() => postgresSessionStorage(fakePool, { sessionTableName: 'x' }), invalid(/unknown option/))
  assert.throws(() => postgresSessionStorage(fakePool, { timeoutMs: -1 }), invalid(/timeoutMs/))
  assert.throws(() => postgresSessionStorage(fakePool, { graceMs: true }), invalid(/graceMs must be a number, got boolean/))
  assert.throws(() => postgresSessionStorage(fakePool, { graceMs: -5 }), invalid(/grace period/))
})

test('the ES module entries export the same objects', () => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import * as redis from 'sessionkeeper/redis'
    import * as postgres from 'sessionkeeper/postgres'
    import { createRequire } from 'node:module'
    const require = createRequire(${JSON.stringify(path.join(ROOT, 'index.js'))})
    console.log(redis.RedisSessionStorage === require('./redis.js').RedisSessionStorage,
      postgres.postgresSessionStorage === require('./postgres.js').postgresSessionStorage,
      typeof redis.default.redisSessionStorage, typeof postgres.default.PostgresSessionStorage)
  `], { cwd: ROOT, encoding: 'utf8' })
  assert.equal(out.trim(), 'true true function function')
})

test('the declarations type-check against node-redis and pg (tsc --strict), and reject misuse', () => {
  execFileSync(process.execPath, [TSC, '-p', 'test/types/tsconfig.json'], { cwd: ROOT, encoding: 'utf8' })
  const dir = path.join(ROOT, '.tsbuild')
  fs.mkdirSync(dir, { recursive: true })
  const bad = path.join(dir, 'adapters-misuse.ts')
  fs.writeFileSync(bad, [
    "import { redisSessionStorage } from 'sessionkeeper/redis'",
    "import { postgresSessionStorage } from 'sessionkeeper/postgres'",
    'redisSessionStorage(42)',
    "redisSessionStorage('redis://x', { sessionKeyPrefix: 'x' })",
    "postgresSessionStorage({ query: 1 })",
    "const n: number = postgresSessionStorage('postgres://x').close()",
    '',
  ].join('\n'))
  let output = ''
  try {
    execFileSync(process.execPath, [TSC, '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', bad], { cwd: ROOT, encoding: 'utf8' })
  } catch (e) {
    output = e.stdout
  }
  for (const line of [3, 4, 5, 6]) assert.match(output, new RegExp(`adapters-misuse\\.ts\\(${line},`), output)
})

test('the public declarations of the adapters have no `any`', () => {
  for (const file of ['redis.d.ts', 'postgres.d.ts', 'express.d.ts']) {
    const code = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')
    assert.ok(!/\bany\b/.test(code), `${file} mentions any`)
  }
})

test('the package ships both adapters and the Express glue, CommonJS, ESM and types', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: ROOT, encoding: 'utf8' }))
  const files = new Set(pack.files.map((f) => f.path))
  for (const name of ['redis', 'postgres', 'express']) {
    for (const ext of ['js', 'mjs', 'd.ts']) assert.ok(files.has(`${name}.${ext}`), `${name}.${ext} is packed`)
  }
  const pkg = require('../package.json')
  assert.deepEqual(Object.keys(pkg.peerDependencies).sort(), ['pg', 'redis'])
  assert.ok(pkg.peerDependenciesMeta.redis.optional && pkg.peerDependenciesMeta.pg.optional)
})

test('a process exits after using storages created from a URL, without close(); pending work keeps it alive', (t) => {
  const script = `
    const { redisSessionStorage } = require('sessionkeeper/redis')
    const { postgresSessionStorage } = require('sessionkeeper/postgres')
    ;(async () => {
      const run = Date.now() + '' + process.pid
      // timeoutMs 0: no timer of ours keeps the process alive while an operation is pending.
      globalThis.keep = [
        redisSessionStorage(${JSON.stringify(REDIS_URL)}, { keyPrefix: 'sk-node-exit:' + run + ':', timeoutMs: 0 }),
        postgresSessionStorage(${JSON.stringify(DATABASE_URL)}, { table: 'sk_node_exit_' + run, timeoutMs: 0 }),
      ]
      for (const storage of keep) {
        try {
          const steps = [
            await storage.storeSession({ id: 'x', shop: 's.myshopify.com' }),
            (await storage.loadSession('x')).id,
            (await storage.findSessionsByShop('s.myshopify.com')).length,
            await storage.deleteSession('x'),
          ]
          if (steps.join() !== 'true,x,1,true') throw new Error(steps.join())
        } catch (e) {
          console.log('unreachable', e.code)
          await storage.close() // a client still reconnecting would keep the process alive
        }
      }
      const { Pool } = require('pg')
      const pool = new Pool({ connectionString: ${JSON.stringify(DATABASE_URL)}, allowExitOnIdle: true })
      await pool.query('DROP TABLE IF EXISTS sk_node_exit_' + run).catch(() => {})
      console.log('done')
    })()
  `
  const child = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 15000 })
  assert.equal(child.signal, null, `the process hung and was killed; stderr: ${child.stderr}`)
  assert.equal(child.status, 0, child.stderr)
  if (child.stdout.includes('unreachable') && process.env.CI !== 'true') return t.skip(`a server is unreachable: ${child.stdout}`)
  assert.equal(child.stdout.trim(), 'done')
})
