//! Another Rust service built on the `domain` crate alone: a hospital intake desk that files
//! second-opinion cases for walk-in patients, with its own in-memory storage.
//!
//! It implements the two repository ports it needs (`CatalogueRepository`, `CaseRepository`) over
//! a `Mutex<Vec<…>>`, uses the domain's system clock and UUID v7 ids, and drives the same services
//! the platform's server does: the catalogue rules, the case lifecycle, the draft reminders.
//!
//! Run it with `cargo run -p domain --example intake_service`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::kernel::code::Code;
use domain::kernel::ids::{ActorId, CaseId, DiseaseCategoryId, ReviewTypeId, UuidV7};
use domain::kernel::lang::Lang;
use domain::kernel::money::Decimal;
use domain::kernel::paging::PageRequest;
use domain::kernel::text::Key;
use domain::kernel::time::{Clock, SystemClock};
use domain::notifications::Notification;
use domain::second_opinion::{
    CaseCommit, CaseFilter, CaseInput, CaseRepository, CaseService, CaseStatus, CatalogueFilter,
    CatalogueRepository, CatalogueService, DiseaseCategory, NewDiseaseCategory, NewReviewType,
    ReviewCase, ReviewType, TimelineEntry,
};
use domain::{Error, Result};
use time::OffsetDateTime;

/// The desk's catalogue, in memory.
#[derive(Default)]
struct MemoryCatalogue {
    review_types: Mutex<Vec<ReviewType>>,
    categories: Mutex<Vec<DiseaseCategory>>,
}

fn matches(active: bool, names: [&str; 2], filter: &CatalogueFilter) -> bool {
    filter.active.is_none_or(|a| a == active)
        && filter.q.as_ref().is_none_or(|q| {
            let q = q.to_lowercase();
            names.iter().any(|n| n.to_lowercase().contains(&q))
        })
}

fn page<T: Clone>(rows: Vec<T>, limit: i64, offset: i64) -> Vec<T> {
    rows.into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect()
}

impl CatalogueRepository for MemoryCatalogue {
    fn list_review_types(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ReviewType>> {
        let rows = lock(&self.review_types)?;
        let mut found: Vec<ReviewType> = rows
            .iter()
            .filter(|r| matches(r.active, [&r.name_en, &r.name_ar], filter))
            .cloned()
            .collect();
        found.sort_by_key(|c| std::cmp::Reverse(c.created_date));
        Ok(page(found, limit, offset))
    }

    fn count_review_types(&self, filter: &CatalogueFilter) -> Result<u64> {
        Ok(self.list_review_types(filter, i64::MAX, 0)?.len() as u64)
    }

    fn find_review_type(&self, id: ReviewTypeId) -> Result<Option<ReviewType>> {
        Ok(lock(&self.review_types)?
            .iter()
            .find(|r| r.id == id)
            .cloned())
    }

    fn insert_review_type(&self, review_type: &ReviewType) -> Result<()> {
        let mut rows = lock(&self.review_types)?;
        if rows
            .iter()
            .any(|r| r.name_en.eq_ignore_ascii_case(&review_type.name_en))
        {
            return Err(Error::conflict(Key::ReviewTypeNameTaken));
        }
        rows.push(review_type.clone());
        Ok(())
    }

    fn update_review_type(&self, review_type: &ReviewType) -> Result<()> {
        let mut rows = lock(&self.review_types)?;
        match rows.iter_mut().find(|r| r.id == review_type.id) {
            Some(row) => {
                *row = review_type.clone();
                Ok(())
            }
            None => Err(Error::not_found(Key::ReviewTypeNotFound)),
        }
    }

    fn list_disease_categories(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DiseaseCategory>> {
        let rows = lock(&self.categories)?;
        let found = rows
            .iter()
            .filter(|c| matches(c.active, [&c.speciality_en, &c.speciality_ar], filter))
            .cloned()
            .collect();
        Ok(page(found, limit, offset))
    }

    fn count_disease_categories(&self, filter: &CatalogueFilter) -> Result<u64> {
        Ok(self.list_disease_categories(filter, i64::MAX, 0)?.len() as u64)
    }

    fn find_disease_category(&self, id: DiseaseCategoryId) -> Result<Option<DiseaseCategory>> {
        Ok(lock(&self.categories)?.iter().find(|c| c.id == id).cloned())
    }

    fn insert_disease_category(&self, category: &DiseaseCategory) -> Result<()> {
        lock(&self.categories)?.push(category.clone());
        Ok(())
    }

    fn update_disease_category(&self, category: &DiseaseCategory) -> Result<()> {
        let mut rows = lock(&self.categories)?;
        match rows.iter_mut().find(|c| c.id == category.id) {
            Some(row) => {
                *row = category.clone();
                Ok(())
            }
            None => Err(Error::not_found(Key::DiseaseCategoryNotFound)),
        }
    }
}

/// The desk's cases with their timelines, in memory; notifications are printed, not sent.
#[derive(Default)]
struct MemoryCases {
    cases: Mutex<Vec<ReviewCase>>,
    timeline: Mutex<Vec<TimelineEntry>>,
}

fn lock<T>(m: &Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| Error::internal("a lock was poisoned by a panic"))
}

fn announce(notifications: &[Notification]) {
    for n in notifications {
        println!(
            "  notify {} ({}) about case {}",
            n.recipient_id,
            n.kind().as_str(),
            n.case_id.map(|c| c.to_string()).unwrap_or_default()
        );
    }
}

impl CaseRepository for MemoryCases {
    fn insert(
        &self,
        case: &ReviewCase,
        timeline: &[TimelineEntry],
        notifications: &[Notification],
    ) -> Result<()> {
        lock(&self.cases)?.push(case.clone());
        lock(&self.timeline)?.extend_from_slice(timeline);
        announce(notifications);
        Ok(())
    }

