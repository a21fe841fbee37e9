'use strict'
// The install test: the tarball `make dist-node` writes is `npm install`ed into a scratch app,
// which runs the README quickstart as CommonJS and as an ES module, and the README's battery
// example (the conformance battery, its data embedded in the native module) over its storage.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { tempDir, vectors } = require('./helpers.js')

const ROOT = path.join(__dirname, '..')
const { version } = require('../package.json')
const TGZ = process.env.SESSIONKEEPER_TGZ ?? path.join(ROOT, '..', 'dist', `sessionkeeper-${version}.tgz`)
const missing = !fs.existsSync(TGZ)
if (missing && process.env.CI === 'true') throw new Error(`${TGZ} is missing: run make dist-node`)
if (missing) console.log(`# skipping the install test: ${TGZ} is missing (make dist-node writes it)`)

test('npm install of the tarball runs the quickstart, CommonJS and ESM, and the battery', { skip: missing }, () => {
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
  fs.copyFileSync(path.join(ROOT, 'examples', 'battery.js'), path.join(app, 'battery.js'))
  // Run as an app runs it, not as a child of this test runner (which would switch its reporter).
  const { NODE_TEST_CONTEXT, ...env } = process.env
  const battery = execFileSync(process.execPath, ['--test-reporter=tap', 'battery.js'], { cwd: app, encoding: 'utf8', env })
  assert.match(battery, new RegExp(`^# pass ${vectors('battery.json').cases.length}$`, 'm'))
  assert.match(battery, /^# fail 0$/m)
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', "import { cases } from 'sessionkeeper/testing'; console.log(Object.keys(cases)[0])"], { cwd: app, encoding: 'utf8' })
  assert.equal(esm.trim(), 'can-store-and-delete-all-kinds-of-sessions')
})
