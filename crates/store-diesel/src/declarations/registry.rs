//! [`RegistryRepository`]: the national registry's legal entities, divisions, employees, persons and
//! declarations as imported (see `import`), and the doctor's load.

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::declarations::{
    AuthenticationMethod, Declaration, DeclarationId, DeclarationRequestStatus, DeclarationStatus,
    Division, DivisionId, Employee, EmployeeId, LegalEntity, LegalEntityId, Party, Person,
    PersonId, PublicKey, RegistryRepository,
};
use domain::kernel::code::Code;
use time::OffsetDateTime;

use crate::connection::Store;
use crate::schema::{
    declaration_requests, declarations, divisions, employees, legal_entities, persons,
};
use crate::sql::{
    RowName, count, date_text, hex, id_text, parse_date, parse_hex, parse_id, parse_json,
    parse_stored, timestamp, to_json,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = legal_entities)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct LegalEntityRow {
    legal_entity_id: String,
    name: String,
    short_name: Option<String>,
    edrpou: Option<String>,
}

impl TryFrom<LegalEntityRow> for LegalEntity {
    type Error = domain::Error;

    fn try_from(row: LegalEntityRow) -> domain::Result<Self> {
        Ok(LegalEntity {
            id: parse_id(&row.legal_entity_id)?,
            name: row.name,
            short_name: row.short_name,
            edrpou: row.edrpou,
        })
    }
}

/// A legal entity as written. An update of an existing one keeps its `inserted_at`.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = legal_entities,
    primary_key(legal_entity_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(super) struct LegalEntityValues<'a> {
    pub(super) legal_entity_id: String,
    name: &'a str,
    short_name: Option<&'a str>,
    edrpou: Option<&'a str>,
    #[diesel(skip_update)]
    inserted_at: String,
    updated_at: String,
}

