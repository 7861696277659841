//! The review case: what a patient submits, its history, and the repository that keeps both.

use time::OffsetDateTime;

use super::status::CaseStatus;
use crate::kernel::code::Code;
use crate::kernel::ids::{ActorId, CaseId, DiseaseCategoryId, ReviewTypeId, TimelineEntryId};
use crate::kernel::lang::Lang;
use crate::kernel::text::{Key, Text};
use crate::notifications::Notification;
use crate::{Error, FieldError, Result};

/// The patient's sex as recorded on the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

/// The patient's age in whole years, 0 to 150.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PatientAge(u8);

impl PatientAge {
    pub const MAX: u8 = 150;

    pub fn parse(raw: i64) -> Result<Self> {
        u8::try_from(raw)
            .ok()
            .filter(|age| *age <= Self::MAX)
            .map(PatientAge)
            .ok_or_else(|| {
                Error::field(FieldError::new(
                    "patient_age",
                    "range",
                    Text::new(Key::InvalidWholeNumber)
                        .field("field", "patient_age")
                        .with("min", 0i64)
                        .with("max", i64::from(Self::MAX)),
                ))
            })
    }

    pub fn years(self) -> u8 {
        self.0
    }
}

/// A medical document the patient uploaded to storage: where it is, its storage key, its name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MedicalDocument {
    pub url: String,
    pub key: String,
    pub name: String,
}

/// The most documents a case may hold.
pub const MAX_DOCUMENTS: usize = 50;

impl MedicalDocument {
    /// Trims and checks each field; `field` is how the client named the list (`medical_documents`).
    pub fn parse_all(field: &str, docs: Vec<MedicalDocument>) -> Result<Vec<MedicalDocument>> {
        let mut errors = Vec::new();
        let docs: Vec<MedicalDocument> = docs
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                let doc = MedicalDocument {
                    url: d.url.trim().to_owned(),
                    key: d.key.trim().to_owned(),
                    name: d.name.trim().to_owned(),
                };
                for (name, value, max) in [
                    ("url", &doc.url, 2048i64),
                    ("key", &doc.key, 1024),
                    ("name", &doc.name, 255),
                ] {
                    let chars = i64::try_from(value.chars().count()).unwrap_or(i64::MAX);
                    if value.is_empty() || chars > max {
                        let path = format!("{field}[{i}].{name}");
                        let text = Text::new(Key::InvalidTextLength)
                            .field("field", &path)
                            .with("min", 1i64)
                            .with("max", max);
                        errors.push(FieldError::new(path, "length", text));
                    }
                }
                doc
            })
            .collect();
        if errors.is_empty() {
            Ok(docs)
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// A patient's request for a second opinion.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewCase {
    pub id: CaseId,
    pub user_id: ActorId,
    pub rt_id: ReviewTypeId,
    pub dc_id: DiseaseCategoryId,
    pub patient_age: PatientAge,
    pub patient_gender: Gender,
    pub status: CaseStatus,
    pub medical_history: Option<String>,
    pub medical_documents: Vec<MedicalDocument>,
    pub reject_reason: Option<String>,
    pub case_coordinator_id: Option<ActorId>,
    /// The patient's language when they last saved the case; their notifications use it.
    pub lang: Lang,
    /// Whether the 24-hour draft reminder went out.
    pub is_notified: bool,
    /// Bumped by every write; writes are conditional on it, so concurrent edits never lose data.
    pub version: i64,
    pub created_date: OffsetDateTime,
    pub updated_date: OffsetDateTime,
}

/// Who did something to a case, as the timeline records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ActorRole {
    Patient,
    Admin,
    Coordinator,
    Doctor,
    System,
}

/// What happened to a case, as its timeline shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum TimelineEvent {
    /// Saved as a draft.
    Created,
    /// Sent for review.
    Submitted,
    /// A draft edited.
    Updated,
    /// Documents appended to a draft; the entry's note is how many.
    DocumentsAdded,
    /// The 24-hour draft reminder was written; the entry's note is its code.
    DraftReminderSent,
}

impl TimelineEvent {
    /// The event's label for people ("Case submitted").
    pub fn label(self) -> Text {
        Text::term(Key::TimelineEvent, self.as_str())
    }
}

/// One line of a case's history: who did what, when, and the status it left the case in.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub id: TimelineEntryId,
    pub case_id: CaseId,
    pub actor_id: ActorId,
    pub actor_role: ActorRole,
    pub event: TimelineEvent,
    pub from_status: Option<CaseStatus>,
    pub to_status: Option<CaseStatus>,
    /// Data of the event (a count, a code); never a sentence.
    pub note: Option<String>,
    pub created_date: OffsetDateTime,
}

