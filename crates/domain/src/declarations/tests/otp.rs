//! Verification codes: their digits, their storage, and their checking.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::declarations::otp::{CodeHash, VerificationCode, VerifyOutcome, luhn_check_digit};
use crate::kernel::text::Key;

fn code(raw: &str) -> VerificationCode {
    VerificationCode::from_json(&json!(raw)).unwrap()
}

#[test]
fn the_last_digit_is_the_luhn_check_digit_of_the_first_three() {
    // The textbook example: 7992739871 has the check digit 3.
    assert_eq!(luhn_check_digit("7992739871"), Some(3));
    assert_eq!(luhn_check_digit("123"), Some(0));
    assert_eq!(luhn_check_digit("456"), Some(4));
    assert_eq!(luhn_check_digit("000"), Some(0));
    assert_eq!(luhn_check_digit("12a"), None);
    assert_eq!(VerificationCode::from_payload(456).expose(), "4564");
    assert_eq!(VerificationCode::from_payload(7).expose(), "0075");
    for n in 0..1000 {
        let c = VerificationCode::from_payload(n);
        assert_eq!(c.expose().len(), 4);
        assert!(c.is_well_formed(), "{n}");
    }
    assert!(!code("4565").is_well_formed());
}

#[test]
fn codes_are_read_from_a_number_or_a_string_of_four_digits() {
    assert_eq!(
        VerificationCode::from_json(&json!(3748)).unwrap().expose(),
        "3748"
    );
    assert_eq!(
        VerificationCode::from_json(&json!(75)).unwrap().expose(),
        "0075"
    );
    assert_eq!(
        VerificationCode::from_json(&json!("0075"))
            .unwrap()
            .expose(),
        "0075"
    );
    for bad in [
        json!("75"),
        json!("37480"),
        json!(" 3748"),
        json!(10000),
        json!(-3),
        json!(37.5),
        json!(null),
    ] {
        let err = VerificationCode::from_json(&bad).unwrap_err();
        assert!(
            matches!(&err, Error::Validation(f) if f[0].field == "verification_code"
                && f[0].text.key() == Key::InvalidVerificationCodeFormat),
            "{bad}: {err:?}"
        );
    }
    assert_eq!(format!("{:?}", code("3748")), "VerificationCode(****)");
}

#[test]
fn a_code_is_stored_as_a_salted_digest_never_as_itself() {
    let c = code("4564");
    let hash = CodeHash::new(&c, [7; 16]);
    assert_ne!(hash.digest.hex(), "4564");
    assert!(!hash.digest.hex().contains("4564"));
    assert!(!hash.digest.0.windows(4).any(|w| w == b"4564"));
    assert!(hash.matches(&c));
    assert!(!hash.matches(&code("4565")));
    // The same code under another salt gives another digest.
    assert_ne!(CodeHash::new(&c, [8; 16]).digest, hash.digest);
}

#[test]
fn issuing_stores_a_new_code_valid_for_the_ttl() {
    let codes = Arc::new(MemoryCodes::default());
    // Payload bytes 0x000001c8 = 456.
    let mut source = MockCodeSource::new();
    let mut calls = 0;
    source.expect_fill().returning(move |b| {
        calls += 1;
        if calls == 1 {
            b.copy_from_slice(&[0, 0, 0x01, 0xc8]);
        } else {
            b.fill(9);
        }
    });
    let service = OtpService::new(
        codes.clone(),
        Arc::new(source),
        Arc::new(FixedClock(NOW)),
        Arc::new(SequentialIds::default()),
        OtpPolicy::default(),
    );

    let issued = service.issue(PHONE, Some(request_id())).unwrap();
    assert_eq!(issued.code.expose(), "4564");
    let stored = codes.all();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0], issued.verification);
    let v = &stored[0];
    assert_eq!((v.status, v.attempts_count), (OtpStatus::New, 0));
    assert_eq!(v.code_expired_at, NOW + Duration::from_secs(900));
    assert_eq!(v.code_hash.salt, [9; 16]);
    assert!(v.code_hash.matches(&issued.code));
    assert!(!format!("{v:?}").contains("4564"));
}

#[test]
fn a_code_expires_at_exactly_its_ttl() {
    let codes = Arc::new(MemoryCodes::default());
    let issued = otp_service(codes.clone(), 3, NOW)
        .issue(PHONE, None)
        .unwrap();
    let v = &issued.verification;
    let policy = OtpPolicy::default();

    let (_, just_in_time) = v.attempt(&issued.code, NOW + Duration::from_secs(899), policy);
    assert_eq!(just_in_time, VerifyOutcome::Verified);
    let (after, at_ttl) = v.attempt(&issued.code, NOW + Duration::from_secs(900), policy);
    assert_eq!(at_ttl, VerifyOutcome::Expired);
    assert_eq!(
        (after.status, after.attempts_count),
        (OtpStatus::Expired, 1)
    );
    // Once expired it stays expired, and further tries change nothing.
    let (again, outcome) = after.attempt(&issued.code, NOW, policy);
    assert_eq!((again, outcome), (after.clone(), VerifyOutcome::Expired));
}