impl<'a> LegalEntityValues<'a> {
    pub(super) fn new(e: &'a LegalEntity, at: OffsetDateTime) -> Self {
        LegalEntityValues {
            legal_entity_id: id_text(e.id),
            name: &e.name,
            short_name: e.short_name.as_deref(),
            edrpou: e.edrpou.as_deref(),
            inserted_at: timestamp(at),
            updated_at: timestamp(at),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = divisions)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct DivisionRow {
    division_id: String,
    legal_entity_id: String,
    name: String,
}

impl TryFrom<DivisionRow> for Division {
    type Error = domain::Error;

    fn try_from(row: DivisionRow) -> domain::Result<Self> {
        Ok(Division {
            id: parse_id(&row.division_id)?,
            legal_entity_id: parse_id(&row.legal_entity_id)?,
            name: row.name,
        })
    }
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = divisions,
    primary_key(division_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(super) struct DivisionValues<'a> {
    pub(super) division_id: String,
    legal_entity_id: String,
    name: &'a str,
    #[diesel(skip_update)]
    inserted_at: String,
    updated_at: String,
}

impl<'a> DivisionValues<'a> {
    pub(super) fn new(d: &'a Division, at: OffsetDateTime) -> Self {
        DivisionValues {
            division_id: id_text(d.id),
            legal_entity_id: id_text(d.legal_entity_id),
            name: &d.name,
            inserted_at: timestamp(at),
            updated_at: timestamp(at),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = employees)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct EmployeeRow {
    employee_id: String,
    legal_entity_id: String,
    division_id: Option<String>,
    first_name: String,
    last_name: String,
    second_name: Option<String>,
    employee_type: String,
    speciality: Option<String>,
    status: String,
    public_key: Option<String>,
}

impl TryFrom<EmployeeRow> for Employee {
    type Error = domain::Error;

    fn try_from(row: EmployeeRow) -> domain::Result<Self> {
        let owner = RowName("employee", &row.employee_id);
        let public_key = match row.public_key.as_deref() {
            Some(raw) => {
                let what = format!("public_key of {owner}");
                let bytes = parse_hex(&what, raw)?;
                Some(PublicKey::from_bytes(&bytes).map_err(|_| {
                    domain::Error::internal(format!("stored {what} is not 32 bytes"))
                })?)
            }
            None => None,
        };
        Ok(Employee {
            id: parse_id(&row.employee_id)?,
            party: Party {
                first_name: row.first_name,
                last_name: row.last_name,
                second_name: row.second_name,
            },
            legal_entity_id: parse_id(&row.legal_entity_id)?,
            division_id: row.division_id.as_deref().map(parse_id).transpose()?,
            employee_type: parse_stored("employee_type", &owner, &row.employee_type)?,
            speciality: row
                .speciality
                .as_deref()
                .map(|raw| parse_stored("speciality", &owner, raw))
                .transpose()?,
            status: parse_stored("status", &owner, &row.status)?,
            public_key,
        })
    }
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = employees,
    primary_key(employee_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(super) struct EmployeeValues<'a> {
    pub(super) employee_id: String,
    legal_entity_id: String,
    division_id: Option<String>,
    first_name: &'a str,
    last_name: &'a str,
    second_name: Option<&'a str>,
    employee_type: &'static str,
    speciality: Option<&'static str>,
    status: &'static str,
    public_key: Option<String>,
    #[diesel(skip_update)]
    inserted_at: String,
    updated_at: String,
}

impl<'a> EmployeeValues<'a> {
    pub(super) fn new(e: &'a Employee, at: OffsetDateTime) -> Self {
        EmployeeValues {
            employee_id: id_text(e.id),
            legal_entity_id: id_text(e.legal_entity_id),
            division_id: e.division_id.map(id_text),
            first_name: &e.party.first_name,
            last_name: &e.party.last_name,
            second_name: e.party.second_name.as_deref(),
            employee_type: e.employee_type.as_str(),
            speciality: e.speciality.map(Code::as_str),
            status: e.status.as_str(),
            public_key: e.public_key.map(|k| hex(k.as_bytes())),
            inserted_at: timestamp(at),
            updated_at: timestamp(at),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = persons)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct PersonRow {
    person_id: String,
    first_name: String,
    last_name: String,
    second_name: Option<String>,
    birth_date: String,
    tax_id: Option<String>,
    phone_number: Option<String>,
    verification_status: String,
    authentication_methods: String,
}

impl TryFrom<PersonRow> for Person {
    type Error = domain::Error;

    fn try_from(row: PersonRow) -> domain::Result<Self> {
        let owner = RowName("person", &row.person_id);
        let methods: Vec<AuthenticationMethod> = parse_json(
            &format!("authentication_methods of {owner}"),
            &row.authentication_methods,
        )?;
        Ok(Person {
            id: parse_id(&row.person_id)?,
            first_name: row.first_name,
            last_name: row.last_name,
            second_name: row.second_name,
            birth_date: parse_date(&format!("birth_date of {owner}"), &row.birth_date)?,
            tax_id: row.tax_id,
            phone_number: row.phone_number,
            verification_status: parse_stored(
                "verification_status",
                &owner,
                &row.verification_status,
            )?,
            authentication_methods: methods,
        })
    }
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = persons,
    primary_key(person_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(super) struct PersonValues<'a> {
    pub(super) person_id: String,
    first_name: &'a str,
    last_name: &'a str,
    second_name: Option<&'a str>,
    birth_date: String,
    tax_id: Option<&'a str>,
    phone_number: Option<&'a str>,
    verification_status: &'static str,
    authentication_methods: String,
    #[diesel(skip_update)]
    inserted_at: String,
    updated_at: String,
}

impl<'a> PersonValues<'a> {
    pub(super) fn new(p: &'a Person, at: OffsetDateTime) -> domain::Result<Self> {
        Ok(PersonValues {
            person_id: id_text(p.id),
            first_name: &p.first_name,
            last_name: &p.last_name,
            second_name: p.second_name.as_deref(),
            birth_date: date_text(p.birth_date),
            tax_id: p.tax_id.as_deref(),
            phone_number: p.phone_number.as_deref(),
            verification_status: p.verification_status.as_str(),
            authentication_methods: to_json("authentication_methods", &p.authentication_methods)?,
            inserted_at: timestamp(at),
            updated_at: timestamp(at),
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = declarations)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct DeclarationRow {
    declaration_id: String,
    declaration_number: String,
    person_id: String,
    employee_id: String,
    legal_entity_id: String,
    division_id: Option<String>,
    status: String,
    reason: Option<String>,
    start_date: String,
    declaration_request_id: Option<String>,
}

impl TryFrom<DeclarationRow> for Declaration {
    type Error = domain::Error;

    fn try_from(row: DeclarationRow) -> domain::Result<Self> {
        let owner = RowName("declaration", &row.declaration_id);
        Ok(Declaration {
            id: parse_id(&row.declaration_id)?,
            declaration_number: row.declaration_number,
            person_id: parse_id(&row.person_id)?,
            employee_id: parse_id(&row.employee_id)?,
            legal_entity_id: parse_id(&row.legal_entity_id)?,
            division_id: row.division_id.as_deref().map(parse_id).transpose()?,
            status: parse_stored("status", &owner, &row.status)?,
            reason: row.reason,
            start_date: parse_date(&format!("start_date of {owner}"), &row.start_date)?,
            declaration_request_id: row
                .declaration_request_id
                .as_deref()
                .map(parse_id)
                .transpose()?,
        })
    }
}

/// A declaration as written. `block_number` is not among the columns: only closing a block of the
/// chain sets it, and an update from the registry keeps it. Nor does such an update change
/// `signed_at`, which only signing a request sets.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = declarations,
    primary_key(declaration_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub(super) struct DeclarationValues<'a> {
    pub(super) declaration_id: String,
    declaration_number: &'a str,
    person_id: String,
    employee_id: String,
    legal_entity_id: String,
    division_id: Option<String>,
    status: &'static str,
    reason: Option<&'a str>,
    start_date: String,
    declaration_request_id: Option<String>,
    #[diesel(skip_update)]
    signed_at: Option<String>,
    #[diesel(skip_update)]
    inserted_at: String,
    updated_at: String,
}

impl<'a> DeclarationValues<'a> {
    /// `d` signed at `at`: inserted then, too.
    pub(super) fn signed(d: &'a Declaration, at: OffsetDateTime) -> Self {
        DeclarationValues {
            signed_at: Some(timestamp(at)),
            ..DeclarationValues::new(d, at)
        }
    }

    pub(super) fn new(d: &'a Declaration, at: OffsetDateTime) -> Self {
        DeclarationValues {
            declaration_id: id_text(d.id),
            declaration_number: &d.declaration_number,
            person_id: id_text(d.person_id),
            employee_id: id_text(d.employee_id),
            legal_entity_id: id_text(d.legal_entity_id),
            division_id: d.division_id.map(id_text),
            status: d.status.as_str(),
            reason: d.reason.as_deref(),
            start_date: date_text(d.start_date),
            declaration_request_id: d.declaration_request_id.map(id_text),
            signed_at: None,
            inserted_at: timestamp(at),
            updated_at: timestamp(at),
        }
    }
}

/// The declarations a doctor's limit counts.
const HELD: [DeclarationStatus; 2] = [
    DeclarationStatus::Active,
    DeclarationStatus::PendingVerification,
];

impl RegistryRepository for Store {
    fn person(&self, id: PersonId) -> domain::Result<Option<Person>> {
        let row = self.with_conn(|conn| {
            Ok(persons::table
                .find(id_text(id))
                .select(PersonRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(Person::try_from).transpose()
    }

    fn employee(&self, id: EmployeeId) -> domain::Result<Option<Employee>> {
        let row = self.with_conn(|conn| {
            Ok(employees::table
                .find(id_text(id))
                .select(EmployeeRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(Employee::try_from).transpose()
    }

    fn division(&self, id: DivisionId) -> domain::Result<Option<Division>> {
        let row = self.with_conn(|conn| {
            Ok(divisions::table
                .find(id_text(id))
                .select(DivisionRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(Division::try_from).transpose()
    }

    fn legal_entity(&self, id: LegalEntityId) -> domain::Result<Option<LegalEntity>> {
        let row = self.with_conn(|conn| {
            Ok(legal_entities::table
                .find(id_text(id))
                .select(LegalEntityRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(LegalEntity::try_from).transpose()
    }

    fn declaration(&self, id: DeclarationId) -> domain::Result<Option<Declaration>> {
        let row = self.with_conn(|conn| {
            Ok(declarations::table
                .find(id_text(id))
                .select(DeclarationRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(Declaration::try_from).transpose()
    }

    fn doctor_load(&self, employee: EmployeeId, exclude_person: PersonId) -> domain::Result<u64> {
        let employee = id_text(employee);
        let person = id_text(exclude_person);
        let held: Vec<&'static str> = HELD.iter().map(|s| s.as_str()).collect();
        // Two counts, each answered from an index alone: `declarations_employee_status` holds the
        // employee, the status and the person, `declaration_requests_employee_status` the
        // employee and the status.
        let (declared, approved) = self.with_conn(|conn| {
            let declared = declarations::table
                .filter(declarations::employee_id.eq(&employee))
                .filter(declarations::status.eq_any(&held))
                .filter(declarations::person_id.ne(&person))
                .select(count_star())
                .get_result::<i64>(conn)?;
            let approved = declaration_requests::table
                .filter(declaration_requests::employee_id.eq(&employee))
                .filter(
                    declaration_requests::status.eq(DeclarationRequestStatus::Approved.as_str()),
                )
                .select(count_star())
                .get_result::<i64>(conn)?;
            Ok((declared, approved))
        })?;
        Ok(count(declared).saturating_add(count(approved)))
    }
}
