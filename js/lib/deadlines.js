'use strict'
// Callback timeouts for one storage, with one timer instead of one per call.
//
// Every call of a storage has the same timeout, so deadlines arrive in order: pending calls
// wait in a FIFO queue and the single timer only ever looks at the oldest. A call that
// settles is only marked done (no search, no hashing); the timer drops done entries as it
// meets them. The timer is ref'd while a call is pending (a pending operation keeps Node
// alive until it settles or times out) and unref'd when none is, so an idle storage never
// holds the process open.

const { performance } = require('node:perf_hooks')

// setTimeout fires at once for delays above 2^31 - 1 ms; longer timeouts re-arm.
const MAX_DELAY = 2 ** 31 - 1

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
    this.queue = []
    this.head = 0
    this.pending = 0
    this.timer = null
  }

  /**
   * Settles like `promise`, or rejects with a CALLBACK_TIMEOUT error if it has not settled in
   * time; a rejection of `promise` becomes a CALLBACK_FAILED error.
   */
  race(promise, operation, subject) {
    let entry
    const raced = new Promise((resolve, reject) => {
      entry = { deadline: performance.now() + this.ms, resolve, reject, operation, subject, done: false }
    })
    this.queue.push(entry)
    if (++this.pending === 1) this.arm()
    // Calls settle out of order behind a slow one; keep the queue within twice what is pending.
    if (this.queue.length - this.head > 2 * this.pending + 1024) this.compact()
    promise.then(
      (value) => {
        if (entry.done) return
        const { resolve } = entry
        this.settle(entry)
        resolve(value)
      },
      (error) => {
        if (entry.done) return
        const { reject } = entry
        this.settle(entry)
        reject(this.failed(entry.operation, entry.subject, error))
      },
    )
    return raced
  }

  settle(entry) {
    entry.done = true
    entry.resolve = entry.reject = null
    if (--this.pending === 0 && this.timer !== null) this.timer.unref()
    const queue = this.queue
    while (this.head < queue.length && queue[this.head].done) queue[this.head++] = undefined
    if (this.head === queue.length) {
      this.queue = []
      this.head = 0
    }
  }

  compact() {
    this.queue = this.queue.slice(this.head).filter((e) => !e.done)
    this.head = 0
  }

  arm() {
    if (this.timer === null) {
      this.timer = setTimeout(() => this.fire(), Math.min(this.ms, MAX_DELAY))
    } else {
      this.timer.ref()
    }
  }

  fire() {
    this.timer = null
    const now = performance.now()
    // settle() advances the head past done entries, so the head is always the oldest pending.
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]
      if (entry.deadline > now) break
      const { reject } = entry
      this.settle(entry)
      reject(this.timedOut(entry.operation, entry.subject, this.ms))
    }
    if (this.pending > 0) {
      const next = this.queue[this.head]
      const delay = Math.min(Math.max(1, Math.ceil(next.deadline - now)), MAX_DELAY)
      this.timer = setTimeout(() => this.fire(), delay)
    }
  }
}

module.exports = { Deadlines }
