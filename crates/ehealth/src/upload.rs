//! Upload links: an `OFFLINE` person uploads the scans of their documents with no token, so the
//! link itself is the permission. It names the blob key and an expiry, and carries an HMAC-SHA256
//! of both under a server secret:
//!
//! ```text
//! {base_url}/uploads/{key}?expires={unix seconds}&signature={hex HMAC-SHA256(secret, "PUT\n{key}\n{unix seconds}")}
//! ```
//!
//! Changing the key or the expiry breaks the signature. Keys need no percent-encoding: a
//! `BlobKey` is `/`-separated segments of ASCII letters, digits, `.`, `_` and `-` (see
//! `BlobKey::parse`), all of them unreserved URL characters, so the key is written as it is and
//! the route takes the rest of the path after `/uploads/` as the key. The key holds no line break
//! and the expiry only digits and a sign, so the signed message reads one way only.

use std::fmt;

use domain::declarations::UploadUrls;
use domain::kernel::blob::BlobKey;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::error::{UploadConfigError, UploadRefusal};

/// The path, after the base URL, under which the route takes uploads; the key follows it.
pub const UPLOADS_PATH: &str = "/uploads/";

/// The shortest secret accepted: 32 bytes, the output size of SHA-256.
pub const MIN_SECRET_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// Makes and checks signed upload links.
#[derive(Clone)]
pub struct SignedUploadUrls {
    /// Absolute, without a trailing `/`.
    base_url: String,
    /// Keyed with the secret once; cloned for each signature.
    mac: HmacSha256,
}

impl fmt::Debug for SignedUploadUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedUploadUrls")
            .field("base_url", &self.base_url)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl SignedUploadUrls {
    /// Links under `base_url` (`https://host` or `https://host/prefix`; a trailing `/` is
    /// dropped), signed with `secret` of at least [`MIN_SECRET_LEN`] bytes.
    pub fn new(base_url: &str, secret: &[u8]) -> Result<Self, UploadConfigError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(UploadConfigError::SecretTooShort {
                min: MIN_SECRET_LEN,
                found: secret.len(),
            });
        }
        let base_url = base_url.trim_end_matches('/');
        let rest = base_url
            .strip_prefix("https://")
            .or_else(|| base_url.strip_prefix("http://"))
            .ok_or(UploadConfigError::BaseUrl)?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty()
            || rest
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'))
        {
            return Err(UploadConfigError::BaseUrl);
        }
        // HMAC takes a key of any length, so this refuses nothing the check above let through.
        let mac =
            HmacSha256::new_from_slice(secret).map_err(|_| UploadConfigError::SecretTooShort {
                min: MIN_SECRET_LEN,
                found: secret.len(),
            })?;
        Ok(Self {
            base_url: base_url.to_owned(),
            mac,
        })
    }

    /// The link that takes a `PUT` of `key` until `expires` (Unix seconds).
    pub fn url(&self, key: &BlobKey, expires: i64) -> String {
        let signature = hex::encode(self.signed(key, expires).finalize().into_bytes());
        format!(
            "{}{UPLOADS_PATH}{key}?expires={expires}&signature={signature}",
            self.base_url
        )
    }

    /// Whether a `PUT` of `key` with the link's `expires` and `signature` may be taken at `now`.
    /// The signature is checked first, in constant time; a link is refused from the second its
    /// expiry names on.
    pub fn verify(
        &self,
        key: &BlobKey,
        expires: i64,
        signature: &str,
        now: OffsetDateTime,
    ) -> Result<(), UploadRefusal> {
        // Two hex digits per byte of SHA-256; anything longer is not decoded at all.
        if signature.len() != 64 {
            return Err(UploadRefusal::BadSignature);
        }
        let claimed = hex::decode(signature).map_err(|_| UploadRefusal::BadSignature)?;
        self.signed(key, expires)
            .verify_slice(&claimed)
            .map_err(|_| UploadRefusal::BadSignature)?;
        if now.unix_timestamp() >= expires {
            return Err(UploadRefusal::Expired);
        }
        Ok(())
    }

    /// The MAC fed with the signed message, `PUT\n{key}\n{expires}`.
    fn signed(&self, key: &BlobKey, expires: i64) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(b"PUT\n");
        mac.update(key.as_str().as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }
}

