//! Changes every server instance must hear of, and the listener that keeps an instance's memory
//! (see `cache.rs`) fresh.
//!
//! A change (a token revoked, the catalogue changed) writes an event row in its own transaction;
//! on PostgreSQL the same transaction sends `NOTIFY medcare_events`, delivered to every listening
//! instance when it commits. The [`Listener`] of an instance applies events to its memory:
//! - PostgreSQL: a dedicated connection `LISTEN`s and drains notifications every 50 ms;
//! - SQLite: reads the event rows after the last it saw every 200 ms (other processes on the same
//!   file, such as `server seed-demo`, are heard this way too).
//!
//! Memory answers only while the listener is up to date; after any failure it reloads everything
//! before answering again, so a missed event cannot leave a revoked token valid.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::kernel::ids::TokenId;

use crate::connection::{Backend, DbConnection, Store, on_backend};
use crate::error::StoreError;
use crate::schema::{revoked_tokens, store_events};
use crate::sql::{parse_id, timestamp};

/// The PostgreSQL notification channel.
const CHANNEL: &str = "medcare_events";
/// How often a PostgreSQL listener drains its notifications.
const PG_DRAIN: Duration = Duration::from_millis(50);
/// How often an SQLite listener reads new event rows.
const SQLITE_POLL: Duration = Duration::from_millis(200);
/// How often a PostgreSQL listener proves its connection alive.
const PG_PING: Duration = Duration::from_secs(5);
/// How long to wait before reconnecting after a failure.
const RETRY: Duration = Duration::from_secs(1);

/// One change other instances must hear of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// A token was revoked; it may be forgotten after `expires_at` (Unix seconds).
    Revoked { jti: TokenId, expires_at: i64 },
    /// A review type or disease category changed.
    Catalogue,
    /// Something happened in the clinic that connected staff should see (JSON of the event).
    Clinic(String),
}

impl Event {
    fn payload(&self) -> String {
        match self {
            Event::Revoked { jti, expires_at } => format!("revoked {jti} {expires_at}"),
            Event::Catalogue => "catalogue".to_owned(),
            Event::Clinic(json) => format!("clinic {json}"),
        }
    }

    fn parse(payload: &str) -> Option<Event> {
        if let Some(json) = payload.strip_prefix("clinic ") {
            return Some(Event::Clinic(json.to_owned()));
        }
        let mut words = payload.split(' ');
        match words.next()? {
            "revoked" => Some(Event::Revoked {
                jti: parse_id(words.next()?).ok()?,
                expires_at: words.next()?.parse().ok()?,
            }),
            "catalogue" => Some(Event::Catalogue),
            _ => None,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = store_events)]
struct EventValues {
    payload: String,
    created_date: String,
}

/// Records `event` in the caller's transaction on `conn`, and on PostgreSQL announces it at commit.
pub(crate) fn publish(conn: &mut DbConnection, event: &Event) -> Result<(), StoreError> {
    let payload = event.payload();
    diesel::insert_into(store_events::table)
        .values(EventValues {
            payload: payload.clone(),
            created_date: timestamp(time::OffsetDateTime::now_utc()),
        })
        .execute(conn)?;
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(CHANNEL)
            .bind::<Text, _>(payload)
            .execute(pg)?;
    }
    Ok(())
}

impl Store {
    fn apply(&self, event: &Event) {
        match event {
            Event::Revoked { jti, expires_at } => {
                self.caches.revocations.insert(*jti, *expires_at);
            }
            Event::Catalogue => self.caches.catalogue.invalidate(),
            Event::Clinic(json) => match serde_json::from_str(json) {
                Ok(event) => self.caches.clinic_events.deliver(&event),
                Err(e) => tracing::warn!(error = %e, "a clinic event could not be read"),
            },
        }
    }