#[test]
fn three_wrong_codes_use_up_the_attempts() {
    let codes = Arc::new(MemoryCodes::default());
    let issued = otp_service(codes.clone(), 5, NOW)
        .issue(PHONE, None)
        .unwrap();
    let verifier = otp_service(codes.clone(), 0, NOW + Duration::from_secs(10));
    let wrong = if issued.code.expose() == "0000" {
        code("1230")
    } else {
        code("0000")
    };

    let outcomes: Vec<VerifyOutcome> = (0..3)
        .map(|_| verifier.verify(PHONE, &wrong).unwrap())
        .collect();
    assert_eq!(outcomes, [VerifyOutcome::InvalidCode; 3]);
    assert_eq!(codes.all()[0].status, OtpStatus::Unverified);
    assert_eq!(codes.all()[0].attempts_count, 3);
    assert_eq!(
        verifier.verify(PHONE, &issued.code).unwrap(),
        VerifyOutcome::AttemptsExceeded
    );
    assert_eq!(codes.all()[0].attempts_count, 3);
}

#[test]
fn a_right_code_after_a_wrong_one_verifies_once() {
    let codes = Arc::new(MemoryCodes::default());
    let issued = otp_service(codes.clone(), 5, NOW)
        .issue(PHONE, None)
        .unwrap();
    let verifier = otp_service(codes.clone(), 0, NOW);
    let wrong = if issued.code.expose() == "0000" {
        code("1230")
    } else {
        code("0000")
    };

    assert_eq!(
        verifier.verify(PHONE, &wrong).unwrap(),
        VerifyOutcome::InvalidCode
    );
    assert_eq!(
        verifier.verify(PHONE, &issued.code).unwrap(),
        VerifyOutcome::Verified
    );
    // A used code is not valid again.
    assert_eq!(
        verifier.verify(PHONE, &issued.code).unwrap(),
        VerifyOutcome::InvalidCode
    );
    assert_eq!(VerifyOutcome::Verified.into_result().ok(), Some(()));
}

#[test]
fn a_new_code_cancels_the_old_one() {
    let codes = Arc::new(MemoryCodes::default());
    let old = otp_service(codes.clone(), 1, NOW)
        .issue(PHONE, None)
        .unwrap();
    let new = otp_service(codes.clone(), 2, NOW)
        .issue(PHONE, None)
        .unwrap();
    assert_ne!(old.code, new.code);
    let verifier = otp_service(codes.clone(), 0, NOW);

    assert_eq!(
        verifier.verify(PHONE, &old.code).unwrap(),
        VerifyOutcome::InvalidCode
    );
    assert_eq!(codes.all()[0].status, OtpStatus::Cancelled);
    assert_eq!(
        verifier.verify(PHONE, &new.code).unwrap(),
        VerifyOutcome::Verified
    );
}

#[test]
fn a_phone_without_a_code_has_no_valid_code() {
    let verifier = otp_service(Arc::new(MemoryCodes::default()), 0, NOW);
    assert_eq!(
        verifier.verify(PHONE, &code("1230")).unwrap(),
        VerifyOutcome::InvalidCode
    );
}

#[test]
fn a_concurrent_attempt_makes_the_check_read_again() {
    let codes = Arc::new(MemoryCodes::default());
    let issued = otp_service(codes.clone(), 5, NOW)
        .issue(PHONE, None)
        .unwrap();
    let stored = issued.verification.clone();
    let mut repo = MockVerificationRepository::new();
    repo.expect_latest()
        .returning(move |_| Ok(Some(stored.clone())));
    let mut writes = 0;
    repo.expect_record_attempt()
        .times(2)
        .withf(|v, previous| v.attempts_count == 1 && *previous == 0)
        .returning(move |_, _| {
            writes += 1;
            Ok(writes == 2)
        });
    let verifier = otp_service(Arc::new(repo), 0, NOW);

    assert_eq!(
        verifier.verify(PHONE, &issued.code).unwrap(),
        VerifyOutcome::Verified
    );
}

#[test]
fn outcomes_are_the_references_422s() {
    let table = [
        (VerifyOutcome::InvalidCode, Key::InvalidVerificationCode),
        (VerifyOutcome::Expired, Key::VerificationCodeExpired),
        (VerifyOutcome::AttemptsExceeded, Key::MaxAttemptsExceed),
    ];
    for (outcome, key) in table {
        assert_eq!(
            reason(outcome.into_result()),
            ("unprocessable", Text::new(key))
        );
    }
}
