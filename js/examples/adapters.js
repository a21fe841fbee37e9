// The Redis and PostgreSQL storages: the same session through each. Both take a URL, or a
// client / pool you already have. Run: node adapters.js  (REDIS_URL, DATABASE_URL)
const { Session } = require('sessionkeeper')
const { redisSessionStorage } = require('sessionkeeper/redis')
const { postgresSessionStorage } = require('sessionkeeper/postgres')

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'

async function main() {
  const storages = {
    // Keys `myapp:session:<id>` and `myapp:shop:<shop>`; close() quits the client made from the URL.
    redis: redisSessionStorage(REDIS_URL, { keyPrefix: process.env.KEY_PREFIX ?? 'myapp:' }),
    // One table, created on first use; close() ends the pool made from the connection string.
    postgres: postgresSessionStorage(DATABASE_URL, { table: process.env.SESSION_TABLE ?? 'myapp_sessions' }),
  }
  const session = new Session({
    id: 'offline_adapters.myshopify.com',
    shop: 'adapters.myshopify.com',
    isOnline: false,
    scope: 'write_products',
    accessToken: 'shpat_example',
    expires: new Date(Date.now() + 60 * 60 * 1000), // Redis drops the key when it expires
  })
  for (const [name, storage] of Object.entries(storages)) {
    try {
      await storage.storeSession(session)
      const loaded = await storage.loadSession(session.id)
      const found = await storage.findSessionsByShop('adapters.myshopify.com')
      console.log(`${name}: equal ${loaded.equals(session)}, found ${found.length}`)
      await storage.deleteSession(session.id)
    } catch (e) {
      // A server that cannot be reached: CALLBACK_FAILED, the driver's error as `cause`.
      console.log(`${name}: ${e.code} (${e.cause?.message ?? e.message})`)
    } finally {
      await storage.close()
    }
  }
}

main()
