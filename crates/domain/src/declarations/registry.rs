//! The national registry's objects a declaration request refers to: persons, legal entities,
//! divisions, employees and declarations. The registry is imported, never edited here.

use serde::{Deserialize, Serialize};
use time::Date;

use super::ids::{
    DeclarationId, DeclarationRequestId, DivisionId, EmployeeId, LegalEntityId, PersonId,
};
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

/// How far a person's identity is confirmed. Only `NOT_VERIFIED` persons are refused a declaration.
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum VerificationStatus {
    Verified,
    NotVerified,
    VerificationNeeded,
}

/// The kind of an [`AuthenticationMethod`], as codes travel (`OTP`, `OFFLINE`, `NA`).
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthenticationMethodType {
    Otp,
    Offline,
    Na,
}

/// How a person confirms a declaration: a code by SMS, paper documents, or nothing (a child, whose
/// parent's declaration stands for it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthenticationMethod {
    Otp { phone_number: String },
    Offline,
    Na,
}

impl AuthenticationMethod {
    pub fn kind(&self) -> AuthenticationMethodType {
        match self {
            AuthenticationMethod::Otp { .. } => AuthenticationMethodType::Otp,
            AuthenticationMethod::Offline => AuthenticationMethodType::Offline,
            AuthenticationMethod::Na => AuthenticationMethodType::Na,
        }
    }
}

/// A patient as the registry knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub second_name: Option<String>,
    pub birth_date: Date,
    /// Not every person has one (children, people who refused one).
    pub tax_id: Option<String>,
    pub phone_number: Option<String>,
    pub verification_status: VerificationStatus,
    /// The first is the one a new declaration request uses.
    pub authentication_methods: Vec<AuthenticationMethod>,
}

/// A medical service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalEntity {
    pub id: LegalEntityId,
    pub name: String,
    pub short_name: Option<String>,
    /// The state register code.
    pub edrpou: Option<String>,
}

/// A branch of a legal entity, where a doctor receives patients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub id: DivisionId,
    pub legal_entity_id: LegalEntityId,
    pub name: String,
}

/// What an employee is employed as. Only doctors take declarations.
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum EmployeeType {
    Doctor,
    Owner,
    Admin,
    Hr,
}

/// A doctor's speciality; each has its own limit of declarations.
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Speciality {
    Therapist,
    Pediatrician,
    FamilyDoctor,
}

/// Whether an employee still works for their legal entity.
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum EmployeeStatus {
    Approved,
    Dismissed,
}

/// The person behind an employee record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Party {
    pub first_name: String,
    pub last_name: String,
    pub second_name: Option<String>,
}

/// An Ed25519 public key: the 32 raw bytes (the registry file carries them in standard base64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// Exactly 32 bytes, or a validation error on `public_key`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        <[u8; 32]>::try_from(bytes).map(Self).map_err(|_| {
            Error::field(FieldError::new(
                "public_key",
                "format",
                Text::new(Key::RuleInvalid).field("field", "public_key"),
            ))
        })
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A doctor (or another employee) of a legal entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee {
    pub id: EmployeeId,
    pub party: Party,
    pub legal_entity_id: LegalEntityId,
    pub division_id: Option<DivisionId>,
    pub employee_type: EmployeeType,
    /// Doctors have one; other employees none.
    pub speciality: Option<Speciality>,
    pub status: EmployeeStatus,
    /// The key the doctor signs declaration requests with, once registered.
    pub public_key: Option<PublicKey>,
}

/// Where a declaration stands.
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
pub enum DeclarationStatus {
    Active,
    /// Signed, waiting for the person's identity to be confirmed.
    PendingVerification,
    Terminated,
}

/// A person's declaration with a doctor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub id: DeclarationId,
    pub declaration_number: String,
    pub person_id: PersonId,
    pub employee_id: EmployeeId,
    pub legal_entity_id: LegalEntityId,
    pub division_id: Option<DivisionId>,
    pub status: DeclarationStatus,
    /// Why it was terminated (`auto_reorganization`, …), when it was.
    pub reason: Option<String>,
    pub start_date: Date,
    /// The request it was signed from; imported declarations have none.
    pub declaration_request_id: Option<DeclarationRequestId>,
}
