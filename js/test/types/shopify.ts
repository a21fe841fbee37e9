// Every sessionkeeper storage is a Shopify app's `sessionStorage`, and our `Session` is Shopify's
// where Shopify's is expected: checked by `tsc --strict` against @shopify/shopify-app-express 8
// and @shopify/shopify-api 15 (dev dependencies only; the package needs neither at runtime).
import { shopifyApp } from '@shopify/shopify-app-express'
import { ApiVersion, Session as ShopifySession } from '@shopify/shopify-api'
import type { SessionStorage as ShopifySessionStorage } from '@shopify/shopify-app-session-storage'
import {
  CustomSessionStorage,
  FileSessionStorage,
  MemorySessionStorage,
  Session,
  type SessionStorage,
} from 'sessionkeeper'
import { redisSessionStorage } from 'sessionkeeper/redis'
import { postgresSessionStorage } from 'sessionkeeper/postgres'

const db = new Map<string, string>()
const custom = new CustomSessionStorage(
  (session) => {
    db.set(session.id, JSON.stringify(session))
    return true
  },
  (id) => db.get(id),
  (id) => db.delete(id),
  {
    findSessionsByShopCallback: (shop) => [...db.values()].filter((t) => JSON.parse(t).shop === shop),
    deleteSessionsCallback: (ids) => ids.every((id) => db.delete(id)),
  },
)

export const storages: SessionStorage[] = [
  new MemorySessionStorage(),
  new FileSessionStorage('/tmp/sessions'),
  custom,
  redisSessionStorage('redis://127.0.0.1:6379'),
  postgresSessionStorage('postgresql://127.0.0.1/test'),
]

export const asShopify: ShopifySessionStorage[] = storages

/** A Shopify app over `sessionStorage`: the parameter is Shopify's own `SessionStorage` type. */
function appWith(sessionStorage: ShopifySessionStorage) {
  return shopifyApp({
    api: { apiKey: 'key', apiSecretKey: 'secret', hostName: 'app.example.com', apiVersion: ApiVersion.October25 },
    auth: { path: '/api/auth', callbackPath: '/api/auth/callback' },
    webhooks: { path: '/api/webhooks' },
    sessionStorage,
  })
}

export const apps = [
  appWith(new MemorySessionStorage()),
  appWith(new FileSessionStorage('/tmp/sessions')),
  appWith(custom),
  appWith(redisSessionStorage('redis://127.0.0.1:6379')),
  appWith(postgresSessionStorage('postgresql://127.0.0.1/test')),
  shopifyApp({
    api: { apiKey: 'key', apiSecretKey: 'secret', hostName: 'app.example.com', apiVersion: ApiVersion.October25 },
    auth: { path: '/api/auth', callbackPath: '/api/auth/callback' },
    webhooks: { path: '/api/webhooks' },
    sessionStorage: new MemorySessionStorage(),
  }),
]

export async function interchange(storage: SessionStorage, shopifySession: ShopifySession): Promise<boolean> {
  // Shopify's sessions go into our storages, ours come out where Shopify's are expected.
  await storage.storeSession(shopifySession)
  const loaded: ShopifySession | undefined = await storage.loadSession(shopifySession.id)
  const found: ShopifySession[] = await storage.findSessionsByShop(shopifySession.shop)
  const ours: ShopifySession = new Session(shopifySession)
  const asParams: ReturnType<ShopifySession['toObject']> = ours.toObject()
  void asParams
  return shopifySession.equals(loaded) && shopifySession.equals(ours) && found.length > 0
}
