use std::sync::Arc;
use std::time::Duration;

use super::{Actor, Audience, Claims, RevocationRepository, Role, TokenCodec, TokenError};
use crate::kernel::code::Code;
use crate::kernel::error::AuthFailure;
use crate::kernel::ids::{ActorId, IdGenerator, TokenId};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// What an operator or the login route asks to be issued.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    pub audience: Audience,
    pub subject: String,
    pub roles: Vec<Role>,
    pub scope: Option<String>,
    /// The caller's legal entity, for eHealth tokens.
    pub client_id: Option<String>,
    pub ttl: Duration,
}

/// The longest a token may live: a year. Longer lived credentials belong in a key, not a token.
const MAX_TTL: Duration = Duration::from_secs(366 * 24 * 3600);

/// Issues, checks and revokes tokens.
#[derive(Clone)]
pub struct AuthService {
    codec: Arc<dyn TokenCodec>,
    revocations: Arc<dyn RevocationRepository>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

impl std::fmt::Debug for AuthService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthService").finish_non_exhaustive()
    }
}

impl AuthService {
    pub fn new(
        codec: Arc<dyn TokenCodec>,
        revocations: Arc<dyn RevocationRepository>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
    ) -> Self {
        Self {
            codec,
            revocations,
            clock,
            ids,
        }
    }

    /// Issues a token.
    pub fn issue(&self, request: &IssueRequest) -> Result<String> {
        self.issue_with_claims(request).map(|(token, _)| token)
    }

    /// Issues a token and tells what it says (its `jti` and expiry), for a caller that keeps track
    /// of the tokens it issued (staff sign-in, to end them all at once later).
    pub fn issue_with_claims(&self, request: &IssueRequest) -> Result<(String, Claims)> {
        let subject = ActorId::parse(&request.subject)?;
        if request.ttl.is_zero() || request.ttl > MAX_TTL {
            return Err(Error::field(FieldError::new(
                "ttl",
                "range",
                Text::new(Key::InvalidTtl),
            )));
        }
        let now = self.clock.now().unix_timestamp();
        let ttl = i64::try_from(request.ttl.as_secs()).unwrap_or(i64::MAX);
        let scope = request
            .scope
            .as_ref()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
        let claims = Claims {
            sub: subject.as_str().to_owned(),
            aud: request.audience.as_str().to_owned(),
            exp: now.saturating_add(ttl),
            iat: now,
            jti: self.ids.new_id().to_string(),
            roles: request
                .roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            scope: scope.filter(|s| !s.is_empty()),
            client_id: request
                .client_id
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
        };
        let token = self.codec.seal(&claims)?;
        Ok((token, claims))
    }

    /// Checks an `Authorization` header value for `audience`: bare hex or `Bearer <hex>`.
    ///
    /// Every refusal is [`Error::Unauthorized`] with a reason that tells a client what to fix
    /// without telling an attacker which check failed cryptographically.
    pub fn authenticate(&self, header: Option<&str>, audience: Audience) -> Result<Actor> {
        let actor = self.verify(header, audience)?;
        self.ensure_not_revoked(&actor)?;
        Ok(actor)
    }

