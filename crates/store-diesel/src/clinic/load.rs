//! Bulk writes of patients and appointments for load tests and benchmarks: rows as they are, in
//! statements under both backends' bind limits, one transaction per call, without the audit
//! entries and events every real write records. Patients get their search text and terms as a
//! real write stores them, so search finds them; the `mrn` and `accession` counters are moved past
//! the loaded numbers, so later creates do not collide with them.

use diesel::prelude::*;
use domain::clinic::{Appointment, HistoryEntry, Patient, patient};
use domain::kernel::code::Code;

use super::appointments::{HistoryValues, NewRow};
use super::patients::insert_terms;
use super::raise_counter;
use crate::connection::{DbConnection, Store, on_backend, write_transaction};
use crate::error::StoreError;
use crate::schema::{appointment_history, appointments, clinic_counters, patients};
use crate::sql::{date_text, id_text, timestamp};

/// Patients per statement: 1,000 rows of 15 columns, 15,000 bind parameters (SQLite takes
/// 32,766, PostgreSQL 65,535).
const PATIENT_CHUNK: usize = 1_000;
/// Appointments per statement: 1,000 rows of 15 columns.
const APPOINTMENT_CHUNK: usize = 1_000;
/// History rows per statement: 4,000 rows of 6 columns, 24,000 bind parameters.
const HISTORY_CHUNK: usize = 4_000;

#[derive(Debug, Insertable)]
#[diesel(table_name = patients)]
struct PatientValues<'a> {
    patient_id: String,
    mrn: &'a str,
    name: &'a str,
    name_ar: Option<&'a str>,
    birth_date: Option<String>,
    sex: Option<&'static str>,
    phone: Option<&'a str>,
    national_id: Option<&'a str>,
    address: Option<&'a str>,
    search_text: String,
    deleted_at: Option<String>,
    created_at: String,
    created_by: &'a str,
    updated_at: String,
    updated_by: &'a str,
}

impl<'a> From<&'a Patient> for PatientValues<'a> {
    fn from(p: &'a Patient) -> Self {
        let d = &p.details;
        PatientValues {
            patient_id: id_text(p.id),
            mrn: &p.mrn,
            name: &d.name,
            name_ar: d.name_ar.as_deref(),
            birth_date: d.birth_date.map(date_text),
            sex: d.sex.map(Code::as_str),
            phone: d.phone.as_deref(),
            national_id: d.national_id.as_deref(),
            address: d.address.as_deref(),
            search_text: p.search_text(),
            deleted_at: p.deleted_at.map(timestamp),
            created_at: timestamp(p.created_at),
            created_by: p.created_by.as_str(),
            updated_at: timestamp(p.updated_at),
            updated_by: p.updated_by.as_str(),
        }
    }
}

/// The number in a generated code (`MRN00000042` → 42), if it has one.
fn number_in(code: &str, prefix: &str) -> Option<i64> {
    code.strip_prefix(prefix)?.parse().ok()
}

/// The highest number among `codes` (0 when none has one).
fn highest<'a>(codes: impl Iterator<Item = &'a str>, prefix: &str) -> i64 {
    codes
        .filter_map(|c| number_in(c, prefix))
        .max()
        .unwrap_or(0)
}

impl Store {
    /// The current value of the clinic counter `name` (`mrn`, `accession`): the last number given.
    pub fn clinic_counter(&self, name: &str) -> Result<i64, StoreError> {
        self.with_conn(|conn| {
            Ok(clinic_counters::table
                .filter(clinic_counters::name.eq(name))
                .select(clinic_counters::value)
                .get_result(conn)?)
        })
    }

    /// Inserts patients as they are (their MRNs included), with their search text and search
    /// terms, in one transaction; raises the `mrn` counter to the highest MRN loaded. Returns how
    /// many were inserted. A taken id or MRN fails the whole batch.
    ///
    /// For loading data into load tests and benchmarks only: it writes no audit entries.
    pub fn insert_patients_bulk(&self, patients: &[Patient]) -> Result<usize, StoreError> {
        let values: Vec<PatientValues<'_>> = patients.iter().map(PatientValues::from).collect();
        let mut terms = Vec::new();
        for (p, v) in patients.iter().zip(&values) {
            // Soft-deleted patients have no terms, as after a real delete.
            if p.deleted_at.is_none() {
                let id = v.patient_id.as_str();
                terms.extend(
                    patient::search_terms(&p.mrn, &p.details)
                        .into_iter()
                        .map(|t| (id, t)),
                );
            }
        }
        let last = highest(patients.iter().map(|p| p.mrn.as_str()), "MRN");
        self.with_conn(|db| {
            write_transaction(db, |conn| {
                let mut inserted = 0;
                for chunk in values.chunks(PATIENT_CHUNK) {
                    let insert = diesel::insert_into(patients::table).values(chunk);
                    inserted += on_backend!(conn, |conn| insert.execute(conn))?;
                }
                insert_terms(conn, &terms)?;
                raise_counter(conn, "mrn", last)?;
                Ok(inserted)
            })
        })
    }

