//! Deletes in the Redis layout ([`crate::layout::RedisLayout`]): which commands remove a
//! session, once `GET` of its key has told which shop's index lists it.
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
    /// Plans the delete of `id` from what `GET` of its key returned: `None` when nothing is
    /// stored (nothing to send). A value that does not parse as a session is still deleted.
    pub fn remove(&self, id: &str, stored: Option<&str>) -> Result<Option<RedisRemoval>> {
        check_id(id, Origin::Argument)?;
        let Some(text) = stored else { return Ok(None) };
        let index_key = match Session::from_json(text, Origin::Stored) {
            Ok(session) => Some(self.store(&session.to_json())?.index_key),
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
}
