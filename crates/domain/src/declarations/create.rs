//! Creating a declaration request (`POST /api/v3/declaration_requests`), as the national
//! specification does: scope; the person, the doctor, the division and the parent declaration are
//! checked together (one `invalid` entry per failing property); then the request is built (ids,
//! number, the document to sign, the printout) and stored, which cancels the person's earlier open
//! requests to the same doctor; then the person is asked to confirm it by their authentication
//! method: a code by SMS (`OTP`), or scans of their documents (`OFFLINE`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::approve::document_key;
use super::expiry::DEFAULT_REQUEST_TTL_HOURS;
use super::ids::{
    DeclarationId, DeclarationRequestId, DivisionId, EmployeeId, LegalEntityId, PersonId,
};
use super::otp::{CodeSource, OtpService};
use super::ports::{
    DeclarationRequestRepository, PrintoutRenderer, RegistryRepository, UploadUrls,
    VerificationSender,
};
use super::registry::{
    AuthenticationMethod, DeclarationStatus, Division, Employee, EmployeeStatus, EmployeeType,
    LegalEntity, Person, Speciality,
};
use super::request::{
    DataToBeSigned, DeclarationRequest, DocumentType, SignedDivision, SignedEmployee,
    SignedLegalEntity, SignedPerson,
};
use super::scope::{Caller, Scope};
use super::status::DeclarationRequestStatus;
use crate::kernel::ids::IdGenerator;
use crate::kernel::lang::Lang;
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// The body's properties, as `invalid` entries name them (the edge adds `$.`).
pub const PERSON_FIELD: &str = "declaration_request.person_id";
pub const EMPLOYEE_FIELD: &str = "declaration_request.employee_id";
pub const DIVISION_FIELD: &str = "declaration_request.division_id";
pub const PARENT_FIELD: &str = "declaration_request.parent_declaration_id";

/// The age from which a person is an adult (the reference's `adult_age` global parameter).
pub const DEFAULT_ADULT_AGE: u8 = 18;

/// The eHealth surface answers in English whatever the client asks for, and so is the printout.
pub(super) const PRINTOUT_LANG: Lang = Lang::En;

/// What a declaration number is made of: digits and the capitals that read the same in Latin and
/// Cyrillic, so that a number read aloud or retyped from paper stays the same (the reference's
/// human-readable symbols).
const NUMBER_SYMBOLS: &[u8; 18] = b"0A1E2H3K4M5P6T7X89";

/// A new declaration number in the reference's format, `0000-` (version 1) and two blocks of four
/// symbols: `0000-12E4-52A8`.
pub fn declaration_number(source: &dyn CodeSource) -> String {
    // Four random bytes per symbol: 2^32 is not a multiple of 18, but the bias is below 10^-8.
    let mut bytes = [0u8; 32];
    source.fill(&mut bytes);
    let symbols: Vec<char> = bytes
        .chunks_exact(4)
        .map(|chunk| {
            let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b));
            let at = (n % 18) as usize;
            NUMBER_SYMBOLS.get(at).map_or('0', |s| char::from(*s))
        })
        .collect();
    let (first, second) = symbols.split_at(4);
    format!(
        "0000-{}-{}",
        first.iter().collect::<String>(),
        second.iter().collect::<String>()
    )
}

/// A person's age in whole years on `day`.
pub fn age_on(birth_date: Date, day: Date) -> i32 {
    let years = day.year() - birth_date.year();
    let birthday_to_come =
        (u8::from(day.month()), day.day()) < (u8::from(birth_date.month()), birth_date.day());
    if birthday_to_come { years - 1 } else { years }
}

/// Whether a doctor of `speciality` may take a person of `age`, as the reference rules: a
/// therapist adults only, a pediatrician children only, a family doctor anyone.
pub fn speciality_takes(speciality: Speciality, age: i32, adult_age: u8) -> bool {
    let adult = age >= i32::from(adult_age);
    match speciality {
        Speciality::Therapist => adult,
        Speciality::Pediatrician => !adult,
        Speciality::FamilyDoctor => true,
    }
}

