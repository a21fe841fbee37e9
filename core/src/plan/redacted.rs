//! `Debug` of the plans' values without what they carry: a stored value, a command's arguments
//! and a statement's text parameters may hold a session's tokens, which no output shows (the
//! rule `Session`'s own `Debug` follows). They print as their size.

use std::fmt;

use super::{Command, Found, Outcome, Param, Reply};

/// Bytes shown as their length.
struct Size(usize);

impl fmt::Debug for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<Size> = self.args.iter().map(|a| Size(a.len())).collect();
        f.debug_struct("Command").field("name", &self.name).field("args", &args).finish()
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Nil => f.write_str("Nil"),
            Reply::Int(n) => f.debug_tuple("Int").field(n).finish(),
            Reply::Bulk(b) => f.debug_tuple("Bulk").field(&Size(b.len())).finish(),
            Reply::Array(items) => f.debug_tuple("Array").field(items).finish(),
        }
    }
}

impl fmt::Debug for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sessions: Vec<&crate::Session> = self.sessions.iter().map(|(s, _)| s).collect();
        f.debug_struct("Found")
            .field("sessions", &sessions)
            .field("dropped", &self.dropped)
            .field("unreadable", &self.unreadable)
            .finish()
    }
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            Outcome::Value(v) => {
                f.debug_tuple("Value").field(&v.as_ref().map(|b| Size(b.len()))).finish()
            }
            Outcome::Found(found) => f.debug_tuple("Found").field(found).finish(),
            Outcome::Count(n) => f.debug_tuple("Count").field(n).finish(),
        }
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Param::Text(s) => f.debug_tuple("Text").field(&Size(s.len())).finish(),
            Param::Int(n) => f.debug_tuple("Int").field(n).finish(),
            Param::Texts(list) => f.debug_tuple("Texts").field(&Size(list.len())).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::layout::{PostgresLayout, RedisLayout};
    use crate::plan::{Outcome, Reply};

    const SECRET: &str =
        r#"{"id":"a","shop":"s","accessToken":"shpat_secret","refreshToken":"r_secret"}"#;

    #[test]
    fn no_output_shows_what_a_session_holds() {
        let step = RedisLayout::new(None).unwrap().store(SECRET).unwrap();
        let query = PostgresLayout::new(None).unwrap().store(SECRET).unwrap();
        let value = Outcome::Value(Some(SECRET.as_bytes().to_vec()));
        let shown = format!("{step:?} {query:?} {value:?} {:?}", Reply::Bulk(SECRET.into()));
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("SET") && shown.contains("bytes>"), "{shown}");
        let find = PostgresLayout::new(None).unwrap().find_by_shop("s").unwrap();
        let found = format!("{:?}", find.next(vec![SECRET.into()]));
        assert!(!found.contains("secret") && found.contains("unreadable: 0"), "{found}");
    }
}
