//! Appointments as rows: what is read (with the patient, the doctor's name and the history), and
//! the checks a booking makes inside its transaction (the patient, the doctor, the doctor's time).

use std::collections::HashMap;

use diesel::prelude::*;
use domain::Cause;
use domain::clinic::appointment::{first_overlap, format_time, parse_time};
use domain::clinic::{
    Appointment, AppointmentId, AppointmentRecord, AppointmentStatus, Booking, BookingRefusal,
    HistoryEntry, PatientSummary, Slot,
};
use domain::kernel::ids::ActorId;

use super::{LOCK_PATIENT_SHARE, lock_on_postgres};
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::{appointment_history, appointments, patients, staff_accounts};
use crate::sql::{
    RowName, date_text, id_text, parse_date, parse_id, parse_stored, parse_timestamp,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = appointments)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct AppointmentRow {
    appointment_id: String,
    patient_id: String,
    doctor_id: String,
    date: String,
    time: String,
    duration_minutes: i32,
    department: Option<String>,
    notes: Option<String>,
    status: String,
    accession_number: String,
    version: i64,
    created_at: String,
    created_by: String,
    updated_at: String,
    updated_by: String,
}

impl AppointmentRow {
    pub(super) fn id(&self) -> &str {
        &self.appointment_id
    }
}

/// A stored `HH:MM`.
fn stored_time(owner: &dyn std::fmt::Display, raw: &str) -> domain::Result<time::Time> {
    parse_time("time", raw).map_err(|_| {
        domain::Error::Internal(Cause::new(format!(
            "stored time of {owner} {raw:?} is not HH:MM"
        )))
    })
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = domain::Error;

    fn try_from(row: AppointmentRow) -> domain::Result<Self> {
        let owner = RowName("appointment", &row.appointment_id);
        Ok(Appointment {
            id: parse_id(&row.appointment_id)?,
            patient_id: parse_id(&row.patient_id)?,
            doctor_id: parse_id(&row.doctor_id)?,
            slot: Slot {
                date: parse_date(&format!("date of {owner}"), &row.date)?,
                time: stored_time(&owner, &row.time)?,
                duration_minutes: i64::from(row.duration_minutes),
            },
            department: row.department,
            notes: row.notes,
            status: parse_stored("status", &owner, &row.status)?,
            accession_number: row.accession_number,
            version: row.version,
            created_at: parse_timestamp(&row.created_at)?,
            created_by: ActorId::from_stored(row.created_by),
            updated_at: parse_timestamp(&row.updated_at)?,
            updated_by: ActorId::from_stored(row.updated_by),
        })
    }
}

/// What a read joins to an appointment: its patient's MRN and names, its doctor's name.
pub(super) type Joined = (
    AppointmentRow,
    (String, String, Option<String>),
    Option<String>,
);

#[derive(Debug, Queryable)]
pub(super) struct HistoryRow {
    appointment_id: String,
    seq: i32,
    from_status: Option<String>,
    to_status: String,
    changed_by: String,
    changed_at: String,
}

/// The history rows of `ids`, by appointment, oldest first.
pub(super) fn histories(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<Vec<HistoryRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(appointment_history::table
        .filter(appointment_history::appointment_id.eq_any(ids))
        .order((
            appointment_history::appointment_id,
            appointment_history::seq,
        ))
        .select((
            appointment_history::appointment_id,
            appointment_history::seq,
            appointment_history::from_status,
            appointment_history::to_status,
            appointment_history::changed_by,
            appointment_history::changed_at,
        ))
        .load(conn)?)
}

fn history_entry(row: HistoryRow) -> domain::Result<(String, HistoryEntry)> {
    let owner = RowName("appointment_history", &row.appointment_id);
    let entry = HistoryEntry {
        seq: row.seq,
        from: row
            .from_status
            .as_deref()
            .map(|raw| parse_stored("from_status", &owner, raw))
            .transpose()?,
        to: parse_stored("to_status", &owner, &row.to_status)?,
        by: row.changed_by,
        at: parse_timestamp(&row.changed_at)?,
    };
    Ok((row.appointment_id, entry))
}

