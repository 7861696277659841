//! Real receivers on loopback, an in-memory outbox and a clock the tests move.

pub mod mime;
pub mod outbox;
pub mod smtp;

use std::sync::Mutex;

use domain::kernel::lang::Lang;
use domain::kernel::time::Clock;
use domain::notifications::{Notification, NotificationKind, RecipientRole};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

pub const T0: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    pub fn at(at: OffsetDateTime) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: OffsetDateTime) {
        *self.0.lock().unwrap() = at;
    }

    pub fn advance(&self, by: time::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

/// A case-submitted notification for patient `patient-7`.
pub fn notification(lang: Lang, case_id: Option<Uuid>) -> Notification {
    Notification {
        id: Uuid::now_v7(),
        kind: NotificationKind::CaseSubmitted,
        recipient_id: "patient-7".into(),
        recipient_role: RecipientRole::Patient,
        lang,
        case_id,
        data: serde_json::json!({
            "case_id": case_id.map(|id| id.to_string()),
            "review_type": { "en": "Standard Review", "ar": "مراجعة قياسية" },
        }),
        created_date: datetime!(2026-03-01 09:30:15.25 UTC),
    }
}
