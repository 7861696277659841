//! The outer layer: hex of `key_id ‖ nonce ‖ XChaCha20-Poly1305(JWT)`, and the
//! [`TokenCodec`] implementation.

use std::fmt;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use domain::identity::{Claims, TokenCodec, TokenError};
use rand::RngCore;
use rand::rngs::OsRng;

use crate::jwt::{self, SigningKey};
use crate::keyring::KeyRing;

/// Bytes of the XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Bytes of the Poly1305 tag.
pub const TAG_LEN: usize = 16;
/// Bytes before the ciphertext: the key id and the nonce.
const HEAD_LEN: usize = 1 + NONCE_LEN;
/// The fewest bytes a token can have: key id, nonce and tag around an empty plaintext.
pub const MIN_TOKEN_BYTES: usize = HEAD_LEN + TAG_LEN;

/// One key of the ring, prepared for use.
struct Entry {
    id: u8,
    /// Zeroizes its key when dropped.
    aead: XChaCha20Poly1305,
    jwt: SigningKey,
}

/// Seals and opens tokens with a [`KeyRing`].
///
/// `Debug` shows the key ids only.
pub struct Codec {
    /// Current first; never empty (a [`KeyRing`] never is).
    entries: Vec<Entry>,
}

impl Codec {
    pub fn new(ring: KeyRing) -> Self {
        jwt::install_crypto_provider();
        let entries = ring
            .keys()
            .iter()
            .map(|key| Entry {
                id: key.id,
                aead: XChaCha20Poly1305::new(&key.enc.into()),
                jwt: SigningKey::new(&key.sig),
            })
            .collect();
        Self { entries }
    }

    /// Seals `claims` with the current key and the given nonce. Deterministic: the same ring,
    /// claims and nonce give the same token. Meant for test vectors; [`TokenCodec::seal`] calls it
    /// with a fresh random nonce, and a nonce must never be used twice with the same key.
    pub fn seal_with_nonce(
        &self,
        claims: &Claims,
        nonce: [u8; NONCE_LEN],
    ) -> domain::Result<String> {
        let entry = self.current();
        let jwt = entry.jwt.sign(claims)?;
        let mut bytes = Vec::with_capacity(MIN_TOKEN_BYTES + jwt.len());
        bytes.push(entry.id);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(jwt.as_bytes());
        let (head, plaintext) = bytes.split_at_mut(HEAD_LEN);
        let (key_id, nonce) = head.split_at(1);
        let tag = entry
            .aead
            .encrypt_in_place_detached(XNonce::from_slice(nonce), key_id, plaintext)
            .map_err(|_| domain::Error::internal("cannot encrypt a token"))?;
        bytes.extend_from_slice(&tag);
        Ok(hex::encode(bytes))
    }

    fn current(&self) -> &Entry {
        &self.entries[0]
    }

    fn entry(&self, id: u8) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

impl TokenCodec for Codec {
    fn seal(&self, claims: &Claims) -> domain::Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.try_fill_bytes(&mut nonce).map_err(|e| {
            domain::Error::Internal(domain::Cause::with_source(
                "no randomness for a token nonce",
                e,
            ))
        })?;
        self.seal_with_nonce(claims, nonce)
    }

    fn open(&self, token: &str) -> Result<Claims, TokenError> {
        let mut bytes = hex::decode(token.trim()).map_err(|_| TokenError::NotHex)?;
        if bytes.len() < MIN_TOKEN_BYTES {
            return Err(TokenError::Truncated);
        }
        let entry = self.entry(bytes[0]).ok_or(TokenError::UnknownKey)?;
        let (head, body) = bytes.split_at_mut(HEAD_LEN);
        let (key_id, nonce) = head.split_at(1);
        let (ciphertext, tag) = body.split_at_mut(body.len() - TAG_LEN);
        entry
            .aead
            .decrypt_in_place_detached(
                XNonce::from_slice(nonce),
                key_id,
                ciphertext,
                Tag::from_slice(tag),
            )
            .map_err(|_| TokenError::Decryption)?;
        let jwt = std::str::from_utf8(ciphertext).map_err(|_| TokenError::Signature)?;
        entry.jwt.verify(jwt)
    }
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<u8> = self.entries.iter().map(|e| e.id).collect();
        f.debug_struct("Codec")
            .field("current", &self.current().id)
            .field("ids", &ids)
            .finish_non_exhaustive()
    }
}
