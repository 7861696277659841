//! The clinic surface's one guard: the caller's roles against the policy in
//! [`domain::clinic::policy`], before a handler reads anything.

use actix_web::http::StatusCode;
use domain::clinic::{Action, Who};
use domain::identity::Actor;
use domain::kernel::text::{Arg, Key, Text};

use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::surface::Clinic;

impl Authenticated<Clinic> {
    /// 403 in envelope B unless the token's roles allow `action`.
    pub fn permit(&self, action: Action) -> Result<(), ApiError<Clinic>> {
        if action.allows(&self.actor().roles) {
            return Ok(());
        }
        Err(refusal(action))
    }

    /// Checks `action` and that the token was not revoked, and returns who is asking as the
    /// clinic's services take it, with this request's id for the audit log.
    pub async fn who(self, action: Action) -> Result<Who, ApiError<Clinic>> {
        self.permit(action)?;
        let actor = self.confirm().await?;
        Ok(who(&actor))
    }
}

/// The clinic's view of an actor, with the current request's id.
pub fn who(actor: &Actor) -> Who {
    Who::new(actor, crate::request_id::current().map(|r| r.id))
}

/// The 403 for a caller whose roles do not allow `action`: it names the roles that would.
pub fn refusal(action: Action) -> ApiError<Clinic> {
    let roles = action
        .roles()
        .iter()
        .map(|r| domain::kernel::code::Code::as_str(*r).to_owned())
        .collect();
    ApiError::new(
        StatusCode::FORBIDDEN,
        Text::new(Key::RolesRequired).with("choices", Arg::Choices(roles)),
    )
}
