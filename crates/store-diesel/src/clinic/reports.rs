//! [`ReportRepository`]: the clinic's reports. Every write is one transaction holding the change
//! and its audit entry (and, when a report is finalized, the event announcing it); changes are
//! conditional on the version and the status the service read. The patient and the author a report
//! names are read from `patients` and `staff_accounts`, which the other clinic modules own.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::clinic::{
    AuditEntry, AuthorName, ClinicEvent, Created, Measurement, PatientId, Report, ReportContent,
    ReportFilter, ReportId, ReportPatient, ReportRecord, ReportRepository, ReportSort,
    ReportStatus, SortOrder, StudyRef,
};
use domain::kernel::code::Code;
use domain::kernel::paging::{Page, PageRequest};

use super::{insert_audit, publish_clinic};
use crate::connection::{DbConnection, MultiBackend, Store, write_transaction};
use crate::error::StoreError;
use crate::schema::{clinic_reports, patients, staff_accounts};
use crate::sql::{
    RowName, count, id_text, parse_date, parse_id, parse_json, parse_optional_timestamp,
    parse_stored, parse_timestamp, timestamp, to_json,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = clinic_reports)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct ReportRow {
    report_id: String,
    patient_id: String,
    study_id: Option<String>,
    doctor_id: String,
    findings: String,
    impression: String,
    measurements: String,
    status: String,
    version: i64,
    finalized_at: Option<String>,
    finalized_by: Option<String>,
    created_at: String,
    updated_at: String,
}

impl TryFrom<ReportRow> for Report {
    type Error = domain::Error;

    fn try_from(row: ReportRow) -> domain::Result<Self> {
        let owner = RowName("report", &row.report_id);
        let measurements: Vec<Measurement> =
            parse_json(&format!("measurements of {owner}"), &row.measurements)?;
        Ok(Report {
            id: parse_id(&row.report_id)?,
            patient_id: parse_id(&row.patient_id)?,
            doctor_id: parse_id(&row.doctor_id)?,
            content: ReportContent {
                study_id: row.study_id.map(StudyRef::from_stored),
                findings: row.findings,
                impression: row.impression,
                measurements,
            },
            status: parse_stored("status", &owner, &row.status)?,
            version: row.version,
            finalized_at: parse_optional_timestamp(row.finalized_at.as_deref())?,
            finalized_by: row.finalized_by.as_deref().map(parse_id).transpose()?,
            created_at: parse_timestamp(&row.created_at)?,
            updated_at: parse_timestamp(&row.updated_at)?,
        })
    }
}

/// A report as written: an insert writes every column, a change every one that can change.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(
    table_name = clinic_reports,
    primary_key(report_id),
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
struct ReportValues {
    #[diesel(skip_update)]
    report_id: String,
    patient_id: String,
    study_id: Option<String>,
    #[diesel(skip_update)]
    doctor_id: String,
    findings: String,
    impression: String,
    measurements: String,
    status: &'static str,
    version: i64,
    finalized_at: Option<String>,
    finalized_by: Option<String>,
    #[diesel(skip_update)]
    created_at: String,
    updated_at: String,
}

impl ReportValues {
    fn new(r: &Report) -> domain::Result<Self> {
        Ok(Self {
            report_id: id_text(r.id),
            patient_id: id_text(r.patient_id),
            study_id: r.content.study_id.as_ref().map(|s| s.as_str().to_owned()),
            doctor_id: id_text(r.doctor_id),
            findings: r.content.findings.clone(),
            impression: r.content.impression.clone(),
            measurements: to_json("measurements", &r.content.measurements)?,
            status: r.status.as_str(),
            version: r.version,
            finalized_at: r.finalized_at.map(timestamp),
            finalized_by: r.finalized_by.map(id_text),
            created_at: timestamp(r.created_at),
            updated_at: timestamp(r.updated_at),
        })
    }
}

type PatientRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn patient_of(row: PatientRow) -> domain::Result<ReportPatient> {
    let (id, mrn, name, name_ar, birth_date, sex, deleted_at) = row;
    let birth_date = birth_date
        .as_deref()
        .map(|raw| parse_date(&format!("birth_date of patient {id}"), raw))
        .transpose()?;
    Ok(ReportPatient {
        id: parse_id(&id)?,
        mrn,
        name,
        name_ar,
        birth_date,
        sex,
        deleted: deleted_at.is_some(),
    })
}

