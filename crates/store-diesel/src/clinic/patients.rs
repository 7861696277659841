//! [`PatientRepository`]: patients, their medical record numbers (from the `mrn` counter, in the
//! creating transaction) and their folded search text. Every write inserts its audit entry in its
//! own transaction.

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::clinic::{
    AuditEntry, HardDelete, NewPatient, Patient, PatientDetails, PatientId, PatientQuery,
    PatientRepository, PatientSort, SortOrder, patient,
};
use domain::kernel::code::Code;
use domain::kernel::ids::ActorId;
use domain::kernel::paging::{Page, PageRequest};
use time::OffsetDateTime;

use super::{LOCK_PATIENT, insert_audit, lock_on_postgres, next_counter};
use crate::connection::{DbConnection, MultiBackend, Store, on_backend, write_transaction};
use crate::error::StoreError;
use crate::schema::{
    appointments, clinic_reports, dicom_images, dicom_studies, dicom_worklist, documents,
    patient_search_terms, patients,
};
use crate::sql::{
    RowName, count, date_text, id_text, parse_date, parse_id, parse_optional_timestamp,
    parse_stored, parse_timestamp, timestamp,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = patients)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct PatientRow {
    patient_id: String,
    mrn: String,
    name: String,
    name_ar: Option<String>,
    birth_date: Option<String>,
    sex: Option<String>,
    phone: Option<String>,
    national_id: Option<String>,
    address: Option<String>,
    deleted_at: Option<String>,
    created_at: String,
    created_by: String,
    updated_at: String,
    updated_by: String,
}

impl TryFrom<PatientRow> for Patient {
    type Error = domain::Error;

    fn try_from(row: PatientRow) -> domain::Result<Self> {
        let owner = RowName("patient", &row.patient_id);
        Ok(Patient {
            id: parse_id(&row.patient_id)?,
            mrn: row.mrn,
            details: PatientDetails {
                name: row.name,
                name_ar: row.name_ar,
                birth_date: row
                    .birth_date
                    .as_deref()
                    .map(|raw| parse_date(&format!("birth_date of {owner}"), raw))
                    .transpose()?,
                sex: row
                    .sex
                    .as_deref()
                    .map(|raw| parse_stored("sex", &owner, raw))
                    .transpose()?,
                phone: row.phone,
                national_id: row.national_id,
                address: row.address,
            },
            created_at: parse_timestamp(&row.created_at)?,
            created_by: ActorId::from_stored(row.created_by),
            updated_at: parse_timestamp(&row.updated_at)?,
            updated_by: ActorId::from_stored(row.updated_by),
            deleted_at: parse_optional_timestamp(row.deleted_at.as_deref())?,
        })
    }
}

/// The details as written (insert and update alike); `None` clears a column.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = patients, treat_none_as_null = true)]
pub(super) struct DetailValues<'a> {
    name: &'a str,
    name_ar: Option<&'a str>,
    birth_date: Option<String>,
    sex: Option<&'static str>,
    phone: Option<&'a str>,
    national_id: Option<&'a str>,
    address: Option<&'a str>,
    search_text: String,
    updated_at: String,
    updated_by: &'a str,
}

impl<'a> DetailValues<'a> {
    pub(super) fn new(
        mrn: &str,
        d: &'a PatientDetails,
        updated_at: OffsetDateTime,
        updated_by: &'a ActorId,
    ) -> Self {
        DetailValues {
            name: &d.name,
            name_ar: d.name_ar.as_deref(),
            birth_date: d.birth_date.map(date_text),
            sex: d.sex.map(Code::as_str),
            phone: d.phone.as_deref(),
            national_id: d.national_id.as_deref(),
            address: d.address.as_deref(),
            search_text: patient::search_text(mrn, d),
            updated_at: timestamp(updated_at),
            updated_by: updated_by.as_str(),
        }
    }
}

/// Terms per statement: 2 columns a row, 20,000 bind parameters, under both backends' limits.
pub(super) const TERM_CHUNK: usize = 10_000;

/// Writes the search terms of the patients `terms` names (`(patient_id, term)`), inside the
/// caller's transaction; the patients must have none yet (a rewrite removes them first).
pub(super) fn insert_terms(
    conn: &mut DbConnection,
    terms: &[(&str, String)],
) -> Result<(), StoreError> {
    for chunk in terms.chunks(TERM_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, term)| {
                (
                    patient_search_terms::term.eq(term),
                    patient_search_terms::patient_id.eq(*id),
                )
            })
            .collect();
        let insert = diesel::insert_into(patient_search_terms::table).values(rows);
        on_backend!(conn, |conn| insert.execute(conn))?;
    }
    Ok(())
}

