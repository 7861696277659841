//! Signed links: how a stored document is read without a token.
//!
//! The mobile app opens a document in a web view, which carries no bearer token, so the link is
//! the permission: it names the blob key and an expiry and carries a signature of both. Whoever may
//! read a document (the patient who uploaded it, the coordinator and doctor assigned to its case,
//! clinic staff) is given a fresh link each time they read the object that lists it; the link
//! stops working at its expiry.

use time::OffsetDateTime;

use crate::kernel::blob::BlobKey;
use crate::kernel::text::{Key, Text};
use crate::{Error, Result};

/// The path under which the server serves signed links; the key follows it.
pub const FILES_PATH: &str = "/files/";

/// Makes and checks signed links to stored blobs.
///
/// Contract:
/// - `link` returns an absolute URL `{base}/files/{key}?exp={unix seconds}&sig={signature}` that
///   `check` accepts for the same key and expiry until `expires_at` (rounded down to the second).
/// - `check` MUST compare signatures in constant time and MUST refuse, with
///   [`Error::Forbidden`] and [`Key::FileLinkRefused`], an altered key, expiry or signature and
///   any link from its expiry on: one answer for all, so that a refusal tells nothing.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait FileLinks: Send + Sync {
    fn link(&self, key: &BlobKey, expires_at: OffsetDateTime) -> Result<String>;
    fn check(
        &self,
        key: &BlobKey,
        expires: i64,
        signature: &str,
        now: OffsetDateTime,
    ) -> Result<()>;
}

/// The one refusal of a signed link.
pub fn refused() -> Error {
    Error::Forbidden(Text::new(Key::FileLinkRefused))
}
