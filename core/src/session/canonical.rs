//! Canonical JSON: the bytes `JSON.stringify(session)` gives in Node and `to_json()` in Python.

use super::fields::{Field, FieldValue, Kind, FIELDS};
use super::read::Reader;
use super::Session;
use crate::error::{Origin, Result};
use crate::json;

/// The outcome of checking a session text: either it already is canonical JSON (the common
/// case when our own packages wrote it, so nothing new has to be built) or its canonical form.
#[derive(Debug, Clone, PartialEq)]
pub enum Canonical {
    /// The text given is already canonical JSON for this session.
    Unchanged(Session),
    /// The text described a valid session in another shape; here is its canonical JSON.
    Rewritten(Session, String),
}

impl Canonical {
    /// The session either way.
    pub fn session(&self) -> &Session {
        match self {
            Canonical::Unchanged(s) | Canonical::Rewritten(s, _) => s,
        }
    }

    /// Takes the session out.
    pub fn into_session(self) -> Session {
        match self {
            Canonical::Unchanged(s) | Canonical::Rewritten(s, _) => s,
        }
    }
}

impl Session {
    /// Canonical JSON: keys in the order `id, shop, state, isOnline, scope, expires,
    /// accessToken, refreshToken, refreshTokenExpires, onlineAccessInfo, data`, absent fields
    /// omitted, dates as `2030-01-01T00:00:00.000Z`, numbers as JavaScript writes them.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.to_json_capacity());
        self.write_json(&mut out);
        out
    }

    /// Room for the whole canonical text at once: growing the buffer as it fills cost a tenth
    /// of writing it.
    pub(super) fn to_json_capacity(&self) -> usize {
        let texts = [&self.scope, &self.access_token, &self.refresh_token];
        256 + self.id.len()
            + self.shop.len()
            + self.state.len()
            + texts.iter().map(|t| t.as_ref().map_or(0, String::len)).sum::<usize>()
            + self.online_access_info.as_ref().map_or(0, |_| 384)
            + self.data.as_ref().map_or(0, |d| 32 * d.len())
    }

    /// Appends canonical JSON to `out`: the fields of [`FIELDS`] in their order, absent
    /// optional ones left out.
    pub fn write_json(&self, out: &mut String) {
        for field in &FIELDS {
            self.write_member(field, out);
        }
        out.push('}');
    }

    /// Appends `field` as canonical JSON writes it: `{"id":…` for the id (always the first),
    /// `,"key":value` for another field, nothing when it is absent.
    pub(super) fn write_member(&self, field: &Field, out: &mut String) {
        let value = self.get_field(field);
        if !value.is_present() {
            return;
        }
        out.push_str(if field.kind == Kind::Id { "{\"" } else { ",\"" });
        out.push_str(field.js);
        out.push_str("\":");
        match value {
            FieldValue::Text(s) | FieldValue::OptionalText(Some(s)) => json::write_str(out, s),
            FieldValue::Flag(b) => out.push_str(if b { "true" } else { "false" }),
            FieldValue::Date(Some(d)) => {
                out.push('"');
                d.write_iso(out);
                out.push('"');
            }
            FieldValue::OnlineAccessInfo(Some(info)) => info.write(out),
            FieldValue::Data(Some(data)) => json::write_object(out, data),
            _ => {}
        }
    }

    /// Validates session text of any accepted shape and tells whether it is already canonical,
    /// so a binding can hand the original text on without building anything new.
    pub fn canonicalize(text: &str, origin: Origin) -> Result<Canonical> {
        let session = Session::from_json(text, origin)?;
        let canonical = session.to_json();
        Ok(if canonical == text {
            Canonical::Unchanged(session)
        } else {
            Canonical::Rewritten(session, canonical)
        })
    }

    /// Replaces some top-level fields of this session: `changes` is JSON text of an object of
    /// fields by their JS names, `null` for absent, each read exactly as when parsing a whole
    /// session. The outcome (session or error) is what reading the whole session with those
    /// fields changed gives, but a host that knows which fields an app changed need not write
    /// and hand over all of it (ARCHITECTURE.md, "Storing a changed session"; [`Patchable`]
    /// keeps the text too). The id cannot change: a patch is about one session. On an error the
    /// session is left as it was. Nothing of it is copied: the changed fields are read into a
    /// blank session and then exchanged with their old values.
    ///
    /// [`Patchable`]: super::Patchable
    pub fn patch_in_place(&mut self, changes: &str, origin: Origin) -> Result<()> {
        self.patch_fields(changes, origin).map(|_| ())
    }

    /// [`Session::patch_in_place`], answering which fields of [`FIELDS`] the patch names.
    pub(super) fn patch_fields(&mut self, changes: &str, origin: Origin) -> Result<[bool; 11]> {
        let r = Reader::new(origin);
        let slots = super::changes::read(changes, &r, origin)?;
        let mut fresh = Session::blank();
        // In the table's order, as a whole read goes: with several bad fields, the same one is named.
        for (i, v) in &slots {
            fresh.read_field(&FIELDS[*i], FIELDS[*i].js, Some(v), &r)?;
        }
        let mut changed = [false; FIELDS.len()];
        for &(i, _) in &slots {
            self.swap_field(&mut fresh, &FIELDS[i]);
            changed[i] = true;
        }
        // No `validate` after: each field's reader already refuses what it would (deep numbers
        // JavaScript cannot hold included), and tests/patch.rs holds every outcome to a whole
        // read; the rest of a session that was read, or checked whole, is valid as it was.
        Ok(changed)
    }
}
