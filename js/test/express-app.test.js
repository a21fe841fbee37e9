'use strict'
// The Express example (examples/express-app.js) as a user meets it: a real server process on
// 127.0.0.1, driven by fetch with a cookie jar through login, the counter and logout.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const servers = require('./servers.js')
const { startApp, appEnv, CookieJar } = require('./apps.js')

const env = appEnv()
let app

before(async () => { app = await startApp('express', env) })
after(async () => {
  await app?.stop()
  const redis = await servers.redisClient().catch(() => null)
  if (redis) {
    for (const key of await servers.keysMatching(redis, `${env.SESSION_KEY_PREFIX}*`)) await redis.del(key)
    await redis.close()
  }
})

const sid = (jar) => jar.cookies.get('sid')
const title = async (response) => /<h1>(.*?)<\/h1>/.exec(await response.text())[1]

test('the app keeps its sessions in Redis when Redis answers', async () => {
  const redis = await servers.redisClient().catch((e) => servers.unreachable('Redis', e))
  if (typeof redis === 'string') return
  await redis.close()
  assert.equal(app.storage, 'redis')
})

test('login sets a signed HttpOnly, SameSite=Lax, Secure cookie; the counter survives requests', async () => {
  const jar = new CookieJar()
  const home = await jar.fetch(app.url + '/')
  assert.equal(await title(home), 'Sign in')
  assert.deepEqual(home.headers.getSetCookie(), [], 'nothing written for a visitor who wrote nothing')

  const login = await jar.post(app.url + '/login', { name: 'Ada <script>' })
  assert.equal(login.status, 303)
  assert.equal(login.headers.get('location'), '/')
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sid='))
  for (const attribute of ['HttpOnly', 'SameSite=Lax', 'Path=/', 'Secure', 'Max-Age=1800']) {
    assert.ok(cookie.split('; ').includes(attribute), `${attribute} in ${cookie}`)
  }
  assert.equal(await title(await jar.fetch(app.url + '/')), 'Hello, Ada &#60;script&#62;')
  for (const n of [1, 2, 3]) assert.equal(await title(await jar.fetch(app.url + '/counter')), `Visits: ${n}`)
})

test('login moves the session to a new id; the old cookie is worthless', async () => {
  const jar = new CookieJar()
  await jar.fetch(app.url + '/counter')
  const before = sid(jar)
  assert.ok(before)
  await jar.post(app.url + '/login', { name: 'Grace' })
  assert.notEqual(sid(jar), before)
  assert.equal(await title(await jar.fetch(app.url + '/counter')), 'Visits: 2', 'values kept across the new id')

  const planted = new CookieJar()
  planted.cookies.set('sid', before)
  assert.equal(await title(await planted.fetch(app.url + '/')), 'Sign in')
})

test('logout clears the cookie and ends the session on the server', async () => {
  const jar = new CookieJar()
  await jar.post(app.url + '/login', { name: 'Linus' })
  const stolen = sid(jar)
  const logout = await jar.post(app.url + '/logout')
  assert.equal(logout.status, 303)
  assert.match(logout.headers.getSetCookie()[0], /^sid=; .*Max-Age=0/)
  assert.equal(sid(jar), undefined)
  assert.equal(await title(await jar.fetch(app.url + '/')), 'Sign in')

  const replay = new CookieJar()
  replay.cookies.set('sid', stolen)
  assert.equal(await title(await replay.fetch(app.url + '/')), 'Sign in', 'a copy of the cookie is dead too')
})

test('a tampered cookie gets a fresh anonymous session', async () => {
  const jar = new CookieJar()
  await jar.post(app.url + '/login', { name: 'Ada' })
  const [id, mac] = sid(jar).split('.')
  const flipped = mac[0] === 'A' ? `B${mac.slice(1)}` : `A${mac.slice(1)}`
  // The id's last character replaced by another (an id ending in "x" must not stay as it was).
  const otherId = id.slice(0, -1) + (id.endsWith('x') ? 'y' : 'x')
  for (const forged of [`${id}.${flipped}`, `${otherId}.${mac}`, id, 'garbage']) {
    const other = new CookieJar()
    other.cookies.set('sid', forged)
    assert.equal(await title(await other.fetch(app.url + '/')), 'Sign in', forged)
    assert.equal(await title(await other.fetch(app.url + '/counter')), 'Visits: 1')
    assert.notEqual(sid(other), forged)
  }
})

test('an empty name is refused with 400 and no session', async () => {
  const jar = new CookieJar()
  const response = await jar.post(app.url + '/login', { name: '  ' })
  assert.equal(response.status, 400)
  assert.equal(sid(jar), undefined)
})
