//! Signing in with a username and password (`POST /api/auth/login`), and out.
//!
//! An unknown username, a wrong password and a deactivated account get one and the same answer,
//! in about the same time: a password is checked against a hash in every case (a dummy one when
//! the username is unknown), so neither the answer nor its timing tells which usernames exist.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::password::{Password, PasswordHasher};
use super::staff::{IssuedToken, StaffAccount, StaffRepository, username_key};
use super::throttle::LoginThrottle;
use crate::identity::{Actor, Audience, AuthService, IssueRequest, Role};
use crate::kernel::code::Code;
use crate::kernel::error::AuthFailure;
use crate::kernel::ids::TokenId;
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, Result};

/// How long a sign-in's token lives unless configured otherwise: a working day and then some.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// What a sign-in asks for.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub username: String,
    pub password: Password,
    /// The service the token is for: the clinic's unless `snr_pro` or `snr_admin` is asked.
    pub audience: Option<Audience>,
    /// The client's address, for the per-address limit on failures.
    pub client_addr: Option<String>,
}

/// A sign-in that worked: the token, and the account it speaks for.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub token: String,
    pub account: StaffAccount,
}

/// The ports sign-in uses.
#[derive(Clone)]
pub struct LoginPorts {
    pub staff: Arc<dyn StaffRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub throttle: Arc<dyn LoginThrottle>,
    pub auth: AuthService,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for LoginPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginPorts").finish_non_exhaustive()
    }
}

/// Signs staff in and out.
#[derive(Clone)]
pub struct LoginService {
    ports: LoginPorts,
    ttl: Duration,
    /// A hash of no one's password, checked against when the username is unknown.
    dummy: Arc<OnceLock<String>>,
}

impl fmt::Debug for LoginService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginService")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// The one answer to every failed sign-in.
fn refused() -> Error {
    Error::Unauthorized(AuthFailure::Credentials)
}

impl LoginService {
    pub fn new(ports: LoginPorts, ttl: Duration) -> Self {
        Self {
            ports,
            ttl,
            dummy: Arc::new(OnceLock::new()),
        }
    }

    /// Checks the password and issues a token for the requested service.
    ///
    /// 429 ([`Error::TooManyRequests`]) while the account or the address has too many recent
    /// failures; 401 ([`AuthFailure::Credentials`]) for a wrong username or password or an inactive
    /// account; 403 when the account may not have a token for the service asked for (`snr_pro`
    /// needs a provider id, `snr_admin` the `admin` role; no other service is given out here).
    pub fn login(&self, request: &LoginRequest) -> Result<LoggedIn> {
        let p = &self.ports;
        let key = username_key(&request.username);
        if let Some(retry_after) = p.throttle.blocked(&key, request.client_addr.clone()) {
            return Err(Error::TooManyRequests {
                text: Text::new(Key::LoginThrottled)
                    .with("n", i64::try_from(retry_after).unwrap_or(i64::MAX)),
                retry_after,
            });
        }
        let found = p.staff.find_by_username_key(&key)?;
        let verified = match &found {
            Some((_, hash)) => p.hasher.verify(&request.password, hash)?,
            None => {
                // The same work as for a real account, then the same refusal.
                let dummy = self.dummy_hash()?;
                let _ = p.hasher.verify(&request.password, &dummy)?;
                false
            }
        };
        let account = match found {
            Some((account, _)) if verified && account.is_active => account,
            _ => {
                p.throttle.failed(&key, request.client_addr.clone());
                return Err(refused());
            }
        };
        p.throttle.succeeded(&key);
        let (audience, subject) = match request.audience.unwrap_or(Audience::Clinic) {
            Audience::Clinic => (Audience::Clinic, account.id.to_string()),
            Audience::SnrPro => match &account.provider_id {
                Some(provider) => (Audience::SnrPro, provider.as_str().to_owned()),
                None => return Err(audience_refused(Audience::SnrPro)),
            },
            Audience::SnrAdmin if account.has_role(Role::Admin) => {
                (Audience::SnrAdmin, account.id.to_string())
            }
            other => return Err(audience_refused(other)),
        };
        let (token, claims) = p.auth.issue_with_claims(&IssueRequest {
            audience,
            subject,
            roles: account.roles.clone(),
            scope: None,
            client_id: None,
            ttl: self.ttl,
        })?;
        let jti = TokenId::parse("jti", &claims.jti)?;
        p.staff.record_token(
            account.id,
            IssuedToken {
                jti,
                expires_at: claims.exp,
            },
            p.clock.now(),
        )?;
        Ok(LoggedIn { token, account })
    }

    /// Ends the caller's session: its token is refused from now on, on every instance.
    pub fn logout(&self, actor: &Actor) -> Result<()> {
        self.ports.auth.revoke(actor)
    }

    fn dummy_hash(&self) -> Result<String> {
        if let Some(hash) = self.dummy.get() {
            return Ok(hash.clone());
        }
        let hash = self.ports.hasher.hash(&Password::given(DUMMY_PASSWORD))?;
        Ok(self.dummy.get_or_init(|| hash).clone())
    }
}

/// The password behind the dummy hash: random-looking, so no one types it by chance.
const DUMMY_PASSWORD: &str = "8f3c1e7a-dummy-5b2d9c64";

fn audience_refused(audience: Audience) -> Error {
    Error::Forbidden(Text::new(Key::LoginAudienceRefused).with("value", audience.as_str()))
}