/// The patients with these ids (text), by id.
fn patients_by_id(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, PatientRow>, StoreError> {
    let rows: Vec<PatientRow> = patients::table
        .filter(patients::patient_id.eq_any(ids))
        .select((
            patients::patient_id,
            patients::mrn,
            patients::name,
            patients::name_ar,
            patients::birth_date,
            patients::sex,
            patients::deleted_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.0.clone(), r)).collect())
}

/// The staff accounts' names with these ids (text), by id.
fn names_by_id(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, (String, Option<String>)>, StoreError> {
    let rows: Vec<(String, String, Option<String>)> = staff_accounts::table
        .filter(staff_accounts::staff_id.eq_any(ids))
        .select((
            staff_accounts::staff_id,
            staff_accounts::name,
            staff_accounts::name_ar,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, n, ar)| (id, (n, ar))).collect())
}

/// The rows with their patients and authors, in the rows' order.
fn records(conn: &mut DbConnection, rows: Vec<ReportRow>) -> domain::Result<Vec<ReportRecord>> {
    let mut patient_ids: Vec<String> = rows.iter().map(|r| r.patient_id.clone()).collect();
    patient_ids.sort();
    patient_ids.dedup();
    let mut doctor_ids: Vec<String> = rows.iter().map(|r| r.doctor_id.clone()).collect();
    doctor_ids.sort();
    doctor_ids.dedup();
    let patients = patients_by_id(conn, &patient_ids)?;
    let names = names_by_id(conn, &doctor_ids)?;
    rows.into_iter()
        .map(|row| {
            // Foreign keys keep both; a missing one is a corrupt database.
            let patient = patients.get(&row.patient_id).cloned().ok_or_else(|| {
                domain::Error::internal(format!(
                    "report {} names the missing patient {}",
                    row.report_id, row.patient_id
                ))
            })?;
            let (name, name_ar) = names.get(&row.doctor_id).cloned().unwrap_or_default();
            Ok(ReportRecord {
                patient: patient_of(patient)?,
                doctor: AuthorName { name, name_ar },
                report: Report::try_from(row)?,
            })
        })
        .collect()
}

/// The reports `filter` selects, unordered and unpaged, shared by the list and its total.
fn matching(filter: &ReportFilter) -> clinic_reports::BoxedQuery<'static, MultiBackend> {
    let mut query = clinic_reports::table.into_boxed();
    if let Some(patient) = filter.patient {
        query = query.filter(clinic_reports::patient_id.eq(id_text(patient)));
    }
    if let Some(status) = filter.status {
        query = query.filter(clinic_reports::status.eq(status.as_str()));
    }
    if let Some(doctor) = filter.doctor {
        query = query.filter(clinic_reports::doctor_id.eq(id_text(doctor)));
    }
    query
}

/// `filter`'s reports in its order; ties (same instant) by id in the same direction.
fn ordered(filter: &ReportFilter) -> clinic_reports::BoxedQuery<'static, MultiBackend> {
    use clinic_reports::{created_at, report_id, updated_at};
    let query = matching(filter);
    match (filter.sort, filter.order) {
        (ReportSort::CreatedAt, SortOrder::Desc) => {
            query.order((created_at.desc(), report_id.desc()))
        }
        (ReportSort::CreatedAt, SortOrder::Asc) => query.order((created_at.asc(), report_id.asc())),
        (ReportSort::UpdatedAt, SortOrder::Desc) => {
            query.order((updated_at.desc(), report_id.desc()))
        }
        (ReportSort::UpdatedAt, SortOrder::Asc) => query.order((updated_at.asc(), report_id.asc())),
    }
}

/// The stored report `id` if it is a draft at version `expected`: what every change is
/// conditional on.
type DraftAt = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Filter<
            clinic_reports::table,
            diesel::dsl::Eq<clinic_reports::report_id, String>,
        >,
        diesel::dsl::Eq<clinic_reports::version, i64>,
    >,
    diesel::dsl::Eq<clinic_reports::status, &'static str>,
