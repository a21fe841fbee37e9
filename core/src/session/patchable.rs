//! A session held with its canonical JSON, for hosts that store the same session again and
//! again with a few fields changed (Node's `CustomSessionStorage` and memory storage,
//! ARCHITECTURE.md "Storing a changed session").
//!
//! Writing a whole session is most of what such a store costs, and reading a held session's
//! scattered fields to do it misses the cache; here the text is kept with where each field's
//! member ends, and a patch writes only the changed members and copies the rest.

use super::fields::FIELDS;
use super::Session;
use crate::error::{Origin, Result};

/// A valid session, its canonical JSON, and where each field's member ends in that text.
#[derive(Clone)]
pub struct Patchable {
    session: Session,
    text: String,
    /// `ends[i]`: the byte offset where the member of `FIELDS[i]` ends (it starts where the
    /// previous one ends; an absent field's member is empty). The closing brace follows the last.
    ends: [usize; FIELDS.len()],
}

impl Patchable {
    /// `session` held with its canonical JSON, once checked whole ([`Session::validate`]: its
    /// fields are public, so it may have been built field by field).
    pub fn new(session: Session, origin: Origin) -> Result<Self> {
        session.validate(origin)?;
        Ok(Patchable::written(session))
    }

    fn written(session: Session) -> Self {
        let mut text = String::with_capacity(session.to_json_capacity());
        let mut ends = [0; FIELDS.len()];
        for (i, field) in FIELDS.iter().enumerate() {
            session.write_member(field, &mut text);
            ends[i] = text.len();
        }
        text.push('}');
        Patchable { session, text, ends }
    }

    /// The session in canonical JSON `text`, read and checked in full.
    pub fn from_json(text: &str, origin: Origin) -> Result<Self> {
        Ok(Patchable::written(Session::from_json(text, origin)?))
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Its canonical JSON.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// [`Session::patch_in_place`], the text following: the changed members are written, the
    /// others copied. On an error the session and its text are left as they were.
    pub fn patch(&mut self, changes: &str, origin: Origin) -> Result<()> {
        let changed = self.session.patch_fields(changes, origin)?;
        let mut text = String::with_capacity(self.text.len() + 64);
        let mut start = 0;
        for (i, field) in FIELDS.iter().enumerate() {
            if changed[i] {
                self.session.write_member(field, &mut text);
            } else {
                text.push_str(&self.text[start..self.ends[i]]);
            }
            start = self.ends[i];
            self.ends[i] = text.len();
        }
        text.push('}');
        self.text = text;
        Ok(())
    }
}

impl std::fmt::Debug for Patchable {
    // The session's own redaction; the text holds the same secrets in full.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Patchable").field(&self.session).finish()
    }
}
