//! Approving: the steps before the authentication method (scope, body, request, status, patient),
//! OTP, and the write.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::declarations::approve::{ApproveInput, ApprovePorts, ApproveService, DeclarationLimits};
use crate::declarations::otp::VerificationCode;
use crate::declarations::ports::PrintoutRenderer;
use crate::declarations::request::DeclarationRequest;
use crate::declarations::request::StatusReason;
use crate::kernel::code::Code;
use crate::kernel::error::AuthFailure;
use crate::kernel::text::Key;

use DeclarationRequestStatus as S;

/// The approve service over `ports`, verification codes in `codes`, the clock at [`NOW`].
pub(super) fn service_with(
    ports: Ports,
    codes: Arc<MemoryCodes>,
    limits: DeclarationLimits,
) -> ApproveService {
    ApproveService::new(
        ApprovePorts {
            requests: Arc::new(ports.requests),
            registry: Arc::new(ports.registry),
            otp: otp_service(codes, 0, NOW),
            documents: Arc::new(ports.blobs),
            chain: Arc::new(ports.chain),
            clock: Arc::new(FixedClock(NOW)),
            printout: Arc::new(StatusPrintout),
        },
        limits,
    )
}

/// Renders a printout that shows the status it was rendered in.
struct StatusPrintout;

impl PrintoutRenderer for StatusPrintout {
    fn render(
        &self,
        request: &DeclarationRequest,
        _lang: crate::kernel::lang::Lang,
    ) -> crate::Result<String> {
        Ok(format!(
            "printout of an {} request",
            request.status.as_str()
        ))
    }
}

pub(super) fn service(ports: Ports) -> ApproveService {
    service_with(ports, Arc::default(), DeclarationLimits::default())
}

pub(super) fn no_body() -> ApproveInput {
    ApproveInput::default()
}

pub(super) fn body(code: serde_json::Value) -> ApproveInput {
    ApproveInput {
        verification_code: Some(code),
    }
}

/// A code sent to [`PHONE`] a minute before [`NOW`].
fn sent_code(codes: &Arc<MemoryCodes>) -> VerificationCode {
    let sender = otp_service(codes.clone(), 0x2a, NOW - Duration::from_secs(60));
    match sender.issue(PHONE, Some(request_id())) {
        Ok(issued) => issued.code,
        Err(e) => panic!("{e}"),
    }
}

/// A wrong code for [`sent_code`]'s (its first digit changed).
fn wrong(code: &VerificationCode) -> serde_json::Value {
    let digits = code.expose();
    let first = if digits.starts_with('1') { '2' } else { '1' };
    json!(format!("{first}{}", &digits[1..]))
}

#[test]
fn approve_needs_the_approve_scope_and_reads_nothing_without_it() {
    let mut ports = Ports::new();
    ports.requests.expect_find().never();
    ports.no_save();

    let result = service(ports).approve(&caller(&["read", "write"]), request_id(), no_body());
    assert!(matches!(
        result,
        Err(Error::Unauthorized(AuthFailure::Scope))
    ));
}

#[test]
fn approve_refuses_a_verification_code_that_is_not_four_digits_before_reading() {
    for bad in [
        json!("12a4"),
        json!("123"),
        json!(12345),
        json!(-1),
        json!(3.5),
        json!(true),
        json!([1]),
    ] {
        let mut ports = Ports::new();
        ports.requests.expect_find().never();
        ports.no_save();

        let result = service(ports).approve(&caller(&["approve"]), request_id(), body(bad.clone()));
        let (kind, text) = reason(result);
        assert_eq!(kind, "validation", "{bad}");
        assert_eq!(text.key(), Key::InvalidVerificationCodeFormat, "{bad}");
    }
}

#[test]
fn approve_fails_when_the_request_is_not_found_or_of_another_legal_entity() {
    let mut ports = Ports::new();
    ports.requests.expect_find().returning(|_, _| Ok(None));
    ports.no_save();

    let result = service(ports).approve(&caller(&["approve"]), request_id(), body(json!(1230)));
    assert_eq!(
        reason(result),
        ("not_found", Text::new(Key::DeclarationRequestNotFound))
    );
}

#[test]
fn approve_otp_request_needs_a_verification_code() {
    let mut ports = Ports::new();
    ports.stored(request(otp())).no_save();

    let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    let (kind, text) = reason(result);
    assert_eq!(
        (kind, text.key()),
        ("validation", Key::VerificationCodeRequired)
    );
}

#[test]
fn approve_without_otp_refuses_a_verification_code() {
    for method in [AuthenticationMethod::Offline, AuthenticationMethod::Na] {
        let mut ports = Ports::new();
        ports.stored(request(method)).no_save();

        let result =
            service(ports).approve(&caller(&["approve"]), request_id(), body(json!("1230")));
        let (kind, text) = reason(result);
        assert_eq!(
            (kind, text.key()),
            ("validation", Key::VerificationCodeNotAllowed)
        );
    }
}

#[test]
fn approve_approved_declaration_request_is_an_invalid_transition() {
    for status in [
        S::Approved,
        S::Signed,
        S::Rejected,
        S::Cancelled,
        S::Expired,
    ] {
        let mut ports = Ports::new();
        ports
            .stored(request_at(AuthenticationMethod::Na, status))
            .no_save();
        ports.registry.expect_person().never();

        let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
        assert_eq!(
            reason(result),
            ("conflict", Text::new(Key::InvalidTransition)),
            "{status}"
        );
    }
}

