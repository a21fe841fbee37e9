'use strict'
// The conformance battery: what every SessionStorage must do, in the spirit of Shopify's
// `batteryOfTests` (shopify-app-session-storage-test-utils), plus what sessionkeeper adds
// (copies, canonical JSON, clear errors). Point it at your own storage:
//
//   const { batteryOfTests } = require('sessionkeeper/testing')
//   batteryOfTests(async () => myStorage)
//
// The cases are data shared with the Python kit (tests/vectors/battery.json in the repository,
// embedded in the package); `lib/battery.js` runs them. Like Shopify's, the battery never resets
// the storage between cases: it must upsert, and leftovers must not disturb later cases.

const nodeTest = require('node:test')
const { cases, dataCases, sessionArraysEqual } = require('./lib/battery.js')

/**
 * Registers every case as a test (`node:test` by default). `storageFactory` is called once
 * per case and may return the same storage each time. `appData: false` leaves out the cases
 * about `data`, for storages that keep Shopify's fields only (property-array stores).
 */
function batteryOfTests(storageFactory, options = {}) {
  const register = options.test ?? nodeTest.test
  const all = options.appData === false ? cases : { ...cases, ...dataCases }
  for (const [name, run] of Object.entries(all)) {
    register(name, async () => run(await storageFactory()))
  }
}

module.exports = { batteryOfTests, cases, dataCases, sessionArraysEqual }
