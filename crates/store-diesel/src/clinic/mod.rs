//! The clinic's storage: staff accounts, patients, appointments, reports, and what every write of
//! theirs shares: the audit entry and the event it records in its own transaction.

mod audit;
mod staff;
// Clinic: reports, the audit log, events.
mod reports;

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
#[expect(
    dead_code,
    reason = "medical record and accession numbers land with patients and appointments"
)]
pub(crate) fn next_counter(conn: &mut DbConnection, name: &str) -> Result<i64, StoreError> {
    use crate::schema::clinic_counters::dsl as c;
    let value: i64 = diesel::update(c::clinic_counters.filter(c::name.eq(name)))
        .set(c::value.eq(c::value + 1))
        .returning(c::value)
        .get_result(conn)?;
    Ok(value)
}

impl Store {
    /// Hands every clinic event this instance hears of (its own and other instances') to `sink`,
    /// once [`Store::listen`] runs.
    pub fn deliver_clinic_events(&self, sink: std::sync::Arc<dyn ClinicEventSink>) {
        self.caches.clinic_events.set(sink);
    }
}
