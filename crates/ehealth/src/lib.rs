//! Adapters of the eHealth declaration requests (`domain::declarations`): what creating, approving
//! and signing a request reach outside the domain, kept thin and out of the domain so that it stays
//! free of cryptography and markup.
//!
//! - [`JwsVerifier`] implements [`domain::declarations::SignatureVerifier`]: a doctor's compact JWS
//!   (EdDSA over Ed25519) checked against the key the registry holds for them.
//! - [`HtmlPrintout`] implements [`domain::declarations::PrintoutRenderer`]: the declaration as the
//!   person reads and signs it on paper, a small self-contained HTML document.
//! - [`SignedUploadUrls`] implements [`domain::declarations::UploadUrls`]: absolute upload links
//!   for an `OFFLINE` person's document scans, signed with HMAC-SHA256 and expiring, and the check
//!   the route that takes the `PUT` makes ([`SignedUploadUrls::verify`]).

mod error;
mod jws;
mod printout;
mod upload;

pub use error::{UploadConfigError, UploadRefusal};
pub use jws::JwsVerifier;
pub use printout::HtmlPrintout;
pub use upload::{MIN_SECRET_LEN, SignedUploadUrls, UPLOADS_PATH};
