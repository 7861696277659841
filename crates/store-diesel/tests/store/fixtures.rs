//! Catalogue rows, review cases, timeline entries and notifications, built on `domain::testing`'s
//! fixtures with what these tests need changed.

use domain::kernel::ids::{
    CaseId, DiseaseCategoryId, PaymentId, ReviewTypeId, SopId, TimelineEntryId,
};
use domain::kernel::lang::Lang;
use domain::kernel::money::{Currency, Money};
use domain::notifications::{Notification, NotificationKind, RecipientRole};
use domain::second_opinion::{
    ActorRole, Assignment, CaseCommit, CaseRepository, CaseStatus, CatalogueFilter,
    CatalogueRepository, DiseaseCategory, MedicalDocument, PaidBy, PatientAge, Payment,
    PaymentConfirmation, PaymentStatus, Provider, ReviewCase, ReviewType, TimelineEntry,
    TimelineEvent,
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

/// An active provider `id`, writing in English, with an email address.
pub fn provider(id: &str, name_en: &str, created: OffsetDateTime) -> Provider {
    Provider {
        id: actor(id),
        name_en: name_en.to_owned(),
        name_ar: format!("د. {name_en}"),
        speciality_en: "Cardiology".to_owned(),
        speciality_ar: "أمراض القلب".to_owned(),
        email: Some(format!("{}@clinic.example", id.to_lowercase())),
        phone: Some("+966501234567".to_owned()),
        lang: Lang::En,
        active: true,
        created_date: created,
        updated_date: created,
    }
}

/// A new active assignment of `doctor` to `case` at `at`, with nothing requested.
pub fn assignment(
    case: &ReviewCase,
    doctor: &str,
    coordinator: bool,
    at: OffsetDateTime,
) -> Assignment {
    Assignment::new(
        SopId::from_uuid(Uuid::now_v7()),
        case.id,
        actor(doctor),
        coordinator,
        Vec::new(),
        at,
    )
}

/// A pending payment of 900.50 USD for `case`, created at `at`.
pub fn payment(case: &ReviewCase, at: OffsetDateTime) -> Payment {
    let id = PaymentId::from_uuid(Uuid::now_v7());
    Payment {
        id,
        case_id: case.id,
        amount: Money::from_minor(90_050, Currency::USD),
        status: PaymentStatus::Pending,
        url: format!("https://pay.example/checkout/{id}"),
        created_date: at,
        paid_date: None,
        paid_by: None,
    }
}

/// `case` changed at `at`: its next version, read at the stored one.
pub fn next(case: &ReviewCase, at: OffsetDateTime) -> ReviewCase {
    ReviewCase {
        version: case.version + 1,
        updated_date: at,
        ..case.clone()
    }
}

/// A case in review with its catalogue, inserted: what an administrator assigns a coordinator to.
pub fn submitted(
    store: &Store,
    cat: Catalogue,
    user_id: &str,
    created: OffsetDateTime,
) -> ReviewCase {
    let mut case = draft(cat, user_id, created);
    case.status = CaseStatus::Review;
    insert(store, &case);
    case
}

/// A notification of `kind` about `case` to the provider `doctor`, in Arabic, written at `at`.
pub fn to_provider(
    kind: NotificationKind,
    case: &ReviewCase,
    doctor: &str,
    role: RecipientRole,
    at: OffsetDateTime,
) -> Notification {
    Notification {
        recipient_id: actor(doctor),
        recipient_role: role,
        lang: Lang::Ar,
        ..notification(kind, case, at)
    }
}

/// A timeline entry of `case` (at its new status) by an administrator.
fn by_admin(
    case: &ReviewCase,
    event: TimelineEvent,
    from: CaseStatus,
    note: Option<&str>,
) -> TimelineEntry {
    TimelineEntry {
        actor_id: actor("admin-1"),
        actor_role: ActorRole::Admin,
        note: note.map(str::to_owned),
        ..entry(
            case,
            event,
            Some(from),
            Some(case.status),
            case.updated_date,
        )
    }
}

/// An administrator assigns `doctor` as the coordinator of `case` (in review) at `at`: the case
/// awaits payment, with the coordinator's assignment, a new payment, two timeline entries, and
/// notifications to the coordinator and the patient.
pub fn coordinator_commit(case: &ReviewCase, doctor: &str, at: OffsetDateTime) -> CaseCommit {
    let next = ReviewCase {
        status: CaseStatus::AwaitingPayment,
        case_coordinator_id: Some(actor(doctor)),
        ..next(case, at)
    };
    let mut coordinator = assignment(&next, doctor, true, at);
    coordinator.requested_documents = vec!["Latest ECG".to_owned(), "Echo \"2\"".to_owned()];
    coordinator.requested_date = Some(at);
    CaseCommit {
        timeline: vec![
            by_admin(
                &next,
                TimelineEvent::CoordinatorAssigned,
                case.status,
                Some(doctor),
            ),
            by_admin(&next, TimelineEvent::AwaitingPayment, case.status, None),
        ],
        notifications: vec![
            to_provider(
                NotificationKind::CoordinatorAssigned,
                &next,
                doctor,
                RecipientRole::Coordinator,
                at,
            ),
            notification(NotificationKind::PaymentRequested, &next, at),
        ],
        new_assignments: vec![coordinator],
        new_payment: Some(payment(&next, at)),
        ..CaseCommit::of(next, case.version)
    }
}

/// `case` (awaiting payment) paid by `by` at `at`: its payment confirmed, the patient told.
pub fn paid_commit(
    case: &ReviewCase,
    payment: PaymentId,
    by: PaidBy,
    at: OffsetDateTime,
) -> CaseCommit {
    let next = ReviewCase {
        status: CaseStatus::Paid,
        ..next(case, at)
    };
    CaseCommit {
        timeline: vec![by_admin(
            &next,
            TimelineEvent::PaymentReceived,
            case.status,
            None,
        )],
        notifications: vec![notification(NotificationKind::PaymentReceived, &next, at)],
        paid: Some(PaymentConfirmation {
            payment_id: payment,
            at,
            by,
        }),
        ..CaseCommit::of(next, case.version)
    }
}

/// The coordinator of `case` (paid, or with doctors already) assigns the specialist `doctor` at `at`.
pub fn doctor_commit(case: &ReviewCase, doctor: &str, at: OffsetDateTime) -> CaseCommit {
    let next = ReviewCase {
        status: CaseStatus::DoctorsAssigned,
        doctors_assigned_date: case.doctors_assigned_date.or(Some(at)),
        ..next(case, at)
    };
    CaseCommit {
        timeline: vec![by_admin(
            &next,
            TimelineEvent::DoctorAssigned,
            case.status,
            Some(doctor),
        )],
        notifications: vec![to_provider(
            NotificationKind::DoctorAssigned,
            &next,
            doctor,
            RecipientRole::Doctor,
            at,
        )],
        new_assignments: vec![assignment(&next, doctor, false, at)],
        ..CaseCommit::of(next, case.version)
    }
}
