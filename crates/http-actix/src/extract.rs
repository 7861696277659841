//! Who is asking: one extractor per surface, and the bridge to blocking domain calls.
//!
//! The extractor checks what needs no storage (the token opens, names this surface, has not
//! expired) before the handler runs, so a caller without a valid token never reaches a handler.
//! The revocation check needs storage; it runs in the same trip to a blocking thread as the
//! handler's own work ([`Authenticated::run`]), or alone ([`Authenticated::confirm`]). The actor is
//! only reachable through those two, so no handler can act for a revoked token.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::http::header::AUTHORIZATION;
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use domain::AuthFailure;
use domain::identity::{Actor, AuthService, Role};
use domain::kernel::text::{Key, Text};

use crate::error::ApiError;
use crate::metrics::HttpMetrics;
use crate::state::AppState;
use crate::surface::Surface;

/// A caller of surface `S` whose token opened, names `S`'s audience and has not expired. Whether it
/// was revoked is checked by [`Authenticated::run`] or [`Authenticated::confirm`].
#[derive(Debug)]
pub struct Authenticated<S> {
    actor: Actor,
    auth: AuthService,
    metrics: Option<HttpMetrics>,
    /// Whether memory already said the token is not revoked (no trip to storage needed).
    revocation_checked: bool,
    surface: PhantomData<S>,
}

/// Counts a refused token, whatever refused it.
fn count_refusal<T>(metrics: Option<&HttpMetrics>, result: &domain::Result<T>) {
    if let (Some(metrics), Err(domain::Error::Unauthorized(reason))) = (metrics, result) {
        metrics.refused(*reason);
    }
}

impl<S: Surface> Authenticated<S> {
    /// Runs `work` for the actor on a blocking thread, after checking in the same trip that the
    /// token was not revoked.
    pub async fn run<T, F>(self, work: F) -> Result<T, ApiError<S>>
    where
        F: FnOnce(&Actor) -> domain::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let Self {
            actor,
            auth,
            metrics,
            revocation_checked,
            ..
        } = self;
        blocking(move || {
            if !revocation_checked {
                let checked = auth.ensure_not_revoked(&actor);
                count_refusal(metrics.as_ref(), &checked);
                checked?;
            }
            work(&actor)
        })
        .await
    }

    /// Passes `value` through. An error is returned only once the token is known not to be revoked,
    /// so that a revoked token reads 401 whatever else is wrong with the request, and the check
    /// costs nothing on the path where `value` is fine.
    pub async fn check<T, E: Into<ApiError<S>>>(
        &self,
        value: Result<T, E>,
    ) -> Result<T, ApiError<S>> {
        match value {
            Ok(value) => Ok(value),
            Err(error) if self.revocation_checked => Err(error.into()),
            Err(error) => {
                let (actor, auth) = (self.actor.clone(), self.auth.clone());
                let metrics = self.metrics.clone();
                blocking(move || {
                    let checked = auth.ensure_not_revoked(&actor);
                    count_refusal(metrics.as_ref(), &checked);
                    checked
                })
                .await?;
                Err(error.into())
            }
        }
    }

    /// Checks that the token was not revoked, for handlers with no storage work of their own: from
    /// memory when it knows, else with a trip to storage.
    pub async fn confirm(self) -> Result<Actor, ApiError<S>> {
        if self.revocation_checked {
            return Ok(self.actor);
        }
        self.run(|actor| Ok(actor.clone())).await
    }

    /// The caller, before the revocation check: for checks that need no storage (roles).
    pub(crate) fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Refuses with 403 unless the token grants `role`.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "used by the surfaces with roles as they land")
    )]
    pub fn require_role(&self, role: Role) -> Result<(), ApiError<S>> {
        if self.actor.has_role(role) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                Text::new(Key::RoleRequired).with("role", role.text()),
            ))
        }
    }
}

pub(crate) fn state<S>(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError<S>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| domain::Error::internal("application state is not configured").into())
}

impl<S: Surface> FromRequest for Authenticated<S> {
    type Error = ApiError<S>;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(extract(req))
    }
}

