//! Shopify's `AuthScopes`: access scopes with implied scopes (`write_x` grants `read_x`).

use std::collections::BTreeSet;
use std::fmt;

/// A set of access scopes, compared the way Shopify compares them: a `write_x` scope implies
/// `read_x`, and `unauthenticated_write_x` implies `unauthenticated_read_x`.
#[derive(Debug, Clone, Default)]
pub struct AuthScopes {
    /// Scopes with the implied ones removed, in first-seen order.
    compressed: Vec<String>,
    /// Scopes with the implied ones added.
    expanded: BTreeSet<String>,
}

fn implied(scope: &str) -> Option<String> {
    if let Some(rest) = scope.strip_prefix("unauthenticated_write_") {
        return Some(format!("unauthenticated_read_{rest}"));
    }
    scope.strip_prefix("write_").map(|rest| format!("read_{rest}"))
}

impl AuthScopes {
    /// Parses a comma-separated scope string (`"read_products, write_orders"`), as Shopify
    /// does: split on commas, trim, drop empty entries.
    pub fn parse(scopes: &str) -> Self {
        Self::from_iter(scopes.split(','))
    }

    /// Whether every scope of `other` is granted by this set (implied scopes included).
    pub fn has(&self, other: &AuthScopes) -> bool {
        other.compressed.iter().all(|s| self.expanded.contains(s))
    }

    /// Shopify's equality: the same number of compressed scopes and each set grants the other.
    pub fn equals(&self, other: &AuthScopes) -> bool {
        self.compressed.len() == other.compressed.len() && self.has(other) && other.has(self)
    }

    /// The scopes without the implied ones, in first-seen order.
    pub fn compressed(&self) -> &[String] {
        &self.compressed
    }

    /// Whether the set holds no scope at all.
    pub fn is_empty(&self) -> bool {
        self.compressed.is_empty()
    }
}

impl<S: AsRef<str>> FromIterator<S> for AuthScopes {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut given: Vec<String> = Vec::new();
        for s in iter {
            let s = s.as_ref().trim();
            if !s.is_empty() && !given.iter().any(|g| g == s) {
                given.push(s.to_owned());
            }
        }
        let implied_set: BTreeSet<String> = given.iter().filter_map(|s| implied(s)).collect();
        let compressed: Vec<String> =
            given.iter().filter(|s| !implied_set.contains(*s)).cloned().collect();
        let mut expanded: BTreeSet<String> = given.into_iter().collect();
        expanded.extend(implied_set);
        AuthScopes { compressed, expanded }
    }
}

impl fmt::Display for AuthScopes {
    /// The compressed scopes joined with `,`, as Shopify's `toString()` writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.compressed.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_implies_read() {
        let granted = AuthScopes::parse("write_products, read_orders");
        assert!(granted.has(&AuthScopes::parse("read_products")));
        assert!(!granted.has(&AuthScopes::parse("write_orders")));
        let u = AuthScopes::parse("unauthenticated_write_checkouts");
        assert!(u.has(&AuthScopes::parse("unauthenticated_read_checkouts")));
        assert!(!u.has(&AuthScopes::parse("read_checkouts")));
    }

    #[test]
    fn compressed_drops_implied_and_blanks() {
        let s = AuthScopes::parse("read_products,, write_products ,read_orders");
        assert_eq!(s.compressed(), ["write_products", "read_orders"]);
        assert_eq!(s.to_string(), "write_products,read_orders");
    }

    #[test]
    fn equality_is_shopifys() {
        assert!(AuthScopes::parse("write_a,read_a").equals(&AuthScopes::parse("write_a")));
        assert!(!AuthScopes::parse("write_a").equals(&AuthScopes::parse("read_a")));
        assert!(AuthScopes::parse("").equals(&AuthScopes::parse(" , ")));
    }
}