    /// Inserts appointments as they are (accession numbers, status and version included) with
    /// the history rows given for each, in one transaction; raises the `accession` counter to the
    /// highest number loaded. Returns how many appointments were inserted. Their patients and
    /// doctors must exist; the doctor's time is not checked (a load may overlap bookings).
    ///
    /// For loading data into load tests and benchmarks only: it writes no audit entries and
    /// publishes no events.
    pub fn insert_appointments_bulk(
        &self,
        appointments: &[(Appointment, Vec<HistoryEntry>)],
    ) -> Result<usize, StoreError> {
        let ids: Vec<String> = appointments.iter().map(|(a, _)| id_text(a.id)).collect();
        let rows: Vec<NewRow<'_>> = appointments
            .iter()
            .zip(&ids)
            .map(|((a, _), id)| appointment_row(a, id))
            .collect();
        let history: Vec<HistoryValues<'_>> = appointments
            .iter()
            .zip(&ids)
            .flat_map(|((_, h), id)| h.iter().map(move |e| history_row(id, e)))
            .collect();
        let last = highest(
            appointments
                .iter()
                .map(|(a, _)| a.accession_number.as_str()),
            "ACC",
        );
        self.with_conn(|db| {
            write_transaction(db, |conn| {
                let inserted = insert_chunks(conn, &rows, &history)?;
                raise_counter(conn, "accession", last)?;
                Ok(inserted)
            })
        })
    }
}

fn appointment_row<'a>(a: &'a Appointment, id: &str) -> NewRow<'a> {
    NewRow {
        appointment_id: id.to_owned(),
        patient_id: id_text(a.patient_id),
        doctor_id: id_text(a.doctor_id),
        date: date_text(a.slot.date),
        time: domain::clinic::appointment::format_time(a.slot.time),
        duration_minutes: i32::try_from(a.slot.duration_minutes).unwrap_or(i32::MAX),
        department: a.department.as_deref(),
        notes: a.notes.as_deref(),
        status: a.status.as_str(),
        accession_number: a.accession_number.clone(),
        version: a.version,
        created_at: timestamp(a.created_at),
        created_by: a.created_by.as_str(),
        updated_at: timestamp(a.updated_at),
        updated_by: a.updated_by.as_str(),
    }
}

fn history_row<'a>(id: &'a str, e: &'a HistoryEntry) -> HistoryValues<'a> {
    HistoryValues {
        appointment_id: id,
        seq: e.seq,
        from_status: e.from.map(Code::as_str),
        to_status: e.to.as_str(),
        changed_by: &e.by,
        changed_at: timestamp(e.at),
    }
}

fn insert_chunks(
    conn: &mut DbConnection,
    rows: &[NewRow<'_>],
    history: &[HistoryValues<'_>],
) -> Result<usize, StoreError> {
    let mut inserted = 0;
    for chunk in rows.chunks(APPOINTMENT_CHUNK) {
        let insert = diesel::insert_into(appointments::table).values(chunk);
        inserted += on_backend!(conn, |conn| insert.execute(conn))?;
    }
    for chunk in history.chunks(HISTORY_CHUNK) {
        let insert = diesel::insert_into(appointment_history::table).values(chunk);
        on_backend!(conn, |conn| insert.execute(conn))?;
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_generated_number() {
        let codes = ["MRN00000042", "MRN00000007", "X1", "MRN"];
        assert_eq!(highest(codes.into_iter(), "MRN"), 42);
        assert_eq!(highest(["ACC0000000003"].into_iter(), "ACC"), 3);
        assert_eq!(highest(std::iter::empty(), "MRN"), 0);
    }
}
