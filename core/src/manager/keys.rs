//! The secret ring: signing cookie values and sealing cookie-only records.
//!
//! Every secret yields two keys by HKDF-SHA256 (one to sign, one to seal), so a secret is never
//! used raw and the two uses cannot be confused. The first secret signs and seals; every secret
//! verifies and opens, so a secret can be rotated in by putting it first and retired by removing
//! it (ARCHITECTURE.md, "Lifecycle manager"). Verification goes through `Mac::verify_slice`
//! (constant time, on a length-checked tag) and AEAD decryption, never through `==`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::words;

/// The shortest secret accepted, in bytes (of its UTF-8 text): 256 bits, what HMAC-SHA256 and
/// the AEAD key hold.
pub const MIN_SECRET_BYTES: usize = 32;

/// Bytes of an HMAC-SHA256 tag, and of its base64url text.
const TAG_BYTES: usize = 32;
const TAG_CHARS: usize = 43;
/// XChaCha20-Poly1305's random nonce: 192 bits, safe to draw at random for every seal.
const NONCE_BYTES: usize = 24;

type HmacSha256 = Hmac<Sha256>;

struct Keys {
    /// HMAC keyed with the derived signing key once: each sign or verify clones its state
    /// instead of hashing the key's two pads again (half the SHA-256 work of a request).
    sign: HmacSha256,
    seal: [u8; 32],
}

/// The manager's secrets, as derived keys. `Debug` shows only how many there are.
pub struct KeyRing {
    keys: Vec<Keys>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing(<{} secrets>)", self.keys.len())
    }
}

