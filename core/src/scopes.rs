//! Shopify's `AuthScopes`: access scopes with implied scopes (`write_x` grants `read_x`).

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::hash::Hash;

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

/// `items` without repeats, in first-seen order. One hash-set probe per item: a scope string of
/// 40,000 distinct scopes costs 40,000 probes, not the 800 million comparisons of a scan of
/// every earlier scope (which blocked an event loop for seconds). Generic so a test can count
/// the equality checks it makes.
fn first_seen<T: Hash + Eq + Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen: HashSet<T> = HashSet::new();
    items.into_iter().filter(|item| seen.insert(item.clone())).collect()
}

impl<S: AsRef<str>> FromIterator<S> for AuthScopes {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let given: Vec<String> = first_seen(
            iter.into_iter().map(|s| s.as_ref().trim().to_owned()).filter(|s| !s.is_empty()),
        );
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

    /// A scope that counts how often it is compared for equality.
    #[derive(Clone)]
    struct Counted(String);

    impl std::hash::Hash for Counted {
        fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
            self.0.hash(state);
        }
    }

    thread_local! {
        static COMPARISONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            COMPARISONS.with(|c| c.set(c.get() + 1));
            self.0 == other.0
        }
    }
    impl Eq for Counted {}

    fn comparisons_to_dedup(n: usize) -> usize {
        COMPARISONS.with(|c| c.set(0));
        // Every scope twice: the repeats must be found, the distinct ones must not be compared
        // with every earlier one.
        let scopes = (0..n).chain(0..n).map(|i| Counted(format!("read_s{i}")));
        assert_eq!(first_seen(scopes).len(), n);
        COMPARISONS.with(|c| c.get())
    }

    #[test]
    fn dedup_work_grows_linearly() {
        // A quadratic scan makes ~n²/2 comparisons (50 million for 10,000); a hash set about
        // one per repeat.
        let small = comparisons_to_dedup(1_000);
        let large = comparisons_to_dedup(10_000);
        assert!(large <= 2 * 10_000, "{large} comparisons for 10,000 scopes");
        assert!(large <= 12 * small.max(1), "work grew from {small} to {large} for 10x the scopes");
    }

    #[test]
    fn many_distinct_scopes_parse() {
        let text: Vec<String> = (0..40_000).map(|i| format!("read_s{i}")).collect();
        let s = AuthScopes::parse(&text.join(","));
        assert_eq!(s.compressed().len(), 40_000);
        assert!(s.has(&AuthScopes::parse("read_s1")));
    }
}