    fn update(
        &self,
        case: &ReviewCase,
        expected_version: i64,
        timeline: &[TimelineEntry],
        notifications: &[Notification],
    ) -> Result<()> {
        let mut cases = lock(&self.cases)?;
        let row = cases
            .iter_mut()
            .find(|c| c.id == case.id)
            .ok_or_else(|| Error::not_found(Key::CaseNotFound))?;
        if row.version != expected_version {
            return Err(Error::conflict(Key::CaseChanged));
        }
        *row = case.clone();
        lock(&self.timeline)?.extend_from_slice(timeline);
        announce(notifications);
        Ok(())
    }

    fn find(&self, id: CaseId) -> Result<Option<ReviewCase>> {
        Ok(lock(&self.cases)?.iter().find(|c| c.id == id).cloned())
    }

    fn find_for_user(&self, user_id: &ActorId, id: CaseId) -> Result<Option<ReviewCase>> {
        Ok(self.find(id)?.filter(|c| &c.user_id == user_id))
    }

    fn list_for_user(&self, user_id: &ActorId, limit: i64, offset: i64) -> Result<Vec<ReviewCase>> {
        let mut mine: Vec<ReviewCase> = lock(&self.cases)?
            .iter()
            .filter(|c| &c.user_id == user_id)
            .cloned()
            .collect();
        mine.sort_by_key(|c| std::cmp::Reverse(c.created_date));
        Ok(page(mine, limit, offset))
    }

    fn count_for_user(&self, user_id: &ActorId) -> Result<u64> {
        Ok(lock(&self.cases)?
            .iter()
            .filter(|c| &c.user_id == user_id)
            .count() as u64)
    }

    fn timeline(&self, case_id: CaseId) -> Result<Vec<TimelineEntry>> {
        Ok(lock(&self.timeline)?
            .iter()
            .filter(|t| t.case_id == case_id)
            .cloned()
            .collect())
    }

    fn reminder_candidates(&self, cutoff: OffsetDateTime, limit: i64) -> Result<Vec<ReviewCase>> {
        let due = lock(&self.cases)?
            .iter()
            .filter(|c| c.status == CaseStatus::Draft && !c.is_notified && c.created_date <= cutoff)
            .cloned()
            .collect();
        Ok(page(due, limit, 0))
    }

    fn flag_reminder(
        &self,
        case_id: CaseId,
        notification: &Notification,
        timeline: &TimelineEntry,
    ) -> Result<bool> {
        let mut cases = lock(&self.cases)?;
        let Some(case) = cases
            .iter_mut()
            .find(|c| c.id == case_id && c.status == CaseStatus::Draft && !c.is_notified)
        else {
            return Ok(false);
        };
        case.is_notified = true;
        case.version += 1;
        lock(&self.timeline)?.push(timeline.clone());
        announce(std::slice::from_ref(notification));
        Ok(true)
    }

