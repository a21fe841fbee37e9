// The quickstart as an ES module: the same API through `import`.
import { Session, MemorySessionStorage, ErrorCode } from 'sessionkeeper'

const storage = new MemorySessionStorage() // the embedded default: copies, never shared references
const session = new Session({ id: 'esm', shop: 'esm.myshopify.com', accessToken: 'shpat_example' })

console.log('stored:', await storage.storeSession(session))
session.shop = 'changed.myshopify.com' // the stored copy does not change
const loaded = await storage.loadSession('esm')
console.log('loaded shop:', loaded.shop)
console.log('json:', JSON.stringify(loaded) === loaded.serialize())
try {
  await storage.loadSession('')
} catch (error) {
  console.log('rejected:', error.code === ErrorCode.INVALID_ARGUMENT)
}
