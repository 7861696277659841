//! Approving by authentication method (OFFLINE documents, NA and parent declarations) and the
//! doctor's limit.

use super::approve::{no_body, service, service_with};
use super::*;
use crate::declarations::approve::{DeclarationLimits, document_key};
use crate::declarations::request::DocumentType;
use crate::kernel::blob::BlobReader;
use crate::kernel::text::{Arg, Key};

use DeclarationRequestStatus as S;

/// An `OFFLINE` request asking for `documents`.
fn offline(documents: &[&str]) -> DeclarationRequest {
    DeclarationRequest {
        documents: documents.iter().map(|d| DocumentType::new(*d)).collect(),
        ..request(AuthenticationMethod::Offline)
    }
}

/// The blob store holds the scans of `uploaded` for the request.
fn uploaded(ports: &mut Ports, uploaded: &'static [&'static str]) {
    ports.blobs.expect_open().returning(move |key, _| {
        let held = uploaded.iter().any(|d| {
            document_key(request_id(), &DocumentType::new(*d))
                .ok()
                .as_ref()
                == Some(key)
        });
        Ok(held.then(|| BlobReader {
            size: 1,
            reader: Box::new(std::io::empty()),
        }))
    });
}

/// A child's request (`NA`) under the parent declaration [`parent_id`].
fn for_child() -> DeclarationRequest {
    let mut r = request(AuthenticationMethod::Na);
    r.parent_declaration_id = Some(parent_id());
    if let Some(d) = r.data_to_be_signed.as_mut() {
        d.parent_declaration_id = Some(parent_id());
    }
    r
}

fn limits(therapist: u64, pediatrician: u64, family_doctor: u64) -> DeclarationLimits {
    DeclarationLimits {
        therapist,
        pediatrician,
        family_doctor,
    }
}

fn limit_reached(count: i64) -> (&'static str, Text) {
    (
        "unprocessable",
        Text::new(Key::DoctorDeclarationLimit).with("count", count),
    )
}

#[test]
fn happy_path_declaration_is_successfully_approved_via_offline_docs_check() {
    let mut ports = Ports::new();
    ports
        .stored(offline(&["PASSPORT", "person.tax_id"]))
        .person(VerificationStatus::Verified)
        .doctor(Speciality::Therapist, 10)
        .seed()
        .saves(|r| r.status == S::Approved && r.is_shareable);
    uploaded(&mut ports, &["PASSPORT", "person.tax_id"]);

    let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn offline_documents_were_not_uploaded_declaration_cannot_be_approved() {
    let mut ports = Ports::new();
    ports
        .stored(offline(&["A", "PASSPORT", "C"]))
        .person(VerificationStatus::Verified)
        .no_save();
    ports.registry.expect_employee().never();
    uploaded(&mut ports, &["A"]);

    let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    assert_eq!(
        reason(result),
        (
            "conflict",
            Text::new(Key::DocumentsNotUploaded)
                .with("documents", Arg::Items(vec!["PASSPORT".into(), "C".into()]))
        )
    );
}

#[test]
fn declaration_is_successfully_approved_without_verification() {
    let mut ports = Ports::new();
    ports
        .stored(request(AuthenticationMethod::Na))
        .person(VerificationStatus::Verified)
        .doctor(Speciality::Therapist, 10)
        .seed()
        .saves(|r| {
            r.status == S::Approved
                && r.data_to_be_signed
                    .as_ref()
                    .and_then(|d| d.person.patient_signed)
                    == Some(true)
        });
    ports.registry.expect_declaration().never();

    let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn approve_na_with_an_active_parent_declaration_clears_what_the_child_would_sign() {
    let mut ports = Ports::new();
    ports
        .stored(for_child())
        .person(VerificationStatus::Verified)
        .doctor(Speciality::Pediatrician, 10)
        .seed()
        .saves(|r| {
            let json = r.data_to_be_signed.as_ref().map(|d| d.to_json());
            let person = json.as_ref().map(|j| &j["person"]);
            r.status == S::Approved
                && person.is_some_and(|p| {
                    p["patient_signed"].is_null()
                        && p["process_disclosure_data_consent"].is_null()
                        && p.get("patient_signed").is_some()
                })
        });
    ports
        .registry
        .expect_declaration()
        .withf(|id| *id == parent_id())
        .return_once(|_| Ok(Some(declaration(DeclarationStatus::Active))));

    let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn approve_fails_when_the_parent_declaration_is_missing_or_not_active() {
    for parent in [
        None,
        Some(declaration(DeclarationStatus::Terminated)),
        Some(declaration(DeclarationStatus::PendingVerification)),
    ] {
        let mut ports = Ports::new();
        ports
            .stored(for_child())
            .person(VerificationStatus::Verified)
            .no_save();
        ports
            .registry
            .expect_declaration()
            .return_once(move |_| Ok(parent));

        let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
        assert_eq!(
            reason(result),
            ("not_found", Text::new(Key::ActiveParentDeclarationNotFound))
        );
    }
}

#[test]
fn approve_when_limit_exceeded_and_person_has_no_declarations_with_doctor() {
    let mut ports = Ports::new();
    ports
        .stored(request(AuthenticationMethod::Na))
        .person(VerificationStatus::Verified)
        .doctor(Speciality::Therapist, 5)
        .no_save();

    let result = service_with(ports, Arc::default(), limits(5, 6, 7)).approve(
        &caller(&["approve"]),
        request_id(),
        no_body(),
    );
    assert_eq!(reason(result), limit_reached(5));
}

#[test]
fn approve_when_limit_reached_and_person_has_declarations_with_doctor() {
    // The registry leaves the person's own declaration with the doctor out of the count.
    let mut ports = Ports::new();
    ports
        .stored(request(AuthenticationMethod::Na))
        .person(VerificationStatus::Verified)
        .doctor(Speciality::Therapist, 4)
        .seed()
        .saves(|r| r.status == S::Approved);

    let result = service_with(ports, Arc::default(), limits(5, 6, 7)).approve(
        &caller(&["approve"]),
        request_id(),
        no_body(),
    );
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn approve_uses_the_limit_of_the_doctors_speciality() {
    let table = [
        (Speciality::Therapist, 1999, true),
        (Speciality::Therapist, 2000, false),
        (Speciality::Pediatrician, 899, true),
        (Speciality::Pediatrician, 900, false),
        (Speciality::FamilyDoctor, 1799, true),
        (Speciality::FamilyDoctor, 1800, false),
    ];
    for (speciality, load, approves) in table {
        let mut ports = Ports::new();
        ports
            .stored(request(AuthenticationMethod::Na))
            .person(VerificationStatus::Verified)
            .doctor(speciality, load);
        if approves {
            ports.seed().saves(|r| r.status == S::Approved);
        } else {
            ports.no_save();
        }

        let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
        match approves {
            true => assert!(result.is_ok(), "{speciality:?} {load}: {result:?}"),
            false => assert_eq!(reason(result), limit_reached(load as i64)),
        }
    }
}

#[test]
fn all_employee_types_are_ignored_except_doctor() {
    let mut ports = Ports::new();
    ports
        .stored(request(AuthenticationMethod::Na))
        .person(VerificationStatus::Verified)
        .no_save();
    ports
        .registry
        .expect_employee()
        .return_once(|_| Ok(Some(employee(EmployeeType::Owner, None))));
    ports
        .registry
        .expect_doctor_load()
        .return_once(|_, _| Ok(3));

    let result = service(ports).approve(&caller(&["approve"]), request_id(), no_body());
    assert_eq!(reason(result), limit_reached(3));
}
