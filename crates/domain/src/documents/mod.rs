//! Documents: files that patients (second-opinion cases) and clinic staff (patient documents)
//! upload, stored once through the [`BlobStore`](crate::kernel::blob::BlobStore) port and read back
//! through signed links.
//!
//! - [`content`]: the type of an upload, decided from its first bytes, never from its name or the
//!   type the client declared.
//! - [`link`]: the [`FileLinks`](link::FileLinks) port that makes and checks the signed links
//!   under which the server serves a stored document without a token.

pub mod content;
pub mod document;
pub mod link;
pub mod patient_documents;
pub mod service;
#[cfg(test)]
mod tests;

pub use content::ContentType;
pub use document::{
    Document, DocumentId, DocumentKind, DocumentRepository, KEY_PREFIX, Owner, Saved,
};
pub use link::{FILES_PATH, FileLinks};
pub use patient_documents::{PatientDocumentService, PatientFiling};
pub use service::{
    DocumentPorts, DocumentService, DocumentSettings, Filing, Linked, Purged, Upload,
};

/// The largest upload taken when the operator sets no `MAX_UPLOAD_BYTES`: 25 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;

/// How long a deleted document's bytes are kept when the operator sets no
/// `DOCUMENT_RETENTION_DAYS`.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// How long a signed link is valid when the operator sets no `FILE_LINK_TTL_SECONDS`: long enough
/// to open a document from a case's details, short enough that a copied link soon stops working.
pub const DEFAULT_LINK_TTL_SECONDS: u32 = 900;
