//! `seed-load`: bulk review cases for load tests, so that list queries run against realistic volume.
//! Cases past review come with their coordinator, and those with doctors with their specialists,
//! as the providers' lists find them.

use std::time::Duration;

use domain::kernel::ids::{ActorId, CaseId, SopId};
use domain::kernel::lang::Lang;
use domain::second_opinion::{
    Assignment, CaseStatus, Gender, MedicalDocument, PatientAge, ReviewCase,
};
use store_diesel::Store;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::seed;

/// Cases written per transaction, with their assignments in one more.
const BATCH: usize = 5_000;

/// The statuses the cases take in turn: a sixth of them each.
const STATUSES: [CaseStatus; 6] = [
    CaseStatus::Draft,
    CaseStatus::Review,
    CaseStatus::AwaitingPayment,
    CaseStatus::Paid,
    CaseStatus::DoctorsAssigned,
    CaseStatus::Completed,
];

/// The demo coordinators, who take turns on cases past review unless a provider is named.
const COORDINATORS: [&str; 2] = ["EMP1", "EMP2"];

/// The demo cardiologists (the load cases' category), both on every case with doctors.
const SPECIALISTS: [&str; 2] = ["EMP3", "EMP4"];

/// What `seed-load` writes.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Cases in all.
    pub total: usize,
    /// The patient who owns the first `per_user` cases; the rest belong to `load-user-N`.
    pub user: String,
    pub per_user: usize,
    /// The coordinator of the first `provider_cases` cases past review, the rest going to
    /// `load-coordinator-N` in groups of as many; without one, EMP1 and EMP2 take turns.
    pub provider: Option<String>,
    pub provider_cases: usize,
}

/// What `seed-load` wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub cases: usize,
    pub assignments: usize,
}

/// Writes the plan's cases and their assignments, in batches of 5,000 cases.
pub fn seed_cases(store: &Store, plan: &LoadPlan) -> anyhow::Result<Loaded> {
    anyhow::ensure!(plan.per_user > 0, "--user-cases must be at least 1");
    anyhow::ensure!(
        plan.provider_cases > 0,
        "--provider-cases must be at least 1"
    );
    let provider = plan.provider.as_deref().map(ActorId::parse).transpose()?;
    let (rt_id, dc_id) = seed::demo_ids()?;
    let now = OffsetDateTime::now_utc();
    let doc = MedicalDocument {
        url: "https://files.example.org/report.pdf".into(),
        key: "uploads/load/report.pdf".into(),
        name: "report.pdf".into(),
    };
    let coordinator_of = |k: usize| -> anyhow::Result<ActorId> {
        Ok(match &provider {
            Some(p) if k < plan.provider_cases => p.clone(),
            Some(_) => ActorId::parse(&format!("load-coordinator-{}", k / plan.provider_cases))?,
            None => ActorId::parse(COORDINATORS[k % COORDINATORS.len()])?,
        })
    };
    let specialists = SPECIALISTS
        .iter()
        .map(|s| ActorId::parse(s))
        .collect::<Result<Vec<_>, _>>()?;

    let mut loaded = Loaded::default();
    let mut coordinated = 0;
    let mut cases = Vec::with_capacity(BATCH);
    let mut assignments = Vec::with_capacity(BATCH);
    for i in 0..plan.total {
        let owner = if i < plan.per_user {
            plan.user.clone()
        } else {
            format!("load-user-{}", i / plan.per_user)
        };
        // Spread over two years, so ordering by date has work to do; what happened to the case
        // since follows within days (never after now).
        let at = now - Duration::from_secs(((i * 7_919) % 63_072_000) as u64);
        let later = |days: u64, hours: u64| {
            (at + Duration::from_secs((days * 24 + hours) * 3_600)).min(now)
        };
        let status = STATUSES[i % STATUSES.len()];
        let mut case = ReviewCase {
            id: CaseId::from_uuid(Uuid::now_v7()),
            user_id: ActorId::parse(&owner)?,
            rt_id,
            dc_id,
            patient_age: PatientAge::parse((i % 90) as i64)?,
            patient_gender: if i % 2 == 0 {
                Gender::Female
            } else {
                Gender::Male
            },
            status,
            medical_history: Some(
                "Type 2 diabetes, hypertension; follow-up imaging requested.".into(),
            ),
            medical_documents: vec![doc.clone()],
            reject_reason: None,
            case_coordinator_id: None,
            lang: if i % 4 == 0 { Lang::Ar } else { Lang::En },
            is_notified: status != CaseStatus::Draft,
            version: 1,
            created_date: at,
            updated_date: at,
            doctors_assigned_date: None,
            summary: None,
            completed_date: None,
            report: None,
        };
        if !matches!(status, CaseStatus::Draft | CaseStatus::Review) {
            let coordinator = coordinator_of(coordinated)?;
            coordinated += 1;
            assignments.push(Assignment::new(
                SopId::from_uuid(Uuid::now_v7()),
                case.id,
                coordinator.clone(),
                true,
                Vec::new(),
                later(0, 1),
            ));
            case.case_coordinator_id = Some(coordinator);
            case.updated_date = later(0, 2);
        }
        if matches!(status, CaseStatus::DoctorsAssigned | CaseStatus::Completed) {
            let completed = status == CaseStatus::Completed;
            for doctor in &specialists {
                if case.case_coordinator_id.as_ref() == Some(doctor) {
                    continue;
                }
                let mut specialist = Assignment::new(
                    SopId::from_uuid(Uuid::now_v7()),
                    case.id,
                    doctor.clone(),
                    false,
                    Vec::new(),
                    later(1, 0),
                );
                if completed {
                    specialist.opinion =
                        Some("No change of treatment; repeat the imaging in six months.".into());
                    specialist.opinion_date = Some(later(3, 0));
                }
                assignments.push(specialist);
            }
            case.doctors_assigned_date = Some(later(1, 0));
            case.updated_date = later(1, 0);
            if completed {
                case.summary = Some("Both opinions agree: continue the current treatment.".into());
                case.completed_date = Some(later(4, 0));
                case.updated_date = later(4, 0);
            }
        }
        cases.push(case);
        if cases.len() == BATCH || i + 1 == plan.total {
            loaded.cases += store.insert_cases_bulk(&cases)?;
            loaded.assignments += store.insert_assignments_bulk(&assignments)?;
            cases.clear();
            assignments.clear();
        }
    }
    Ok(loaded)
}
