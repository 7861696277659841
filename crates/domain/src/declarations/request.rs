//! The declaration request: a person's wish to have a doctor, on its way to a signed declaration.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::ids::{
    DeclarationId, DeclarationRequestId, DivisionId, EmployeeId, LegalEntityId, PersonId,
};
use super::registry::{AuthenticationMethod, EmployeeType, Speciality};
use super::status::DeclarationRequestStatus;
use crate::kernel::ids::ActorId;

/// Why a request is in its status (`doctor_confirmed` once approved).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StatusReason {
    /// The doctor approved it after the person confirmed it.
    DoctorConfirmed,
    /// The doctor refused it.
    DoctorRejected,
    /// The doctor signed it; the declaration exists.
    DoctorSigned,
    /// A newer request for the same person and doctor replaced it.
    NewRequestCreated,
    /// It was not signed within the request TTL.
    AutoExpired,
}

/// A document a person shows on paper for an `OFFLINE` request (`PASSPORT`, `person.tax_id`, …),
/// uploaded as a scan before the doctor may approve.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocumentType(String);

impl DocumentType {
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The person as the declaration states them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPerson {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub second_name: Option<String>,
    #[serde(with = "iso_date")]
    pub birth_date: Date,
    pub tax_id: Option<String>,
    pub phone_number: Option<String>,
    pub authentication_methods: Vec<AuthenticationMethod>,
    /// The person signed the paper form; null once a parent's declaration stands for a child.
    pub patient_signed: Option<bool>,
    /// Consent to process disclosed data; null once a parent's declaration stands for a child.
    pub process_disclosure_data_consent: Option<bool>,
}

/// The doctor as the declaration states them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEmployee {
    pub id: EmployeeId,
    pub employee_type: EmployeeType,
    pub speciality: Option<Speciality>,
    pub first_name: String,
    pub last_name: String,
    pub second_name: Option<String>,
}

/// The legal entity as the declaration states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedLegalEntity {
    pub id: LegalEntityId,
    pub name: String,
    pub short_name: Option<String>,
    pub edrpou: Option<String>,
}

/// The division as the declaration states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedDivision {
    pub id: DivisionId,
    pub name: String,
}

/// What the doctor signs: the declaration as it will read. A signature is valid only over exactly
/// this content (with the current `seed`), so it is kept as a typed document and serialized whole,
/// absent values as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataToBeSigned {
    /// The id the declaration will have.
    pub id: DeclarationId,
    pub declaration_number: String,
    #[serde(with = "iso_date")]
    pub start_date: Date,
    pub person: SignedPerson,
    pub employee: SignedEmployee,
    pub legal_entity: SignedLegalEntity,
    pub division: SignedDivision,
    pub parent_declaration_id: Option<DeclarationId>,
    /// The declarations chain's latest hash when the request was approved.
    pub seed: Option<String>,
}

impl DataToBeSigned {
    /// The document as JSON, as it is shown and signed.
    pub fn to_json(&self) -> serde_json::Value {
        // A struct of strings, numbers, booleans and options always serializes.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// A declaration request, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationRequest {
    pub id: DeclarationRequestId,
    pub person_id: PersonId,
    pub employee_id: EmployeeId,
    pub division_id: DivisionId,
    /// The legal entity whose token created it; other legal entities never see it.
    pub legal_entity_id: LegalEntityId,
    pub start_date: Date,
    /// A parent's declaration that stands for a child (`NA` authentication).
    pub parent_declaration_id: Option<DeclarationId>,
    pub status: DeclarationRequestStatus,
    pub status_reason: Option<StatusReason>,
    /// The person's authentication method when the request was made; `None` once the request
    /// expired and its personal data was wiped.
    pub authentication_method_current: Option<AuthenticationMethod>,
    pub declaration_number: String,
    /// The id the declaration gets when the request is signed.
    pub declaration_id: DeclarationId,
    /// `None` once the request expired and its personal data was wiped.
    pub data_to_be_signed: Option<DataToBeSigned>,
    /// The rendered printout form (HTML).
    pub printout_content: Option<String>,
    /// The chain's latest hash, set on approval; the signature covers it.
    pub seed: Option<String>,
    /// Whether other legal entities' doctors may see the request (set on approval).
    pub is_shareable: bool,
    /// `OFFLINE` requests: the documents whose scans must be uploaded before approval.
    pub documents: Vec<DocumentType>,
    pub inserted_at: OffsetDateTime,
    pub inserted_by: ActorId,
    pub updated_at: OffsetDateTime,
    pub updated_by: ActorId,
}

/// Filters of the request list; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub status: Option<DeclarationRequestStatus>,
    pub person_id: Option<PersonId>,
    pub employee_id: Option<EmployeeId>,
}

/// Dates as `2026-11-23`, as the national API writes them.
mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use time::Date;

    use crate::kernel::time::DATE_FORMAT as FORMAT;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        let text = date.format(FORMAT).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text, FORMAT).map_err(D::Error::custom)
    }
}
