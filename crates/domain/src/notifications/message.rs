use time::OffsetDateTime;

use crate::kernel::ids::{ActorId, CaseId, NotificationId};
use crate::kernel::lang::Lang;
use crate::kernel::text::Arg;

/// What happened, from the recipient's point of view. Each kind has a template in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum NotificationKind {
    /// The patient submitted a case for review.
    CaseSubmitted,
    /// A case is still a draft 24 hours after it was started (code UCP98).
    DraftReminder,
}

impl NotificationKind {
    /// The code apps and integrations key on.
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::CaseSubmitted => "UCP01",
            NotificationKind::DraftReminder => "UCP98",
        }
    }
}

/// A name that exists in English and Arabic (a review type's), carried in template data so that
/// a notification reads right in its recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bilingual {
    pub en: String,
    pub ar: String,
}

impl From<&Bilingual> for Arg {
    fn from(name: &Bilingual) -> Self {
        Arg::Localized {
            en: name.en.clone(),
            ar: name.ar.clone(),
        }
    }
}

/// Template data of a notification about one case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseNotice {
    pub case_id: CaseId,
    /// The case's review type, when it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_type: Option<Bilingual>,
}

/// What a notification says, with the data its template needs: one variant per kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum NotificationData {
    CaseSubmitted(CaseNotice),
    DraftReminder(CaseNotice),
}

impl NotificationData {
    pub fn kind(&self) -> NotificationKind {
        match self {
            NotificationData::CaseSubmitted(_) => NotificationKind::CaseSubmitted,
            NotificationData::DraftReminder(_) => NotificationKind::DraftReminder,
        }
    }

    /// The template data alone, as integrations receive it (`{"case_id", "review_type"}`).
    pub fn fields(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => tagged
                .remove("data")
                .unwrap_or(serde_json::Value::Object(serde_json::Map::new())),
            _ => serde_json::Value::Null,
        }
    }

    /// Rebuilds the data of a stored notification from its kind and fields.
    pub fn from_fields(kind: &str, fields: serde_json::Value) -> serde_json::Result<Self> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "data": fields }))
    }
}

/// Who receives a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RecipientRole {
    Patient,
    Coordinator,
    Doctor,
    Admin,
}

/// A notification to deliver: written to the outbox with the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: NotificationId,
    pub recipient_id: ActorId,
    pub recipient_role: RecipientRole,
    /// The recipient's language, chosen when the notification is written.
    pub lang: Lang,
    pub case_id: Option<CaseId>,
    pub data: NotificationData,
    pub created_date: OffsetDateTime,
}

impl Notification {
    pub fn kind(&self) -> NotificationKind {
        self.data.kind()
    }
}

/// Where a message stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// Every configured channel took it.
    Delivered,
    /// Attempts ran out; an administrator may requeue it.
    Failed,
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
    /// The label before a case's reference ("Case reference:"), when the notification is about a
    /// case.
    pub case_reference: Option<String>,
}

/// How to reach a person, where they told us.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub email: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::code::Code;

    #[test]
    fn data_splits_into_kind_and_fields_and_back() {
        let data = NotificationData::CaseSubmitted(CaseNotice {
            case_id: CaseId::from_uuid(uuid::Uuid::from_u128(7)),
            review_type: Some(Bilingual {
                en: "Standard Review".into(),
                ar: "مراجعة قياسية".into(),
            }),
        });
        let fields = data.fields();
        assert_eq!(
            fields,
            serde_json::json!({
                "case_id": "00000000-0000-0000-0000-000000000007",
                "review_type": { "en": "Standard Review", "ar": "مراجعة قياسية" }
            })
        );
        let back = NotificationData::from_fields(data.kind().as_str(), fields).unwrap();
        assert_eq!(back, data);
        assert!(NotificationData::from_fields("nope", serde_json::json!({})).is_err());
    }
}
