'use strict'
// A Node process whose work is done exits, even while storages are alive; an operation still
// pending keeps it alive until it settles or times out. Each case runs in a child process.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { tempDir } = require('./helpers.js')

const INDEX = JSON.stringify(path.join(__dirname, '..', 'index.js'))

/** Runs `body` in a fresh Node; a hang is killed (the default callback timeout is 10 s). */
function run(body) {
  const script = `const sk = require(${INDEX});\n(async () => {\n${body}\n})()`
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 8000 })
  assert.equal(child.signal, null, `the process hung and was killed; stderr: ${child.stderr}`)
  assert.equal(child.status, 0, child.stderr)
  return child.stdout
}

test('exits with every kind of storage alive after its work is done', () => {
  const dir = tempDir()
  const out = run(`
    globalThis.keep = []
    const db = new Map()
    const custom = new sk.CustomSessionStorage(
      async (s) => { db.set(s.id, JSON.stringify(s)); return true },
      async (id) => db.get(id),
      async (id) => db.delete(id) || true,
    )
    const memory = new sk.MemorySessionStorage()
    const file = new sk.FileSessionStorage(${JSON.stringify(dir)})
    for (const storage of [custom, memory, file]) {
      keep.push(storage)
      await storage.storeSession({ id: 'x', shop: 's.myshopify.com' })
      await storage.loadSession('x')
      await storage.findSessionsByShop('s.myshopify.com').catch(() => [])
    }
    console.log('done')
  `)
  assert.equal(out.trim(), 'done')
})

test('exits after a callback failed or timed out', () => {
  const out = run(`
    globalThis.storage = new sk.CustomSessionStorage(
      async () => { throw new Error('boom') },
      () => new Promise(() => {}),
      async () => true,
      { timeoutMs: 50 },
    )
    await storage.storeSession({ id: 'x' }).catch((e) => console.log(e.code))
    await storage.loadSession('x').catch((e) => console.log(e.code))
  `)
  assert.deepEqual(out.trim().split('\n'), ['CALLBACK_FAILED', 'CALLBACK_TIMEOUT'])
})

test('a pending operation keeps the process alive until it times out', () => {
  // Nothing but the storage's own timer is left: the load must still settle, with its timeout.
  const out = run(`
    const storage = new sk.CustomSessionStorage(() => true, () => new Promise(() => {}), () => true, { timeoutMs: 200 })
    storage.loadSession('x').then(
      () => console.log('resolved'),
      (e) => console.log('settled', e.code),
    )
  `)
  assert.equal(out.trim(), 'settled CALLBACK_TIMEOUT')
})

test('a pending file operation completes before the process exits', () => {
  const dir = tempDir()
  const out = run(`
    const storage = new sk.FileSessionStorage(${JSON.stringify(dir)})
    storage.storeSession({ id: 'late', shop: 's.myshopify.com' }).then((ok) => console.log('stored', ok))
  `)
  assert.equal(out.trim(), 'stored true')
})
