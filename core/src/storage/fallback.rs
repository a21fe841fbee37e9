//! `deleteSessions` of a custom storage, sans-IO: which callbacks the host calls, and what
//! their outcomes add up to.
//!
//! With a `deleteSessions` callback the host hands it every id. Without one, `delete` runs per
//! id, [`DELETE_FALLBACK_CONCURRENCY`] at a time, and **every id is tried**, whatever happened
//! to the others: a shop's uninstall cleanup removes as many sessions (and their tokens) as it
//! can, and which ids are left over never depends on how the ids fell into batches. Once every
//! `delete` has settled, [`finish_delete_many`] reads the outcomes in the order of the ids: the
//! result is `true` when every `delete` resolved `true`, `false` when one resolved `false`, and
//! when any failed, one error naming the ids that failed, with the code of the first of them and
//! that failure as its cause. The first in id order, not in time: the same outcomes give the
//! same error in both languages and on every run. The price: a storage that hangs makes each
//! batch wait for the timeout.

use crate::error::{Error, Result};
use crate::storage::callback::{check_ids, ids_subject, Op};

/// How many per-id `delete` callbacks the `deleteSessions` fallback runs at once.
pub const DELETE_FALLBACK_CONCURRENCY: usize = 8;

/// How a `deleteSessions` call proceeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteManyPlan {
    /// Nothing to delete: resolve `true` without calling anything.
    Done,
    /// Hand every id to the `deleteSessions` callback at once; the subject names them in
    /// messages ([`ids_subject`]).
    Callback(String),
    /// No `deleteSessions` callback: call `delete` per id, these batches one after another,
    /// the ids within a batch concurrently, then [`finish_delete_many`].
    PerId(Vec<Vec<String>>),
}

/// Plans a `deleteSessions` call; duplicate ids are deleted once.
pub fn plan_delete_many(ids: &[String], has_callback: bool) -> Result<DeleteManyPlan> {
    check_ids(ids)?;
    if ids.is_empty() {
        return Ok(DeleteManyPlan::Done);
    }
    if has_callback {
        return Ok(DeleteManyPlan::Callback(ids_subject(ids)));
    }
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<String> = ids.iter().filter(|id| seen.insert(id.as_str())).cloned().collect();
    Ok(DeleteManyPlan::PerId(
        unique.chunks(DELETE_FALLBACK_CONCURRENCY).map(<[String]>::to_vec).collect(),
    ))
}

/// Why a `deleteSessions` fallback fails: the error to raise, and which outcome (an index into
/// the outcomes) the host attaches as its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteManyFailure {
    /// The one error the caller gets.
    pub error: Error,
    /// The index of the failure that is its cause; `None` when the host broke the protocol.
    pub cause: Option<usize>,
}

/// The result of the per-id fallback from the outcome of each `delete`, in the order of the
/// planned ids (the batches one after another): each `Ok` is what `delete` resolved to, each
/// `Err` the error the storage raised for that id (`CALLBACK_FAILED`, `CALLBACK_TIMEOUT`,
/// `INVALID_CALLBACK_RESULT`).
pub fn finish_delete_many(
    ids: &[String],
    outcomes: &[Result<bool>],
) -> std::result::Result<bool, DeleteManyFailure> {
    if ids.len() != outcomes.len() {
        let error = Error::InvalidArgument(format!(
            "deleteSessions needs one outcome per id: got {} for {} ids",
            outcomes.len(),
            ids.len()
        ));
        return Err(DeleteManyFailure { error, cause: None });
    }
    let failed: Vec<(usize, &Error)> =
        outcomes.iter().enumerate().filter_map(|(i, o)| o.as_ref().err().map(|e| (i, e))).collect();
    let Some(&(first, cause)) = failed.first() else {
        return Ok(outcomes.iter().all(|o| matches!(o, Ok(true))));
    };
    let failed_ids: Vec<String> = failed.iter().map(|&(i, _)| ids[i].clone()).collect();
    let message = format!(
        "{} ({} of {} ids): {}",
        Op::DeleteMany.failed(&ids_subject(&failed_ids)),
        failed.len(),
        ids.len(),
        cause.message()
    );
    Err(DeleteManyFailure { error: cause.with_message(message), cause: Some(first) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::callback::{callback_failed, callback_timeout};

    fn ids(names: &[&str]) -> Vec<String> {
        names.iter().map(|&n| n.to_owned()).collect()
    }

    #[test]
    fn plans_deduplicate_and_bound_the_per_id_deletes() {
        let many: Vec<String> = (0..20).map(|i| format!("id{}", i % 18)).collect();
        assert_eq!(plan_delete_many(&[], false).unwrap(), DeleteManyPlan::Done);
        assert_eq!(plan_delete_many(&[], true).unwrap(), DeleteManyPlan::Done);
        assert_eq!(
            plan_delete_many(&many, true).unwrap(),
            DeleteManyPlan::Callback("[\"id0\", \"id1\", \"id2\", … 17 more]".into())
        );
        let DeleteManyPlan::PerId(batches) = plan_delete_many(&many, false).unwrap() else {
            panic!("per id")
        };
        assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [8, 8, 2], "18 unique");
        assert_eq!(batches[2], ids(&["id16", "id17"]));
        let bad = ids(&["ok", ""]);
        assert_eq!(plan_delete_many(&bad, true).unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn every_delete_true_is_true_and_any_false_is_false() {
        let two = ids(&["a", "b"]);
        assert_eq!(finish_delete_many(&two, &[Ok(true), Ok(true)]), Ok(true));
        assert_eq!(finish_delete_many(&two, &[Ok(true), Ok(false)]), Ok(false));
        assert_eq!(finish_delete_many(&[], &[]), Ok(true));
    }

    #[test]
    fn failures_make_one_error_naming_the_ids_with_the_first_as_cause() {
        let all = ids(&["a", "slow", "c", "bad"]);
        let outcomes = [
            Ok(false),
            Err(callback_timeout(Op::Delete, "slow", 30)),
            Ok(true),
            Err(callback_failed(Op::Delete, "bad", Some("nope"), "StoreDown")),
        ];
        let failure = finish_delete_many(&all, &outcomes).unwrap_err();
        assert_eq!(failure.cause, Some(1), "the first in id order, though it failed last");
        assert_eq!(failure.error.code(), "CALLBACK_TIMEOUT");
        assert_eq!(
            failure.error.message(),
            "failed to delete sessions [\"slow\", \"bad\"] (2 of 4 ids): failed to delete \
             session \"slow\": the delete callback did not settle within 30 ms"
        );
        let wrong = finish_delete_many(&all, &outcomes[..1]).unwrap_err();
        assert_eq!((wrong.error.code(), wrong.cause), ("INVALID_ARGUMENT", None));
    }
}
