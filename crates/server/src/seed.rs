//! `seed-demo`: a small, realistic bilingual catalogue so that a new installation shows real data.
//! Fixed ids make it idempotent: rows that exist are left as they are.

use domain::kernel::ids::{DiseaseCategoryId, ReviewTypeId};
use domain::kernel::money::Decimal;
use domain::second_opinion::{
    CatalogueService, Eligibility, NewDiseaseCategory, NewReviewType, ProviderInput,
    ProviderService,
};
use domain::{Error, Result};
use uuid::Uuid;

/// What a run of the seed did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: usize,
    pub existing: usize,
}

/// One demo review type.
struct DemoReviewType {
    id: &'static str,
    name: (&'static str, &'static str),
    description: (&'static str, &'static str),
    days: (i32, i32),
    doctors: i32,
    /// In major units, as an administrator would type it.
    price: &'static str,
    icon: &'static str,
}

const REVIEW_TYPES: [DemoReviewType; 4] = [
    DemoReviewType {
        id: "0193a1c0-0000-7000-8000-000000000001",
        name: ("Standard Review", "مراجعة قياسية"),
        description: (
            "Reviewed by 3 specialist doctors",
            "يراجعها 3 أطباء أخصائيين",
        ),
        days: (8, 12),
        doctors: 3,
        price: "900",
        icon: "document",
    },
    DemoReviewType {
        id: "0193a1c0-0000-7000-8000-000000000002",
        name: ("Express Review", "مراجعة سريعة"),
        description: (
            "One senior specialist reviews your case within days",
            "يراجع حالتك أخصائي أول واحد خلال أيام",
        ),
        days: (2, 4),
        doctors: 1,
        price: "650",
        icon: "bolt",
    },
    DemoReviewType {
        id: "0193a1c0-0000-7000-8000-000000000003",
        name: ("Tumour Board Review", "مراجعة مجلس الأورام"),
        description: (
            "A multidisciplinary board of 5 oncology specialists",
            "مجلس متعدد التخصصات من 5 أخصائيين في الأورام",
        ),
        days: (10, 14),
        doctors: 5,
        price: "1800",
        icon: "users",
    },
    DemoReviewType {
        id: "0193a1c0-0000-7000-8000-000000000004",
        name: ("Imaging Second Read", "قراءة ثانية للأشعة"),
        description: (
            "A consultant radiologist re-reads your scans",
            "يعيد استشاري أشعة قراءة صورك",
        ),
        days: (3, 5),
        doctors: 1,
        price: "350.50",
        icon: "scan",
    },
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

fn id<T: From<Uuid>>(raw: &str) -> Result<T> {
    Uuid::parse_str(raw)
        .map(T::from)
        .map_err(|e| Error::Internal(domain::Cause::with_source(format!("seed id {raw}"), e)))
}

/// The demo catalogue's Standard Review and Cardiology ids (for load data that names them).
pub fn demo_ids() -> Result<(ReviewTypeId, DiseaseCategoryId)> {
    Ok((id(REVIEW_TYPES[0].id)?, id(DISEASE_CATEGORIES[0].0)?))
}

/// Loads the demo catalogue through the catalogue service, so it obeys every rule a real one does.
pub fn seed_demo(catalogue: &CatalogueService) -> Result<SeedReport> {
    let mut report = SeedReport::default();
    for demo in &REVIEW_TYPES {
        let new = NewReviewType {
            name_en: demo.name.0.into(),
            name_ar: demo.name.1.into(),
            description_en: demo.description.0.into(),
            description_ar: demo.description.1.into(),
            min_review_days: demo.days.0,
            max_review_days: demo.days.1,
            doctor_count: demo.doctors,
            price: Decimal::parse(demo.price)
                .ok_or_else(|| Error::internal(format!("seed price {}", demo.price)))?,
            currency: Some("USD".into()),
            icon: Some(demo.icon.into()),
            active: Some(true),
        };
        if catalogue.ensure_review_type(id(demo.id)?, new)? {
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

/// A text in English and in Arabic.
type Bilingual = (&'static str, &'static str);

/// The two demo coordinators (every category): id, names in English and Arabic, speciality.
const COORDINATORS: [(&str, Bilingual, Bilingual); 2] = [
    (
        "EMP1",
        ("Dr. Lina Haddad", "د. لينا حداد"),
        ("Internal Medicine", "الطب الباطني"),
    ),
    (
        "EMP2",
        ("Dr. Omar Khalil", "د. عمر خليل"),
        ("Family Medicine", "طب الأسرة"),
    ),
];

/// Two specialists per demo category, in the order of [`DISEASE_CATEGORIES`]: `EMP3` and `EMP4`
/// are the cardiologists, `EMP5` and `EMP6` the oncologists, and so on to `EMP18`.
const SPECIALISTS: [(&str, &str); 16] = [
    ("Dr. Sara Nasser", "د. سارة ناصر"),
    ("Dr. Nadia Said", "د. نادية سعيد"),
    ("Dr. Youssef Saleh", "د. يوسف صالح"),
    ("Dr. Laila Odeh", "د. ليلى عودة"),
    ("Dr. Mona Fares", "د. منى فارس"),
    ("Dr. Sami Barakat", "د. سامي بركات"),
    ("Dr. Karim Aziz", "د. كريم عزيز"),
    ("Dr. Dana Qasem", "د. دانة قاسم"),
    ("Dr. Huda Rahman", "د. هدى رحمن"),
    ("Dr. Fadi Younes", "د. فادي يونس"),
    ("Dr. Tariq Mansour", "د. طارق منصور"),
    ("Dr. Reem Hamdan", "د. ريم حمدان"),
    ("Dr. Rana Jaber", "د. رنا جابر"),
    ("Dr. Ziad Nassar", "د. زياد نصار"),
    ("Dr. Maha Kanaan", "د. مها كنعان"),
    ("Dr. Hani Darwish", "د. هاني درويش"),
];

/// Loads the demo doctors and their eligibility (idempotent): two coordinators of every category,
/// and two specialists of each, whose speciality is that category. Half of them get their
/// notifications in Arabic.
pub fn seed_providers(providers: &ProviderService) -> Result<SeedReport> {
    let input =
        |id: String, name: (&str, &str), speciality: (&str, &str), n: usize| ProviderInput {
            email: Some(format!("{}@doctors.example.org", id.to_lowercase())),
            doctor_id: id,
            name_en: name.0.into(),
            name_ar: name.1.into(),
            speciality_en: speciality.0.into(),
            speciality_ar: speciality.1.into(),
            phone: None,
            lang: Some(if n.is_multiple_of(2) { "ar" } else { "en" }.into()),
            active: Some(true),
        };
    let mut inputs: Vec<ProviderInput> = COORDINATORS
        .iter()
        .enumerate()
        .map(|(n, (id, name, speciality))| input((*id).into(), *name, *speciality, n))
        .collect();
    for (n, name) in SPECIALISTS.iter().enumerate() {
        let (_, en, ar) = DISEASE_CATEGORIES[n / 2];
        inputs.push(input(format!("EMP{}", n + 3), *name, (en, ar), n));
    }
    let report = providers.sync(inputs)?;
    for (n, (raw, _, _)) in DISEASE_CATEGORIES.iter().enumerate() {
        let dc: DiseaseCategoryId = id(raw)?;
        for (coordinator, _, _) in &COORDINATORS {
            providers.set_eligibility(coordinator, dc, Eligibility::Coordinator, true)?;
        }
        for specialist in [2 * n + 3, 2 * n + 4] {
            let specialist = format!("EMP{specialist}");
            providers.set_eligibility(&specialist, dc, Eligibility::Specialist, true)?;
        }
    }
    let count = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok(SeedReport {
        created: count(report.created),
        existing: count(report.updated + report.unchanged),
    })
}

/// The demo clinic staff's password, printed by `seed-demo`.
pub const DEMO_STAFF_PASSWORD: &str = "demo-clinic-2026";

/// A demo account: `(username, name, Arabic name, roles, provider)`.
type DemoStaff = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
);

/// One demo account per clinic role (two doctors). `doctor` is the demo provider `EMP3`, so it can
/// also sign in for `/pro`.
const DEMO_STAFF: [DemoStaff; 5] = [
    ("admin", "Clinic Admin", "مسؤول العيادة", &["admin"], None),
    (
        "doctor",
        "Dr. Lina Haddad",
        "د. لينا حداد",
        &["doctor"],
        Some("EMP3"),
    ),
    (
        "doctor2",
        "Dr. Omar Khalil",
        "د. عمر خليل",
        &["doctor"],
        None,
    ),
    (
        "technician",
        "Sara Nasser",
        "سارة ناصر",
        &["technician"],
        None,
    ),
    (
        "receptionist",
        "Yousef Saleh",
        "يوسف صالح",
        &["receptionist"],
        None,
    ),
];

/// The demo clinic staff, created once: an account whose username exists is left as it is.
pub fn seed_staff(staff: &domain::clinic::StaffService) -> Result<SeedReport> {
    let mut report = SeedReport::default();
    for (username, name, name_ar, roles, provider) in DEMO_STAFF {
        let input = domain::clinic::NewStaff {
            username: username.to_owned(),
            password: domain::clinic::Password::given(DEMO_STAFF_PASSWORD),
            name: name.to_owned(),
            name_ar: Some(name_ar.to_owned()),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            provider_id: provider.map(str::to_owned),
        };
        match staff.create_account(input) {
            Ok(_) => report.created += 1,
            Err(Error::Conflict(_)) => report.existing += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}
