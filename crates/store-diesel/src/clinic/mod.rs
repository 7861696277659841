//! The clinic's storage: staff accounts, patients, appointments, reports, the imaging index and
//! worklist, and what every write of theirs shares: the audit entry and the event it records in
//! its own transaction.

mod appointment_rows;
mod appointments;
mod audit;
mod imaging;
mod imaging_rows;
mod load;
mod patients;
mod qido;
mod reports;
mod staff;
mod worklist;

use diesel::prelude::*;
use domain::clinic::{ClinicEvent, ClinicEventSink};

use crate::connection::{DbConnection, Store};
use crate::error::StoreError;
use crate::events::{Event, publish};

pub(crate) use audit::insert_audit;

/// Publishes `event` in the caller's transaction: staff connected to any instance hear of it once
/// the transaction commits, and never if it rolls back.
pub(crate) fn publish_clinic(
    conn: &mut DbConnection,
    event: &ClinicEvent,
) -> Result<(), StoreError> {
    // Serializing a struct of strings and a JSON value cannot fail; an empty object is still an
    // event the listener can skip.
    let json = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    publish(conn, &Event::Clinic(json))
}

/// Bumps the counter `name` and returns its new value, inside the caller's transaction (which holds
/// the write lock on SQLite and the row's lock on PostgreSQL until it ends).
pub(crate) fn next_counter(conn: &mut DbConnection, name: &str) -> Result<i64, StoreError> {
    use crate::schema::clinic_counters::dsl as c;
    let value: i64 = diesel::update(c::clinic_counters.filter(c::name.eq(name)))
        .set(c::value.eq(c::value + 1))
        .returning(c::value)
        .get_result(conn)?;
    Ok(value)
}

/// Raises the counter `name` to `at_least` unless it is past it already, inside the caller's
/// transaction: after rows were loaded with numbers of their own, the next number given is past
/// theirs.
pub(crate) fn raise_counter(
    conn: &mut DbConnection,
    name: &str,
    at_least: i64,
) -> Result<(), StoreError> {
    use crate::schema::clinic_counters::dsl as c;
    diesel::update(
        c::clinic_counters
            .filter(c::name.eq(name))
            .filter(c::value.lt(at_least)),
    )
    .set(c::value.eq(at_least))
    .execute(conn)?;
    Ok(())
}

/// Locks a patient's row until the transaction ends, so that a hard delete and a booking for the
/// same patient cannot interleave.
pub(crate) const LOCK_PATIENT: &str = "SELECT 1 FROM patients WHERE patient_id = $1 FOR UPDATE";
/// Takes a key-share lock on a patient's row: a booking holds it until it ends, so that a hard
/// delete of the patient waits for the booking (and then counts its appointment), or the booking
/// waits for the delete (and then finds no patient).
pub(crate) const LOCK_PATIENT_SHARE: &str =
    "SELECT 1 FROM patients WHERE patient_id = $1 FOR KEY SHARE";
/// Locks a staff account's row until the transaction ends: bookings of one doctor queue behind
/// each other, so that two cannot both find the doctor free.
pub(crate) const LOCK_STAFF: &str = "SELECT 1 FROM staff_accounts WHERE staff_id = $1 FOR UPDATE";

/// Runs `lock` (one of the `LOCK_*` statements) for `id` on PostgreSQL, inside the caller's
/// transaction. SQLite needs none: its write transaction already excludes every other writer.
pub(crate) fn lock_on_postgres(
    conn: &mut DbConnection,
    lock: &str,
    id: &str,
) -> Result<(), StoreError> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query(lock)
            .bind::<diesel::sql_types::Text, _>(id)
            .execute(pg)?;
    }
    Ok(())
}

/// Why a clinic transaction gave up, so that it rolls back: the database failed, a value did not
/// convert, or a booking was refused.
#[derive(Debug)]
pub(crate) enum TxError {
    Store(StoreError),
    Domain(domain::Error),
    Refused(Vec<(usize, domain::clinic::BookingRefusal)>),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        TxError::Store(e.into())
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError::Store(e)
    }
}

impl From<domain::Error> for TxError {
    fn from(e: domain::Error) -> Self {
        TxError::Domain(e)
    }
}

impl Store {
    /// Hands every clinic event this instance hears of (its own and other instances') to `sink`,
    /// once [`Store::listen`] runs.
    pub fn deliver_clinic_events(&self, sink: std::sync::Arc<dyn ClinicEventSink>) {
        self.caches.clinic_events.set(sink);
    }
}
