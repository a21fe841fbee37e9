//! How long the Redis and PostgreSQL layouts keep a session after it can no longer be used.
//!
//! Shopify apps read an expired session on purpose: a non-embedded request whose cookie names an
//! expired online session is sent back through OAuth with the shop *taken from that session*,
//! and after a token-exchange 401 Shopify's `invalidateAccessToken` loads the session to clear
//! its token. Shopify's own storages never drop a session by themselves, so a layout that
//! evicted it at `expires` broke both (`/api/auth?shop=undefined`). The TTL-native layouts
//! therefore keep a session for a grace period past its `usable_until`:
//! - Redis: the key's `PXAT` is `usable_until + grace` (no TTL when the session never stops
//!   being usable, as before).
//! - PostgreSQL: `sweep` deletes rows whose `usable_until` is older than `now - grace`.
//!
//! The memory and file storages keep expired sessions until the app sweeps them, as Shopify's do.

use crate::error::{Error, Result};
use crate::layout::{PostgresLayout, RedisLayout};
use crate::session::Session;
use crate::time::Timestamp;

/// The default grace period: 7 days. Long enough for a merchant who comes back the next week
/// with an old cookie to be sent through OAuth for the right shop; short enough that the
/// sessions of a non-embedded app (a fresh id per login) do not pile up for ever.
pub const DEFAULT_GRACE_MS: i64 = 7 * 24 * 3_600_000;

/// The longest grace period accepted: 10 years (beyond that, keep sessions for ever by giving
/// them no `expires`).
pub const MAX_GRACE_MS: i64 = 3_650 * 24 * 3_600_000;

/// Milliseconds as the hosts give them (a JS number; Python seconds or a `timedelta`, scaled),
/// so NaN, infinities and negative zero are judged here, once. Fractions of a ms are dropped.
fn check_grace(grace_ms: f64) -> Result<i64> {
    if (0.0..=MAX_GRACE_MS as f64).contains(&grace_ms) {
        Ok(grace_ms as i64)
    } else {
        // Python's `grace` is in seconds, Node's `graceMs` in milliseconds: say it in the caller's unit.
        let given = match crate::words::language() {
            crate::words::Language::Python => format!("{} s", grace_ms / 1000.0),
            crate::words::Language::JavaScript => format!("{grace_ms} ms"),
        };
        Err(Error::InvalidArgument(format!(
            "the grace period must be between 0 and 3650 days, got {given}"
        )))
    }
}

impl RedisLayout {
    /// This layout with keys kept `grace_ms` past the session's `usable_until` (0: dropped at
    /// once); `INVALID_ARGUMENT` outside 0..=[`MAX_GRACE_MS`].
    pub fn with_grace_ms(mut self, grace_ms: f64) -> Result<Self> {
        self.grace_ms = check_grace(grace_ms)?;
        Ok(self)
    }

    /// The grace period in milliseconds.
    pub fn grace_ms(&self) -> i64 {
        self.grace_ms
    }

    /// The `PXAT` of a session's key, or `None` for no TTL.
    pub(crate) fn expire_at_ms(&self, session: &Session) -> Option<i64> {
        // Redis refuses PXAT <= 0; a session unusable since before 1970 expires at once either way.
        session.usable_until().map(|t| t.add_ms(self.grace_ms).epoch_ms().max(1))
    }
}

impl PostgresLayout {
    /// This layout with rows kept `grace_ms` past the session's `usable_until` by
    /// [`PostgresLayout::sweep_sql`]; `INVALID_ARGUMENT` outside 0..=[`MAX_GRACE_MS`].
    pub fn with_grace_ms(mut self, grace_ms: f64) -> Result<Self> {
        self.grace_ms = check_grace(grace_ms)?;
        Ok(self)
    }

    /// The grace period in milliseconds.
    pub fn grace_ms(&self) -> i64 {
        self.grace_ms
    }

    /// Deletes the sessions past their grace period: `$1` is [`PostgresLayout::sweep_cutoff_ms`].
    /// Rows without `usable_until` (sessions usable for ever) are never swept.
    pub fn sweep_sql(&self) -> String {
        format!(
            "DELETE FROM {} WHERE usable_until < to_timestamp($1::bigint / 1000.0)",
            self.sql_table()
        )
    }

