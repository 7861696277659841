//! The doctor's other actions on a request that is not signed yet: rejecting it, and sending the
//! person a new verification code.

use std::fmt;
use std::sync::Arc;

use super::ids::DeclarationRequestId;
use super::otp::{IssuedCode, OtpService};
use super::ports::{DeclarationRequestRepository, VerificationSender};
use super::registry::AuthenticationMethod;
use super::request::{DeclarationRequest, StatusReason};
use super::scope::{Caller, Scope};
use super::status::RequestAction;
use crate::kernel::text::Key;
use crate::kernel::time::Clock;
use crate::{Error, Result};

fn find(
    requests: &dyn DeclarationRequestRepository,
    caller: &Caller,
    id: DeclarationRequestId,
) -> Result<DeclarationRequest> {
    requests
        .find(id, caller.legal_entity_id)?
        .ok_or_else(|| Error::not_found(Key::DeclarationRequestNotFound))
}

/// Rejects requests (`NEW` or `APPROVED` → `REJECTED`).
#[derive(Clone)]
pub struct RejectService {
    requests: Arc<dyn DeclarationRequestRepository>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for RejectService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RejectService").finish_non_exhaustive()
    }
}

impl RejectService {
    pub fn new(requests: Arc<dyn DeclarationRequestRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { requests, clock }
    }

    pub fn reject(&self, caller: &Caller, id: DeclarationRequestId) -> Result<DeclarationRequest> {
        caller.require(Scope::Reject)?;
        let mut request = find(self.requests.as_ref(), caller, id)?;
        let from = request.status;
        request.status = from.apply(RequestAction::Reject)?;
        request.status_reason = Some(StatusReason::DoctorRejected);
        request.updated_at = self.clock.now();
        request.updated_by = caller.user_id.clone();
        if !self.requests.save_transition(&request, from)? {
            return Err(Error::conflict(Key::InvalidTransition));
        }
        Ok(request)
    }
}

/// Sends a new code for a `NEW` request whose person confirms by SMS.
#[derive(Clone)]
pub struct ResendOtpService {
    requests: Arc<dyn DeclarationRequestRepository>,
    otp: OtpService,
    sender: Arc<dyn VerificationSender>,
}

impl fmt::Debug for ResendOtpService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResendOtpService").finish_non_exhaustive()
    }
}

impl ResendOtpService {
    pub fn new(
        requests: Arc<dyn DeclarationRequestRepository>,
        otp: OtpService,
        sender: Arc<dyn VerificationSender>,
    ) -> Self {
        Self {
            requests,
            otp,
            sender,
        }
    }

    /// The request, unchanged, and the new code (which cancels the phone's earlier one) for the
    /// caller to send by SMS. Anything but a `NEW` request with `OTP` authentication is a 409.
    pub fn resend(
        &self,
        caller: &Caller,
        id: DeclarationRequestId,
    ) -> Result<(DeclarationRequest, IssuedCode)> {
        caller.require(Scope::Write)?;
        let request = find(self.requests.as_ref(), caller, id)?;
        request.status.apply(RequestAction::ResendOtp)?;
        let Some(AuthenticationMethod::Otp { phone_number }) =
            &request.authentication_method_current
        else {
            return Err(Error::conflict(Key::InvalidTransition));
        };
        let issued = self.otp.issue(phone_number, Some(request.id))?;
        self.sender
            .send_code(phone_number, &issued.code, request.id)?;
        Ok((request, issued))
    }
}
