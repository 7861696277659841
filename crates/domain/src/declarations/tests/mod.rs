//! Tests of the declarations services against mocks of the ports.
//!
//! The cast: doctor `EMP1` of the legal entity [`le`] approves the request [`REQUEST`] of the person
//! [`person_id`] for the therapist [`employee_id`]. The request was created at [`CREATED`]; the
//! clock stands at [`NOW`].

mod actions;
mod approve;
mod approve_methods;
mod create;
mod create_checks;
mod expiry;
mod otp;
mod sign;

use std::sync::{Arc, Mutex};

use time::OffsetDateTime;
use time::macros::{date, datetime};

use super::ids::{
    DeclarationId, DeclarationRequestId, DivisionId, EmployeeId, LegalEntityId, PersonId,
};
use super::otp::{
    MockCodeSource, MockVerificationRepository, OtpPolicy, OtpService, OtpStatus, Verification,
    VerificationRepository,
};
use super::ports::{MockChainSeed, MockDeclarationRequestRepository, MockRegistryRepository};
use super::registry::{
    AuthenticationMethod, Declaration, DeclarationStatus, Employee, EmployeeStatus, EmployeeType,
    Party, Person, Speciality, VerificationStatus,
};
use super::request::{
    DataToBeSigned, DeclarationRequest, SignedDivision, SignedEmployee, SignedLegalEntity,
    SignedPerson,
};
use super::scope::Caller;
use super::status::DeclarationRequestStatus;
use crate::Error;
use crate::Result;
use crate::kernel::blob::MockBlobStore;
use crate::kernel::ids::{ActorId, UuidV7};
use crate::kernel::text::Text;
use crate::testing::{FixedClock, NOW, SequentialIds, uuid};

/// The request's id, as the edge parses it from the path.
const REQUEST: u128 = 0xdec;
const PHONE: &str = "+380972805261";
const DOCTOR: &str = "EMP1";
/// When the stored request was created.
const CREATED: OffsetDateTime = datetime!(2026-11-23 09:00 UTC);
/// The chain's latest hash.
const SEED: &str = "99bc78ba577a95a11f1a344d4d2ae55f2f857b98";

fn request_id() -> DeclarationRequestId {
    DeclarationRequestId::from_uuid(uuid(REQUEST))
}

fn le() -> LegalEntityId {
    LegalEntityId::from_uuid(uuid(0x1e))
}

fn person_id() -> PersonId {
    PersonId::from_uuid(uuid(0x9e))
}

fn employee_id() -> EmployeeId {
    EmployeeId::from_uuid(uuid(0xe1))
}

fn parent_id() -> DeclarationId {
    DeclarationId::from_uuid(uuid(0xfa))
}

fn actor(id: &str) -> ActorId {
    ActorId::from_stored(id.to_owned())
}

fn otp() -> AuthenticationMethod {
    AuthenticationMethod::Otp {
        phone_number: PHONE.into(),
    }
}

/// `EMP1` of [`le`], with `scopes` (`declaration_request:` is added to each).
fn caller(scopes: &[&str]) -> Caller {
    Caller {
        user_id: actor(DOCTOR),
        legal_entity_id: le(),
        scopes: scopes
            .iter()
            .map(|s| format!("declaration_request:{s}"))
            .collect(),
    }
}

fn person(status: VerificationStatus) -> Person {
    Person {
        id: person_id(),
        first_name: "Olena".into(),
        last_name: "Shevchenko".into(),
        second_name: None,
        birth_date: date!(1990 - 04 - 12),
        tax_id: Some("3126509816".into()),
        phone_number: Some(PHONE.into()),
        verification_status: status,
        authentication_methods: vec![otp()],
    }
}

fn employee(employee_type: EmployeeType, speciality: Option<Speciality>) -> Employee {
    Employee {
        id: employee_id(),
        party: Party {
            first_name: "Petro".into(),
            last_name: "Ivanenko".into(),
            second_name: None,
        },
        legal_entity_id: le(),
        division_id: Some(DivisionId::from_uuid(uuid(0xd1))),
        employee_type,
        speciality,
        status: EmployeeStatus::Approved,
        public_key: None,
    }
}

