//! Blob storage behind the domain's [`BlobStore`](domain::kernel::blob::BlobStore) port.
//!
//! Two stores keep the same contract: [`FolderStore`], files under one folder (the default), and
//! [`S3Store`], objects in an S3-compatible bucket (`BLOB_STORE_URL=s3://bucket/prefix`). Both
//! receive a body into `staging/` and publish it under `objects/<key>` only when it is committed,
//! so a reader never sees part of a file. `docs/blob-storage.md` says how each one keeps that
//! promise. [`SignedFileLinks`] makes and checks the signed links under which stored documents are
//! read without a token.

mod folder;
mod links;
mod s3;

use std::io::{self, Read};

pub use folder::FolderStore;
pub use links::{LinkConfigError, MIN_SECRET_LEN, SignedFileLinks};
pub use s3::S3Store;

/// Reads a staged or committed blob fully, for tests and small files.
pub fn read_to_vec(reader: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out)?;
    Ok(out)
}
