//! Signed links to stored documents: the link is the permission, so that a web view with no token
//! can open a file. It names the blob key and an expiry and carries an HMAC-SHA256 of both under the
//! server's `FILE_LINK_SECRET`:
//!
//! ```text
//! {base_url}/files/{key}?exp={unix seconds}&sig={hex HMAC-SHA256(secret, "GET\n{key}\n{unix seconds}")}
//! ```
//!
//! A `BlobKey` holds only unreserved URL characters and `/`, so the key is written as it is. The
//! method in the signed message keeps a read link from ever passing for an upload link signed with
//! the same secret.

use std::fmt;

use domain::documents::link::refused;
use domain::documents::{FILES_PATH, FileLinks};
use domain::kernel::blob::BlobKey;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

/// The shortest secret accepted: 32 bytes, the output size of SHA-256.
pub const MIN_SECRET_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// Why links cannot be made with the configuration given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkConfigError {
    #[error("FILE_LINK_SECRET must be at least {min} bytes (found {found})")]
    SecretTooShort { min: usize, found: usize },
}

/// Makes and checks signed links to stored documents.
#[derive(Clone)]
pub struct SignedFileLinks {
    /// Absolute (`https://host[/prefix]`) or empty for links relative to the server's root.
    base_url: String,
    /// Keyed with the secret once; cloned for each signature.
    mac: HmacSha256,
}

impl fmt::Debug for SignedFileLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedFileLinks")
            .field("base_url", &self.base_url)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl SignedFileLinks {
    /// Links under `base_url` (a trailing `/` is dropped), signed with `secret`.
    pub fn new(base_url: &str, secret: &[u8]) -> Result<Self, LinkConfigError> {
        let too_short = LinkConfigError::SecretTooShort {
            min: MIN_SECRET_LEN,
            found: secret.len(),
        };
        if secret.len() < MIN_SECRET_LEN {
            return Err(too_short);
        }
        // HMAC takes a key of any length, so this refuses nothing the check above let through.
        let mac = HmacSha256::new_from_slice(secret).map_err(|_| too_short)?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            mac,
        })
    }

    fn signature(&self, key: &BlobKey, expires: i64) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(b"GET\n");
        mac.update(key.as_str().as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }
}

impl FileLinks for SignedFileLinks {
    /// The link expires at `expires_at` rounded down to the second: never later than asked.
    fn link(&self, key: &BlobKey, expires_at: OffsetDateTime) -> domain::Result<String> {
        let expires = expires_at.unix_timestamp();
        let sig = hex::encode(self.signature(key, expires).finalize().into_bytes());
        Ok(format!(
            "{}{FILES_PATH}{key}?exp={expires}&sig={sig}",
            self.base_url
        ))
    }

    /// The signature first, in constant time; then the expiry. One refusal for every failure.
    fn check(
        &self,
        key: &BlobKey,
        expires: i64,
        signature: &str,
        now: OffsetDateTime,
    ) -> domain::Result<()> {
        // Two hex digits per byte of SHA-256; anything else is not decoded at all.
        if signature.len() != 64 {
            return Err(refused());
        }
        let claimed = hex::decode(signature).map_err(|_| refused())?;
        self.signature(key, expires)
            .verify_slice(&claimed)
            .map_err(|_| refused())?;
        if now.unix_timestamp() >= expires {
            return Err(refused());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use domain::Error;
    use time::macros::datetime;

    use super::*;

    const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

    fn links() -> SignedFileLinks {
        SignedFileLinks::new("https://care.example/", SECRET).unwrap()
    }

    fn key(raw: &str) -> BlobKey {
        BlobKey::parse(raw).unwrap()
    }

    fn parts(url: &str) -> (BlobKey, i64, String) {
        let rest = url.strip_prefix("https://care.example/files/").unwrap();
        let (path, query) = rest.split_once('?').unwrap();
        let (exp, sig) = query
            .strip_prefix("exp=")
            .unwrap()
            .split_once("&sig=")
            .unwrap();
        (key(path), exp.parse().unwrap(), sig.to_owned())
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_method_key_and_expiry() {
        use hmac::Mac;
        let url = links()
            .link(&key("documents/a"), datetime!(2026-12-01 12:00 UTC))
            .unwrap();
        let (_, exp, sig) = parts(&url);
        let mut mac = HmacSha256::new_from_slice(SECRET).unwrap();
        mac.update(format!("GET\ndocuments/a\n{exp}").as_bytes());
        assert_eq!(sig, hex::encode(mac.finalize().into_bytes()));
    }

    #[test]
    fn a_link_is_good_until_its_expiry_and_no_longer() {
        let k = key("documents/0198a3c4-0000-7000-8000-00000000004e");
        let at = datetime!(2026-12-01 12:00 UTC);
        let (read, exp, sig) = parts(&links().link(&k, at).unwrap());
        assert_eq!(read, k);
        let before = datetime!(2026-12-01 11:59:59 UTC);
        assert!(links().check(&k, exp, &sig, before).is_ok());
        for now in [at, datetime!(2027-01-01 0:00 UTC)] {
            assert!(matches!(
                links().check(&k, exp, &sig, now),
                Err(Error::Forbidden(_))
            ));
        }
    }

    #[test]
    fn an_altered_link_is_refused() {
        let k = key("documents/a");
        let now = datetime!(2026-12-01 10:00 UTC);
        let (_, exp, sig) = parts(&links().link(&k, datetime!(2026-12-01 12:00 UTC)).unwrap());
        let other = SignedFileLinks::new("", &[7u8; 32]).unwrap();
        let mut flipped = sig.clone();
        flipped.replace_range(63.., if sig.ends_with('0') { "1" } else { "0" });
        for (case, answer) in [
            (
                "another key",
                links().check(&key("documents/b"), exp, &sig, now),
            ),
            ("a later expiry", links().check(&k, exp + 3600, &sig, now)),
            ("a changed signature", links().check(&k, exp, &flipped, now)),
            ("not hex", links().check(&k, exp, &"zz".repeat(32), now)),
            ("too short", links().check(&k, exp, &sig[..62], now)),
            ("another secret", other.check(&k, exp, &sig, now)),
        ] {
            assert!(matches!(answer, Err(Error::Forbidden(_))), "{case}");
        }
    }

    #[test]
    fn links_may_be_relative_and_the_secret_is_long_enough() {
        let relative = SignedFileLinks::new("", SECRET).unwrap();
        let url = relative
            .link(&key("documents/a"), datetime!(2026-12-01 12:00 UTC))
            .unwrap();
        assert!(url.starts_with("/files/documents/a?exp="), "{url}");
        assert!(SignedFileLinks::new("", &[1u8; 31]).is_err());
        assert!(!format!("{:?}", links()).contains("0123456789abcdef"));
    }
}
