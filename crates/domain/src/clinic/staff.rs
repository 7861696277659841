//! Staff accounts ([003] calls them admins): who may sign in to the clinic, with which roles, and
//! the port that stores them.
//!
//! The values here are validated where they are built ([`Username::parse`], [`StaffName::parse`],
//! [`clinic_roles`]), so an account in hand always holds a usable username, a name and at least
//! one clinic role.

use time::OffsetDateTime;

use super::ids::StaffId;
use crate::identity::Role;
use crate::kernel::code::{Code, choice_error_of};
use crate::kernel::ids::{ActorId, TokenId};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Arg, Key, Text};
use crate::{Error, FieldError, Result};

/// The roles a staff account may hold: the clinic's ([`super::policy::ANY_STAFF`]).
pub const CLINIC_ROLES: &[Role] = super::policy::ANY_STAFF;

/// A username: 3 to 64 letters, digits, `.`, `_` or `-`, unique whatever its case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MIN: usize = 3;
    pub const MAX: usize = 64;

    /// Parses a username as sent; nothing is trimmed, so what is stored is what was typed.
    pub fn parse(raw: &str) -> Result<Self> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        let length = raw.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&length) || !raw.chars().all(allowed) {
            return Err(Error::field(FieldError::new(
                "username",
                "format",
                Text::new(Key::UsernameInvalid)
                    .field("field", "username")
                    .with("min", Self::MIN)
                    .with("max", Self::MAX),
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    /// An username read back from storage, where [`Username::parse`] wrote it.
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What uniqueness is judged on: the username in lowercase.
    pub fn key(&self) -> String {
        username_key(&self.0)
    }
}

/// The lookup key of any text typed as a username at sign-in (it need not be a valid username).
pub fn username_key(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// A person's name on an account: 1 to 100 characters once trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffName(String);

impl StaffName {
    pub const MAX: usize = 100;

    /// Parses `raw` for `field` (`name`, `name_ar`), trimmed.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length == 0 || length > Self::MAX || trimmed.chars().any(char::is_control) {
            return Err(Error::field(FieldError::new(
                field,
                "length",
                Text::new(Key::StaffNameInvalid)
                    .field("field", field)
                    .with("min", 1i64)
                    .with("max", Self::MAX),
            )));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The roles of an account as sent: clinic roles only, at least one; sorted, without repeats.
pub fn clinic_roles(raw: &[String]) -> Result<Vec<Role>> {
    let choices = || Arg::Choices(CLINIC_ROLES.iter().map(|r| r.as_str().to_owned()).collect());
    let mut roles = Vec::with_capacity(raw.len());
    for name in raw {
        match Role::from_code(name.trim()).filter(|r| CLINIC_ROLES.contains(r)) {
            Some(role) => roles.push(role),
            None => {
                return Err(Error::field(FieldError::new(
                    "roles",
                    "one_of",
                    Text::new(Key::InvalidRole)
                        .with("role", name.as_str())
                        .with("choices", choices()),
                )));
            }
        }
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(Error::field(FieldError::new(
            "roles",
            "required",
            Text::new(Key::StaffRolesRequired).with("choices", choices()),
        )));
    }
    Ok(roles)
}

/// A provider id as sent (`EMP3`): the second-opinion doctor this account also is.
pub fn provider_id(raw: &str) -> Result<ActorId> {
    ActorId::parse(raw).map_err(|_| {
        Error::field(FieldError::new(
            "provider_id",
            "format",
            Text::new(Key::InvalidActorId),
        ))
    })
}

/// A staff account. Its password hash is not part of it: it is read only where a password is
/// checked, so that no answer or log can carry it by accident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub id: StaffId,
    pub username: Username,
    pub name: StaffName,
    pub name_ar: Option<StaffName>,
    /// Clinic roles, sorted, at least one.
    pub roles: Vec<Role>,
    pub is_active: bool,
    /// The second-opinion provider (`EMP…`) this account is, which lets it sign in for `/pro`.
    pub provider_id: Option<ActorId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl StaffAccount {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the account counts as an active admin (one who can manage the others).
    pub fn is_active_admin(&self) -> bool {
        self.is_active && self.has_role(Role::Admin)
    }
}

/// What `GET /api/admins` filters on; every set field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaffFilter {
    /// Accounts holding this role.
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    /// Only this account (what a caller without `admin` sees).
    pub only: Option<StaffId>,
}

/// Parses the `is_active` query parameter: `true` or `false`.
pub fn parse_is_active(raw: &str) -> Result<bool> {
    match raw.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(choice_error_of("is_active", &["true", "false"])),
    }
}

/// Parses the `role` query parameter: a clinic role.
pub fn parse_role_filter(raw: &str) -> Result<Role> {
    Role::from_code(raw.trim())
        .filter(|r| CLINIC_ROLES.contains(r))
        .ok_or_else(|| {
            let codes: Vec<&str> = CLINIC_ROLES.iter().map(|r| r.as_str()).collect();
            choice_error_of("role", &codes)
        })
}

/// How a write of an account went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffWrite {
    Written,
    /// No account has that id.
    Missing,
    /// The write would have left no active admin where there was one; nothing was written.
    LastAdmin,
}

/// A token issued to an account at sign-in, kept until it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedToken {
    pub jti: TokenId,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Staff accounts as stored.
///
/// Contract:
/// - `create` inserts the account with its password hash; a username whose lowercase form
///   ([`Username::key`]) is taken MUST fail with [`Error::Conflict`] (`UsernameTaken`) and write
///   nothing.
/// - `find` returns the account or `None`; `credentials` returns its password hash or `None`.
/// - `find_by_username_key` returns the account whose lowercase username is `key`, with its
///   password hash.
/// - `list` returns the accounts matching every filter set, newest first (creation time, then
///   id), one page, with the total.
/// - `update` writes every field of `account` but its id, username and creation time. It MUST NOT
///   leave the store without an active admin where it had one: when the stored account is an
///   active admin and `account` is not, and no other active admin exists, it writes nothing and
///   answers [`StaffWrite::LastAdmin`]. The check and the write happen in one transaction that
///   holds the active accounts' rows, so two concurrent writes cannot each remove a different last
///   admin.
/// - `set_password` replaces the hash (and `updated_at`); `false` when no account has that id.
/// - `count_active_admins` counts active accounts holding `admin`.
/// - `record_token` remembers a token issued to the account; `live_tokens` returns those that
///   expire after `now_unix`.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait StaffRepository: Send + Sync {
    fn create(&self, account: &StaffAccount, password_hash: &str) -> Result<()>;
    fn find(&self, id: StaffId) -> Result<Option<StaffAccount>>;
    fn credentials(&self, id: StaffId) -> Result<Option<String>>;
    fn find_by_username_key(&self, key: &str) -> Result<Option<(StaffAccount, String)>>;
    fn list(&self, filter: &StaffFilter, page: PageRequest) -> Result<Page<StaffAccount>>;
    fn update(&self, account: &StaffAccount) -> Result<StaffWrite>;
    fn set_password(&self, id: StaffId, hash: &str, at: OffsetDateTime) -> Result<bool>;
    fn count_active_admins(&self) -> Result<u64>;
    fn record_token(&self, id: StaffId, token: IssuedToken, at: OffsetDateTime) -> Result<()>;
    fn live_tokens(&self, id: StaffId, now_unix: i64) -> Result<Vec<IssuedToken>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for ok in ["abc", "dr.lina_haddad-2", &"a".repeat(64)] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            " abc",
            "abc ",
            "a b c",
            "ليلى",
            &"a".repeat(65),
            "a@b.c",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
        let name = Username::parse("Dr.Lina").map(|u| u.key()).ok();
        assert_eq!(name.as_deref(), Some("dr.lina"));
        assert_eq!(username_key("  DR.Lina "), "dr.lina");
    }

    #[test]
    fn names_and_roles() {
        assert_eq!(
            StaffName::parse("name", "  Lina  ").ok().map(|n| n.0),
            Some("Lina".to_owned())
        );
        assert!(StaffName::parse("name", "   ").is_err());
        assert!(StaffName::parse("name", "a\u{7}").is_err());
        assert!(StaffName::parse("name", &"é".repeat(100)).is_ok());
        assert!(StaffName::parse("name", &"é".repeat(101)).is_err());
        let roles = clinic_roles(&["doctor".into(), "admin".into(), "doctor".into()]).ok();
        assert_eq!(roles, Some(vec![Role::Admin, Role::Doctor]));
        assert!(clinic_roles(&[]).is_err());
        assert!(clinic_roles(&["coordinator".into()]).is_err());
        assert!(clinic_roles(&["wizard".into()]).is_err());
        assert_eq!(parse_is_active("false").ok(), Some(false));
        assert!(parse_is_active("yes").is_err());
        assert_eq!(parse_role_filter("technician").ok(), Some(Role::Technician));
        assert!(parse_role_filter("coordinator").is_err());
    }
}
