//! The core's Redis and PostgreSQL plans (`sessionkeeper_core::plan`) for `sessionkeeper/redis`
//! and `sessionkeeper/postgres`. Conversion only: the JS adapters send each step with the app's
//! driver and hand back what came, and the core says what it means and what comes next, the
//! same as for Python's adapters, so both read and write the same keys and rows.

use napi::bindgen_prelude::{Either3, Either4};
use napi_derive::napi;
use sessionkeeper_core::layout;
use sessionkeeper_core::plan::{self, Outcome, Param, RedisNext, Reply};
use sessionkeeper_core::{Origin, Session, Timestamp};

use crate::error::{OrThrow, Result};

/// A reply as node-redis gives it: a string, a number, an array of strings, or `null`.
type JsReply = Option<Either3<String, f64, Vec<String>>>;

/// What `next` gives: the next step, or the result (`true`, the texts a find returns, or a
/// load's value).
type JsNext = Either4<RedisStep, bool, Vec<String>, Option<String>>;

fn text(bytes: Vec<u8>) -> String {
    // Everything a Node adapter sends or reads came from a JS string: always UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn reply(given: JsReply) -> Reply {
    match given {
        None => Reply::Nil,
        Some(Either3::A(s)) => Reply::Bulk(s.into_bytes()),
        Some(Either3::B(n)) => Reply::Int(n as i64),
        Some(Either3::C(items)) => {
            Reply::Array(items.into_iter().map(|s| Reply::Bulk(s.into_bytes())).collect())
        }
    }
}

fn outcome(o: Outcome) -> JsNext {
    match o {
        Outcome::Found(found) => Either4::C(found.sessions.into_iter().map(|(_, t)| t).collect()),
        Outcome::Value(v) => Either4::D(v.map(text)),
        // A Redis plan never counts.
        Outcome::Bool(b) => Either4::B(b),
        Outcome::Count(_) => Either4::B(true),
    }
}

fn next(n: RedisNext) -> JsNext {
    match n {
        RedisNext::Send(inner) => Either4::A(RedisStep { inner }),
        RedisNext::Done(o) => outcome(o),
    }
}

/// The first round trip of a store or a load, for the two operations of every request: what
/// [`RedisStep`]'s getters give, as one JSON text `[commands, phases, yields, doneIfZero]`
/// (`JSON.parse` builds the arrays far cheaper than napi element by element, and no object is
/// left to finalize). The commands come in one list, `phases` counting those of each phase, and an argument that is the very text planned
/// comes as `null` (the caller holds it: no copy). When neither `yields` nor `doneIfZero` ends
/// the step, `storeStep` gives the step that takes the replies.
fn first_step(step: &plan::RedisStep, planned: &str) -> String {
    fn command<'a>(c: &'a plan::Command, planned: &str) -> Vec<Option<&'a str>> {
        // Everything a Node adapter sends came from a JS string: always UTF-8.
        let arg = |a: &'a Vec<u8>| {
            (a != planned.as_bytes()).then(|| std::str::from_utf8(a).unwrap_or(""))
        };
        std::iter::once(Some(c.name)).chain(c.args.iter().map(arg)).collect()
    }
    let command = |c| command(c, planned);
    let commands: Vec<Vec<Option<&str>>> = step.phases().iter().flatten().map(command).collect();
    let phases: Vec<usize> = step.phases().iter().map(Vec::len).collect();
    let first = (commands, phases, step.yields(), step.done_if_zero());
    serde_json::to_string(&first).unwrap_or_default()
}

/// One round trip of a Redis operation: send `commands` phase by phase (one connection keeps
/// the order: all in one pipeline), then hand every reply, in order, to `next`.
#[napi]
pub struct RedisStep {
    inner: plan::RedisStep,
}

#[napi]
impl RedisStep {
    /// Phases of commands, each `[name, ...args]`: a phase goes after every command of the one
    /// before; within a phase, in any order.
    #[napi(getter, catch_unwind)]
    pub fn commands(&self) -> Vec<Vec<Vec<String>>> {
        let command = |c: &plan::Command| {
            std::iter::once(c.name.to_owned()).chain(c.args.iter().cloned().map(text)).collect()
        };
        self.inner.phases().iter().map(|phase| phase.iter().map(command).collect()).collect()
    }