    /// The sweep's `$1` at `now`: rows unusable since before this instant (epoch ms) go.
    pub fn sweep_cutoff_ms(&self, now: Timestamp) -> i64 {
        now.add_ms(-self.grace_ms).epoch_ms()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3_600_000;
    /// Expired on 2020-01-01, no refresh token.
    const EXPIRED: &str =
        r#"{"id":"e","shop":"x.myshopify.com","expires":"2020-01-01T00:00:00.000Z"}"#;

    /// The `PXAT` a store of `text` sends, if any.
    fn pxat(layout: &RedisLayout, text: &str) -> Option<i64> {
        let step = layout.store(text).unwrap();
        let set = &step.phases()[1][0];
        assert_eq!(set.name, "SET");
        match &set.args[2..] {
            [] => None,
            [word, at] if word == b"PXAT" => {
                Some(std::str::from_utf8(at).unwrap().parse().unwrap())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn redis_keys_outlive_usable_until_by_the_grace() {
        let expires = 1_577_836_800_000;
        assert_eq!(pxat(&RedisLayout::new(None).unwrap(), EXPIRED), Some(expires + 7 * DAY));
        let none = RedisLayout::new(None).unwrap().with_grace_ms(0.0).unwrap();
        assert_eq!(pxat(&none, EXPIRED), Some(expires));
        let day = RedisLayout::new(None).unwrap().with_grace_ms(DAY as f64).unwrap();
        assert_eq!((day.grace_ms(), pxat(&day, EXPIRED)), (DAY, Some(expires + DAY)));
        assert_eq!(pxat(&day, r#"{"id":"f"}"#), None, "no expires: no TTL, grace or not");
        assert_eq!(
            pxat(&none, r#"{"id":"g","expires":-1000}"#),
            Some(1),
            "Redis refuses PXAT <= 0"
        );
        let both = r#"{"id":"a","expires":"2030-01-01T00:00:00.000Z","refreshToken":"r","refreshTokenExpires":"2030-02-01T00:00:00.000Z"}"#;
        assert_eq!(pxat(&none, both), Some(1_896_134_400_000), "the later refreshTokenExpires");
        assert_eq!(
            pxat(&none, r#"{"id":"a","expires":-5,"refreshToken":"r"}"#),
            None,
            "a refresh token for ever"
        );
    }

    #[test]
    fn grace_periods_run_up_to_3650_days() {
        let days = |n: f64| n * DAY as f64;
        for layout_grace in [
            RedisLayout::new(None).unwrap().with_grace_ms(days(3650.0)).map(|l| l.grace_ms()),
            PostgresLayout::new(None).unwrap().with_grace_ms(days(3650.0)).map(|l| l.grace_ms()),
        ] {
            assert_eq!(layout_grace.unwrap(), 3650 * DAY);
        }
        assert!(RedisLayout::new(None).unwrap().with_grace_ms(days(3650.0) + 1.0).is_err());
        assert!(PostgresLayout::new(None).unwrap().with_grace_ms(days(3651.0)).is_err());
    }

    #[test]
    fn grace_periods_are_bounded() {
        for bad in [-1.0, MAX_GRACE_MS as f64 + 1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e = RedisLayout::new(None).unwrap().with_grace_ms(bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT");
            assert!(e.message().contains("grace period"), "{e}");
            assert_eq!(
                PostgresLayout::new(None).unwrap().with_grace_ms(bad).unwrap_err().code(),
                "INVALID_ARGUMENT"
            );
        }
        assert_eq!(
            RedisLayout::new(None).unwrap().with_grace_ms(MAX_GRACE_MS as f64).unwrap().grace_ms(),
            MAX_GRACE_MS
        );
    }

    #[test]
    fn postgres_sweeps_only_past_the_grace() {
        let l = PostgresLayout::new(Some("app.t")).unwrap();
        assert_eq!(
            l.sweep_sql(),
            "DELETE FROM \"app\".\"t\" WHERE usable_until < to_timestamp($1::bigint / 1000.0)"
        );
        let now = Timestamp::from_epoch_ms(1_800_000_000_000).unwrap();
        assert_eq!(l.sweep_cutoff_ms(now), 1_800_000_000_000 - 7 * DAY);
        let l = l.with_grace_ms(0.0).unwrap();
        assert_eq!((l.grace_ms(), l.sweep_cutoff_ms(now)), (0, 1_800_000_000_000));
        let l = l.with_grace_ms(DAY as f64).unwrap();
        assert_eq!((l.grace_ms(), l.sweep_cutoff_ms(now)), (DAY, 1_800_000_000_000 - DAY));
    }
}
