//! The review case: what a patient submits, and the lifecycle it goes through (DECISIONS §4).

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::kernel::lang::Lang;
use crate::notifications::Notification;
use crate::{Error, Result};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    /// Being written by the patient; only drafts can be edited.
    Draft,
    /// Submitted, waiting for an administrator.
    Review,
    /// Refused by an administrator, with a reason.
    Rejected,
    /// A coordinator is assigned; the patient has a payment link.
    AwaitingPayment,
    /// Paid; the coordinator may assign doctors.
    Paid,
    /// Specialist doctors are reviewing it.
    DoctorsAssigned,
    /// The final summary and report are out.
    Completed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 7] = [
        CaseStatus::Draft,
        CaseStatus::Review,
        CaseStatus::Rejected,
        CaseStatus::AwaitingPayment,
        CaseStatus::Paid,
        CaseStatus::DoctorsAssigned,
        CaseStatus::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Draft => "draft",
            CaseStatus::Review => "review",
            CaseStatus::Rejected => "rejected",
            CaseStatus::AwaitingPayment => "awaiting_payment",
            CaseStatus::Paid => "paid",
            CaseStatus::DoctorsAssigned => "doctors_assigned",
            CaseStatus::Completed => "completed",
        }
    }

    /// What may happen to a case in this status, and the status it leads to.
    ///
    /// Every transition of DECISIONS §4 is here; anything else is a [`Error::Conflict`] that names
    /// the current status.
    pub fn apply(self, action: CaseAction) -> Result<CaseStatus> {
        use CaseAction as A;
        use CaseStatus as S;
        let next = match (self, action) {
            (S::Draft, A::Update { submit: false } | A::AddDocuments) => Some(S::Draft),
            (S::Draft, A::Update { submit: true }) => Some(S::Review),
            (S::Review, A::Reject) => Some(S::Rejected),
            (S::Review, A::AssignCoordinator) => Some(S::AwaitingPayment),
            (S::AwaitingPayment, A::ChangeCoordinator) => Some(S::AwaitingPayment),
            (S::AwaitingPayment, A::ConfirmPayment) => Some(S::Paid),
            (S::Paid | S::DoctorsAssigned, A::AssignDoctors) => Some(S::DoctorsAssigned),
            (S::DoctorsAssigned, A::SubmitSummary) => Some(S::Completed),
            _ => None,
        };
        next.ok_or_else(|| {
            Error::Conflict(format!(
                "{} is not possible while the case is {}",
                action.describe(),
                self.as_str()
            ))
        })
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| Error::Internal(format!("unknown case status {s:?}")))
    }
}

/// Something that changes a case. Creation is not an action: a new case starts as the patient saves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseAction {
    /// The patient edits a draft; `submit` sends it for review.
    Update { submit: bool },
    /// The patient appends medical documents to a draft.
    AddDocuments,
    /// An administrator rejects a submitted case.
    Reject,
    /// An administrator assigns a coordinator (a payment link is created).
    AssignCoordinator,
    /// An administrator changes the coordinator before payment.
    ChangeCoordinator,
    /// The payment provider or an administrator confirms payment.
    ConfirmPayment,
    /// The case's coordinator assigns specialist doctors.
    AssignDoctors,
    /// The case's coordinator submits the final summary.
    SubmitSummary,
}

impl CaseAction {
    pub const ALL: [CaseAction; 9] = [
        CaseAction::Update { submit: false },
        CaseAction::Update { submit: true },
        CaseAction::AddDocuments,
        CaseAction::Reject,
        CaseAction::AssignCoordinator,
        CaseAction::ChangeCoordinator,
        CaseAction::ConfirmPayment,
        CaseAction::AssignDoctors,
        CaseAction::SubmitSummary,
    ];

    fn describe(self) -> &'static str {
        match self {
            CaseAction::Update { .. } => "Updating",
            CaseAction::AddDocuments => "Adding documents",
            CaseAction::Reject => "Rejecting",
            CaseAction::AssignCoordinator => "Assigning a coordinator",
            CaseAction::ChangeCoordinator => "Changing the coordinator",
            CaseAction::ConfirmPayment => "Confirming payment",
            CaseAction::AssignDoctors => "Assigning doctors",
            CaseAction::SubmitSummary => "Submitting the final summary",
        }
    }
}

/// The patient's sex as recorded on the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    pub fn parse(raw: &str) -> Result<Self> {
        match raw {
            "male" => Ok(Gender::Male),
            "female" => Ok(Gender::Female),
            _ => Err(Error::invalid(
                "patient_gender",
                "one_of",
                "patient_gender must be male or female",
            )),
        }
    }
}

/// The patient's age in whole years, 0 to 150.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PatientAge(u8);

