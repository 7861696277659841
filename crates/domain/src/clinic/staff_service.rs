//! Managing staff accounts (`/api/admins`, `/api/auth/me`): who sees which accounts, who may change
//! what, and the rules that keep the clinic manageable (an admin cannot remove their own admin
//! role or deactivate themselves, and the last active admin stays one).
//!
//! Deactivating an account, changing its password, or changing its roles or provider id ends every
//! token it signed in for, so that what a token says is never older than the account.

use std::fmt;
use std::sync::Arc;

use super::audit::Who;
use super::ids::StaffId;
use super::password::{Password, PasswordHasher};
use super::staff::{
    StaffAccount, StaffFilter, StaffName, StaffRepository, StaffWrite, Username, clinic_roles,
    provider_id,
};
use crate::identity::{RevocationRepository, Role};
use crate::kernel::ids::{ActorId, IdGenerator};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// A new account as sent.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub password: Password,
    pub name: String,
    pub name_ar: Option<String>,
    pub roles: Vec<String>,
    pub provider_id: Option<String>,
}

/// What `PUT /api/admins/{id}` may change; `None` leaves a field as it is (for `name_ar` and
/// `provider_id`, `Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct StaffChanges {
    pub name: Option<String>,
    pub name_ar: Option<Option<String>>,
    pub roles: Option<Vec<String>>,
    pub is_active: Option<bool>,
    pub provider_id: Option<Option<String>>,
}

impl StaffChanges {
    /// The fields only an admin may change that this asks to change.
    fn admin_fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.roles.is_some() {
            fields.push("roles");
        }
        if self.is_active.is_some() {
            fields.push("is_active");
        }
        if self.provider_id.is_some() {
            fields.push("provider_id");
        }
        fields
    }
}

/// Who `/api/auth/me` describes: an account, or, for a token not issued by signing in (the
/// command line issues tokens for any subject), what the token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Me {
    Account(StaffAccount),
    Token { id: ActorId, roles: Vec<Role> },
}

/// The ports the staff service uses.
#[derive(Clone)]
pub struct StaffPorts {
    pub staff: Arc<dyn StaffRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub revocations: Arc<dyn RevocationRepository>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl fmt::Debug for StaffPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaffPorts").finish_non_exhaustive()
    }
}

/// Staff accounts, for callers on the clinic surface (and the command line, as an admin).
#[derive(Clone)]
pub struct StaffService {
    ports: StaffPorts,
}

impl fmt::Debug for StaffService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaffService").finish_non_exhaustive()
    }
}

/// The caller's own account id, when their token speaks for an account.
fn own_id(who: &Who) -> Option<StaffId> {
    uuid::Uuid::parse_str(who.actor.as_str())
        .ok()
        .map(StaffId::from_uuid)
}

fn not_found() -> Error {
    Error::not_found(Key::StaffNotFound)
}

/// Collects the field errors of several parses, so one answer names every wrong field.
#[derive(Default)]
struct Fields(Vec<FieldError>);

impl Fields {
    fn take<T>(&mut self, parsed: Result<T>) -> Result<Option<T>> {
        match parsed {
            Ok(value) => Ok(Some(value)),
            Err(Error::Validation(fields)) => {
                self.0.extend(fields);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.0))
        }
    }
}

/// The parsed value, once [`Fields::finish`] said every field is fine.
fn parsed<T>(value: Option<T>) -> Result<T> {
    value.ok_or_else(|| Error::internal("a field was neither parsed nor refused"))
}

impl StaffService {
    pub fn new(ports: StaffPorts) -> Self {
        Self { ports }
    }

    /// The caller's account, or what their token says when it names no account.
    pub fn me(&self, who: &Who) -> Result<Me> {
        if let Some(id) = own_id(who)
            && let Some(account) = self.ports.staff.find(id)?
        {
            return Ok(Me::Account(account));
        }
        Ok(Me::Token {
            id: who.actor.clone(),
            roles: who.roles.clone(),
        })
    }

