//! The registry file `server registry import FILE.json` reads, and the demo registry `seed-demo`
//! loads (`data/demo-registry.json`, the example of docs/declarations.md).
//!
//! One JSON object with the arrays `legal_entities`, `divisions`, `employees`, `persons` and
//! `declarations` (each may be left out); every item has an `id` and the fields below under these
//! names. Other fields are ignored, not refused, so that exports of other systems import as they
//! are.

use anyhow::Context;
use base64::Engine;
use domain::declarations::{
    AuthenticationMethod, Declaration, DeclarationId, DeclarationRequestId, DeclarationStatus,
    Division, DivisionId, Employee, EmployeeId, EmployeeStatus, EmployeeType, LegalEntity,
    LegalEntityId, Party, Person, PersonId, PublicKey, Speciality, VerificationStatus,
};
use serde::Deserialize;
use store_diesel::{RegistryImport, RegistryImported, Store};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The demo registry: one legal entity and division, a therapist, a pediatrician and a family
/// doctor (whose Ed25519 keys are made from the seeds 11, 12 and 13 repeated 32 times, for demos
/// and tests only), persons confirming by `OTP`, `OFFLINE` and `NA` (a child), one `NOT_VERIFIED`
/// person, and a parent's active declaration that can stand for the child.
pub const DEMO_REGISTRY: &str = include_str!("../data/demo-registry.json");

#[derive(Debug, Default, Deserialize)]
pub struct RegistryFile {
    #[serde(default)]
    pub legal_entities: Vec<LegalEntityItem>,
    #[serde(default)]
    pub divisions: Vec<DivisionItem>,
    #[serde(default)]
    pub employees: Vec<EmployeeItem>,
    #[serde(default)]
    pub persons: Vec<PersonItem>,
    #[serde(default)]
    pub declarations: Vec<DeclarationItem>,
}

