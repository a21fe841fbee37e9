'use strict'
// The install test: the tarballs `make dist-node` writes (the main package and this platform's
// package) are `npm install`ed into a scratch app, which runs the README quickstart as CommonJS
// and as an ES module, and the README's battery example (the conformance battery, its data
// embedded in the native module) over its storage. Without the platform package, loading
// names the platform and the package it looked for.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { tempDir, vectors } = require('./helpers.js')

const ROOT = path.join(__dirname, '..')
const { version } = require('../package.json')
const DIST = path.join(ROOT, '..', 'dist')
const TGZ = process.env.SESSIONKEEPER_TGZ ?? path.join(DIST, `sessionkeeper-${version}.tgz`)
const PLATFORM = 'linux-x64-gnu'
const PLATFORM_TGZ = process.env.SESSIONKEEPER_PLATFORM_TGZ ?? path.join(DIST, `sessionkeeper-${PLATFORM}-${version}.tgz`)
const missing = [TGZ, PLATFORM_TGZ].filter((f) => !fs.existsSync(f))
if (missing.length && process.env.CI === 'true') throw new Error(`${missing} missing: run make dist-node`)
if (missing.length) console.log(`# skipping the install tests: ${missing} missing (make dist-node writes them)`)
const skip = missing.length > 0 || `${process.platform}-${process.arch}` !== 'linux-x64'

function scratchApp() {
  const app = tempDir('sk-install-')
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true }))
  // Offline: the tarballs are the only source; the other platforms' optional packages fail to
  // resolve and npm skips them, as it skips them by os/cpu on a user's machine.
  const npm = (...args) =>
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', ...args], {
      cwd: app, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' },
    })
  return { app, npm }
}

test('npm install of both tarballs runs the quickstart, CommonJS and ESM, and the battery', { skip }, () => {
  const { app, npm } = scratchApp()
  npm(TGZ, PLATFORM_TGZ)
  const installed = path.join(app, 'node_modules', 'sessionkeeper')
  const files = fs.readdirSync(installed).sort()
  assert.ok(!files.some((f) => f.endsWith('.node')), `the main package carries no binary: ${files}`)
  for (const absent of ['test', 'bench', 'node_modules', 'examples', 'node.mk', 'npm']) {
    assert.ok(!files.includes(absent), `${absent} is not packed`)
  }
  const platformDir = path.join(app, 'node_modules', `sessionkeeper-${PLATFORM}`)
  const platformPkg = JSON.parse(fs.readFileSync(path.join(platformDir, 'package.json'), 'utf8'))
  assert.equal(platformPkg.version, version)
  assert.deepEqual([platformPkg.os, platformPkg.cpu, platformPkg.libc], [['linux'], ['x64'], ['glibc']])
  assert.deepEqual(fs.readdirSync(platformDir).filter((f) => f.endsWith('.node')), [`sessionkeeper.${PLATFORM}.node`])
  const mainPkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'))
  assert.equal(mainPkg.optionalDependencies[`sessionkeeper-${PLATFORM}`], version)
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

test('without its platform package the main package says which platform and package it looked for', { skip }, () => {
  const { app, npm } = scratchApp()
  npm(TGZ)
  assert.ok(!fs.existsSync(path.join(app, 'node_modules', `sessionkeeper-${PLATFORM}`)))
  const { status, stderr } = spawnSync(process.execPath, ['-e', "require('sessionkeeper')"], { cwd: app, encoding: 'utf8' })
  assert.notEqual(status, 0)
  assert.match(stderr, new RegExp(`could not load its native module for ${PLATFORM} \\(Node v`))
  assert.match(stderr, new RegExp(`the optional package sessionkeeper-${PLATFORM} is missing`))
  assert.match(stderr, /ERR_SESSIONKEEPER_NATIVE/)
})

test('a platform nobody builds for is named with the ones that exist', () => {
  const { notLoaded, platformName } = require('../lib/binding.js')
  const error = notLoaded(new Error('cause'), platformName('freebsd', 'riscv64'))
  assert.equal(error.platform, 'freebsd-riscv64')
  assert.match(error.message, /^sessionkeeper has no native module for freebsd-riscv64 \(Node v[0-9.]+\): prebuilt packages exist for [a-z0-9-]+(, [a-z0-9-]+){6}\.$/)
  for (const platform of ['linux-x64-gnu', 'linux-arm64-musl', 'darwin-arm64', 'win32-x64-msvc']) assert.ok(error.message.includes(platform), platform)
  assert.equal(error.cause.message, 'cause')
  const musl = { getReport: () => ({ header: {} }) }
  const glibc = { getReport: () => ({ header: { glibcVersionRuntime: '2.17' } }) }
  assert.equal(platformName('linux', 'arm64', musl), 'linux-arm64-musl')
  assert.equal(platformName('linux', 'x64', glibc), 'linux-x64-gnu')
  assert.equal(platformName('win32', 'x64'), 'win32-x64-msvc')
  assert.equal(platformName('darwin', 'arm64'), 'darwin-arm64')
})
