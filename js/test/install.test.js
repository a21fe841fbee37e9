'use strict'
// The install test: the tarball `make dist-node` writes is `npm install`ed into a scratch app,
// which runs the README quickstart as CommonJS and as an ES module.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { tempDir } = require('./helpers.js')

const ROOT = path.join(__dirname, '..')
const { version } = require('../package.json')
const TGZ = process.env.SESSIONKEEPER_TGZ ?? path.join(ROOT, '..', 'dist', `sessionkeeper-${version}.tgz`)
const missing = !fs.existsSync(TGZ)
if (missing && process.env.CI === 'true') throw new Error(`${TGZ} is missing: run make dist-node`)
if (missing) console.log(`# skipping the install test: ${TGZ} is missing (make dist-node writes it)`)

test('npm install of the tarball runs the quickstart, CommonJS and ESM', { skip: missing }, () => {
  const app = tempDir('sk-install-')
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true }))
  const npm = (...args) =>
    execFileSync('npm', args, { cwd: app, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } })
  npm('install', '--no-audit', '--no-fund', '--offline', TGZ)
  const installed = path.join(app, 'node_modules', 'sessionkeeper')
  const files = fs.readdirSync(installed).sort()
  assert.ok(files.some((f) => f.endsWith('.node')), `the native module is packed: ${files}`)
  for (const absent of ['test', 'bench', 'node_modules', 'examples', 'node.mk']) {
    assert.ok(!files.includes(absent), `${absent} is not packed`)
  }
  for (const example of ['quickstart.js', 'quickstart.mjs']) {
    fs.copyFileSync(path.join(ROOT, 'examples', example), path.join(app, example))
  }
  const run = (file) => execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' })
  const cjs = run('quickstart.js')
  assert.match(cjs, /^stored: true$/m)
  assert.match(cjs, /^equal: true$/m)
  assert.match(cjs, /^rejected: INVALID_SESSION/m)
  assert.equal(run('quickstart.mjs'), 'stored: true\nloaded shop: esm.myshopify.com\njson: true\nrejected: true\n')
  const testing = execFileSync(process.execPath, ['-e', "console.log(typeof require('sessionkeeper/testing').batteryOfTests)"], { cwd: app, encoding: 'utf8' })
  assert.equal(testing.trim(), 'function')
})
