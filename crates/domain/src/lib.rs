//! The medical care platform's domain.
//!
//! Pure Rust: entities, value objects, state machines, use-case services and the **ports** (traits)
//! through which the services reach the outside world. Nothing here performs I/O; adapters in other
//! crates implement the ports, and any Rust service can depend on this crate alone.
//!
//! One module per bounded context, plus a small shared [`kernel`]:
//! - [`identity`]: who is asking (tokens, audiences, roles, revocation).
//! - [`second_opinion`]: the catalogue, review cases and their assignment flow.
//! - [`clinic`]: appointments and reports of the clinic system.
//! - [`declarations`]: national eHealth style declaration requests: the registry they refer to,
//!   their lifecycle, verification codes, approval, rejection and expiry.
//! - [`documents`]: uploaded files, the types accepted and the signed links that read them.
//!
//! With the `mock` feature every port has a `mockall` mock (`MockClock`, `MockCatalogueRepository`,
//! ...) so that other crates' tests can use them.

pub mod clinic;
pub mod declarations;
pub mod documents;
pub mod identity;
pub mod kernel;
pub mod notifications;
pub mod second_opinion;
#[cfg(any(test, feature = "mock"))]
pub mod testing;

pub use kernel::error::{AuthFailure, Cause, Error, FieldError, Result};
