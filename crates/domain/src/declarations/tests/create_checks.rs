//! Creating a request: the checks of the body, one `invalid` entry per failing property, in the
//! reference's words; nothing is written when one fails.

use time::Date;

use super::create::{Mocks, adult, child, create, division, doctor, entries, input, one};
use super::*;
use crate::declarations::create::{
    CreateInput, DIVISION_FIELD, EMPLOYEE_FIELD, PARENT_FIELD, PERSON_FIELD, age_on,
    declaration_number, speciality_takes,
};
use crate::kernel::text::Key;

#[test]
fn create_fails_when_employee_is_not_a_doctor() {
    let mut mocks = Mocks::new(
        Some(adult(otp())),
        Some(employee(EmployeeType::Hr, None)),
        Some(division(le())),
    );
    mocks.never_creates();
    assert_eq!(
        entries(create(mocks, input())),
        one(EMPLOYEE_FIELD, "invalid", Key::EmployeeNotDoctor)
    );
}

#[test]
fn create_fails_when_doctor_has_no_speciality() {
    let mut mocks = Mocks::new(
        Some(adult(otp())),
        Some(employee(EmployeeType::Doctor, None)),
        Some(division(le())),
    );
    mocks.never_creates();
    assert_eq!(
        entries(create(mocks, input())),
        one(
            EMPLOYEE_FIELD,
            "speciality_inclusion",
            Key::EmployeeSpecialityNotDoctor
        )
    );
}

#[test]
fn create_fails_when_employee_is_dismissed() {
    let dismissed = Employee {
        status: EmployeeStatus::Dismissed,
        ..doctor(Speciality::Therapist)
    };
    let mut mocks = Mocks::new(Some(adult(otp())), Some(dismissed), Some(division(le())));
    mocks.never_creates();
    assert_eq!(
        entries(create(mocks, input())),
        one(EMPLOYEE_FIELD, "invalid", Key::EmployeeStatusInvalid)
    );
}

#[test]
fn create_fails_when_employee_belongs_to_another_legal_entity() {
    let other = Employee {
        legal_entity_id: LegalEntityId::from_uuid(uuid(0x2e)),
        ..doctor(Speciality::Therapist)
    };
    let mut mocks = Mocks::new(Some(adult(otp())), Some(other), Some(division(le())));
    mocks.never_creates();
    assert_eq!(
        entries(create(mocks, input())),
        one(
            EMPLOYEE_FIELD,
            "employee_unemployed",
            Key::EmployeeNotInLegalEntity
        )
    );
}

#[test]
fn create_fails_when_division_belongs_to_another_legal_entity() {
    let other = division(LegalEntityId::from_uuid(uuid(0x2e)));
    let mut mocks = Mocks::new(
        Some(adult(otp())),
        Some(doctor(Speciality::Therapist)),
        Some(other),
    );
    mocks.never_creates();
    assert_eq!(
        entries(create(mocks, input())),
        one(DIVISION_FIELD, "invalid", Key::DivisionNotInLegalEntity)
    );
}

#[test]
fn pediatrician_cannot_take_an_adult() {
    let mut mocks = Mocks::new(
        Some(adult(otp())),
        Some(doctor(Speciality::Pediatrician)),
        Some(division(le())),
    );
    mocks.never_creates();
    assert_eq!(
        entries(create(mocks, input())),
        one(EMPLOYEE_FIELD, "invalid_age", Key::SpecialityAgeMismatch)
    );
}

#[test]
fn therapist_cannot_take_a_child() {
    let mut mocks = Mocks::new(
        Some(child()),
        Some(doctor(Speciality::Therapist)),
        Some(division(le())),
    );
    mocks.never_creates();
    assert_eq!(
        entries(create(mocks, input())),
        one(EMPLOYEE_FIELD, "invalid_age", Key::SpecialityAgeMismatch)
    );
}

