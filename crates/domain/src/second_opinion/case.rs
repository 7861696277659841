//! The review case: what a patient submits, its history, and the repository that keeps both.

use time::OffsetDateTime;

use super::assignment::Assignment;
use super::payment::{PaidBy, Payment};
use super::status::CaseStatus;
use crate::kernel::blob::BlobKey;
use crate::kernel::code::Code;
use crate::kernel::ids::{
    ActorId, CaseId, DiseaseCategoryId, PaymentId, ReviewTypeId, SopId, TimelineEntryId,
};
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
    /// When the first specialist was assigned: the review window starts then.
    pub doctors_assigned_date: Option<OffsetDateTime>,
    /// The coordinator's final summary.
    pub summary: Option<String>,
    pub completed_date: Option<OffsetDateTime>,
    /// The final report, once generated: its blob in each language.
    pub report: Option<ReportKeys>,
}

/// Where a case's final report is kept, in each language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportKeys {
    pub en: BlobKey,
    pub ar: BlobKey,
}

impl ReportKeys {
    pub fn of(&self, lang: Lang) -> &BlobKey {
        match lang {
            Lang::En => &self.en,
            Lang::Ar => &self.ar,
        }
    }
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
    /// An administrator assigned the coordinator (the entry's note is their id).
    CoordinatorAssigned,
    /// The patient was asked to pay.
    AwaitingPayment,
    /// An administrator replaced the coordinator before payment (note: the new id).
    CoordinatorChanged,
    /// An administrator refused the case (note: the reason).
    Rejected,
    /// The payment arrived (by the provider or confirmed by hand).
    PaymentReceived,
    /// The coordinator assigned a specialist (note: their id).
    DoctorAssigned,
    /// A provider asked the patient for documents (note: their id).
    DocumentsRequested,
    /// The patient provided requested documents (note: how many).
    DocumentsProvided,
    /// A specialist submitted or revised an opinion (note: their id).
    OpinionSubmitted,
    /// The final summary is in and the report is ready.
    Completed,
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

/// A payment confirmed in a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentConfirmation {
    pub payment_id: PaymentId,
    pub at: OffsetDateTime,
    pub by: PaidBy,
}

/// Every write one change of a case makes, committed together: the case (conditional on the
/// version it was read at), its timeline, the notifications it causes, the assignments it adds or
/// changes, and its payment.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseCommit {
    pub case: ReviewCase,
    pub expected_version: i64,
    pub timeline: Vec<TimelineEntry>,
    pub notifications: Vec<Notification>,
    pub new_assignments: Vec<Assignment>,
    /// Rows to rewrite whole (deactivated, a request, an opinion, an answer).
    pub changed_assignments: Vec<Assignment>,
    pub new_payment: Option<Payment>,
    pub paid: Option<PaymentConfirmation>,
}

impl CaseCommit {
    /// A commit of `case` (already at its new version) over `expected_version`, with nothing else.
    pub fn of(case: ReviewCase, expected_version: i64) -> CaseCommit {
        CaseCommit {
            case,
            expected_version,
            timeline: Vec::new(),
            notifications: Vec::new(),
            new_assignments: Vec::new(),
            changed_assignments: Vec::new(),
            new_payment: None,
            paid: None,
        }
    }
}

/// Which cases an administrator's list wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub dc_id: Option<DiseaseCategoryId>,
    pub rt_id: Option<ReviewTypeId>,
    /// Part of the patient's id or of the medical history, any case.
    pub q: Option<String>,
    pub created_from: Option<OffsetDateTime>,
    /// Exclusive.
    pub created_before: Option<OffsetDateTime>,
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
/// - `commit` writes everything in the [`CaseCommit`] in one transaction, conditional on the case's
///   version like `update`, with the same errors. A second active coordinator assignment for a
///   case, a second active assignment of one provider to a case, or a webhook event id already
///   recorded MUST fail it with [`Error::Conflict`] and change nothing.
/// - `list_cases` is newest first and applies the filter fully.
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
    /// A page of the user's cases (as `list_for_user`) and how many they have in all (as
    /// `count_for_user`); a store may answer both in one trip.
    fn page_for_user(
        &self,
        user_id: &ActorId,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ReviewCase>, u64)> {
        Ok((
            self.list_for_user(user_id, limit, offset)?,
            self.count_for_user(user_id)?,
        ))
    }
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
    fn commit(&self, commit: &CaseCommit) -> Result<()>;
    fn list_cases(&self, filter: &CaseFilter, limit: i64, offset: i64) -> Result<Vec<ReviewCase>>;
    fn count_cases(&self, filter: &CaseFilter) -> Result<u64>;
}

/// Reads providers' assignments.
///
/// Contract: `for_case` returns every assignment of the case, inactive ones included, oldest first;
/// `for_doctor` only the doctor's *active* ones of the kind asked (coordinator or specialist),
/// newest first.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AssignmentRepository: Send + Sync {
    fn assignment(&self, id: SopId) -> Result<Option<Assignment>>;
    fn for_case(&self, case_id: CaseId) -> Result<Vec<Assignment>>;
    fn for_doctor(
        &self,
        doctor: &ActorId,
        coordinator: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Assignment>>;
    fn count_for_doctor(&self, doctor: &ActorId, coordinator: bool) -> Result<u64>;
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