/// The create body, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateInput {
    pub person_id: PersonId,
    pub employee_id: EmployeeId,
    pub division_id: DivisionId,
    /// Today when absent.
    pub start_date: Option<Date>,
    /// A parent's declaration that stands for a child.
    pub parent_declaration_id: Option<DeclarationId>,
}

/// Where the scan of one document is uploaded (`urgent.documents` of the answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadLink {
    #[serde(rename = "type")]
    pub document_type: DocumentType,
    pub url: String,
}

/// A request just created, and what the person must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub request: DeclarationRequest,
    /// `OFFLINE` requests: one upload link per document asked for; empty otherwise.
    pub urgent_documents: Vec<UploadLink>,
}

/// The documents an `OFFLINE` person shows as scans. The reference asks for the tax id card (or
/// the refusal of one: `person.no_tax_id`) and each identity document of the person; the registry
/// does not list a person's documents, so the identity documents are this configured list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineDocuments {
    pub identity: Vec<DocumentType>,
}

impl Default for OfflineDocuments {
    fn default() -> Self {
        Self {
            identity: vec![DocumentType::new("PASSPORT")],
        }
    }
}

impl OfflineDocuments {
    /// What `person` uploads: the tax document, then the identity documents, each once.
    pub fn for_person(&self, person: &Person) -> Vec<DocumentType> {
        let tax = if person.tax_id.is_some() {
            "person.tax_id"
        } else {
            "person.no_tax_id"
        };
        let mut documents = vec![DocumentType::new(tax)];
        for document in &self.identity {
            if !documents.contains(document) {
                documents.push(document.clone());
            }
        }
        documents
    }
}

/// The rules of creation that are configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePolicy {
    pub adult_age: u8,
    pub offline_documents: OfflineDocuments,
    /// How long an upload link works; by default as long as the request may wait.
    pub upload_url_ttl: Duration,
}

impl Default for CreatePolicy {
    fn default() -> Self {
        Self {
            adult_age: DEFAULT_ADULT_AGE,
            offline_documents: OfflineDocuments::default(),
            upload_url_ttl: Duration::from_secs(DEFAULT_REQUEST_TTL_HOURS * 3600),
        }
    }
}

/// The ports creation reaches.
#[derive(Clone)]
pub struct CreatePorts {
    pub requests: Arc<dyn DeclarationRequestRepository>,
    pub registry: Arc<dyn RegistryRepository>,
    pub otp: OtpService,
    pub sender: Arc<dyn VerificationSender>,
    pub printout: Arc<dyn PrintoutRenderer>,
    pub uploads: Arc<dyn UploadUrls>,
    /// Random symbols of declaration numbers.
    pub codes: Arc<dyn CodeSource>,
    pub ids: Arc<dyn IdGenerator>,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for CreatePorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatePorts")
            .field("otp", &self.otp)
            .finish_non_exhaustive()
    }
}

/// The registry's objects a valid request names.
struct Subjects {
    person: Person,
    employee: Employee,
    division: Division,
    method: AuthenticationMethod,
}

/// One `invalid` entry.
fn entry(field: &str, rule: &'static str, key: Key) -> FieldError {
    FieldError::new(field, rule, Text::new(key))
}

/// The first rule `employee` breaks as the doctor of a declaration of `legal_entity`, or its
/// speciality.
fn doctor_speciality(
    employee: &Employee,
    legal_entity: LegalEntityId,
) -> Result<Speciality, FieldError> {
    if employee.legal_entity_id != legal_entity {
        return Err(entry(
            EMPLOYEE_FIELD,
            "employee_unemployed",
            Key::EmployeeNotInLegalEntity,
        ));
    }
    if employee.status != EmployeeStatus::Approved {
        return Err(entry(EMPLOYEE_FIELD, "invalid", Key::EmployeeStatusInvalid));
    }
    if employee.employee_type != EmployeeType::Doctor {
        return Err(entry(EMPLOYEE_FIELD, "invalid", Key::EmployeeNotDoctor));
    }
    employee.speciality.ok_or_else(|| {
        entry(
            EMPLOYEE_FIELD,
            "speciality_inclusion",
            Key::EmployeeSpecialityNotDoctor,
        )
    })
}