    /// When set, this is the last step and the reply at this index is the result as it came.
    #[napi(getter, catch_unwind)]
    pub fn yields(&self) -> Option<u32> {
        self.inner.yields().map(|i| i as u32)
    }

    /// When the reply at this index is `0`, the result is `true` without calling `next` (a
    /// store whose index entry stayed put: the common case).
    #[napi(getter, catch_unwind)]
    pub fn done_if_zero(&self) -> Option<u32> {
        self.inner.done_if_zero().map(|i| i as u32)
    }

    /// The next step, or the result, from every reply of this step in order.
    #[napi(catch_unwind)]
    pub fn next(&self, replies: Vec<JsReply>) -> Result<JsNext> {
        self.inner.next(replies.into_iter().map(reply).collect()).map(next).or_throw()
    }
}

/// The Redis layout under one key prefix: `{prefix}session:{id}` holds a session's canonical
/// JSON, the set `{prefix}shop:{shop}` the ids of a shop's sessions.
#[napi(js_name = "RedisLayout")]
pub struct JsRedisLayout {
    inner: layout::RedisLayout,
}

#[napi]
impl JsRedisLayout {
    /// A layout under `prefix` (default `sessionkeeper:`), keeping keys `graceMs` past the
    /// instant their session stops being usable (default 7 days); the core judges both.
    #[napi(constructor, catch_unwind)]
    pub fn new(prefix: Option<String>, grace_ms: Option<f64>) -> Result<Self> {
        let mut inner = layout::RedisLayout::new(prefix.as_deref()).or_throw()?;
        if let Some(ms) = grace_ms {
            inner = inner.with_grace_ms(ms).or_throw()?;
        }
        Ok(JsRedisLayout { inner })
    }

    /// The first step of a store of the session in `text` (canonical JSON).
    #[napi(catch_unwind)]
    pub fn store(&self, text: String) -> Result<String> {
        self.inner.store(&text).map(|step| first_step(&step, &text)).or_throw()
    }

    /// The same first step of a store, as the step that reads its replies (the same text
    /// always plans the same step).
    #[napi(catch_unwind)]
    pub fn store_step(&self, text: String) -> Result<RedisStep> {
        self.inner.store(&text).map(|inner| RedisStep { inner }).or_throw()
    }

    /// The first and only step of a load of `id`: its `GET`'s reply is the result.
    #[napi(catch_unwind)]
    pub fn load(&self, id: String) -> Result<String> {
        self.inner.load(&id).map(|step| first_step(&step, "")).or_throw()
    }

    /// The plan of a delete of `ids`: its first step, or `true` when there is nothing to send.
    #[napi(catch_unwind)]
    pub fn delete_many(&self, ids: Vec<String>) -> Result<JsNext> {
        self.inner.delete_many(&ids).map(next).or_throw()
    }

    /// The plan of a find of `shop`'s sessions.
    #[napi(catch_unwind)]
    pub fn find_by_shop(&self, shop: String) -> Result<RedisStep> {
        self.inner.find_by_shop(&shop).map(|inner| RedisStep { inner }).or_throw()
    }

    /// The plan of a store of the session in `text` only over version `expected` (0: none yet).
    #[napi(catch_unwind)]
    pub fn store_if_version(&self, text: String, expected: u32) -> Result<RedisStep> {
        let session = Session::from_json(&text, Origin::Argument).or_throw()?;
        let step = self.inner.store_if_version(&session, u64::from(expected));
        step.map(|inner| RedisStep { inner }).or_throw()
    }
}

/// One statement: run `sql` with `params`; `returns` says what to hand back — `"true"`: the
/// operation resolves `true`; `"value"`: the first column of the first row, if any, is the
/// result; `"count"`: the number of rows affected is; `"sessions"`: hand the first column of
/// every row to `next`.
#[napi]
pub struct PostgresQuery {
    inner: plan::Query,
}

#[napi]
impl PostgresQuery {
    /// The statement.
    #[napi(getter, catch_unwind)]
    pub fn sql(&self) -> String {
        self.inner.sql.clone()
    }

