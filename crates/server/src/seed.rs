//! `seed-demo`: a small, realistic bilingual catalogue so that a new installation shows real data.
//! Fixed ids make it idempotent: rows that exist are left as they are.

use domain::second_opinion::{CatalogueService, NewDiseaseCategory, NewReviewType};
use domain::{Error, Result};
use uuid::Uuid;

/// What a run of the seed did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: usize,
    pub existing: usize,
}

const REVIEW_TYPES: [(&str, &str, &str, &str, &str, i32, i32, i32, f64, &str); 4] = [
    (
        "0193a1c0-0000-7000-8000-000000000001",
        "Standard Review",
        "مراجعة قياسية",
        "Reviewed by 3 specialist doctors",
        "يراجعها 3 أطباء أخصائيين",
        8,
        12,
        3,
        900.0,
        "document",
    ),
    (
        "0193a1c0-0000-7000-8000-000000000002",
        "Express Review",
        "مراجعة سريعة",
        "One senior specialist reviews your case within days",
        "يراجع حالتك أخصائي أول واحد خلال أيام",
        2,
        4,
        1,
        650.0,
        "bolt",
    ),
    (
        "0193a1c0-0000-7000-8000-000000000003",
        "Tumour Board Review",
        "مراجعة مجلس الأورام",
        "A multidisciplinary board of 5 oncology specialists",
        "مجلس متعدد التخصصات من 5 أخصائيين في الأورام",
        10,
        14,
        5,
        1800.0,
        "users",
    ),
    (
        "0193a1c0-0000-7000-8000-000000000004",
        "Imaging Second Read",
        "قراءة ثانية للأشعة",
        "A consultant radiologist re-reads your scans",
        "يعيد استشاري أشعة قراءة صورك",
        3,
        5,
        1,
        350.5,
        "scan",
    ),
];

const DISEASE_CATEGORIES: [(&str, &str, &str); 8] = [
    (
        "0193a1c0-0000-7000-8000-000000000101",
        "Cardiology",
        "أمراض القلب",
    ),
    ("0193a1c0-0000-7000-8000-000000000102", "Oncology", "الأورام"),
    (
        "0193a1c0-0000-7000-8000-000000000103",
        "Neurology",
        "الأمراض العصبية",
    ),
    (
        "0193a1c0-0000-7000-8000-000000000104",
        "Orthopaedics",
        "جراحة العظام",
    ),
    (
        "0193a1c0-0000-7000-8000-000000000105",
        "Endocrinology",
        "الغدد الصماء",
    ),
    (
        "0193a1c0-0000-7000-8000-000000000106",
        "Gastroenterology",
        "أمراض الجهاز الهضمي",
    ),
    (
        "0193a1c0-0000-7000-8000-000000000107",
        "Nephrology",
        "أمراض الكلى",
    ),
    (
        "0193a1c0-0000-7000-8000-000000000108",
        "Obstetrics and Gynaecology",
        "أمراض النساء والولادة",
    ),
];

fn id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|e| Error::Internal(format!("seed id {raw}: {e}")))
}

/// Loads the demo catalogue through the catalogue service, so it obeys every rule a real one does.
pub fn seed_demo(catalogue: &CatalogueService) -> Result<SeedReport> {
    let mut report = SeedReport::default();
    for (raw, name_en, name_ar, d_en, d_ar, min, max, doctors, price, icon) in REVIEW_TYPES {
        let new = NewReviewType {
            name_en: name_en.into(),
            name_ar: name_ar.into(),
            description_en: d_en.into(),
            description_ar: d_ar.into(),
            min_review_days: min,
            max_review_days: max,
            doctor_count: doctors,
            price,
            currency: Some("USD".into()),
            icon: Some(icon.into()),
            active: Some(true),
        };
        if catalogue.ensure_review_type(id(raw)?, new)? {
            report.created += 1;
        } else {
            report.existing += 1;
        }
    }
    for (raw, en, ar) in DISEASE_CATEGORIES {
        let new = NewDiseaseCategory {
            speciality_en: en.into(),
            speciality_ar: ar.into(),
            active: Some(true),
        };
        if catalogue.ensure_disease_category(id(raw)?, new)? {
            report.created += 1;
        } else {
            report.existing += 1;
        }
    }
    Ok(report)
}
