//! A realistic second-opinion report in English and in Arabic: three doctors' opinions, a summary
//! with a measurement table. Shared by the tests and `examples/render_bench.rs` (through `#[path]`).

use domain::kernel::lang::Lang;
use domain::kernel::report::{Fact, FactValue, ReportDocument, Section, Table};
use domain::kernel::text::{Arg, Key, Text};

pub const CASE_ID: &str = "0193a4f2-7c1e-7b3d-9a41-5e6f7a8b9c0d";
pub const SUBMITTED: &str = "2026-11-20";
pub const COMPLETED: &str = "2026-11-30";
pub const ISSUER: &str = "MedCare Second Opinion";

/// A column heading. The catalogues have no entries for measurement columns yet, so the words go
/// through `field-name`, whose catch-all prints the value it is given in either language.
fn column(en: &str, ar: &str) -> Text {
    Text::new(Key::FieldName).with(
        "value",
        Arg::Localized {
            en: en.to_owned(),
            ar: ar.to_owned(),
        },
    )
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The report in `lang`, shaped as the domain's `second_opinion::report::document` shapes it.
pub fn second_opinion(lang: Lang) -> ReportDocument {
    let ar = lang == Lang::Ar;
    let pick = |en: &'static str, ar_text: &'static str| if ar { ar_text } else { en };
    let facts = vec![
        Fact {
            label: Key::ReportCase.into(),
            value: FactValue::Plain(CASE_ID.to_owned()),
        },
        Fact {
            label: Key::ReportSubmitted.into(),
            value: FactValue::Plain(SUBMITTED.to_owned()),
        },
        Fact {
            label: Key::ReportCompleted.into(),
            value: FactValue::Plain(COMPLETED.to_owned()),
        },
        Fact {
            label: Key::ReportReviewType.into(),
            value: FactValue::Plain(pick("Standard Review", "مراجعة قياسية").to_owned()),
        },
        Fact {
            label: Key::ReportDiseaseCategory.into(),
            value: FactValue::Plain(pick("Cardiology", "أمراض القلب").to_owned()),
        },
        Fact {
            label: Key::ReportPatient.into(),
            value: FactValue::Text(
                Text::new(Key::ReportPatientValue)
                    .with("sex", "female")
                    .with("age", 54_i64),
            ),
        },
        Fact {
            label: Key::ReportCoordinator.into(),
            value: FactValue::Plain(pick("Nadia Karim", "نادية كريم").to_owned()),
        },
    ];

    let opinion = |doctor: &str, byline: &str, paragraphs: &[&str]| Section {
        heading: Text::new(Key::ReportOpinion).with("doctor", doctor),
        byline: Some(byline.to_owned()),
        paragraphs: strings(paragraphs),
        tables: Vec::new(),
    };

    let sections = if ar {
        vec![
            opinion(
                "د. سارة حداد",
                "استشارية أمراض القلب · 2026-11-27",
                &[
                    "راجعتُ تخطيط صدى القلب والتحاليل المرفقة. يظهر ضعف متوسط في وظيفة البطين الأيسر مع نسبة قذف تقارب 38%، دون تضخم واضح في الأذين الأيسر ودون مرض صمامي مهم.",
                    "تتوافق الصورة مع اعتلال عضلة القلب التوسعي في مرحلة مبكرة. لا أرى ما يستدعي تدخلًا جراحيًا في الوقت الحالي، لكن العلاج الدوائي الموجه ضروري ويجب البدء به دون تأخير.",
                    "أوصي بإعادة التخطيط بعد ثلاثة أشهر من الوصول إلى الجرعات المستهدفة، ومتابعة وظائف الكلى والبوتاسيوم خلال أسبوعين من كل تعديل.",
                ],
            ),
            opinion(
                "د. عمر خليل",
                "استشاري أمراض القلب والأوعية الدموية · 2026-11-28",
                &[
                    "أتفق مع التشخيص. ننصح بإضافة Empagliflozin بجرعة 10 mg مرة يوميًا، مع الاستمرار على Bisoprolol بجرعة 5 mg ورفعها تدريجيًا إلى 10 mg إذا سمح النبض وضغط الدم.",
                    "يُستبدل Ramipril بـ Sacubitril/Valsartan بجرعة 24/26 mg مرتين يوميًا بعد فترة توقف مدتها 36 ساعة، ثم يعاد قياس NT-proBNP بعد 6-8 أسابيع.",
                    "مستوى HbA1c عند 7.2% يستدعي متابعة مع طبيب الغدد الصماء، ويفيد Empagliflozin في الحالتين.",
                ],
            ),
            opinion(
                "د. ليلى فرح",
                "استشارية التصوير القلبي · 2026-11-29",
                &[
                    "لا يكشف الرنين المغناطيسي للقلب عن تندب يشير إلى سبب إقفاري، وهذا يرجح السبب غير الإقفاري ويدعم الخطة الدوائية المقترحة.",
                    "أقترح تخطيط كهربائية القلب لمدة 24 ساعة لاستبعاد اضطرابات النظم قبل الحكم على الحاجة إلى جهاز مزيل للرجفان.",
                ],
            ),
            Section {
                heading: Key::ReportSummary.into(),
                byline: Some(pick("Nadia Karim", "نادية كريم").to_owned()),
                paragraphs: strings(&[
                    "يتفق الأطباء الثلاثة على تشخيص اعتلال عضلة القلب التوسعي غير الإقفاري مع ضعف متوسط في وظيفة البطين الأيسر. الخطة: علاج دوائي موجه يبدأ فورًا، ومتابعة بالتحاليل خلال أسبوعين، وإعادة التخطيط بعد ثلاثة أشهر.",
                ]),
                tables: vec![measurements(true)],
            },
        ]
    } else {
        vec![
            opinion(
                "Dr. Sara Haddad",
                "Consultant cardiologist · 2026-11-27",
                &[
                    "I reviewed the echocardiogram and the laboratory results provided. They show moderately reduced left ventricular function with an ejection fraction of about 38%, without marked left atrial enlargement or significant valvular disease.",
                    "The picture fits an early dilated cardiomyopathy. Nothing calls for surgery at present, but guideline-directed medical therapy is needed and should start without delay.",
                    "I recommend a repeat echocardiogram three months after the target doses are reached, and kidney function and potassium checks within two weeks of each change.",
                ],
            ),
            opinion(
                "Dr. Omar Khalil",
                "Consultant cardiologist · 2026-11-28",
                &[
                    "I agree with the diagnosis. We advise adding Empagliflozin 10 mg once daily and continuing Bisoprolol 5 mg, titrated to 10 mg as heart rate and blood pressure allow.",
                    "Ramipril should be replaced by Sacubitril/Valsartan 24/26 mg twice daily after a 36-hour washout, and NT-proBNP measured again after 6-8 weeks.",
                    "An HbA1c of 7.2% calls for follow-up with an endocrinologist; Empagliflozin helps with both conditions.",
                ],
            ),
            opinion(
                "Dr. Lina Farah",
                "Consultant in cardiac imaging · 2026-11-29",
                &[
                    "Cardiac MRI shows no scar pattern suggesting an ischaemic cause, which favours a non-ischaemic origin and supports the proposed medical plan.",
                    "I suggest 24-hour Holter monitoring to exclude arrhythmias before deciding whether an implantable defibrillator is needed.",
                ],
            ),
            Section {
                heading: Key::ReportSummary.into(),
                byline: Some(pick("Nadia Karim", "نادية كريم").to_owned()),
                paragraphs: strings(&[
                    "The three doctors agree on a non-ischaemic dilated cardiomyopathy with moderately reduced left ventricular function. The plan: guideline-directed medical therapy starting now, blood tests within two weeks, and a repeat echocardiogram after three months.",
                ]),
                tables: vec![measurements(false)],
            },
        ]
    };

    ReportDocument {
        lang,
        issuer: ISSUER.to_owned(),
        title: Key::ReportTitle.into(),
        facts,
        sections,
        footer: Some(
            Text::new(Key::ReportGenerated)
                .with("date", COMPLETED)
                .with("issuer", ISSUER),
        ),
    }
}

fn measurements(ar: bool) -> Table {
    let pick = |en: &'static str, ar_text: &'static str| if ar { ar_text } else { en };
    Table {
        columns: vec![
            column("Measurement", "القياس"),
            column("Value", "القيمة"),
            column("Unit", "الوحدة"),
            column("Date", "التاريخ"),
        ],
        rows: vec![
            strings(&[
                pick("Ejection fraction (LVEF)", "نسبة القذف (LVEF)"),
                "38",
                "%",
                "2026-11-18",
            ]),
            strings(&["NT-proBNP", "1,240", "pg/mL", "2026-11-18"]),
            strings(&[
                pick("Blood pressure", "ضغط الدم"),
                "128/82",
                "mmHg",
                "2026-11-19",
            ]),
            strings(&[
                pick("Heart rate", "النبض"),
                "78",
                pick("beats/min", "نبضة/دقيقة"),
                "2026-11-19",
            ]),
            strings(&["HbA1c", "7.2", "%", "2026-11-10"]),
        ],
    }
}
