//! What the clinic's sign-in and staff routes read and answer: bodies (unknown fields refused),
//! the list's query, and the account as clients see it.

use domain::Error;
use domain::clinic::{self as c, Me, Password, StaffAccount, StaffChanges, StaffFilter};
use domain::identity::Audience;
use domain::kernel::code::{Code, choice_error_of};
use domain::kernel::paging::PageRequest;
use domain::kernel::time::format_rfc3339;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};

use super::wire::{Lengths, PROVIDER_ID_PATTERN, ProviderIdText};

/// A clinic role's code.
#[derive(Debug)]
pub struct ClinicRole;

fn clinic_role_codes() -> Vec<&'static str> {
    c::CLINIC_ROLES.iter().map(|r| r.as_str()).collect()
}

impl utoipa::PartialSchema for ClinicRole {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A clinic role."))
            .enum_values(Some(clinic_role_codes()))
            .into()
    }
}

impl ToSchema for ClinicRole {}

/// An account's roles as sent: at least one clinic role.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct RolesText(pub Vec<String>);

impl utoipa::PartialSchema for RolesText {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(ClinicRole::schema())
            .min_items(Some(1))
            .into()
    }
}

impl ToSchema for RolesText {}

/// A person's name on an account: 1 to 100 characters, not blank, no control characters
/// (surrounding whitespace is trimmed).
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct StaffNameText(pub String);

impl utoipa::PartialSchema for StaffNameText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(c::StaffName::MAX))
            .pattern(Some(PROVIDER_ID_PATTERN))
            .into()
    }
}

impl ToSchema for StaffNameText {}

/// `POST /api/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    #[schema(pattern = r"^[^\u0000]*$")]
    pub username: String,
    #[schema(pattern = r"^[^\u0000]*$")]
    pub password: String,
    /// The service the token is for: `clinic` (the default), `snr_pro` (an account linked to a
    /// provider) or `snr_admin` (an account with `admin`).
    #[schema(value_type = Option<String>, nullable, pattern = "^(clinic|snr_pro|snr_admin)$")]
    #[serde(default)]
    pub audience: Option<String>,
}

impl LoginBody {
    pub(crate) fn audience(&self) -> Result<Option<Audience>, Error> {
        let allowed = [Audience::Clinic, Audience::SnrPro, Audience::SnrAdmin];
        self.audience
            .as_deref()
            .map(|raw| {
                Audience::from_code(raw)
                    .filter(|a| allowed.contains(a))
                    .ok_or_else(|| {
                        let codes: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                        choice_error_of("audience", &codes)
                    })
            })
            .transpose()
    }
}

/// `POST /api/admins`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStaffBody {
    /// 3 to 64 letters, digits, `.`, `_` or `-`; unique whatever its case.
    #[schema(min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9._-]{3,64}$")]
    pub username: String,
    /// 10 to 128 characters, neither one of the commonest passwords nor the username.
    #[schema(min_length = 10, max_length = 128, pattern = r"^[^\u0000]*$")]
    pub password: String,
    pub name: StaffNameText,
    #[serde(default)]
    #[schema(nullable)]
    pub name_ar: Option<StaffNameText>,
    pub roles: RolesText,
    /// The second-opinion provider (`EMP3`) this account also is: it may then sign in for `/pro`.
    #[serde(default)]
    #[schema(nullable)]
    pub provider_id: Option<ProviderIdText>,
}

impl CreateStaffBody {
    pub(crate) fn input(self) -> Result<c::NewStaff, Error> {
        Lengths::new()
            .between("name", Some(&self.name.0), 100)
            .between("name_ar", self.name_ar.as_ref().map(|n| n.0.as_str()), 100)
            .finish()?;
        Ok(c::NewStaff {
            username: self.username,
            password: Password::given(self.password),
            name: self.name.0,
            name_ar: self.name_ar.map(|n| n.0),
            roles: self.roles.0,
            provider_id: self.provider_id.map(|p| p.0),
        })
    }
}

/// Reads a field that may be absent (`None`), `null` (`Some(None)`) or a value.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `PUT /api/admins/{id}`: what is sent changes; what is left out stays. `roles`, `is_active` and
/// `provider_id` need `admin`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaffBody {
    #[serde(default)]
    #[schema(nullable)]
    pub name: Option<StaffNameText>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<StaffNameText>, nullable)]
    pub name_ar: Option<Option<StaffNameText>>,
    #[serde(default)]
    #[schema(nullable)]
    pub roles: Option<RolesText>,
    #[serde(default)]
    #[schema(nullable)]
    pub is_active: Option<bool>,
    /// `null` unlinks the provider.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<ProviderIdText>, nullable)]
    pub provider_id: Option<Option<ProviderIdText>>,
}