    /// The intake desk files cases and reminds; the later steps (assignments, payments) belong to
    /// the platform, so a commit here writes the case, its timeline and notifications only.
    fn commit(&self, commit: &CaseCommit) -> Result<()> {
        self.update(
            &commit.case,
            commit.expected_version,
            &commit.timeline,
            &commit.notifications,
        )
    }

    fn list_cases(&self, filter: &CaseFilter, limit: i64, offset: i64) -> Result<Vec<ReviewCase>> {
        let mut found: Vec<ReviewCase> = lock(&self.cases)?
            .iter()
            .filter(|c| filter.status.is_none_or(|s| s == c.status))
            .cloned()
            .collect();
        found.sort_by_key(|c| std::cmp::Reverse(c.created_date));
        Ok(page(found, limit, offset))
    }

    fn count_cases(&self, filter: &CaseFilter) -> Result<u64> {
        Ok(self.list_cases(filter, i64::MAX, 0)?.len() as u64)
    }

    fn release_reminder(&self, case_id: CaseId) -> Result<bool> {
        let mut cases = lock(&self.cases)?;
        Ok(
            match cases.iter_mut().find(|c| c.id == case_id && c.is_notified) {
                Some(case) => {
                    case.is_notified = false;
                    true
                }
                None => false,
            },
        )
    }
}

/// A clock a day ahead, to let the desk's drafts come due for their reminder.
struct Tomorrow;

impl Clock for Tomorrow {
    fn now(&self) -> OffsetDateTime {
        SystemClock.now() + Duration::from_secs(25 * 3600)
    }
}

fn main() -> Result<()> {
    let clock = Arc::new(SystemClock);
    let ids = Arc::new(UuidV7);
    let catalogue = CatalogueService::new(
        Arc::new(MemoryCatalogue::default()),
        clock.clone(),
        ids.clone(),
    );
    let cases_store = Arc::new(MemoryCases::default());
    let cases = CaseService::new(cases_store.clone(), catalogue.clone(), clock, ids.clone());

    let rt = catalogue.create_review_type(NewReviewType {
        name_en: "Standard Review".into(),
        name_ar: "مراجعة قياسية".into(),
        description_en: "Reviewed by 3 specialist doctors".into(),
        description_ar: "يراجعها 3 أطباء أخصائيين".into(),
        min_review_days: 8,
        max_review_days: 12,
        doctor_count: 3,
        price: Decimal::parse("900.50").ok_or_else(|| Error::internal("a literal amount"))?,
        currency: Some("USD".into()),
        icon: None,
        active: None,
    })?;
    let dc = catalogue.create_disease_category(NewDiseaseCategory {
        speciality_en: "Cardiology".into(),
        speciality_ar: "أمراض القلب".into(),
        active: None,
    })?;
    println!(
        "catalogue: {} at {} ({} doctors)",
        rt.name_en, rt.price, rt.doctor_count
    );

    let patient = ActorId::parse("walk-in-0042")?;
    let input = |status: &str| CaseInput {
        rt_id: rt.id.to_string(),
        dc_id: dc.id.to_string(),
        patient_age: 61,
        patient_gender: "female".into(),
        status: status.into(),
        medical_history: Some("Atrial fibrillation since 2021".into()),
        medical_documents: None,
    };
    let draft = cases.save(&patient, Lang::Ar, input("draft"))?;
    println!("saved case {} as {}", draft.id, draft.status);

    // The rules hold here exactly as on the platform: a bad age is refused, naming the field.
    let mut wrong = input("draft");
    wrong.patient_age = 151;
    if let Err(Error::Validation(fields)) = cases.save(&patient, Lang::En, wrong) {
        println!("refused: {} ({})", fields[0].field, fields[0].text);
    }

    // A day later the draft is due for its reminder, once.
    let tomorrow = CaseService::new(cases_store, catalogue, Arc::new(Tomorrow), ids);
    let report = tomorrow.process_draft_reminders()?;
    println!(
        "reminders: {} eligible, {} written",
        report.eligible, report.notified
    );

    let submitted = cases.update(&patient, Lang::Ar, &draft.id.to_string(), input("review"))?;
    println!("submitted: {} -> {}", draft.status, submitted.status);
    let list = cases.list(&patient, PageRequest::default())?;
    let (_, timeline) = cases.details(&patient, &draft.id.to_string())?;
    println!(
        "{} case(s); timeline: {}",
        list.total,
        timeline
            .iter()
            .map(|t| t.event.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    );
    Ok(())
}
