//! Reading declaration requests and declarations (`GET …/declaration_requests`, `GET
//! …/declaration_requests/{id}`, `GET …/declarations/{id}`): the `declaration_request:read` scope,
//! and only what belongs to the caller's legal entity; anything else reads as missing.

use std::fmt;
use std::sync::Arc;

use super::ids::{DeclarationId, DeclarationRequestId};
use super::ports::{DeclarationRequestRepository, RegistryRepository};
use super::registry::Declaration;
use super::request::{DeclarationRequest, RequestFilter};
use super::scope::{Caller, Scope};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::Key;
use crate::{Error, Result};

/// Reads requests and declarations for a caller.
#[derive(Clone)]
pub struct QueryService {
    requests: Arc<dyn DeclarationRequestRepository>,
    registry: Arc<dyn RegistryRepository>,
}

impl fmt::Debug for QueryService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryService").finish_non_exhaustive()
    }
}

impl QueryService {
    pub fn new(
        requests: Arc<dyn DeclarationRequestRepository>,
        registry: Arc<dyn RegistryRepository>,
    ) -> Self {
        Self { requests, registry }
    }

    /// One request of the caller's legal entity.
    pub fn request(&self, caller: &Caller, id: DeclarationRequestId) -> Result<DeclarationRequest> {
        caller.require(Scope::Read)?;
        self.requests
            .find(id, caller.legal_entity_id)?
            .ok_or_else(|| Error::not_found(Key::DeclarationRequestNotFound))
    }

    /// A page of the caller's legal entity's requests matching `filter`, newest first.
    pub fn list(
        &self,
        caller: &Caller,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> Result<Page<DeclarationRequest>> {
        caller.require(Scope::Read)?;
        self.requests.list(caller.legal_entity_id, filter, page)
    }

    /// A declaration of the caller's legal entity.
    pub fn declaration(&self, caller: &Caller, id: DeclarationId) -> Result<Declaration> {
        caller.require(Scope::Read)?;
        self.registry
            .declaration(id)?
            .filter(|d| d.legal_entity_id == caller.legal_entity_id)
            .ok_or_else(|| Error::not_found(Key::DeclarationNotFound))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;
    use uuid::Uuid;

    use super::*;
    use crate::declarations::ids::{EmployeeId, LegalEntityId, PersonId};
    use crate::declarations::ports::{MockDeclarationRequestRepository, MockRegistryRepository};
    use crate::declarations::registry::DeclarationStatus;
    use crate::kernel::error::AuthFailure;
    use crate::kernel::ids::ActorId;

    fn caller(scopes: &[&str], legal_entity: u128) -> Caller {
        Caller {
            user_id: ActorId::from_stored("user-1".into()),
            legal_entity_id: LegalEntityId::from_uuid(Uuid::from_u128(legal_entity)),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn service(registry: MockRegistryRepository) -> QueryService {
        QueryService::new(
            Arc::new(MockDeclarationRequestRepository::new()),
            Arc::new(registry),
        )
    }

    #[test]
    fn a_declaration_is_read_only_by_its_legal_entity_with_the_read_scope() {
        let id = DeclarationId::from_uuid(Uuid::from_u128(9));
        let mut registry = MockRegistryRepository::new();
        registry.expect_declaration().returning(move |_| {
            Ok(Some(Declaration {
                id,
                declaration_number: "0000-AAAA-AAAA".into(),
                person_id: PersonId::from_uuid(Uuid::from_u128(2)),
                employee_id: EmployeeId::from_uuid(Uuid::from_u128(3)),
                legal_entity_id: LegalEntityId::from_uuid(Uuid::from_u128(1)),
                division_id: None,
                status: DeclarationStatus::Active,
                reason: None,
                start_date: date!(2026 - 11 - 30),
                declaration_request_id: None,
            }))
        });
        let queries = service(registry);
        let read = "declaration_request:read";
        assert!(queries.declaration(&caller(&[read], 1), id).is_ok());
        assert!(matches!(
            queries.declaration(&caller(&[read], 2), id),
            Err(Error::NotFound(_))
        ));
        assert!(matches!(
            queries.declaration(&caller(&["declaration_request:write"], 1), id),
            Err(Error::Unauthorized(AuthFailure::Scope))
        ));
    }
}