    /// Its parameters: text, epoch milliseconds (or `null`), arrays of text.
    #[napi(getter, catch_unwind)]
    pub fn params(&self) -> Vec<Option<Either3<String, i64, Vec<String>>>> {
        let param = |p: &Param| match p {
            Param::Text(s) => Some(Either3::A(s.clone())),
            Param::Int(n) => n.map(Either3::B),
            Param::Texts(list) => Some(Either3::C(list.clone())),
        };
        self.inner.params.iter().map(param).collect()
    }

    /// What to hand back: `true`, `value`, `count`, `sessions` or `stored`.
    #[napi(getter, catch_unwind)]
    pub fn returns(&self) -> &'static str {
        self.inner.returns.name()
    }

    /// A compare-and-store's (`"stored"`) result from the rows it affected: `true`, or a
    /// CONFLICT thrown.
    #[napi(catch_unwind)]
    pub fn stored(&self, rows: u32) -> Result<bool> {
        self.inner.stored(u64::from(rows)).or_throw()
    }

    /// A find's sessions (their texts), from the first column of every row.
    #[napi(catch_unwind)]
    pub fn next(&self, rows: Vec<String>) -> Vec<String> {
        match self.inner.next(rows) {
            Outcome::Found(found) => found.sessions.into_iter().map(|(_, t)| t).collect(),
            _ => Vec::new(),
        }
    }
}

/// The PostgreSQL layout over one table: `id` the primary key, `shop` indexed,
/// `expires`/`usable_until` as `timestamptz`, the canonical JSON in a `json` column.
#[napi(js_name = "PostgresLayout")]
pub struct JsPostgresLayout {
    inner: layout::PostgresLayout,
}

#[napi]
impl JsPostgresLayout {
    /// A layout over `table` (default `sessionkeeper_sessions`), whose sweep keeps rows
    /// `graceMs` past their session's last usable instant (default 7 days); the core judges both.
    #[napi(constructor, catch_unwind)]
    pub fn new(table: Option<String>, grace_ms: Option<f64>) -> Result<Self> {
        let mut inner = layout::PostgresLayout::new(table.as_deref()).or_throw()?;
        if let Some(ms) = grace_ms {
            inner = inner.with_grace_ms(ms).or_throw()?;
        }
        Ok(JsPostgresLayout { inner })
    }

    /// The schema statements, to run in order inside one transaction (safe when several
    /// processes start at once).
    #[napi(catch_unwind)]
    pub fn schema(&self) -> Vec<String> {
        self.inner.schema()
    }

    /// The upsert of the session in `text` (canonical JSON).
    #[napi(catch_unwind)]
    pub fn store(&self, text: String) -> Result<PostgresQuery> {
        self.inner.store(&text).map(|inner| PostgresQuery { inner }).or_throw()
    }

    /// The load of `id`.
    #[napi(catch_unwind)]
    pub fn load(&self, id: String) -> Result<PostgresQuery> {
        self.inner.load(&id).map(|inner| PostgresQuery { inner }).or_throw()
    }

    /// The delete of `ids`.
    #[napi(catch_unwind)]
    pub fn delete_many(&self, ids: Vec<String>) -> Result<PostgresQuery> {
        self.inner.delete_many(&ids).map(|inner| PostgresQuery { inner }).or_throw()
    }

    /// The find of `shop`'s sessions.
    #[napi(catch_unwind)]
    pub fn find_by_shop(&self, shop: String) -> Result<PostgresQuery> {
        self.inner.find_by_shop(&shop).map(|inner| PostgresQuery { inner }).or_throw()
    }

    /// The store of the session in `text` only over version `expected` (0: none yet).
    #[napi(catch_unwind)]
    pub fn store_if_version(&self, text: String, expected: u32) -> Result<PostgresQuery> {
        let session = Session::from_json(&text, Origin::Argument).or_throw()?;
        let query = self.inner.store_if_version(&session, u64::from(expected));
        query.map(|inner| PostgresQuery { inner }).or_throw()
    }

    /// The sweep, now by the core's clock, of the sessions past their grace period.
    #[napi(catch_unwind)]
    pub fn sweep(&self) -> PostgresQuery {
        PostgresQuery { inner: self.inner.sweep(Timestamp::now()) }
    }
}
