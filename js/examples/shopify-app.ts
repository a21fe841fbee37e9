// A Shopify app (Express) whose sessions live in Redis through sessionkeeper.
import express from 'express'
import { shopifyApp } from '@shopify/shopify-app-express'
import { ApiVersion, DeliveryMethod } from '@shopify/shopify-api'
import { redisSessionStorage } from 'sessionkeeper/redis'

// Any sessionkeeper storage fits here: Memory, File, Custom, redis or postgres.
const sessionStorage = redisSessionStorage(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  keyPrefix: 'myapp:',
})

const shopify = shopifyApp({
  api: {
    apiKey: process.env.SHOPIFY_API_KEY ?? '',
    apiSecretKey: process.env.SHOPIFY_API_SECRET ?? '',
    hostName: process.env.HOST ?? 'myapp.example.com',
    apiVersion: ApiVersion.October25,
    scopes: ['write_products'],
  },
  auth: { path: '/api/auth', callbackPath: '/api/auth/callback' },
  webhooks: { path: '/api/webhooks' },
  sessionStorage,
})

const app = express()
app.get(shopify.config.auth.path, shopify.auth.begin())
app.get(shopify.config.auth.callbackPath, shopify.auth.callback(), shopify.redirectToShopifyOrAppRoot())
app.post(
  shopify.config.webhooks.path,
  shopify.processWebhooks({
    webhookHandlers: {
      // Uninstalled: forget every session of the shop (offline and online ones).
      APP_UNINSTALLED: {
        deliveryMethod: DeliveryMethod.Http,
        callbackUrl: '/api/webhooks',
        callback: async (_topic: string, shop: string) => {
          const sessions = await sessionStorage.findSessionsByShop(shop)
          await sessionStorage.deleteSessions(sessions.map((session) => session.id))
        },
      },
    },
  }),
)
app.use('/api/*splat', shopify.validateAuthenticatedSession())
app.get('/api/shop', async (_req, res) => {
  const session = res.locals.shopify.session // Shopify's Session type; ours is assignable to it
  res.json({ shop: session.shop, online: session.isOnline })
})

export default app
