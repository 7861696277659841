use time::OffsetDateTime;

use super::{Contact, DeliveryStatus, Notification, OutboxMessage, Rendered};
use crate::Result;
use crate::kernel::ids::{ActorId, CaseId, NotificationId};

/// Why a channel could not deliver. Every variant is retried; the text is kept on the message for
/// administrators.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The receiver could not be reached or answered with a failure.
    #[error("{0}")]
    Failed(String),
}

/// One way of delivering notifications: a signed webhook, email, SMS, the log.
///
/// Contract: `deliver` MUST return `Ok` only once the receiver accepted the message (a 2xx answer,
/// an SMTP `250`), and MUST be safe to call again for the same message after an error (receivers
/// de-duplicate by [`Notification::id`]). A channel that has nothing to do for a recipient (no email
/// address) returns `Ok`.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Channel: Send + Sync {
    /// A stable name, recorded in [`OutboxMessage::delivered_channels`].
    fn name(&self) -> &str;
    fn deliver(
        &self,
        notification: &Notification,
        rendered: &Rendered,
        contact: &Contact,
    ) -> std::result::Result<(), DeliveryError>;
}

/// How to reach people: what they told us.
///
/// Contract: `save_contact` replaces the person's details (upsert); `contact` returns the default
/// (nothing known) for someone who never saved any.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ContactDirectory: Send + Sync {
    fn contact(&self, recipient_id: &ActorId) -> Result<Contact>;
    fn save_contact(
        &self,
        recipient_id: &ActorId,
        contact: &Contact,
        at: OffsetDateTime,
    ) -> Result<()>;
}

/// The outbox side of the store: claiming due messages and recording outcomes.
///
/// Contract:
/// - `claim_due` MUST return only `Pending` messages due at `now` whose lease has expired, and MUST
///   lease each until `lease_until` in the same statement, so that concurrent dispatchers (threads or
///   server instances) never claim the same message at once (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
///   Oldest due first.
/// - `mark_delivered`, `schedule_retry` and `mark_failed` MUST clear the lease, and change nothing
///   but the message.
/// - `requeue` MUST return [`crate::Error::NotFound`] unless a `Failed` message has this id.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait OutboxRepository: Send + Sync {
    fn claim_due(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>>;
    fn mark_delivered(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        at: OffsetDateTime,
    ) -> Result<()>;
    fn schedule_retry(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        next_attempt_at: OffsetDateTime,
        error: &str,
    ) -> Result<()>;
    fn mark_failed(
        &self,
        id: NotificationId,
        attempts: u32,
        delivered_channels: &[String],
        error: &str,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// Messages, newest first, optionally of one status.
    fn list(
        &self,
        status: Option<DeliveryStatus>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OutboxMessage>>;
    fn count(&self, status: Option<DeliveryStatus>) -> Result<u64>;
    /// Every message written for a case, oldest first (for tests and support).
    fn for_case(&self, case_id: CaseId) -> Result<Vec<OutboxMessage>>;
    /// Puts a failed message back to pending, due at `now`, with its attempts reset.
    fn requeue(&self, id: NotificationId, now: OffsetDateTime) -> Result<()>;
}

/// What the context that wrote a notification does when its delivery is given up (its last
/// attempt failed).
///
/// Contract: `gave_up` is called after the message is recorded as failed, and MAY be called again
/// for the same message (a requeued message can fail again); it MUST be idempotent.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait GiveUpHandler: Send + Sync {
    fn gave_up(&self, notification: &Notification) -> Result<()>;
}
