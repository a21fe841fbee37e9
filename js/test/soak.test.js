'use strict'
// The soak workload at 10,000 operations (the 1,000,000 of `make soak` in soak/run.js): every
// outcome right against the model, errors and timeouts included, and nothing left running after.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { soak, TIMEOUT_MS } = require('../soak/workload.js')

const resources = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap')

for (const kind of ['memory', 'custom']) {
  test(`10,000 mixed operations on the ${kind} storage leave no handle or timer behind`, async () => {
    const before = resources()
    const counts = await soak({ kind, ops: 10_000, seed: 12 })
    assert.ok(counts.store > 0 && counts.load > 0 && counts.delete > 0 && counts.find > 0 && counts.invalid > 0)
    if (kind === 'custom') assert.ok(counts.throw > 0 && counts.hang > 0, JSON.stringify(counts))
    // A timed-out callback's timer must be gone by now; give stray ones a chance to show up.
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 4))
    assert.deepEqual(resources(), before)
  })
}