    /// Loads every revocation still in force and forgets the cached catalogue; returns the last
    /// event's id, from which an SQLite listener goes on.
    pub(crate) fn reload(&self) -> Result<i64, StoreError> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (last, rows) = self.with_conn(|conn| {
            // The last event first: anything committed after it is read as an event.
            let last: Option<i64> = store_events::table
                .select(diesel::dsl::max(store_events::event_id))
                .get_result(conn)?;
            let rows: Vec<(String, i64)> = revoked_tokens::table
                .filter(revoked_tokens::expires_at.ge(now))
                .select((revoked_tokens::jti, revoked_tokens::expires_at))
                .load(conn)?;
            Ok((last.unwrap_or(0), rows))
        })?;
        let revoked: HashMap<TokenId, i64> = rows
            .into_iter()
            .filter_map(|(jti, expires)| parse_id(&jti).ok().map(|id| (id, expires)))
            .collect();
        self.caches.revocations.replace(revoked);
        self.caches.catalogue.invalidate();
        Ok(last)
    }

    /// Applies the event rows after `after`; returns the last id seen.
    fn read_events(&self, after: i64) -> Result<i64, StoreError> {
        let rows: Vec<(i64, String)> = self.with_conn(|conn| {
            Ok(store_events::table
                .filter(store_events::event_id.gt(after))
                .order(store_events::event_id)
                .select((store_events::event_id, store_events::payload))
                .load(conn)?)
        })?;
        let mut last = after;
        for (id, payload) in rows {
            if let Some(event) = Event::parse(&payload) {
                self.apply(&event);
            }
            last = id;
        }
        Ok(last)
    }

    /// Forgets events older than an hour: every listener has read them or reloads anyway.
    pub(crate) fn purge_events(&self, conn: &mut DbConnection) -> Result<usize, StoreError> {
        let cutoff = timestamp(time::OffsetDateTime::now_utc() - time::Duration::hours(1));
        let delete =
            diesel::delete(store_events::table.filter(store_events::created_date.lt(cutoff)));
        Ok(on_backend!(conn, |c| delete.execute(c))?)
    }

    /// Starts keeping this instance's memory fresh (revocations, the active catalogue) on a
    /// thread of its own. Until it is running, and whenever it has lost track, the database
    /// answers instead of memory. Stops when the returned [`Listener`] is dropped.
    pub fn listen(&self) -> Listener {
        let stop = Arc::new(AtomicBool::new(false));
        let store = self.clone();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || match store.backend() {
            Backend::Sqlite => store.poll_sqlite(&flag),
            Backend::Postgres => store.listen_postgres(&flag),
        });
        Listener {
            stop,
            thread: Some(thread),
        }
    }

    fn poll_sqlite(&self, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let mut last = match self.reload() {
                Ok(last) => last,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot load revocations; the database answers meanwhile");
                    sleep_unless(stop, RETRY);
                    continue;
                }
            };
            self.caches.set_fresh(true);
            while !stop.load(Ordering::SeqCst) {
                sleep_unless(stop, SQLITE_POLL);
                match self.read_events(last) {
                    Ok(seen) => last = seen,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read store events; reloading");
                        break;
                    }
                }
            }
            self.caches.set_fresh(false);
        }
    }

    fn listen_postgres(&self, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            match self.postgres_session(stop) {
                Ok(()) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the store's listener lost PostgreSQL; the database answers meanwhile");
                }
            }
            self.caches.set_fresh(false);
            sleep_unless(stop, RETRY);
        }
    }

    /// One connection's life: LISTEN, reload, then drain notifications until stopped or broken.
    fn postgres_session(&self, stop: &AtomicBool) -> Result<(), StoreError> {
        let mut conn = PgConnection::establish(self.target()).map_err(|e| {
            StoreError::Connect(format!("PostgreSQL: {}", e.to_string().trim_end()))
        })?;
        diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn)?;
        // Listening first: a change committed after the reload's reads arrives as a notification.
        self.reload()?;
        self.caches.set_fresh(true);
        tracing::info!("store listener connected; memory answers revocations and the catalogue");
        let mut pinged = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            sleep_unless(stop, PG_DRAIN);
            for notification in conn.notifications_iter() {
                let notification = notification?;
                if let Some(event) = Event::parse(&notification.payload) {
                    self.apply(&event);
                }
            }
            if pinged.elapsed() >= PG_PING {
                diesel::sql_query("SELECT 1").execute(&mut conn)?;
                pinged = Instant::now();
            }
        }
        Ok(())
    }
}

fn sleep_unless(stop: &AtomicBool, duration: Duration) {
    let step = Duration::from_millis(20).min(duration);
    let started = Instant::now();
    while started.elapsed() < duration && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(step);
    }
}

/// The running listener of one instance; dropping it stops the thread.
#[derive(Debug)]
pub struct Listener {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let jti = TokenId::from_uuid(uuid::Uuid::from_u128(42));
        for event in [
            Event::Revoked {
                jti,
                expires_at: 1_790_000_000,
            },
            Event::Catalogue,
        ] {
            assert_eq!(Event::parse(&event.payload()), Some(event));
        }
        assert_eq!(Event::parse("revoked nope 1"), None);
        assert_eq!(Event::parse(""), None);
    }
}
