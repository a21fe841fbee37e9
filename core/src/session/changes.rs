//! The changes of a patch ([`Session::patch_in_place`]): JSON text of an object of top-level
//! fields by their JS names, read into one slot per field of [`FIELDS`].
//!
//! A host sends one on every changed store, so the usual shape, an object of a field or two,
//! is read in one pass with no map and no key copied. Any other text is read again as a
//! value, and that read words the error; so both reads refuse the same texts in the same words.
//!
//! [`Session::patch_in_place`]: super::Session::patch_in_place

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, Visitor};
use serde_json::Value;

use super::fields::{Kind, FIELDS};
use super::read::Reader;
use crate::error::{Origin, Result};
use crate::json;

/// The fields a patch names, as (index in [`FIELDS`], new value), in the table's order, once
/// each (of a duplicate key, the last value). Small on purpose: a whole session's worth of
/// slots, moved about, cost more than reading the text.
pub(super) type Slots = Vec<(usize, Value)>;

/// Sets field `i` to `v` in `slots`, kept in the table's order.
fn put(slots: &mut Slots, i: usize, v: Value) {
    match slots.binary_search_by_key(&i, |&(j, _)| j) {
        Ok(at) => slots[at].1 = v,
        Err(at) => slots.insert(at, (i, v)),
    }
}

/// The slot of a field a patch may name: its JS spelling, and not the id.
fn slot_of(key: &str) -> Option<usize> {
    FIELDS.iter().position(|f| f.js == key && f.kind != Kind::Id)
}

/// `changes` read into slots, or the error a whole read of it gives.
pub(super) fn read(changes: &str, r: &Reader, origin: Origin) -> Result<Slots> {
    one_pass(changes).map_or_else(|| by_value(changes, r, origin), Ok)
}

/// The slots of an object of fields a patch may name; `None` for any other text.
fn one_pass(changes: &str) -> Option<Slots> {
    let mut de = serde_json::Deserializer::from_str(changes);
    let slots = de.deserialize_map(SlotsVisitor).ok()?;
    de.end().ok().map(|()| slots)
}

/// `changes` read as a value first: slower, and it words every refusal.
fn by_value(changes: &str, r: &Reader, origin: Origin) -> Result<Slots> {
    let map = match json::parse_text(changes, "session text", origin)? {
        Value::Object(map) => map,
        other => return Err(r.err("changes", "an object", &other)),
    };
    let mut slots = Slots::new();
    for (key, v) in map {
        let Some(i) = slot_of(&key) else {
            return Err(origin.error(format!("{}: cannot patch \"{key}\"", r.what())));
        };
        put(&mut slots, i, v);
    }
    Ok(slots)
}

struct SlotsVisitor;

impl<'de> Visitor<'de> for SlotsVisitor {
    type Value = Slots;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of session fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Slots, A::Error> {
        let mut slots = Slots::new();
        while let Some(slot) = map.next_key_seed(SlotSeed)? {
            // Refused here, the text is read again as a value, which names the key.
            let i = slot.ok_or_else(|| A::Error::custom("a key a patch cannot name"))?;
            put(&mut slots, i, map.next_value()?);
        }
        Ok(slots)
    }
}

/// A key, read as the slot of the field it names (no copy of it is kept).
struct SlotSeed;

impl<'de> DeserializeSeed<'de> for SlotSeed {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for SlotSeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> std::result::Result<Option<usize>, E> {
        Ok(slot_of(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    #[test]
    fn the_one_pass_read_agrees_with_the_read_by_value() {
        let texts = [
            r#"{}"#,
            r#"{"state":"a"}"#,
            r#" { "state" : "a" , "shop" : "s.myshopify.com" } "#,
            r#"{"state":"a","state":"b"}"#,
            r#"{"st\u0061te":"escaped key"}"#,
            r#"{"expires":null,"isOnline":true,"scope":5}"#,
            r#"{"data":{"k":[1,{"x":null}]},"onlineAccessInfo":{"expires_in":1}}"#,
            r#"{"state":"a\ud800"}"#,
            r#"{"state":"a"} x"#,
            r#"{"state":"a",}"#,
            r#"{"state":"a""#,
            r#"{"id":"x"}"#,
            r#"{"is_online":true}"#,
            r#"{"state":"a","nope":1}"#,
            r#"{"nope":"#,
            r#"["state","a"]"#,
            r#""{}""#,
            r#"null"#,
            r#"12"#,
            r#""#,
        ];
        for (i, text) in texts.iter().enumerate() {
            for origin in [Origin::Argument, Origin::Stored] {
                let expected = by_value(text, &Reader::new(origin), origin);
                match one_pass(text) {
                    Some(slots) => {
                        assert_eq!(Ok(slots), expected.map_err(|e| e.to_string()), "{text}")
                    }
                    None => {
                        assert!(expected.is_err(), "{text}: only refused texts are read by value")
                    }
                }
            }
            // The first seven are what hosts send; they take the one pass.
            assert_eq!(one_pass(text).is_some(), i < 7, "{text}");
        }
        let r = Reader::new(Origin::Argument);
        let slots = read(r#"{"state":"a","shop":"s","state":"b"}"#, &r, Origin::Argument).unwrap();
        assert_eq!(
            slots,
            [(1, Value::from("s")), (2, Value::from("b"))],
            "the table's order, the last value"
        );
    }

    /// Texts made of the pieces a patch is made of, valid or not, in any order.
    fn pieces() -> impl proptest::strategy::Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            " ",
            "\"state\"",
            "\"shop\"",
            "\"expires\"",
            "\"data\"",
            "\"id\"",
            "\"is_online\"",
            "\"nope\"",
            "\"st\\u0061te\"",
            "\"x\"",
            "\"a\\ud800\"",
            "1",
            "1e400",
            "-0",
            "null",
            "true",
            "{\"k\":[1]}",
        ]);
        let jumble = proptest::collection::vec(piece, 0..16).prop_map(|p| p.concat());
        // Objects, so that most texts are ones a host could send.
        let key = proptest::sample::select(vec![
            "state",
            "shop",
            "isOnline",
            "expires",
            "accessToken",
            "data",
            "id",
            "is_online",
            "nope",
            "st\\u0061te",
        ]);
        let value = proptest::sample::select(vec![
            "\"x\"",
            "null",
            "true",
            "5",
            "{\"k\":[1,null]}",
            "\"a\\ud800\"",
        ]);
        let object = proptest::collection::vec((key, value, proptest::bool::ANY), 0..5).prop_map(
            |members| {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v, space)| format!("\"{k}\"{}:{v}", if *space { " " } else { "" }))
                    .collect();
                format!("{{{}}}", members.join(","))
            },
        );
        proptest::prop_oneof![jumble, object]
    }

    proptest::proptest! {
        #[test]
        fn the_one_pass_read_takes_only_what_the_read_by_value_takes(text in pieces()) {
            let r = Reader::new(Origin::Argument);
            if let Some(slots) = one_pass(&text) {
                proptest::prop_assert_eq!(Ok(slots), by_value(&text, &r, Origin::Argument).map_err(|e| e.to_string()));
            }
        }
    }
}