    /// A page of accounts: every account matching `filter` for an admin, only the caller's own
    /// for anyone else.
    pub fn list(
        &self,
        who: &Who,
        filter: &StaffFilter,
        page: PageRequest,
    ) -> Result<Page<StaffAccount>> {
        if who.has_role(Role::Admin) {
            return self.ports.staff.list(filter, page);
        }
        let Some(own) = own_id(who) else {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
                request: page,
            });
        };
        let own_only = StaffFilter {
            only: Some(own),
            ..filter.clone()
        };
        self.ports.staff.list(&own_only, page)
    }

    /// One account: the caller's own, or any for an admin; anything else reads as missing.
    pub fn get(&self, who: &Who, id: StaffId) -> Result<StaffAccount> {
        if !who.has_role(Role::Admin) && own_id(who) != Some(id) {
            return Err(not_found());
        }
        self.ports.staff.find(id)?.ok_or_else(not_found)
    }

    /// Creates an account (admins only). A username taken in any case is 409.
    pub fn create(&self, who: &Who, input: NewStaff) -> Result<StaffAccount> {
        require_admin(who)?;
        self.create_account(input)
    }

    /// Creates an account without a caller: the command line's first account, the demo accounts.
    pub fn create_account(&self, input: NewStaff) -> Result<StaffAccount> {
        let mut fields = Fields::default();
        let username = fields.take(Username::parse(&input.username))?;
        let name = fields.take(StaffName::parse("name", &input.name))?;
        let name_ar = fields.take(
            input
                .name_ar
                .as_deref()
                .map(|n| StaffName::parse("name_ar", n))
                .transpose(),
        )?;
        let roles = fields.take(clinic_roles(&input.roles))?;
        let provider = fields.take(input.provider_id.as_deref().map(provider_id).transpose())?;
        let password = fields.take(Password::new_for(
            "password",
            input.password.expose(),
            &input.username,
        ))?;
        fields.finish()?;
        let now = self.ports.clock.now();
        let account = StaffAccount {
            id: StaffId::generate(self.ports.ids.as_ref()),
            username: parsed(username)?,
            name: parsed(name)?,
            name_ar: parsed(name_ar)?,
            roles: parsed(roles)?,
            is_active: true,
            provider_id: parsed(provider)?,
            created_at: now,
            updated_at: now,
        };
        let hash = self.ports.hasher.hash(&parsed(password)?)?;
        self.ports.staff.create(&account, &hash)?;
        Ok(account)
    }

    /// Changes an account. Anyone may change their own names; roles, `is_active` and the provider
    /// id need `admin` (403), and another's account is missing (404) to a non-admin.
    pub fn update(&self, who: &Who, id: StaffId, changes: StaffChanges) -> Result<StaffAccount> {
        let own = own_id(who) == Some(id);
        let admin = who.has_role(Role::Admin);
        if !admin {
            if !own {
                return Err(not_found());
            }
            if let Some(field) = changes.admin_fields().first() {
                return Err(Error::Forbidden(
                    Text::new(Key::StaffFieldNeedsAdmin).field("field", field),
                ));
            }
        }
        let mut fields = Fields::default();
        let name = fields.take(
            changes
                .name
                .as_deref()
                .map(|n| StaffName::parse("name", n))
                .transpose(),
        )?;
        let name_ar = fields.take(
            changes
                .name_ar
                .as_ref()
                .map(|n| {
                    n.as_deref()
                        .map(|n| StaffName::parse("name_ar", n))
                        .transpose()
                })
                .transpose(),
        )?;
        let roles = fields.take(changes.roles.as_deref().map(clinic_roles).transpose())?;
        let provider = fields.take(
            changes
                .provider_id
                .as_ref()
                .map(|p| p.as_deref().map(provider_id).transpose())
                .transpose(),
        )?;
        fields.finish()?;
        let before = self.ports.staff.find(id)?.ok_or_else(not_found)?;
        let mut account = before.clone();
        if let Some(name) = parsed(name)? {
            account.name = name;
        }
        if let Some(name_ar) = parsed(name_ar)? {
            account.name_ar = name_ar;
        }
        if let Some(roles) = parsed(roles)? {
            account.roles = roles;
        }
        if let Some(provider) = parsed(provider)? {
            account.provider_id = provider;
        }
        if let Some(active) = changes.is_active {
            account.is_active = active;
        }
        if own && before.has_role(Role::Admin) && !account.has_role(Role::Admin) {
            return Err(Error::conflict(Key::OwnAdminRole));
        }
        if own && before.is_active && !account.is_active {
            return Err(Error::conflict(Key::CannotDeactivateSelf));
        }
        if account == before {
            return Ok(account);
        }
        account.updated_at = self.ports.clock.now();
        self.write(&account)?;
        let ends_sessions = account.roles != before.roles
            || account.is_active != before.is_active
            || account.provider_id != before.provider_id;
        if ends_sessions {
            self.end_sessions(id)?;
        }
        Ok(account)
    }

    /// Changes the caller's own password (403 for another's account): the old one must be right
    /// (400 naming `old_password`), the new one must meet the policy. Every session of the account
    /// ends, this one included.
    pub fn change_password(
        &self,
        who: &Who,
        id: StaffId,
        old: &Password,
        new: &Password,
    ) -> Result<()> {
        if own_id(who) != Some(id) {
            return Err(Error::Forbidden(Text::new(Key::OwnPasswordOnly)));
        }
        let account = self.ports.staff.find(id)?.ok_or_else(not_found)?;
        let hash = self.ports.staff.credentials(id)?.ok_or_else(not_found)?;
        if !self.ports.hasher.verify(old, &hash)? {
            return Err(Error::field(FieldError::new(
                "old_password",
                "mismatch",
                Text::new(Key::PasswordWrong).field("field", "old_password"),
            )));
        }
        let new = Password::new_for("new_password", new.expose(), account.username.as_str())?;
        let hash = self.ports.hasher.hash(&new)?;
        if !self
            .ports
            .staff
            .set_password(id, &hash, self.ports.clock.now())?
        {
            return Err(not_found());
        }
        self.end_sessions(id)
    }

    /// Deactivates an account (admins only): not one's own, not the last active admin (409). An
    /// account already inactive is answered as it is.
    pub fn deactivate(&self, who: &Who, id: StaffId) -> Result<StaffAccount> {
        require_admin(who)?;
        if own_id(who) == Some(id) {
            return Err(Error::conflict(Key::CannotDeactivateSelf));
        }
        let mut account = self.ports.staff.find(id)?.ok_or_else(not_found)?;
        if !account.is_active {
            return Ok(account);
        }
        account.is_active = false;
        account.updated_at = self.ports.clock.now();
        self.write(&account)?;
        self.end_sessions(id)?;
        Ok(account)
    }

    fn write(&self, account: &StaffAccount) -> Result<()> {
        match self.ports.staff.update(account)? {
            StaffWrite::Written => Ok(()),
            StaffWrite::Missing => Err(not_found()),
            StaffWrite::LastAdmin => Err(Error::conflict(Key::LastActiveAdmin)),
        }
    }

    /// Revokes every token the account signed in for that has not expired yet.
    fn end_sessions(&self, id: StaffId) -> Result<()> {
        let now = self.ports.clock.now();
        for token in self.ports.staff.live_tokens(id, now.unix_timestamp())? {
            self.ports
                .revocations
                .revoke(token.jti, token.expires_at, now)?;
        }
        Ok(())
    }
}

fn require_admin(who: &Who) -> Result<()> {
    if who.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            Text::new(Key::RoleRequired).with("role", Role::Admin.text()),
        ))
    }
}