impl UpdateStaffBody {
    pub(crate) fn changes(self) -> Result<StaffChanges, Error> {
        Lengths::new()
            .between("name", self.name.as_ref().map(|n| n.0.as_str()), 100)
            .between(
                "name_ar",
                self.name_ar
                    .as_ref()
                    .and_then(|n| n.as_ref().map(|n| n.0.as_str())),
                100,
            )
            .finish()?;
        Ok(StaffChanges {
            name: self.name.map(|n| n.0),
            name_ar: self.name_ar.map(|n| n.map(|n| n.0)),
            roles: self.roles.map(|r| r.0),
            is_active: self.is_active,
            provider_id: self.provider_id.map(|p| p.map(|p| p.0)),
        })
    }
}

/// `PUT /api/admins/{id}/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    /// The current password.
    #[schema(min_length = 1, max_length = 128, pattern = r"^[^\u0000]*$")]
    pub old_password: String,
    /// 10 to 128 characters, neither one of the commonest passwords nor the username.
    #[schema(min_length = 10, max_length = 128, pattern = r"^[^\u0000]*$")]
    pub new_password: String,
}

/// `GET /api/admins`.
#[derive(Debug, Deserialize)]
pub(crate) struct StaffQuery {
    pub role: Option<String>,
    pub is_active: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

use super::clinic_params::whole as query_whole;

impl StaffQuery {
    /// The filter and the page asked for, each wrong parameter named.
    pub(crate) fn parse(self) -> Result<(StaffFilter, PageRequest), Error> {
        let mut invalid = Vec::new();
        let mut take = |e: Error| {
            if let Error::Validation(fields) = e {
                invalid.extend(fields);
            }
        };
        let role = self
            .role
            .as_deref()
            .map(c::staff::parse_role_filter)
            .transpose()
            .unwrap_or_else(|e| {
                take(e);
                None
            });
        let is_active = self
            .is_active
            .as_deref()
            .map(c::staff::parse_is_active)
            .transpose()
            .unwrap_or_else(|e| {
                take(e);
                None
            });
        let page = query_whole("page", self.page.as_deref());
        let limit = query_whole("limit", self.limit.as_deref());
        let paging = match (page, limit) {
            (Ok(p), Ok(l)) => PageRequest::from_client(p, l, "limit").map_err(take).ok(),
            (p, l) => {
                invalid.extend(p.err());
                invalid.extend(l.err());
                None
            }
        };
        match paging {
            Some(paging) if invalid.is_empty() => Ok((
                StaffFilter {
                    role,
                    is_active,
                    only: None,
                },
                paging,
            )),
            _ => Err(Error::Validation(invalid)),
        }
    }
}

/// A staff account as clients see it (never its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    pub username: String,
    pub name: String,
    pub name_ar: Option<String>,
    #[schema(value_type = Vec<ClinicRole>)]
    pub roles: Vec<&'static str>,
    pub is_active: bool,
    /// The second-opinion provider this account also is.
    pub provider_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<StaffAccount> for StaffView {
    fn from(a: StaffAccount) -> Self {
        Self {
            id: a.id.to_string(),
            username: a.username.as_str().to_owned(),
            name: a.name.as_str().to_owned(),
            name_ar: a.name_ar.map(|n| n.as_str().to_owned()),
            roles: a.roles.iter().map(|r| r.as_str()).collect(),
            is_active: a.is_active,
            provider_id: a.provider_id.map(|p| p.as_str().to_owned()),
            created_at: format_rfc3339(a.created_at),
            updated_at: format_rfc3339(a.updated_at),
        }
    }
}

/// A token's subject that is no account (a token issued on the command line): its id and roles.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenSubjectView {
    pub id: String,
    #[schema(value_type = Vec<ClinicRole>)]
    pub roles: Vec<&'static str>,
}

/// Who `/api/auth/me` describes.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MeView {
    Account(StaffView),
    Token(TokenSubjectView),
}

impl From<Me> for MeView {
    fn from(me: Me) -> Self {
        match me {
            Me::Account(a) => MeView::Account(a.into()),
            Me::Token { id, roles } => MeView::Token(TokenSubjectView {
                id: id.as_str().to_owned(),
                roles: roles
                    .iter()
                    .filter(|r| c::CLINIC_ROLES.contains(r))
                    .map(|r| r.as_str())
                    .collect(),
            }),
        }
    }
}

/// What signing in answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginView {
    /// Send it in `Authorization` (bare or after `Bearer `).
    pub token: String,
    pub admin: StaffView,
}

/// What signing out answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogoutView {
    /// Always true: the token is refused from now on.
    pub revoked: bool,
}
