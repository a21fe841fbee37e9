'use strict'
// As a Shopify app meets us: the sessions @shopify/shopify-api 15 itself creates (a token
// exchange against a mocked Shopify, through shopify-api's own fetch hook) go through every
// embedded storage and come back as Shopify's bytes; our declarations are Shopify's types.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { execFileSync } = require('node:child_process')
const path = require('node:path')
require('@shopify/shopify-api/adapters/node')
const { setAbstractFetchFunc, createSHA256HMAC, deriveSHA256HMACKey } = require('@shopify/shopify-api/runtime')
const express = require('express')
const { shopifyApp } = require('@shopify/shopify-app-express')
const { shopifyApi, ApiVersion, RequestedTokenType, Session: ShopifySession } = require('@shopify/shopify-api')
const { Session, MemorySessionStorage, FileSessionStorage } = require('../index.js')
const { redisSessionStorage } = require('../redis.js')
const { tempDir, mapStorage } = require('./helpers.js')
const servers = require('./servers.js')

const ROOT = path.join(__dirname, '..')
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const SHOP = 'drop-in.myshopify.com'
const SECRET = 'a-test-api-secret'

/** Shopify's online-token response, in the order Shopify's OAuth endpoint sends its keys. */
const ONLINE_TOKEN = {
  access_token: 'shpua_online',
  scope: 'write_products,read_orders',
  expires_in: 86399,
  associated_user_scope: 'write_products',
  session: '1f7b2c0a9d',
  account_number: 0,
  associated_user: {
    id: 902541635,
    first_name: 'John',
    last_name: 'Smith',
    email: 'john@example.com',
    email_verified: true,
    account_owner: true,
    locale: 'en',
    collaborator: false,
  },
}

/** A session token (HS256 JWT) as App Bridge would send it, signed with the app's secret. */
function sessionToken() {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const payload = {
    iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: 'test-api-key', sub: '902541635',
    exp: now + 60, nbf: now - 5, iat: now - 5, jti: crypto.randomUUID(), sid: 'sid',
  }
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`
  return `${unsigned}.${crypto.createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`
}

/** The online session shopify-api 15 builds from a token exchange (its own createSession). */
async function shopifyOnlineSession() {
  setAbstractFetchFunc(async () => new Response(JSON.stringify(ONLINE_TOKEN), { headers: { 'Content-Type': 'application/json' } }))
  const shopify = shopifyApi({
    apiKey: 'test-api-key', apiSecretKey: SECRET, hostName: 'app.example.com',
    apiVersion: ApiVersion.October25, isEmbeddedApp: true, logger: { level: 0 },
  })
  const { session } = await shopify.auth.tokenExchange({
    shop: SHOP, sessionToken: sessionToken(), requestedTokenType: RequestedTokenType.OnlineAccessToken,
  })
  assert.ok(session instanceof ShopifySession && session.isOnline)
  return session
}

test("Shopify's own online session keeps its onlineAccessInfo bytes through every storage", async () => {
  const original = await shopifyOnlineSession()
  const { access_token: _token, scope: _scope, ...info } = ONLINE_TOKEN
  assert.equal(JSON.stringify(original.onlineAccessInfo), JSON.stringify(info), 'what Shopify wrote')
  // Shopify's field order at the top level (as its storages' fromPropertyArray builds it).
  const reordered = new ShopifySession({
    id: original.id, shop: original.shop, state: original.state, isOnline: original.isOnline,
    scope: original.scope, expires: original.expires, accessToken: original.accessToken,
    onlineAccessInfo: original.onlineAccessInfo,
  })
  assert.equal(JSON.stringify(new Session(original)), JSON.stringify(reordered), 'our canonical JSON is Shopify\'s')
  const storages = {
    memory: new MemorySessionStorage(),
    file: new FileSessionStorage(tempDir()),
    custom: mapStorage({ shape: 'object' }).storage,
  }
  for (const [name, storage] of Object.entries(storages)) {
    assert.equal(await storage.storeSession(original), true, name)
    const loaded = await storage.loadSession(original.id)
    assert.equal(JSON.stringify(loaded), JSON.stringify(reordered), `${name}: JSON.stringify(loaded) is Shopify's`)
    assert.equal(JSON.stringify(loaded.onlineAccessInfo), JSON.stringify(original.onlineAccessInfo), name)
    assert.ok(original.equals(loaded) && loaded.equals(original), `${name}: equal both ways`)
    const [found] = await storage.findSessionsByShop(SHOP)
    assert.ok(original.equals(found), name)
  }
})