fn declaration(status: DeclarationStatus) -> Declaration {
    Declaration {
        id: parent_id(),
        declaration_number: "0000-1234-5678".into(),
        person_id: PersonId::from_uuid(uuid(0x9a)),
        employee_id: employee_id(),
        legal_entity_id: le(),
        division_id: None,
        status,
        reason: None,
        start_date: date!(2020 - 01 - 01),
        declaration_request_id: None,
    }
}

/// The stored request: `NEW`, authenticated by `method`, with the document to sign.
fn request(method: AuthenticationMethod) -> DeclarationRequest {
    let p = person(VerificationStatus::Verified);
    let e = employee(EmployeeType::Doctor, Some(Speciality::Therapist));
    let declaration_id = DeclarationId::from_uuid(uuid(0xdc1));
    DeclarationRequest {
        id: request_id(),
        person_id: p.id,
        employee_id: e.id,
        division_id: DivisionId::from_uuid(uuid(0xd1)),
        legal_entity_id: le(),
        start_date: date!(2026 - 11 - 23),
        parent_declaration_id: None,
        status: DeclarationRequestStatus::New,
        status_reason: None,
        authentication_method_current: Some(method),
        declaration_number: "0000-ABCD-1234".into(),
        declaration_id,
        data_to_be_signed: Some(DataToBeSigned {
            id: declaration_id,
            declaration_number: "0000-ABCD-1234".into(),
            start_date: date!(2026 - 11 - 23),
            person: SignedPerson {
                id: p.id,
                first_name: p.first_name,
                last_name: p.last_name,
                second_name: None,
                birth_date: p.birth_date,
                tax_id: p.tax_id,
                phone_number: p.phone_number,
                authentication_methods: p.authentication_methods,
                patient_signed: Some(true),
                process_disclosure_data_consent: Some(true),
            },
            employee: SignedEmployee {
                id: e.id,
                employee_type: e.employee_type,
                speciality: e.speciality,
                first_name: e.party.first_name,
                last_name: e.party.last_name,
                second_name: None,
            },
            legal_entity: SignedLegalEntity {
                id: le(),
                name: "Clinic No. 1".into(),
                short_name: None,
                edrpou: Some("38782323".into()),
            },
            division: SignedDivision {
                id: DivisionId::from_uuid(uuid(0xd1)),
                name: "Main building".into(),
            },
            parent_declaration_id: None,
            seed: None,
        }),
        printout_content: Some("<html>declaration</html>".into()),
        seed: None,
        is_shareable: false,
        documents: Vec::new(),
        inserted_at: CREATED,
        inserted_by: actor(DOCTOR),
        updated_at: CREATED,
        updated_by: actor(DOCTOR),
    }
}

/// The stored request at `status`.
fn request_at(
    method: AuthenticationMethod,
    status: DeclarationRequestStatus,
) -> DeclarationRequest {
    DeclarationRequest {
        status,
        ..request(method)
    }
}

/// The error's kind and reason, for comparing with what a test expects.
fn reason(result: Result<impl std::fmt::Debug>) -> (&'static str, Text) {
    match result {
        Err(Error::NotFound(t)) => ("not_found", t),
        Err(Error::Conflict(t)) => ("conflict", t),
        Err(Error::Unprocessable(t)) => ("unprocessable", t),
        Err(Error::Validation(f)) if f.len() == 1 => ("validation", f[0].text.clone()),
        other => panic!("not a refusal with a reason: {other:?}"),
    }
}

/// Verification codes kept in memory, following the repository's contract.
#[derive(Debug, Default)]
struct MemoryCodes(Mutex<Vec<Verification>>);

impl MemoryCodes {
    fn all(&self) -> Vec<Verification> {
        self.0.lock().unwrap().clone()
    }
}

