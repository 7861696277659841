//! The declarations context's test data: a small registry of two legal entities, and declaration
//! requests and verification codes over it.

use domain::declarations::{
    AuthenticationMethod, CodeHash, DataToBeSigned, Declaration, DeclarationId, DeclarationRequest,
    DeclarationRequestStatus, DeclarationStatus, Division, DocumentType, Employee, EmployeeStatus,
    EmployeeType, LegalEntity, OtpStatus, Party, Person, PublicKey, SignedDivision, SignedEmployee,
    SignedLegalEntity, SignedPerson, Speciality, Verification, VerificationCode,
    VerificationStatus,
};
use store_diesel::RegistryImport;
use time::macros::date;

use crate::support::*;

/// A fresh id of any of the context's id types.
pub fn id<T: From<Uuid>>() -> T {
    T::from(Uuid::now_v7())
}

/// A registry as the file holds it.
#[derive(Debug, Clone)]
pub struct Registry {
    pub legal_entities: Vec<LegalEntity>,
    pub divisions: Vec<Division>,
    pub employees: Vec<Employee>,
    pub persons: Vec<Person>,
    pub declarations: Vec<Declaration>,
}

impl Registry {
    pub fn import(&self) -> RegistryImport<'_> {
        RegistryImport {
            legal_entities: &self.legal_entities,
            divisions: &self.divisions,
            employees: &self.employees,
            persons: &self.persons,
            declarations: &self.declarations,
        }
    }
}

pub fn legal_entity(name: &str) -> LegalEntity {
    LegalEntity {
        id: id(),
        name: name.to_owned(),
        short_name: Some(format!("{name} (short)")),
        edrpou: None,
    }
}

pub fn division(le: &LegalEntity, name: &str) -> Division {
    Division {
        id: id(),
        legal_entity_id: le.id,
        name: name.to_owned(),
    }
}

/// An approved doctor of `division` with `speciality` and a registered key.
pub fn doctor(division: &Division, last_name: &str, speciality: Speciality) -> Employee {
    Employee {
        id: id(),
        party: Party {
            first_name: "Petro".to_owned(),
            last_name: last_name.to_owned(),
            second_name: Some("Ivanovych".to_owned()),
        },
        legal_entity_id: division.legal_entity_id,
        division_id: Some(division.id),
        employee_type: EmployeeType::Doctor,
        speciality: Some(speciality),
        status: EmployeeStatus::Approved,
        public_key: Some(PublicKey::from_bytes(&[7u8; 32]).unwrap()),
    }
}

/// A verified person who confirms by SMS at `phone`.
pub fn person(last_name: &str, phone: &str) -> Person {
    Person {
        id: id(),
        first_name: "Olena".to_owned(),
        last_name: last_name.to_owned(),
        second_name: None,
        birth_date: date!(1990 - 04 - 12),
        tax_id: Some("3126509816".to_owned()),
        phone_number: Some(phone.to_owned()),
        verification_status: VerificationStatus::Verified,
        authentication_methods: vec![
            AuthenticationMethod::Otp {
                phone_number: phone.to_owned(),
            },
            AuthenticationMethod::Offline,
        ],
    }
}

/// `person`'s `status` declaration with `doctor`, numbered `number`.
pub fn declaration(
    person: &Person,
    doctor: &Employee,
    status: DeclarationStatus,
    number: &str,
) -> Declaration {
    Declaration {
        id: id(),
        declaration_number: number.to_owned(),
        person_id: person.id,
        employee_id: doctor.id,
        legal_entity_id: doctor.legal_entity_id,
        division_id: doctor.division_id,
        status,
        reason: None,
        start_date: date!(2025 - 02 - 01),
        declaration_request_id: None,
    }
}

