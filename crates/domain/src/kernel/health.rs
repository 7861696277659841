//! Readiness: can the service do its work right now?

use crate::Result;

/// Checks the dependencies a request needs (the database).
///
/// Contract: `check` MUST return quickly (within the adapter's connect timeout) and MUST return
/// [`crate::Error::Unavailable`] when a dependency cannot be reached.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Readiness: Send + Sync {
    fn check(&self) -> Result<()>;
}
