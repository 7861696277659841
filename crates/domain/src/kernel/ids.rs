//! Identifiers.
//!
//! Objects we create get UUIDs (v7, time-ordered, so that newest-first lists follow insertion order),
//! each entity its own type ([`CaseId`], [`ReviewTypeId`], …) so that one cannot be passed where
//! another is meant. People come from identity providers and keep the provider's id (`EMP1`, a UUID,
//! ...), so [`ActorId`] is an opaque string.

use std::fmt;

use uuid::Uuid;

use super::text::{Key, Text};
use crate::{Error, FieldError, Result};

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

/// Parses a client-supplied UUID; `field` names it in the error.
pub fn parse_uuid(field: &str, raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        Error::field(FieldError::new(
            field,
            "format",
            Text::new(Key::InvalidUuid).field("field", field),
        ))
    })
}

/// Declares a UUID-backed id type for one entity.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses what a client sent; `field` names it in the error.
            pub fn parse(field: &str, raw: &str) -> Result<Self> {
                parse_uuid(field, raw).map(Self)
            }

            /// A new id from `ids`.
            pub fn generate(ids: &dyn IdGenerator) -> Self {
                Self(ids.new_id())
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }
    };
}

// Other contexts declare their own ids with it (`declarations::ids`).
pub(crate) use uuid_id;

uuid_id!(
    /// A review case.
    CaseId
);
uuid_id!(
    /// A review type of the catalogue.
    ReviewTypeId
);
uuid_id!(
    /// A disease category of the catalogue.
    DiseaseCategoryId
);
uuid_id!(
    /// One line of a case's timeline.
    TimelineEntryId
);
uuid_id!(
    /// A notification in the outbox.
    NotificationId
);
uuid_id!(
    /// A token, for revocation (the `jti` claim).
    TokenId
);
uuid_id!(
    /// A doctor's assignment to a case (a row of `second_opinions`, "sop").
    SopId
);
uuid_id!(
    /// A payment for a case.
    PaymentId
);

/// Who a token speaks for: a patient, a doctor or staff member, an integration.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ActorId(String);

impl ActorId {
    /// The id the system itself acts under (scheduled jobs).
    pub fn system() -> Self {
        Self("system".to_owned())
    }

    /// Any non-empty id of at most 128 characters without control characters.
    pub fn parse(raw: &str) -> Result<Self> {
        let trimmed = raw.trim();
        if trimmed.is_empty()
            || trimmed.chars().count() > 128
            || trimmed.chars().any(char::is_control)
        {
            return Err(Error::field(FieldError::new(
                "sub",
                "format",
                Text::new(Key::InvalidActorId),
            )));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// An id read back from storage, where it was written by [`ActorId::parse`].
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_print_hyphenated_lowercase() {
        let raw = "0193A1C0-0000-7000-8000-00000000CA5E";
        let id = CaseId::parse("case_id", raw).unwrap();
        assert_eq!(id.to_string(), raw.to_lowercase());
        let err = CaseId::parse("case_id", "nope").unwrap_err();
        assert!(matches!(err, Error::Validation(ref f) if f[0].field == "case_id"));
    }

    #[test]
    fn actor_ids_are_bounded() {
        assert_eq!(ActorId::parse(" EMP1 ").unwrap().as_str(), "EMP1");
        assert!(ActorId::parse("").is_err());
        assert!(ActorId::parse(&"x".repeat(129)).is_err());
        assert!(ActorId::parse("a\u{7}").is_err());
    }
}
