//! An in-memory outbox honouring the `OutboxRepository` contract, leases included.

use std::sync::Mutex;

use domain::kernel::ids::{CaseId, NotificationId};
use domain::kernel::text::Key;
use domain::notifications::{DeliveryStatus, Notification, OutboxMessage, OutboxRepository};
use domain::{Error, Result};
use time::OffsetDateTime;

#[derive(Debug)]
struct Row {
    message: OutboxMessage,
    leased_until: Option<OffsetDateTime>,
}

#[derive(Debug, Default)]
pub struct MemoryOutbox {
    rows: Mutex<Vec<Row>>,
}

impl MemoryOutbox {
    /// Writes a notification, due at once.
    pub fn insert(&self, notification: Notification, now: OffsetDateTime) {
        self.rows.lock().unwrap().push(Row {
            message: OutboxMessage {
                notification,
                status: DeliveryStatus::Pending,
                attempts: 0,
                delivered_channels: Vec::new(),
                last_error: None,
                next_attempt_at: now,
                delivered_date: None,
            },
            leased_until: None,
        });
    }

    pub fn get(&self, id: NotificationId) -> OutboxMessage {
        self.rows
            .lock()
            .unwrap()
            .iter()
            .find(|r| r.message.notification.id == id)
            .map(|r| r.message.clone())
            .unwrap()
    }

    pub fn is_leased(&self, id: NotificationId) -> bool {
        self.rows
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.message.notification.id == id && r.leased_until.is_some())
    }

    fn update(&self, id: NotificationId, change: impl FnOnce(&mut OutboxMessage)) -> Result<()> {
        let mut rows = self.rows.lock().unwrap();
        let row = rows
            .iter_mut()
            .find(|r| r.message.notification.id == id)
            .ok_or_else(|| Error::not_found(Key::NotificationNotFound))?;
        change(&mut row.message);
        row.leased_until = None;
        Ok(())
    }
}

impl OutboxRepository for MemoryOutbox {
    fn claim_due(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let mut rows = self.rows.lock().unwrap();
        let mut due: Vec<&mut Row> = rows
            .iter_mut()
            .filter(|r| {
                r.message.status == DeliveryStatus::Pending
                    && r.message.next_attempt_at <= now
                    && r.leased_until.is_none_or(|until| until <= now)
            })
            .collect();
        due.sort_by_key(|r| r.message.next_attempt_at);
        Ok(due
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|row| {
                row.leased_until = Some(lease_until);
                row.message.clone()
            })
            .collect())
    }

    fn mark_delivered(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        at: OffsetDateTime,
    ) -> Result<()> {
        self.update(id, |m| {
            m.status = DeliveryStatus::Delivered;
            m.attempts = attempts;
            m.delivered_channels = delivered_channels.to_vec();
            m.delivered_date = Some(at);
        })
    }

    fn schedule_retry(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        next_attempt_at: OffsetDateTime,
        error: &str,
    ) -> Result<()> {
        self.update(id, |m| {
            m.status = DeliveryStatus::Pending;
            m.attempts = attempts;
            m.delivered_channels = delivered_channels.to_vec();
            m.next_attempt_at = next_attempt_at;
            m.last_error = Some(error.to_owned());
        })
    }

    fn mark_failed(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        error: &str,
        _at: OffsetDateTime,
    ) -> Result<()> {
        self.update(id, |m| {
            m.status = DeliveryStatus::Failed;
            m.attempts = attempts;
            m.delivered_channels = delivered_channels.to_vec();
            m.last_error = Some(error.to_owned());
        })
    }

    fn list(
        &self,
        status: Option<DeliveryStatus>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let rows = self.rows.lock().unwrap();
        let mut found: Vec<OutboxMessage> = rows
            .iter()
            .filter(|r| status.is_none_or(|s| r.message.status == s))
            .map(|r| r.message.clone())
            .collect();
        found.sort_by_key(|m| std::cmp::Reverse(m.notification.created_date));
        Ok(found
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(0))
            .take(usize::try_from(limit).unwrap_or(0))
            .collect())
    }

    fn count(&self, status: Option<DeliveryStatus>) -> Result<u64> {
        let rows = self.rows.lock().unwrap();
        Ok(rows
            .iter()
            .filter(|r| status.is_none_or(|s| r.message.status == s))
            .count() as u64)
    }

    fn for_case(&self, case_id: CaseId) -> Result<Vec<OutboxMessage>> {
        let rows = self.rows.lock().unwrap();
        Ok(rows
            .iter()
            .filter(|r| r.message.notification.case_id == Some(case_id))
            .map(|r| r.message.clone())
            .collect())
    }

    fn requeue(&self, id: NotificationId, now: OffsetDateTime) -> Result<()> {
        let mut rows = self.rows.lock().unwrap();
        let row = rows
            .iter_mut()
            .find(|r| r.message.notification.id == id && r.message.status == DeliveryStatus::Failed)
            .ok_or_else(|| Error::not_found(Key::NotificationNotFailed))?;
        row.message.status = DeliveryStatus::Pending;
        row.message.attempts = 0;
        row.message.next_attempt_at = now;
        row.leased_until = None;
        Ok(())
    }
}
