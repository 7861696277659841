//! Why a key ring could not be read.

/// A key ring text that cannot be used. Entries are numbered from 1, counting only entries (not
/// comment or blank lines). No message ever repeats a field of an entry, so a key cannot leak into
/// a log through a typo.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenConfigError {
    #[error("the token key ring is empty: expected at least one ID:ENC_HEX:SIG_HEX entry")]
    Empty,
    #[error(
        "key ring entry {entry}: expected ID:ENC_HEX:SIG_HEX (3 fields separated by ':'), found {found} field(s)"
    )]
    Fields { entry: usize, found: usize },
    #[error("key ring entry {entry}: the key id must be a decimal number from 0 to 255")]
    Id { entry: usize },
    #[error(
        "key ring entry {entry}: the encryption key must be exactly 64 hex characters (32 bytes), found {found} characters"
    )]
    EncKeyLength { entry: usize, found: usize },
    #[error("key ring entry {entry}: the encryption key has characters that are not hex digits")]
    EncKeyNotHex { entry: usize },
    #[error(
        "key ring entry {entry}: the signing key must be an even number of hex characters, at least 64 (32 bytes), found {found} characters"
    )]
    SigKeyLength { entry: usize, found: usize },
    #[error("key ring entry {entry}: the signing key has characters that are not hex digits")]
    SigKeyNotHex { entry: usize },
    #[error("key ring entry {entry}: key id {id} is already used by entry {first}")]
    DuplicateId { entry: usize, id: u8, first: usize },
}