/// Creates declaration requests.
#[derive(Clone)]
pub struct CreateService {
    ports: CreatePorts,
    policy: CreatePolicy,
}

impl fmt::Debug for CreateService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateService")
            .field("ports", &self.ports)
            .field("policy", &self.policy)
            .finish()
    }
}

impl CreateService {
    pub fn new(ports: CreatePorts, policy: CreatePolicy) -> Self {
        Self { ports, policy }
    }

    /// Creates a request of the caller's legal entity, stores it (cancelling the person's earlier
    /// `NEW` and `APPROVED` requests to the same doctor), and starts the person's confirmation.
    /// The verification code goes to the person's phone only, never into the answer.
    pub fn create(&self, caller: &Caller, input: CreateInput) -> Result<Created> {
        caller.require(Scope::Write)?;
        let now = self.ports.clock.now();
        let subjects = self.check(caller, &input, now.date())?;
        let legal_entity = self
            .ports
            .registry
            .legal_entity(caller.legal_entity_id)?
            .ok_or_else(|| {
                Error::internal(format!(
                    "the caller's legal entity {} is not in the registry",
                    caller.legal_entity_id
                ))
            })?;
        let request = self.build(caller, &input, subjects, &legal_entity, now)?;
        self.ports.requests.create(&request)?;
        let urgent_documents = self.start_confirmation(&request, now)?;
        Ok(Created {
            request,
            urgent_documents,
        })
    }

    /// Every property of the body checked, each failing one reported once.
    fn check(&self, caller: &Caller, input: &CreateInput, today: Date) -> Result<Subjects> {
        let registry = self.ports.registry.as_ref();
        let mut invalid = Vec::new();

        let person = registry.person(input.person_id)?;
        let method = match &person {
            None => {
                invalid.push(entry(PERSON_FIELD, "invalid", Key::PersonNotFound));
                None
            }
            Some(p) => {
                let first = p.authentication_methods.first().cloned();
                if first.is_none() {
                    invalid.push(entry(
                        PERSON_FIELD,
                        "required",
                        Key::PersonWithoutAuthenticationMethod,
                    ));
                }
                first
            }
        };

        let employee = registry.employee(input.employee_id)?;
        match &employee {
            None => invalid.push(entry(EMPLOYEE_FIELD, "invalid", Key::EmployeeNotFound)),
            Some(e) => match doctor_speciality(e, caller.legal_entity_id) {
                Err(error) => invalid.push(error),
                Ok(speciality) => {
                    let adult_age = self.policy.adult_age;
                    let refused = person.as_ref().is_some_and(|p| {
                        !speciality_takes(speciality, age_on(p.birth_date, today), adult_age)
                    });
                    if refused {
                        invalid.push(entry(
                            EMPLOYEE_FIELD,
                            "invalid_age",
                            Key::SpecialityAgeMismatch,
                        ));
                    }
                }
            },
        }

        let division = registry.division(input.division_id)?;
        match &division {
            None => invalid.push(entry(DIVISION_FIELD, "invalid", Key::DivisionNotFound)),
            Some(d) if d.legal_entity_id != caller.legal_entity_id => invalid.push(entry(
                DIVISION_FIELD,
                "invalid",
                Key::DivisionNotInLegalEntity,
            )),
            Some(_) => {}
        }

        if let Some(parent) = input.parent_declaration_id {
            let active = registry
                .declaration(parent)?
                .is_some_and(|d| d.status == DeclarationStatus::Active);
            if !active {
                invalid.push(entry(
                    PARENT_FIELD,
                    "invalid",
                    Key::ActiveParentDeclarationNotFound,
                ));
            }
        }

        if !invalid.is_empty() {
            return Err(Error::Validation(invalid));
        }
        match (person, employee, division, method) {
            (Some(person), Some(employee), Some(division), Some(method)) => Ok(Subjects {
                person,
                employee,
                division,
                method,
            }),
            _ => Err(Error::internal(
                "declaration request passed validation without its subjects",
            )),
        }
    }

