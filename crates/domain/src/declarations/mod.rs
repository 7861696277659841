//! National eHealth style declaration requests: a person chooses a doctor; the doctor approves the
//! request once the person confirmed it (a code by SMS, scanned documents, or a parent's
//! declaration for a child), signs it, and the declaration exists.
//!
//! - [`registry`]: persons, legal entities, divisions, employees and declarations, as imported.
//! - [`request`]: the declaration request and the document the doctor signs.
//! - [`status`]: the request's lifecycle.
//! - [`otp`]: verification codes and their port.
//! - [`ports`]: the registry, the requests, the declarations chain, the printout, SMS codes, upload
//!   links and signatures.
//! - [`create`], [`approve`], [`actions`], [`sign`], [`expiry`], [`queries`]: the use cases.

pub mod actions;
pub mod approve;
pub mod create;
pub mod expiry;
pub mod ids;
pub mod otp;
pub mod ports;
pub mod queries;
pub mod registry;
pub mod request;
pub mod scope;
pub mod sign;
pub mod status;

pub use actions::{RejectService, ResendOtpService};
pub use approve::{ApproveInput, ApprovePorts, ApproveService, DeclarationLimits, document_key};
pub use create::{
    CreateInput, CreatePolicy, CreatePorts, CreateService, Created, OfflineDocuments, UploadLink,
};
pub use expiry::{DEFAULT_REQUEST_TTL_HOURS, ExpiryService, RequestTtl};
pub use ids::{
    DeclarationId, DeclarationRequestId, DivisionId, EmployeeId, LegalEntityId, PersonId,
    VerificationId,
};
pub use otp::{
    CodeHash, CodeSource, IssuedCode, OtpPolicy, OtpService, OtpStatus, Verification,
    VerificationCode, VerificationRepository, VerifyOutcome,
};
pub use ports::{
    ChainAudit, ChainBreak, ChainReport, ChainSeed, DeclarationRequestRepository, PrintoutRenderer,
    RegistryRepository, SignatureVerifier, UploadUrls, VerificationSender,
};
pub use queries::QueryService;
pub use registry::{
    AuthenticationMethod, AuthenticationMethodType, Declaration, DeclarationStatus, Division,
    Employee, EmployeeStatus, EmployeeType, LegalEntity, Party, Person, PublicKey, Speciality,
    VerificationStatus,
};
pub use request::{
    DataToBeSigned, DeclarationRequest, DocumentType, RequestFilter, SignedDivision,
    SignedEmployee, SignedLegalEntity, SignedPerson, StatusReason,
};
pub use scope::{Caller, Scope};
pub use sign::SignService;
pub use status::{DeclarationRequestStatus, RequestAction};

#[cfg(any(test, feature = "mock"))]
pub use otp::{MockCodeSource, MockVerificationRepository};
#[cfg(any(test, feature = "mock"))]
pub use ports::{
    MockChainAudit, MockChainSeed, MockDeclarationRequestRepository, MockPrintoutRenderer,
    MockRegistryRepository, MockSignatureVerifier, MockUploadUrls, MockVerificationSender,
};

/// Tests of the declarations services against mocks of the ports.
#[cfg(test)]
mod tests;
