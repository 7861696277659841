//! Who is asking: one extractor per surface, and the bridge to blocking domain calls.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use domain::identity::{Actor, Role};

use crate::error::ApiError;
use crate::state::AppState;
use crate::surface::Surface;

/// An authenticated caller of surface `S`: the token was opened, its audience is `S`'s, it is
/// neither expired nor revoked.
#[derive(Debug)]
pub struct Authenticated<S> {
    pub actor: Actor,
    surface: PhantomData<S>,
}

impl<S: Surface> Authenticated<S> {
    /// Refuses with 403 unless the actor has `role`.
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
                format!("This action needs the {} role", role.as_str()),
            ))
        }
    }
}

pub(crate) fn state<S>(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError<S>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| domain::Error::Internal("application state is not configured".into()).into())
}

impl<S: Surface> FromRequest for Authenticated<S> {
    type Error = ApiError<S>;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state::<S>(req);
        let header = req
            .headers()
            .get(AUTHORIZATION)
            .map(|v| v.to_str().map(str::to_owned));
        Box::pin(async move {
            let state = state?;
            let header = match header {
                None => None,
                Some(Ok(h)) => Some(h),
                Some(Err(_)) => {
                    return Err(ApiError::new(StatusCode::UNAUTHORIZED, "Malformed token"));
                }
            };
            let actor =
                blocking(move || state.auth.authenticate(header.as_deref(), S::AUDIENCE)).await?;
            Ok(Self {
                actor,
                surface: PhantomData,
            })
        })
    }
}

/// Runs one round of blocking domain work (database calls) off the async workers.
pub(crate) async fn blocking<S, T, F>(f: F) -> Result<T, ApiError<S>>
where
    F: FnOnce() -> domain::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match web::block(f).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(domain::Error::Internal(format!("blocking task failed: {e}")).into()),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use domain::identity::Audience;
    use domain::kernel::ids::ActorId;

    use super::*;
    use crate::surface::Pro;

    fn actor(roles: &[&str]) -> Authenticated<Pro> {
        Authenticated {
            actor: Actor {
                id: ActorId::parse("EMP1").unwrap(),
                audience: Audience::SnrPro,
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                scopes: vec![],
                jti: "j".into(),
                expires_at: 0,
            },
            surface: PhantomData,
        }
    }

    #[test]
    fn a_missing_role_is_403_in_envelope_a() {
        assert!(
            actor(&["coordinator"])
                .require_role(Role::Coordinator)
                .is_ok()
        );
        let refused = actor(&["doctor"])
            .require_role(Role::Coordinator)
            .unwrap_err();
        assert_eq!(refused.status_code(), StatusCode::FORBIDDEN);
        assert_eq!(refused.message(), "This action needs the coordinator role");
        assert_eq!(actor(&[]).actor.id.as_str(), "EMP1");
    }
}
