//! Callback deadlines of one storage, sans-IO: the bookkeeping behind the one timer each host
//! keeps per storage (and per event loop in Python).
//!
//! A timer per call (`setTimeout`, `asyncio.timeout`) costs more than the rest of a load
//! (ARCHITECTURE.md, "The sans-IO engine"). Every call of a storage has the same timeout, so
//! deadlines arrive in the order calls start, and one timer that only ever looks at the oldest
//! pending call is enough. Calls are numbered in the order they start; the host keeps its
//! pending calls in that order (a JS `Map`, a Python `dict`: both iterate in insertion order).
//!
//! The protocol:
//! 1. [`Deadlines::start`] as a callback's awaitable is about to be awaited; if the host has no
//!    timer, it sets one for [`Deadlines::next_delay`] with this call as the oldest pending.
//! 2. A call that settles is simply forgotten by the host: no crossing into the core on the
//!    hot path. One the host no longer holds has timed out, and its late outcome is not the
//!    caller's any more.
//! 3. When the timer fires: every pending call numbered below [`Deadlines::expired`] has timed
//!    out (the host forgets it and fails it with `CALLBACK_TIMEOUT`); then
//!    [`Deadlines::next_delay`], given the oldest call still pending, says when to fire again.
//!
//! Deadlines are rounded up to a thousandth of the timeout (at least 1 ms), so a call times out
//! at most 0.1 % late and never early, and the calls started within one such step share one
//! entry: the queue holds about two thousand entries at most, whatever the call rate.
//!
//! Time is whatever clock the host's timer runs on (`performance.now()`, `loop.time()`), in
//! milliseconds: this module never reads a clock (a test or fake timers drive it freely).

use std::collections::VecDeque;

/// The longest delay a host timer is set for: Node's `setTimeout` fires at once above
/// 2^31 - 1 ms. A later deadline takes several timers (each firing re-checks).
pub const MAX_TIMER_DELAY_MS: f64 = 2_147_483_647.0;

/// The deadlines of one storage's pending callbacks: calls started within one rounding step
/// form a cohort `(number of its first call, deadline)`, oldest first.
#[derive(Debug)]
pub struct Deadlines {
    timeout_ms: u64,
    step: f64,
    cohorts: VecDeque<(u64, f64)>,
    next_seq: u64,
}

impl Deadlines {
    /// The deadlines of calls that each have `timeout_ms` to settle.
    pub fn new(timeout_ms: u64) -> Self {
        let step = (timeout_ms as f64 / 1000.0).max(1.0);
        Deadlines { timeout_ms, step, cohorts: VecDeque::new(), next_seq: 0 }
    }

