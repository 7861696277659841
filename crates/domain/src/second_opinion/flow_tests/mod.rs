//! Tests of the case flow's services against mocks of the ports.
//!
//! [`Ports`] holds one mock per port; a test sets only the expectations it needs, then builds the
//! flow: a fixed clock at [`NOW`], ids 1, 2, 3, …, and a catalogue that knows the fixtures' review
//! type (900 USD, 8 to 12 days) and disease category.
//!
//! The cast: the patient `patient-1` writes in Arabic; `EMP1` (English) coordinates the case once it
//! has a coordinator; `EMP2` (Arabic) and `EMP3` (English) are specialists; `EMP4` (Arabic) is
//! another coordinator. Every stored case is at version 4, so a write is version 5 over 4.

mod admin_cases;
mod admin_decisions;
mod case_query;
mod patient_flow;
mod payments;
mod pro_cases;
mod pro_summary;
mod report;

use std::fmt::Debug;
use std::sync::Arc;

use time::OffsetDateTime;
use time::macros::datetime;

use super::case::{
    CaseCommit, MockAssignmentRepository, MockCaseRepository, ReviewCase, TimelineEvent,
};
use super::catalogue::{CatalogueService, MockCatalogueRepository};
use super::payment::{MockPaymentRepository, Payment, PaymentStatus};
use super::pro_cases::{ProCaseService, ReportParts};
use super::provider::{Eligibility, MockProviderRepository, Provider};
use super::{Assignment, CaseFlow, CaseStatus};
use crate::kernel::blob::MockBlobStore;
use crate::kernel::ids::{ActorId, CaseId, PaymentId, SopId};
use crate::kernel::lang::Lang;
use crate::kernel::money::{Currency, Money};
use crate::kernel::report::MockReportRenderer;
use crate::kernel::text::{Key, Text};
use crate::notifications::{Bilingual, NotificationKind, RecipientRole};
use crate::testing::{self, FixedClock, NOW, SequentialIds};
use crate::{Error, Result};

/// The fixture case's id, as a client sends it.
const CASE: &str = "0193a1c0-0000-7000-8000-00000000ca5e";
const PATIENT: &str = "patient-1";
const ADMIN: &str = "admin-1";
/// The case's coordinator (English).
const COORDINATOR: &str = "EMP1";
/// A specialist (Arabic).
const DOCTOR: &str = "EMP2";
/// Another specialist (English).
const DOCTOR_2: &str = "EMP3";
/// Another coordinator (Arabic).
const OTHER_COORDINATOR: &str = "EMP4";
/// Where the fake gateway sends patients to pay.
const CHECKOUT: &str = "https://pay.example.org/checkout/";

/// When the stored case was submitted (and last written).
const SUBMITTED: OffsetDateTime = datetime!(2026-11-20 08:00 UTC);
/// When the stored case's first specialist was assigned.
const ASSIGNED: OffsetDateTime = datetime!(2026-11-21 09:30 UTC);

fn actor(id: &str) -> ActorId {
    ActorId::from_stored(id.to_owned())
}

fn case_id() -> CaseId {
    testing::review_case().id
}

/// The language the cast's providers read: Arabic for `EMP2` and `EMP4`, else English.
fn lang_of(id: &str) -> Lang {
    if matches!(id, DOCTOR | OTHER_COORDINATOR) {
        Lang::Ar
    } else {
        Lang::En
    }
}

/// An active cardiologist called "Dr. <id>" / "د. <id>".
fn provider(id: &str) -> Provider {
    Provider {
        id: actor(id),
        name_en: format!("Dr. {id}"),
        name_ar: format!("د. {id}"),
        speciality_en: "Cardiology".into(),
        speciality_ar: "أمراض القلب".into(),
        email: None,
        phone: None,
        lang: lang_of(id),
        active: true,
        created_date: SUBMITTED,
        updated_date: SUBMITTED,
    }
}

/// A provider's names, as notifications carry them.
fn names(id: &str) -> Bilingual {
    Bilingual {
        en: format!("Dr. {id}"),
        ar: format!("د. {id}"),
    }
}

