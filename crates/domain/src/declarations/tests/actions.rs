//! Rejecting a request and sending a new code.

use super::*;
use crate::declarations::actions::{RejectService, ResendOtpService};
use crate::declarations::request::StatusReason;
use crate::kernel::error::AuthFailure;
use crate::kernel::text::Key;

use DeclarationRequestStatus as S;

fn reject_service(ports: Ports) -> RejectService {
    RejectService::new(Arc::new(ports.requests), Arc::new(FixedClock(NOW)))
}

fn resend_service(ports: Ports, codes: Arc<MemoryCodes>) -> ResendOtpService {
    let mut sender = crate::declarations::ports::MockVerificationSender::new();
    sender.expect_send_code().returning(|_, _, _| Ok(()));
    ResendOtpService::new(
        Arc::new(ports.requests),
        otp_service(codes, 0x11, NOW),
        Arc::new(sender),
    )
}

#[test]
fn rejecting_a_new_or_approved_request_records_who_and_when() {
    for status in [S::New, S::Approved] {
        let mut ports = Ports::new();
        ports.stored(request_at(otp(), status));
        ports
            .requests
            .expect_save_transition()
            .times(1)
            .withf(move |r, from| {
                *from == status
                    && r.status == S::Rejected
                    && r.status_reason == Some(StatusReason::DoctorRejected)
                    && r.updated_at == NOW
                    && r.updated_by == actor(DOCTOR)
            })
            .returning(|_, _| Ok(true));

        let rejected = reject_service(ports).reject(&caller(&["reject"]), request_id());
        assert_eq!(rejected.map(|r| r.status).ok(), Some(S::Rejected));
    }
}

#[test]
fn rejecting_needs_the_reject_scope_and_a_request_not_signed() {
    let mut ports = Ports::new();
    ports.requests.expect_find().never();
    let result = reject_service(ports).reject(&caller(&["approve"]), request_id());
    assert!(matches!(
        result,
        Err(Error::Unauthorized(AuthFailure::Scope))
    ));

    for status in [S::Signed, S::Rejected, S::Cancelled, S::Expired] {
        let mut ports = Ports::new();
        ports.stored(request_at(otp(), status)).no_save();
        let result = reject_service(ports).reject(&caller(&["reject"]), request_id());
        assert_eq!(
            reason(result),
            ("conflict", Text::new(Key::InvalidTransition))
        );
    }
}

#[test]
fn resending_a_code_for_a_new_otp_request_replaces_the_old_code() {
    let codes = Arc::new(MemoryCodes::default());
    let first = otp_service(codes.clone(), 0x22, NOW)
        .issue(PHONE, None)
        .unwrap();
    let mut ports = Ports::new();
    ports.stored(request(otp())).no_save();

    let (request, issued) = resend_service(ports, codes.clone())
        .resend(&caller(&["write"]), request_id())
        .unwrap();
    assert_eq!(request.status, S::New);
    assert_eq!(
        issued.verification.declaration_request_id,
        Some(request_id())
    );
    let stored = codes.all();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].id, first.verification.id);
    assert_eq!(stored[0].status, OtpStatus::Cancelled);
    assert_eq!(stored[1].status, OtpStatus::New);
}

#[test]
fn resending_a_code_needs_a_new_request_authenticated_by_otp() {
    let cases = [
        request_at(otp(), S::Approved),
        request_at(otp(), S::Signed),
        request(AuthenticationMethod::Offline),
        request(AuthenticationMethod::Na),
    ];
    for stored in cases {
        let codes = Arc::new(MemoryCodes::default());
        let mut ports = Ports::new();
        ports.stored(stored);

        let result = resend_service(ports, codes.clone()).resend(&caller(&["write"]), request_id());
        assert_eq!(
            reason(result),
            ("conflict", Text::new(Key::InvalidTransition))
        );
        assert!(codes.all().is_empty());
    }
}
