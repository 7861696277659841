//! Creating a request: the request as built and stored, and the person's confirmation by
//! authentication method. The checks of the body are in `create_checks`.

use std::time::Duration;

use super::*;
use crate::declarations::approve::document_key;
use crate::declarations::create::{
    CreateInput, CreatePolicy, CreatePorts, CreateService, Created, UploadLink,
};
use crate::declarations::ports::{MockPrintoutRenderer, MockUploadUrls, MockVerificationSender};
use crate::declarations::registry::{Division, LegalEntity};
use crate::declarations::request::DocumentType;
use crate::kernel::error::AuthFailure;
use crate::kernel::text::Key;
use crate::{FieldError, Result};

const PRINTOUT: &str = "<html>printout</html>";

pub(super) fn division_id() -> DivisionId {
    DivisionId::from_uuid(uuid(0xd1))
}

pub(super) fn input() -> CreateInput {
    CreateInput {
        person_id: person_id(),
        employee_id: employee_id(),
        division_id: division_id(),
        start_date: None,
        parent_declaration_id: None,
    }
}

pub(super) fn division(legal_entity: LegalEntityId) -> Division {
    Division {
        id: division_id(),
        legal_entity_id: legal_entity,
        name: "Main building".into(),
    }
}

fn legal_entity() -> LegalEntity {
    LegalEntity {
        id: le(),
        name: "Clinic No. 1".into(),
        short_name: None,
        edrpou: Some("38782323".into()),
    }
}

/// A verified adult (born 1990) who confirms with `method`.
pub(super) fn adult(method: AuthenticationMethod) -> Person {
    Person {
        authentication_methods: vec![method],
        ..person(VerificationStatus::Verified)
    }
}

/// A child of eleven, for whom a parent's declaration stands.
pub(super) fn child() -> Person {
    Person {
        birth_date: time::macros::date!(2015 - 06 - 01),
        tax_id: None,
        ..adult(AuthenticationMethod::Na)
    }
}

pub(super) fn doctor(speciality: Speciality) -> Employee {
    employee(EmployeeType::Doctor, Some(speciality))
}

/// One mock per port creation reaches.
pub(super) struct Mocks {
    pub(super) requests: MockDeclarationRequestRepository,
    pub(super) registry: MockRegistryRepository,
    pub(super) printout: MockPrintoutRenderer,
    pub(super) sender: MockVerificationSender,
    pub(super) uploads: MockUploadUrls,
    pub(super) codes: Arc<MemoryCodes>,
}

impl Mocks {
    /// The registry answers `person`, `employee` and `division` (and the caller's legal entity);
    /// the printout renders.
    pub(super) fn new(
        person: Option<Person>,
        employee: Option<Employee>,
        division: Option<Division>,
    ) -> Self {
        let mut registry = MockRegistryRepository::new();
        registry
            .expect_person()
            .withf(|id| *id == person_id())
            .return_once(move |_| Ok(person));
        registry
            .expect_employee()
            .withf(|id| *id == employee_id())
            .return_once(move |_| Ok(employee));
        registry
            .expect_division()
            .withf(|id| *id == division_id())
            .return_once(move |_| Ok(division));
        registry
            .expect_legal_entity()
            .withf(|id| *id == le())
            .returning(|_| Ok(Some(legal_entity())));
        let mut printout = MockPrintoutRenderer::new();
        printout
            .expect_render()
            .returning(|_, _| Ok(PRINTOUT.to_owned()));
        Self {
            requests: MockDeclarationRequestRepository::new(),
            registry,
            printout,
            sender: MockVerificationSender::new(),
            uploads: MockUploadUrls::new(),
            codes: Arc::default(),
        }
    }

    /// A body whose every object exists and fits: `person` to a therapist.
    pub(super) fn valid(person: Person) -> Self {
        Self::new(
            Some(person),
            Some(doctor(Speciality::Therapist)),
            Some(division(le())),
        )
    }

    /// The repository is asked to create once, with a request passing `check`.
    pub(super) fn creates(
        &mut self,
        check: impl Fn(&DeclarationRequest) -> bool + Send + 'static,
    ) -> &mut Self {
        self.requests
            .expect_create()
            .times(1)
            .withf(move |r| check(r))
            .returning(|_| Ok(Vec::new()));
        self
    }

