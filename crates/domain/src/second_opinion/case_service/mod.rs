//! Use cases of review cases: what patients do, and the draft reminders.

use std::sync::Arc;
use std::time::Duration;

use super::case::{
    ActorRole, CaseRepository, Gender, MAX_DOCUMENTS, MedicalDocument, PatientAge, ReviewCase,
    TimelineEntry, TimelineEvent,
};
use super::catalogue::{CatalogueService, ReviewType};
use super::status::{CaseAction, CaseStatus};
use crate::kernel::code::{Code, choice_error_of};
use crate::kernel::ids::{
    ActorId, CaseId, DiseaseCategoryId, IdGenerator, NotificationId, ReviewTypeId, TimelineEntryId,
};
use crate::kernel::lang::Lang;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::notifications::{
    Bilingual, CaseNotice, GiveUpHandler, Notification, NotificationData, RecipientRole,
};
use crate::{Error, FieldError, Result};

/// A draft gets its reminder once it is this old.
pub const REMINDER_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Reminder candidates read per round.
const REMINDER_BATCH: i64 = 500;
/// Writes retried after a concurrent change, before the conflict reaches the caller.
const WRITE_ATTEMPTS: usize = 3;
const MAX_HISTORY_CHARS: i64 = 10_000;

/// What a patient sends to create or edit a case, as received.
#[derive(Debug, Clone, Default)]
pub struct CaseInput {
    pub rt_id: String,
    pub dc_id: String,
    pub patient_age: i64,
    pub patient_gender: String,
    /// `draft` or `review`.
    pub status: String,
    pub medical_history: Option<String>,
    /// `None` keeps the stored list on update (and means an empty one on save).
    pub medical_documents: Option<Vec<MedicalDocument>>,
}

/// The input, checked.
struct ValidInput {
    rt_id: ReviewTypeId,
    dc_id: DiseaseCategoryId,
    age: PatientAge,
    gender: Gender,
    submit: bool,
    history: Option<String>,
    documents: Option<Vec<MedicalDocument>>,
}

/// What a reminder run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReminderReport {
    /// Drafts old enough and not yet reminded when the run looked.
    pub eligible: u64,
    /// Reminders this run wrote to the outbox (another run may have taken the rest).
    pub notified: u64,
}

#[derive(Clone)]
pub struct CaseService {
    cases: Arc<dyn CaseRepository>,
    catalogue: CatalogueService,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

impl std::fmt::Debug for CaseService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseService").finish_non_exhaustive()
    }
}

fn not_found() -> Error {
    Error::not_found(Key::CaseNotFound)
}

/// "`field` holds at most `max` …".
fn too_many(field: &str, key: Key, max: usize) -> Error {
    Error::field(FieldError::new(
        field,
        "length",
        Text::new(key).field("field", field).with("max", max),
    ))
}

fn validate(input: CaseInput) -> Result<ValidInput> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut take = |result: Result<()>| {
        if let Err(Error::Validation(mut e)) = result {
            errors.append(&mut e);
        }
    };
    let rt_id = ReviewTypeId::parse("rt_id", &input.rt_id);
    let dc_id = DiseaseCategoryId::parse("dc_id", &input.dc_id);
    let age = PatientAge::parse(input.patient_age);
    let gender = Gender::parse_field("patient_gender", &input.patient_gender);
    let submit = match CaseStatus::from_code(&input.status) {
        Some(CaseStatus::Draft) => Ok(false),
        Some(CaseStatus::Review) => Ok(true),
        _ => Err(choice_error_of(
            "status",
            &[CaseStatus::Draft.as_str(), CaseStatus::Review.as_str()],
        )),
    };
    let history = input
        .medical_history
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    if history
        .as_ref()
        .is_some_and(|h| h.chars().count() as i64 > MAX_HISTORY_CHARS)
    {
        take(Err(Error::field(FieldError::new(
            "medical_history",
            "length",
            Text::new(Key::InvalidMaxLength)
                .field("field", "medical_history")
                .with("max", MAX_HISTORY_CHARS),
        ))));
    }
    let documents = match input.medical_documents {
        None => Ok(None),
        Some(docs) if docs.len() > MAX_DOCUMENTS => Err(too_many(
            "medical_documents",
            Key::InvalidMaxItems,
            MAX_DOCUMENTS,
        )),
        Some(docs) => MedicalDocument::parse_all("medical_documents", docs).map(Some),
    };
    take(rt_id.as_ref().map(|_| ()).map_err(clone_validation));
    take(dc_id.as_ref().map(|_| ()).map_err(clone_validation));
    take(age.as_ref().map(|_| ()).map_err(clone_validation));
    take(gender.as_ref().map(|_| ()).map_err(clone_validation));
    take(submit.as_ref().map(|_| ()).map_err(clone_validation));
    take(documents.as_ref().map(|_| ()).map_err(clone_validation));
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    Ok(ValidInput {
        rt_id: rt_id?,
        dc_id: dc_id?,
        age: age?,
        gender: gender?,
        submit: submit?,
        history,
        documents: documents?,
    })
}