/// The fixture case at `status`, version 4, in Arabic; from `awaiting_payment` on coordinated by
/// `EMP1`, from `doctors_assigned` on with its doctors assigned at [`ASSIGNED`].
fn case_at(status: CaseStatus) -> ReviewCase {
    use CaseStatus as S;
    let coordinated = matches!(
        status,
        S::AwaitingPayment | S::Paid | S::DoctorsAssigned | S::Completed
    );
    ReviewCase {
        status,
        lang: Lang::Ar,
        version: 4,
        created_date: SUBMITTED,
        updated_date: SUBMITTED,
        case_coordinator_id: coordinated.then(|| actor(COORDINATOR)),
        doctors_assigned_date: matches!(status, S::DoctorsAssigned | S::Completed)
            .then_some(ASSIGNED),
        ..testing::review_case()
    }
}

fn sop_id(n: u128) -> SopId {
    SopId::from_uuid(testing::uuid(0x5000 + n))
}

/// Assignment `n`'s id, as a client sends it.
fn sop(n: u128) -> String {
    sop_id(n).to_string()
}

/// Assignment `n` of `doctor` on the case: active, nothing asked, no opinion.
fn assignment(n: u128, doctor: &str, coordinator: bool) -> Assignment {
    Assignment::new(
        sop_id(n),
        case_id(),
        actor(doctor),
        coordinator,
        Vec::new(),
        SUBMITTED,
    )
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD)
}

/// The case's payment of 900 USD.
fn payment(status: PaymentStatus) -> Payment {
    let id = PaymentId::from_uuid(testing::uuid(0xba1));
    Payment {
        id,
        case_id: case_id(),
        amount: usd(90_000),
        status,
        url: format!("{CHECKOUT}{id}"),
        created_date: SUBMITTED,
        paid_date: None,
        paid_by: None,
    }
}

/// One mock per port of a [`CaseFlow`].
#[derive(Default)]
struct Ports {
    cases: MockCaseRepository,
    assignments: MockAssignmentRepository,
    payments: MockPaymentRepository,
    providers: MockProviderRepository,
    catalogue: MockCatalogueRepository,
}

impl Ports {
    fn new() -> Self {
        Self::default()
    }

    /// `find` answers `case`, however often it is asked.
    fn stored(&mut self, case: ReviewCase) -> &mut Self {
        self.cases
            .expect_find()
            .returning(move |_| Ok(Some(case.clone())));
        self
    }

    /// The case's assignments: `for_case` answers all of them, `assignment` the one asked for.
    fn on_case(&mut self, list: Vec<Assignment>) -> &mut Self {
        let all = list.clone();
        self.assignments
            .expect_for_case()
            .returning(move |_| Ok(all.clone()));
        self.assignments
            .expect_assignment()
            .returning(move |id| Ok(list.iter().find(|a| a.id == id).cloned()));
        self
    }

    /// The providers `find_provider` knows (see [`provider`]).
    fn known(&mut self, ids: &[&str]) -> &mut Self {
        let ids: Vec<String> = ids.iter().map(|&id| id.to_owned()).collect();
        self.providers.expect_find_provider().returning(move |id| {
            Ok(ids
                .iter()
                .any(|known| known == id.as_str())
                .then(|| provider(id.as_str())))
        });
        self
    }

    /// The active providers `eligible` lists for the case's category `as_`.
    fn eligible(&mut self, as_: Eligibility, ids: &[&str]) -> &mut Self {
        let list: Vec<Provider> = ids.iter().map(|&id| provider(id)).collect();
        let dc = category_id();
        self.providers
            .expect_eligible()
            .withf(move |dc_id, e| *dc_id == dc && *e == as_)
            .returning(move |_, _| Ok(list.clone()));
        self
    }

    /// Exactly one commit, which `check` accepts.
    fn commits(&mut self, check: impl Fn(&CaseCommit) -> bool + Send + 'static) -> &mut Self {
        self.cases
            .expect_commit()
            .withf(check)
            .times(1)
            .returning(|_| Ok(()));
        self
    }

    /// Nothing may be committed.
    fn no_commit(&mut self) -> &mut Self {
        self.cases.expect_commit().never();
        self
    }