    pub(super) fn never_creates(&mut self) -> &mut Self {
        self.requests.expect_create().never();
        self.sender.expect_send_code().never();
        self
    }

    fn service(self) -> CreateService {
        CreateService::new(
            CreatePorts {
                requests: Arc::new(self.requests),
                registry: Arc::new(self.registry),
                otp: otp_service(self.codes, 0x2a, NOW),
                sender: Arc::new(self.sender),
                printout: Arc::new(self.printout),
                uploads: Arc::new(self.uploads),
                codes: Arc::new(source(0xff)),
                ids: Arc::new(SequentialIds::default()),
                clock: Arc::new(FixedClock(NOW)),
            },
            CreatePolicy::default(),
        )
    }
}

pub(super) fn create(mocks: Mocks, input: CreateInput) -> Result<Created> {
    mocks.service().create(&caller(&["write"]), input)
}

/// The `invalid` entries of a refusal, as (property, rule, reason).
pub(super) fn entries(result: Result<Created>) -> Vec<(String, &'static str, Key)> {
    match result {
        Err(Error::Validation(fields)) => fields
            .into_iter()
            .map(|FieldError { field, rule, text }| (field, rule, text.key()))
            .collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

pub(super) fn one(field: &str, rule: &'static str, key: Key) -> Vec<(String, &'static str, Key)> {
    vec![(field.to_owned(), rule, key)]
}

#[test]
fn create_requires_the_write_scope() {
    let mut mocks = Mocks::valid(adult(otp()));
    mocks.never_creates();
    mocks.registry.checkpoint();
    mocks.registry.expect_person().never();
    let result = mocks.service().create(&caller(&["approve"]), input());
    assert!(matches!(
        result,
        Err(Error::Unauthorized(AuthFailure::Scope))
    ));
}

#[test]
fn otp_request_sends_a_code_and_never_returns_it() {
    let mut mocks = Mocks::valid(adult(otp()));
    mocks.creates(|r| {
        r.status == DeclarationRequestStatus::New
            && r.authentication_method_current == Some(otp())
            && r.documents.is_empty()
    });
    let sent = Arc::new(Mutex::new(Vec::new()));
    let seen = sent.clone();
    mocks
        .sender
        .expect_send_code()
        .times(1)
        .withf(|phone, _, _| phone == PHONE)
        .returning(move |_, code, request| {
            seen.lock().unwrap().push((code.clone(), request));
            Ok(())
        });
    let codes = mocks.codes.clone();

    let created = create(mocks, input()).unwrap();
    let sent = sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let (code, request) = &sent[0];
    assert_eq!(*request, created.request.id);
    assert!(code.is_well_formed());
    assert!(created.urgent_documents.is_empty());
    // The code is stored hashed, for this request, and appears nowhere in the answer.
    let stored = codes.all();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].code_hash.matches(code));
    assert_eq!(stored[0].declaration_request_id, Some(created.request.id));
    assert!(!format!("{created:?}").contains(code.expose()));
    assert_eq!(format!("{code:?}"), "VerificationCode(****)");
}

