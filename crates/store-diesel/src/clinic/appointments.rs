//! [`AppointmentRepository`]: appointments, their accession numbers (from the `accession` counter),
//! their history and the doctor's time. A booking checks the patient, the doctor and the doctor's
//! day inside its transaction, after locking the doctor's row on PostgreSQL; every later write is
//! conditional on the version it read.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::clinic::{
    Appointment, AppointmentEdit, AppointmentFilter, AppointmentId, AppointmentRecord,
    AppointmentRepository, AppointmentStatus, AuditEntry, Booked, ClinicEvent, Edited,
    NewAppointment, StatusChange,
};
use domain::kernel::code::Code;
use domain::kernel::paging::{Page, PageRequest};

use super::appointment_rows::{
    AppointmentRow, Joined, find_record, histories, joined_select, records, refusal, slot_values,
};
use super::{LOCK_STAFF, TxError, insert_audit, lock_on_postgres, next_counter, publish_clinic};
use crate::connection::{DbConnection, Store, write_transaction};
use crate::error::StoreError;
use crate::schema::{appointment_history, appointments, patients, staff_accounts};
use crate::sql::{count, date_text, id_text, timestamp};

#[derive(Debug, Insertable)]
#[diesel(table_name = appointments)]
pub(super) struct NewRow<'a> {
    pub(super) appointment_id: String,
    pub(super) patient_id: String,
    pub(super) doctor_id: String,
    pub(super) date: String,
    pub(super) time: String,
    pub(super) duration_minutes: i32,
    pub(super) department: Option<&'a str>,
    pub(super) notes: Option<&'a str>,
    pub(super) status: &'static str,
    pub(super) accession_number: String,
    pub(super) version: i64,
    pub(super) created_at: String,
    pub(super) created_by: &'a str,
    pub(super) updated_at: String,
    pub(super) updated_by: &'a str,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = appointment_history)]
pub(super) struct HistoryValues<'a> {
    pub(super) appointment_id: &'a str,
    pub(super) seq: i32,
    pub(super) from_status: Option<&'static str>,
    pub(super) to_status: &'static str,
    pub(super) changed_by: &'a str,
    pub(super) changed_at: String,
}

/// Books `item` (already checked) with the next accession number, its first history row and its
/// audit entry.
fn insert(
    conn: &mut DbConnection,
    item: &NewAppointment,
    audit: Option<&AuditEntry>,
) -> Result<String, TxError> {
    let id = id_text(item.id);
    let at = timestamp(item.at);
    let (date, time, duration_minutes) = slot_values(&item.booking);
    let scheduled = AppointmentStatus::Scheduled.as_str();
    diesel::insert_into(appointments::table)
        .values(NewRow {
            appointment_id: id.clone(),
            patient_id: id_text(item.booking.patient_id),
            doctor_id: id_text(item.booking.doctor_id),
            date,
            time,
            duration_minutes,
            department: item.booking.department.as_deref(),
            notes: item.booking.notes.as_deref(),
            status: scheduled,
            accession_number: Appointment::accession_for(next_counter(conn, "accession")?),
            version: 1,
            created_at: at.clone(),
            created_by: item.by.as_str(),
            updated_at: at.clone(),
            updated_by: item.by.as_str(),
        })
        .execute(conn)?;
    diesel::insert_into(appointment_history::table)
        .values(HistoryValues {
            appointment_id: &id,
            seq: 1,
            from_status: None,
            to_status: scheduled,
            changed_by: item.by.as_str(),
            changed_at: at,
        })
        .execute(conn)?;
    if let Some(audit) = audit {
        insert_audit(conn, audit)?;
    }
    Ok(id)
}

