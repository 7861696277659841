//! [`OutboxRepository`]: notifications waiting for delivery, leased by dispatchers while they deliver.
//!
//! Notifications enter the outbox through [`enqueue`], in the transaction of the change that causes
//! them (see `cases`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use domain::Cause;
use domain::kernel::code::Code;
use domain::kernel::ids::{ActorId, CaseId, NotificationId};
use domain::kernel::text::Key;
use domain::notifications::{
    DeliveryStatus, Notification, NotificationData, OutboxMessage, OutboxRepository,
};
use time::OffsetDateTime;

use crate::connection::{
    Backend, DbConnection, MultiBackend, Store, on_backend, write_transaction,
};
use crate::error::StoreError;
use crate::schema::notification_outbox;
use crate::sql::{
    RowName, count, id_text, parse_id, parse_json, parse_optional_timestamp, parse_stored,
    parse_timestamp, timestamp,
};

/// The dispatcher's claim on PostgreSQL. The subquery picks due messages oldest first and locks
/// them, skipping rows another dispatcher's claim has locked, so concurrent claims take disjoint
/// rows without waiting; a row whose lease another claim set meanwhile is re-checked against the
/// committed row and left out.
///
/// Raw SQL, and one of the two places (with migrations) where the backends differ: the
/// multi-backend connection cannot express `FOR UPDATE SKIP LOCKED`, nor `UPDATE … RETURNING` with
/// a row-locking subquery.
const CLAIM_POSTGRES: &str = "\
    UPDATE notification_outbox SET locked_until = $1 \
    WHERE notification_id IN ( \
        SELECT notification_id FROM notification_outbox \
        WHERE status = 'pending' AND next_attempt_at <= $2 \
          AND (locked_until IS NULL OR locked_until <= $2) \
        ORDER BY next_attempt_at, notification_id \
        LIMIT $3 \
        FOR UPDATE SKIP LOCKED) \
    RETURNING notification_id, kind, recipient_id, recipient_role, lang, case_id, data, status, \
              attempts, delivered_channels, last_error, next_attempt_at, created_date, delivered_date";

/// The same claim on SQLite, which has no row locks: one statement inside an immediate
/// transaction, and SQLite runs one writer at a time, so no other claim interleaves.
const CLAIM_SQLITE: &str = "\
    UPDATE notification_outbox SET locked_until = ?1 \
    WHERE notification_id IN ( \
        SELECT notification_id FROM notification_outbox \
        WHERE status = 'pending' AND next_attempt_at <= ?2 \
          AND (locked_until IS NULL OR locked_until <= ?2) \
        ORDER BY next_attempt_at, notification_id \
        LIMIT ?3) \
    RETURNING notification_id, kind, recipient_id, recipient_role, lang, case_id, data, status, \
              attempts, delivered_channels, last_error, next_attempt_at, created_date, delivered_date";

#[derive(Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = notification_outbox)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct OutboxRow {
    notification_id: String,
    kind: String,
    recipient_id: String,
    recipient_role: String,
    lang: String,
    case_id: Option<String>,
    data: String,
    status: String,
    attempts: i32,
    delivered_channels: String,
    last_error: Option<String>,
    next_attempt_at: String,
    created_date: String,
    delivered_date: Option<String>,
}

impl TryFrom<OutboxRow> for OutboxMessage {
    type Error = domain::Error;

    fn try_from(row: OutboxRow) -> domain::Result<Self> {
        let id = row.notification_id;
        let owner = RowName("notification", &id);
        let attempts = u32::try_from(row.attempts).map_err(|_| {
            domain::Error::Internal(Cause::new(format!(
                "stored attempts {} of {owner} is negative",
                row.attempts
            )))
        })?;
        let fields: serde_json::Value = parse_json(&format!("data of {owner}"), &row.data)?;
        let data = NotificationData::from_fields(&row.kind, fields).map_err(|e| {
            domain::Error::Internal(Cause::with_source(
                format!(
                    "stored data of {owner} does not fit its kind {:?}",
                    row.kind
                ),
                e,
            ))
        })?;
        Ok(OutboxMessage {
            notification: Notification {
                id: parse_id(&id)?,
                recipient_id: ActorId::from_stored(row.recipient_id),
                recipient_role: parse_stored("recipient_role", &owner, &row.recipient_role)?,
                lang: parse_stored("lang", &owner, &row.lang)?,
                case_id: row.case_id.as_deref().map(parse_id::<CaseId>).transpose()?,
                data,
                created_date: parse_timestamp(&row.created_date)?,
            },
            status: parse_stored::<DeliveryStatus>("status", &owner, &row.status)?,
            attempts,
            delivered_channels: parse_json(
                &format!("delivered_channels of {owner}"),
                &row.delivered_channels,
            )?,
            last_error: row.last_error,
            next_attempt_at: parse_timestamp(&row.next_attempt_at)?,
            delivered_date: parse_optional_timestamp(row.delivered_date.as_deref())?,
        })
    }
}

