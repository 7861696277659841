//! Catalogue rows, review cases, timeline entries and notifications, built on `domain::testing`'s
//! fixtures with what these tests need changed.

use domain::kernel::ids::{CaseId, DiseaseCategoryId, ReviewTypeId, TimelineEntryId};
use domain::kernel::money::{Currency, Money};
use domain::notifications::{Notification, NotificationKind};
use domain::second_opinion::{
    ActorRole, CaseRepository, CaseStatus, CatalogueFilter, CatalogueRepository, DiseaseCategory,
    MedicalDocument, PatientAge, ReviewCase, ReviewType, TimelineEntry, TimelineEvent,
};
use domain::testing;

use crate::support::*;

/// A review type of 900.50 USD with an icon and a fresh id.
pub fn review_type(name_en: &str, name_ar: &str, created: OffsetDateTime) -> ReviewType {
    ReviewType {
        id: ReviewTypeId::from_uuid(Uuid::now_v7()),
        name_en: name_en.to_owned(),
        name_ar: name_ar.to_owned(),
        description_en: format!("{name_en}, reviewed by specialists"),
        description_ar: format!("{name_ar}، يراجعها أخصائيون"),
        price: Money::from_minor(90_050, Currency::USD),
        icon: Some("document".to_owned()),
        created_date: created,
        updated_date: created,
        ..testing::review_type()
    }
}

/// An active disease category with a fresh id.
pub fn category(en: &str, ar: &str, created: OffsetDateTime) -> DiseaseCategory {
    DiseaseCategory {
        id: DiseaseCategoryId::from_uuid(Uuid::now_v7()),
        speciality_en: en.to_owned(),
        speciality_ar: ar.to_owned(),
        created_date: created,
        updated_date: created,
        ..testing::disease_category()
    }
}

pub fn filter(active: Option<bool>, q: Option<&str>) -> CatalogueFilter {
    CatalogueFilter {
        active,
        q: q.map(str::to_owned),
    }
}

/// The catalogue rows every case refers to.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue {
    pub rt: ReviewTypeId,
    pub dc: DiseaseCategoryId,
}

pub fn catalogue(store: &Store) -> Catalogue {
    let rt = testing::review_type();
    let dc = testing::disease_category();
    store.insert_review_type(&rt).unwrap();
    store.insert_disease_category(&dc).unwrap();
    Catalogue {
        rt: rt.id,
        dc: dc.id,
    }
}

/// A new draft of `user_id` with a fresh id and nothing optional filled in.
pub fn draft(cat: Catalogue, user_id: &str, created: OffsetDateTime) -> ReviewCase {
    ReviewCase {
        id: CaseId::from_uuid(Uuid::now_v7()),
        user_id: actor(user_id),
        rt_id: cat.rt,
        dc_id: cat.dc,
        patient_age: PatientAge::parse(42).unwrap(),
        medical_history: None,
        created_date: created,
        updated_date: created,
        ..testing::review_case()
    }
}

pub fn document(name: &str) -> MedicalDocument {
    MedicalDocument {
        url: format!("https://files.example/{name}"),
        key: format!("cases/{name}"),
        name: name.to_owned(),
    }
}

/// The case's patient did `event` at `at`.
pub fn entry(
    case: &ReviewCase,
    event: TimelineEvent,
    from: Option<CaseStatus>,
    to: Option<CaseStatus>,
    at: OffsetDateTime,
) -> TimelineEntry {
    TimelineEntry {
        id: TimelineEntryId::from_uuid(Uuid::now_v7()),
        case_id: case.id,
        actor_id: case.user_id.clone(),
        actor_role: ActorRole::Patient,
        event,
        from_status: from,
        to_status: to,
        note: None,
        created_date: at,
    }
}

/// A notification of `kind` about `case` to its patient, in the case's language, written at `at`.
pub fn notification(kind: NotificationKind, case: &ReviewCase, at: OffsetDateTime) -> Notification {
    Notification {
        lang: case.lang,
        created_date: at,
        ..testing::notification(kind, case)
    }
}

/// A notification about no case in particular (`case_id` is `NULL`), to `someone`, written at `at`.
pub fn loose_notification(at: OffsetDateTime) -> Notification {
    Notification {
        recipient_id: actor("someone"),
        case_id: None,
        created_date: at,
        ..testing::notification(NotificationKind::CaseSubmitted, &testing::review_case())
    }
}

/// The reminder's notification and timeline entry for `case`, as the reminder run writes them.
pub fn reminder(case: &ReviewCase, at: OffsetDateTime) -> (Notification, TimelineEntry) {
    let notice = notification(NotificationKind::DraftReminder, case, at);
    let entry = TimelineEntry {
        actor_id: ActorId::system(),
        actor_role: ActorRole::System,
        from_status: Some(case.status),
        to_status: Some(case.status),
        note: Some(notice.kind().code().to_owned()),
        ..entry(case, TimelineEvent::DraftReminderSent, None, None, at)
    };
    (notice, entry)
}

/// Inserts `case` with a `created` timeline entry and no notification.
pub fn insert(store: &Store, case: &ReviewCase) {
    let created = entry(
        case,
        TimelineEvent::Created,
        None,
        Some(case.status),
        case.created_date,
    );
    store.insert(case, &[created], &[]).unwrap();
}

/// The ids of `cases`, in order.
pub fn case_ids(cases: &[ReviewCase]) -> Vec<CaseId> {
    cases.iter().map(|c| c.id).collect()
}