/// Applies every filter set to an appointment query (joined or not).
macro_rules! filtered {
    ($query:expr, $filter:expr) => {{
        let filter: &AppointmentFilter = $filter;
        let mut q = $query;
        if let Some(date) = filter.date {
            q = q.filter(appointments::date.eq(date_text(date)));
        }
        if let Some(patient) = filter.patient_id {
            q = q.filter(appointments::patient_id.eq(id_text(patient)));
        }
        if let Some(doctor) = filter.doctor_id {
            q = q.filter(appointments::doctor_id.eq(id_text(doctor)));
        }
        if let Some(status) = filter.status {
            q = q.filter(appointments::status.eq(status.as_str()));
        }
        q
    }};
}

fn tx_result<T>(
    outcome: Result<T, TxError>,
) -> domain::Result<Result<T, Vec<(usize, domain::clinic::BookingRefusal)>>> {
    match outcome {
        Ok(v) => Ok(Ok(v)),
        Err(TxError::Refused(r)) => Ok(Err(r)),
        Err(TxError::Store(e)) => Err(e.into()),
        Err(TxError::Domain(e)) => Err(e),
    }
}

impl AppointmentRepository for Store {
    fn create(&self, items: &[NewAppointment], audits: &[AuditEntry]) -> domain::Result<Booked> {
        let outcome = self.with_conn(|db| {
            Ok(write_transaction(db, |conn| {
                // Every doctor of the batch is locked up front, in one order, so that two batches
                // naming the same doctors cannot wait for each other.
                let mut doctors: Vec<String> =
                    items.iter().map(|i| id_text(i.booking.doctor_id)).collect();
                doctors.sort();
                doctors.dedup();
                for doctor in &doctors {
                    lock_on_postgres(conn, LOCK_STAFF, doctor)?;
                }
                let mut refused = Vec::new();
                let mut ids = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    // Items booked before this one are in the database already, so a batch that
                    // double-books within itself is refused like one that clashes with the day.
                    if let Some(r) = refusal(conn, &item.booking, None)? {
                        refused.push((i, r));
                        continue;
                    }
                    ids.push(insert(conn, item, audits.get(i))?);
                }
                if !refused.is_empty() {
                    return Err(TxError::Refused(refused));
                }
                let rows: Vec<AppointmentRow> = appointments::table
                    .filter(appointments::appointment_id.eq_any(&ids))
                    .select(AppointmentRow::as_select())
                    .load(conn)?;
                Ok(rows)
            }))
        })?;
        let rows = match tx_result(outcome)? {
            Ok(rows) => rows,
            Err(refused) => return Ok(Booked::Refused(refused)),
        };
        let mut by_id: HashMap<AppointmentId, Appointment> = HashMap::new();
        for row in rows {
            let a = Appointment::try_from(row)?;
            by_id.insert(a.id, a);
        }
        let booked = items
            .iter()
            .map(|i| {
                by_id.remove(&i.id).ok_or_else(|| {
                    domain::Error::internal("a booked appointment cannot be read back")
                })
            })
            .collect::<domain::Result<_>>()?;
        Ok(Booked::All(booked))
    }

    fn find(&self, id: AppointmentId) -> domain::Result<Option<AppointmentRecord>> {
        let mut conn = self.conn().map_err(domain::Error::from)?;
        find_record(&mut conn, &id_text(id))
    }

    fn list(
        &self,
        filter: &AppointmentFilter,
        page: PageRequest,
    ) -> domain::Result<Page<AppointmentRecord>> {
        // Each filter leads one of the indexes (date | patient_id | doctor_id | status, then date,
        // time, appointment_id), which also gives the order, so a page reads as many rows as it
        // shows.
        let (rows, history, total) = self.with_conn(|conn| {
            let query = filtered!(
                appointments::table
                    .inner_join(patients::table)
                    .left_join(staff_accounts::table)
                    .into_boxed(),
                filter
            );
            let query = if filter.descending {
                query.order((
                    appointments::date.desc(),
                    appointments::time.desc(),
                    appointments::appointment_id.desc(),
                ))
            } else {
                query.order((
                    appointments::date.asc(),
                    appointments::time.asc(),
                    appointments::appointment_id.asc(),
                ))
            };
            let rows: Vec<Joined> = query
                .limit(page.limit())
                .offset(page.offset())
                .select(joined_select!())
                .load(conn)?;
            let ids: Vec<String> = rows.iter().map(|(r, _, _)| r.id().to_owned()).collect();
            let history = histories(conn, &ids)?;
            let total: i64 = filtered!(appointments::table.into_boxed(), filter)
                .select(count_star())
                .get_result(conn)?;
            Ok((rows, history, total))
        })?;
        Ok(Page {
            items: records(rows, history)?,
            total: count(total),
            request: page,
        })
    }

    fn edit(&self, edit: &AppointmentEdit, audit: &AuditEntry) -> domain::Result<Edited> {
        let id = id_text(edit.id);
        let (date, time, duration_minutes) = slot_values(&edit.booking);
        let doctor = id_text(edit.booking.doctor_id);
        let at = timestamp(edit.at);
        let outcome = self.with_conn(|db| {
            Ok(write_transaction(db, |conn| {
                lock_on_postgres(conn, LOCK_STAFF, &doctor)?;
                if let Some(r) = refusal(conn, &edit.booking, Some(edit.id))? {
                    return Ok(Edited::Refused(r));
                }
                let updated = diesel::update(
                    appointments::table
                        .filter(appointments::appointment_id.eq(&id))
                        .filter(appointments::version.eq(edit.version)),
                )
                .set((
                    appointments::doctor_id.eq(&doctor),
                    appointments::date.eq(&date),
                    appointments::time.eq(&time),
                    appointments::duration_minutes.eq(duration_minutes),
                    appointments::department.eq(edit.booking.department.as_deref()),
                    appointments::notes.eq(edit.booking.notes.as_deref()),
                    appointments::version.eq(appointments::version + 1),
                    appointments::updated_at.eq(&at),
                    appointments::updated_by.eq(edit.by.as_str()),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Ok(Edited::Stale);
                }
                insert_audit(conn, audit)?;
                Ok::<_, TxError>(Edited::Saved)
            }))
        })?;
        match tx_result(outcome)? {
            Ok(edited) => Ok(edited),
            Err(_) => Err(domain::Error::internal("an edit reported a batch refusal")),
        }
    }

    fn change_status(
        &self,
        change: &StatusChange,
        audit: &AuditEntry,
        event: &ClinicEvent,
    ) -> domain::Result<bool> {
        let id = id_text(change.id);
        let at = timestamp(change.at);
        let wrote = self.with_conn(|db| {
            write_transaction(db, |conn| {
                // The version read is the claim: a concurrent change moved it, and this one
                // writes nothing.
                let updated = diesel::update(
                    appointments::table
                        .filter(appointments::appointment_id.eq(&id))
                        .filter(appointments::version.eq(change.version)),
                )
                .set((
                    appointments::status.eq(change.to.as_str()),
                    appointments::version.eq(appointments::version + 1),
                    appointments::updated_at.eq(&at),
                    appointments::updated_by.eq(&change.by),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Ok::<_, StoreError>(false);
                }
                let last: Option<i32> = appointment_history::table
                    .filter(appointment_history::appointment_id.eq(&id))
                    .select(diesel::dsl::max(appointment_history::seq))
                    .get_result(conn)?;
                diesel::insert_into(appointment_history::table)
                    .values(HistoryValues {
                        appointment_id: &id,
                        seq: last.unwrap_or(0) + 1,
                        from_status: Some(change.from.as_str()),
                        to_status: change.to.as_str(),
                        changed_by: &change.by,
                        changed_at: at.clone(),
                    })
                    .execute(conn)?;
                insert_audit(conn, audit)?;
                publish_clinic(conn, event)?;
                Ok(true)
            })
        })?;
        Ok(wrote)
    }
}
