//! Identifiers.
//!
//! Objects we create get UUIDs (v7, time-ordered, so that newest-first lists follow insertion order).
//! People come from identity providers and keep the provider's id (`EMP1`, a UUID, ...), so
//! [`ActorId`] is an opaque string.

use std::fmt;

use uuid::Uuid;

use crate::{Error, Result};

/// Mints new ids. Adapters use UUID v7; tests use fixed ones.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait IdGenerator: Send + Sync {
    /// A new id, never returned before.
    fn new_id(&self) -> Uuid;
}

/// The production generator: UUID v7.
#[derive(Debug, Default, Clone, Copy)]
pub struct UuidV7;

impl IdGenerator for UuidV7 {
    fn new_id(&self) -> Uuid {
        Uuid::now_v7()
    }
}

/// Parses a client-supplied id; `field` names it in the error.
pub fn parse_uuid(field: &str, raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim())
        .map_err(|_| Error::invalid(field, "format", format!("{field} must be a UUID")))
}

/// Who a token speaks for: a patient, a doctor or staff member, an integration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActorId(String);

impl ActorId {
    /// Any non-empty id of at most 128 characters without control characters.
    pub fn parse(raw: &str) -> Result<Self> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > 128 || trimmed.chars().any(char::is_control) {
            return Err(Error::invalid(
                "sub",
                "format",
                "an id must be 1 to 128 printable characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