impl VerificationRepository for MemoryCodes {
    fn store(&self, verification: &Verification) -> Result<()> {
        let mut rows = self.0.lock().unwrap();
        for row in rows.iter_mut() {
            if row.phone_number == verification.phone_number && row.status == OtpStatus::New {
                row.status = OtpStatus::Cancelled;
            }
        }
        rows.push(verification.clone());
        Ok(())
    }

    fn latest(&self, phone_number: &str) -> Result<Option<Verification>> {
        let rows = self.0.lock().unwrap();
        Ok(rows
            .iter()
            .rev()
            .find(|v| v.phone_number == phone_number)
            .cloned())
    }

    fn record_attempt(&self, verification: &Verification, previous_attempts: u32) -> Result<bool> {
        let mut rows = self.0.lock().unwrap();
        match rows.iter_mut().find(|v| v.id == verification.id) {
            Some(row)
                if row.status == OtpStatus::New && row.attempts_count == previous_attempts =>
            {
                row.status = verification.status;
                row.attempts_count = verification.attempts_count;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn cancel(&self, phone_number: &str) -> Result<u64> {
        let mut rows = self.0.lock().unwrap();
        let mut n = 0;
        for row in rows.iter_mut() {
            if row.phone_number == phone_number && row.status == OtpStatus::New {
                row.status = OtpStatus::Cancelled;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// A random source that gives `byte` everywhere.
fn source(byte: u8) -> MockCodeSource {
    let mut source = MockCodeSource::new();
    source.expect_fill().returning(move |b| b.fill(byte));
    source
}

/// The OTP service over `codes`, with the clock at `now` and the default policy.
fn otp_service(
    codes: Arc<dyn VerificationRepository>,
    byte: u8,
    now: OffsetDateTime,
) -> OtpService {
    OtpService::new(
        codes,
        Arc::new(source(byte)),
        Arc::new(FixedClock(now)),
        // Several services share one store in a test: their ids must not collide.
        Arc::new(UuidV7),
        OtpPolicy::default(),
    )
}

/// One mock per port; a test sets only the expectations it needs.
struct Ports {
    requests: MockDeclarationRequestRepository,
    registry: MockRegistryRepository,
    blobs: MockBlobStore,
    chain: MockChainSeed,
}

impl Ports {
    fn new() -> Self {
        Self {
            requests: MockDeclarationRequestRepository::new(),
            registry: MockRegistryRepository::new(),
            blobs: MockBlobStore::new(),
            chain: MockChainSeed::new(),
        }
    }

    /// The caller's legal entity holds `request`.
    fn stored(&mut self, request: DeclarationRequest) -> &mut Self {
        self.requests
            .expect_find()
            .withf(|id, le_id| *id == request_id() && *le_id == le())
            .return_once(move |_, _| Ok(Some(request)));
        self
    }

    fn person(&mut self, status: VerificationStatus) -> &mut Self {
        self.registry
            .expect_person()
            .withf(|id| *id == person_id())
            .return_once(move |_| Ok(Some(person(status))));
        self
    }

    /// The request's doctor is a therapist holding `load` declarations (not counting the person).
    fn doctor(&mut self, speciality: Speciality, load: u64) -> &mut Self {
        self.registry
            .expect_employee()
            .return_once(move |_| Ok(Some(employee(EmployeeType::Doctor, Some(speciality)))));
        self.registry
            .expect_doctor_load()
            .withf(|e, p| *e == employee_id() && *p == person_id())
            .return_once(move |_, _| Ok(load));
        self
    }

    fn seed(&mut self) -> &mut Self {
        self.chain
            .expect_latest_hash()
            .return_once(|| Ok(SEED.to_owned()));
        self
    }

    /// The approved request is written over `NEW` once, and passes `check`.
    fn saves(&mut self, check: impl Fn(&DeclarationRequest) -> bool + Send + 'static) -> &mut Self {
        self.requests
            .expect_save_transition()
            .times(1)
            .withf(move |r, from| *from == DeclarationRequestStatus::New && check(r))
            .returning(|_, _| Ok(true));
        self
    }

    fn no_save(&mut self) -> &mut Self {
        self.requests.expect_save_transition().never();
        self
    }
}
