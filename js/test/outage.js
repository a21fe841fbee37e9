'use strict'
// The outage run the outage tests share (issue 12, "Outages"): eight loops store and load
// sessions while `cut()` takes the server away for a while and `restore()` brings it back.
// `check` asserts what every outage must keep:
// - every failed operation is CALLBACK_FAILED with the driver's error as `cause`;
// - none hangs: each settles within timeoutMs plus slack (a hang would be CALLBACK_TIMEOUT, or
//   later, and fail this too);
// - every operation started and ended while the server was away failed;
// - once one operation started after the restore has succeeded, every later one succeeds;
// - no acknowledged write is lost: every store writes an id of its own, so after the run each
//   acknowledged store is loaded back, with its content, whatever the outage did meanwhile;
//   and a load that succeeded right after its loop's acknowledged store read that store.

const assert = require('node:assert/strict')
const { Session, SessionStorageError } = require('../index.js')
const { eventually } = require('./servers.js')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const SHOP = 'outage.myshopify.com'

/**
 * Runs the loops over `storage`, cutting after `upMs` for `downMs` (at least: `cut` and
 * `restore` may take longer); resolves the record of every operation and the figures.
 */
async function outageRun(storage, { cut, restore, upMs = 150, downMs = 400, loops = 8 }) {
  const ops = []
  const acked = new Map() // id -> the `i` of its acknowledged store
  // 'up', 'cutting' (while cut() runs), 'down', 'restoring' (while restore() runs), 'back'
  let state = 'up'
  let running = true
  const loop = async (w) => {
    for (let i = 0; running; i++) {
      // Even: store a new id; odd: load the id the step before stored.
      const store = i % 2 === 0
      const id = `w${w}-${store ? i : i - 1}`
      const op = { id, i, store, startedIn: state, started: Date.now(), ok: false, error: null, ms: 0 }
      try {
        if (store) await storage.storeSession(new Session({ id, shop: SHOP, data: { w, i } }))
        else op.loaded = await storage.loadSession(id)
        op.ok = true
      } catch (e) {
        op.error = e
      }
      op.ms = Date.now() - op.started
      op.endedIn = state
      ops.push(op)
      if (store && op.ok) acked.set(id, i)
      if (!op.ok) await sleep(5)
    }
  }
  const running$ = Array.from({ length: loops }, (_, w) => loop(w))
  let times
  try {
    await sleep(upMs)
    const cutAt = Date.now()
    state = 'cutting'
    await cut()
    state = 'down'
    await sleep(downMs)
    state = 'restoring'
    await restore()
    state = 'back'
    const restoredAt = Date.now()
    // Recovered once one operation started after the restore succeeds; from then on, all must.
    const recovered = await eventually(async () => {
      const first = ops.find((o) => o.startedIn === 'back' && o.ok)
      if (!first) throw new Error('no operation has succeeded since the restore')
      return first.started + first.ms
    })
    await sleep(200)
    times = { cutAt, restoredAt, recovered }
  } finally {
    running = false
    await Promise.all(running$)
  }
  return { ops, acked, times }
}

/** The assertions above; returns figures for the test's log line. */
async function check(storage, run, timeoutMs) {
  const { ops, acked, times } = run
  const failures = ops.filter((o) => !o.ok)
  assert.ok(ops.filter((o) => o.endedIn === 'up').every((o) => o.ok), 'no failure before the cut')
  assert.ok(failures.length > 0, 'the outage was seen')
  for (const { error } of failures) {
    assert.ok(error instanceof SessionStorageError, `${error}`)
    assert.equal(error.code, 'CALLBACK_FAILED', error.message)
    assert.ok(error.cause instanceof Error, 'the driver error is the cause')
  }
  const down = ops.filter((o) => o.startedIn === 'down' && o.endedIn === 'down')
  assert.ok(down.length > 0 && down.every((o) => !o.ok), 'every operation inside the outage failed')
  const maxMs = Math.max(...ops.map((o) => o.ms))
  assert.ok(maxMs < timeoutMs + 500, `an operation hung: ${maxMs} ms`)
  const afterRecovery = ops.filter((o) => o.started > times.recovered)
  assert.ok(afterRecovery.length > 0, 'operations ran after the recovery')
  assert.deepEqual(afterRecovery.filter((o) => !o.ok).map((o) => o.error.message), [], 'all succeed after the recovery')
  assert.ok(acked.size > 0)
  for (const o of ops.filter((o) => !o.store && o.ok && acked.has(o.id))) {
    assert.equal(o.loaded?.data.i, o.i - 1, `a load after the acknowledged store of ${o.id} read ${o.loaded?.data.i}`)
  }
  const ids = [...acked.keys()]
  for (let at = 0; at < ids.length; at += 64) {
    const batch = ids.slice(at, at + 64)
    const loaded = await Promise.all(batch.map((id) => storage.loadSession(id)))
    batch.forEach((id, k) => {
      assert.ok(loaded[k] !== undefined, `the acknowledged store of ${id} is lost`)
      assert.equal(loaded[k].data.i, acked.get(id), id)
    })
  }
  return {
    ops: ops.length,
    failed: failures.length,
    outageMs: times.recovered - times.cutAt,
    maxSettleMs: maxMs,
    acknowledged: acked.size,
  }
}

/** Collects the process's warnings while `during` runs (a listener leak shows up as one). */
async function warningsDuring(during) {
  const warnings = []
  const listener = (w) => warnings.push(w)
  process.on('warning', listener)
  try {
    await during()
    await sleep(10) // warnings are emitted on a later tick
  } finally {
    process.off('warning', listener)
  }
  return warnings
}

module.exports = { outageRun, check, warningsDuring, sleep, SHOP }
