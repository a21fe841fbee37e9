'use strict'
// FileSessionStorage beyond the battery: durability, file modes, corrupt files, links and shared
// directories, errors, and proof that its disk I/O runs on libuv's thread pool rather than the
// JS thread.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { Session, FileSessionStorage } = require('../index.js')
const { tempDir } = require('./helpers.js')

test('sessions survive a new storage on the same directory (a restart)', async () => {
  const dir = tempDir()
  const session = new Session({ id: 'durable', shop: 'disk.myshopify.com', expires: new Date(Date.UTC(2030, 0, 1)) })
  await new FileSessionStorage(dir).storeSession(session)
  const reopened = new FileSessionStorage(dir)
  assert.ok((await reopened.loadSession('durable')).equals(session))
  assert.equal((await reopened.findSessionsByShop('disk.myshopify.com')).length, 1)
})

test('creates its directory 0700 and session files 0600; ids never become paths', async () => {
  const dir = path.join(tempDir(), 'nested', 'sessions')
  const storage = new FileSessionStorage(dir)
  await storage.storeSession(new Session({ id: '../../escape', shop: 's.myshopify.com' }))
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700)
  const files = fs.readdirSync(path.join(dir, 'sessions'))
  assert.equal(files.length, 1)
  assert.ok(!files[0].includes('..') && !files[0].includes('/'))
  assert.equal(fs.statSync(path.join(dir, 'sessions', files[0])).mode & 0o777, 0o600)
  assert.ok(!fs.existsSync(path.join(dir, '..', '..', 'escape')))
})

test('a corrupt file is INVALID_SESSION naming the file; other sessions stay readable', async () => {
  const dir = tempDir()
  const storage = new FileSessionStorage(dir)
  await storage.storeSession(new Session({ id: 'good' }))
  await storage.storeSession(new Session({ id: 'bad' }))
  const files = fs.readdirSync(path.join(dir, 'sessions'))
  const bad = files.find((f) => fs.readFileSync(path.join(dir, 'sessions', f), 'utf8').includes('"bad"'))
  fs.writeFileSync(path.join(dir, 'sessions', bad), '{"id":"bad","isOnline":"maybe"}')
  await assert.rejects(storage.loadSession('bad'), (e) => {
    assert.equal(e.code, 'INVALID_SESSION')
    assert.ok(e.message.includes(bad), e.message)
    assert.ok(e.message.includes('isOnline'), e.message)
    return true
  })
  assert.equal((await storage.loadSession('good')).id, 'good')
})

test('bad arguments are INVALID_ARGUMENT; an unusable directory is STORAGE_IO', async () => {
  assert.throws(() => new FileSessionStorage(''), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new FileSessionStorage(42), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new FileSessionStorage(tempDir(), { mode: 1 }), { code: 'INVALID_ARGUMENT' })
  const file = path.join(tempDir(), 'a-file')
  fs.writeFileSync(file, '')
  const storage = new FileSessionStorage(path.join(file, 'sub'))
  await assert.rejects(storage.loadSession('x'), { name: 'SessionStorageError', code: 'STORAGE_IO' })
  await assert.rejects(storage.storeSession(new Session({ id: 'x' })), { code: 'STORAGE_IO' })
})

test('disk I/O runs on the libuv pool, not the JS thread', () => {
  // With one pool thread busy hashing, a file operation must wait for it; on the JS thread
  // it would finish first. The order of the two lines below tells which.
  const dir = tempDir()
  const script = `
    const crypto = require('node:crypto')
    const { FileSessionStorage } = require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))})
    const storage = new FileSessionStorage(${JSON.stringify(dir)})
    crypto.pbkdf2('password', 'salt', 200000, 32, 'sha256', () => console.log('pool job done'))
    storage.storeSession({ id: 'queued' }).then(() => console.log('stored'))
  `
  const out = execFileSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
  })
  assert.equal(out, 'pool job done\nstored\n')
})

