//! Deletes in the Redis layout ([`crate::layout::RedisLayout`]), and the re-checks that keep a
//! key and its shop-index entry in agreement when stores, deletes and finds of the same id race.
//! The plans of [`crate::plan`] follow this protocol; the adapters only send their steps.
//!
//! # Why re-check
//!
//! Without MULTI (which Redis Cluster cannot run across the key and the index, whose slots
//! differ) a delete's `DEL` and `SREM`, and a store's `SADD` and `SET`, are separate commands
//! that another client's commands can land between. So each ends with a re-check, read from the
//! key itself (each arrow is one step; within a step the phases keep their order):
//!
//! - **delete** (any number of ids at once): `GET` of every key tells which shop's index lists
//!   each id → `DEL` of every key that held something, then `SREM` of the ids from their
//!   indexes (one command per index), then `GET` of those keys again → when a key now holds a
//!   session of that index (a store landed its `SET` after our `DEL`), `SADD` it back. A value
//!   that is not a session is deleted all the same; the index entry it may have left is stale
//!   once the key is gone, and the next find removes it.
//! - **store**: `SADD`, `SET`, `SADD`. The second `SADD` answers 1 only when the member was
//!   removed since the first (a delete's or a find's `SREM` landed in between); then, and only
//!   then → `GET` of the key: when it no longer holds a session of that index (a delete removed
//!   it after our `SET`, or another store moved it to another shop) → `SREM` of the member, then
//!   `GET` of the key once more → `SADD` back if a session of that index is there again. When
//!   it answers 0 nothing removed the member after our `SET`, and a delete's `SREM` still to
//!   come is followed by that delete's own re-check, so the common store is one round trip.
//!   Index first: a crash between `SADD` and `SET` leaves at worst a stale entry.
//! - **find**: `SMEMBERS` → `GET` of every member's key → `SREM` of the stale members (key gone,
//!   a session of another shop now, or a member that is no session id at all), then `GET` of
//!   their keys again → `SADD` back of the members that are sessions of the shop after all (a
//!   store landed its `SET` between our `GET` and our `SREM`).
//!
//! Every `SREM` is thus followed by a `GET` of the key and an `SADD` when the key holds a session
//! of that index; and every `SET` is followed by an `SADD` of its own. So no interleaving of
//! any number of stores, deletes and finds leaves a stored session missing from its shop's index
//! (uninstall cleanup never misses it). One store racing one delete of the same id always ends
//! with key and index in agreement; heavier contention on one id can at worst leave a stale
//! entry (an id whose key is gone), which the next find skips and removes.

use std::collections::HashMap;

use crate::error::{Origin, Result};
use crate::layout::RedisLayout;
use crate::plan::redis::{done, gets, holds, send, set_command, Then};
use crate::plan::{Command, Outcome, RedisNext, Reply};
use crate::session::{check_id, Session};

/// A delete between round trips.
#[derive(Debug, Clone)]
pub(crate) enum Deleting {
    /// After the `GET` of every key (`keys[i]` is `ids[i]`'s).
    Read { layout: RedisLayout, ids: Vec<String>, keys: Vec<String> },
    /// After `DEL`, `SREM` and the re-check `GET`s, whose replies come after `skip` others.
    Removed { skip: usize, indexed: Vec<Entry> },
}

/// An index entry a delete removed.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    key: String,
    index_key: String,
    member: String,
    shop: String,
}

/// `SADD` or `SREM` of each entry, one command per index (in the order first met).
fn per_index<'a>(name: &'static str, entries: impl IntoIterator<Item = &'a Entry>) -> Vec<Command> {
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<(&str, Vec<Vec<u8>>)> = Vec::new();
    for e in entries {
        let member = e.member.as_bytes().to_vec();
        match at.get(e.index_key.as_str()) {
            Some(&i) => groups[i].1.push(member),
            None => {
                at.insert(&e.index_key, groups.len());
                groups.push((&e.index_key, vec![member]));
            }
        }
    }
    groups.into_iter().map(|(key, members)| set_command(name, key, members)).collect()
}

impl RedisLayout {
    /// The plan of a delete of every id in `ids` (each once), as the module docs describe;
    /// `Done` at once when there is none.
    pub fn delete_many(&self, ids: &[String]) -> Result<RedisNext> {
        ids.iter().try_for_each(|id| check_id(id, Origin::Argument))?;
        let mut seen = std::collections::HashSet::new();
        let ids: Vec<String> = ids.iter().filter(|id| seen.insert(id.as_str())).cloned().collect();
        if ids.is_empty() {
            return done(Outcome::Bool(true));
        }
        let keys = ids.iter().map(|id| self.session_key(id)).collect::<Result<Vec<_>>>()?;
        let read = Deleting::Read { layout: self.clone(), ids, keys };
        send(vec![gets(read.keys())], Then::Delete(read))
    }
}

impl Deleting {
    fn keys(&self) -> impl Iterator<Item = &str> {
        let keys = match self {
            Deleting::Read { keys, .. } => keys.as_slice(),
            Deleting::Removed { .. } => &[],
        };
        keys.iter().map(String::as_str)
    }

    pub(crate) fn next(&self, replies: Vec<Reply>) -> Result<RedisNext> {
        match self {
            Deleting::Read { layout, ids, keys } => {
                let mut dels = Vec::new();
                let mut indexed = Vec::new();
                for ((id, key), reply) in ids.iter().zip(keys).zip(replies) {
                    let Reply::Bulk(value) = reply else { continue }; // nothing stored
                    dels.push(Command::new("DEL", [key]));
                    let stored = std::str::from_utf8(&value).ok();
                    if let Some(s) = stored.and_then(|t| Session::from_json(t, Origin::Stored).ok())
                    {
                        let (key, member) = (key.clone(), id.clone());
                        indexed.push(Entry {
                            key,
                            index_key: layout.index_key_of(&s.shop),
                            member,
                            shop: s.shop,
                        });
                    }
                }
                if dels.is_empty() {
                    return done(Outcome::Bool(true));
                }
                let srems = per_index("SREM", &indexed);
                let regets = gets(indexed.iter().map(|e| e.key.as_str()));
                let skip = dels.len() + srems.len();
                send(vec![dels, srems, regets], Then::Delete(Deleting::Removed { skip, indexed }))
            }
            Deleting::Removed { skip, indexed } => {
                let now = replies.iter().skip(*skip);
                let back: Vec<&Entry> = indexed
                    .iter()
                    .zip(now)
                    .filter(|(e, r)| holds(Some(r), &e.shop))
                    .map(|(e, _)| e)
                    .collect();
                if back.is_empty() {
                    return done(Outcome::Bool(true));
                }
                send(vec![per_index("SADD", back)], Then::True)
            }
        }
    }
}