/// Legal entities `A` and `B`, a division each; doctors: a therapist (`employees[0]`) and a
/// pediatrician (`employees[1]`) of A, a family doctor of B (`employees[2]`); persons 0 to 2, and
/// a declaration of each person with A's therapist (active, pending, terminated).
pub fn registry() -> Registry {
    let a = legal_entity("Clinic A");
    let b = legal_entity("Clinic B");
    let da = division(&a, "A main building");
    let db = division(&b, "B main building");
    let employees = vec![
        doctor(&da, "Therapist", Speciality::Therapist),
        Employee {
            public_key: None,
            ..second_name_free(doctor(&da, "Pediatrician", Speciality::Pediatrician))
        },
        doctor(&db, "Family", Speciality::FamilyDoctor),
    ];
    let persons = vec![
        person("Shevchenko", "+380970000001"),
        Person {
            verification_status: VerificationStatus::VerificationNeeded,
            authentication_methods: vec![AuthenticationMethod::Na],
            tax_id: None,
            phone_number: None,
            ..person("Kovalenko", "+380970000002")
        },
        person("Bondarenko", "+380970000003"),
    ];
    let declarations = vec![
        declaration(
            &persons[0],
            &employees[0],
            DeclarationStatus::Active,
            "0000-0001",
        ),
        declaration(
            &persons[1],
            &employees[0],
            DeclarationStatus::PendingVerification,
            "0000-0002",
        ),
        Declaration {
            reason: Some("auto_reorganization".to_owned()),
            division_id: None,
            ..declaration(
                &persons[2],
                &employees[0],
                DeclarationStatus::Terminated,
                "0000-0003",
            )
        },
    ];
    Registry {
        legal_entities: vec![a, b],
        divisions: vec![da, db],
        employees,
        persons,
        declarations,
    }
}

/// `e` with no second name and no division: the optional fields `NULL`.
fn second_name_free(mut e: Employee) -> Employee {
    e.party.second_name = None;
    e.division_id = None;
    e
}

/// Imports `registry` at [`T0`] and returns it.
pub fn imported(store: &Store) -> Registry {
    let registry = registry();
    store.import_registry(registry.import(), T0).unwrap();
    registry
}

/// A `NEW` request of `person` for `doctor`, made by the doctor's legal entity at `at`, with the
/// document to sign, a printout and two documents to upload.
pub fn request(
    registry: &Registry,
    person: &Person,
    doctor: &Employee,
    at: OffsetDateTime,
) -> DeclarationRequest {
    let le = registry
        .legal_entities
        .iter()
        .find(|le| le.id == doctor.legal_entity_id)
        .unwrap();
    let division = registry
        .divisions
        .iter()
        .find(|d| d.legal_entity_id == le.id)
        .unwrap();
    let declaration_id: DeclarationId = id();
    let number = format!("0000-{}", &declaration_id.to_string()[24..]);
    let method = person.authentication_methods.first().cloned();
    DeclarationRequest {
        id: id(),
        person_id: person.id,
        employee_id: doctor.id,
        division_id: division.id,
        legal_entity_id: le.id,
        start_date: date!(2026 - 11 - 23),
        parent_declaration_id: None,
        status: DeclarationRequestStatus::New,
        status_reason: None,
        authentication_method_current: method,
        declaration_number: number.clone(),
        declaration_id,
        data_to_be_signed: Some(DataToBeSigned {
            id: declaration_id,
            declaration_number: number,
            start_date: date!(2026 - 11 - 23),
            person: SignedPerson {
                id: person.id,
                first_name: person.first_name.clone(),
                last_name: person.last_name.clone(),
                second_name: person.second_name.clone(),
                birth_date: person.birth_date,
                tax_id: person.tax_id.clone(),
                phone_number: person.phone_number.clone(),
                authentication_methods: person.authentication_methods.clone(),
                patient_signed: Some(true),
                process_disclosure_data_consent: Some(true),
            },
            employee: SignedEmployee {
                id: doctor.id,
                employee_type: doctor.employee_type,
                speciality: doctor.speciality,
                first_name: doctor.party.first_name.clone(),
                last_name: doctor.party.last_name.clone(),
                second_name: doctor.party.second_name.clone(),
            },
            legal_entity: SignedLegalEntity {
                id: le.id,
                name: le.name.clone(),
                short_name: le.short_name.clone(),
                edrpou: le.edrpou.clone(),
            },
            division: SignedDivision {
                id: division.id,
                name: division.name.clone(),
            },
            parent_declaration_id: None,
            seed: None,
        }),
        printout_content: Some("<html>Декларація \"1\"</html>".to_owned()),
        seed: None,
        is_shareable: false,
        documents: vec![
            DocumentType::new("PASSPORT"),
            DocumentType::new("person.tax_id"),
        ],
        inserted_at: at,
        inserted_by: actor("EMP1"),
        updated_at: at,
        updated_by: actor("EMP1"),
    }
}

/// A `New` code for `phone` made at `at`, valid 15 minutes.
pub fn verification(phone: &str, at: OffsetDateTime) -> Verification {
    let code = VerificationCode::from_payload(374);
    Verification {
        id: id(),
        phone_number: phone.to_owned(),
        declaration_request_id: Some(id()),
        code_hash: CodeHash::new(&code, [9u8; 16]),
        status: OtpStatus::New,
        attempts_count: 0,
        code_expired_at: at + time::Duration::minutes(15),
        inserted_at: at,
    }
}