#[test]
fn approve_fails_when_patient_is_not_verified() {
    let mut ports = Ports::new();
    ports
        .stored(request(AuthenticationMethod::Na))
        .person(VerificationStatus::NotVerified)
        .no_save();
    ports.registry.expect_employee().never();

    let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    assert_eq!(
        reason(result),
        ("conflict", Text::new(Key::PatientNotVerified))
    );
}

#[test]
fn approve_passes_a_patient_whose_verification_is_needed() {
    let mut ports = Ports::new();
    ports
        .stored(request(AuthenticationMethod::Na))
        .person(VerificationStatus::VerificationNeeded)
        .doctor(Speciality::Therapist, 10)
        .seed()
        .saves(|r| r.status == S::Approved);

    let approved = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    assert_eq!(approved.map(|r| r.status).ok(), Some(S::Approved));
}

#[test]
fn happy_path_declaration_is_successfully_approved_via_otp_code() {
    let codes = Arc::new(MemoryCodes::default());
    let code = sent_code(&codes);
    let mut ports = Ports::new();
    ports
        .stored(request(otp()))
        .person(VerificationStatus::Verified)
        .doctor(Speciality::Therapist, 10)
        .seed()
        .saves(|r| {
            let data = r.data_to_be_signed.as_ref();
            r.status == S::Approved
                && r.status_reason == Some(StatusReason::DoctorConfirmed)
                && r.is_shareable
                && r.updated_at == NOW
                && r.updated_by == actor(DOCTOR)
                && r.seed.as_deref() == Some(SEED)
                && data.and_then(|d| d.seed.as_deref()) == Some(SEED)
                // Only a child's request under a parent's declaration loses these.
                && data.and_then(|d| d.person.patient_signed) == Some(true)
                && r.inserted_at == CREATED
                // The printout is rendered again from the approved request.
                && r.printout_content.as_deref() == Some("printout of an APPROVED request")
        });

    let number: u64 = code.expose().parse().unwrap();
    let approved = service_with(ports, codes.clone(), DeclarationLimits::default())
        .approve(&caller(&["approve"]), request_id(), body(json!(number)))
        .unwrap();
    assert_eq!(approved.status, S::Approved);
    assert_eq!(codes.all()[0].status, OtpStatus::Verified);
}

#[test]
fn approve_accepts_the_code_as_a_string_of_four_digits() {
    let codes = Arc::new(MemoryCodes::default());
    let code = sent_code(&codes);
    let mut ports = Ports::new();
    ports
        .stored(request(otp()))
        .person(VerificationStatus::Verified)
        .doctor(Speciality::Therapist, 10)
        .seed()
        .saves(|r| r.status == S::Approved);

    let result = service_with(ports, codes, DeclarationLimits::default()).approve(
        &caller(&["approve"]),
        request_id(),
        body(json!(code.expose())),
    );
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn declaration_failed_to_approve_invalid_otp() {
    let codes = Arc::new(MemoryCodes::default());
    let code = sent_code(&codes);
    let mut ports = Ports::new();
    ports
        .stored(request(otp()))
        .person(VerificationStatus::Verified)
        .no_save();
    ports.registry.expect_employee().never();

    let result = service_with(ports, codes.clone(), DeclarationLimits::default()).approve(
        &caller(&["approve"]),
        request_id(),
        body(wrong(&code)),
    );
    assert_eq!(
        reason(result),
        ("unprocessable", Text::new(Key::InvalidVerificationCode))
    );
    assert_eq!(codes.all()[0].attempts_count, 1);
}

#[test]
fn approve_fails_when_the_verification_code_expired() {
    let codes = Arc::new(MemoryCodes::default());
    // Sent 15 minutes and a second before now: past the 900 s TTL.
    let sender = otp_service(codes.clone(), 7, NOW - Duration::from_secs(901));
    let code = sender.issue(PHONE, None).unwrap().code;
    let mut ports = Ports::new();
    ports
        .stored(request(otp()))
        .person(VerificationStatus::Verified)
        .no_save();

    let result = service_with(ports, codes, DeclarationLimits::default()).approve(
        &caller(&["approve"]),
        request_id(),
        body(json!(code.expose())),
    );
    assert_eq!(
        reason(result),
        ("unprocessable", Text::new(Key::VerificationCodeExpired))
    );
}

#[test]
fn approve_fails_when_maximum_attempts_exceed() {
    let codes = Arc::new(MemoryCodes::default());
    let code = sent_code(&codes);
    let verifier = otp_service(codes.clone(), 0, NOW);
    let wrong_code = VerificationCode::from_json(&wrong(&code)).unwrap();
    for _ in 0..3 {
        verifier.verify(PHONE, &wrong_code).unwrap();
    }
    let mut ports = Ports::new();
    ports
        .stored(request(otp()))
        .person(VerificationStatus::Verified)
        .no_save();

    // Even the right code is refused once the attempts are used up.
    let result = service_with(ports, codes, DeclarationLimits::default()).approve(
        &caller(&["approve"]),
        request_id(),
        body(json!(code.expose())),
    );
    assert_eq!(
        reason(result),
        ("unprocessable", Text::new(Key::MaxAttemptsExceed))
    );
}

#[test]
fn approve_conflicts_when_another_action_moved_the_request_first() {
    let mut ports = Ports::new();
    ports
        .stored(request(AuthenticationMethod::Na))
        .person(VerificationStatus::Verified)
        .doctor(Speciality::Therapist, 10)
        .seed();
    ports
        .requests
        .expect_save_transition()
        .times(1)
        .returning(|_, _| Ok(false));

    let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    assert_eq!(
        reason(result),
        ("conflict", Text::new(Key::InvalidTransition))
    );
}