    /// The checks that need no storage: the token opens, is for `audience`, and has not expired.
    /// A caller MUST follow with [`AuthService::ensure_not_revoked`] before acting for the actor;
    /// the split lets an adapter run that check in the same trip to storage as the request's work.
    pub fn verify(&self, header: Option<&str>, audience: Audience) -> Result<Actor> {
        let token = header
            .map(strip_bearer)
            .filter(|t| !t.is_empty())
            .ok_or(Error::Unauthorized(AuthFailure::Missing))?;
        let claims = self.codec.open(token).map_err(|e| {
            Error::Unauthorized(match e {
                TokenError::NotHex | TokenError::Truncated => AuthFailure::Malformed,
                _ => AuthFailure::Invalid,
            })
        })?;
        if claims.aud != audience.as_str() {
            return Err(Error::Unauthorized(AuthFailure::WrongAudience));
        }
        if claims.exp <= self.clock.now().unix_timestamp() {
            return Err(Error::Unauthorized(AuthFailure::Expired));
        }
        let invalid = |_| Error::Unauthorized(AuthFailure::Invalid);
        let id = ActorId::parse(&claims.sub).map_err(invalid)?;
        let jti = TokenId::parse("jti", &claims.jti).map_err(invalid)?;
        // A role this server does not know grants nothing here.
        let roles = claims
            .roles
            .iter()
            .filter_map(|r| Role::from_code(r))
            .collect();
        Ok(Actor {
            id,
            audience,
            roles,
            scopes: claims
                .scope
                .as_deref()
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            client_id: claims.client_id,
            jti,
            expires_at: claims.exp,
        })
    }

    /// What memory says of the actor's token without blocking: `Some` when the revocations are
    /// known in memory (refused if revoked), `None` when only storage can tell
    /// ([`AuthService::ensure_not_revoked`]).
    pub fn revocation_in_memory(&self, actor: &Actor) -> Option<Result<()>> {
        self.revocations
            .is_revoked_in_memory(actor.jti)
            .map(|revoked| {
                if revoked {
                    Err(Error::Unauthorized(AuthFailure::Revoked))
                } else {
                    Ok(())
                }
            })
    }

    /// Refuses a token revoked since it was issued (logout).
    pub fn ensure_not_revoked(&self, actor: &Actor) -> Result<()> {
        if self.revocations.is_revoked(actor.jti)? {
            return Err(Error::Unauthorized(AuthFailure::Revoked));
        }
        Ok(())
    }

    /// Revokes the actor's token (logout). Idempotent.
    pub fn revoke(&self, actor: &Actor) -> Result<()> {
        self.revocations
            .revoke(actor.jti, actor.expires_at, self.clock.now())
    }
}

