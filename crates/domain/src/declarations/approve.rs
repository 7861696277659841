//! Approving a declaration request (`PATCH …/{id}/actions/approve`), in the order of the national
//! specification: scope, body, the request, its status, the patient, the person's confirmation by
//! authentication method, the doctor's limit; then one write.

use std::fmt;
use std::sync::Arc;

use super::create::PRINTOUT_LANG;
use super::ids::DeclarationRequestId;
use super::otp::{OtpService, VerificationCode};
use super::ports::{ChainSeed, DeclarationRequestRepository, PrintoutRenderer, RegistryRepository};
use super::registry::{
    AuthenticationMethod, DeclarationStatus, EmployeeType, Speciality, VerificationStatus,
};
use super::request::{DeclarationRequest, DocumentType, StatusReason};
use super::scope::{Caller, Scope};
use super::status::RequestAction;
use crate::kernel::blob::{BlobKey, BlobStore};
use crate::kernel::text::{Arg, Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// How many declarations a doctor may hold, per speciality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclarationLimits {
    pub therapist: u64,
    pub pediatrician: u64,
    pub family_doctor: u64,
}

impl Default for DeclarationLimits {
    fn default() -> Self {
        Self {
            therapist: 2000,
            pediatrician: 900,
            family_doctor: 1800,
        }
    }
}

impl DeclarationLimits {
    pub fn for_speciality(&self, speciality: Speciality) -> u64 {
        match speciality {
            Speciality::Therapist => self.therapist,
            Speciality::Pediatrician => self.pediatrician,
            Speciality::FamilyDoctor => self.family_doctor,
        }
    }
}

/// The approve body as received: `verification_code` when the client sent one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApproveInput {
    pub verification_code: Option<serde_json::Value>,
}

/// Where the scan of `document` for `request` is kept in the blob store.
pub fn document_key(request: DeclarationRequestId, document: &DocumentType) -> Result<BlobKey> {
    BlobKey::parse(&format!(
        "declaration-requests/{request}/{}",
        document.as_str()
    ))
}

/// A body that does not fit the request's authentication method: `rule` is `required` (an OTP
/// request without a code) or `not_allowed` (a code for any other method).
fn body_error(rule: &'static str, key: Key) -> Error {
    Error::field(FieldError::new(
        "verification_code",
        rule,
        Text::new(key).field("field", "verification_code"),
    ))
}

/// Approves declaration requests.
#[derive(Clone)]
pub struct ApproveService {
    requests: Arc<dyn DeclarationRequestRepository>,
    registry: Arc<dyn RegistryRepository>,
    otp: OtpService,
    documents: Arc<dyn BlobStore>,
    chain: Arc<dyn ChainSeed>,
    clock: Arc<dyn Clock>,
    printout: Arc<dyn PrintoutRenderer>,
    limits: DeclarationLimits,
}

impl fmt::Debug for ApproveService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApproveService")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// What approving reaches outside the domain.
#[derive(Clone)]
pub struct ApprovePorts {
    pub requests: Arc<dyn DeclarationRequestRepository>,
    pub registry: Arc<dyn RegistryRepository>,
    pub otp: OtpService,
    /// Where OFFLINE documents are uploaded.
    pub documents: Arc<dyn BlobStore>,
    pub chain: Arc<dyn ChainSeed>,
    pub clock: Arc<dyn Clock>,
    pub printout: Arc<dyn PrintoutRenderer>,
}

impl fmt::Debug for ApprovePorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApprovePorts").finish_non_exhaustive()
    }
}

impl ApproveService {
    pub fn new(ports: ApprovePorts, limits: DeclarationLimits) -> Self {
        let ApprovePorts {
            requests,
            registry,
            otp,
            documents,
            chain,
            clock,
            printout,
        } = ports;
        Self {
            requests,
            registry,
            otp,
            documents,
            chain,
            clock,
            printout,
            limits,
        }
    }

