//! Fixtures for tests in every crate (feature `mock`): a fixed clock, predictable ids, and
//! ready-made catalogue rows, cases and notifications that tests change field by field.

use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::kernel::ids::{
    ActorId, CaseId, DiseaseCategoryId, IdGenerator, NotificationId, ReviewTypeId,
};
use crate::kernel::lang::Lang;
use crate::kernel::money::{Currency, Money};
use crate::kernel::text::{Text, Translator};
use crate::kernel::time::Clock;
use crate::notifications::{
    Bilingual, CaseNotice, DoctorNotice, DocumentsNotice, Notification, NotificationData,
    NotificationKind, PaymentNotice, RecipientRole, RejectionNotice,
};
use crate::second_opinion::{
    CaseStatus, DiseaseCategory, Gender, PatientAge, ReviewCase, ReviewType,
};

/// The instant fixtures are made at.
pub const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// Ids 1, 2, 3, … as UUIDs, so that tests can predict them.
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl IdGenerator for SequentialIds {
    fn new_id(&self) -> Uuid {
        Uuid::from_u128(u128::from(self.0.fetch_add(1, Ordering::SeqCst) + 1))
    }
}

/// A translator that writes the key and arguments, for tests that check what is said rather
/// than how (see [`Text`]'s `Display`).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyTranslator;

impl Translator for KeyTranslator {
    fn translate(&self, lang: Lang, text: &Text) -> String {
        format!("[{}] {text}", crate::kernel::code::Code::as_str(lang))
    }
}

/// A v7-looking UUID with `n` at its end, readable in failures.
pub fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0x0193_a1c0_0000_7000_8000_0000_0000_0000 | n)
}

/// Standard Review: 8 to 12 days, 3 doctors, 900 USD, active.
pub fn review_type() -> ReviewType {
    ReviewType {
        id: ReviewTypeId::from_uuid(uuid(1)),
        name_en: "Standard Review".into(),
        name_ar: "مراجعة قياسية".into(),
        description_en: "Reviewed by 3 specialist oncologists".into(),
        description_ar: "يراجعها 3 أخصائيين في الأورام".into(),
        min_review_days: 8,
        max_review_days: 12,
        doctor_count: 3,
        price: Money::from_minor(90_000, Currency::USD),
        icon: None,
        active: true,
        created_date: NOW,
        updated_date: NOW,
    }
}

/// Cardiology, active.
pub fn disease_category() -> DiseaseCategory {
    DiseaseCategory {
        id: DiseaseCategoryId::from_uuid(uuid(0x101)),
        speciality_en: "Cardiology".into(),
        speciality_ar: "أمراض القلب".into(),
        active: true,
        created_date: NOW,
        updated_date: NOW,
    }
}

/// A draft of `patient-1` on [`review_type`] and [`disease_category`], version 1.
pub fn review_case() -> ReviewCase {
    ReviewCase {
        id: CaseId::from_uuid(uuid(0xca5e)),
        user_id: ActorId::from_stored("patient-1".into()),
        rt_id: review_type().id,
        dc_id: disease_category().id,
        patient_age: PatientAge::parse(54).unwrap_or_else(|_| unreachable!()),
        patient_gender: Gender::Female,
        status: CaseStatus::Draft,
        medical_history: Some("Hypertension since 2019".into()),
        medical_documents: Vec::new(),
        reject_reason: None,
        case_coordinator_id: None,
        lang: Lang::En,
        is_notified: false,
        version: 1,
        created_date: NOW,
        updated_date: NOW,
        doctors_assigned_date: None,
        summary: None,
        completed_date: None,
        report: None,
    }
}

/// A notification of `kind` to the patient of `case`, in English.
pub fn notification(kind: NotificationKind, case: &ReviewCase) -> Notification {
    let notice = CaseNotice {
        case_id: case.id,
        review_type: Some(Bilingual {
            en: "Standard Review".into(),
            ar: "مراجعة قياسية".into(),
        }),
    };
    Notification {
        id: NotificationId::from_uuid(Uuid::now_v7()),
        recipient_id: case.user_id.clone(),
        recipient_role: RecipientRole::Patient,
        lang: Lang::En,
        case_id: Some(case.id),
        data: data(kind, notice),
        created_date: NOW,
    }
}

/// Template data of `kind` about `notice`'s case, with sample details.
pub fn data(kind: NotificationKind, notice: CaseNotice) -> NotificationData {
    use NotificationData as D;
    use NotificationKind as K;
    let doctor = Bilingual {
        en: "Dr. Lina Haddad".into(),
        ar: "د. لينا حداد".into(),
    };
    match kind {
        K::CaseSubmitted => D::CaseSubmitted(notice),
        K::DraftReminder => D::DraftReminder(notice),
        K::CaseRejected => D::CaseRejected(RejectionNotice {
            case: notice,
            reason: "The documents are unreadable".into(),
        }),
        K::PaymentRequested => D::PaymentRequested(PaymentNotice {
            case: notice,
            url: "https://pay.example.org/checkout/1".into(),
            amount: "900".into(),
            currency: "USD".into(),
        }),
        K::PaymentReceived => D::PaymentReceived(notice),
        K::DocumentsRequested => D::DocumentsRequested(DocumentsNotice {
            case: notice,
            documents: vec!["Latest ECG".into(), "Echocardiogram report".into()],
            doctor,
        }),
        K::ReportReady => D::ReportReady(notice),
        K::CoordinatorAssigned => D::CoordinatorAssigned(notice),
        K::CoordinatorReplaced => D::CoordinatorReplaced(notice),
        K::DoctorAssigned => D::DoctorAssigned(notice),
        K::DocumentsProvided => D::DocumentsProvided(DoctorNotice {
            case: notice,
            doctor,
        }),
        K::OpinionSubmitted => D::OpinionSubmitted(DoctorNotice {
            case: notice,
            doctor,
        }),
        // A code is about a declaration request, not a case; the case only lends its id.
        K::VerificationCode => D::VerificationCode(crate::notifications::CodeNotice {
            phone_number: "+380501234567".into(),
            code: "1230".into(),
            declaration_request_id: crate::declarations::DeclarationRequestId::from_uuid(
                notice.case_id.as_uuid(),
            ),
        }),
    }
}
