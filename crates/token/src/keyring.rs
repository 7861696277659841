//! The key ring: the current key seals new tokens, the older keys still open the tokens they
//! sealed, so keys can be rotated without logging anyone out.

use std::fmt;

use rand::RngCore;
use rand::rngs::OsRng;

use crate::error::TokenConfigError;

/// Bytes of an encryption key (XChaCha20-Poly1305).
pub const ENC_KEY_LEN: usize = 32;
/// Fewest bytes of a signing key (HMAC-SHA256).
pub const MIN_SIG_KEY_LEN: usize = 32;

/// Bytes of the signing keys that [`KeyRing::generate`] and [`KeyRing::rotate`] make.
const NEW_SIG_KEY_LEN: usize = 32;

/// The first line of [`KeyRing::to_text`].
const TEXT_HEADER: &str = "\
# Token key ring, one key per line: ID:ENC_HEX:SIG_HEX
# ID is the key id (0-255), ENC_HEX the 32-byte encryption key (64 hex characters), SIG_HEX the
# signing key (32 bytes or more, 64 hex characters or more). The first key is current: it seals
# new tokens. The others still open the tokens they sealed. Keep this file private.
";

/// One entry of the ring.
#[derive(Clone)]
pub(crate) struct Key {
    pub(crate) id: u8,
    pub(crate) enc: [u8; ENC_KEY_LEN],
    pub(crate) sig: Vec<u8>,
}

impl Key {
    fn random(id: u8) -> Self {
        let mut enc = [0u8; ENC_KEY_LEN];
        OsRng.fill_bytes(&mut enc);
        let mut sig = vec![0u8; NEW_SIG_KEY_LEN];
        OsRng.fill_bytes(&mut sig);
        Self { id, enc, sig }
    }
}

/// The token keys, current first. Never empty; ids are unique.
///
/// `Debug` shows the ids only.
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<Key>,
}

impl KeyRing {
    /// How many keys [`KeyRing::rotate`] keeps: the new current key and the most recent older ones.
    pub const ROTATE_KEEPS: usize = 8;

    /// Reads a ring: entries `ID:ENC_HEX:SIG_HEX` separated by commas and/or newlines, the first
    /// one current. Blank lines and lines starting with `#` are skipped. `ID` is decimal 0 to 255,
    /// `ENC_HEX` exactly 64 hex digits, `SIG_HEX` an even number of hex digits, at least 64; either
    /// case of hex is accepted.
    pub fn parse(text: &str) -> Result<Self, TokenConfigError> {
        let entries = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.starts_with('#'))
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .filter(|entry| !entry.is_empty());
        let mut keys: Vec<Key> = Vec::new();
        for (index, entry) in entries.enumerate() {
            let position = index + 1;
            let key = parse_entry(position, entry)?;
            if let Some(first) = keys.iter().position(|k| k.id == key.id) {
                return Err(TokenConfigError::DuplicateId {
                    entry: position,
                    id: key.id,
                    first: first + 1,
                });
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(TokenConfigError::Empty);
        }
        Ok(Self { keys })
    }

    /// A ring of one fresh random key, id 1, from the operating system's random source.
    pub fn generate() -> Self {
        Self {
            keys: vec![Key::random(1)],
        }
    }

    /// A new ring whose current key is fresh and random; the keys of `self` follow it, so tokens
    /// they sealed still open, up to [`KeyRing::ROTATE_KEEPS`] keys in all (the oldest go).
    ///
    /// The new id is the current id plus one; past 255, or when that id is taken, it is the next
    /// free one counting on from there, wrapping from 255 to 0 (so after 255 comes the smallest
    /// free id).
    pub fn rotate(&self) -> Self {
        let kept = &self.keys[..self.keys.len().min(Self::ROTATE_KEEPS - 1)];
        let current = self.current_id();
        let after_current = (1..=u8::MAX).map(|step| current.wrapping_add(step));
        let is_free_in = |keys: &[Key], id: u8| keys.iter().all(|k| k.id != id);
        // Prefer an id no key of `self` has, so a dropped key's tokens are refused as sealed by an
        // unknown key; with all 256 ids in use, reuse the id of a dropped key.
        let id = after_current
            .clone()
            .find(|&id| is_free_in(&self.keys, id))
            .or_else(|| after_current.clone().find(|&id| is_free_in(kept, id)))
            .unwrap_or(current.wrapping_add(1));
        let mut keys = Vec::with_capacity(kept.len() + 1);
        keys.push(Key::random(id));
        keys.extend(kept.iter().cloned());
        Self { keys }
    }

    /// The ring in the text form [`KeyRing::parse`] reads: a comment header, then one entry per
    /// line, current first, lowercase hex.
    pub fn to_text(&self) -> String {
        let mut text = String::from(TEXT_HEADER);
        for key in &self.keys {
            text.push_str(&key.id.to_string());
            text.push(':');
            text.push_str(&hex::encode(key.enc));
            text.push(':');
            text.push_str(&hex::encode(&key.sig));
            text.push('\n');
        }
        text
    }

    /// The id of the key that seals new tokens.
    pub fn current_id(&self) -> u8 {
        self.keys[0].id
    }

    /// The ids of all keys, current first.
    pub fn ids(&self) -> Vec<u8> {
        self.keys.iter().map(|k| k.id).collect()
    }

    /// The keys, current first.
    pub(crate) fn keys(&self) -> &[Key] {
        &self.keys
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current_id())
            .field("ids", &self.ids())
            .finish_non_exhaustive()
    }
}

/// One `ID:ENC_HEX:SIG_HEX` entry. Errors name the entry and the field, never its content.
fn parse_entry(entry: usize, text: &str) -> Result<Key, TokenConfigError> {
    let fields: Vec<&str> = text.split(':').map(str::trim).collect();
    let [id, enc_hex, sig_hex] = fields[..] else {
        return Err(TokenConfigError::Fields {
            entry,
            found: fields.len(),
        });
    };

    if id.is_empty() || id.len() > 3 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TokenConfigError::Id { entry });
    }
    let id: u8 = id.parse().map_err(|_| TokenConfigError::Id { entry })?;

    let found = enc_hex.chars().count();
    if found != 2 * ENC_KEY_LEN {
        return Err(TokenConfigError::EncKeyLength { entry, found });
    }
    let mut enc = [0u8; ENC_KEY_LEN];
    hex::decode_to_slice(enc_hex, &mut enc)
        .map_err(|_| TokenConfigError::EncKeyNotHex { entry })?;

    let found = sig_hex.chars().count();
    if found < 2 * MIN_SIG_KEY_LEN || found % 2 != 0 {
        return Err(TokenConfigError::SigKeyLength { entry, found });
    }
    let sig = hex::decode(sig_hex).map_err(|_| TokenConfigError::SigKeyNotHex { entry })?;

    Ok(Key { id, enc, sig })
}