test('records written before session/account_number were known fields still load, in the new order', () => {
  const old = '{"id":"o","shop":"s","state":"","isOnline":true,"onlineAccessInfo":{"expires_in":1,' +
    '"associated_user_scope":"x","associated_user":{"id":1},"account_number":3,"session":"abc"}}'
  assert.equal(
    Session.deserialize(old).serialize(),
    '{"id":"o","shop":"s","state":"","isOnline":true,"onlineAccessInfo":{"expires_in":1,' +
      '"associated_user_scope":"x","session":"abc","account_number":3,"associated_user":{"id":1}}}',
  )
})

test("every storage is a Shopify app's sessionStorage and our Session is Shopify's (tsc --strict)", () => {
  // test/types/shopify.ts passes each storage to shopifyApp({ sessionStorage }) and our
  // sessions where Shopify's Session is expected; a failure prints tsc's diagnostics.
  execFileSync(process.execPath, [TSC, '-p', 'test/types/tsconfig.shopify.json'], { cwd: ROOT, encoding: 'utf8' })
})

/** The `Cookie` header of a browser holding Shopify's signed session cookie for `id`. */
async function sessionCookie(id) {
  // How shopify-api signs cookies: an HMAC of the value under a key derived from the secret.
  const key = await deriveSHA256HMACKey(SECRET, 'shopify-app-js/cookie-signing/v1')
  return `shopify_app_session=${id}; shopify_app_session.sig=${await createSHA256HMAC(key, id)}`
}

/** Where a non-embedded Shopify app over `sessionStorage` sends a browser holding `cookie`. */
async function redirectFor(sessionStorage, cookie) {
  const shopify = shopifyApp({
    api: {
      apiKey: 'test-api-key', apiSecretKey: SECRET, hostName: 'app.example.com', isEmbeddedApp: false,
      apiVersion: ApiVersion.October25, scopes: ['write_products'], logger: { level: 0 },
    },
    auth: { path: '/api/auth', callbackPath: '/api/auth/callback' },
    webhooks: { path: '/api/webhooks' },
    useOnlineTokens: true,
    sessionStorage,
  })
  const app = express()
  app.use('/api/*splat', shopify.validateAuthenticatedSession())
  app.get('/api/products', (_req, res) => res.send('products'))
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  try {
    const res = await fetch(`http://127.0.0.1:${server.address().port}/api/products`, { headers: { cookie }, redirect: 'manual' })
    return `${res.status} ${res.headers.get('location') ?? (await res.text())}`
  } finally {
    server.close()
  }
}

test('a non-embedded request with an expired session cookie is sent through OAuth for the stored shop (Redis)', async (t) => {
  const probe = await servers.redisClient().catch((e) => e)
  if (probe instanceof Error) return t.skip(servers.unreachable(`Redis at ${servers.REDIS_URL}`, probe))
  const keyPrefix = `sk_node_shopify_${servers.runId()}:`
  const expired = new Session({
    id: 'expired-online-session', shop: 'cookie-shop.myshopify.com', isOnline: true, scope: 'write_products',
    accessToken: 'shpua_expired', expires: new Date(Date.now() - 60_000), onlineAccessInfo: { associated_user: { id: 5 } },
  })
  const cookie = await sessionCookie(expired.id)
  const storage = redisSessionStorage(servers.REDIS_URL, { keyPrefix })
  const dropped = redisSessionStorage(servers.REDIS_URL, { keyPrefix, graceMs: 0 })
  try {
    assert.equal(await storage.storeSession(expired), true)
    assert.equal(await redirectFor(storage, cookie), '302 /api/auth?shop=cookie-shop.myshopify.com')
    // Dropped at expiry (what the storage did before it kept a grace period): the app has no
    // shop to send the merchant to.
    assert.equal(await dropped.storeSession(expired), true)
    assert.equal(await redirectFor(dropped, cookie), '302 /api/auth?shop=undefined')
  } finally {
    await servers.deleteKeys(probe, `${keyPrefix}*`)
    await Promise.all([probe.quit(), storage.close(), dropped.close()])
  }
})
