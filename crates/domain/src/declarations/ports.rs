//! The ports of the declarations context: the registry, the requests, and the declarations chain.
//! (Verification codes have theirs in [`super::otp`]; documents are blobs of the kernel's
//! `BlobStore`, under [`super::approve::document_key`].)

use time::OffsetDateTime;

use super::ids::{
    DeclarationId, DeclarationRequestId, DivisionId, EmployeeId, LegalEntityId, PersonId,
};
use super::registry::{Declaration, Division, Employee, LegalEntity, Person};
use super::request::{DeclarationRequest, RequestFilter};
use super::status::DeclarationRequestStatus;
use crate::Result;
use crate::kernel::paging::{Page, PageRequest};

/// The national registry, as imported.
///
/// Contract:
/// - Each reader returns the object with that id, or `None`.
/// - `doctor_load` counts what a doctor's limit is measured against, as the reference does: the
///   employee's declarations that are `active` or `pending_verification`, except those of
///   `exclude_person` (a person who moves within the doctor's list takes no new place), plus the
///   employee's declaration requests that are `APPROVED`. It MUST be answered from an index, not a
///   scan: a doctor may hold thousands of declarations.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait RegistryRepository: Send + Sync {
    fn person(&self, id: PersonId) -> Result<Option<Person>>;
    fn employee(&self, id: EmployeeId) -> Result<Option<Employee>>;
    fn division(&self, id: DivisionId) -> Result<Option<Division>>;
    fn legal_entity(&self, id: LegalEntityId) -> Result<Option<LegalEntity>>;
    fn declaration(&self, id: DeclarationId) -> Result<Option<Declaration>>;
    fn doctor_load(&self, employee: EmployeeId, exclude_person: PersonId) -> Result<u64>;
}

/// Declaration requests as stored.
///
/// Contract:
/// - `create` MUST, in one transaction, insert `request` and set every other request of the same
///   person and employee that is `NEW` or `APPROVED` to `CANCELLED` (status reason
///   `new_request_created`, `updated_at` and `updated_by` those of `request`); it returns the ids
///   it cancelled.
/// - `find` returns the request only if it belongs to `legal_entity`: another legal entity's
///   request is `None`, like a missing one.
/// - `list` returns `legal_entity`'s requests matching every filter set, newest first, one page,
///   with the total.
/// - `save_transition` MUST write `request` whole only if the stored request is still in status
///   `from`, and return whether it wrote; the status reason, data and seed change with the
///   status, in the same write.
/// - `expirable` returns up to `limit` requests inserted before `inserted_before` whose status may
///   still expire (neither `SIGNED` nor `EXPIRED`), oldest first.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait DeclarationRequestRepository: Send + Sync {
    fn create(&self, request: &DeclarationRequest) -> Result<Vec<DeclarationRequestId>>;
    fn find(
        &self,
        id: DeclarationRequestId,
        legal_entity: LegalEntityId,
    ) -> Result<Option<DeclarationRequest>>;
    fn list(
        &self,
        legal_entity: LegalEntityId,
        filter: &RequestFilter,
        page: PageRequest,
    ) -> Result<Page<DeclarationRequest>>;
    fn save_transition(
        &self,
        request: &DeclarationRequest,
        from: DeclarationRequestStatus,
    ) -> Result<bool>;
    fn expirable(
        &self,
        inserted_before: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<DeclarationRequest>>;
}

/// The declarations chain: blocks of declarations, each hashed with the previous block's hash.
///
/// Contract: `latest_hash` returns the hash of the latest closed block, lowercase hex (the
/// genesis block's when none has closed yet). It is the `seed` a doctor's signature covers, which
/// ties a declaration to the chain as it stood when the request was approved.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ChainSeed: Send + Sync {
    fn latest_hash(&self) -> Result<String>;
}