#[derive(Debug, Deserialize)]
pub struct LegalEntityItem {
    pub id: Uuid,
    pub name: String,
    pub short_name: Option<String>,
    pub edrpou: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DivisionItem {
    pub id: Uuid,
    pub legal_entity_id: Uuid,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct EmployeeItem {
    pub id: Uuid,
    pub party: Party,
    pub legal_entity_id: Uuid,
    pub division_id: Option<Uuid>,
    pub employee_type: EmployeeType,
    pub speciality: Option<Speciality>,
    pub status: EmployeeStatus,
    /// The raw 32-byte Ed25519 public key, standard base64.
    pub public_key: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PersonItem {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub second_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub tax_id: Option<String>,
    pub phone_number: Option<String>,
    pub verification_status: VerificationStatus,
    #[serde(default)]
    pub authentication_methods: Vec<AuthenticationMethod>,
}

#[derive(Debug, Deserialize)]
pub struct DeclarationItem {
    pub id: Uuid,
    pub declaration_number: String,
    pub person_id: Uuid,
    pub employee_id: Uuid,
    pub legal_entity_id: Uuid,
    pub division_id: Option<Uuid>,
    pub status: DeclarationStatus,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    pub declaration_request_id: Option<Uuid>,
}

fn date(what: &str, id: Uuid, raw: &str) -> anyhow::Result<Date> {
    Date::parse(raw, domain::kernel::time::DATE_FORMAT)
        .with_context(|| format!("{what} {id}: {raw:?} is not a YYYY-MM-DD date"))
}

/// The registry's objects, as the domain holds them.
#[derive(Debug, Default)]
pub struct Registry {
    pub legal_entities: Vec<LegalEntity>,
    pub divisions: Vec<Division>,
    pub employees: Vec<Employee>,
    pub persons: Vec<Person>,
    pub declarations: Vec<Declaration>,
}

impl RegistryFile {
    /// Reads a registry file's text.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        serde_json::from_str(text)
            .context("the registry file is not a registry (see docs/declarations.md)")
    }

    /// Converts every item, naming the first that does not convert.
    pub fn into_registry(self) -> anyhow::Result<Registry> {
        let employees = self
            .employees
            .into_iter()
            .map(|e| -> anyhow::Result<Employee> {
                let public_key = match e.public_key.as_deref() {
                    None => None,
                    Some(raw) => {
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(raw.trim())
                            .with_context(|| {
                                format!("employee {}: public_key is not base64", e.id)
                            })?;
                        Some(PublicKey::from_bytes(&bytes).map_err(|_| {
                            anyhow::anyhow!("employee {}: public_key is not 32 bytes", e.id)
                        })?)
                    }
                };
                Ok(Employee {
                    id: EmployeeId::from_uuid(e.id),
                    party: e.party,
                    legal_entity_id: LegalEntityId::from_uuid(e.legal_entity_id),
                    division_id: e.division_id.map(DivisionId::from_uuid),
                    employee_type: e.employee_type,
                    speciality: e.speciality,
                    status: e.status,
                    public_key,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let persons = self
            .persons
            .into_iter()
            .map(|p| -> anyhow::Result<Person> {
                Ok(Person {
                    id: PersonId::from_uuid(p.id),
                    birth_date: date("person", p.id, &p.birth_date)?,
                    first_name: p.first_name,
                    last_name: p.last_name,
                    second_name: p.second_name,
                    tax_id: p.tax_id,
                    phone_number: p.phone_number,
                    verification_status: p.verification_status,
                    authentication_methods: p.authentication_methods,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        let declarations = self
            .declarations
            .into_iter()
            .map(|d| -> anyhow::Result<Declaration> {
                Ok(Declaration {
                    id: DeclarationId::from_uuid(d.id),
                    start_date: date("declaration", d.id, &d.start_date)?,
                    declaration_number: d.declaration_number,
                    person_id: PersonId::from_uuid(d.person_id),
                    employee_id: EmployeeId::from_uuid(d.employee_id),
                    legal_entity_id: LegalEntityId::from_uuid(d.legal_entity_id),
                    division_id: d.division_id.map(DivisionId::from_uuid),
                    status: d.status,
                    reason: d.reason,
                    declaration_request_id: d
                        .declaration_request_id
                        .map(DeclarationRequestId::from_uuid),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Registry {
            legal_entities: self
                .legal_entities
                .into_iter()
                .map(|e| LegalEntity {
                    id: LegalEntityId::from_uuid(e.id),
                    name: e.name,
                    short_name: e.short_name,
                    edrpou: e.edrpou,
                })
                .collect(),
            divisions: self
                .divisions
                .into_iter()
                .map(|d| Division {
                    id: DivisionId::from_uuid(d.id),
                    legal_entity_id: LegalEntityId::from_uuid(d.legal_entity_id),
                    name: d.name,
                })
                .collect(),
            employees,
            persons,
            declarations,
        })
    }
}

/// Reads a registry file's text.
pub fn read(text: &str) -> anyhow::Result<Registry> {
    RegistryFile::parse(text)?.into_registry()
}

/// Upserts `registry`, all or nothing.
pub fn import(store: &Store, registry: &Registry) -> domain::Result<RegistryImported> {
    store.import_registry(
        RegistryImport {
            legal_entities: &registry.legal_entities,
            divisions: &registry.divisions,
            employees: &registry.employees,
            persons: &registry.persons,
            declarations: &registry.declarations,
        },
        OffsetDateTime::now_utc(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_registry_reads_and_other_fields_are_ignored() {
        let registry = RegistryFile::parse(DEMO_REGISTRY)
            .unwrap()
            .into_registry()
            .unwrap();
        assert_eq!(registry.employees.len(), 3);
        assert!(registry.employees.iter().all(|e| e.public_key.is_some()));
        assert_eq!(registry.persons.len(), 5);
        assert_eq!(registry.declarations.len(), 1);

        let other = r#"{"legal_entities": [{"id": "0193a1c0-0000-7000-8000-00000000e001",
            "name": "X", "short_name": null, "edrpou": null, "owner": {"anything": 1}}],
            "unknown_array": []}"#;
        let registry = RegistryFile::parse(other).unwrap().into_registry().unwrap();
        assert_eq!(registry.legal_entities.len(), 1);
        assert!(RegistryFile::parse(r#"{"persons": [{"id": "x"}]}"#).is_err());
    }
}
