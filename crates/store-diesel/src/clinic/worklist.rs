//! [`WorklistRepository`]: the modality worklist as published, one entry per appointment (or per
//! patient, published without one), replaced in place by a re-publication.

use diesel::prelude::*;
use diesel::upsert::excluded;
use domain::clinic::imaging::{Uid, WORKLIST_CLOSED, WorklistEntry, WorklistRepository};
use domain::clinic::{Appointment, AppointmentId, AuditEntry};
use domain::kernel::code::Code;
use domain::kernel::ids::ActorId;
use time::{Date, Time};

use super::{insert_audit, next_counter};
use crate::connection::{DbConnection, Store, on_backend, write_transaction};
use crate::error::StoreError;
use crate::schema::{appointments, dicom_worklist};
use crate::sql::{RowName, date_text, id_text, parse_date, parse_id, parse_timestamp, timestamp};

/// A step's start time as stored: `HH:MM:SS` (a worklist keeps seconds, appointments do not).
const TIME_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[hour]:[minute]:[second]");

fn time_text(t: Time) -> String {
    t.format(TIME_FORMAT)
        .unwrap_or_else(|_| format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()))
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = dicom_worklist)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct WorklistRow {
    worklist_id: String,
    appointment_id: Option<String>,
    patient_id: String,
    patient_name: String,
    patient_mrn: String,
    patient_birth_date: Option<String>,
    patient_sex: Option<String>,
    accession_number: String,
    requested_procedure_id: String,
    requested_procedure_description: Option<String>,
    study_instance_uid: String,
    scheduled_step_id: String,
    modality: String,
    station_ae_title: Option<String>,
    start_date: String,
    start_time: String,
    step_description: Option<String>,
    performing_physician: Option<String>,
    created_at: String,
    created_by: String,
}

impl From<&WorklistEntry> for WorklistRow {
    fn from(e: &WorklistEntry) -> Self {
        WorklistRow {
            worklist_id: id_text(e.id),
            appointment_id: e.appointment_id.map(id_text),
            patient_id: id_text(e.patient_id),
            patient_name: e.patient_name.clone(),
            patient_mrn: e.patient_mrn.clone(),
            patient_birth_date: e.patient_birth_date.map(date_text),
            patient_sex: e.patient_sex.clone(),
            accession_number: e.accession_number.clone(),
            requested_procedure_id: e.requested_procedure_id.clone(),
            requested_procedure_description: e.requested_procedure_description.clone(),
            study_instance_uid: e.study_instance_uid.as_str().to_owned(),
            scheduled_step_id: e.scheduled_step_id.clone(),
            modality: e.modality.clone(),
            station_ae_title: e.station_ae_title.clone(),
            start_date: date_text(e.start_date),
            start_time: time_text(e.start_time),
            step_description: e.step_description.clone(),
            performing_physician: e.performing_physician.clone(),
            created_at: timestamp(e.created_at),
            created_by: e.created_by.as_str().to_owned(),
        }
    }
}

impl TryFrom<WorklistRow> for WorklistEntry {
    type Error = domain::Error;

    fn try_from(row: WorklistRow) -> domain::Result<Self> {
        let owner = RowName("worklist entry", &row.worklist_id);
        let start_time = Time::parse(&row.start_time, TIME_FORMAT).map_err(|_| {
            domain::Error::internal(format!(
                "stored start_time of {owner} {:?} is not HH:MM:SS",
                row.start_time
            ))
        })?;
        Ok(WorklistEntry {
            id: parse_id(&row.worklist_id)?,
            appointment_id: row.appointment_id.as_deref().map(parse_id).transpose()?,
            patient_id: parse_id(&row.patient_id)?,
            patient_name: row.patient_name,
            patient_mrn: row.patient_mrn,
            patient_birth_date: row
                .patient_birth_date
                .as_deref()
                .map(|raw| parse_date(&format!("patient_birth_date of {owner}"), raw))
                .transpose()?,
            patient_sex: row.patient_sex,
            accession_number: row.accession_number,
            requested_procedure_id: row.requested_procedure_id,
            requested_procedure_description: row.requested_procedure_description,
            study_instance_uid: Uid::from_stored(row.study_instance_uid),
            scheduled_step_id: row.scheduled_step_id,
            modality: row.modality,
            station_ae_title: row.station_ae_title,
            start_date: parse_date(&format!("start_date of {owner}"), &row.start_date)?,
            start_time,
            step_description: row.step_description,
            performing_physician: row.performing_physician,
            created_at: parse_timestamp(&row.created_at)?,
            created_by: ActorId::from_stored(row.created_by),
        })
    }
}