>;

fn draft_at(id: String, expected: i64) -> DraftAt {
    clinic_reports::table
        .filter(clinic_reports::report_id.eq(id))
        .filter(clinic_reports::version.eq(expected))
        .filter(clinic_reports::status.eq(ReportStatus::Draft.as_str()))
}

impl ReportRepository for Store {
    fn patient(&self, id: PatientId) -> domain::Result<Option<ReportPatient>> {
        let key = id_text(id);
        let row = self
            .with_conn(|conn| Ok(patients_by_id(conn, std::slice::from_ref(&key))?.remove(&key)))?;
        row.map(patient_of).transpose()
    }

    fn create(&self, report: &Report, audit: &AuditEntry) -> domain::Result<Created> {
        let values = ReportValues::new(report)?;
        let created = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let patient: Option<Option<String>> = patients::table
                    .filter(patients::patient_id.eq(&values.patient_id))
                    .select(patients::deleted_at)
                    .first(conn)
                    .optional()?;
                if !matches!(patient, Some(None)) {
                    return Ok(Created::NoPatient);
                }
                let author: i64 = staff_accounts::table
                    .filter(staff_accounts::staff_id.eq(&values.doctor_id))
                    .select(count_star())
                    .get_result(conn)?;
                if author == 0 {
                    return Ok(Created::NoAuthor);
                }
                diesel::insert_into(clinic_reports::table)
                    .values(&values)
                    .execute(conn)?;
                insert_audit(conn, audit)?;
                Ok::<_, StoreError>(Created::Done)
            })
        })?;
        Ok(created)
    }

    fn find(&self, id: ReportId) -> domain::Result<Option<ReportRecord>> {
        let found = self.with_conn(|conn| {
            let rows: Vec<ReportRow> = clinic_reports::table
                .filter(clinic_reports::report_id.eq(id_text(id)))
                .select(ReportRow::as_select())
                .load(conn)?;
            Ok(records(conn, rows))
        })??;
        Ok(found.into_iter().next())
    }

    fn list(&self, filter: &ReportFilter, page: PageRequest) -> domain::Result<Page<ReportRecord>> {
        let (items, total) = self.with_conn(|conn| {
            let rows: Vec<ReportRow> = ordered(filter)
                .limit(page.limit())
                .offset(page.offset())
                .select(ReportRow::as_select())
                .load(conn)?;
            let total: i64 = matching(filter).select(count_star()).get_result(conn)?;
            Ok((records(conn, rows), total))
        })?;
        Ok(Page {
            items: items?,
            total: count(total),
            request: page,
        })
    }

    fn update(&self, report: &Report, expected: i64, audit: &AuditEntry) -> domain::Result<bool> {
        let values = ReportValues::new(report)?;
        let wrote = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let changed = diesel::update(draft_at(values.report_id.clone(), expected))
                    .set(&values)
                    .execute(conn)?;
                if changed == 0 {
                    return Ok(false);
                }
                insert_audit(conn, audit)?;
                Ok::<_, StoreError>(true)
            })
        })?;
        Ok(wrote)
    }

    fn finalize(
        &self,
        report: &Report,
        expected: i64,
        audit: &AuditEntry,
        event: &ClinicEvent,
    ) -> domain::Result<bool> {
        let values = ReportValues::new(report)?;
        let wrote = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let changed = diesel::update(draft_at(values.report_id.clone(), expected))
                    .set(&values)
                    .execute(conn)?;
                if changed == 0 {
                    return Ok(false);
                }
                insert_audit(conn, audit)?;
                publish_clinic(conn, event)?;
                Ok::<_, StoreError>(true)
            })
        })?;
        Ok(wrote)
    }

    fn delete(&self, id: ReportId, expected: i64, audit: &AuditEntry) -> domain::Result<bool> {
        let wrote = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let removed = diesel::delete(draft_at(id_text(id), expected)).execute(conn)?;
                if removed == 0 {
                    return Ok(false);
                }
                insert_audit(conn, audit)?;
                Ok::<_, StoreError>(true)
            })
        })?;
        Ok(wrote)
    }
}
