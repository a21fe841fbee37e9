// Quickstart: Shopify-style session storage over three async callbacks.
// Run: node quickstart.js
const { Session, CustomSessionStorage, SessionStorageError } = require('sessionkeeper')

async function main() {
  const db = new Map() // stands in for Redis, SQL, DynamoDB, ...

  const storage = new CustomSessionStorage(
    async (session) => {
      db.set(session.id, JSON.stringify(session)) // canonical JSON, dates as ISO strings
      return true
    },
    async (id) => db.get(id), // JSON text, a plain object, a property array or undefined
    async (id) => {
      db.delete(id)
      return true
    },
    { timeoutMs: 5000 },
  )

  const session = new Session({
    id: 'offline_quickstart.myshopify.com',
    shop: 'quickstart.myshopify.com',
    state: 'state',
    isOnline: false,
    scope: 'write_products',
    accessToken: 'shpat_example',
    expires: new Date(Date.now() + 60 * 60 * 1000),
  })

  console.log('stored:', await storage.storeSession(session))
  const loaded = await storage.loadSession(session.id)
  console.log('equal:', loaded.equals(session))
  console.log('active for read_products:', loaded.isActive('read_products'))
  console.log('expires is a Date:', loaded.expires instanceof Date)
  console.log(loaded) // tokens are redacted when inspected

  db.set('corrupt', '{"id":"corrupt","isOnline":"maybe"}')
  try {
    await storage.loadSession('corrupt')
  } catch (error) {
    if (!(error instanceof SessionStorageError)) throw error
    console.log('rejected:', error.code, '-', error.message)
  }

  console.log('deleted:', await storage.deleteSession(session.id))
  console.log('after delete:', await storage.loadSession(session.id))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