    /// The request as it is stored: `NEW`, with the document to sign and its printout.
    fn build(
        &self,
        caller: &Caller,
        input: &CreateInput,
        subjects: Subjects,
        legal_entity: &LegalEntity,
        now: OffsetDateTime,
    ) -> Result<DeclarationRequest> {
        let Subjects {
            person,
            employee,
            division,
            method,
        } = subjects;
        let ids = self.ports.ids.as_ref();
        let id = DeclarationRequestId::generate(ids);
        let declaration_id = DeclarationId::generate(ids);
        let declaration_number = declaration_number(self.ports.codes.as_ref());
        let start_date = input.start_date.unwrap_or(now.date());
        let documents = match method {
            AuthenticationMethod::Offline => self.policy.offline_documents.for_person(&person),
            AuthenticationMethod::Otp { .. } | AuthenticationMethod::Na => Vec::new(),
        };
        let data = DataToBeSigned {
            id: declaration_id,
            declaration_number: declaration_number.clone(),
            start_date,
            person: SignedPerson {
                id: person.id,
                first_name: person.first_name,
                last_name: person.last_name,
                second_name: person.second_name,
                birth_date: person.birth_date,
                tax_id: person.tax_id,
                phone_number: person.phone_number,
                authentication_methods: person.authentication_methods,
                // The person signs the paper form later; consent is part of the request.
                patient_signed: Some(false),
                process_disclosure_data_consent: Some(true),
            },
            employee: SignedEmployee {
                id: employee.id,
                employee_type: employee.employee_type,
                speciality: employee.speciality,
                first_name: employee.party.first_name,
                last_name: employee.party.last_name,
                second_name: employee.party.second_name,
            },
            legal_entity: SignedLegalEntity {
                id: legal_entity.id,
                name: legal_entity.name.clone(),
                short_name: legal_entity.short_name.clone(),
                edrpou: legal_entity.edrpou.clone(),
            },
            division: SignedDivision {
                id: division.id,
                name: division.name,
            },
            parent_declaration_id: input.parent_declaration_id,
            seed: None,
        };
        let mut request = DeclarationRequest {
            id,
            person_id: person.id,
            employee_id: employee.id,
            division_id: division.id,
            legal_entity_id: caller.legal_entity_id,
            start_date,
            parent_declaration_id: input.parent_declaration_id,
            status: DeclarationRequestStatus::New,
            status_reason: None,
            authentication_method_current: Some(method),
            declaration_number,
            declaration_id,
            data_to_be_signed: Some(data),
            printout_content: None,
            seed: None,
            is_shareable: false,
            documents,
            inserted_at: now,
            inserted_by: caller.user_id.clone(),
            updated_at: now,
            updated_by: caller.user_id.clone(),
        };
        let printout = self.ports.printout.render(&request, PRINTOUT_LANG)?;
        request.printout_content = Some(printout);
        Ok(request)
    }

    /// Sends the code (`OTP`) or answers the upload links (`OFFLINE`); `NA` needs neither.
    fn start_confirmation(
        &self,
        request: &DeclarationRequest,
        now: OffsetDateTime,
    ) -> Result<Vec<UploadLink>> {
        match &request.authentication_method_current {
            Some(AuthenticationMethod::Otp { phone_number }) => {
                let issued = self.ports.otp.issue(phone_number, Some(request.id))?;
                self.ports
                    .sender
                    .send_code(phone_number, &issued.code, request.id)?;
                Ok(Vec::new())
            }
            Some(AuthenticationMethod::Offline) => {
                let expires_at = now + self.policy.upload_url_ttl;
                request
                    .documents
                    .iter()
                    .map(|document| {
                        let key = document_key(request.id, document)?;
                        Ok(UploadLink {
                            document_type: document.clone(),
                            url: self.ports.uploads.upload_url(&key, expires_at)?,
                        })
                    })
                    .collect()
            }
            Some(AuthenticationMethod::Na) | None => Ok(Vec::new()),
        }
    }
}