#[test]
fn family_doctor_takes_a_child_under_a_parents_declaration() {
    let mut mocks = Mocks::new(
        Some(child()),
        Some(doctor(Speciality::FamilyDoctor)),
        Some(division(le())),
    );
    mocks
        .registry
        .expect_declaration()
        .withf(|id| *id == parent_id())
        .return_once(|_| Ok(Some(declaration(DeclarationStatus::Active))));
    mocks.creates(|r| {
        r.parent_declaration_id == Some(parent_id())
            && r.authentication_method_current == Some(AuthenticationMethod::Na)
            && r.data_to_be_signed
                .as_ref()
                .and_then(|d| d.parent_declaration_id)
                == Some(parent_id())
    });
    mocks.sender.expect_send_code().never();
    let created = create(
        mocks,
        CreateInput {
            parent_declaration_id: Some(parent_id()),
            ..input()
        },
    )
    .unwrap();
    assert!(created.urgent_documents.is_empty());
}

#[test]
fn create_fails_when_parent_declaration_is_not_active() {
    for parent in [None, Some(declaration(DeclarationStatus::Terminated))] {
        let mut mocks = Mocks::new(
            Some(child()),
            Some(doctor(Speciality::Pediatrician)),
            Some(division(le())),
        );
        mocks
            .registry
            .expect_declaration()
            .return_once(move |_| Ok(parent));
        mocks.never_creates();
        let result = create(
            mocks,
            CreateInput {
                parent_declaration_id: Some(parent_id()),
                ..input()
            },
        );
        assert_eq!(
            entries(result),
            one(
                PARENT_FIELD,
                "invalid",
                Key::ActiveParentDeclarationNotFound
            )
        );
    }
}

#[test]
fn create_reports_every_failing_property_once() {
    let mut mocks = Mocks::new(None, None, None);
    mocks
        .registry
        .expect_declaration()
        .return_once(|_| Ok(None));
    mocks.never_creates();
    let result = create(
        mocks,
        CreateInput {
            parent_declaration_id: Some(parent_id()),
            ..input()
        },
    );
    assert_eq!(
        entries(result),
        [
            (PERSON_FIELD.to_owned(), "invalid", Key::PersonNotFound),
            (EMPLOYEE_FIELD.to_owned(), "invalid", Key::EmployeeNotFound),
            (DIVISION_FIELD.to_owned(), "invalid", Key::DivisionNotFound),
            (
                PARENT_FIELD.to_owned(),
                "invalid",
                Key::ActiveParentDeclarationNotFound
            ),
        ]
    );
}

#[test]
fn create_fails_when_person_has_no_authentication_method() {
    let person = Person {
        authentication_methods: Vec::new(),
        ..person(VerificationStatus::Verified)
    };
    let mut mocks = Mocks::valid(person);
    mocks.never_creates();
    assert_eq!(
        entries(create(mocks, input())),
        one(
            PERSON_FIELD,
            "required",
            Key::PersonWithoutAuthenticationMethod
        )
    );
}

#[test]
fn specialities_take_persons_by_age() {
    let d = |y, m, day| Date::from_calendar_date(y, m, day).unwrap();
    use time::Month::{June, May};
    // The day before the 18th birthday the person is 17; on it, 18.
    assert_eq!(age_on(d(2008, June, 1), d(2026, May, 31)), 17);
    assert_eq!(age_on(d(2008, June, 1), d(2026, June, 1)), 18);
    let table = [
        (Speciality::Therapist, 17, false),
        (Speciality::Therapist, 18, true),
        (Speciality::Pediatrician, 17, true),
        (Speciality::Pediatrician, 18, false),
        (Speciality::FamilyDoctor, 0, true),
        (Speciality::FamilyDoctor, 90, true),
    ];
    for (speciality, age, takes) in table {
        assert_eq!(
            speciality_takes(speciality, age, 18),
            takes,
            "{speciality:?} {age}"
        );
    }
}

#[test]
fn declaration_numbers_have_the_reference_format() {
    assert_eq!(declaration_number(&source(0)), "0000-0000-0000");
    // 0xffffffff % 18 == 3: the fourth symbol.
    assert_eq!(declaration_number(&source(0xff)), "0000-EEEE-EEEE");
    let mut counter = MockCodeSource::new();
    counter.expect_fill().returning(|bytes| {
        for (i, chunk) in bytes.chunks_mut(4).enumerate() {
            chunk.copy_from_slice(&(i as u32).to_be_bytes());
        }
    });
    assert_eq!(declaration_number(&counter), "0000-0A1E-2H3K");
}
