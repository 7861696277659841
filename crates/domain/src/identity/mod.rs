//! Identity: who is asking.
//!
//! A request carries an encrypted token (format in `docs/auth.md`). The [`TokenCodec`] port seals and
//! opens tokens; [`AuthService`] holds the rules: the audience must match the surface, the token must
//! not be expired or revoked, and the actor's roles and scopes come from its claims.

mod actor;
mod auth;
mod ports;

pub use actor::{Actor, Audience, Claims, Role};
pub use auth::{AuthService, IssueRequest};
pub use ports::{RevocationRepository, TokenCodec, TokenError};

#[cfg(any(test, feature = "mock"))]
pub use ports::{MockRevocationRepository, MockTokenCodec};