    /// The flow over these mocks (the catalogue's fixtures are added after the test's own
    /// expectations, which therefore come first).
    fn flow(mut self) -> CaseFlow {
        self.catalogue.expect_find_review_type().returning(|id| {
            Ok(Some(super::ReviewType {
                id,
                ..testing::review_type()
            }))
        });
        self.catalogue
            .expect_find_disease_category()
            .returning(|id| {
                Ok(Some(super::DiseaseCategory {
                    id,
                    ..testing::disease_category()
                }))
            });
        let clock = Arc::new(FixedClock(NOW));
        let ids = Arc::new(SequentialIds::default());
        CaseFlow {
            cases: Arc::new(self.cases),
            assignments: Arc::new(self.assignments),
            payments: Arc::new(self.payments),
            providers: Arc::new(self.providers),
            catalogue: CatalogueService::new(Arc::new(self.catalogue), clock.clone(), ids.clone()),
            clock,
            ids,
        }
    }
}

fn category_id() -> crate::kernel::ids::DiseaseCategoryId {
    testing::disease_category().id
}

/// Who issues the final reports.
fn issuer() -> Bilingual {
    Bilingual {
        en: "Medical Care Platform".into(),
        ar: "منصة الرعاية الطبية".into(),
    }
}

/// The pro service over `ports`, with a renderer and a blob store that must not be used.
fn pro(ports: Ports) -> ProCaseService {
    let mut renderer = MockReportRenderer::new();
    renderer.expect_render().never();
    let mut blobs = MockBlobStore::new();
    blobs.expect_stage().never();
    blobs.expect_commit().never();
    pro_reporting(ports, renderer, blobs)
}

fn pro_reporting(
    ports: Ports,
    renderer: MockReportRenderer,
    blobs: MockBlobStore,
) -> ProCaseService {
    ProCaseService::new(
        ports.flow(),
        ReportParts {
            renderer: Arc::new(renderer),
            blobs: Arc::new(blobs),
            issuer: issuer(),
        },
    )
}

/// Whether `c` writes the case at `status`, version 5 over the 4 it was read at, now.
fn writes(c: &CaseCommit, status: CaseStatus) -> bool {
    c.case.status == status
        && c.case.version == 5
        && c.expected_version == 4
        && c.case.updated_date == NOW
}

/// The events of a commit's timeline entries, in order.
fn events(c: &CaseCommit) -> Vec<TimelineEvent> {
    c.timeline.iter().map(|e| e.event).collect()
}

/// Each notification of a commit: kind, recipient, their role and the language it is written in.
fn notices(c: &CaseCommit) -> Vec<(NotificationKind, String, RecipientRole, Lang)> {
    c.notifications
        .iter()
        .map(|n| {
            (
                n.kind(),
                n.recipient_id.to_string(),
                n.recipient_role,
                n.lang,
            )
        })
        .collect()
}

/// `(kind, recipient, role, lang)` as [`notices`] lists it.
fn notice(
    kind: NotificationKind,
    to: &str,
    role: RecipientRole,
    lang: Lang,
) -> (NotificationKind, String, RecipientRole, Lang) {
    (kind, to.to_owned(), role, lang)
}

/// The kind of a refusal (`not_found`, `conflict`, `forbidden`, `unprocessable`) and its text as
/// `Text` displays it (`case-not-found`, `not-eligible-specialist(doctor=EMP9)`).
fn refusal<T: Debug>(result: Result<T>) -> (&'static str, String) {
    let (kind, text): (&str, Text) = match result {
        Ok(v) => panic!("expected a refusal, got {v:?}"),
        Err(Error::NotFound(t)) => ("not_found", t),
        Err(Error::Conflict(t)) => ("conflict", t),
        Err(Error::Forbidden(t)) => ("forbidden", t),
        Err(Error::Unprocessable(t)) => ("unprocessable", t),
        Err(other) => panic!("expected a refusal with a reason, got {other:?}"),
    };
    (kind, text.to_string())
}

/// `transition-refused(action=…, status=…)`: what a refused transition says.
fn refused(action: &str, status: CaseStatus) -> (&'static str, String) {
    (
        "conflict",
        format!(
            "transition-refused(action=action-name(value={action}), status=case-status-name(value={status}))"
        ),
    )
}

/// Each field of a validation error with its reason.
fn invalid<T: Debug>(result: Result<T>) -> Vec<(String, String)> {
    match result {
        Err(Error::Validation(fields)) => fields
            .into_iter()
            .map(|f| (f.field, f.text.to_string()))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// A `Conflict(CaseChanged)`: the write lost a race.
fn case_changed() -> Error {
    Error::conflict(Key::CaseChanged)
}
