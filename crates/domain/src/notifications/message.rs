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
    /// An administrator refused the case (to the patient).
    CaseRejected,
    /// A coordinator is assigned: the patient is asked to pay, with the link.
    PaymentRequested,
    /// The payment arrived (to the patient and the coordinator).
    PaymentReceived,
    /// A provider asked the patient for documents.
    DocumentsRequested,
    /// The final report is ready (to the patient).
    ReportReady,
    /// A provider coordinates the case now.
    CoordinatorAssigned,
    /// An administrator gave the case to another coordinator (to the previous one).
    CoordinatorReplaced,
    /// The coordinator assigned a specialist (to the specialist).
    DoctorAssigned,
    /// The patient provided the documents a provider asked for (to that provider).
    DocumentsProvided,
    /// A specialist submitted an opinion (to the coordinator).
    OpinionSubmitted,
    /// A verification code for a declaration request, by SMS to the person's phone.
    VerificationCode,
}

impl NotificationKind {
    /// The code apps and integrations key on: `UCP…` for patients, `PRO…` for providers.
    pub fn code(self) -> &'static str {
        match self {
            NotificationKind::CaseSubmitted => "UCP01",
            NotificationKind::CaseRejected => "UCP02",
            NotificationKind::PaymentRequested => "UCP03",
            NotificationKind::PaymentReceived => "UCP04",
            NotificationKind::DocumentsRequested => "UCP05",
            NotificationKind::ReportReady => "UCP06",
            NotificationKind::DraftReminder => "UCP98",
            NotificationKind::CoordinatorAssigned => "PRO01",
            NotificationKind::CoordinatorReplaced => "PRO02",
            NotificationKind::DoctorAssigned => "PRO03",
            NotificationKind::DocumentsProvided => "PRO04",
            NotificationKind::OpinionSubmitted => "PRO05",
            NotificationKind::VerificationCode => "EHL01",
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

/// Template data of a payment request: the case, and what to pay where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PaymentNotice {
    #[serde(flatten)]
    pub case: CaseNotice,
    pub url: String,
    /// In major units, as people write it (`900.5`).
    pub amount: String,
    pub currency: String,
}

/// Template data naming what a provider asked for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocumentsNotice {
    #[serde(flatten)]
    pub case: CaseNotice,
    pub documents: Vec<String>,
    /// Who asked.
    pub doctor: Bilingual,
}

/// Template data naming a provider (the specialist who gave an opinion, or answered to).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DoctorNotice {
    #[serde(flatten)]
    pub case: CaseNotice,
    pub doctor: Bilingual,
}

/// Template data of a refusal, with the administrator's reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectionNotice {
    #[serde(flatten)]
    pub case: CaseNotice,
    pub reason: String,
}

/// Template data of a verification code: the code itself (it is what the SMS is for), the phone
/// it goes to, and the declaration request it confirms. Kept out of logs and of the
/// administrators' outbox view, which show kinds and ids only.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeNotice {
    pub phone_number: String,
    pub code: String,
    pub declaration_request_id: crate::declarations::DeclarationRequestId,
}

impl std::fmt::Debug for CodeNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeNotice")
            .field("declaration_request_id", &self.declaration_request_id)
            .finish_non_exhaustive()
    }
}

/// What a notification says, with the data its template needs: one variant per kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum NotificationData {
    CaseSubmitted(CaseNotice),
    DraftReminder(CaseNotice),
    CaseRejected(RejectionNotice),
    PaymentRequested(PaymentNotice),
    PaymentReceived(CaseNotice),
    DocumentsRequested(DocumentsNotice),
    ReportReady(CaseNotice),
    CoordinatorAssigned(CaseNotice),
    CoordinatorReplaced(CaseNotice),
    DoctorAssigned(CaseNotice),
    DocumentsProvided(DoctorNotice),
    OpinionSubmitted(DoctorNotice),
    VerificationCode(CodeNotice),
}

impl NotificationData {
    pub fn kind(&self) -> NotificationKind {
        use NotificationData as D;
        use NotificationKind as K;
        match self {
            D::CaseSubmitted(_) => K::CaseSubmitted,
            D::DraftReminder(_) => K::DraftReminder,
            D::CaseRejected(_) => K::CaseRejected,
            D::PaymentRequested(_) => K::PaymentRequested,
            D::PaymentReceived(_) => K::PaymentReceived,
            D::DocumentsRequested(_) => K::DocumentsRequested,
            D::ReportReady(_) => K::ReportReady,
            D::CoordinatorAssigned(_) => K::CoordinatorAssigned,
            D::CoordinatorReplaced(_) => K::CoordinatorReplaced,
            D::DoctorAssigned(_) => K::DoctorAssigned,
            D::DocumentsProvided(_) => K::DocumentsProvided,
            D::OpinionSubmitted(_) => K::OpinionSubmitted,
            D::VerificationCode(_) => K::VerificationCode,
        }
    }

    /// The case the notification is about, if it is about one.
    pub fn case(&self) -> Option<&CaseNotice> {
        use NotificationData as D;
        Some(match self {
            D::CaseSubmitted(n)
            | D::DraftReminder(n)
            | D::PaymentReceived(n)
            | D::ReportReady(n)
            | D::CoordinatorAssigned(n)
            | D::CoordinatorReplaced(n)
            | D::DoctorAssigned(n) => n,
            D::CaseRejected(n) => &n.case,
            D::PaymentRequested(n) => &n.case,
            D::DocumentsRequested(n) => &n.case,
            D::DocumentsProvided(n) | D::OpinionSubmitted(n) => &n.case,
            D::VerificationCode(_) => return None,
        })
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
