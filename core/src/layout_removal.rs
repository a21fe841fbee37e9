//! Deletes in the Redis layout ([`crate::layout::RedisLayout`]): which commands remove a
//! session, once `GET` of its key has told which shop's index lists it; and the re-checks that
//! keep a key and its index entry in agreement when a store and a delete of the same id race.
//!
//! # Why re-check
//!
//! Without MULTI (which Redis Cluster cannot run across the key and the index, whose slots
//! differ) a delete's `DEL` and `SREM`, and a store's `SADD` and `SET`, are separate commands
//! that another client's commands can land between. So each ends with a re-check, read from the
//! key itself:
//!
//! - **delete**: `DEL key`, `SREM index_key member`, then `GET key`; when the key now holds a
//!   session listed in `index_key` ([`RedisLayout::belongs`]: a store landed its `SET` after our
//!   `DEL`), `SADD index_key member` back.
//! - **store**: `SADD`, `SET`, `SADD` (see [`crate::layout::RedisWrite`]). The second `SADD`
//!   answers 1 only when the member was removed since the first (a delete's or a find's `SREM`
//!   landed in between); then, and only then, `GET key`: when the key no longer holds a session
//!   listed in `index_key` (a delete removed it after our `SET`, or another store moved it),
//!   `SREM index_key member`, then `GET key` once more and `SADD` back if a session of that
//!   index is there again. When it answers 0 nothing removed the member after our `SET`, and a
//!   delete's `SREM` still to come is followed by that delete's own re-check, so the common
//!   store costs no command beyond the three.
//! - **find**: `SREM` of stale members, then `GET` of their keys and `SADD` back of the members
//!   that are sessions of the shop after all (as documented on `RedisWrite`).
//!
//! Every `SREM` is thus followed by a `GET` of the key and an `SADD` when the key holds a session
//! of that index; and every `SET` is followed by an `SADD` of its own. So no interleaving of
//! any number of stores, deletes and finds leaves a stored session missing from its shop's index
//! (uninstall cleanup never misses it). One store racing one delete of the same id always ends
//! with key and index in agreement; heavier contention on one id can at worst leave a stale
//! entry (an id whose key is gone), which the next find skips and removes.
//!
//! Kept apart from `layout.rs` so each host adapter asks the core instead of parsing the stored
//! JSON itself to find the shop (and so a session of shop `""`, whose index key
//! `shop_key` refuses to build for an argument, is still removed from its index).

use crate::error::{Origin, Result};
use crate::layout::RedisLayout;
use crate::session::{check_id, Session};

/// The commands of one delete, in order: `DEL key`, then `SREM index_key member` when the
/// stored value named a shop. Key first: a crash in between leaves at worst a stale index
/// entry, which readers skip and remove (the same rule as a store's order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisRemoval {
    /// The session key to `DEL`.
    pub key: String,
    /// The shop index to `SREM` the id from; `None` when the stored value was not a session
    /// (its index entry, if any, is stale once the key is gone, and readers remove it).
    pub index_key: Option<String>,
    /// The set member: the id.
    pub member: String,
}

impl RedisLayout {
    /// The key of an index member, or `None` when the member is not a valid session id (set
    /// there by hand or by another program): such a member is stale, and a find skips it and
    /// `SREM`s it like a member whose key is gone, never failing the whole find.
    pub fn member_key(&self, member: &str) -> Option<String> {
        self.session_key(member).ok()
    }

    /// The re-check of a store or delete (see the module docs): whether `value`, what `GET` of
    /// a session key returned, is a session listed in the index `index_key`. `None`, text that
    /// is not a session, and a session of another shop are not.
    pub fn belongs(&self, index_key: &str, value: Option<&str>) -> bool {
        value
            .and_then(|text| Session::from_json(text, Origin::Stored).ok())
            .is_some_and(|s| self.index_key_of(&s.shop) == index_key)
    }

    /// The index set of `shop`, the empty shop included (its sessions are listed under
    /// `{prefix}shop:`, which [`RedisLayout::shop_key`] refuses to build for an argument).
    fn index_key_of(&self, shop: &str) -> String {
        format!("{}shop:{shop}", self.prefix())
    }

    /// Plans the delete of `id` from what `GET` of its key returned: `None` when nothing is
    /// stored (nothing to send). A value that does not parse as a session is still deleted.
    pub fn remove(&self, id: &str, stored: Option<&str>) -> Result<Option<RedisRemoval>> {
        check_id(id, Origin::Argument)?;
        let Some(text) = stored else { return Ok(None) };
        let index_key = match Session::from_json(text, Origin::Stored) {
            Ok(session) => Some(self.index_key_of(&session.shop)),
            Err(_) => None,
        };
        Ok(Some(RedisRemoval { key: self.session_key(id)?, index_key, member: id.to_owned() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_follows_the_stored_shop() {
        let l = RedisLayout::new(Some("p:")).unwrap();
        let stored = r#"{"id":"a","shop":"x.myshopify.com","state":"","isOnline":false}"#;
        assert_eq!(
            l.remove("a", Some(stored)).unwrap(),
            Some(RedisRemoval {
                key: "p:session:a".into(),
                index_key: Some("p:shop:x.myshopify.com".into()),
                member: "a".into(),
            })
        );
        assert_eq!(l.remove("a", None).unwrap(), None, "nothing stored: nothing to send");
    }

    #[test]
    fn removal_of_an_empty_shop_and_of_corrupt_values() {
        let l = RedisLayout::new(None).unwrap();
        let empty_shop = l.remove("b", Some(r#"{"id":"b"}"#)).unwrap().unwrap();
        assert_eq!(empty_shop.index_key.as_deref(), Some("sessionkeeper:shop:"));
        let corrupt = l.remove("c", Some("{not json")).unwrap().unwrap();
        assert_eq!((corrupt.key.as_str(), corrupt.index_key), ("sessionkeeper:session:c", None));
        assert_eq!(l.remove("", None).unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn recheck_reads_the_shop_from_the_key() {
        let l = RedisLayout::new(Some("p:")).unwrap();
        let stored = r#"{"id":"a","shop":"x.myshopify.com"}"#;
        assert!(l.belongs("p:shop:x.myshopify.com", Some(stored)));
        assert!(!l.belongs("p:shop:y.myshopify.com", Some(stored)), "moved to another shop");
        assert!(!l.belongs("p:shop:x.myshopify.com", None), "deleted meanwhile");
        assert!(!l.belongs("p:shop:x.myshopify.com", Some("{not json")));
        assert!(l.belongs("p:shop:", Some(r#"{"id":"b"}"#)), "the empty shop's index");
    }

    #[test]
    fn members_that_are_not_ids_have_no_key() {
        let l = RedisLayout::new(Some("p:")).unwrap();
        assert_eq!(l.member_key("a").as_deref(), Some("p:session:a"));
        assert_eq!(l.member_key(""), None);
        assert_eq!(l.member_key(&"x".repeat(1025)), None);
    }
}
