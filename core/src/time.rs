//! One clock: UTC instants kept to the millisecond, written as JavaScript's `Date#toJSON` writes.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// The largest |epoch milliseconds| a JavaScript `Date` can hold (±100,000,000 days). Instants
/// past year ±262,142 (chrono's range, a little short of JavaScript's) are refused as well.
pub const MAX_EPOCH_MS: i64 = 8_640_000_000_000_000;

/// The smallest number a date field reads as epoch seconds (2001-09-09T01:46:40Z); see
/// [`Timestamp::from_epoch_number`].
pub const SECONDS_FROM: i64 = 1_000_000_000;

/// The first number a date field reads as epoch milliseconds again (1973-03-03T09:46:40Z as
/// milliseconds; as seconds it would be the year 5138).
pub const SECONDS_BELOW: i64 = 100_000_000_000;

/// An instant in UTC with millisecond precision, the only time type sessions use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `ms` milliseconds after the Unix epoch, if a JavaScript `Date` can hold it.
    pub fn from_epoch_ms(ms: i64) -> Option<Self> {
        let representable = DateTime::<Utc>::from_timestamp_millis(ms).is_some();
        ((-MAX_EPOCH_MS..=MAX_EPOCH_MS).contains(&ms) && representable).then_some(Timestamp(ms))
    }

    /// The instant from a float of epoch milliseconds, truncated to whole milliseconds as
    /// `new Date(1.9)` does; `None` when not finite or out of range.
    pub fn from_epoch_ms_f64(ms: f64) -> Option<Self> {
        if !ms.is_finite() {
            return None;
        }
        let t = ms.trunc();
        if t.abs() > MAX_EPOCH_MS as f64 {
            return None;
        }
        Self::from_epoch_ms(t as i64)
    }

    /// The instant a number in a stored or passed date field stands for. Numbers are epoch
    /// milliseconds, except those from [`SECONDS_FROM`] up to (not including) [`SECONDS_BELOW`]:
    /// as milliseconds they would fall between 12 January 1970 and 3 March 1973, never a real
    /// expiry, while as epoch seconds they are 2001-09-09 to 5138-11-16 — what Shopify's SQL
    /// adapters and `int(time.time())` write. Those are read as seconds (fractions kept to the
    /// millisecond), so a seconds value never silently becomes a date in 1970.
    pub fn from_epoch_number(n: f64) -> Option<Self> {
        if !n.is_finite() {
            return None;
        }
        if (SECONDS_FROM as f64..SECONDS_BELOW as f64).contains(&n) {
            // Whole seconds exactly; a fraction to the millisecond, rounding away float noise
            // (1076727541.406 * 1000 is 1076727541405.9999) before truncating as `Date` does.
            let ms = n * 1000.0;
            let near = ms.round();
            let ms = if (ms - near).abs() < 1e-3 { near } else { ms.trunc() };
            return Self::from_epoch_ms_f64(ms);
        }
        Self::from_epoch_ms_f64(n)
    }

    /// [`Timestamp::from_epoch_number`] for an integer (exact for every `i64`).
    pub fn from_epoch_int(n: i64) -> Option<Self> {
        if (SECONDS_FROM..SECONDS_BELOW).contains(&n) {
            return Self::from_epoch_ms(n * 1000);
        }
        Self::from_epoch_ms(n)
    }

    /// Milliseconds since the Unix epoch.
    pub fn epoch_ms(self) -> i64 {
        self.0
    }

    /// The current time, from the system clock.
    pub fn now() -> Self {
        Timestamp(Utc::now().timestamp_millis())
    }

    /// This instant moved by `ms` milliseconds (saturating at the representable range).
    pub fn add_ms(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms).clamp(-MAX_EPOCH_MS, MAX_EPOCH_MS))
    }

    /// Parses the ISO-8601 forms `Date.parse` reads reliably: RFC 3339 with an offset or `Z`
    /// (fractions beyond milliseconds are truncated) and a plain date `YYYY-MM-DD` (midnight
    /// UTC, as JavaScript reads it). A date-time without an offset is rejected: JavaScript
    /// would read it as local time, and a silent timezone guess is a bug waiting to happen.
    pub fn parse_iso(text: &str) -> Option<Self> {
        // chrono's RFC 3339 reader also takes the lowercase `t` and `z` that Date.parse accepts.
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            return Self::from_epoch_ms(dt.timestamp_millis());
        }
        // Expanded years (`+020000-01-01T00:00:00.000Z`), which `Date#toJSON` writes outside 0–9999.
        if let (Some(sign @ ('+' | '-')), Some(body)) =
            (text.chars().next(), text.strip_suffix('Z'))
        {
            return Self::parse_expanded(sign, body);
        }
        if text.len() == 10 {
            let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
            return Self::from_epoch_ms(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis());
        }
        None
    }

    fn parse_expanded(sign: char, body: &str) -> Option<Self> {
        let digits = body.get(1..7).filter(|y| y.bytes().all(|b| b.is_ascii_digit()))?;
        if sign == '-' && digits == "000000" {
            return None; // ECMAScript forbids "-000000"
        }
        let year: i32 = digits.parse().ok()?;
        let year = if sign == '-' { -year } else { year };
        // Month, day and time parsed against a stand-in leap year, then re-validated for the real one.
        let rest = chrono::NaiveDateTime::parse_from_str(
            &format!("2000{}", &body[7..]),
            "%Y-%m-%dT%H:%M:%S%.f",
        )
        .ok()?;
        let date = NaiveDate::from_ymd_opt(
            year,
            chrono::Datelike::month(&rest),
            chrono::Datelike::day(&rest),
        )?;
        Self::from_epoch_ms(date.and_time(rest.time()).and_utc().timestamp_millis())
    }

    /// The ISO-8601 text JavaScript's `Date#toJSON` gives: `2030-01-01T00:00:00.000Z`, with the
    /// expanded `+YYYYYY`/`-YYYYYY` year form outside years 0–9999.
    pub fn to_iso(self) -> String {
        let mut out = String::with_capacity(24);
        self.write_iso(&mut out);
        out
    }

    /// Appends [`Timestamp::to_iso`] to `out`. Years 0–9999 (every session date in practice)
    /// are written digit by digit: it runs on every canonical JSON written, where chrono's
    /// formatter cost as much as the rest of a session's fields.
    pub fn write_iso(self, out: &mut String) {
        use chrono::{Datelike, Timelike};
        let dt = DateTime::<Utc>::from_timestamp_millis(self.0).expect("range checked on creation");
        let year = dt.year();
        if !(0..=9999).contains(&year) {
            out.push_str(&self.to_iso_wide());
            return;
        }
        let ms = self.0.rem_euclid(1000) as u32;
        let parts = [
            (year as u32, 4, '-'),
            (dt.month(), 2, '-'),
            (dt.day(), 2, 'T'),
            (dt.hour(), 2, ':'),
            (dt.minute(), 2, ':'),
            (dt.second(), 2, '.'),
            (ms, 3, 'Z'),
        ];
        for (value, width, after) in parts {
            for place in (0..width).rev() {
                out.push(char::from(b'0' + (value / 10u32.pow(place) % 10) as u8));
            }
            out.push(after);
        }
    }

    /// Years outside 0–9999, as JavaScript writes them: a sign and six digits.
    fn to_iso_wide(self) -> String {
        let dt = DateTime::<Utc>::from_timestamp_millis(self.0).expect("range checked on creation");
        let year = chrono::Datelike::year(&dt);
        if (0..=9999).contains(&year) {
            return dt.to_rfc3339_opts(SecondsFormat::Millis, true);
        }
        let rest = dt.format("-%m-%dT%H:%M:%S%.3fZ");
        let sign = if year < 0 { '-' } else { '+' };
        format!("{sign}{:06}{rest}", year.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn written_digit_by_digit_as_chrono_writes(ms in -MAX_EPOCH_MS..=MAX_EPOCH_MS) {
            if let Some(t) = Timestamp::from_epoch_ms(ms) {
                proptest::prop_assert_eq!(t.to_iso(), t.to_iso_wide());
            }
        }
    }

    #[test]
    fn the_edges_of_four_digit_years_and_before_the_epoch() {
        for ms in [
            0,
            -1,
            999,
            -999,
            253_402_300_799_999,
            253_402_300_800_000,
            -62_167_219_200_000,
            -62_167_219_200_001,
        ] {
            let t = Timestamp::from_epoch_ms(ms).unwrap();
            assert_eq!(t.to_iso(), t.to_iso_wide(), "{ms}");
        }
        assert_eq!(Timestamp::from_epoch_ms(-1).unwrap().to_iso(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn iso_round_trip_with_millis() {
        let t = Timestamp::parse_iso("2030-01-01T00:00:00Z").unwrap();
        assert_eq!(t.epoch_ms(), 1_893_456_000_000);
        assert_eq!(t.to_iso(), "2030-01-01T00:00:00.000Z");
        let t = Timestamp::parse_iso("2030-01-01T01:00:00.123456+01:00").unwrap();
        assert_eq!(t.to_iso(), "2030-01-01T00:00:00.123Z");
    }

    #[test]
    fn accepts_date_only_and_lowercase_t() {
        assert_eq!(Timestamp::parse_iso("2030-02-01").unwrap().epoch_ms(), 1_896_134_400_000);
        assert!(Timestamp::parse_iso("2030-02-01t00:00:00Z").is_some());
    }

    #[test]
    fn rejects_local_times_and_junk() {
        for bad in ["2030-01-01T00:00:00", "soon", "", "2030-13-01", "1893456000000"] {
            assert_eq!(Timestamp::parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn expanded_years_match_javascript() {
        // new Date(Date.UTC(20000, 0, 1)).toJSON() and new Date(Date.UTC(-1, 0, 1)).toJSON()
        assert_eq!(
            Timestamp::from_epoch_ms(568_971_820_800_000).unwrap().to_iso(),
            "+020000-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_epoch_ms(-62_198_755_200_000).unwrap().to_iso(),
            "-000001-01-01T00:00:00.000Z"
        );
        assert_eq!(Timestamp::from_epoch_ms(MAX_EPOCH_MS + 1), None);
        for text in [
            "+020000-01-01T00:00:00.000Z",
            "-000001-01-01T00:00:00.000Z",
            "-000004-02-29T12:00:00.500Z",
        ] {
            assert_eq!(Timestamp::parse_iso(text).unwrap().to_iso(), text);
        }
        assert_eq!(Timestamp::parse_iso("-000000-01-01T00:00:00.000Z"), None);
        assert_eq!(Timestamp::parse_iso("+020001-02-29T00:00:00.000Z"), None);
    }

    #[test]
    fn seconds_are_never_read_as_1970() {
        let at = |n: f64| Timestamp::from_epoch_number(n).unwrap().to_iso();
        assert_eq!(at(1_893_456_000.0), "2030-01-01T00:00:00.000Z");
        assert_eq!(at(1_893_456_000.123), "2030-01-01T00:00:00.123Z");
        assert_eq!(at(1_076_727_541.406), "2004-02-14T02:59:01.406Z", "float noise rounded away");
        assert_eq!(at(1_893_456_000_000.0), "2030-01-01T00:00:00.000Z");
        assert_eq!(at(999_999_999.0), "1970-01-12T13:46:39.999Z", "below the seconds range: ms");
        assert_eq!(at(1e9), "2001-09-09T01:46:40.000Z");
        assert_eq!(at(99_999_999_999.0), "5138-11-16T09:46:39.000Z");
        assert_eq!(at(1e11), "1973-03-03T09:46:40.000Z");
        assert_eq!(at(-1.0), "1969-12-31T23:59:59.999Z");
        let int = |n: i64| Timestamp::from_epoch_int(n).unwrap().epoch_ms();
        assert_eq!(int(1_893_456_000), 1_893_456_000_000);
        assert_eq!(int(10), 10);
    }

    #[test]
    fn negative_fractions_truncate_toward_zero() {
        assert_eq!(Timestamp::from_epoch_ms_f64(-1.5).unwrap().epoch_ms(), -1);
        assert_eq!(Timestamp::from_epoch_ms_f64(f64::NAN), None);
    }
}
