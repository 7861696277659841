//! `seed-load`: bulk review cases for load tests, so that list queries run against realistic volume.

use std::time::Duration;

use domain::kernel::ids::{ActorId, CaseId};
use domain::kernel::lang::Lang;
use domain::second_opinion::{CaseStatus, Gender, MedicalDocument, PatientAge, ReviewCase};
use store_diesel::Store;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::seed;

/// Writes `total` cases spread over users of `per_user` cases each; `user` owns the first
/// `per_user`, the rest belong to `load-user-N`. Returns the number written.
pub fn seed_cases(
    store: &Store,
    total: usize,
    user: &str,
    per_user: usize,
) -> anyhow::Result<usize> {
    anyhow::ensure!(per_user > 0, "--user-cases must be at least 1");
    let (rt_id, dc_id) = seed::demo_ids()?;
    let now = OffsetDateTime::now_utc();
    let doc = MedicalDocument {
        url: "https://files.example.org/report.pdf".into(),
        key: "uploads/load/report.pdf".into(),
        name: "report.pdf".into(),
    };
    let mut written = 0;
    let mut batch = Vec::with_capacity(5_000);
    for i in 0..total {
        let owner = if i < per_user {
            user.to_owned()
        } else {
            format!("load-user-{}", i / per_user)
        };
        // Spread over two years, so ordering by date has work to do.
        let at = now - Duration::from_secs(((i * 7_919) % 63_072_000) as u64);
        let status = [CaseStatus::Draft, CaseStatus::Review, CaseStatus::Completed][i % 3];
        batch.push(ReviewCase {
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
        });
        if batch.len() == batch.capacity() || i + 1 == total {
            written += store.insert_cases_bulk(&batch)?;
            batch.clear();
        }
    }
    Ok(written)
}
