'use strict'
// Callback timeouts for one storage, with one timer instead of one per call.
//
// Every call of a storage has the same timeout, so deadlines arrive in order: pending calls
// sit in an insertion-ordered Set and the single timer only ever looks at the oldest. The
// timer is ref'd while a call is pending (a pending operation keeps Node alive until it
// settles or times out) and unref'd when none is, so an idle storage never holds the
// process open.

const { performance } = require('node:perf_hooks')

// setTimeout fires at once for delays above 2^31 - 1 ms; longer timeouts re-arm.
const MAX_DELAY = 2 ** 31 - 1

class Deadlines {
  constructor(ms) {
    this.ms = ms
    this.pending = new Set()
    this.timer = null
  }

  /**
   * Settles like `promise`, or rejects with `onTimeout()` if it has not settled in time.
   * A rejection of `promise` becomes `onReject(reason)`.
   */
  race(promise, onReject, onTimeout) {
    return new Promise((resolve, reject) => {
      const entry = { deadline: performance.now() + this.ms, expire: () => reject(onTimeout()) }
      this.add(entry)
      promise.then(
        (value) => {
          this.remove(entry)
          resolve(value)
        },
        (reason) => {
          this.remove(entry)
          reject(onReject(reason))
        },
      )
    })
  }

  add(entry) {
    this.pending.add(entry)
    if (this.timer === null) {
      this.timer = setTimeout(() => this.fire(), Math.min(this.ms, MAX_DELAY))
    } else if (this.pending.size === 1) {
      this.timer.ref()
    }
  }

  remove(entry) {
    if (this.pending.delete(entry) && this.pending.size === 0 && this.timer !== null) {
      this.timer.unref()
    }
  }

  fire() {
    this.timer = null
    const now = performance.now()
    for (const entry of this.pending) {
      if (entry.deadline > now) break
      this.pending.delete(entry)
      entry.expire()
    }
    const next = this.pending.values().next()
    if (!next.done) {
      const delay = Math.min(Math.max(1, Math.ceil(next.value.deadline - now)), MAX_DELAY)
      this.timer = setTimeout(() => this.fire(), delay)
    }
  }
}

module.exports = { Deadlines }
