//! Who acts on declaration requests: a user of a legal entity, with the token's scopes.

use super::ids::LegalEntityId;
use crate::kernel::error::AuthFailure;
use crate::kernel::ids::ActorId;
use crate::{Error, Result};

/// What a token may do on declaration requests (its `scope` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
pub enum Scope {
    #[strum(serialize = "declaration_request:write")]
    Write,
    #[strum(serialize = "declaration_request:read")]
    Read,
    #[strum(serialize = "declaration_request:approve")]
    Approve,
    #[strum(serialize = "declaration_request:reject")]
    Reject,
    #[strum(serialize = "declaration_request:sign")]
    Sign,
}

/// The caller of a declaration-request action: the token's `sub`, its `client_id` and scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: ActorId,
    /// Requests of another legal entity are invisible to the caller.
    pub legal_entity_id: LegalEntityId,
    pub scopes: Vec<String>,
}

impl Caller {
    /// Refuses a caller without `scope` as "Invalid scopes" (a 401 on the eHealth surface).
    pub fn require(&self, scope: Scope) -> Result<()> {
        let wanted: &'static str = scope.into();
        if self.scopes.iter().any(|s| s == wanted) {
            Ok(())
        } else {
            Err(Error::Unauthorized(AuthFailure::Scope))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::code::Code;

    #[test]
    fn scopes_are_checked_by_their_codes() {
        let caller = Caller {
            user_id: ActorId::from_stored("user-1".into()),
            legal_entity_id: LegalEntityId::from_uuid(uuid::Uuid::nil()),
            scopes: vec![
                "declaration_request:read".into(),
                "declaration_request:approve".into(),
            ],
        };
        assert_eq!(Scope::Approve.as_str(), "declaration_request:approve");
        assert!(caller.require(Scope::Approve).is_ok());
        assert!(matches!(
            caller.require(Scope::Sign),
            Err(Error::Unauthorized(AuthFailure::Scope))
        ));
    }
}
