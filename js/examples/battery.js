// The conformance battery our own storages pass, run over yours with node:test:
//   node my-storage.test.js   (or `node --test`)
const { MemorySessionStorage } = require('sessionkeeper')
const { batteryOfTests } = require('sessionkeeper/testing')

// Return your storage here; it is called once per case and may return the same one each time.
const storage = new MemorySessionStorage()
batteryOfTests(() => storage)