#[test]
fn create_builds_the_request_and_the_document_to_sign() {
    let mut mocks = Mocks::valid(adult(otp()));
    mocks.creates(|_| true);
    mocks.sender.expect_send_code().returning(|_, _, _| Ok(()));

    let r = create(mocks, input()).unwrap().request;
    // Ids from the generator: the request's first, the declaration's second.
    assert_eq!(
        r.id,
        DeclarationRequestId::from_uuid(uuid::Uuid::from_u128(1))
    );
    assert_eq!(
        r.declaration_id,
        DeclarationId::from_uuid(uuid::Uuid::from_u128(2))
    );
    assert_eq!(r.declaration_number, "0000-EEEE-EEEE");
    assert_eq!(r.start_date, NOW.date());
    assert_eq!((r.legal_entity_id, r.division_id), (le(), division_id()));
    assert_eq!(r.printout_content.as_deref(), Some(PRINTOUT));
    assert_eq!((r.inserted_at, r.updated_at), (NOW, NOW));
    assert_eq!(
        (&r.inserted_by, &r.updated_by),
        (&actor(DOCTOR), &actor(DOCTOR))
    );
    assert!(!r.is_shareable && r.seed.is_none() && r.status_reason.is_none());
    let d = r.data_to_be_signed.unwrap();
    assert_eq!(
        (d.id, d.declaration_number.as_str()),
        (r.declaration_id, "0000-EEEE-EEEE")
    );
    assert_eq!(d.person.patient_signed, Some(false));
    assert_eq!(d.person.process_disclosure_data_consent, Some(true));
    assert_eq!(d.person.tax_id.as_deref(), Some("3126509816"));
    assert_eq!(d.employee.speciality, Some(Speciality::Therapist));
    assert_eq!(d.legal_entity.edrpou.as_deref(), Some("38782323"));
    assert_eq!(d.division.name, "Main building");
    assert_eq!(
        (d.start_date, d.seed, d.parent_declaration_id),
        (NOW.date(), None, None)
    );
}

#[test]
fn create_keeps_the_start_date_sent() {
    let start = time::macros::date!(2026 - 12 - 01);
    let mut mocks = Mocks::valid(adult(AuthenticationMethod::Na));
    mocks.creates(move |r| {
        r.start_date == start && r.data_to_be_signed.as_ref().map(|d| d.start_date) == Some(start)
    });
    let result = create(
        mocks,
        CreateInput {
            start_date: Some(start),
            ..input()
        },
    );
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn create_cancels_earlier_requests_of_the_same_person_and_employee() {
    // The repository's `create` cancels them in the same write; the service asks it once, for
    // this person and this doctor, and writes nothing else.
    let mut mocks = Mocks::valid(adult(AuthenticationMethod::Na));
    mocks
        .requests
        .expect_create()
        .times(1)
        .withf(|r| r.person_id == person_id() && r.employee_id == employee_id())
        .returning(|_| Ok(vec![DeclarationRequestId::from_uuid(uuid(0x01d))]));
    mocks.requests.expect_save_transition().never();
    let result = create(mocks, input());
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn offline_request_answers_upload_urls() {
    let mut mocks = Mocks::valid(adult(AuthenticationMethod::Offline));
    mocks.creates(|r| {
        r.documents
            == [
                DocumentType::new("person.tax_id"),
                DocumentType::new("PASSPORT"),
            ]
    });
    mocks.sender.expect_send_code().never();
    let expires = NOW + Duration::from_secs(24 * 3600);
    mocks
        .uploads
        .expect_upload_url()
        .times(2)
        .withf(move |_, at| *at == expires)
        .returning(|key, _| Ok(format!("https://files.example.org/{}", key.as_str())));

    let created = create(mocks, input()).unwrap();
    let url = |d: &str| {
        let key = document_key(created.request.id, &DocumentType::new(d)).unwrap();
        format!("https://files.example.org/{}", key.as_str())
    };
    assert_eq!(
        created.urgent_documents,
        [
            UploadLink {
                document_type: DocumentType::new("person.tax_id"),
                url: url("person.tax_id"),
            },
            UploadLink {
                document_type: DocumentType::new("PASSPORT"),
                url: url("PASSPORT"),
            },
        ]
    );
    assert_eq!(
        serde_json::to_value(&created.urgent_documents[1]).unwrap(),
        serde_json::json!({"type": "PASSPORT", "url": url("PASSPORT")})
    );
}

#[test]
fn offline_person_without_tax_id_uploads_the_refusal_of_one() {
    let person = Person {
        tax_id: None,
        ..adult(AuthenticationMethod::Offline)
    };
    let mut mocks = Mocks::valid(person);
    mocks.creates(|r| {
        r.documents
            == [
                DocumentType::new("person.no_tax_id"),
                DocumentType::new("PASSPORT"),
            ]
    });
    mocks
        .uploads
        .expect_upload_url()
        .returning(|key, _| Ok(key.as_str().to_owned()));
    assert_eq!(create(mocks, input()).unwrap().urgent_documents.len(), 2);
}
