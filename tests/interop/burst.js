// Concurrency across languages, Node side: stores <n> sessions at once (ids <tag>-<i>, five
// shops), then prints the ids findSessionsByShop sees for every shop, as {shop: [ids]}.
//   node burst.js <kind> <target> <tag> <n>     (kinds and targets as in node_side.js)
'use strict'
const path = require('node:path')
const JS = process.env.SK_JS || path.join(__dirname, '..', '..', 'js')
const sk = require(JS)

async function open(kind, target) {
  const at = target.lastIndexOf('|')
  const [where, name] = [target.slice(0, at), target.slice(at + 1)]
  if (kind === 'redis') {
    const storage = require(path.join(JS, 'redis.js')).redisSessionStorage(where, { keyPrefix: name })
    return { storage, close: () => storage.close() }
  }
  if (kind === 'postgres') {
    const storage = require(path.join(JS, 'postgres.js')).postgresSessionStorage(where, { table: name })
    return { storage, close: () => storage.close() }
  }
  throw new Error(`unknown storage kind ${kind}`)
}

async function main() {
  const [kind, target, tag, n] = process.argv.slice(2)
  const { storage, close } = await open(kind, target)
  try {
    const shops = [0, 1, 2, 3, 4].map((i) => `burst-${i}.myshopify.com`)
    const stored = await Promise.all(
      Array.from({ length: Number(n) }, (_, i) =>
        storage.storeSession(new sk.Session({ id: `${tag}-${i}`, shop: shops[i % 5], accessToken: 't', data: { by: tag, i } })),
      ),
    )
    if (!stored.every((ok) => ok === true)) throw new Error('a store resolved false')
    const found = {}
    for (const shop of shops) found[shop] = (await storage.findSessionsByShop(shop)).map((s) => s.id).sort()
    process.stdout.write(JSON.stringify(found))
  } finally {
    await close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
