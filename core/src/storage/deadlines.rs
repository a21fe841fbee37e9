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
//! 1. The host numbers its calls 0, 1, 2, … in the order they start. For a call started after
//!    the time the last [`Deadlines::start`] answered, it calls `start(now, number)`; a call
//!    started until then shares that call's deadline, so the host only numbers it: the hot path
//!    crosses into the core about once per rounding step, not once per call. If the host has
//!    no timer, it sets one for [`Deadlines::next_delay`] with the oldest pending call.
//! 2. A call that settles is simply forgotten by the host: no crossing into the core. One the
//!    host no longer holds has timed out, and its late outcome is not the caller's any more.
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
}

impl Deadlines {
    /// The deadlines of calls that each have `timeout_ms` to settle.
    pub fn new(timeout_ms: u64) -> Self {
        let step = (timeout_ms as f64 / 1000.0).max(1.0);
        Deadlines { timeout_ms, step, cohorts: VecDeque::new() }
    }

    /// The timeout of every call, in milliseconds (for the `CALLBACK_TIMEOUT` message).
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    fn due(&self, start: f64) -> f64 {
        ((start + self.timeout_ms as f64) / self.step).ceil() * self.step
    }

    /// Registers call number `seq` (above every number given before), started at `now`.
    /// Returns the latest start time whose deadline is this call's: the host numbers the calls
    /// it starts until then without asking again, and they are due with this one (never early:
    /// the answer is checked against the rounding itself).
    pub fn start(&mut self, now: f64, seq: u64) -> f64 {
        let due = self.due(now);
        let last = match self.cohorts.back() {
            // A clock that stepped back must not reorder the queue: such a call joins the last.
            Some(&(_, last)) if due <= last => last,
            _ => {
                self.cohorts.push_back((seq, due));
                due
            }
        };
        let mut until = last - self.timeout_ms as f64;
        while self.due(until) > last {
            until = until.next_down();
        }
        until
    }

    /// The calls numbered below the answer are past their deadline at `now` (every call when
    /// no deadline is left: `u64::MAX`).
    pub fn expired(&mut self, now: f64) -> u64 {
        while self.cohorts.front().is_some_and(|&(_, due)| due <= now) {
            self.cohorts.pop_front();
        }
        self.cohorts.front().map_or(u64::MAX, |&(first, _)| first)
    }

