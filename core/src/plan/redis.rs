//! The Redis plans of a store, a load and a find (a delete's are in [`crate::layout_removal`],
//! with the re-check protocol all of them follow).

use std::sync::Arc;

use super::{Command, Found, Outcome, Reply};
use crate::error::{Error, Origin, Result};
use crate::layout::RedisLayout;
use crate::layout_removal::Deleting;
use crate::session::Session;

/// One round trip of a Redis operation (see the module docs of [`crate::plan`]).
#[derive(Debug, Clone)]
pub struct RedisStep {
    phases: Vec<Vec<Command>>,
    then: Then,
}

/// What comes after a step: another step to send, or the operation's result.
#[derive(Debug, Clone)]
pub enum RedisNext {
    /// Send this step, then hand its replies to its `next`.
    Send(RedisStep),
    /// The operation is over.
    Done(Outcome),
}

/// A store's trailing `SADD`: its reply is 1 only when an `SREM` landed since the first one.
const STORED_READDED: usize = 2;

/// What a step's replies mean: the state of the operation between round trips.
#[derive(Debug, Clone)]
pub(crate) enum Then {
    /// Reply 0 is the result (a load).
    Value,
    /// The operation is over once the step is sent: `true`.
    True,
    /// A store's `SADD`, `SET`, `SADD`.
    Stored(Arc<Written>),
    /// A store's re-check `GET`.
    StoreChecked(Arc<Written>),
    /// A store's `SREM`, then `GET`.
    StoreRemoved(Arc<Written>),
    /// A delete (see [`crate::layout_removal`]).
    Delete(Deleting),
    /// A find's `SMEMBERS`.
    Members(Box<Finding>),
    /// A find's `GET` of every member's key.
    Read(Box<Finding>),
    /// A find's `SREM` of the stale members, then `GET` of their keys.
    Rechecked(Box<Finding>),
    /// A find's `SADD` of the members found again: the result.
    Revived(Box<Found>),
    /// A compare-and-store's `EVAL` (see [`super::versioned`]): the id and expected version.
    Versioned(String, u64),
}

/// What a store wrote, for its re-checks.
#[derive(Debug)]
pub(crate) struct Written {
    key: String,
    index_key: String,
    member: String,
    shop: String,
}

/// A find between round trips.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    layout: RedisLayout,
    shop: String,
    index_key: String,
    /// The members the step reads, in byte order, each with its key (`None`: not a session
    /// id, so stale): every member of the index, then the stale ones once removed.
    members: Vec<(Vec<u8>, Option<String>)>,
    found: Found,
}

impl Finding {
    /// The same find, on to its next step.
    fn then(&self, members: Vec<(Vec<u8>, Option<String>)>, found: Found) -> Box<Finding> {
        let (layout, shop, index_key) =
            (self.layout.clone(), self.shop.clone(), self.index_key.clone());
        Box::new(Finding { layout, shop, index_key, members, found })
    }
}

pub(crate) fn done(outcome: Outcome) -> Result<RedisNext> {
    Ok(RedisNext::Done(outcome))
}

/// `GET` of each key.
pub(crate) fn gets<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<Command> {
    keys.into_iter().map(|k| Command::new("GET", [k])).collect()
}

/// Whether a `GET` reply is a session of `shop`, i.e. listed in that shop's index.
pub(crate) fn holds(reply: Option<&Reply>, shop: &str) -> bool {
    let Some(Reply::Bulk(value)) = reply else { return false };
    std::str::from_utf8(value)
        .ok()
        .and_then(|text| Session::from_json(text, Origin::Stored).ok())
        .is_some_and(|s| s.shop == shop)
}

impl RedisStep {
    pub(crate) fn new(phases: Vec<Vec<Command>>, then: Then) -> Self {
        RedisStep { phases: phases.into_iter().filter(|p| !p.is_empty()).collect(), then }
    }

    /// The commands to send, phase by phase.
    pub fn phases(&self) -> &[Vec<Command>] {
        &self.phases
    }

    /// When this is the last step and one reply is the operation's result as it came: its
    /// index (a load's `GET`).
    pub fn yields(&self) -> Option<usize> {
        matches!(self.then, Then::Value).then_some(0)
    }

