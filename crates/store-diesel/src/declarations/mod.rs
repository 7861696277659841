//! The declarations context's storage: the national registry as imported (`registry`, `import`),
//! declaration requests (`requests`), verification codes (`verifications`) and the declarations
//! chain (`chain`).
//!
//! Registry objects, requests and codes are stored as the rest of the store stores its rows: ids as
//! lowercase hyphenated text, instants as fixed-width RFC 3339 text, dates as `YYYY-MM-DD`, codes as
//! the domain writes them, nested documents as JSON text.

mod chain;
mod import;
mod registry;
mod requests;
mod sms;
mod verifications;

pub use chain::{BrokenBlock, ChainBlock, ChainBreak, ChainVerification, GENESIS_HASH};
pub use import::{RegistryImport, RegistryImported, Upserted};
pub use sms::OutboxCodeSender;

use crate::error::StoreError;

/// Why a transaction gave up: the database failed, or a value did not convert to or from the
/// domain's. Returned from inside the transaction, so that it rolls back.
#[derive(Debug)]
pub(crate) enum TxError {
    Store(StoreError),
    Domain(domain::Error),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        TxError::Store(e.into())
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError::Store(e)
    }
}

impl From<domain::Error> for TxError {
    fn from(e: domain::Error) -> Self {
        TxError::Domain(e)
    }
}

impl From<TxError> for domain::Error {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Store(e) => e.into(),
            TxError::Domain(e) => e,
        }
    }
}
