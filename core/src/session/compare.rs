//! Shopify's session equality, plus `data` compared deeply.

use serde_json::{Map, Value};

use super::Session;

impl Session {
    /// Shopify's `equals`: the same `id`, `shop`, `state` and `isOnline`, the same user-data
    /// property array (scope, tokens, dates to the millisecond, the user's fields) and the
    /// same `data`. `onlineAccessInfo.expires_in` and `associated_user_scope` are ignored, as
    /// Shopify ignores them.
    pub fn equals(&self, other: &Session) -> bool {
        if self.id != other.id
            || self.shop != other.shop
            || self.state != other.state
            || self.is_online != other.is_online
        {
            return false;
        }
        let mut a = self.to_property_array(true);
        let mut b = other.to_property_array(true);
        a.sort_by_key(|e| e.0);
        b.sort_by_key(|e| e.0);
        let same_entries =
            a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.0 == y.0 && js_equal(&x.1, &y.1));
        same_entries
            && match (&self.data, &other.data) {
                (None, None) => true,
                (Some(x), Some(y)) => map_equal(x, y),
                _ => false,
            }
    }
}

/// Deep equality with JavaScript's view of numbers (`1` equals `1.0`) and no regard for key order.
pub fn js_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| js_equal(v, w))
        }
        (Value::Object(x), Value::Object(y)) => map_equal(x, y),
        _ => a == b,
    }
}

fn map_equal(x: &Map<String, Value>, y: &Map<String, Value>) -> bool {
    x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| js_equal(v, w)))
}
