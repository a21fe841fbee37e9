//! What the PostgreSQL layout ([`crate::layout::PostgresLayout`]) cannot store, refused up
//! front as `INVALID_ARGUMENT` naming the limit instead of a driver error later; and the
//! identifiers its SQL uses.
//!
//! - Table names are quoted in SQL (`"app"."sessions"`): the layout only accepts lower-cased
//!   letters, digits and `_`, so quoting changes nothing for ordinary names and makes reserved
//!   words (`user`, `order`) work.
//! - The shop index is named `{table}_shop_idx` (dots as `_`), and when that exceeds
//!   PostgreSQL's 63-byte identifiers (which it would silently truncate, to the table's own
//!   name for a 63-byte table) a shortened name with a hash of the table.
//! - Text columns cannot hold U+0000; a btree entry holds at most ~2.7 KB, so shops are limited
//!   to [`MAX_SHOP_BYTES`]; `timestamptz` starts at 4714-11-24 BC ([`MIN_TIMESTAMP_MS`]).

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::layout::PostgresLayout;
use crate::session::Session;

/// The longest shop the PostgreSQL layout stores, in UTF-8 bytes: the `shop` column is indexed,
/// and a btree entry must fit a third of an 8 KB page (2704 bytes, less after overhead).
pub const MAX_SHOP_BYTES: usize = 2048;
/// The earliest instant a `timestamptz` holds: 4714-11-24T00:00:00Z BC (Julian day 0), in epoch ms.
pub const MIN_TIMESTAMP_MS: i64 = -210_866_803_200_000;
const MAX_IDENTIFIER_BYTES: usize = 63;

/// `name` (a lower-case identifier, optionally `schema.table`) quoted for SQL.
pub(crate) fn quoted(name: &str) -> String {
    name.split('.').map(|part| format!("\"{part}\"")).collect::<Vec<_>>().join(".")
}

/// The name of the shop index of `table`: see the module docs.
pub(crate) fn index_name(table: &str) -> String {
    let base = table.replace('.', "_");
    let plain = format!("{base}_shop_idx");
    if plain.len() <= MAX_IDENTIFIER_BYTES {
        return plain;
    }
    let digest = Sha256::digest(table.as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    // 63 = prefix + "_" + 16 hex + "_shop_idx" (9): an ASCII prefix of 37 bytes.
    format!("{}_{hash}_shop_idx", &base[..MAX_IDENTIFIER_BYTES - 1 - 16 - 9])
}

impl PostgresLayout {
    /// Checks an id or shop given to load, delete or find: PostgreSQL text cannot hold U+0000,
    /// so such a value is `INVALID_ARGUMENT` here rather than a driver error (no stored session
    /// can have it, since [`PostgresLayout::row`] refuses it too).
    pub fn check_text(&self, field: &str, value: &str) -> Result<()> {
        if value.contains('\0') {
            return Err(Error::InvalidArgument(format!(
                "the PostgreSQL storage cannot keep a session whose {field} contains U+0000 (PostgreSQL text cannot hold it)"
            )));
        }
        Ok(())
    }

    /// Every limit of the layout a session must meet before its row is written.
    pub(crate) fn check_session(&self, s: &Session) -> Result<()> {
        self.check_text("id", &s.id)?;
        self.check_text("shop", &s.shop)?;
        if s.shop.len() > MAX_SHOP_BYTES {
            return Err(Error::InvalidArgument(format!(
                "the PostgreSQL storage keeps shops of at most {MAX_SHOP_BYTES} bytes (the indexed column's limit), got {} bytes",
                s.shop.len()
            )));
        }
        let dates = [("expires", s.expires), ("refreshTokenExpires", s.refresh_token_expires)];
        for (field, date) in dates {
            if date.is_some_and(|t| t.epoch_ms() < MIN_TIMESTAMP_MS) {
                return Err(Error::InvalidArgument(format!(
                    "the PostgreSQL storage keeps dates from 4714-11-24 BC (timestamptz's range); \"{}\" is earlier",
                    crate::words::name(field)
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Origin;

    #[test]
    fn reserved_words_are_quoted() {
        for name in ["user", "select", "order", "app.user"] {
            let l = PostgresLayout::new(Some(name)).unwrap();
            let q = quoted(name);
            assert!(l.schema()[1].contains(&format!("CREATE TABLE IF NOT EXISTS {q} (")), "{name}");
            for sql in
                [l.upsert_sql(), l.load_sql(), l.delete_sql(), l.delete_many_sql(), l.find_sql()]
            {
                assert!(sql.contains(&q), "{sql}");
            }
        }
        assert_eq!(quoted("app.user"), "\"app\".\"user\"");
    }

    #[test]
    fn index_names_fit_and_differ() {
        let long = "t".repeat(63);
        let longer = format!("{}u", "t".repeat(62));
        let a = index_name(&long);
        assert!(a.len() <= 63 && a != long && a.ends_with("_shop_idx"), "{a}");
        assert_ne!(a, index_name(&longer));
        assert_eq!(index_name("s.t"), "s_t_shop_idx", "short names unchanged (existing indexes)");
        assert_eq!(index_name(&format!("{}.{}", "s".repeat(63), "t".repeat(63))).len(), 63);
    }

    #[test]
    fn limits_are_refused_naming_them() {
        let l = PostgresLayout::new(None).unwrap();
        let at_limit = format!(r#"{{"id":"a","shop":"{}"}}"#, "s".repeat(MAX_SHOP_BYTES));
        assert!(l.row(&at_limit).is_ok(), "a shop of exactly the limit fits");
        let shop = format!(r#"{{"id":"a","shop":"{}"}}"#, "s".repeat(MAX_SHOP_BYTES + 1));
        let err = l.row(&shop).unwrap_err();
        assert!(err.code() == "INVALID_ARGUMENT" && err.message().contains("2048 bytes"), "{err}");
        let ancient = r#"{"id":"a","expires":"-005000-01-01T00:00:00.000Z"}"#;
        assert!(Session::from_json(ancient, Origin::Argument).is_ok(), "a valid session elsewhere");
        let err = l.row(ancient).unwrap_err();
        assert!(
            err.code() == "INVALID_ARGUMENT" && err.message().contains("4714-11-24 BC"),
            "{err}"
        );
        let edge = r#"{"id":"a","expires":"-004713-11-24T00:00:00.000Z"}"#;
        assert_eq!(l.row(edge).unwrap().expires_ms, Some(MIN_TIMESTAMP_MS));
        assert_eq!(l.check_text("id", "a\0b").unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
