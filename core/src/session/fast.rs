//! A typed fast path for reading session JSON text, the hot path of every load.
//!
//! Going through `serde_json::Value` costs ~3 µs per session; borrowing straight from the text
//! costs a third of that. The fast path accepts a strict subset of what the general reader
//! accepts and builds the identical session; anything it does not take (epoch-ms dates, a wrong
//! kind, a property array, duplicate keys, a key it does not know) falls back to the general
//! reader, whose messages name the field — serde's own messages would quote values, which may be
//! tokens. Unknown keys must fall back too: serde skips their values without the general
//! reader's checks (it skipped `1e400`, which the general reader refuses; found by fuzzing).

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::{Map, Number};

use super::read::{check_id, Reader};
use super::{AssociatedUser, OnlineAccessInfo, Session};
use crate::error::Origin;
use crate::json;
use crate::time::Timestamp;

/// A struct read from a JSON object only: serde's derive also reads a struct from an array of
/// its fields in order, which the general reader refuses (fuzzing found `[",t"]` read as a
/// session with id `,t`).
struct Obj<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Only<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Only<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(Only(PhantomData)).map(Obj)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Fast<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default)]
    shop: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    state: Option<Cow<'a, str>>,
    #[serde(default)]
    is_online: Option<bool>,
    #[serde(borrow, default)]
    scope: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    expires: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    access_token: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    refresh_token: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    refresh_token_expires: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    online_access_info: Option<Obj<FastInfo<'a>>>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    // The Python spellings (`FIELDS`): any of them sends the text to the general reader, which
    // merges them with the camelCase keys (serde would silently ignore them). A test checks
    // that the keys of this struct are exactly the spellings of `FIELDS`.
    #[serde(default, rename = "is_online")]
    snake_is_online: Option<IgnoredAny>,
    #[serde(default, rename = "access_token")]
    snake_access_token: Option<IgnoredAny>,
    #[serde(default, rename = "refresh_token")]
    snake_refresh_token: Option<IgnoredAny>,
    #[serde(default, rename = "refresh_token_expires")]
    snake_refresh_token_expires: Option<IgnoredAny>,
    #[serde(default, rename = "online_access_info")]
    snake_online_access_info: Option<IgnoredAny>,
}

impl Fast<'_> {
    fn has_snake_case(&self) -> bool {
        self.snake_is_online.is_some()
            || self.snake_access_token.is_some()
            || self.snake_refresh_token.is_some()
            || self.snake_refresh_token_expires.is_some()
            || self.snake_online_access_info.is_some()
    }
}

/// Known keys only: extras (and their ordering rules) are left to the general reader.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FastInfo<'a> {
    #[serde(default)]
    expires_in: Option<Number>,
    #[serde(borrow, default)]
    associated_user_scope: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    session: Option<Cow<'a, str>>,
    #[serde(default)]
    account_number: Option<Number>,
    #[serde(borrow, default)]
    associated_user: Option<Obj<FastUser<'a>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FastUser<'a> {
    #[serde(default)]
    id: Option<Number>,
    #[serde(borrow, default)]
    first_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    last_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    email: Option<Cow<'a, str>>,
    #[serde(default)]
    email_verified: Option<bool>,
    #[serde(default)]
    account_owner: Option<bool>,
    #[serde(borrow, default)]
    locale: Option<Cow<'a, str>>,
    #[serde(default)]
    collaborator: Option<bool>,
}

fn exact(n: Option<Number>) -> Result<Option<Number>, ()> {
    match n {
        Some(n) if !json::is_js_exact(&n) => Err(()),
        other => Ok(other),
    }
}

impl FastInfo<'_> {
    fn into_info(self) -> Result<OnlineAccessInfo, ()> {
        let owned = |c: Option<Cow<'_, str>>| c.map(Cow::into_owned);
        let associated_user = match self.associated_user {
            Some(Obj(u)) => Some(AssociatedUser {
                id: exact(u.id)?,
                first_name: owned(u.first_name),
                last_name: owned(u.last_name),
                email: owned(u.email),
                email_verified: u.email_verified,
                account_owner: u.account_owner,
                locale: owned(u.locale),
                collaborator: u.collaborator,
                extra: Map::new(),
            }),
            None => None,
        };
        Ok(OnlineAccessInfo {
            expires_in: exact(self.expires_in)?,
            associated_user_scope: owned(self.associated_user_scope),
            session: owned(self.session),
            account_number: exact(self.account_number)?,
            associated_user,
            extra: Map::new(),
        })
    }
}