impl KeyRing {
    /// Derives the keys of `secrets`, the first of which signs. Each must be at least
    /// [`MIN_SECRET_BYTES`] long; the message names the position, never the secret.
    pub fn new<S: AsRef<[u8]>>(secrets: &[S]) -> Result<Self> {
        let option = words::name("secrets");
        if secrets.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "{option} must hold at least one secret, got {}",
                words::kind("an empty array")
            )));
        }
        let mut keys = Vec::with_capacity(secrets.len());
        for (i, secret) in secrets.iter().enumerate() {
            let secret = secret.as_ref();
            if secret.len() < MIN_SECRET_BYTES {
                return Err(Error::InvalidArgument(format!(
                    "{option}[{i}] must be at least {MIN_SECRET_BYTES} bytes, got {}",
                    secret.len()
                )));
            }
            let hkdf = Hkdf::<Sha256>::new(Some(b"sessionkeeper"), secret);
            let (mut sign, mut seal) = ([0; 32], [0; 32]);
            // 32 bytes is far below HKDF-SHA256's limit of 8160: expand cannot fail.
            hkdf.expand(b"cookie signature v1", &mut sign).expect("32 <= 8160 bytes");
            hkdf.expand(b"cookie seal v1", &mut seal).expect("32 <= 8160 bytes");
            let sign = HmacSha256::new_from_slice(&sign).expect("HMAC takes any key length");
            keys.push(Keys { sign, seal });
        }
        Ok(KeyRing { keys })
    }

    /// How many secrets the ring holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the ring is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn mac(key: &HmacSha256, name: &str, id: &str) -> HmacSha256 {
        let mut mac = key.clone();
        // A cookie name never holds `=`, so `name=id` cannot be read two ways.
        mac.update(name.as_bytes());
        mac.update(b"=");
        mac.update(id.as_bytes());
        mac
    }

    /// The cookie value for `id` under cookie `name`: `id.signature`, signed with the first secret.
    pub fn sign(&self, name: &str, id: &str) -> String {
        let tag = Self::mac(&self.keys[0].sign, name, id).finalize().into_bytes();
        let mut out = String::with_capacity(id.len() + 1 + TAG_CHARS);
        out.push_str(id);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut out);
        out
    }

    /// The id inside a signed cookie value, if any secret of the ring signed it. A truncated,
    /// padded or re-encoded signature is refused before any comparison.
    pub fn verify<'v>(&self, name: &str, value: &'v str) -> Option<&'v str> {
        let (id, signature) = value.rsplit_once('.')?;
        if signature.len() != TAG_CHARS {
            return None;
        }
        let tag = URL_SAFE_NO_PAD.decode(signature).ok()?;
        if tag.len() != TAG_BYTES {
            return None;
        }
        let ok = self.keys.iter().any(|k| Self::mac(&k.sign, name, id).verify_slice(&tag).is_ok());
        ok.then_some(id)
    }

    /// `plaintext` encrypted and authenticated with the first secret, bound to cookie `name`:
    /// base64url of a random nonce followed by the ciphertext.
    pub fn seal(&self, name: &str, plaintext: &[u8]) -> Result<String> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)
            .map_err(|e| Error::StorageIo(format!("the OS random number generator failed: {e}")))?;
        let cipher = XChaCha20Poly1305::new(&self.keys[0].seal.into());
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: name.as_bytes() })
            .map_err(|_| Error::InvalidArgument("the record is too large to seal".into()))?;
        let mut bytes = Vec::with_capacity(NONCE_BYTES + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The plaintext of a value [`KeyRing::seal`] wrote under cookie `name` with any secret of
    /// the ring, or `None` for anything else (tampered, truncated, another name, a retired secret).
    pub fn unseal(&self, name: &str, value: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(value).ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let nonce = XNonce::try_from(nonce).ok()?;
        self.keys.iter().find_map(|k| {
            XChaCha20Poly1305::new(&k.seal.into())
                .decrypt(&nonce, Payload { msg: sealed, aad: name.as_bytes() })
                .ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "a-secret-of-at-least-thirty-two-bytes!!";
    const B: &str = "b-secret-of-at-least-thirty-two-bytes!!";

    #[test]
    fn first_signs_all_verify_retired_refused() {
        let old = KeyRing::new(&[A]).unwrap();
        let rotated = KeyRing::new(&[B, A]).unwrap();
        let value = old.sign("sid", "abc");
        assert_eq!(rotated.verify("sid", &value), Some("abc"), "an older secret still verifies");
        let fresh = rotated.sign("sid", "abc");
        assert_ne!(fresh, value, "the first secret signs, not the last");
        assert_eq!(KeyRing::new(&[B]).unwrap().verify("sid", &fresh), Some("abc"));
        assert_eq!(
            old.verify("sid", &fresh),
            None,
            "a cookie of a secret the ring lacks is refused"
        );
    }

    #[test]
    fn tampering_is_refused() {
        let ring = KeyRing::new(&[A]).unwrap();
        let value = ring.sign("sid", "abc");
        assert_eq!(ring.verify("other", &value), None, "bound to the cookie name");
        assert_eq!(ring.verify("sid", &value.replacen("abc", "abd", 1)), None);
        assert_eq!(ring.verify("sid", &value[..value.len() - 1]), None, "truncated");
        assert_eq!(ring.verify("sid", &format!("{value}=")), None, "padded");
        assert_eq!(ring.verify("sid", "abc"), None);
        assert_eq!(ring.verify("sid", ""), None);
    }

    #[test]
    fn sealing_round_trips_and_refuses_tampering() {
        let ring = KeyRing::new(&[B, A]).unwrap();
        let sealed = KeyRing::new(&[A]).unwrap().seal("sid", b"{\"x\":1}").unwrap();
        assert_eq!(ring.unseal("sid", &sealed).as_deref(), Some(&b"{\"x\":1}"[..]));
        assert_eq!(ring.unseal("other", &sealed), None);
        assert_eq!(KeyRing::new(&[B]).unwrap().unseal("sid", &sealed), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(ring.unseal("sid", &URL_SAFE_NO_PAD.encode(bytes)), None);
        assert_eq!(ring.unseal("sid", "short"), None);
        assert_ne!(ring.seal("sid", b"x").unwrap(), ring.seal("sid", b"x").unwrap(), "fresh nonce");
    }

    #[test]
    fn secrets_are_checked_and_never_shown() {
        let err = KeyRing::new(&[A, "short"]).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.message().contains("secrets[1] must be at least 32 bytes, got 5"), "{err}");
        assert!(!err.message().contains("short"));
        assert_eq!(KeyRing::new::<&str>(&[]).unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(format!("{:?}", KeyRing::new(&[A, B]).unwrap()), "KeyRing(<2 secrets>)");
    }
}
