use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::kernel::lang::Lang;
use crate::{Error, Result};

/// What happened, from the recipient's point of view. Each kind has a template in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// The patient submitted a case for review.
    CaseSubmitted,
    /// A case is still a draft 24 hours after it was started (code UCP98).
    DraftReminder,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 2] = [
        NotificationKind::CaseSubmitted,
        NotificationKind::DraftReminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::CaseSubmitted => "case_submitted",
            NotificationKind::DraftReminder => "draft_reminder",
        }
    }

    /// The code apps and integrations key on.
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::CaseSubmitted => "UCP01",
            NotificationKind::DraftReminder => "UCP98",
        }
    }
}

impl FromStr for NotificationKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::Internal(format!("unknown notification kind {s:?}")))
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who receives a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecipientRole {
    Patient,
    Coordinator,
    Doctor,
    Admin,
}

impl RecipientRole {
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientRole::Patient => "patient",
            RecipientRole::Coordinator => "coordinator",
            RecipientRole::Doctor => "doctor",
            RecipientRole::Admin => "admin",
        }
    }
}

impl FromStr for RecipientRole {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        [
            RecipientRole::Patient,
            RecipientRole::Coordinator,
            RecipientRole::Doctor,
            RecipientRole::Admin,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| Error::Internal(format!("unknown recipient role {s:?}")))
    }
}

/// A notification to deliver: written to the outbox with the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub recipient_id: String,
    pub recipient_role: RecipientRole,
    /// The recipient's language, chosen when the notification is written.
    pub lang: Lang,
    pub case_id: Option<Uuid>,
    /// Template variables (`case_id`, `review_type`, …), a JSON object.
    pub data: serde_json::Value,
    pub created_date: OffsetDateTime,
}

/// Where a message stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// Every configured channel took it.
    Delivered,
    /// Attempts ran out; an administrator may requeue it.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

impl FromStr for DeliveryStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
        .ok_or_else(|| {
            Error::invalid(
                "status",
                "one_of",
                "status must be pending, delivered or failed",
            )
        })
    }
}

/// A notification with its delivery bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    pub notification: Notification,
    pub status: DeliveryStatus,
    /// Attempts made so far (a claim counts as an attempt once its outcome is recorded).
    pub attempts: u32,
    /// Channels that already took the message; a retry skips them, so nothing is sent twice.
    pub delivered_channels: Vec<String>,
    pub last_error: Option<String>,
    pub next_attempt_at: OffsetDateTime,
    pub delivered_date: Option<OffsetDateTime>,
}

/// A notification rendered in its recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    pub body: String,
}

/// How to reach a person, where they told us.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub email: Option<String>,
}
