//! Use cases of review cases: what patients do, and the draft reminders.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use super::case::{
    ActorRole, CaseAction, CaseRepository, CaseStatus, Gender, MAX_DOCUMENTS, MedicalDocument,
    PatientAge, ReviewCase, TimelineEntry,
};
use super::catalogue::{CatalogueService, ReviewType};
use crate::kernel::ids::{ActorId, IdGenerator, parse_uuid};
use crate::kernel::lang::Lang;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::time::Clock;
use crate::notifications::{Notification, NotificationKind, RecipientRole};
use crate::{Error, FieldError, Result};

/// A draft gets its reminder once it is this old.
pub const REMINDER_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Reminder candidates read per round.
const REMINDER_BATCH: i64 = 500;
/// Writes retried after a concurrent change, before the conflict reaches the caller.
const WRITE_ATTEMPTS: usize = 3;
const MAX_HISTORY_CHARS: usize = 10_000;

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
    rt_id: Uuid,
    dc_id: Uuid,
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
    Error::NotFound("Case not found".into())
}

fn validate(input: CaseInput) -> Result<ValidInput> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut take = |result: Result<()>| {
        if let Err(Error::Validation(mut e)) = result {
            errors.append(&mut e);
        }
    };
    let rt_id = parse_uuid("rt_id", &input.rt_id);
    let dc_id = parse_uuid("dc_id", &input.dc_id);
    let age = PatientAge::parse(input.patient_age);
    let gender = Gender::parse(&input.patient_gender);
    let submit = match input.status.as_str() {
        "draft" => Ok(false),
        "review" => Ok(true),
        _ => Err(Error::invalid(
            "status",
            "one_of",
            "status must be draft or review",
        )),
    };
    let history = input
        .medical_history
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    if history
        .as_ref()
        .is_some_and(|h| h.chars().count() > MAX_HISTORY_CHARS)
    {
        take(Err(Error::invalid(
            "medical_history",
            "length",
            format!("medical_history must be at most {MAX_HISTORY_CHARS} characters"),
        )));
    }
    let documents = match input.medical_documents {
        None => Ok(None),
        Some(docs) if docs.len() > MAX_DOCUMENTS => Err(Error::invalid(
            "medical_documents",
            "length",
            format!("medical_documents holds at most {MAX_DOCUMENTS} documents"),
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

fn clone_validation(e: &Error) -> Error {
    match e {
        Error::Validation(fields) => Error::Validation(fields.clone()),
        other => Error::Internal(other.to_string()),
    }
}

fn review_type_data(case_id: Uuid, rt: Option<&ReviewType>) -> serde_json::Value {
    match rt {
        Some(rt) => {
            json!({ "case_id": case_id, "review_type": { "en": rt.name_en, "ar": rt.name_ar } })
        }
        None => json!({ "case_id": case_id }),
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
        actor: (&str, ActorRole),
        event: &str,
        from: Option<CaseStatus>,
    ) -> TimelineEntry {
        TimelineEntry {
            id: self.ids.new_id(),
            case_id: case.id,
            actor_id: actor.0.to_owned(),
            actor_role: actor.1,
            event: event.to_owned(),
            from_status: from,
            to_status: Some(case.status),
            note: None,
            created_date: case.updated_date,
        }
    }

    fn submitted_notice(&self, case: &ReviewCase, rt: &ReviewType) -> Notification {
        Notification {
            id: self.ids.new_id(),
            kind: NotificationKind::CaseSubmitted,
            recipient_id: case.user_id.clone(),
            recipient_role: RecipientRole::Patient,
            lang: case.lang,
            case_id: Some(case.id),
            data: review_type_data(case.id, Some(rt)),
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
            id: self.ids.new_id(),
            user_id: user.as_str().to_owned(),
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
        };
        let actor = (user.as_str(), ActorRole::Patient);
        let event = if v.submit { "submitted" } else { "created" };
        let timeline = [self.entry(&case, actor, event, None)];
        let notices: Vec<Notification> = if v.submit {
            vec![self.submitted_notice(&case, &rt)]
        } else {
            vec![]
        };
        self.cases.insert(&case, &timeline, &notices)?;
        Ok(case)
    }

    fn owned(&self, user: &ActorId, id: Uuid) -> Result<ReviewCase> {
        self.cases
            .find_for_user(user.as_str(), id)?
            .ok_or_else(not_found)
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
        let id = parse_uuid("case_id", case_id)?;
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
            let actor = (user.as_str(), ActorRole::Patient);
            let event = if v.submit { "submitted" } else { "updated" };
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
        let id = parse_uuid("case_id", case_id)?;
        if docs.is_empty() {
            return Err(Error::invalid(
                "med_docs",
                "length",
                "med_docs must hold at least one document",
            ));
        }
        let docs = MedicalDocument::parse_all("med_docs", docs)?;
        let mut current = self.owned(user, id)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            current.status.apply(CaseAction::AddDocuments)?;
            let total = current.medical_documents.len() + docs.len();
            if total > MAX_DOCUMENTS {
                return Err(Error::invalid(
                    "med_docs",
                    "length",
                    format!(
                        "A case holds at most {MAX_DOCUMENTS} medical documents: it has {} and {} were sent",
                        current.medical_documents.len(),
                        docs.len()
                    ),
                ));
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
                (user.as_str(), ActorRole::Patient),
                "documents_added",
                Some(current.status),
            );
            entry.note = Some(format!("{} document(s) added", docs.len()));
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
        let items = self
            .cases
            .list_for_user(user.as_str(), page.limit(), page.offset())?;
        let total = self.cases.count_for_user(user.as_str())?;
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
        let id = parse_uuid("case_id", case_id)?;
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
                let notice = Notification {
                    id: self.ids.new_id(),
                    kind: NotificationKind::DraftReminder,
                    recipient_id: case.user_id.clone(),
                    recipient_role: RecipientRole::Patient,
                    lang: case.lang,
                    case_id: Some(case.id),
                    data: review_type_data(case.id, rt.as_ref()),
                    created_date: now,
                };
                let entry = TimelineEntry {
                    id: self.ids.new_id(),
                    case_id: case.id,
                    actor_id: "system".into(),
                    actor_role: ActorRole::System,
                    event: "draft_reminder_sent".into(),
                    from_status: Some(case.status),
                    to_status: Some(case.status),
                    note: Some(NotificationKind::DraftReminder.code().into()),
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::kernel::ids::MockIdGenerator;
    use crate::kernel::time::MockClock;
    use crate::second_opinion::case::MockCaseRepository;
    use crate::second_opinion::catalogue::{DiseaseCategory, MockCatalogueRepository};
    use time::OffsetDateTime;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);
    const RT: &str = "0193a1c0-0000-7000-8000-000000000001";
    const DC: &str = "0193a1c0-0000-7000-8000-000000000101";
    const CASE: &str = "0193a1c0-0000-7000-8000-00000000ca5e";

    fn user() -> ActorId {
        ActorId::parse("patient-1").unwrap()
    }

    fn catalogue(active: bool) -> CatalogueService {
        let mut repo = MockCatalogueRepository::new();
        repo.expect_find_review_type().returning(move |id| {
            Ok(Some(ReviewType {
                id,
                name_en: "Standard Review".into(),
                name_ar: "مراجعة قياسية".into(),
                description_en: String::new(),
                description_ar: String::new(),
                min_review_days: 8,
                max_review_days: 12,
                doctor_count: 3,
                price_minor: 90_000,
                currency: "USD".into(),
                icon: None,
                active,
                created_date: NOW,
                updated_date: NOW,
            }))
        });
        repo.expect_find_disease_category().returning(|id| {
            Ok(Some(DiseaseCategory {
                id,
                speciality_en: "Cardiology".into(),
                speciality_ar: "أمراض القلب".into(),
                active: true,
                created_date: NOW,
                updated_date: NOW,
            }))
        });
        CatalogueService::new(Arc::new(repo), clock(), ids())
    }

    fn clock() -> Arc<MockClock> {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(NOW);
        Arc::new(clock)
    }

    fn ids() -> Arc<MockIdGenerator> {
        let counter = Arc::new(AtomicU64::new(1));
        let mut ids = MockIdGenerator::new();
        ids.expect_new_id()
            .returning(move || Uuid::from_u128(u128::from(counter.fetch_add(1, Ordering::SeqCst))));
        Arc::new(ids)
    }

    fn service(cases: MockCaseRepository, active: bool) -> CaseService {
        CaseService::new(Arc::new(cases), catalogue(active), clock(), ids())
    }

    fn input(status: &str) -> CaseInput {
        CaseInput {
            rt_id: RT.into(),
            dc_id: DC.into(),
            patient_age: 54,
            patient_gender: "female".into(),
            status: status.into(),
            medical_history: Some("  Hypertension since 2019  ".into()),
            medical_documents: None,
        }
    }

    fn stored(status: CaseStatus, docs: usize) -> ReviewCase {
        ReviewCase {
            id: Uuid::parse_str(CASE).unwrap(),
            user_id: "patient-1".into(),
            rt_id: Uuid::parse_str(RT).unwrap(),
            dc_id: Uuid::parse_str(DC).unwrap(),
            patient_age: PatientAge::parse(50).unwrap(),
            patient_gender: Gender::Male,
            status,
            medical_history: Some("old history".into()),
            medical_documents: (0..docs)
                .map(|i| MedicalDocument {
                    url: format!("u{i}"),
                    key: format!("k{i}"),
                    name: format!("n{i}"),
                })
                .collect(),
            reject_reason: None,
            case_coordinator_id: None,
            lang: Lang::En,
            is_notified: false,
            version: 4,
            created_date: datetime!(2026-11-20 08:00 UTC),
            updated_date: datetime!(2026-11-20 08:00 UTC),
        }
    }

    fn field_names(e: Error) -> Vec<String> {
        match e {
            Error::Validation(f) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("expected validation, got {other:?}"),
        }
    }

    #[test]
    fn saving_a_draft_writes_the_case_and_its_timeline_without_notifying() {
        let mut cases = MockCaseRepository::new();
        cases
            .expect_insert()
            .withf(|case, timeline, notices| {
                case.status == CaseStatus::Draft
                    && case.user_id == "patient-1"
                    && case.medical_history.as_deref() == Some("Hypertension since 2019")
                    && case.medical_documents.is_empty()
                    && case.lang == Lang::Ar
                    && case.version == 1
                    && timeline.len() == 1
                    && timeline[0].event == "created"
                    && timeline[0].to_status == Some(CaseStatus::Draft)
                    && notices.is_empty()
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let case = service(cases, true)
            .save(&user(), Lang::Ar, input("draft"))
            .unwrap();
        assert_eq!(case.created_date, NOW);
    }

    #[test]
    fn submitting_notifies_the_patient_in_their_language() {
        let mut cases = MockCaseRepository::new();
        cases
            .expect_insert()
            .withf(|case, timeline, notices| {
                case.status == CaseStatus::Review
                    && timeline[0].event == "submitted"
                    && notices.len() == 1
                    && notices[0].kind == NotificationKind::CaseSubmitted
                    && notices[0].recipient_id == "patient-1"
                    && notices[0].lang == Lang::Ar
                    && notices[0].data["review_type"]["ar"] == "مراجعة قياسية"
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        service(cases, true)
            .save(&user(), Lang::Ar, input("review"))
            .unwrap();
    }

    #[test]
    fn every_bad_field_is_reported_at_once_and_nothing_is_written() {
        let mut cases = MockCaseRepository::new();
        cases.expect_insert().never();
        let bad = CaseInput {
            rt_id: "nope".into(),
            dc_id: DC.into(),
            patient_age: 151,
            patient_gender: "other".into(),
            status: "rejected".into(),
            medical_history: None,
            medical_documents: Some(vec![MedicalDocument {
                url: String::new(),
                key: "k".into(),
                name: "n".into(),
            }]),
        };
        let names = field_names(
            service(cases, true)
                .save(&user(), Lang::En, bad)
                .unwrap_err(),
        );
        assert_eq!(
            names,
            [
                "rt_id",
                "patient_age",
                "patient_gender",
                "status",
                "medical_documents[0].url"
            ]
        );
    }

    #[test]
    fn an_inactive_review_type_is_a_400_on_rt_id() {
        let mut cases = MockCaseRepository::new();
        cases.expect_insert().never();
        let names = field_names(
            service(cases, false)
                .save(&user(), Lang::En, input("draft"))
                .unwrap_err(),
        );
        assert_eq!(names, ["rt_id"]);
    }

    #[test]
    fn another_users_case_is_not_found() {
        let mut cases = MockCaseRepository::new();
        cases.expect_find_for_user().returning(|_, _| Ok(None));
        cases.expect_update().never();
        let s = service(cases, true);
        assert!(matches!(
            s.update(&user(), Lang::En, CASE, input("draft")),
            Err(Error::NotFound(_))
        ));
        assert!(matches!(s.details(&user(), CASE), Err(Error::NotFound(_))));
        let doc = MedicalDocument {
            url: "u".into(),
            key: "k".into(),
            name: "n".into(),
        };
        assert!(matches!(
            s.add_documents(&user(), CASE, vec![doc]),
            Err(Error::NotFound(_))
        ));
    }

    #[test]
    fn only_drafts_change() {
        let mut cases = MockCaseRepository::new();
        cases
            .expect_find_for_user()
            .returning(|_, _| Ok(Some(stored(CaseStatus::Review, 0))));
        cases.expect_update().never();
        let err = service(cases, true)
            .update(&user(), Lang::En, CASE, input("draft"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Updating is not possible while the case is review"
        );
    }

    #[test]
    fn an_update_keeps_what_it_does_not_send_and_is_conditional_on_the_version() {
        let mut cases = MockCaseRepository::new();
        cases
            .expect_find_for_user()
            .returning(|_, _| Ok(Some(stored(CaseStatus::Draft, 3))));
        cases
            .expect_update()
            .withf(|case, expected, timeline, notices| {
                *expected == 4
                    && case.version == 5
                    && case.medical_documents.len() == 3
                    && case.patient_age.years() == 54
                    && case.status == CaseStatus::Review
                    && timeline[0].from_status == Some(CaseStatus::Draft)
                    && notices.len() == 1
            })
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        let mut i = input("review");
        i.medical_history = None;
        let case = service(cases, true)
            .update(&user(), Lang::En, CASE, i)
            .unwrap();
        assert_eq!(case.medical_history.as_deref(), Some("old history"));
    }

    #[test]
    fn a_lost_race_is_retried_on_a_fresh_read() {
        let mut cases = MockCaseRepository::new();
        cases
            .expect_find_for_user()
            .times(2)
            .returning(|_, _| Ok(Some(stored(CaseStatus::Draft, 49))));
        let mut seq = mockall::Sequence::new();
        cases
            .expect_update()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _, _| Err(Error::Conflict("changed".into())));
        cases
            .expect_update()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _, _| Ok(()));
        let doc = MedicalDocument {
            url: "u".into(),
            key: "k".into(),
            name: "n".into(),
        };
        let case = service(cases, true)
            .add_documents(&user(), CASE, vec![doc])
            .unwrap();
        assert_eq!(case.medical_documents.len(), 50);
    }

    #[test]
    fn fifty_documents_at_most() {
        let mut cases = MockCaseRepository::new();
        cases
            .expect_find_for_user()
            .returning(|_, _| Ok(Some(stored(CaseStatus::Draft, 49))));
        cases.expect_update().never();
        let doc = MedicalDocument {
            url: "u".into(),
            key: "k".into(),
            name: "n".into(),
        };
        let err = service(cases, true)
            .add_documents(&user(), CASE, vec![doc.clone(), doc])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "A case holds at most 50 medical documents: it has 49 and 2 were sent"
        );
    }

    #[test]
    fn reminders_go_to_whoever_wins_the_flag() {
        let mut cases = MockCaseRepository::new();
        cases
            .expect_reminder_candidates()
            .withf(|cutoff, _| *cutoff == NOW - REMINDER_AFTER)
            .returning(|_, _| {
                let mut ar = stored(CaseStatus::Draft, 0);
                ar.lang = Lang::Ar;
                Ok(vec![stored(CaseStatus::Draft, 0), ar])
            });
        let mut seq = mockall::Sequence::new();
        cases
            .expect_flag_reminder()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(false));
        cases
            .expect_flag_reminder()
            .withf(|_, notice, entry| {
                notice.kind == NotificationKind::DraftReminder
                    && notice.lang == Lang::Ar
                    && entry.event == "draft_reminder_sent"
                    && entry.actor_role == ActorRole::System
            })
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(true));
        let report = service(cases, true).process_draft_reminders().unwrap();
        assert_eq!(
            report,
            ReminderReport {
                eligible: 2,
                notified: 1
            }
        );
    }
}
