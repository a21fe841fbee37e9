'use strict'
// The example apps in a real browser: Debian's Chromium, headless, driven by playwright-core
// (which downloads nothing: it launches /usr/bin/chromium). One scenario per app, and the two
// apps side by side on two ports of 127.0.0.1 (a browser shares cookies across the ports of a
// host) with one secret and one Redis: a login on Node is a login on Python, and back.
// Each scenario's last page is saved to target/browser/. Run by `make test-browser`.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const servers = require('../test/servers.js')
const { startApp, appEnv } = require('../test/apps.js')

const CHROMIUM = process.env.SK_CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = path.join(__dirname, '..', '..', 'target', 'browser')
const absent = !fs.existsSync(CHROMIUM) && `${CHROMIUM} is missing (apt-get install -y chromium)`
if (absent && process.env.CI === 'true') throw new Error(absent)
if (absent) console.log(`# skipping the browser tests: ${absent}`)

const env = appEnv()
const apps = {}
let browser

before(async () => {
  if (absent) return
  const { chromium } = require('playwright-core')
  fs.mkdirSync(SHOTS, { recursive: true })
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true })
  ;[apps.express, apps.fastapi] = await Promise.all([startApp('express', env), startApp('fastapi', env)])
})

after(async () => {
  await browser?.close()
  await Promise.all(Object.values(apps).map((app) => app.stop()))
  const redis = await servers.redisClient().catch(() => null)
  if (redis) {
    for (const key of await servers.keysMatching(redis, `${env.SESSION_KEY_PREFIX}*`)) await redis.del(key)
    await redis.close()
  }
})

async function signIn(page, url, name) {
  await page.goto(url + '/')
  assert.equal(await page.textContent('h1'), 'Sign in')
  await page.fill('input[name=name]', name)
  await Promise.all([page.waitForURL(url + '/'), page.click('button')])
  assert.equal(await page.textContent('h1'), `Hello, ${name}`)
}

async function signOut(page, url) {
  await page.goto(url + '/')
  await Promise.all([page.waitForURL(url + '/'), page.click('form[action="/logout"] button')])
  assert.equal(await page.textContent('h1'), 'Sign in')
}

const servedBy = (page) => page.textContent('small')

for (const [name, framework] of [['express', 'Express'], ['fastapi', 'FastAPI']]) {
  test(`${framework}: sign in, the counter, sign out, in Chromium`, { skip: absent }, async () => {
    const { url } = apps[name]
    const context = await browser.newContext()
    const page = await context.newPage()
    await signIn(page, url, 'Ada')
    const [cookie] = await context.cookies(url)
    assert.equal(cookie.name, 'sid')
    // Secure is kept on http://127.0.0.1: Chromium counts loopback as a secure context.
    assert.deepEqual([cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path], [true, true, 'Lax', '/'])
    assert.equal(await page.evaluate(() => document.cookie), '', 'HttpOnly: scripts never see it')
    for (const n of [1, 2, 3]) {
      await page.goto(url + '/counter')
      assert.equal(await page.textContent('h1'), `Visits: ${n}`)
    }
    await page.reload()
    assert.equal(await page.textContent('h1'), 'Visits: 4')
    assert.equal(await servedBy(page), `served by ${framework}`)
    await signOut(page, url)
    assert.deepEqual(await context.cookies(url), [])
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) })
    await context.close()
  })
}

test('Node and Python share a login: sign in on Express, greeted by FastAPI, sign out on FastAPI', { skip: absent }, async (t) => {
  if (apps.express.storage !== 'redis' || apps.fastapi.storage !== 'redis') {
    const notice = 'Redis is unreachable, so the two apps cannot share sessions'
    if (process.env.CI === 'true') throw new Error(notice)
    return t.skip(notice)
  }
  const node = apps.express.url
  const python = apps.fastapi.url
  const context = await browser.newContext()
  const page = await context.newPage()
  await signIn(page, node, 'Grace')
  await page.goto(node + '/counter')
  assert.equal(await page.textContent('h1'), 'Visits: 1')

  await page.goto(python + '/')
  assert.equal(await page.textContent('h1'), 'Hello, Grace')
  assert.equal(await servedBy(page), 'served by FastAPI')
  await page.goto(python + '/counter')
  assert.equal(await page.textContent('h1'), 'Visits: 2')
  await page.goto(node + '/counter')
  assert.equal(await page.textContent('h1'), 'Visits: 3')

  await signOut(page, python)
  await page.goto(node + '/')
  assert.equal(await page.textContent('h1'), 'Sign in')
  assert.equal(await servedBy(page), 'served by Express')
  await page.screenshot({ path: path.join(SHOTS, 'cross-language.png') })
  await context.close()
})