/// The token part of a header value: bare, or after a `Bearer` scheme (any case).
fn strip_bearer(raw: &str) -> &str {
    let raw = raw.trim();
    match (raw.get(..6), raw.get(6..)) {
        (Some(scheme), Some(rest))
            if scheme.eq_ignore_ascii_case("bearer")
                && rest.chars().next().is_none_or(char::is_whitespace) =>
        {
            rest.trim()
        }
        _ => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::TokenError;
    use crate::identity::ports::{MockRevocationRepository, MockTokenCodec};
    use crate::kernel::ids::MockIdGenerator;
    use crate::kernel::time::MockClock;
    use time::macros::datetime;

    const NOW: i64 = 1_790_000_000;

    fn claims(aud: &str, exp: i64) -> Claims {
        Claims {
            sub: "user-1".into(),
            aud: aud.into(),
            exp,
            iat: NOW - 10,
            jti: "0193a1c0-0000-7000-8000-000000000001".into(),
            roles: vec!["coordinator".into(), "wizard".into()],
            scope: Some("a:b c:d".into()),
            client_id: Some("le-1".into()),
        }
    }

    fn service(
        open: std::result::Result<Claims, TokenError>,
        revoked: Option<bool>,
    ) -> AuthService {
        let mut codec = MockTokenCodec::new();
        codec.expect_open().returning(move |_| open.clone());
        let mut revocations = MockRevocationRepository::new();
        match revoked {
            Some(r) => {
                revocations
                    .expect_is_revoked()
                    .times(1)
                    .returning(move |_| Ok(r));
            }
            None => {
                revocations.expect_is_revoked().never();
            }
        }
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .returning(|| datetime!(2026-09-21 14:13:20 UTC));
        AuthService::new(
            Arc::new(codec),
            Arc::new(revocations),
            Arc::new(clock),
            Arc::new(MockIdGenerator::new()),
        )
    }

    fn refusal(result: Result<Actor>) -> AuthFailure {
        match result {
            Err(Error::Unauthorized(reason)) => reason,
            other => panic!("expected Unauthorized, got {other:?}"),
        }
    }

    #[test]
    fn accepts_a_valid_token_bare_or_bearer() {
        assert_eq!(datetime!(2026-09-21 14:13:20 UTC).unix_timestamp(), NOW);
        for header in ["abcd", "Bearer abcd", "bearer   abcd"] {
            let actor = service(Ok(claims("snr_usr", NOW + 60)), Some(false))
                .authenticate(Some(header), Audience::SnrUsr);
            let actor = actor
                .ok()
                .map(|a| (a.id.to_string(), a.scopes, a.roles, a.client_id));
            assert_eq!(
                actor,
                Some((
                    "user-1".to_owned(),
                    vec!["a:b".to_owned(), "c:d".to_owned()],
                    vec![Role::Coordinator],
                    Some("le-1".to_owned())
                )),
                "{header}"
            );
        }
    }

    #[test]
    fn refusals_table() {
        type Row = (
            Option<&'static str>,
            std::result::Result<Claims, TokenError>,
            Option<bool>,
            AuthFailure,
        );
        let table: [Row; 8] = [
            (
                Some("Bearer "),
                Ok(claims("snr_usr", NOW + 60)),
                None,
                AuthFailure::Missing,
            ),
            (
                None,
                Ok(claims("snr_usr", NOW + 60)),
                None,
                AuthFailure::Missing,
            ),
            (
                Some("  "),
                Ok(claims("snr_usr", NOW + 60)),
                None,
                AuthFailure::Missing,
            ),
            (
                Some("zz"),
                Err(TokenError::NotHex),
                None,
                AuthFailure::Malformed,
            ),
            (
                Some("ab"),
                Err(TokenError::Signature),
                None,
                AuthFailure::Invalid,
            ),
            (
                Some("ab"),
                Ok(claims("snr_pro", NOW + 60)),
                None,
                AuthFailure::WrongAudience,
            ),
            (
                Some("ab"),
                Ok(claims("snr_usr", NOW)),
                None,
                AuthFailure::Expired,
            ),
            (
                Some("ab"),
                Ok(claims("snr_usr", NOW + 60)),
                Some(true),
                AuthFailure::Revoked,
            ),
        ];
        for (header, open, revoked, message) in table {
            let got = refusal(service(open, revoked).authenticate(header, Audience::SnrUsr));
            assert_eq!(got, message, "{header:?}");
        }
    }

    #[test]
    fn issue_checks_roles_and_ttl() {
        let mut codec = MockTokenCodec::new();
        codec
            .expect_seal()
            .withf(|c| {
                c.aud == "snr_pro"
                    && c.exp == NOW + 3600
                    && c.iat == NOW
                    && c.jti.len() == 36
                    && c.roles == ["coordinator"]
            })
            .returning(|_| Ok("sealed".into()));
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .returning(|| datetime!(2026-09-21 14:13:20 UTC));
        let mut ids = MockIdGenerator::new();
        ids.expect_new_id().returning(uuid::Uuid::now_v7);
        let service = AuthService::new(
            Arc::new(codec),
            Arc::new(MockRevocationRepository::new()),
            Arc::new(clock),
            Arc::new(ids),
        );
        let mut request = IssueRequest {
            audience: Audience::SnrPro,
            subject: "EMP1".into(),
            roles: vec![Role::Coordinator],
            scope: None,
            client_id: None,
            ttl: Duration::from_secs(3600),
        };
        assert_eq!(service.issue(&request).ok().as_deref(), Some("sealed"));
        assert!(matches!(Role::parse("wizard"), Err(Error::Validation(_))));
        request.subject = " ".into();
        assert!(matches!(service.issue(&request), Err(Error::Validation(_))));
        request.subject = "EMP1".into();
        request.ttl = Duration::ZERO;
        assert!(matches!(service.issue(&request), Err(Error::Validation(_))));
    }
}
