use time::OffsetDateTime;

use super::Claims;
use crate::Result;
use crate::kernel::ids::TokenId;

/// Why a token could not be opened. Every variant is a 401 for the client; the variant is for logs
/// and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is not hex")]
    NotHex,
    #[error("token is too short")]
    Truncated,
    #[error("token was sealed with an unknown key")]
    UnknownKey,
    #[error("token could not be decrypted")]
    Decryption,
    #[error("token signature is invalid")]
    Signature,
    #[error("token claims are malformed")]
    Claims,
}

/// Seals claims into an encrypted token and opens such tokens.
///
/// Contract:
/// - `seal` MUST produce lowercase hex of `key_id ‖ nonce(24) ‖ XChaCha20-Poly1305(ciphertext‖tag)`
///   over an HS256 compact JWT of `claims`, with the key id byte as associated data, using the
///   ring's *current* key and a fresh random nonce.
/// - `open` MUST accept tokens sealed by any key still in the ring, and MUST check the JWT
///   signature. It MUST NOT judge expiry, audience or revocation: those are [`super::AuthService`]'s
///   rules, so that they are tested once, against a clock.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait TokenCodec: Send + Sync {
    fn seal(&self, claims: &Claims) -> Result<String>;
    fn open(&self, token: &str) -> std::result::Result<Claims, TokenError>;
}

/// Remembers revoked token ids until the tokens would have expired anyway.
///
/// Contract: `revoke` MUST be idempotent; `is_revoked` MUST see a revocation committed by any server
/// instance sharing the store. `is_revoked_in_memory` MUST NOT block: it answers from memory only
/// while that memory is known to hold every revocation committed anywhere up to one second ago,
/// and `None` otherwise (the caller then asks `is_revoked`).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait RevocationRepository: Send + Sync {
    /// Records that `jti` was revoked at `revoked_at`; `expires_at` (Unix seconds) says when the
    /// record may be purged.
    fn revoke(&self, jti: TokenId, expires_at: i64, revoked_at: OffsetDateTime) -> Result<()>;
    fn is_revoked(&self, jti: TokenId) -> Result<bool>;
    fn is_revoked_in_memory(&self, _jti: TokenId) -> Option<bool> {
        None
    }
}