/// What a re-publication replaces: everything but the id, the Study Instance UID and the step id
/// (which a modality may already hold), and when and by whom the entry was first published.
macro_rules! replaced {
    () => {
        (
            dicom_worklist::patient_id.eq(excluded(dicom_worklist::patient_id)),
            dicom_worklist::patient_name.eq(excluded(dicom_worklist::patient_name)),
            dicom_worklist::patient_mrn.eq(excluded(dicom_worklist::patient_mrn)),
            dicom_worklist::patient_birth_date.eq(excluded(dicom_worklist::patient_birth_date)),
            dicom_worklist::patient_sex.eq(excluded(dicom_worklist::patient_sex)),
            dicom_worklist::accession_number.eq(excluded(dicom_worklist::accession_number)),
            dicom_worklist::requested_procedure_id
                .eq(excluded(dicom_worklist::requested_procedure_id)),
            dicom_worklist::requested_procedure_description
                .eq(excluded(dicom_worklist::requested_procedure_description)),
            dicom_worklist::modality.eq(excluded(dicom_worklist::modality)),
            dicom_worklist::station_ae_title.eq(excluded(dicom_worklist::station_ae_title)),
            dicom_worklist::start_date.eq(excluded(dicom_worklist::start_date)),
            dicom_worklist::start_time.eq(excluded(dicom_worklist::start_time)),
            dicom_worklist::step_description.eq(excluded(dicom_worklist::step_description)),
            dicom_worklist::performing_physician.eq(excluded(dicom_worklist::performing_physician)),
        )
    };
}

/// Inserts `row`, or replaces the entry published for the same appointment (or, for an entry
/// without one, with the same id), in one statement: two publications racing cannot both insert.
fn upsert(conn: &mut DbConnection, row: &WorklistRow) -> Result<(), StoreError> {
    if row.appointment_id.is_some() {
        let upsert = diesel::insert_into(dicom_worklist::table)
            .values(row)
            .on_conflict(dicom_worklist::appointment_id)
            .do_update()
            .set(replaced!());
        on_backend!(conn, |c| upsert.execute(c))?;
    } else {
        let upsert = diesel::insert_into(dicom_worklist::table)
            .values(row)
            .on_conflict(dicom_worklist::worklist_id)
            .do_update()
            .set(replaced!());
        on_backend!(conn, |c| upsert.execute(c))?;
    }
    Ok(())
}

fn entries(rows: Vec<WorklistRow>) -> domain::Result<Vec<WorklistEntry>> {
    rows.into_iter().map(WorklistEntry::try_from).collect()
}

impl WorklistRepository for Store {
    fn publish(&self, entry: &WorklistEntry, audit: &AuditEntry) -> domain::Result<WorklistEntry> {
        let row = WorklistRow::from(entry);
        let stored = self.with_conn(|db| {
            write_transaction(db, |conn| {
                upsert(conn, &row)?;
                insert_audit(conn, audit)?;
                let query = dicom_worklist::table.select(WorklistRow::as_select());
                let stored = match &row.appointment_id {
                    Some(appointment) => query
                        .filter(dicom_worklist::appointment_id.eq(appointment))
                        .get_result(conn)?,
                    None => query
                        .filter(dicom_worklist::worklist_id.eq(&row.worklist_id))
                        .get_result(conn)?,
                };
                Ok::<_, StoreError>(stored)
            })
        })?;
        WorklistEntry::try_from(stored)
    }

    fn for_appointment(&self, id: AppointmentId) -> domain::Result<Option<WorklistEntry>> {
        let row = self.with_conn(|conn| {
            Ok(dicom_worklist::table
                .filter(dicom_worklist::appointment_id.eq(id_text(id)))
                .select(WorklistRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(WorklistEntry::try_from).transpose()
    }

    fn active(&self, today: Date) -> domain::Result<Vec<WorklistEntry>> {
        let done: Vec<&'static str> = WORKLIST_CLOSED.iter().map(|s| s.as_str()).collect();
        let rows = self.with_conn(|conn| {
            Ok(dicom_worklist::table
                .left_join(appointments::table)
                .filter(
                    appointments::status
                        .nullable()
                        .ne_all(done)
                        .or(dicom_worklist::appointment_id
                            .is_null()
                            .and(dicom_worklist::start_date.ge(date_text(today)))),
                )
                .order((
                    dicom_worklist::start_date,
                    dicom_worklist::start_time,
                    dicom_worklist::worklist_id,
                ))
                .select(WorklistRow::as_select())
                .load(conn)?)
        })?;
        entries(rows)
    }

    fn next_accession(&self) -> domain::Result<String> {
        let n =
            self.with_conn(|db| write_transaction(db, |conn| next_counter(conn, "accession")))?;
        Ok(Appointment::accession_for(n))
    }
}