/// A new outbox message: pending, never attempted, due when the notification was written. Every
/// column is given (`NULL` rather than `DEFAULT` for `None`), so that SQLite takes several messages
/// in one statement.
#[derive(Debug, Insertable)]
#[diesel(table_name = notification_outbox, treat_none_as_default_value = false)]
pub(crate) struct OutboxValues<'a> {
    notification_id: String,
    kind: &'static str,
    recipient_id: &'a str,
    recipient_role: &'static str,
    lang: &'static str,
    case_id: Option<String>,
    data: String,
    status: &'static str,
    attempts: i32,
    delivered_channels: &'static str,
    last_error: Option<&'a str>,
    next_attempt_at: String,
    locked_until: Option<&'a str>,
    created_date: String,
    delivered_date: Option<&'a str>,
}

impl<'a> From<&'a Notification> for OutboxValues<'a> {
    fn from(n: &'a Notification) -> Self {
        let created = timestamp(n.created_date);
        OutboxValues {
            notification_id: id_text(n.id),
            kind: n.kind().as_str(),
            recipient_id: n.recipient_id.as_str(),
            recipient_role: n.recipient_role.as_str(),
            lang: n.lang.as_str(),
            case_id: n.case_id.map(id_text),
            // A JSON value's text form cannot fail.
            data: n.data.fields().to_string(),
            status: DeliveryStatus::Pending.as_str(),
            attempts: 0,
            delivered_channels: "[]",
            last_error: None,
            next_attempt_at: created.clone(),
            locked_until: None,
            created_date: created,
            delivered_date: None,
        }
    }
}

/// Writes notifications to the outbox on `conn`, inside the caller's transaction.
pub(crate) fn enqueue(
    conn: &mut DbConnection,
    messages: &[OutboxValues<'_>],
) -> Result<(), StoreError> {
    if !messages.is_empty() {
        let insert = diesel::insert_into(notification_outbox::table).values(messages);
        on_backend!(conn, |conn| insert.execute(conn))?;
    }
    Ok(())
}

/// The channels as stored: a JSON array of strings.
fn channels_json(channels: &[String]) -> String {
    serde_json::Value::from(channels.to_vec()).to_string()
}

/// Attempts as stored; no message is tried two billion times, but the column cannot overflow.
fn attempts_value(attempts: u32) -> i32 {
    i32::try_from(attempts).unwrap_or(i32::MAX)
}

/// The messages of `status`, or all, unordered and unpaged.
fn messages_with(
    status: Option<DeliveryStatus>,
) -> notification_outbox::BoxedQuery<'static, MultiBackend> {
    let mut query = notification_outbox::table.into_boxed();
    if let Some(status) = status {
        query = query.filter(notification_outbox::status.eq(status.as_str()));
    }
    query
}

impl Store {
    /// Runs an update of one outbox message; `NotFound` when no row matched.
    fn update_message(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<usize, StoreError>,
        not_found: Key,
    ) -> domain::Result<()> {
        if self.with_conn(work)? == 0 {
            return Err(domain::Error::not_found(not_found));
        }
        Ok(())
    }
}

