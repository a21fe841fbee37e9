//! How a session shows in logs: Python's `repr`, Node's `util.inspect` and Rust's `Debug` all
//! print [`Session::shown_as`] (ARCHITECTURE.md, "Redaction"). One rule for the three: tokens
//! show as `<redacted>`, `data` only by its size (`<2 keys>`: apps keep their own secrets
//! there) and `onlineAccessInfo` only by its user id (`<user 1>`: the rest is the user's name
//! and e-mail). Strings are quoted as messages quote them, so an id cannot forge a log line.

use std::fmt::Write as _;

use super::fields::{FieldValue, FIELDS};
use super::Session;
use crate::error::quote;
use crate::words::{self, Language};

/// The syntax a session is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `Session { id: "a", is_online: false }` (`Debug`).
    Rust,
    /// `Session { id: "a", isOnline: false }` (`util.inspect`).
    JavaScript,
    /// `Session(id="a", is_online=False)` (`repr`).
    Python,
}

impl Session {
    /// The session as this process's host shows it (`repr` in Python, `util.inspect` in Node).
    pub fn shown(&self) -> String {
        self.shown_as(match words::language() {
            Language::JavaScript => Style::JavaScript,
            Language::Python => Style::Python,
        })
    }

    /// The session as `style` shows it: present fields in canonical order, secrets redacted.
    pub fn shown_as(&self, style: Style) -> String {
        let (open, assign, close) = match style {
            Style::Python => ("Session(", "=", ")"),
            Style::Rust | Style::JavaScript => ("Session { ", ": ", " }"),
        };
        let mut out = String::from(open);
        for field in &FIELDS {
            let value = self.get_field(field);
            if !value.is_present() {
                continue;
            }
            if out.len() > open.len() {
                out.push_str(", ");
            }
            out.push_str(if style == Style::JavaScript { field.js } else { field.python });
            out.push_str(assign);
            match value {
                _ if field.is_secret() => out.push_str("<redacted>"),
                FieldValue::Text(s) | FieldValue::OptionalText(Some(s)) => out.push_str(&quote(s)),
                FieldValue::Flag(b) if style == Style::Python => {
                    out.push_str(words::kind_in(
                        Language::Python,
                        if b { "true" } else { "false" },
                    ));
                }
                FieldValue::Flag(b) => out.push_str(if b { "true" } else { "false" }),
                FieldValue::Date(Some(t)) => out.push_str(&quote(&t.to_iso())),
                FieldValue::OnlineAccessInfo(Some(info)) => {
                    match info.associated_user.as_ref().and_then(|u| u.id.as_ref()) {
                        Some(id) => {
                            let _ = write!(out, "<user {id}>");
                        }
                        None => out.push_str("<no user id>"),
                    }
                }
                FieldValue::Data(Some(data)) => {
                    let n = data.len();
                    let _ = write!(out, "<{n} {}>", if n == 1 { "key" } else { "keys" });
                }
                _ => {}
            }
        }
        out.push_str(close);
        out
    }
}