    /// When the reply at this index is `0`, the operation is over and its result is `true`
    /// without asking [`RedisStep::next`]: a store's trailing `SADD` that found its member still
    /// there (the common case), so a host can skip a call into the core per store.
    pub fn done_if_zero(&self) -> Option<usize> {
        matches!(self.then, Then::Stored(_)).then_some(STORED_READDED)
    }

    /// The next step, or the result, from every reply of this step in order.
    /// `INVALID_ARGUMENT` when the replies are not one per command.
    pub fn next(&self, replies: Vec<Reply>) -> Result<RedisNext> {
        let sent: usize = self.phases.iter().map(Vec::len).sum();
        if replies.len() != sent {
            return Err(Error::InvalidArgument(format!(
                "a step of {sent} Redis commands needs {sent} replies, got {}",
                replies.len()
            )));
        }
        let mut replies = replies;
        match &self.then {
            Then::Value => done(Outcome::Value(match replies.into_iter().next() {
                Some(Reply::Bulk(value)) => Some(value),
                _ => None,
            })),
            Then::True => done(Outcome::Bool(true)),
            Then::Stored(_) if replies.get(STORED_READDED) == Some(&Reply::Int(0)) => {
                done(Outcome::Bool(true))
            }
            Then::Stored(w) => send(vec![gets([w.key.as_str()])], Then::StoreChecked(w.clone())),
            Then::StoreChecked(w) if holds(replies.first(), &w.shop) => done(Outcome::Bool(true)),
            Then::StoreChecked(w) => send(
                vec![vec![Command::new("SREM", [&w.index_key, &w.member])], gets([w.key.as_str()])],
                Then::StoreRemoved(w.clone()),
            ),
            Then::StoreRemoved(w) if holds(replies.get(1), &w.shop) => {
                send(vec![vec![Command::new("SADD", [&w.index_key, &w.member])]], Then::True)
            }
            Then::StoreRemoved(_) => done(Outcome::Bool(true)),
            Then::Delete(d) => d.next(replies),
            Then::Members(f) => f.members(replies.pop()),
            Then::Read(f) => f.read(replies),
            Then::Rechecked(f) => f.rechecked(replies),
            Then::Revived(found) => done(Outcome::Found((**found).clone())),
            Then::Versioned(_, _) if replies.first() == Some(&Reply::Int(-2)) => {
                done(Outcome::Bool(true))
            }
            Then::Versioned(id, expected) => {
                let found = match replies.first() {
                    Some(Reply::Int(v)) => Some(*v),
                    _ => None,
                };
                Err(super::versioned::conflict(id, found, *expected))
            }
        }
    }
}

/// `SADD` or `SREM` of `members` in the set `key`.
pub(crate) fn set_command(
    name: &'static str,
    key: &str,
    members: impl IntoIterator<Item = Vec<u8>>,
) -> Command {
    Command { name, args: std::iter::once(key.as_bytes().to_vec()).chain(members).collect() }
}

pub(crate) fn send(phases: Vec<Vec<Command>>, then: Then) -> Result<RedisNext> {
    Ok(RedisNext::Send(RedisStep::new(phases, then)))
}

impl RedisLayout {
    /// The plan of a store of the session in `canonical` (its canonical JSON): `SADD` of the
    /// index entry, `SET` of the key (`PXAT` its expiry, see [`crate::layout_expiry`]), `SADD`
    /// again, then the re-checks of [`crate::layout_removal`].
    pub fn store(&self, canonical: &str) -> Result<RedisStep> {
        self.store_session(&Session::from_json(canonical, Origin::Argument)?)
    }

    /// [`RedisLayout::store`] of a session the host already holds in core form.
    pub fn store_session(&self, session: &Session) -> Result<RedisStep> {
        let key = self.session_key(&session.id)?;
        let mut set = vec![key.clone().into_bytes(), session.to_json().into_bytes()];
        if let Some(at) = self.expire_at_ms(session) {
            set.extend([b"PXAT".to_vec(), at.to_string().into_bytes()]);
        }
        if session.shop.is_empty() {
            // No shop, no index entry (a managed session): a find can never ask for it.
            return Ok(RedisStep::new(vec![vec![Command { name: "SET", args: set }]], Then::True));
        }
        let index_key = self.index_key_of(&session.shop);
        let sadd = Command::new("SADD", [&index_key, &session.id]);
        let phases = vec![vec![sadd.clone()], vec![Command { name: "SET", args: set }], vec![sadd]];
        let (member, shop) = (session.id.clone(), session.shop.clone());
        Ok(RedisStep::new(phases, Then::Stored(Arc::new(Written { key, index_key, member, shop }))))
    }