test('a directory others can write to is refused; no link inside the directory is followed', async () => {
  const open = async (dir) => new FileSessionStorage(dir).loadSession('x')
  for (const mode of [0o777, 0o770, 0o1777]) {
    const dir = path.join(tempDir(), 'shared')
    fs.mkdirSync(dir)
    fs.chmodSync(dir, mode)
    await assert.rejects(open(dir), (e) => {
      assert.equal(e.code, 'INVALID_ARGUMENT')
      assert.match(e.message, /writable by group or others/)
      return true
    })
  }
  // A directory of another user (only root can give one away; others test what they can).
  if (process.getuid?.() === 0) {
    const theirs = path.join(tempDir(), 'theirs')
    fs.mkdirSync(theirs)
    fs.chownSync(theirs, 54321, 54321)
    await assert.rejects(open(theirs), { code: 'INVALID_ARGUMENT', message: /owned by user 54321/ })
  }
  const dir = tempDir()
  const outside = tempDir()
  const storage = new FileSessionStorage(dir)
  await storage.storeSession(new Session({ id: 'victim', shop: 'link.myshopify.com', accessToken: 'mine' }))
  // A session file replaced by a link to an attacker's session: refused, never loaded.
  const [file] = fs.readdirSync(path.join(dir, 'sessions'))
  const planted = path.join(outside, 'attacker.json')
  fs.writeFileSync(planted, JSON.stringify(new Session({ id: 'victim', shop: 'link.myshopify.com', accessToken: 'stolen' })))
  fs.rmSync(path.join(dir, 'sessions', file))
  fs.symlinkSync(planted, path.join(dir, 'sessions', file))
  await assert.rejects(storage.loadSession('victim'), (e) => {
    assert.equal(e.code, 'STORAGE_IO')
    assert.match(e.message, /symbolic link/)
    assert.ok(!e.message.includes('stolen'))
    return true
  })
  assert.deepEqual(await storage.findSessionsByShop('link.myshopify.com'), [], 'find skips it')
  // A link planted at a shop's index folder: replaced, nothing written through it.
  const [marker] = fs.readdirSync(path.join(dir, 'shops'))
  fs.rmSync(path.join(dir, 'shops', marker), { recursive: true })
  fs.symlinkSync(outside, path.join(dir, 'shops', marker))
  await storage.storeSession(new Session({ id: 'victim', shop: 'link.myshopify.com', accessToken: 'mine' }))
  assert.deepEqual(fs.readdirSync(outside), ['attacker.json'])
  assert.equal((await storage.loadSession('victim')).accessToken, 'mine')
})

test('findSessionsByShop returns the readable sessions: corrupt files and stray entries are skipped', async () => {
  const dir = tempDir()
  const storage = new FileSessionStorage(dir)
  for (const id of ['good', 'corrupt']) await storage.storeSession(new Session({ id, shop: 'broken.myshopify.com' }))
  const corrupt = path.join(dir, 'sessions', `x${Buffer.from('corrupt').toString('hex')}.json`)
  fs.writeFileSync(corrupt, '{not json')
  const [marker] = fs.readdirSync(path.join(dir, 'shops'))
  fs.mkdirSync(path.join(dir, 'shops', marker, 'a-folder'))
  assert.deepEqual((await storage.findSessionsByShop('broken.myshopify.com')).map((s) => s.id), ['good'])
  await assert.rejects(storage.loadSession('corrupt'), { code: 'INVALID_SESSION' }, 'a load still reports it')
  // An index folder replaced by a file: nothing found, and the next store heals it.
  fs.rmSync(path.join(dir, 'shops', marker), { recursive: true })
  fs.writeFileSync(path.join(dir, 'shops', marker), 'junk')
  assert.deepEqual(await storage.findSessionsByShop('broken.myshopify.com'), [])
  await storage.storeSession(new Session({ id: 'good', shop: 'broken.myshopify.com' }))
  assert.deepEqual((await storage.findSessionsByShop('broken.myshopify.com')).map((s) => s.id), ['good'])
})

/** Bytes this process has read through read(2) and its kin so far (Linux; null elsewhere). */
function bytesRead() {
  try {
    return Number(/^rchar: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))[1])
  } catch {
    return null
  }
}

test('findSessionsByShop reads only the files of its shop, not every session (O(sessions of the shop))', async (t) => {
  if (bytesRead() === null) return t.skip('no /proc/self/io here')
  const storage = new FileSessionStorage(tempDir())
  // 200 sessions of other shops, 64 KB each: 13 MB a walk over every file would read.
  const big = 'x'.repeat(64 * 1024)
  for (let i = 0; i < 200; i++) {
    await storage.storeSession(new Session({ id: `other-${i}`, shop: `other-${i % 20}.myshopify.com`, data: { big } }))
  }
  for (let i = 0; i < 3; i++) await storage.storeSession(new Session({ id: `mine-${i}`, shop: 'mine.myshopify.com' }))
  const before = bytesRead()
  const found = await storage.findSessionsByShop('mine.myshopify.com')
  const read = bytesRead() - before
  assert.deepEqual(found.map((s) => s.id), ['mine-0', 'mine-1', 'mine-2'])
  assert.ok(read < 1_000_000, `the find read ${read} bytes: other shops' files were read`)
})
