'use strict'
// Callback timeouts for one storage: the core keeps the deadlines and says which calls are past
// theirs and when to look again (`storage/deadlines.rs`, ARCHITECTURE.md); this keeps the one
// timer and the pending promises.
//
// Calls are numbered in the order they start and wait here in that order; a call that settles
// is only marked done. The core is told of a call only when it starts after the time the core
// last answered (calls until then share that call's deadline), so the hot path rarely crosses
// into it. When the timer fires, the calls numbered below what the core answers have timed out.
// The timer is ref'd while a call is pending (a pending operation keeps Node alive until it
// settles or times out) and unref'd when none is, so an idle storage never holds the process
// open.

const { performance } = require('node:perf_hooks')
const { native } = require('./core.js')

class Deadlines {
  /**
   * @param {number} ms the timeout of every call
   * @param {(operation: string, subject: string, error: unknown) => Error} failed
   * @param {(operation: string, subject: string, ms: number) => Error} timedOut
   */
  constructor(ms, failed, timedOut) {
    this.ms = ms
    this.failed = failed
    this.timedOut = timedOut
    this.queue = native.deadlines(ms)
    // The pending calls, oldest first from `head`; done ones are dropped from the front.
    this.calls = []
    this.head = 0
    this.pending = 0
    this.timer = null
    this.next = 0
    // Calls started until this time share the deadline of the last call the core was told of.
    this.joinsUntil = -Infinity
  }

  /**
   * Settles like `promise` (with `finish(value, subject)` when given, or its throw), or rejects
   * with a CALLBACK_TIMEOUT error if it has not settled in time; a rejection of `promise`
   * becomes a CALLBACK_FAILED error.
   */
  race(promise, operation, subject, finish) {
    const now = performance.now()
    const seq = this.next++
    if (now > this.joinsUntil) this.joinsUntil = native.deadlinesStart(this.queue, now, seq)
    let call
    const raced = new Promise((resolve, reject) => {
      call = { seq, resolve, reject, operation, subject, done: false }
    })
    // Handlers first: should `then` throw, no call is left pending with nobody to tell.
    promise.then(
      (value) => {
        if (call.done) return
        const { resolve, reject } = call
        this.settle(call)
        if (finish === undefined) return resolve(value)
        let finished
        try {
          finished = finish(value, subject)
        } catch (error) {
          return reject(error)
        }
        resolve(finished)
      },
      (error) => {
        if (call.done) return
        const { reject } = call
        this.settle(call)
        reject(this.failed(operation, subject, error))
      },
    )
    this.calls.push(call)
    if (++this.pending === 1) this.arm(now, seq)
    // Calls settle out of order behind a slow one: keep the list within twice what is pending.
    if (this.calls.length - this.head > 2 * this.pending + 1024) this.compact()
    return raced
  }

  /** Marks `call` done: a later outcome is dropped. */
  settle(call) {
    call.done = true
    call.resolve = call.reject = null
    if (--this.pending === 0) this.timer?.unref()
    const calls = this.calls
    while (this.head < calls.length && calls[this.head].done) calls[this.head++] = undefined
    if (this.head === calls.length) {
      this.calls = []
      this.head = 0
    }
  }

  compact() {
    this.calls = this.calls.slice(this.head).filter((c) => !c.done)
    this.head = 0
  }

  /** Sets the timer for the core's next delay; or refs the one already set. */
  arm(now, oldest) {
    if (this.timer !== null) {
      this.timer.ref()
      return
    }
    const delay = native.deadlinesNextDelay(this.queue, now, oldest)
    if (delay !== null) this.timer = setTimeout(() => this.fire(), delay)
  }

  fire() {
    this.timer = null
    const now = performance.now()
    const expired = native.deadlinesExpired(this.queue, now)
    // settle() drops done calls from the front, so the head is always the oldest pending.
    while (this.head < this.calls.length && this.calls[this.head].seq < expired) {
      const call = this.calls[this.head]
      const { reject } = call
      this.settle(call)
      reject(this.timedOut(call.operation, call.subject, this.ms))
    }
    if (this.pending > 0) this.arm(now, this.calls[this.head].seq)
    else native.deadlinesNextDelay(this.queue, now, null)
  }
}

module.exports = { Deadlines }