/// Removes the search terms of patient `id`, inside the caller's transaction.
fn remove_terms(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    diesel::delete(patient_search_terms::table.filter(patient_search_terms::patient_id.eq(id)))
        .execute(conn)?;
    Ok(())
}

/// The patients `query` selects, unordered and unpaged, for the list and its total: each term must
/// start one of the patient's search terms, a range of `patient_search_terms`' primary key (terms
/// sort by code point on both backends, so `[t, t + U+10FFFF)` holds exactly the terms starting
/// with `t`).
///
/// A search does not filter on `deleted_at`: soft-deleted patients have no terms (every write
/// keeps them so), and without the filter the only way in is the terms' index. With it, SQLite
/// without statistics (no `ANALYZE`, as a fresh database) prefers walking `patients_order` (every
/// live patient): 102 ms instead of 8 ms for a total at 200,000 patients.
fn matching(query: &PatientQuery) -> patients::BoxedQuery<'static, MultiBackend> {
    if query.terms.is_empty() {
        return patients::table
            .filter(patients::deleted_at.is_null())
            .into_boxed();
    }
    let mut q = patients::table.into_boxed();
    for term in &query.terms {
        let upper = format!("{term}\u{10FFFF}");
        q = q.filter(
            patients::patient_id.eq_any(
                patient_search_terms::table
                    .filter(patient_search_terms::term.ge(term.clone()))
                    .filter(patient_search_terms::term.lt(upper))
                    .select(patient_search_terms::patient_id),
            ),
        );
    }
    q
}

fn ordered(
    q: patients::BoxedQuery<'static, MultiBackend>,
    query: &PatientQuery,
) -> patients::BoxedQuery<'static, MultiBackend> {
    use PatientSort::*;
    use SortOrder::*;
    // Ties by id, in the same direction, so that pages never overlap.
    match (query.sort, query.order) {
        (Name, Asc) => q.order((patients::name.asc(), patients::patient_id.asc())),
        (Name, Desc) => q.order((patients::name.desc(), patients::patient_id.desc())),
        (Mrn, Asc) => q.order(patients::mrn.asc()),
        (Mrn, Desc) => q.order(patients::mrn.desc()),
        (CreatedAt, Asc) => q.order((patients::created_at.asc(), patients::patient_id.asc())),
        (CreatedAt, Desc) => q.order((patients::created_at.desc(), patients::patient_id.desc())),
        (BirthDate, Asc) => q.order((patients::birth_date.asc(), patients::patient_id.asc())),
        (BirthDate, Desc) => q.order((patients::birth_date.desc(), patients::patient_id.desc())),
    }
}

fn find_row(conn: &mut DbConnection, id: &str) -> Result<Option<PatientRow>, StoreError> {
    Ok(patients::table
        .filter(patients::patient_id.eq(id))
        .select(PatientRow::as_select())
        .get_result(conn)
        .optional()?)
}