impl UploadUrls for SignedUploadUrls {
    /// The link expires at `expires_at` rounded down to the second: never later than asked.
    fn upload_url(&self, key: &BlobKey, expires_at: OffsetDateTime) -> domain::Result<String> {
        Ok(self.url(key, expires_at.unix_timestamp()))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
    const BASE: &str = "https://care.example/api";

    fn urls() -> SignedUploadUrls {
        SignedUploadUrls::new(BASE, SECRET).unwrap()
    }

    fn key(raw: &str) -> BlobKey {
        BlobKey::parse(raw).unwrap()
    }

    /// The key, expiry and signature a route reads back from a link.
    fn parts(url: &str) -> (BlobKey, i64, String) {
        let rest = url.strip_prefix(&format!("{BASE}{UPLOADS_PATH}")).unwrap();
        let (path, query) = rest.split_once('?').unwrap();
        let (expires, signature) = query
            .strip_prefix("expires=")
            .unwrap()
            .split_once("&signature=")
            .unwrap();
        (key(path), expires.parse().unwrap(), signature.to_owned())
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_method_key_and_expiry() {
        // Computed apart from this code: HMAC-SHA256(SECRET, "PUT\n{key}\n1795392000").
        let url = urls().url(&key("declaration-requests/abc/PASSPORT"), 1_795_392_000);
        assert_eq!(
            url,
            "https://care.example/api/uploads/declaration-requests/abc/PASSPORT\
             ?expires=1795392000\
             &signature=078b4565b69e6d033d52017c4c76d9502ae5c572a414010e00654670a0c6757f"
        );
    }

    #[test]
    fn a_link_round_trips_until_it_expires() {
        let key = key("declaration-requests/0198a3c4-0000-7000-8000-00000000004e/PASSPORT");
        let expires_at = datetime!(2026-11-24 12:00 UTC);
        let url = urls().upload_url(&key, expires_at).unwrap();
        let (read_key, expires, signature) = parts(&url);
        assert_eq!(read_key, key);
        assert_eq!(expires, expires_at.unix_timestamp());
        let before = datetime!(2026-11-24 11:59:59 UTC);
        assert_eq!(urls().verify(&key, expires, &signature, before), Ok(()));
    }

    #[test]
    fn a_link_is_refused_from_its_expiry_on() {
        let key = key("a/b");
        let expires_at = datetime!(2026-11-24 12:00 UTC);
        let (_, expires, signature) = parts(&urls().upload_url(&key, expires_at).unwrap());
        for now in [
            expires_at,
            datetime!(2026-11-24 12:00:00.5 UTC),
            datetime!(2027-01-01 0:00 UTC),
        ] {
            assert_eq!(
                urls().verify(&key, expires, &signature, now),
                Err(UploadRefusal::Expired),
                "{now}"
            );
        }
    }

    #[test]
    fn a_changed_link_is_refused() {
        let key = key("declaration-requests/abc/PASSPORT");
        let expires_at = datetime!(2026-11-24 12:00 UTC);
        let (_, expires, signature) = parts(&urls().upload_url(&key, expires_at).unwrap());
        let now = datetime!(2026-11-24 10:00 UTC);
        let flipped = {
            let mut s = signature.clone();
            let last = if s.ends_with('0') { "1" } else { "0" };
            s.replace_range(63.., last);
            s
        };
        let other_secret = SignedUploadUrls::new(BASE, &[7u8; 32]).unwrap();
        let other_key = BlobKey::parse("declaration-requests/abc/person.tax_id").unwrap();
        let refused = [
            (
                "another key",
                urls().verify(&other_key, expires, &signature, now),
            ),
            (
                "a later expiry",
                urls().verify(&key, expires + 3600, &signature, now),
            ),
            (
                "an earlier expiry",
                urls().verify(&key, expires - 1, &signature, now),
            ),
            (
                "a changed signature",
                urls().verify(&key, expires, &flipped, now),
            ),
            ("no signature", urls().verify(&key, expires, "", now)),
            (
                "not hex",
                urls().verify(&key, expires, &"zz".repeat(32), now),
            ),
            (
                "too short",
                urls().verify(&key, expires, &signature[..62], now),
            ),
            (
                "too long",
                urls().verify(&key, expires, &format!("{signature}00"), now),
            ),
            (
                "another secret",
                other_secret.verify(&key, expires, &signature, now),
            ),
            // A forged link is a bad signature even once expired.
            (
                "forged and expired",
                urls().verify(&key, 0, &signature, now),
            ),
        ];
        for (case, answer) in refused {
            assert_eq!(answer, Err(UploadRefusal::BadSignature), "{case}");
        }
    }

    #[test]
    fn keys_appear_as_they_are() {
        let raw = "declaration-requests/0198a3c4-0000-7000-8000-00000000004e/person.no_tax_id";
        let url = urls().url(&key(raw), 1_795_392_000);
        assert!(url.contains(&format!("/uploads/{raw}?")), "{url}");
        let unreserved = |c: char| c.is_ascii_alphanumeric() || "-._~/".contains(c);
        let path = url
            .split_once("/uploads/")
            .unwrap()
            .1
            .split_once('?')
            .unwrap()
            .0;
        assert!(path.chars().all(unreserved), "{path}");
    }

    #[test]
    fn the_secret_is_at_least_32_bytes() {
        assert_eq!(
            SignedUploadUrls::new(BASE, &[1u8; 31]).unwrap_err(),
            UploadConfigError::SecretTooShort { min: 32, found: 31 }
        );
        assert!(SignedUploadUrls::new(BASE, &[1u8; 32]).is_ok());
        assert!(SignedUploadUrls::new(BASE, &[1u8; 64]).is_ok());
    }

    #[test]
    fn the_base_url_is_absolute() {
        for ok in [
            "https://care.example",
            "http://127.0.0.1:8080",
            "https://care.example/api/",
        ] {
            let url = SignedUploadUrls::new(ok, SECRET).unwrap().url(&key("a"), 1);
            assert!(url.starts_with(ok.trim_end_matches('/')), "{url}");
            assert!(!url.contains("//uploads"), "{url}");
        }
        for bad in [
            "",
            "care.example",
            "ftp://care.example",
            "https://",
            "https:///path",
            "https://care.example?x=1",
            "https://care example",
        ] {
            assert_eq!(
                SignedUploadUrls::new(bad, SECRET).unwrap_err(),
                UploadConfigError::BaseUrl,
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!("{:?}", urls());
        assert!(shown.contains(BASE), "{shown}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
}
