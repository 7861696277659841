//! Files the platform keeps: medical documents, PDF reports, DICOM instances.
//!
//! Bytes never pass through the domain in one piece: they stream through a [`BlobStore`] in two
//! steps, so that a file can be checked before anyone can read it. [`BlobStore::stage`] streams a
//! body into a staged object (counting and hashing as it goes, refusing past a limit);
//! [`BlobStore::commit`] then publishes it under its key, or [`BlobStore::discard`] drops it. A
//! failed or interrupted upload therefore leaves nothing readable behind.

use std::fmt;
use std::io::Read;

use super::text::{Key, Text};
use crate::{Error, FieldError, Result};

/// Where a blob lives in a store: `/`-separated segments of ASCII letters, digits, `.`, `_` and `-`
/// (no segment empty, `.` or `..`), at most 512 bytes. Keys are made by the platform, never taken
/// from a file name, so a client can never choose where bytes land.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

impl BlobKey {
    pub fn parse(raw: &str) -> Result<BlobKey> {
        let segment_ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        };
        if raw.len() <= 512 && raw.split('/').all(segment_ok) {
            Ok(BlobKey(raw.to_owned()))
        } else {
            Err(Error::field(FieldError::new(
                "key",
                "format",
                Text::new(Key::RuleInvalid).field("field", "key"),
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's segments, for adapters that map them onto folders.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Bytes to read from: a request body, a file. (`Send`, so that the reading can happen on any
/// thread.)
pub trait ByteSource: Read + Send {}

impl<T: Read + Send + ?Sized> ByteSource for T {}

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256(pub [u8; 32]);

impl Sha256 {
    /// Lowercase hex, as shown to clients and used in `ETag`s.
    pub fn hex(&self) -> String {
        use fmt::Write;
        self.0.iter().fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.hex())
    }
}

/// What is known of a stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    pub key: BlobKey,
    pub size: u64,
    pub sha256: Sha256,
}

/// The most bytes of a staged object's start kept in [`StagedBlob::head`].
pub const HEAD_BYTES: usize = 8192;

/// An object streamed into the store but not yet readable under any key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedBlob {
    /// The adapter's handle on the staged object.
    pub handle: String,
    pub size: u64,
    pub sha256: Sha256,
    /// The first bytes (at most [`HEAD_BYTES`]), so that a caller can decide the type from the
    /// content before committing.
    pub head: Vec<u8>,
}

/// A blob opened for reading.
pub struct BlobReader {
    /// The blob's whole size, whatever the offset it was opened at.
    pub size: u64,
    pub reader: Box<dyn Read + Send>,
}

impl fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobReader")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Keeps files: a folder on disk, S3-compatible storage.
///
/// Contract:
/// - `stage` MUST read `body` to its end and MUST fail with [`Error::TooLarge`] as soon as more
///   than `max_bytes` were read (reading no further), leaving nothing behind; on any error nothing
///   is left behind. A staged object is never visible through `open`.
/// - `commit` MUST publish the staged object under `key` atomically (a reader sees all of it or
///   nothing) and durably before it returns. Committing over an existing key replaces it.
/// - `discard` drops a staged object; it is idempotent.
/// - `open` returns `None` for a key that is not stored, and reads from `offset` (clamped to the
///   size).
/// - `delete` returns whether something was deleted; deleting a missing key is not an error.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait BlobStore: Send + Sync {
    fn stage(&self, body: &mut dyn ByteSource, max_bytes: u64) -> Result<StagedBlob>;
    fn commit(&self, staged: StagedBlob, key: &BlobKey) -> Result<BlobInfo>;
    fn discard(&self, staged: StagedBlob) -> Result<()>;
    fn open(&self, key: &BlobKey, offset: u64) -> Result<Option<BlobReader>>;
    fn delete(&self, key: &BlobKey) -> Result<bool>;
}

/// Stages and commits in one step: for bytes the platform made itself (reports), whose content
/// needs no check.
pub fn put(
    store: &dyn BlobStore,
    key: &BlobKey,
    body: &mut dyn ByteSource,
    max_bytes: u64,
) -> Result<BlobInfo> {
    let staged = store.stage(body, max_bytes)?;
    store.commit(staged, key)
}

/// Reads a whole blob into memory: for small blobs only (a report of a few hundred KiB).
pub fn read_all(store: &dyn BlobStore, key: &BlobKey) -> Result<Option<Vec<u8>>> {
    let Some(mut blob) = store.open(key, 0)? else {
        return Ok(None);
    };
    let mut bytes = Vec::with_capacity(usize::try_from(blob.size).unwrap_or(0));
    blob.reader.read_to_end(&mut bytes).map_err(|e| {
        Error::Internal(super::error::Cause::with_source(
            format!("cannot read blob {key}"),
            e,
        ))
    })?;
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_safe_paths() {
        for ok in ["a", "reports/2026/11/x.pdf", "dicom/1.2.840.10008/ab-c_d"] {
            assert!(BlobKey::parse(ok).is_ok(), "{ok}");
        }
        let long = "a".repeat(513);
        for bad in [
            "", "/a", "a/", "a//b", "../a", "a/../b", "a/./b", "a b", "a\\b", "ä", &long,
        ] {
            assert!(BlobKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn digests_print_as_hex() {
        let mut d = [0u8; 32];
        d[0] = 0xab;
        d[31] = 0x01;
        let hex = Sha256(d).hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("ab00") && hex.ends_with("01"));
    }
}
