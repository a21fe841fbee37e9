// A CustomSessionStorage with all five callbacks: what a Shopify app needs, since uninstall
// cleanup calls findSessionsByShop and deleteSessions (without their callbacks the first fails
// with NOT_SUPPORTED and the second deletes one id at a time).
const { CustomSessionStorage, Session } = require('sessionkeeper')

const rows = new Map() // id -> canonical JSON text; stands in for your database table

const storage = new CustomSessionStorage(
  async (session) => {
    rows.set(session.id, JSON.stringify(session))
    return true
  },
  async (id) => rows.get(id),
  async (id) => {
    rows.delete(id)
    return true
  },
  {
    findSessionsByShopCallback: async (shop) =>
      [...rows.values()].filter((text) => JSON.parse(text).shop === shop),
    deleteSessionsCallback: async (ids) => {
      for (const id of ids) rows.delete(id)
      return true
    },
    timeoutMs: 5000,
  },
)

async function main() {
  const shop = 'custom.myshopify.com'
  await storage.storeSession(new Session({ id: `offline_${shop}`, shop, accessToken: 'shpat_example' }))
  await storage.storeSession(new Session({ id: `${shop}_42`, shop, isOnline: true, accessToken: 'shpua_example' }))
  // What an APP_UNINSTALLED handler does:
  const sessions = await storage.findSessionsByShop(shop)
  console.log('found:', sessions.map((s) => s.id).sort().join(', '))
  console.log('deleted:', await storage.deleteSessions(sessions.map((s) => s.id)))
  console.log('left:', (await storage.findSessionsByShop(shop)).length)
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
