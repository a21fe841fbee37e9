//! Typed reads of session values: each wrong kind is an error naming the field, never a coercion.

use serde_json::{Map, Number, Value};

use crate::error::{describe_field, Error, Origin, Result};
use crate::json;
use crate::time::Timestamp;
use crate::words;

/// The longest id, in UTF-8 bytes.
pub const MAX_ID_BYTES: usize = 1024;

/// Reads fields of one input, labelling errors by where the input came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader {
    pub origin: Origin,
}

impl Reader {
    pub fn new(origin: Origin) -> Self {
        Reader { origin }
    }

    /// How messages about this input start: `session` or `invalid session`.
    pub fn what(&self) -> &'static str {
        match self.origin {
            Origin::Argument => "session",
            Origin::Stored => "invalid session",
        }
    }

    /// `"field" must be <expected>, got <what came>`, the field and kinds in the host's words;
    /// a token field's value is never shown, whatever its type.
    pub fn err(&self, field: &str, expected: &str, got: &Value) -> Error {
        let what = self.what();
        let got = describe_field(field, got);
        let (field, expected) = (words::name(field), words::kind(expected));
        self.origin.error(format!("{what}: \"{field}\" must be {expected}, got {got}"))
    }

    pub fn object<'v>(&self, field: &str, v: &'v Value) -> Result<&'v Map<String, Value>> {
        v.as_object().ok_or_else(|| self.err(field, "an object", v))
    }

    pub fn string(&self, field: &str, v: &Value) -> Result<String> {
        v.as_str().map(str::to_owned).ok_or_else(|| self.err(field, "a string", v))
    }

    pub fn opt_string(&self, field: &str, v: Option<&Value>) -> Result<Option<String>> {
        present(v).map(|v| self.string(field, v)).transpose()
    }

    pub fn opt_bool(&self, field: &str, v: Option<&Value>) -> Result<Option<bool>> {
        present(v).map(|v| v.as_bool().ok_or_else(|| self.err(field, "a boolean", v))).transpose()
    }

    pub fn opt_number(&self, field: &str, v: Option<&Value>) -> Result<Option<Number>> {
        present(v).map(|v| self.number(field, v)).transpose()
    }

    pub fn number(&self, field: &str, v: &Value) -> Result<Number> {
        let n = match v {
            Value::Number(n) => n,
            _ => return Err(self.err(field, "a number", v)),
        };
        if !json::is_js_exact(n) {
            return Err(self.err(field, "a number JavaScript holds exactly (|n| ≤ 2^53 − 1)", v));
        }
        Ok(n.clone())
    }

    /// A date: an ISO-8601 string or an epoch number (the forms JSON, Shopify's property
    /// arrays and `Date#toJSON` produce): milliseconds, or seconds by the rule of
    /// [`Timestamp::from_epoch_number`], so a seconds value is never read as a date in 1970.
    pub fn date(&self, field: &str, v: &Value) -> Result<Timestamp> {
        let parsed = match v {
            Value::String(s) => Timestamp::parse_iso(s),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Timestamp::from_epoch_int(i),
                None => n.as_f64().and_then(Timestamp::from_epoch_number),
            },
            _ => None,
        };
        parsed.ok_or_else(|| {
            self.err(field, "an ISO-8601 date with a timezone or epoch milliseconds", v)
        })
    }

    pub fn opt_date(&self, field: &str, v: Option<&Value>) -> Result<Option<Timestamp>> {
        present(v).map(|v| self.date(field, v)).transpose()
    }

    /// The id: a key that is not there says so, rather than describing a value nobody gave.
    pub fn id(&self, v: Option<&Value>) -> Result<String> {
        let Some(v) = v else {
            let what = self.what();
            return Err(self
                .origin
                .error(format!("{what}: \"id\" is missing (required: a non-empty string)")));
        };
        let id = v.as_str().ok_or_else(|| self.err("id", "a non-empty string", v))?;
        check_id(id, self.origin)?;
        Ok(id.to_owned())
    }

    /// App `data`: a JSON object whose numbers JavaScript holds exactly.
    pub fn data(&self, v: Option<&Value>) -> Result<Option<Map<String, Value>>> {
        let Some(v) = present(v) else { return Ok(None) };
        let map = self.object("data", v)?;
        json::check_js_safe(v, "data", self.origin)?;
        Ok(Some(map.clone()))
    }
}

/// `None` for a missing key and for `null`: both mean "absent".
pub(crate) fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

/// Checks the id rule: a non-empty string of at most [`MAX_ID_BYTES`] bytes.
pub fn check_id(id: &str, origin: Origin) -> Result<()> {
    if id.is_empty() {
        return Err(origin.error("session id must be a non-empty string, got an empty string"));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(origin.error(format!(
            "session id must be at most {MAX_ID_BYTES} bytes of UTF-8, got {} bytes",
            id.len()
        )));
    }
    Ok(())
}