fn extract<S: Surface>(req: &HttpRequest) -> Result<Authenticated<S>, ApiError<S>> {
    let state = state::<S>(req)?;
    let verified = match req.headers().get(AUTHORIZATION).map(|v| v.to_str()) {
        None => match viewer_session(req) {
            Some(token) => state
                .auth
                .verify(Some(&format!("Bearer {token}")), S::AUDIENCE),
            None => state.auth.verify(None, S::AUDIENCE),
        },
        Some(Ok(h)) => state.auth.verify(Some(h), S::AUDIENCE),
        Some(Err(_)) => Err(domain::Error::Unauthorized(AuthFailure::Malformed)),
    };
    authenticate(&state, verified)
}

/// The caller of a token already opened (`verified`), its refusal counted, its revocation answered
/// from memory when memory knows.
pub(crate) fn authenticate<S: Surface>(
    state: &web::Data<AppState>,
    verified: domain::Result<Actor>,
) -> Result<Authenticated<S>, ApiError<S>> {
    // Opening the token is CPU work of a few microseconds, and memory answers whether it was
    // revoked without blocking when it knows: both done here, on the worker.
    count_refusal(Some(&state.metrics), &verified);
    let actor = verified?;
    let known = state.auth.revocation_in_memory(&actor);
    if let Some(result) = &known {
        count_refusal(Some(&state.metrics), result);
    }
    let revocation_checked = match known {
        Some(result) => {
            result?;
            true
        }
        None => false,
    };
    Ok(Authenticated {
        actor,
        auth: state.auth.clone(),
        metrics: Some(state.metrics.clone()),
        revocation_checked,
        surface: PhantomData,
    })
}

/// The web viewer's session token, for reading DICOMweb only: GET and HEAD under `/dicomweb/`.
/// Storing (STOW) and every other surface need the `Authorization` header, so a page of another
/// site can never write with the cookie.
fn viewer_session(req: &HttpRequest) -> Option<String> {
    let reading = matches!(*req.method(), Method::GET | Method::HEAD);
    if !reading || !req.path().starts_with("/dicomweb/") {
        return None;
    }
    crate::viewer::session_token(req)
}

/// Runs one round of blocking domain work (database calls) off the async workers.
pub(crate) async fn blocking<S, T, F>(f: F) -> Result<T, ApiError<S>>
where
    F: FnOnce() -> domain::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match web::block(f).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(domain::Error::Internal(domain::Cause::with_source(
            "a blocking task failed",
            e,
        ))
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use domain::identity::Audience;
    use domain::kernel::ids::{ActorId, TokenId};

    use super::*;
    use crate::surface::Pro;

    fn actor(roles: &[Role]) -> Authenticated<Pro> {
        let auth = AuthService::new(
            std::sync::Arc::new(domain::identity::MockTokenCodec::new()),
            std::sync::Arc::new(domain::identity::MockRevocationRepository::new()),
            std::sync::Arc::new(domain::kernel::time::MockClock::new()),
            std::sync::Arc::new(domain::kernel::ids::MockIdGenerator::new()),
        );
        Authenticated {
            auth,
            metrics: None,
            revocation_checked: false,
            actor: Actor {
                id: ActorId::parse("EMP1").unwrap(),
                audience: Audience::SnrPro,
                roles: roles.to_vec(),
                scopes: vec![],
                client_id: None,
                jti: TokenId::from_uuid(uuid::Uuid::nil()),
                expires_at: 0,
            },
            surface: PhantomData,
        }
    }

    #[test]
    fn a_missing_role_is_403_in_envelope_a() {
        assert!(
            actor(&[Role::Coordinator])
                .require_role(Role::Coordinator)
                .is_ok()
        );
        let refused = actor(&[Role::Doctor])
            .require_role(Role::Coordinator)
            .unwrap_err();
        assert_eq!(refused.status_code(), StatusCode::FORBIDDEN);
        assert_eq!(
            refused.text().to_string(),
            "role-required(role=role-name(value=coordinator))"
        );
        assert_eq!(actor(&[]).actor.id.as_str(), "EMP1");
    }
}