fn date(text: Option<Cow<'_, str>>) -> Result<Option<Timestamp>, ()> {
    text.map(|t| Timestamp::parse_iso(&t).ok_or(())).transpose()
}

/// The session in `text`, or `None` when the general reader must decide.
pub(crate) fn read(text: &str, origin: Origin) -> Option<Session> {
    let Obj::<Fast<'_>>(f) = serde_json::from_str(text).ok()?;
    if f.has_snake_case() {
        return None;
    }
    check_id(&f.id, origin).ok()?;
    let r = Reader::new(origin);
    let online_access_info = match f.online_access_info {
        Some(Obj(info)) => Some(info.into_info().ok()?),
        None => None,
    };
    let data = match f.data {
        Some(raw) if raw.get() != "null" => {
            let v = serde_json::from_str(raw.get()).ok()?;
            r.data(Some(&v)).ok()?
        }
        _ => None,
    };
    Some(Session {
        id: f.id.into_owned(),
        shop: f.shop.map(Cow::into_owned).unwrap_or_default(),
        state: f.state.map(Cow::into_owned).unwrap_or_default(),
        is_online: f.is_online.unwrap_or(false),
        scope: f.scope.map(Cow::into_owned),
        expires: date(f.expires).ok()?,
        access_token: f.access_token.map(Cow::into_owned),
        refresh_token: f.refresh_token.map(Cow::into_owned),
        refresh_token_expires: date(f.refresh_token_expires).ok()?,
        online_access_info,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::FIELDS;
    use serde::de::{self, Visitor};

    /// A deserializer that only records the keys a struct asks for.
    struct Keys(Vec<&'static str>);

    impl<'de> de::Deserializer<'de> for &mut Keys {
        type Error = de::value::Error;

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields.to_vec();
            Err(de::Error::custom("keys recorded"))
        }

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("only structs"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    #[test]
    fn the_fast_path_knows_exactly_the_spellings_of_the_field_table() {
        let mut keys = Keys(Vec::new());
        assert!(Fast::deserialize(&mut keys).is_err());
        let mut expected: Vec<&str> = FIELDS.iter().map(|f| f.js).collect();
        expected.extend(FIELDS.iter().filter(|f| f.python != f.js).map(|f| f.python));
        keys.0.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys.0, expected);
    }

    #[test]
    fn the_fast_path_builds_what_the_general_reader_builds() {
        let text = r#"{"id":"a","shop":"s","state":"t","isOnline":true,"scope":"x","expires":"2030-01-01T00:00:00.000Z","accessToken":"a","refreshToken":"r","refreshTokenExpires":"2031-01-01T00:00:00.000Z","onlineAccessInfo":{"expires_in":1,"associated_user_scope":"x","session":"s","account_number":2,"associated_user":{"id":1,"first_name":"A","last_name":"L","email":"e","email_verified":true,"account_owner":false,"locale":"en","collaborator":false}},"data":{"k":[1]}}"#;
        let fast = read(text, Origin::Stored).expect("canonical text takes the fast path");
        let value = serde_json::from_str(text).unwrap();
        assert_eq!(fast, Session::from_value(&value, Origin::Stored).unwrap());
        assert_eq!(fast.to_json(), text);
        for field in FIELDS.iter().filter(|f| f.python != f.js) {
            let snake =
                text.replacen(&format!("\"{}\":", field.js), &format!("\"{}\":", field.python), 1);
            assert!(
                read(&snake, Origin::Stored).is_none(),
                "{} goes to the general reader",
                field.python
            );
        }
    }

    #[test]
    fn unknown_keys_are_left_to_the_general_reader() {
        let out_of_range = r#"{"id":"a","x":1E0005555555555555555555555}"#;
        assert!(read(out_of_range, Origin::Stored).is_none());
        let err = Session::from_json(out_of_range, Origin::Stored).unwrap_err();
        assert_eq!(err.code(), "INVALID_SESSION", "{err}");
        assert!(read(r#"{"id":"a","extra":1}"#, Origin::Stored).is_none());
        assert_eq!(Session::from_json(r#"{"id":"a","extra":1}"#, Origin::Stored).unwrap().id, "a");
    }

    #[test]
    fn arrays_are_never_read_as_structs() {
        for text in [
            r#"[",t"]"#,
            r#"{"id":"a","onlineAccessInfo":[1,"x"]}"#,
            r#"{"id":"a","onlineAccessInfo":{"associated_user":[1]}}"#,
        ] {
            assert!(read(text, Origin::Stored).is_none(), "{text}");
            assert_eq!(
                Session::from_json(text, Origin::Stored).unwrap_err().code(),
                "INVALID_SESSION"
            );
        }
    }
}