/// Records from joined rows and their history rows, in the rows' order.
pub(super) fn records(
    rows: Vec<Joined>,
    history: Vec<HistoryRow>,
) -> domain::Result<Vec<AppointmentRecord>> {
    let mut by_id: HashMap<String, Vec<HistoryEntry>> = HashMap::new();
    for row in history {
        let (id, entry) = history_entry(row)?;
        by_id.entry(id).or_default().push(entry);
    }
    rows.into_iter()
        .map(|(row, (mrn, name, name_ar), doctor_name)| {
            let history = by_id.remove(&row.appointment_id).unwrap_or_default();
            let appointment = Appointment::try_from(row)?;
            Ok(AppointmentRecord {
                patient: PatientSummary {
                    id: appointment.patient_id,
                    mrn,
                    name,
                    name_ar,
                },
                appointment,
                doctor_name,
                history,
            })
        })
        .collect()
}

/// The select of a joined read.
macro_rules! joined_select {
    () => {
        (
            AppointmentRow::as_select(),
            (
                crate::schema::patients::mrn,
                crate::schema::patients::name,
                crate::schema::patients::name_ar,
            ),
            crate::schema::staff_accounts::name.nullable(),
        )
    };
}
pub(super) use joined_select;

/// Reads one appointment with what its answer shows.
pub(super) fn find_record(
    conn: &mut DbConnection,
    id: &str,
) -> domain::Result<Option<AppointmentRecord>> {
    let row: Option<Joined> = appointments::table
        .inner_join(patients::table)
        .left_join(staff_accounts::table)
        .filter(appointments::appointment_id.eq(id))
        .select(joined_select!())
        .get_result(conn)
        .optional()
        .map_err(StoreError::from)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let history = histories(conn, &[id.to_owned()])?;
    Ok(records(vec![row], history)?.pop())
}

/// Checks, inside the booking's transaction, that `booking` may be written: the patient exists and
/// is not soft-deleted (for a new appointment, `except` unset), the doctor is an active staff account holding `doctor`, and none of the
/// doctor's appointments that day (but `except`) that hold their time overlaps it. The caller
/// locked the doctor's row on PostgreSQL.
pub(super) fn refusal(
    conn: &mut DbConnection,
    booking: &Booking,
    except: Option<AppointmentId>,
) -> Result<Option<BookingRefusal>, super::TxError> {
    // An edit keeps its patient, whatever became of the patient since.
    if except.is_none() {
        let patient = id_text(booking.patient_id);
        // Keeps the patient from a concurrent hard delete until this transaction ends.
        lock_on_postgres(conn, LOCK_PATIENT_SHARE, &patient)?;
        let live: i64 = patients::table
            .filter(patients::patient_id.eq(&patient))
            .filter(patients::deleted_at.is_null())
            .count()
            .get_result(conn)?;
        if live == 0 {
            return Ok(Some(BookingRefusal::PatientMissing));
        }
    }
    let doctor = id_text(booking.doctor_id);
    let account: Option<(String, bool)> = staff_accounts::table
        .filter(staff_accounts::staff_id.eq(&doctor))
        .select((staff_accounts::roles, staff_accounts::is_active))
        .get_result(conn)
        .optional()?;
    let is_doctor = account
        .is_some_and(|(roles, active)| active && roles.split(',').any(|r| r.trim() == "doctor"));
    if !is_doctor {
        return Ok(Some(BookingRefusal::DoctorInvalid));
    }
    // `appointments_doctor` (doctor_id, date, time): one doctor's day.
    let mut same_day = appointments::table
        .filter(appointments::doctor_id.eq(&doctor))
        .filter(appointments::date.eq(date_text(booking.slot.date)))
        .filter(appointments::status.eq_any(AppointmentStatus::holding_time()))
        .into_boxed();
    if let Some(except) = except {
        same_day = same_day.filter(appointments::appointment_id.ne(id_text(except)));
    }
    let rows: Vec<(String, String, i32, String)> = same_day
        .order(appointments::time)
        .select((
            appointments::appointment_id,
            appointments::time,
            appointments::duration_minutes,
            appointments::status,
        ))
        .load(conn)?;
    let mut others = Vec::with_capacity(rows.len());
    for (id, time, minutes, status) in rows {
        let owner = RowName("appointment", &id);
        others.push((
            parse_id(&id)?,
            Slot {
                date: booking.slot.date,
                time: stored_time(&owner, &time)?,
                duration_minutes: i64::from(minutes),
            },
            parse_stored::<AppointmentStatus>("status", &owner, &status)?,
        ));
    }
    Ok(first_overlap(&booking.slot, &others))
}

/// The columns a booking or an edit writes.
pub(super) fn slot_values(booking: &Booking) -> (String, String, i32) {
    (
        date_text(booking.slot.date),
        format_time(booking.slot.time),
        i32::try_from(booking.slot.duration_minutes).unwrap_or(i32::MAX),
    )
}
