'use strict'
// The package README, tried as a stranger holding the tarball would: every code block is pasted
// into a file of a scratch app that installed the tarball (and the drivers and Shopify packages
// the blocks import, at the versions this package is tested with), `js` blocks are run with
// node, `ts` blocks are compiled under `tsc --strict` and their output run.

const { test, after } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { tempDir } = require('./helpers.js')
const servers = require('./servers.js')

const ROOT = path.join(__dirname, '..')
const pkg = require('../package.json')
const TGZ = process.env.SESSIONKEEPER_TGZ ?? path.join(ROOT, '..', 'dist', `sessionkeeper-${pkg.version}.tgz`)
// The addon comes in this machine's platform package, as npm would fetch it for a user.
const PLATFORM_TGZ = process.env.SESSIONKEEPER_PLATFORM_TGZ ?? path.join(ROOT, '..', 'dist', `sessionkeeper-linux-x64-gnu-${pkg.version}.tgz`)
const missing = ![TGZ, PLATFORM_TGZ].every((f) => fs.existsSync(f))
if (missing && process.env.CI === 'true') throw new Error(`${TGZ} or ${PLATFORM_TGZ} is missing: run make dist-node`)

/** The fenced blocks of `markdown` in `languages`, in order: `{ lang, code, line }`. */
function codeBlocks(markdown, languages) {
  const blocks = []
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm
  for (let m; (m = fence.exec(markdown)) !== null; ) {
    if (languages.includes(m[1])) {
      blocks.push({ lang: m[1], code: m[2], line: markdown.slice(0, m.index).split('\n').length })
    }
  }
  return blocks
}

const DEPENDENCIES = [
  'redis', 'pg', 'typescript', '@types/node', 'express', '@types/express',
  '@shopify/shopify-api', '@shopify/shopify-app-express',
].map((name) => `${name}@${pkg.devDependencies[name]}`)

test('every js and ts block of README.md runs as pasted into an app that installed the tarball', { skip: missing && `${TGZ} or ${PLATFORM_TGZ} is missing (make dist-node writes them)` }, () => {
  const blocks = codeBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), ['js', 'ts'])
  assert.ok(blocks.length >= 6, `found ${blocks.length} blocks`)
  const app = tempDir('sk-readme-')
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'readme-app', private: true }))
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', TGZ, PLATFORM_TGZ, ...DEPENDENCIES], {
    cwd: app, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' },
  })
  const run = servers.runId()
  const env = {
    ...process.env,
    REDIS_URL: servers.REDIS_URL,
    DATABASE_URL: servers.DATABASE_URL,
    KEY_PREFIX: `sk_readme_${run}:`,
    SESSION_TABLE: `sk_readme_${run}`,
    // What every Shopify app is started with (the Shopify block reads them).
    SHOPIFY_API_KEY: 'readme-api-key',
    SHOPIFY_API_SECRET: 'readme-api-secret',
  }
  // A block using node:test must report as a stranger's terminal shows it, not to this runner.
  delete env.NODE_TEST_CONTEXT
  after(async () => {
    const redis = await servers.redisClient().catch(() => null)
    const pool = servers.pgPool({ connectionTimeoutMillis: 2000 })
    try {
      if (redis) await servers.deleteKeys(redis, `${env.KEY_PREFIX}*`)
      await pool.query(`DROP TABLE IF EXISTS ${env.SESSION_TABLE}`).catch(() => {})
    } finally {
      await redis?.quit()
      await pool.end()
    }
  })
  const files = blocks.map(({ lang, code, line }, i) => {
    const ext = lang === 'ts' ? 'ts' : /^import /m.test(code) ? 'mjs' : 'js'
    const file = `block-${i}-line-${line}.${ext}`
    fs.writeFileSync(path.join(app, file), code)
    return file
  })
  const ts = files.filter((f) => f.endsWith('.ts'))
  if (ts.length > 0) {
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
        esModuleInterop: true, skipLibCheck: true, types: ['node'],
      },
      files: ts,
    }))
    const tsc = spawnSync(process.execPath, [path.join(app, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: app, encoding: 'utf8' })
    assert.equal(tsc.status, 0, `tsc --strict of the README's TypeScript:\n${tsc.stdout}${tsc.stderr}`)
  }
  for (const file of files) {
    const runnable = file.endsWith('.ts') ? file.replace(/\.ts$/, '.js') : file
    const out = spawnSync(process.execPath, [runnable], { cwd: app, encoding: 'utf8', env, timeout: 60_000 })
    assert.equal(out.status, 0, `${file} failed:\n${out.stdout}\n${out.stderr}`)
    // The adapters block prints a driver failure instead of throwing; only CI must have servers.
    if (process.env.CI === 'true' || !out.stdout.includes('CALLBACK_FAILED')) {
      assert.doesNotMatch(out.stdout, /CALLBACK_FAILED|^not ok/m, `${file} printed a failure:\n${out.stdout}`)
    }
  }
  const quickstart = spawnSync(process.execPath, [files[0]], { cwd: app, encoding: 'utf8' }).stdout
  assert.match(quickstart, /^stored: true$/m)
  assert.match(quickstart, /^equal: true$/m)
  assert.match(quickstart, /^rejected: INVALID_SESSION/m)
})
