'use strict'
// The conformance battery (sessionkeeper/testing) against every storage this package ships,
// and CustomSessionStorage with each load-result shape and with sync callbacks.

const { describe, test } = require('node:test')
const { MemorySessionStorage, FileSessionStorage } = require('../index.js')
const { batteryOfTests } = require('../testing.js')
const { tempDir, mapStorage } = require('./helpers.js')

describe('MemorySessionStorage', () => {
  const storage = new MemorySessionStorage()
  batteryOfTests(async () => storage, { test })
})

describe('FileSessionStorage', () => {
  const storage = new FileSessionStorage(tempDir())
  batteryOfTests(async () => storage, { test })
})

describe('FileSessionStorage, a new instance per case on one directory', () => {
  const dir = tempDir()
  batteryOfTests(async () => new FileSessionStorage(dir), { test })
})

for (const shape of ['text', 'object', 'session', 'propertyArray']) {
  for (const sync of [false, true]) {
    describe(`CustomSessionStorage, load returns ${shape}, ${sync ? 'sync' : 'async'} callbacks`, () => {
      const { storage } = mapStorage({ shape, sync })
      batteryOfTests(async () => storage, { test, appData: shape !== 'propertyArray' })
    })
  }
}

describe('CustomSessionStorage without deleteSessions callback (per-id fallback)', () => {
  const { storage } = mapStorage({ deleteMany: false })
  batteryOfTests(async () => storage, { test })
})

describe('CustomSessionStorage without timeout', () => {
  const { storage } = mapStorage({ timeoutMs: 0 })
  batteryOfTests(async () => storage, { test })
})