    /// How long after `now` the timer should fire, given the oldest call still pending: at its
    /// deadline, at least 1 ms and at most [`MAX_TIMER_DELAY_MS`] away. `None` (nothing
    /// pending): no timer. Forgets the deadlines of calls older than `oldest_pending`, and with
    /// nothing pending all but the last (calls the host numbers without asking may join it).
    pub fn next_delay(&mut self, now: f64, oldest_pending: Option<u64>) -> Option<f64> {
        let Some(oldest) = oldest_pending else {
            while self.cohorts.len() > 1 {
                self.cohorts.pop_front();
            }
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

    /// A host as the protocol says: it numbers its calls and asks the core only for a call
    /// started after the time the last answer gave.
    struct Host {
        d: Deadlines,
        next: u64,
        until: f64,
        crossings: u32,
    }

    impl Host {
        fn new(timeout_ms: u64) -> Self {
            Host { d: Deadlines::new(timeout_ms), next: 0, until: f64::NEG_INFINITY, crossings: 0 }
        }

        fn start(&mut self, now: f64) -> u64 {
            let seq = self.next;
            self.next += 1;
            if now > self.until {
                self.until = self.d.start(now, seq);
                self.crossings += 1;
            }
            seq
        }
    }

    #[test]
    fn calls_expire_in_start_order_at_their_deadline() {
        let mut h = Host::new(100);
        let (a, b, c) = (h.start(0.0), h.start(10.0), h.start(20.0));
        assert_eq!((a, b, c, h.crossings), (0, 1, 2, 3), "1 ms steps: each call asks");
        let d = &mut h.d;
        assert_eq!(d.next_delay(0.0, Some(a)), Some(100.0));
        assert_eq!(d.expired(99.9), a, "nothing is due before 100");
        assert_eq!(d.next_delay(99.5, Some(a)), Some(1.0), "at least 1 ms, rounded up");
        assert_eq!(d.expired(100.0), b, "a is due at its deadline");
        // b settled in time (the host forgot it): the timer waits for c.
        assert_eq!(d.next_delay(100.0, Some(c)), Some(20.0));
        assert_eq!(d.expired(1e9), u64::MAX, "every call started so far");
        assert_eq!(d.next_delay(1e9, None), None, "nothing pending: no timer");
        assert!(d.cohorts.is_empty());
    }

    #[test]
    fn each_call_gets_its_full_timeout() {
        let mut h = Host::new(100);
        let early = h.start(0.0);
        let late = h.start(50.0);
        let d = &mut h.d;
        assert_eq!(d.next_delay(0.0, Some(early)), Some(100.0));
        // The early call settled; at the early deadline the late one is not due.
        assert_eq!(d.expired(100.0), late);
        assert_eq!(d.next_delay(100.0, Some(late)), Some(50.0));
        assert_eq!(d.expired(150.0), u64::MAX);
    }

    #[test]
    fn deadlines_round_up_to_a_thousandth_of_the_timeout() {
        let mut h = Host::new(10_000);
        let first = h.start(0.5);
        assert_eq!(h.until, 10.0, "calls until 10 ms share the deadline at 10,010 ms");
        for i in 1..1000 {
            h.start(0.5 + f64::from(i) / 1000.0);
        }
        assert_eq!((h.crossings, h.d.cohorts.len()), (1, 1), "one crossing for 1,000 calls");
        assert_eq!(h.d.expired(10_009.9), first, "never early");
        assert_eq!(h.d.expired(10_010.0), u64::MAX, "at most 10 ms late");
        let mut fine = Deadlines::new(30);
        fine.start(0.2, 0);
        assert_eq!(fine.next_delay(0.2, Some(0)), Some(31.0), "30.2 rounds up to 31 ms");
    }

    #[test]
    fn the_answer_is_never_later_than_the_rounding_allows() {
        for timeout in [1, 30, 10_000, 1 << 40] {
            for now in [0.0, 0.1, 0.3, 1e3 / 3.0, 86_400_000.7, 1e12 + 0.1, 4.5e15] {
                let mut d = Deadlines::new(timeout);
                let until = d.start(now, 7);
                let due = d.cohorts[0].1;
                assert!(until >= now, "the call itself is in its window ({timeout}, {now})");
                assert!(d.due(until) <= due, "a call at {until} is due with one at {now}");
            }
        }
    }

    #[test]
    fn the_queue_and_the_crossings_stay_few_whatever_the_call_rate() {
        let mut h = Host::new(10_000);
        let stuck = h.start(0.0);
        for i in 1..200_000 {
            h.start(f64::from(i) * 0.05);
        }
        assert!(h.crossings <= 1001, "one crossing per 10 ms step: {}", h.crossings);
        let d = &mut h.d;
        assert!(d.cohorts.len() <= 1001, "{}", d.cohorts.len());
        // The stuck call started on a step boundary: its deadline is its own.
        assert_eq!(d.expired(10_000.0), 1, "only the stuck call is due");
        assert_eq!(stuck, 0);
        assert_eq!(d.next_delay(10_000.0, Some(150_000)), Some(7_500.0));
        assert!(d.cohorts.len() <= 501, "older deadlines are forgotten: {}", d.cohorts.len());
    }

    #[test]
    fn a_call_numbered_without_asking_after_an_idle_moment_keeps_its_deadline() {
        let mut h = Host::new(10_000);
        h.start(0.5);
        // Call 0 settled; the timer fires with nothing pending.
        assert_eq!(h.d.next_delay(3.0, None), None);
        let seq = h.start(5.0);
        assert_eq!(h.crossings, 1, "still within the first call's window");
        assert_eq!(h.d.next_delay(5.0, Some(seq)), Some(10_005.0));
        assert!(h.d.expired(10_009.0) <= seq, "not due early");
        assert!(h.d.expired(10_010.0) > seq, "due with the first call");
    }

    #[test]
    fn long_timeouts_take_several_timers_and_clocks_never_reorder() {
        let mut d = Deadlines::new(1 << 40);
        assert_eq!(d.timeout_ms(), 1 << 40);
        d.start(0.0, 0);
        assert_eq!(d.next_delay(0.0, Some(0)), Some(MAX_TIMER_DELAY_MS));
        assert_eq!(d.expired(MAX_TIMER_DELAY_MS), 0, "not due yet");
        let mut back = Deadlines::new(100);
        back.start(50.0, 0);
        back.start(0.0, 1);
        assert_eq!(back.expired(100.0), 0, "the second call waits with the first");
        assert_eq!(back.expired(150.0), u64::MAX);
    }
}
