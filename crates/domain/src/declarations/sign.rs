//! Signing a declaration request (`PATCH …/{id}/actions/sign`): the doctor signs, as a compact JWS
//! with their registered Ed25519 key, exactly the document the request holds, with the declarations
//! chain's current hash as its `seed`. Then, in one write, the request is `SIGNED`, the declaration
//! exists (`active`), and the parent declaration that stood for a child is terminated.

use std::fmt;
use std::sync::Arc;

use super::ids::DeclarationRequestId;
use super::ports::{
    ChainSeed, DeclarationRequestRepository, RegistryRepository, SignatureVerifier,
};
use super::registry::{Declaration, DeclarationStatus};
use super::request::{DeclarationRequest, StatusReason};
use super::scope::{Caller, Scope};
use super::status::RequestAction;
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// The body's property that carries the signature.
pub const SIGNED_FIELD: &str = "signed_declaration_request";
/// Where the reference reports signed content that differs from the request's.
pub const CONTENT_FIELD: &str = "content";

/// The answer to a JWS that does not verify (see [`SignatureVerifier`]'s contract).
pub fn signature_not_verified() -> Error {
    Error::field(FieldError::new(
        SIGNED_FIELD,
        "invalid",
        Text::new(Key::SignatureNotVerified),
    ))
}

/// The answer to a signed payload other than the request's document (the reference's 422).
pub fn content_mismatch() -> Error {
    Error::field(FieldError::new(
        CONTENT_FIELD,
        "invalid",
        Text::new(Key::SignedContentMismatch),
    ))
}

/// Signs declaration requests.
#[derive(Clone)]
pub struct SignService {
    requests: Arc<dyn DeclarationRequestRepository>,
    registry: Arc<dyn RegistryRepository>,
    verifier: Arc<dyn SignatureVerifier>,
    chain: Arc<dyn ChainSeed>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for SignService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignService").finish_non_exhaustive()
    }
}

impl SignService {
    pub fn new(
        requests: Arc<dyn DeclarationRequestRepository>,
        registry: Arc<dyn RegistryRepository>,
        verifier: Arc<dyn SignatureVerifier>,
        chain: Arc<dyn ChainSeed>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            requests,
            registry,
            verifier,
            chain,
            clock,
        }
    }

    /// Signs the caller's legal entity's request `id` with `signed_declaration_request` (a
    /// compact JWS), and returns the declaration it created.
    pub fn sign(
        &self,
        caller: &Caller,
        id: DeclarationRequestId,
        signed_declaration_request: &str,
    ) -> Result<Declaration> {
        caller.require(Scope::Sign)?;
        let request = self
            .requests
            .find(id, caller.legal_entity_id)?
            .ok_or_else(|| Error::not_found(Key::DeclarationRequestNotFound))?;
        let from = request.status;
        let to = from.apply(RequestAction::Sign)?;
        let employee = self
            .registry
            .employee(request.employee_id)?
            .ok_or_else(|| {
                Error::internal(format!(
                    "declaration request {id} names employee {} the registry does not hold",
                    request.employee_id
                ))
            })?;
        let public_key = employee
            .public_key
            .ok_or_else(|| Error::Unprocessable(Text::new(Key::EmployeePublicKeyMissing)))?;
        let payload = self
            .verifier
            .verify_compact_jws(signed_declaration_request, &public_key)?;
        self.check_content(&request, &payload)?;

        let now = self.clock.now();
        let mut signed = request;
        signed.status = to;
        signed.status_reason = Some(StatusReason::DoctorSigned);
        signed.updated_at = now;
        signed.updated_by = caller.user_id.clone();
        let declaration = declaration_of(&signed);
        if !self
            .requests
            .sign(&signed, from, &declaration, signed.parent_declaration_id)?
        {
            // Another action moved the request first.
            return Err(Error::conflict(Key::InvalidTransition));
        }
        Ok(declaration)
    }

    /// The payload is the request's document with the chain's current hash as its seed: a block
    /// closed since the approval makes an older signature stale, as in the reference.
    fn check_content(
        &self,
        request: &DeclarationRequest,
        payload: &serde_json::Value,
    ) -> Result<()> {
        let mut expected = request.data_to_be_signed.clone().ok_or_else(|| {
            Error::internal(format!(
                "approved declaration request {} has no document to sign",
                request.id
            ))
        })?;
        expected.seed = Some(self.chain.latest_hash()?);
        if *payload == expected.to_json() {
            Ok(())
        } else {
            Err(content_mismatch())
        }
    }
}

/// The declaration a signed request becomes. Every signed request makes an `active` one: the
/// person confirmed it (code, documents, or a parent's declaration) before the doctor approved.
pub fn declaration_of(request: &DeclarationRequest) -> Declaration {
    Declaration {
        id: request.declaration_id,
        declaration_number: request.declaration_number.clone(),
        person_id: request.person_id,
        employee_id: request.employee_id,
        legal_entity_id: request.legal_entity_id,
        division_id: Some(request.division_id),
        status: DeclarationStatus::Active,
        reason: None,
        start_date: request.start_date,
        declaration_request_id: Some(request.id),
    }
}
