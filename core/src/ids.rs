//! Session ids: Shopify's deterministic ids and random ids for everything else.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::{Error, Result};

/// Bytes of OS randomness in a minted id: 192 bits, well above the 128 bits OWASP asks for.
pub const RANDOM_ID_BYTES: usize = 24;

/// Shopify's id for a shop's offline session: `offline_{shop}`.
pub fn offline_id(shop: &str) -> Result<String> {
    if shop.is_empty() {
        return Err(Error::InvalidArgument("offline_id needs a shop, got an empty string".into()));
    }
    Ok(format!("offline_{shop}"))
}

/// Shopify's id for an embedded app's online session: `{shop}_{userId}`.
pub fn online_id(shop: &str, user_id: i64) -> Result<String> {
    if shop.is_empty() {
        return Err(Error::InvalidArgument("online_id needs a shop, got an empty string".into()));
    }
    Ok(format!("{shop}_{user_id}"))
}

/// A new random session id: [`RANDOM_ID_BYTES`] bytes from the OS CSPRNG, base64url without
/// padding (32 characters of `A–Z a–z 0–9 - _`), safe in cookies, URLs and file names.
pub fn random_id() -> Result<String> {
    let mut bytes = [0u8; RANDOM_ID_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::StorageIo(format!("the OS random number generator failed: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn shopify_id_shapes() {
        assert_eq!(offline_id("a.myshopify.com").unwrap(), "offline_a.myshopify.com");
        assert_eq!(online_id("a.myshopify.com", 42).unwrap(), "a.myshopify.com_42");
        assert_eq!(offline_id("").unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn random_ids_are_url_safe_and_distinct() {
        let ids: HashSet<String> = (0..1000).map(|_| random_id().unwrap()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            assert_eq!(id.len(), 32);
            assert!(
                id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{id}"
            );
        }
    }
}
