// Crash-kill writer, Node side: stores and deletes sessions in the file storage at <dir> in an
// endless loop, four operations in flight, until the test SIGKILLs it. Ids crash-0..crash-23
// move between four shops and grow and shrink, so a kill can land in any step of a write
// (index entry, temp file, fsync, rename, old shop's entry) of a store or a delete.
//   node crash_writer.js <dir>
'use strict'
const path = require('node:path')
const sk = require(process.env.SK_JS || path.join(__dirname, '..', '..', 'js'))

const IDS = 24
const SHOPS = 4

async function step(storage) {
  const id = `crash-${Math.floor(Math.random() * IDS)}`
  if (Math.random() < 0.3) return storage.deleteSession(id)
  const shop = `crash-${Math.floor(Math.random() * SHOPS)}.myshopify.com`
  const pad = 'x'.repeat(Math.floor(Math.random() * 64 * 1024))
  return storage.storeSession(new sk.Session({ id, shop, accessToken: 't', data: { by: 'node', pad } }))
}

async function main() {
  const storage = new sk.FileSessionStorage(process.argv[2])
  await step(storage)
  process.stdout.write('ready\n')
  for (;;) await Promise.all([step(storage), step(storage), step(storage), step(storage)])
}

main().catch((e) => {
  process.stderr.write(`${e.stack}\n`)
  process.exit(1)
})
