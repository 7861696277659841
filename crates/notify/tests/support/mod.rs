//! Real receivers on loopback, an in-memory outbox, a clock the tests move, the real message
//! catalogues and a record of the notifications given up on.

pub mod mime;
pub mod outbox;
pub mod smtp;

use std::sync::{Arc, Mutex, OnceLock};

use domain::kernel::ids::{ActorId, CaseId};
use domain::kernel::lang::Lang;
use domain::kernel::time::Clock;
use domain::notifications::{
    Bilingual, CaseNotice, GiveUpHandler, Notification, NotificationData, NotificationKind,
    Rendered, templates,
};
use i18n::Catalogues;
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

/// The real message catalogues, loaded once.
pub fn catalogues() -> Arc<Catalogues> {
    static CATALOGUES: OnceLock<Arc<Catalogues>> = OnceLock::new();
    CATALOGUES
        .get_or_init(|| Arc::new(Catalogues::load().unwrap()))
        .clone()
}

/// A notification rendered in its recipient's language with the real catalogues.
pub fn render(notification: &Notification) -> Rendered {
    templates::render(catalogues().as_ref(), notification)
}

/// A case-submitted notification for patient `patient-7`, on a Standard Review.
///
/// Without `case_id` the notification is about no case (`case_id` is `None`); its template data
/// still names one, as every kind's data does.
pub fn notification(lang: Lang, case_id: Option<CaseId>) -> Notification {
    let review_case = domain::testing::review_case();
    let mut n = domain::testing::notification(NotificationKind::CaseSubmitted, &review_case);
    n.recipient_id = ActorId::from_stored("patient-7".into());
    n.lang = lang;
    n.case_id = case_id;
    n.data = NotificationData::CaseSubmitted(CaseNotice {
        case_id: case_id.unwrap_or_else(|| CaseId::from_uuid(Uuid::now_v7())),
        review_type: Some(Bilingual {
            en: "Standard Review".into(),
            ar: "مراجعة قياسية".into(),
        }),
    });
    n.created_date = datetime!(2026-03-01 09:30:15.25 UTC);
    n
}

/// Records every notification the dispatcher gave up on.
#[derive(Debug, Default)]
pub struct GiveUps(Mutex<Vec<Notification>>);

impl GiveUps {
    pub fn notifications(&self) -> Vec<Notification> {
        self.0.lock().unwrap().clone()
    }
}

impl GiveUpHandler for GiveUps {
    fn gave_up(&self, notification: &Notification) -> domain::Result<()> {
        self.0.lock().unwrap().push(notification.clone());
        Ok(())
    }
}
