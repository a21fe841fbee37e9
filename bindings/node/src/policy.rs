//! The custom storage's policy as `js/lib/custom.js` and `js/lib/deadlines.js` drive it: the
//! `timeoutMs` option, the deadlines of pending callbacks, and the `deleteSessions` fallback.
//! The core decides each (`storage::deadlines`, `storage::fallback`); this converts.

use napi::bindgen_prelude::{Either, External};
use napi_derive::napi;
use sessionkeeper_core::storage::callback as engine;
use sessionkeeper_core::storage::deadlines::Deadlines;
use sessionkeeper_core::storage::fallback::{self, DeleteManyPlan};
use sessionkeeper_core::Error as CoreError;

use crate::error::{Code, ErrorInfo, OrThrow, Result};

/// The callback timeout in milliseconds from the `timeoutMs` option (`undefined`: the default,
/// 10000); `null` when the option disables it (`0`).
#[napi(catch_unwind)]
pub fn timeout_ms(value: Option<f64>) -> Result<Option<f64>> {
    Ok(engine::timeout_ms(value).or_throw()?.map(|ms| ms as f64))
}

/// Plans `deleteSessions(ids)`: a string means "call the deleteSessions callback with every id"
/// (the string names them in messages); otherwise batches of ids to hand to `delete` one batch
/// after another (the ids of a batch concurrently), then `finishDeleteMany`. No batches:
/// nothing to do.
#[napi(catch_unwind)]
pub fn plan_delete_many(
    ids: Vec<String>,
    has_callback: bool,
) -> Result<Either<String, Vec<Vec<String>>>> {
    Ok(match fallback::plan_delete_many(&ids, has_callback).or_throw()? {
        DeleteManyPlan::Done => Either::B(Vec::new()),
        DeleteManyPlan::Callback(subject) => Either::A(subject),
        DeleteManyPlan::PerId(batches) => Either::B(batches),
    })
}

/// Why the per-id `deleteSessions` fallback failed.
#[napi(object)]
pub struct DeleteManyFailure {
    /// The stable code of the error to throw.
    pub code: String,
    /// Its message.
    pub message: String,
    /// Which outcome is its cause (an index into the outcomes).
    pub cause: Option<u32>,
}

/// The result of the per-id fallback: `outcomes[i]` is what `deleteSession(ids[i])` resolved
/// to, or the error it rejected with, the batches' ids in plan order. A boolean, or the error to
/// throw with `outcomes[cause]` as its cause.
#[napi(catch_unwind)]
pub fn finish_delete_many(
    ids: Vec<String>,
    outcomes: Vec<Either<bool, ErrorInfo>>,
) -> Result<Either<bool, DeleteManyFailure>> {
    let outcomes = outcomes
        .into_iter()
        .map(|o| match o {
            Either::A(deleted) => Ok(Ok(deleted)),
            Either::B(e) => CoreError::from_code(&e.code, e.message).map(Err).ok_or_else(|| {
                let message = format!("unknown error code {:?}", e.code);
                napi::Error::new(Code("INVALID_ARGUMENT"), message)
            }),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(match fallback::finish_delete_many(&ids, &outcomes) {
        Ok(deleted) => Either::A(deleted),
        Err(f) => Either::B(DeleteManyFailure {
            code: f.error.code().to_owned(),
            message: f.error.message().to_owned(),
            cause: f.cause.map(|i| i as u32),
        }),
    })
}

/// The deadlines of one storage's pending callbacks (`js/lib/deadlines.js` drives them with one
/// timer; times are `performance.now()` milliseconds). Plain functions over an external, not a
/// class: a class method costs twice as much.
#[napi(catch_unwind)]
pub fn deadlines(timeout_ms: f64) -> External<Deadlines> {
    External::new(Deadlines::new(timeout_ms as u64))
}

/// Registers callback number `seq`, started at `now`; returns the latest start time whose
/// deadline is this one's (calls started until then are numbered without asking).
#[napi(catch_unwind)]
pub fn deadlines_start(queue: &mut External<Deadlines>, now: f64, seq: f64) -> f64 {
    queue.start(now, seq as u64)
}

/// The pending calls numbered below the answer are past their deadline at `now` (every call
/// when it is `Infinity`).
#[napi(catch_unwind)]
pub fn deadlines_expired(queue: &mut External<Deadlines>, now: f64) -> f64 {
    match queue.expired(now) {
        u64::MAX => f64::INFINITY,
        seq => seq as f64,
    }
}

/// Milliseconds from `now` until the timer should fire, given the oldest call still pending;
/// `null` when nothing is pending.
#[napi(catch_unwind)]
pub fn deadlines_next_delay(
    queue: &mut External<Deadlines>,
    now: f64,
    oldest_pending: Option<f64>,
) -> Option<f64> {
    queue.next_delay(now, oldest_pending.map(|seq| seq as u64))
}
