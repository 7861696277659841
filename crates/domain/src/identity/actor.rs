use std::fmt;

use serde::{Deserialize, Serialize};

use crate::kernel::code::{Code, choice_error};
use crate::kernel::ids::{ActorId, TokenId};
use crate::kernel::text::{Arg, Key, Text};
use crate::{Error, FieldError, Result};

/// The surface a token is for. A token for one surface is refused on every other.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Audience {
    /// Patients, on `/app`.
    SnrUsr,
    /// Doctors and coordinators, on `/pro`.
    SnrPro,
    /// Second-opinion administrators, on `/admin`.
    SnrAdmin,
    /// Clinic staff, on `/api`.
    Clinic,
    /// eHealth integrations, on `/api/v3/declaration_requests`.
    Ehealth,
}

impl Audience {
    /// Parses an audience named by an operator or a client (`aud`).
    pub fn parse(raw: &str) -> Result<Self> {
        Self::from_code(raw.trim()).ok_or_else(|| choice_error::<Self>("aud"))
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Staff roles. Second-opinion roles (`coordinator`, `specialist`) and clinic roles share one set.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    Doctor,
    Technician,
    Receptionist,
}

impl Role {
    /// Parses a role named in a token request or a staff account.
    pub fn parse(raw: &str) -> Result<Self> {
        Self::from_code(raw.trim()).ok_or_else(|| {
            Error::field(FieldError::new(
                "roles",
                "one_of",
                Text::new(Key::InvalidRole).with("role", raw).with(
                    "choices",
                    Arg::Choices(Self::codes().into_iter().map(str::to_owned).collect()),
                ),
            ))
        })
    }

    /// The role's name in the caller's language.
    pub fn text(self) -> Text {
        Text::term(Key::RoleName, self.as_str())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claims inside a token (the inner JWT's payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub aud: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Unique token id, the handle for revocation.
    pub jti: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Space-separated scopes (eHealth tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The caller's legal entity (eHealth tokens): requests of another legal entity are not theirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// An authenticated caller, as handlers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: ActorId,
    pub audience: Audience,
    pub roles: Vec<Role>,
    pub scopes: Vec<String>,
    /// The `client_id` claim, as issued.
    pub client_id: Option<String>,
    pub jti: TokenId,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: i64,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}