impl PatientRepository for Store {
    fn create(&self, new: &NewPatient, audit: &AuditEntry) -> domain::Result<Patient> {
        let id = id_text(new.id);
        let created_at = timestamp(new.at);
        let row = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let mrn = Patient::mrn_for(next_counter(conn, "mrn")?);
                let details = DetailValues::new(&mrn, &new.details, new.at, &new.by);
                diesel::insert_into(patients::table)
                    .values((
                        patients::patient_id.eq(&id),
                        patients::mrn.eq(&mrn),
                        patients::created_at.eq(&created_at),
                        patients::created_by.eq(new.by.as_str()),
                        details,
                    ))
                    .execute(conn)?;
                let terms = patient::search_terms(&mrn, &new.details);
                let rows: Vec<_> = terms.into_iter().map(|t| (id.as_str(), t)).collect();
                insert_terms(conn, &rows)?;
                insert_audit(conn, audit)?;
                find_row(conn, &id)
            })
        })?;
        row.map(Patient::try_from)
            .transpose()?
            .ok_or_else(|| domain::Error::internal("a created patient cannot be read back"))
    }

    fn find(&self, id: PatientId) -> domain::Result<Option<Patient>> {
        let row = self.with_conn(|conn| find_row(conn, &id_text(id)))?;
        row.map(Patient::try_from).transpose()
    }

    fn list(&self, query: &PatientQuery, page: PageRequest) -> domain::Result<Page<Patient>> {
        let (rows, total) = self.with_conn(|conn| {
            let rows = ordered(matching(query), query)
                .limit(page.limit())
                .offset(page.offset())
                .select(PatientRow::as_select())
                .load(conn)?;
            let total: i64 = matching(query).select(count_star()).get_result(conn)?;
            Ok((rows, total))
        })?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(Patient::try_from)
                .collect::<domain::Result<_>>()?,
            total: count(total),
            request: page,
        })
    }

    fn update(&self, patient: &Patient, audit: &AuditEntry) -> domain::Result<bool> {
        let id = id_text(patient.id);
        let values = DetailValues::new(
            &patient.mrn,
            &patient.details,
            patient.updated_at,
            &patient.updated_by,
        );
        let terms: Vec<_> = patient
            .search_terms()
            .into_iter()
            .map(|t| (id.as_str(), t))
            .collect();
        Ok(self.with_conn(|db| {
            write_transaction(db, |conn| {
                let updated = diesel::update(
                    patients::table
                        .filter(patients::patient_id.eq(&id))
                        .filter(patients::deleted_at.is_null()),
                )
                .set(&values)
                .execute(conn)?;
                if updated > 0 {
                    remove_terms(conn, &id)?;
                    insert_terms(conn, &terms)?;
                    insert_audit(conn, audit)?;
                }
                Ok::<_, StoreError>(updated > 0)
            })
        })?)
    }

    fn soft_delete(
        &self,
        id: PatientId,
        at: OffsetDateTime,
        by: &ActorId,
        audit: &AuditEntry,
    ) -> domain::Result<bool> {
        let id = id_text(id);
        let at = timestamp(at);
        Ok(self.with_conn(|db| {
            write_transaction(db, |conn| {
                let updated = diesel::update(
                    patients::table
                        .filter(patients::patient_id.eq(&id))
                        .filter(patients::deleted_at.is_null()),
                )
                .set((
                    patients::deleted_at.eq(Some(&at)),
                    patients::updated_at.eq(&at),
                    patients::updated_by.eq(by.as_str()),
                ))
                .execute(conn)?;
                if updated > 0 {
                    // A soft-deleted patient leaves search: its terms go with the delete.
                    remove_terms(conn, &id)?;
                    insert_audit(conn, audit)?;
                }
                Ok::<_, StoreError>(updated > 0)
            })
        })?)
    }

    fn hard_delete(&self, id: PatientId, audit: &AuditEntry) -> domain::Result<HardDelete> {
        let id = id_text(id);
        Ok(self.with_conn(|db| {
            write_transaction(db, |conn| {
                // On PostgreSQL the row is locked first: a booking being written for the patient
                // either committed before (and is counted below) or waits for this transaction
                // and then finds no patient.
                lock_on_postgres(conn, LOCK_PATIENT, &id)?;
                if find_row(conn, &id)?.is_none() {
                    return Ok::<_, StoreError>(HardDelete::Missing);
                }
                // Both counts come from the indexes led by patient_id.
                let appointments: i64 = appointments::table
                    .filter(appointments::patient_id.eq(&id))
                    .select(count_star())
                    .get_result(conn)?;
                let reports: i64 = clinic_reports::table
                    .filter(clinic_reports::patient_id.eq(&id))
                    .select(count_star())
                    .get_result(conn)?;
                // A study refers to the patient by its own link, or through an instance linked
                // to the patient (a study keeps the first patient its instances named).
                let studies: i64 = dicom_studies::table
                    .filter(
                        dicom_studies::patient_id
                            .eq(&id)
                            .or(dicom_studies::study_id.eq_any(
                                dicom_images::table
                                    .filter(dicom_images::patient_id.eq(&id))
                                    .select(dicom_images::study_id),
                            )),
                    )
                    .select(count_star())
                    .get_result(conn)?;
                // Hidden documents too: their bytes are kept until the retention job.
                let documents: i64 = documents::table
                    .filter(documents::patient_id.eq(&id))
                    .select(count_star())
                    .get_result(conn)?;
                if appointments > 0 || reports > 0 || studies > 0 || documents > 0 {
                    return Ok(HardDelete::Referenced {
                        appointments: count(appointments),
                        reports: count(reports),
                        studies: count(studies),
                        documents: count(documents),
                    });
                }
                // Worklist entries published for the patient alone (an appointment's entry goes
                // with the appointment, which already refuses the delete) are only a publication,
                // what modalities may query: they go with the patient rather than keep it.
                diesel::delete(dicom_worklist::table.filter(dicom_worklist::patient_id.eq(&id)))
                    .execute(conn)?;
                remove_terms(conn, &id)?;
                diesel::delete(patients::table.filter(patients::patient_id.eq(&id)))
                    .execute(conn)?;
                insert_audit(conn, audit)?;
                Ok(HardDelete::Deleted)
            })
        })?)
    }
}