/// Stores review cases with their timeline, and writes the notifications they cause in the same
/// transaction.
///
/// Contract:
/// - `insert` writes the case, its timeline entries and its notifications in one transaction.
/// - `update` writes the case's fields (everything but `id`, `user_id`, `created_date`) iff the stored
///   row still has `expected_version`, setting `version` to `case.version`; with the timeline entries
///   and notifications, in one transaction. It MUST return [`Error::Conflict`] with
///   [`Key::CaseChanged`] (and change nothing) when the stored version differs, and
///   [`Error::NotFound`] with [`Key::CaseNotFound`] when the case does not exist.
/// - `find_for_user` and `list_for_user` see only `user_id`'s cases; lists are newest first
///   (`created_date`, then id, descending).
/// - `flag_reminder` sets `is_notified` iff the case is still a `draft` with `is_notified` false, and
///   in the same transaction writes the notification and timeline entry. It returns whether this call
///   flagged the case: under any concurrency, exactly one caller gets `true` for a case until the
///   flag is released.
/// - `release_reminder` clears `is_notified` iff the case is still a `draft` with `is_notified`
///   true, and returns whether it did.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait CaseRepository: Send + Sync {
    fn insert(
        &self,
        case: &ReviewCase,
        timeline: &[TimelineEntry],
        notifications: &[Notification],
    ) -> Result<()>;
    fn update(
        &self,
        case: &ReviewCase,
        expected_version: i64,
        timeline: &[TimelineEntry],
        notifications: &[Notification],
    ) -> Result<()>;
    fn find(&self, id: CaseId) -> Result<Option<ReviewCase>>;
    fn find_for_user(&self, user_id: &ActorId, id: CaseId) -> Result<Option<ReviewCase>>;
    fn list_for_user(&self, user_id: &ActorId, limit: i64, offset: i64) -> Result<Vec<ReviewCase>>;
    fn count_for_user(&self, user_id: &ActorId) -> Result<u64>;
    /// The case's timeline, oldest first.
    fn timeline(&self, case_id: CaseId) -> Result<Vec<TimelineEntry>>;
    /// Drafts created at or before `cutoff` whose reminder has not gone out, oldest first.
    fn reminder_candidates(&self, cutoff: OffsetDateTime, limit: i64) -> Result<Vec<ReviewCase>>;
    fn flag_reminder(
        &self,
        case_id: CaseId,
        notification: &Notification,
        timeline: &TimelineEntry,
    ) -> Result<bool>;
    fn release_reminder(&self, case_id: CaseId) -> Result<bool>;
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    #[test]
    fn ages_and_genders() {
        assert_eq!(PatientAge::parse(0).ok().map(PatientAge::years), Some(0));
        assert_eq!(
            PatientAge::parse(150).ok().map(PatientAge::years),
            Some(150)
        );
        assert!(PatientAge::parse(151).is_err());
        assert!(PatientAge::parse(-1).is_err());
        assert_eq!(
            Gender::parse_field("patient_gender", "male").ok(),
            Some(Gender::Male)
        );
        assert!(Gender::parse_field("patient_gender", "Male").is_err());
    }

    #[test]
    fn documents_need_every_field() {
        let doc = |url: &str, key: &str, name: &str| MedicalDocument {
            url: url.into(),
            key: key.into(),
            name: name.into(),
        };
        let ok =
            MedicalDocument::parse_all("med_docs", vec![doc(" https://x/a.pdf ", "k", "a.pdf")])
                .unwrap();
        assert_eq!(ok[0].url, "https://x/a.pdf");
        let err =
            MedicalDocument::parse_all("med_docs", vec![doc("u", "k", "n"), doc("u", " ", "")])
                .unwrap_err();
        let Error::Validation(fields) = err else {
            panic!("expected a validation error")
        };
        let fields: Vec<(&str, String)> = fields
            .iter()
            .map(|f| (f.field.as_str(), f.text.to_string()))
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "med_docs[1].key",
                    "invalid-text-length(field=med_docs[1].key, min=1, max=1024)".to_owned()
                ),
                (
                    "med_docs[1].name",
                    "invalid-text-length(field=med_docs[1].name, min=1, max=255)".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn timeline_events_have_labels() {
        for &event in TimelineEvent::VARIANTS {
            assert_eq!(event.label().key(), Key::TimelineEvent);
        }
        assert_eq!(TimelineEvent::DocumentsAdded.as_str(), "documents_added");
    }
}
