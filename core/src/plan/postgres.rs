//! The PostgreSQL plans: one statement per operation, with its parameters and what the adapter
//! hands back. What the table cannot hold is refused while the plan is built
//! ([`crate::layout_postgres`]), before anything is sent.

use super::{Found, Outcome};
use crate::error::{Origin, Result};
use crate::layout::PostgresLayout;
use crate::session::Session;
use crate::time::Timestamp;

/// One parameter of a statement.
#[derive(Clone, PartialEq, Eq)]
pub enum Param {
    /// A `text`.
    Text(String),
    /// A `bigint` (epoch milliseconds), or NULL.
    Int(Option<i64>),
    /// A `text[]`.
    Texts(Vec<String>),
}

/// What the adapter does with a statement, and what the operation resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// Run it; the operation resolves to `true`.
    True,
    /// Fetch the first column of the first row, if any: the operation's result as it came (a
    /// load's value, which the storage validates).
    Value,
    /// Run it; the operation resolves to the number of rows it affected.
    Count,
    /// Fetch the first column of every row and hand them to [`Query::next`].
    Sessions,
}

impl Returns {
    /// Its name for the hosts: `true`, `value`, `count`, `sessions`.
    pub fn name(self) -> &'static str {
        match self {
            Returns::True => "true",
            Returns::Value => "value",
            Returns::Count => "count",
            Returns::Sessions => "sessions",
        }
    }
}

/// One statement of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The SQL, `$1`… standing for the parameters.
    pub sql: String,
    /// The parameters, in order.
    pub params: Vec<Param>,
    /// What the adapter hands back.
    pub returns: Returns,
    /// The shop of a find.
    shop: String,
}

impl Query {
    fn new(sql: String, params: Vec<Param>, returns: Returns) -> Self {
        Query { sql, params, returns, shop: String::new() }
    }

    /// The result of a [`Returns::Sessions`] statement (a find), from the first column of every
    /// row: the sessions of the shop in id order, rows that are not one skipped (see the module
    /// docs of [`crate::plan`]).
    pub fn next(&self, rows: Vec<String>) -> Outcome {
        let mut found = Found::default();
        for row in rows {
            // The row's `shop` column named the shop: a text naming another is broken too.
            if found.read(&self.shop, None, row.into_bytes()).is_err() {
                found.unreadable += 1;
            }
        }
        Outcome::Found(found.sorted())
    }
}

impl PostgresLayout {
    /// The upsert of the session in `canonical` (its canonical JSON).
    pub fn store(&self, canonical: &str) -> Result<Query> {
        self.store_session(&Session::from_json(canonical, Origin::Argument)?)
    }

    /// [`PostgresLayout::store`] of a session the host already holds in core form.
    pub fn store_session(&self, session: &Session) -> Result<Query> {
        let r = self.row_of(session)?;
        let params = vec![
            Param::Text(r.id),
            Param::Text(r.shop),
            Param::Int(r.expires_ms),
            Param::Int(r.usable_until_ms),
            Param::Text(r.session),
        ];
        Ok(Query::new(self.upsert_sql(), params, Returns::True))
    }

    /// The load of `id`.
    pub fn load(&self, id: &str) -> Result<Query> {
        self.check_text("id", id)?;
        Ok(Query::new(self.load_sql(), vec![Param::Text(id.to_owned())], Returns::Value))
    }

    /// The delete of every id in `ids`.
    pub fn delete_many(&self, ids: &[String]) -> Result<Query> {
        ids.iter().try_for_each(|id| self.check_text("id", id))?;
        Ok(match ids {
            [id] => Query::new(self.delete_sql(), vec![Param::Text(id.clone())], Returns::True),
            _ => {
                Query::new(self.delete_many_sql(), vec![Param::Texts(ids.to_vec())], Returns::True)
            }
        })
    }

    /// The find of `shop`'s sessions.
    pub fn find_by_shop(&self, shop: &str) -> Result<Query> {
        self.check_text("shop", shop)?;
        let mut query =
            Query::new(self.find_sql(), vec![Param::Text(shop.to_owned())], Returns::Sessions);
        query.shop = shop.to_owned();
        Ok(query)
    }

    /// The sweep at `now` of the sessions past their grace period (see [`crate::layout_expiry`]).
    pub fn sweep(&self, now: Timestamp) -> Query {
        let cutoff = Param::Int(Some(self.sweep_cutoff_ms(now)));
        Query::new(self.sweep_sql(), vec![cutoff], Returns::Count)
    }
}