/// Only validation errors reach here: every check above returns one or succeeds.
fn clone_validation(e: &Error) -> Error {
    match e {
        Error::Validation(fields) => Error::Validation(fields.clone()),
        other => Error::internal(format!("unexpected error while validating: {other}")),
    }
}

fn case_notice(case_id: CaseId, rt: Option<&ReviewType>) -> CaseNotice {
    CaseNotice {
        case_id,
        review_type: rt.map(|rt| Bilingual {
            en: rt.name_en.clone(),
            ar: rt.name_ar.clone(),
        }),
    }
}

impl CaseService {
    pub fn new(
        cases: Arc<dyn CaseRepository>,
        catalogue: CatalogueService,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
    ) -> Self {
        Self {
            cases,
            catalogue,
            clock,
            ids,
        }
    }

    fn entry(
        &self,
        case: &ReviewCase,
        actor: (&ActorId, ActorRole),
        event: TimelineEvent,
        from: Option<CaseStatus>,
    ) -> TimelineEntry {
        TimelineEntry {
            id: TimelineEntryId::generate(self.ids.as_ref()),
            case_id: case.id,
            actor_id: actor.0.clone(),
            actor_role: actor.1,
            event,
            from_status: from,
            to_status: Some(case.status),
            note: None,
            created_date: case.updated_date,
        }
    }

    fn submitted_notice(&self, case: &ReviewCase, rt: &ReviewType) -> Notification {
        Notification {
            id: NotificationId::generate(self.ids.as_ref()),
            recipient_id: case.user_id.clone(),
            recipient_role: RecipientRole::Patient,
            lang: case.lang,
            case_id: Some(case.id),
            data: NotificationData::CaseSubmitted(case_notice(case.id, Some(rt))),
            created_date: case.updated_date,
        }
    }

    /// Creates a case for `user` as a draft or submitted for review.
    pub fn save(&self, user: &ActorId, lang: Lang, input: CaseInput) -> Result<ReviewCase> {
        let v = validate(input)?;
        let rt = self.catalogue.active_review_type(v.rt_id)?;
        self.catalogue.active_disease_category(v.dc_id)?;
        let now = self.clock.now();
        let case = ReviewCase {
            id: CaseId::generate(self.ids.as_ref()),
            user_id: user.clone(),
            rt_id: v.rt_id,
            dc_id: v.dc_id,
            patient_age: v.age,
            patient_gender: v.gender,
            status: if v.submit {
                CaseStatus::Review
            } else {
                CaseStatus::Draft
            },
            medical_history: v.history,
            medical_documents: v.documents.unwrap_or_default(),
            reject_reason: None,
            case_coordinator_id: None,
            lang,
            is_notified: false,
            version: 1,
            created_date: now,
            updated_date: now,
            doctors_assigned_date: None,
            summary: None,
            completed_date: None,
            report: None,
        };
        let actor = (user, ActorRole::Patient);
        let event = if v.submit {
            TimelineEvent::Submitted
        } else {
            TimelineEvent::Created
        };
        let timeline = [self.entry(&case, actor, event, None)];
        let notices: Vec<Notification> = if v.submit {
            vec![self.submitted_notice(&case, &rt)]
        } else {
            vec![]
        };
        self.cases.insert(&case, &timeline, &notices)?;
        Ok(case)
    }

    fn owned(&self, user: &ActorId, id: CaseId) -> Result<ReviewCase> {
        self.cases.find_for_user(user, id)?.ok_or_else(not_found)
    }

