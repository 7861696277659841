//! The encrypted token codec.
//!
//! A token is the lowercase hex of
//!
//! ```text
//! key_id (1 byte) ‖ nonce (24 bytes) ‖ XChaCha20-Poly1305(ciphertext ‖ tag (16 bytes))
//! ```
//!
//! with the key id byte as associated data. The plaintext is a compact JWT signed with HS256. Keys
//! live in a [`KeyRing`]: the current key seals (encrypts and signs), every key in the ring opens
//! (decrypts and verifies), and the key id byte picks the key. [`Codec`] implements
//! [`domain::identity::TokenCodec`]. `docs/auth.md` describes the format and gives a test vector.
//!
//! The crate also holds the other credential code: [`Argon2Hasher`], the staff passwords' hasher.

mod codec;
mod error;
mod jwt;
mod keyring;
mod password;

pub use codec::{Codec, MIN_TOKEN_BYTES, NONCE_LEN, TAG_LEN};
pub use error::TokenConfigError;
pub use keyring::{ENC_KEY_LEN, KeyRing, MIN_SIG_KEY_LEN};
pub use password::Argon2Hasher;