impl OutboxRepository for Store {
    fn claim_due(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> domain::Result<Vec<OutboxMessage>> {
        // A negative LIMIT is "no limit" on SQLite and an error on PostgreSQL.
        if limit <= 0 {
            return Ok(Vec::new());
        }
        let sql = match self.backend() {
            Backend::Postgres => CLAIM_POSTGRES,
            Backend::Sqlite => CLAIM_SQLITE,
        };
        let claim = diesel::sql_query(sql)
            .bind::<Text, _>(timestamp(lease_until))
            .bind::<Text, _>(timestamp(now))
            .bind::<BigInt, _>(limit);
        let rows = self.with_conn(|db| {
            write_transaction(db, |db| {
                Ok(on_backend!(db, |conn| claim.load::<OutboxRow>(conn))?)
            })
        })?;
        let mut messages = rows
            .into_iter()
            .map(OutboxMessage::try_from)
            .collect::<domain::Result<Vec<_>>>()?;
        // `RETURNING` follows no particular order.
        messages.sort_by_key(|m| (m.next_attempt_at, m.notification.id));
        Ok(messages)
    }

    fn mark_delivered(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        at: OffsetDateTime,
    ) -> domain::Result<()> {
        let update = diesel::update(notification_outbox::table.find(id_text(id))).set((
            notification_outbox::status.eq(DeliveryStatus::Delivered.as_str()),
            notification_outbox::attempts.eq(attempts_value(attempts)),
            notification_outbox::delivered_channels.eq(channels_json(delivered_channels)),
            notification_outbox::delivered_date.eq(Some(timestamp(at))),
            notification_outbox::last_error.eq(None::<String>),
            notification_outbox::locked_until.eq(None::<String>),
        ));
        self.update_message(|conn| Ok(update.execute(conn)?), Key::NotificationNotFound)
    }

    fn schedule_retry(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        next_attempt_at: OffsetDateTime,
        error: &str,
    ) -> domain::Result<()> {
        let update = diesel::update(notification_outbox::table.find(id_text(id))).set((
            notification_outbox::status.eq(DeliveryStatus::Pending.as_str()),
            notification_outbox::attempts.eq(attempts_value(attempts)),
            notification_outbox::delivered_channels.eq(channels_json(delivered_channels)),
            notification_outbox::next_attempt_at.eq(timestamp(next_attempt_at)),
            notification_outbox::last_error.eq(Some(error)),
            notification_outbox::locked_until.eq(None::<String>),
        ));
        self.update_message(|conn| Ok(update.execute(conn)?), Key::NotificationNotFound)
    }

    fn mark_failed(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        error: &str,
        // The outbox keeps no failure date: the status and `last_error` say what happened.
        _at: OffsetDateTime,
    ) -> domain::Result<()> {
        let update = diesel::update(notification_outbox::table.find(id_text(id))).set((
            notification_outbox::status.eq(DeliveryStatus::Failed.as_str()),
            notification_outbox::attempts.eq(attempts_value(attempts)),
            notification_outbox::delivered_channels.eq(channels_json(delivered_channels)),
            notification_outbox::last_error.eq(Some(error)),
            notification_outbox::locked_until.eq(None::<String>),
        ));
        self.update_message(|conn| Ok(update.execute(conn)?), Key::NotificationNotFound)
    }

    fn list(
        &self,
        status: Option<DeliveryStatus>,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<OutboxMessage>> {
        let rows = self.with_conn(|conn| {
            Ok(messages_with(status)
                .order((
                    notification_outbox::created_date.desc(),
                    notification_outbox::notification_id.desc(),
                ))
                .limit(limit)
                .offset(offset)
                .select(OutboxRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(OutboxMessage::try_from).collect()
    }

    fn count(&self, status: Option<DeliveryStatus>) -> domain::Result<u64> {
        let n =
            self.with_conn(|conn| Ok(messages_with(status).count().get_result::<i64>(conn)?))?;
        Ok(count(n))
    }

    fn for_case(&self, case_id: CaseId) -> domain::Result<Vec<OutboxMessage>> {
        let rows = self.with_conn(|conn| {
            Ok(notification_outbox::table
                .filter(notification_outbox::case_id.eq(id_text(case_id)))
                .order((
                    notification_outbox::created_date,
                    notification_outbox::notification_id,
                ))
                .select(OutboxRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(OutboxMessage::try_from).collect()
    }

    fn requeue(&self, id: NotificationId, now: OffsetDateTime) -> domain::Result<()> {
        // Delivered channels and the last error stay: a retry skips the channels that took it.
        let update = diesel::update(
            notification_outbox::table
                .find(id_text(id))
                .filter(notification_outbox::status.eq(DeliveryStatus::Failed.as_str())),
        )
        .set((
            notification_outbox::status.eq(DeliveryStatus::Pending.as_str()),
            notification_outbox::attempts.eq(0),
            notification_outbox::next_attempt_at.eq(timestamp(now)),
            notification_outbox::locked_until.eq(None::<String>),
        ));
        self.update_message(|conn| Ok(update.execute(conn)?), Key::NotificationNotFailed)
    }
}
