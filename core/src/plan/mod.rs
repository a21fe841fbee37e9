//! Plans: every operation of the Redis and PostgreSQL storages as a small state machine the
//! core builds and interprets, so both hosts' adapters only send what a step says and hand back
//! what the server answered (ARCHITECTURE.md, "Storages").
//!
//! # Redis
//!
//! A [`RedisStep`] is one round trip: phases of [`Command`]s. The adapter sends every command of
//! a phase after every command of the phases before it (on one connection: all of them in one
//! pipeline, since one connection keeps the order; on a cluster: one phase after another, the
//! commands of a phase at once), then hands [`RedisStep::next`] every reply, in order. `next`
//! answers with the next step or the operation's [`Outcome`]. A step with
//! [`RedisStep::yields`] set is the last, and that reply is the result as it came (a load's
//! value, which the storage validates): the adapter may take it without calling `next`.
//! Steps never change once built, so one may be sent again (an adapter can keep the first
//! step of a store and reuse it for the same text). Every command touches one key, so the
//! plans run unchanged on Redis Cluster. The re-checks of a store and a delete are
//! documented in [`crate::layout_removal`].
//!
//! # PostgreSQL
//!
//! A [`Query`] is one statement with its parameters and what the adapter hands back
//! ([`Returns`]).
//!
//! # What a find returns
//!
//! The sessions of the shop, by id in byte order (whatever the index's or the database's own
//! order), each exactly what `loadSession` of its id returns. A stored value that is not a
//! session, or not the session of its id, is skipped, never failing the whole find: the
//! uninstall cleanup of a shop (find, then delete every id) must not be blocked by one broken
//! record, and the file storage skips broken entries the same way. Loading that id still
//! reports the problem (`INVALID_SESSION` naming the field); [`Found::unreadable`] counts them.

mod postgres;
mod redacted;
pub(crate) mod redis;

pub use postgres::{Param, Query, Returns};
pub use redis::{RedisNext, RedisStep};

use crate::error::Origin;
use crate::session::Session;

/// One Redis command: its name, then its arguments (keys, values, set members) as bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// The command, upper case: `GET`, `SET`, `DEL`, `SADD`, `SREM`, `SMEMBERS`.
    pub name: &'static str,
    /// Its arguments, as sent. A set member read from the server goes back byte for byte, so
    /// one that is not UTF-8 can still be removed.
    pub args: Vec<Vec<u8>>,
}

impl Command {
    pub(crate) fn new<A: AsRef<[u8]>>(
        name: &'static str,
        args: impl IntoIterator<Item = A>,
    ) -> Self {
        Command { name, args: args.into_iter().map(|a| a.as_ref().to_vec()).collect() }
    }
}

/// What the server answered one command, as the host's driver handed it over.
#[derive(Clone, PartialEq, Eq)]
pub enum Reply {
    /// No value (`GET` of a missing key).
    Nil,
    /// An integer (`SADD`, `SREM`, `DEL`); a driver's `true` for `OK` reads as 1.
    Int(i64),
    /// A string: a stored value, a set member, `OK`.
    Bulk(Vec<u8>),
    /// An array (`SMEMBERS`).
    Array(Vec<Reply>),
}

/// What a finished operation resolves to.
#[derive(Clone, PartialEq)]
pub enum Outcome {
    /// `storeSession` and the deletes: `true`.
    Bool(bool),
    /// `loadSession`: the stored value as it came (`None`: nothing stored), for the storage to
    /// validate and turn into a session.
    Value(Option<Vec<u8>>),
    /// `findSessionsByShop`.
    Found(Found),
    /// A sweep: how many sessions it deleted.
    Count(u64),
}

/// The result of a find (see the module docs).
#[derive(Clone, Default, PartialEq)]
pub struct Found {
    /// The shop's sessions by id in byte order, each with the text it was read from.
    pub sessions: Vec<(Session, String)>,
    /// Shop-index entries removed because they named no session of the shop (Redis).
    pub dropped: usize,
    /// Stored values skipped because they are not the session of their id.
    pub unreadable: usize,
}

impl Found {
    /// Judges one value read for the shop and keeps it when it is a session of the shop (and
    /// of `id`, when the id is known). `Err(())`: a readable session of another shop.
    fn read(&mut self, shop: &str, id: Option<&str>, value: Vec<u8>) -> Result<(), ()> {
        let Ok(text) = String::from_utf8(value) else {
            self.unreadable += 1;
            return Ok(());
        };
        match Session::from_json(&text, Origin::Stored) {
            Ok(s) if id.is_none_or(|id| id == s.id) => {
                if s.shop != shop {
                    return Err(());
                }
                self.sessions.push((s, text));
            }
            _ => self.unreadable += 1,
        }
        Ok(())
    }

    /// In the order of the module docs.
    fn sorted(mut self) -> Self {
        self.sessions.sort_by(|(a, _), (b, _)| a.id.cmp(&b.id));
        self
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