impl PatientAge {
    pub fn parse(raw: i64) -> Result<Self> {
        u8::try_from(raw)
            .ok()
            .filter(|age| *age <= 150)
            .map(PatientAge)
            .ok_or_else(|| {
                Error::invalid(
                    "patient_age",
                    "range",
                    "patient_age must be a whole number from 0 to 150",
                )
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
                    ("url", &doc.url, 2048),
                    ("key", &doc.key, 1024),
                    ("name", &doc.name, 255),
                ] {
                    if value.is_empty() || value.chars().count() > max {
                        errors.push(crate::FieldError::new(
                            format!("{field}[{i}].{name}"),
                            "length",
                            format!("{field}[{i}].{name} must be 1 to {max} characters"),
                        ));
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
    pub id: Uuid,
    pub user_id: String,
    pub rt_id: Uuid,
    pub dc_id: Uuid,
    pub patient_age: PatientAge,
    pub patient_gender: Gender,
    pub status: CaseStatus,
    pub medical_history: Option<String>,
    pub medical_documents: Vec<MedicalDocument>,
    pub reject_reason: Option<String>,
    pub case_coordinator_id: Option<String>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorRole {
    Patient,
    Admin,
    Coordinator,
    Doctor,
    System,
}

impl ActorRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorRole::Patient => "patient",
            ActorRole::Admin => "admin",
            ActorRole::Coordinator => "coordinator",
            ActorRole::Doctor => "doctor",
            ActorRole::System => "system",
        }
    }
}

impl FromStr for ActorRole {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        [
            ActorRole::Patient,
            ActorRole::Admin,
            ActorRole::Coordinator,
            ActorRole::Doctor,
            ActorRole::System,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| Error::Internal(format!("unknown actor role {s:?}")))
    }
}

/// One line of a case's history: who did what, when, and the status it left the case in.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub id: Uuid,
    pub case_id: Uuid,
    pub actor_id: String,
    pub actor_role: ActorRole,
    /// `created`, `submitted`, `updated`, `documents_added`, `draft_reminder_sent`, …
    pub event: String,
    pub from_status: Option<CaseStatus>,
    pub to_status: Option<CaseStatus>,
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
///   and notifications, in one transaction. It MUST return [`Error::Conflict`] (and change nothing)
///   when the stored version differs, [`Error::NotFound`] when the case does not exist.
/// - `find_for_user` and `list_for_user` see only `user_id`'s cases; lists are newest first
///   (`created_date`, then id, descending).
/// - `flag_reminder` sets `is_notified` iff the case is still a `draft` with `is_notified` false, and
///   in the same transaction writes the notification and timeline entry. It returns whether this call
///   flagged the case: under any concurrency, exactly one caller gets `true` for a case until the
///   flag is released.
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
    fn find(&self, id: Uuid) -> Result<Option<ReviewCase>>;
    fn find_for_user(&self, user_id: &str, id: Uuid) -> Result<Option<ReviewCase>>;
    fn list_for_user(&self, user_id: &str, limit: i64, offset: i64) -> Result<Vec<ReviewCase>>;
    fn count_for_user(&self, user_id: &str) -> Result<u64>;
    /// The case's timeline, oldest first.
    fn timeline(&self, case_id: Uuid) -> Result<Vec<TimelineEntry>>;
    /// Drafts created at or before `cutoff` whose reminder has not gone out, oldest first.
    fn reminder_candidates(&self, cutoff: OffsetDateTime, limit: i64) -> Result<Vec<ReviewCase>>;
    fn flag_reminder(
        &self,
        case_id: Uuid,
        notification: &Notification,
        timeline: &TimelineEntry,
    ) -> Result<bool>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole transition table: every (status, action) pair, allowed or refused.
    #[test]
    fn transition_table() {
        use CaseAction as A;
        use CaseStatus as S;
        let allowed: [(S, A, S); 10] = [
            (S::Draft, A::Update { submit: false }, S::Draft),
            (S::Draft, A::Update { submit: true }, S::Review),
            (S::Draft, A::AddDocuments, S::Draft),
            (S::Review, A::Reject, S::Rejected),
            (S::Review, A::AssignCoordinator, S::AwaitingPayment),
            (S::AwaitingPayment, A::ChangeCoordinator, S::AwaitingPayment),
            (S::AwaitingPayment, A::ConfirmPayment, S::Paid),
            (S::Paid, A::AssignDoctors, S::DoctorsAssigned),
            (S::DoctorsAssigned, A::AssignDoctors, S::DoctorsAssigned),
            (S::DoctorsAssigned, A::SubmitSummary, S::Completed),
        ];
        let mut checked = 0;
        for status in S::ALL {
            for action in A::ALL {
                let expected = allowed
                    .iter()
                    .find(|(s, a, _)| *s == status && *a == action)
                    .map(|(_, _, to)| *to);
                match (status.apply(action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{status} {action:?}"),
                    (Err(Error::Conflict(message)), None) => {
                        assert!(
                            message.ends_with(&format!("while the case is {status}")),
                            "{message}"
                        );
                    }
                    (got, want) => panic!("{status} {action:?}: got {got:?}, want {want:?}"),
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 63);
    }

    #[test]
    fn statuses_round_trip_as_text() {
        for s in CaseStatus::ALL {
            assert_eq!(s.as_str().parse::<CaseStatus>().ok(), Some(s));
        }
    }

    #[test]
    fn ages_and_genders() {
        assert_eq!(PatientAge::parse(0).ok().map(PatientAge::years), Some(0));
        assert_eq!(
            PatientAge::parse(150).ok().map(PatientAge::years),
            Some(150)
        );
        assert!(PatientAge::parse(151).is_err());
        assert!(PatientAge::parse(-1).is_err());
        assert!(Gender::parse("male").is_ok());
        assert!(Gender::parse("Male").is_err());
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
        assert_eq!(
            err.to_string(),
            "med_docs[1].key must be 1 to 1024 characters; med_docs[1].name must be 1 to 255 characters"
        );
    }
}