    /// Edits a draft; `status: review` submits it. Fields left out (`medical_history`,
    /// `medical_documents`) keep their stored value.
    pub fn update(
        &self,
        user: &ActorId,
        lang: Lang,
        case_id: &str,
        input: CaseInput,
    ) -> Result<ReviewCase> {
        let id = CaseId::parse("case_id", case_id)?;
        let v = validate(input)?;
        let mut current = self.owned(user, id)?;
        current
            .status
            .apply(CaseAction::Update { submit: v.submit })?;
        let rt = self.catalogue.active_review_type(v.rt_id)?;
        self.catalogue.active_disease_category(v.dc_id)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let next_status = current
                .status
                .apply(CaseAction::Update { submit: v.submit })?;
            let case = ReviewCase {
                rt_id: v.rt_id,
                dc_id: v.dc_id,
                patient_age: v.age,
                patient_gender: v.gender,
                status: next_status,
                medical_history: v
                    .history
                    .clone()
                    .or_else(|| current.medical_history.clone()),
                medical_documents: v
                    .documents
                    .clone()
                    .unwrap_or_else(|| current.medical_documents.clone()),
                lang,
                version: current.version + 1,
                updated_date: self.clock.now(),
                ..current.clone()
            };
            let actor = (user, ActorRole::Patient);
            let event = if v.submit {
                TimelineEvent::Submitted
            } else {
                TimelineEvent::Updated
            };
            let timeline = [self.entry(&case, actor, event, Some(current.status))];
            let notices: Vec<Notification> = if v.submit {
                vec![self.submitted_notice(&case, &rt)]
            } else {
                vec![]
            };
            match self
                .cases
                .update(&case, current.version, &timeline, &notices)
            {
                Err(Error::Conflict(_)) if attempt < WRITE_ATTEMPTS => {
                    current = self.owned(user, id)?
                }
                Err(e) => return Err(e),
                Ok(()) => return Ok(case),
            }
        }
    }

    /// Appends documents to a draft; a case holds at most 50.
    pub fn add_documents(
        &self,
        user: &ActorId,
        case_id: &str,
        docs: Vec<MedicalDocument>,
    ) -> Result<ReviewCase> {
        let id = CaseId::parse("case_id", case_id)?;
        if docs.is_empty() {
            return Err(Error::field(FieldError::new(
                "med_docs",
                "length",
                Text::new(Key::InvalidMinItems).field("field", "med_docs"),
            )));
        }
        let docs = MedicalDocument::parse_all("med_docs", docs)?;
        let mut current = self.owned(user, id)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            current.status.apply(CaseAction::AddDocuments)?;
            let total = current.medical_documents.len() + docs.len();
            if total > MAX_DOCUMENTS {
                return Err(Error::field(FieldError::new(
                    "med_docs",
                    "length",
                    Text::new(Key::InvalidDocumentsTotal)
                        .with("max", MAX_DOCUMENTS)
                        .with("has", current.medical_documents.len())
                        .with("sent", docs.len()),
                )));
            }
            let mut documents = current.medical_documents.clone();
            documents.extend(docs.iter().cloned());
            let case = ReviewCase {
                medical_documents: documents,
                version: current.version + 1,
                updated_date: self.clock.now(),
                ..current.clone()
            };
            let mut entry = self.entry(
                &case,
                (user, ActorRole::Patient),
                TimelineEvent::DocumentsAdded,
                Some(current.status),
            );
            entry.note = Some(docs.len().to_string());
            match self.cases.update(&case, current.version, &[entry], &[]) {
                Err(Error::Conflict(_)) if attempt < WRITE_ATTEMPTS => {
                    current = self.owned(user, id)?
                }
                Err(e) => return Err(e),
                Ok(()) => return Ok(case),
            }
        }
    }

    /// The user's cases, newest first.
    pub fn list(&self, user: &ActorId, page: PageRequest) -> Result<Page<ReviewCase>> {
        let (items, total) = self
            .cases
            .page_for_user(user, page.limit(), page.offset())?;
        Ok(Page {
            items,
            total,
            request: page,
        })
    }

    /// One of the user's cases, with its timeline.
    pub fn details(
        &self,
        user: &ActorId,
        case_id: &str,
    ) -> Result<(ReviewCase, Vec<TimelineEntry>)> {
        let id = CaseId::parse("case_id", case_id)?;
        let case = self.owned(user, id)?;
        let timeline = self.cases.timeline(id)?;
        Ok((case, timeline))
    }

    /// Writes the UCP98 reminder for every draft at least 24 hours old that has not had one. Safe to
    /// run from any number of threads and server instances at once: each case is reminded once.
    pub fn process_draft_reminders(&self) -> Result<ReminderReport> {
        let mut report = ReminderReport::default();
        let cutoff = self.clock.now() - REMINDER_AFTER;
        // Each round either reminds candidates or finds them taken by another run, so rounds end.
        for _ in 0..1000 {
            let candidates = self.cases.reminder_candidates(cutoff, REMINDER_BATCH)?;
            report.eligible += candidates.len() as u64;
            for case in &candidates {
                let rt = self.catalogue.review_type(case.rt_id).ok();
                let now = self.clock.now();
                let data = NotificationData::DraftReminder(case_notice(case.id, rt.as_ref()));
                let entry = TimelineEntry {
                    id: TimelineEntryId::generate(self.ids.as_ref()),
                    case_id: case.id,
                    actor_id: ActorId::system(),
                    actor_role: ActorRole::System,
                    event: TimelineEvent::DraftReminderSent,
                    from_status: Some(case.status),
                    to_status: Some(case.status),
                    note: Some(data.kind().code().to_owned()),
                    created_date: now,
                };
                let notice = Notification {
                    id: NotificationId::generate(self.ids.as_ref()),
                    recipient_id: case.user_id.clone(),
                    recipient_role: RecipientRole::Patient,
                    lang: case.lang,
                    case_id: Some(case.id),
                    data,
                    created_date: now,
                };
                if self.cases.flag_reminder(case.id, &notice, &entry)? {
                    report.notified += 1;
                }
            }
            if (candidates.len() as i64) < REMINDER_BATCH {
                break;
            }
        }
        Ok(report)
    }
}

/// A draft reminder that never reached the patient releases its case, so that a later reminder run
/// writes it again: the patient was never reminded. Other notifications need nothing more than
/// their failed record, which administrators see and may requeue.
impl GiveUpHandler for CaseService {
    fn gave_up(&self, notification: &Notification) -> Result<()> {
        if let (NotificationData::DraftReminder(notice), Some(_)) =
            (&notification.data, notification.case_id)
        {
            self.cases.release_reminder(notice.case_id)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