    /// Approves the caller's legal entity's request `id`, and returns it as stored.
    pub fn approve(
        &self,
        caller: &Caller,
        id: DeclarationRequestId,
        input: ApproveInput,
    ) -> Result<DeclarationRequest> {
        caller.require(Scope::Approve)?;
        let code = input
            .verification_code
            .as_ref()
            .map(VerificationCode::from_json)
            .transpose()?;
        let request = self
            .requests
            .find(id, caller.legal_entity_id)?
            .ok_or_else(|| Error::not_found(Key::DeclarationRequestNotFound))?;
        let method = request
            .authentication_method_current
            .clone()
            .ok_or_else(|| {
                Error::internal(format!(
                    "declaration request {id} has no authentication method"
                ))
            })?;
        let code = match (&method, code) {
            (AuthenticationMethod::Otp { .. }, None) => {
                return Err(body_error("required", Key::VerificationCodeRequired));
            }
            (AuthenticationMethod::Otp { .. }, Some(code)) => Some(code),
            (_, Some(_)) => return Err(body_error("not_allowed", Key::VerificationCodeNotAllowed)),
            (_, None) => None,
        };
        let from = request.status;
        let to = from.apply(RequestAction::Approve)?;
        self.check_patient(&request)?;
        match (&method, code) {
            (AuthenticationMethod::Otp { phone_number }, Some(code)) => {
                self.otp.verify(phone_number, &code)?.into_result()?;
            }
            (AuthenticationMethod::Offline, _) => self.check_documents(&request)?,
            (AuthenticationMethod::Na, _) => self.check_parent(&request)?,
            // A code-less OTP body was refused above.
            (AuthenticationMethod::Otp { .. }, None) => {}
        }
        self.check_limit(&request)?;

        let seed = self.chain.latest_hash()?;
        let mut approved = request;
        approved.status = to;
        approved.status_reason = Some(StatusReason::DoctorConfirmed);
        approved.is_shareable = true;
        approved.updated_at = self.clock.now();
        approved.updated_by = caller.user_id.clone();
        approved.seed = Some(seed.clone());
        let for_child =
            method == AuthenticationMethod::Na && approved.parent_declaration_id.is_some();
        if let Some(data) = approved.data_to_be_signed.as_mut() {
            data.seed = Some(seed);
            if for_child {
                // The parent's declaration stands for the child: the child signs nothing.
                data.person.patient_signed = None;
                data.person.process_disclosure_data_consent = None;
            }
        }
        // The paper form shows what is now to be signed.
        approved.printout_content = Some(self.printout.render(&approved, PRINTOUT_LANG)?);
        if !self.requests.save_transition(&approved, from)? {
            // Another action moved the request first.
            return Err(Error::conflict(Key::InvalidTransition));
        }
        Ok(approved)
    }

    /// Only persons known to be `NOT_VERIFIED` are refused.
    fn check_patient(&self, request: &DeclarationRequest) -> Result<()> {
        let person = self.registry.person(request.person_id)?.ok_or_else(|| {
            Error::internal(format!(
                "declaration request {} names person {} the registry does not hold",
                request.id, request.person_id
            ))
        })?;
        if person.verification_status == VerificationStatus::NotVerified {
            return Err(Error::conflict(Key::PatientNotVerified));
        }
        Ok(())
    }

    /// Every document the request asks for is uploaded; the refusal names each one missing.
    fn check_documents(&self, request: &DeclarationRequest) -> Result<()> {
        let mut missing = Vec::new();
        for document in &request.documents {
            let key = document_key(request.id, document)?;
            if self.documents.open(&key, 0)?.is_none() {
                missing.push(document.as_str().to_owned());
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::conflict(
                Text::new(Key::DocumentsNotUploaded).with("documents", Arg::Items(missing)),
            ))
        }
    }

    /// A child's request (`NA`) with a parent declaration needs that declaration to be active.
    fn check_parent(&self, request: &DeclarationRequest) -> Result<()> {
        let Some(parent) = request.parent_declaration_id else {
            return Ok(());
        };
        match self.registry.declaration(parent)? {
            Some(d) if d.status == DeclarationStatus::Active => Ok(()),
            _ => Err(Error::not_found(Key::ActiveParentDeclarationNotFound)),
        }
    }

    /// The doctor has room for one more declaration. An employee who is not a doctor with a
    /// speciality has no room at all, as in the reference.
    fn check_limit(&self, request: &DeclarationRequest) -> Result<()> {
        let employee = self
            .registry
            .employee(request.employee_id)?
            .ok_or_else(|| {
                Error::internal(format!(
                    "declaration request {} names employee {} the registry does not hold",
                    request.id, request.employee_id
                ))
            })?;
        let limit = match (employee.employee_type, employee.speciality) {
            (EmployeeType::Doctor, Some(speciality)) => self.limits.for_speciality(speciality),
            _ => 0,
        };
        let count = self.registry.doctor_load(employee.id, request.person_id)?;
        if count >= limit {
            let count = i64::try_from(count).unwrap_or(i64::MAX);
            return Err(Error::Unprocessable(
                Text::new(Key::DoctorDeclarationLimit).with("count", count),
            ));
        }
        Ok(())
    }
}
