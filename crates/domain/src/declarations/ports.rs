//! The ports of the declarations context: the registry, the requests, the declarations chain, and
//! what creating and signing a request reach: the printout, the SMS with a code, upload links and
//! signature checks. (Verification codes have theirs in [`super::otp`]; documents are blobs of the
//! kernel's `BlobStore`, under [`super::approve::document_key`].)

use time::OffsetDateTime;

use super::ids::{
    DeclarationId, DeclarationRequestId, DivisionId, EmployeeId, LegalEntityId, PersonId,
};
use super::otp::VerificationCode;
use super::registry::{Declaration, Division, Employee, LegalEntity, Person, PublicKey};
use super::request::{DeclarationRequest, RequestFilter};
use super::status::DeclarationRequestStatus;
use crate::Result;
use crate::kernel::blob::BlobKey;
use crate::kernel::lang::Lang;
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
/// - `sign` MUST, in one transaction and only if the stored request is still in status `from`:
///   write `request` whole (now `SIGNED`), insert `declaration` (its `signed_at` is
///   `request.updated_at`), and, when `terminate_parent` names a declaration that is still
///   `active`, set it `terminated` with reason `auto_reorganization`. It returns whether it wrote;
///   when it returns `false` nothing was written.
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
    fn sign(
        &self,
        request: &DeclarationRequest,
        from: DeclarationRequestStatus,
        declaration: &Declaration,
        terminate_parent: Option<DeclarationId>,
    ) -> Result<bool>;
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

/// What is wrong with a block of the declarations chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ChainBreak {
    /// No block has this number, although a later one exists.
    Missing,
    /// Its previous hash is not the hash of the block before it.
    PreviousHash,
    /// It does not hold as many declarations as when it closed.
    Count,
    /// Its declarations, as stored now, do not hash to its hash.
    Hash,
}

/// The outcome of checking the declarations chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainReport {
    /// Blocks found intact, from the first up to the broken one (or all of them).
    pub intact_blocks: u64,
    /// The first broken block's number, and why.
    pub broken: Option<(i64, ChainBreak)>,
}

/// Checks the declarations chain.
///
/// Contract: `verify_chain` recomputes every closed block from the declarations as stored now,
/// first to last, and names the first broken one; it MUST NOT change anything.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ChainAudit: Send + Sync {
    fn verify_chain(&self) -> Result<ChainReport>;
}

/// Renders the printout form of a request: the declaration as the person reads and signs it on
/// paper.
///
/// Contract: `render` returns the whole form (HTML) in `lang` from `request` and its
/// `data_to_be_signed`; it MUST NOT change anything.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PrintoutRenderer: Send + Sync {
    fn render(&self, request: &DeclarationRequest, lang: Lang) -> Result<String>;
}

/// Sends a verification code to a person's phone.
///
/// Contract: `send_code` MUST hand `code` to the SMS channel for `phone` (through the outbox) and
/// MUST NOT write the code to any log, error or other answer; `request_id` is for the record only.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait VerificationSender: Send + Sync {
    fn send_code(
        &self,
        phone: &str,
        code: &VerificationCode,
        request_id: DeclarationRequestId,
    ) -> Result<()>;
}

/// Links through which a person's documents are uploaded without a token.
///
/// Contract: `upload_url` returns an absolute URL that takes one file by `PUT` into the blob store
/// under `key`, signed so that it cannot be changed to another key, and refused after
/// `expires_at`.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait UploadUrls: Send + Sync {
    fn upload_url(&self, key: &BlobKey, expires_at: OffsetDateTime) -> Result<String>;
}

/// Checks a doctor's signature.
///
/// Contract: `verify_compact_jws` parses `jws` as a compact JWS (EdDSA over Ed25519), verifies it
/// with `public_key`, and returns its payload as JSON. A JWS that does not parse, whose algorithm
/// is not EdDSA, whose signature does not verify, or whose payload is not JSON MUST be answered
/// with [`super::sign::signature_not_verified`].
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SignatureVerifier: Send + Sync {
    fn verify_compact_jws(&self, jws: &str, public_key: &PublicKey) -> Result<serde_json::Value>;
}
