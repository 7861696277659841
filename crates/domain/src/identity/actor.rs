use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::kernel::ids::ActorId;
use crate::{Error, Result};

/// The surface a token is for. A token for one surface is refused on every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Audience {
    /// Patients, on `/app`.
    #[serde(rename = "snr_usr")]
    SnrUsr,
    /// Doctors and coordinators, on `/pro`.
    #[serde(rename = "snr_pro")]
    SnrPro,
    /// Second-opinion administrators, on `/admin`.
    #[serde(rename = "snr_admin")]
    SnrAdmin,
    /// Clinic staff, on `/api`.
    #[serde(rename = "clinic")]
    Clinic,
    /// eHealth integrations, on `/api/v3/declaration_requests`.
    #[serde(rename = "ehealth")]
    Ehealth,
}

impl Audience {
    pub const ALL: [Audience; 5] = [
        Audience::SnrUsr,
        Audience::SnrPro,
        Audience::SnrAdmin,
        Audience::Clinic,
        Audience::Ehealth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::SnrUsr => "snr_usr",
            Audience::SnrPro => "snr_pro",
            Audience::SnrAdmin => "snr_admin",
            Audience::Clinic => "clinic",
            Audience::Ehealth => "ehealth",
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Audience {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Audience::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "aud",
                    "one_of",
                    "audience must be one of snr_usr, snr_pro, snr_admin, clinic, ehealth",
                )
            })
    }
}

/// Staff roles. Second-opinion roles (`coordinator`, `specialist`) and clinic roles share one set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    Doctor,
    Technician,
    Receptionist,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Doctor => "doctor",
            Role::Technician => "technician",
            Role::Receptionist => "receptionist",
        }
    }
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        [Role::Admin, Role::Coordinator, Role::Doctor, Role::Technician, Role::Receptionist]
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "roles",
                    "one_of",
                    format!(
                        "unknown role {s:?}: roles are admin, coordinator, doctor, technician, receptionist"
                    ),
                )
            })
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
}

/// An authenticated caller, as handlers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: ActorId,
    pub audience: Audience,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    pub jti: String,
    /// Expiry, seconds since the Unix epoch.
    pub expires_at: i64,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r == role.as_str())
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}