    /// The timeout of every call, in milliseconds (for the `CALLBACK_TIMEOUT` message).
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// Registers a call started at `now`; returns its number (0, 1, 2, … in start order).
    pub fn start(&mut self, now: f64) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let due = ((now + self.timeout_ms as f64) / self.step).ceil() * self.step;
        match self.cohorts.back() {
            // A clock that stepped back must not reorder the queue: such a call joins the last.
            Some(&(_, last)) if due <= last => {}
            _ => self.cohorts.push_back((seq, due)),
        }
        seq
    }

    /// The calls numbered below the answer are past their deadline at `now`.
    pub fn expired(&mut self, now: f64) -> u64 {
        while self.cohorts.front().is_some_and(|&(_, due)| due <= now) {
            self.cohorts.pop_front();
        }
        self.cohorts.front().map_or(self.next_seq, |&(first, _)| first)
    }

    /// How long after `now` the timer should fire, given the oldest call still pending: at its
    /// deadline, at least 1 ms and at most [`MAX_TIMER_DELAY_MS`] away. `None` (nothing
    /// pending): no timer. Forgets the deadlines of calls older than `oldest_pending`.
    pub fn next_delay(&mut self, now: f64, oldest_pending: Option<u64>) -> Option<f64> {
        let Some(oldest) = oldest_pending else {
            self.cohorts.clear();
            return None;
        };
        // The cohort holding `oldest` is the last one whose first call is not after it.
        while self.cohorts.get(1).is_some_and(|&(first, _)| first <= oldest) {
            self.cohorts.pop_front();
        }
        let &(_, due) = self.cohorts.front()?;
        Some((due - now).ceil().clamp(1.0, MAX_TIMER_DELAY_MS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_expire_in_start_order_at_their_deadline() {
        let mut d = Deadlines::new(100);
        let a = d.start(0.0);
        let b = d.start(10.0);
        let c = d.start(20.0);
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(d.next_delay(0.0, Some(a)), Some(100.0));
        assert_eq!(d.expired(99.9), a, "nothing is due before 100");
        assert_eq!(d.next_delay(99.5, Some(a)), Some(1.0), "at least 1 ms, rounded up");
        assert_eq!(d.expired(100.0), b, "a is due at its deadline");
        // b settled in time (the host forgot it): the timer waits for c.
        assert_eq!(d.next_delay(100.0, Some(c)), Some(20.0));
        assert_eq!(d.expired(1e9), 3, "every call started so far");
        assert_eq!(d.next_delay(1e9, None), None, "nothing pending: no timer");
        assert!(d.cohorts.is_empty());
    }

    #[test]
    fn each_call_gets_its_full_timeout() {
        let mut d = Deadlines::new(100);
        let early = d.start(0.0);
        let late = d.start(50.0);
        assert_eq!(d.next_delay(0.0, Some(early)), Some(100.0));
        // The early call settled; at the early deadline the late one is not due.
        assert_eq!(d.expired(100.0), late);
        assert_eq!(d.next_delay(100.0, Some(late)), Some(50.0));
        assert_eq!(d.expired(150.0), late + 1);
    }

    #[test]
    fn deadlines_round_up_to_a_thousandth_of_the_timeout() {
        let mut d = Deadlines::new(10_000);
        let first = d.start(0.5);
        for i in 1..1000 {
            d.start(0.5 + f64::from(i) / 1000.0);
        }
        assert_eq!(d.cohorts.len(), 1, "calls within 10 ms share one deadline");
        assert_eq!(d.expired(10_009.9), first, "never early");
        assert_eq!(d.expired(10_010.0), 1000, "at most 10 ms late");
        let mut fine = Deadlines::new(30);
        fine.start(0.2);
        assert_eq!(fine.next_delay(0.2, Some(0)), Some(31.0), "30.2 rounds up to 31 ms");
    }

    #[test]
    fn the_queue_stays_small_whatever_the_call_rate() {
        let mut d = Deadlines::new(10_000);
        let stuck = d.start(0.0);
        for i in 1..200_000 {
            d.start(f64::from(i) * 0.05);
        }
        assert!(d.cohorts.len() <= 1001, "{}", d.cohorts.len());
        assert_eq!(d.expired(10_000.0), 1, "only the stuck call is due");
        assert_eq!(stuck, 0);
        assert_eq!(d.next_delay(10_000.0, Some(150_000)), Some(7_500.0));
        assert!(d.cohorts.len() <= 501, "older deadlines are forgotten: {}", d.cohorts.len());
    }

    #[test]
    fn long_timeouts_take_several_timers_and_clocks_never_reorder() {
        let mut d = Deadlines::new(1 << 40);
        assert_eq!(d.timeout_ms(), 1 << 40);
        let seq = d.start(0.0);
        assert_eq!(d.next_delay(0.0, Some(seq)), Some(MAX_TIMER_DELAY_MS));
        assert_eq!(d.expired(MAX_TIMER_DELAY_MS), seq, "not due yet");
        let mut back = Deadlines::new(100);
        back.start(50.0);
        back.start(0.0);
        assert_eq!(back.expired(100.0), 0, "the second call waits with the first");
        assert_eq!(back.expired(150.0), 2);
    }
}