    /// The plan of a load of `id`: `GET` of its key, whose reply is the result.
    pub fn load(&self, id: &str) -> Result<RedisStep> {
        Ok(RedisStep::new(vec![gets([self.session_key(id)?.as_str()])], Then::Value))
    }

    /// The plan of a find of `shop`'s sessions: `SMEMBERS` of its index, `GET` of every
    /// member's key, then `SREM` of the stale members and the re-check of
    /// [`crate::layout_removal`].
    pub fn find_by_shop(&self, shop: &str) -> Result<RedisStep> {
        let index_key = self.shop_key(shop)?;
        let smembers = Command::new("SMEMBERS", [&index_key]);
        let finding = Finding {
            layout: self.clone(),
            shop: shop.to_owned(),
            index_key,
            members: Vec::new(),
            found: Found::default(),
        };
        Ok(RedisStep::new(vec![vec![smembers]], Then::Members(Box::new(finding))))
    }
}

/// The members of an `SMEMBERS` reply.
fn members(reply: Option<Reply>) -> Result<Vec<Vec<u8>>> {
    let Some(Reply::Array(items)) = reply else {
        return Err(Error::InvalidSession("Redis answered SMEMBERS with no array".into()));
    };
    Ok(items
        .into_iter()
        .filter_map(|m| if let Reply::Bulk(b) = m { Some(b) } else { None })
        .collect())
}

impl Finding {
    fn members(&self, reply: Option<Reply>) -> Result<RedisNext> {
        let mut members = members(reply)?;
        members.sort_unstable();
        members.dedup();
        if members.is_empty() {
            return done(Outcome::Found(Found::default()));
        }
        let members: Vec<_> = members
            .into_iter()
            .map(|m| {
                let key = self.layout.member_key(&m);
                (m, key)
            })
            .collect();
        let keys = gets(members.iter().filter_map(|(_, k)| k.as_deref()));
        send(vec![keys], Then::Read(self.then(members, Found::default())))
    }

    /// The members' values: keep the sessions of the shop, `SREM` the stale members, skip
    /// (and keep listed) what is not a session.
    fn read(&self, replies: Vec<Reply>) -> Result<RedisNext> {
        let mut found = Found::default();
        let mut stale = Vec::new();
        let mut replies = replies.into_iter();
        for (member, key) in &self.members {
            let value = key.as_ref().and_then(|_| replies.next());
            let fresh = match value {
                Some(Reply::Bulk(v)) => found.read(&self.shop, std::str::from_utf8(member).ok(), v),
                _ => Err(()),
            };
            if fresh.is_err() {
                stale.push((member.clone(), key.clone()));
            }
        }
        if stale.is_empty() {
            return done(Outcome::Found(found.sorted()));
        }
        found.dropped = stale.len();
        let srem = set_command("SREM", &self.index_key, stale.iter().map(|(m, _)| m.clone()));
        let keys = gets(stale.iter().filter_map(|(_, k)| k.as_deref()));
        send(vec![vec![srem], keys], Then::Rechecked(self.then(stale, found)))
    }

    /// The stale members' values once more, after their `SREM`: a store may have landed its
    /// `SET` in between, so the members that are sessions of the shop after all go back.
    fn rechecked(&self, replies: Vec<Reply>) -> Result<RedisNext> {
        let keyed = self.members.iter().filter(|(_, k)| k.is_some());
        let back: Vec<Vec<u8>> = keyed
            .zip(replies.iter().skip(1))
            .filter(|(_, reply)| holds(Some(reply), &self.shop))
            .map(|((m, _), _)| m.clone())
            .collect();
        let mut found = self.found.clone();
        found.dropped -= back.len();
        let found = found.sorted();
        if back.is_empty() {
            return done(Outcome::Found(found));
        }
        let sadd = set_command("SADD", &self.index_key, back);
        send(vec![vec![sadd]], Then::Revived(Box::new(found)))
    }
}
