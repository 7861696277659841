//! `report::document`: the final report in English and in Arabic, as the renderer receives it.

use time::Duration;

use super::*;
use crate::kernel::report::{Fact, FactValue, ReportDocument, Section};
use crate::second_opinion::report::{ReportContent, document};

/// The report's content: two opinions (`EMP2`'s, then `EMP3`'s) and the summary, completed now.
fn report(lang: Lang) -> ReportDocument {
    let case = case_at(CaseStatus::DoctorsAssigned);
    let review_type = testing::review_type();
    let category = testing::disease_category();
    let coordinator = provider(COORDINATOR);
    let (first, second) = (provider(DOCTOR), provider(DOCTOR_2));
    let opinion = |n: u128, doctor: &str, text: &str| Assignment {
        opinion: Some(text.to_owned()),
        opinion_date: Some(ASSIGNED + Duration::days(1)),
        ..assignment(n, doctor, false)
    };
    let a2 = opinion(
        2,
        DOCTOR,
        "First point.\n\nSecond point.\n\n\n   Third point.  \n\n",
    );
    let a3 = opinion(3, DOCTOR_2, "Agree.");
    let issuer = issuer();
    let content = ReportContent {
        case: &case,
        review_type: &review_type,
        category: &category,
        coordinator: &coordinator,
        opinions: vec![(&first, &a2), (&second, &a3)],
        summary: "Surgery is not indicated.\nKeep the current treatment.\n\nFollow up in 6 months.",
        completed: NOW,
        issuer: &issuer,
    };
    document(&content, lang)
}

fn plain(label: Key, value: &str) -> Fact {
    Fact {
        label: Text::new(label),
        value: FactValue::Plain(value.to_owned()),
    }
}

/// The facts of the report in `lang`: ids and dates alike, names in the language.
fn facts(review_type: &str, category: &str, coordinator: &str) -> Vec<Fact> {
    vec![
        plain(Key::ReportCase, CASE),
        plain(Key::ReportSubmitted, "2026-11-20"),
        plain(Key::ReportCompleted, "2026-11-23"),
        plain(Key::ReportReviewType, review_type),
        plain(Key::ReportDiseaseCategory, category),
        Fact {
            label: Text::new(Key::ReportPatient),
            // Words the renderer puts into the report's language, not a string.
            value: FactValue::Text(
                Text::new(Key::ReportPatientValue)
                    .with("sex", "female")
                    .with("age", 54i64),
            ),
        },
        plain(Key::ReportCoordinator, coordinator),
    ]
}

/// The paragraphs of the opinions and of the summary, split on blank lines.
fn paragraphs() -> [Vec<String>; 3] {
    let owned = |ps: &[&str]| ps.iter().map(|&p| p.to_owned()).collect::<Vec<_>>();
    [
        owned(&["First point.", "Second point.", "Third point."]),
        owned(&["Agree."]),
        owned(&[
            "Surgery is not indicated.\nKeep the current treatment.",
            "Follow up in 6 months.",
        ]),
    ]
}

fn section(heading: Text, byline: &str, paragraphs: Vec<String>) -> Section {
    Section {
        heading,
        byline: Some(byline.to_owned()),
        paragraphs,
        tables: Vec::new(),
    }
}

#[test]
fn the_english_report_names_everything_in_english() {
    let doc = report(Lang::En);
    let [first, second, summary] = paragraphs();

    assert_eq!(doc.lang, Lang::En);
    assert_eq!(doc.issuer, "Medical Care Platform");
    assert_eq!(doc.title, Text::new(Key::ReportTitle));
    assert_eq!(
        doc.facts,
        facts("Standard Review", "Cardiology", "Dr. EMP1")
    );
    assert_eq!(
        doc.sections,
        [
            section(
                Text::new(Key::ReportOpinion).with("doctor", "Dr. EMP2"),
                "Cardiology · 2026-11-22",
                first,
            ),
            section(
                Text::new(Key::ReportOpinion).with("doctor", "Dr. EMP3"),
                "Cardiology · 2026-11-22",
                second,
            ),
            section(Text::new(Key::ReportSummary), "Dr. EMP1", summary),
        ]
    );
    assert_eq!(
        doc.footer,
        Some(
            Text::new(Key::ReportGenerated)
                .with("date", "2026-11-23")
                .with("issuer", "Medical Care Platform")
        )
    );
}

#[test]
fn the_arabic_report_names_everything_in_arabic_and_keeps_ids_and_dates() {
    let doc = report(Lang::Ar);
    let [first, second, summary] = paragraphs();

    assert_eq!(doc.lang, Lang::Ar);
    assert_eq!(doc.issuer, "منصة الرعاية الطبية");
    assert_eq!(doc.facts, facts("مراجعة قياسية", "أمراض القلب", "د. EMP1"));
    assert_eq!(
        doc.sections,
        [
            section(
                Text::new(Key::ReportOpinion).with("doctor", "د. EMP2"),
                "أمراض القلب · 2026-11-22",
                first,
            ),
            section(
                Text::new(Key::ReportOpinion).with("doctor", "د. EMP3"),
                "أمراض القلب · 2026-11-22",
                second,
            ),
            section(Text::new(Key::ReportSummary), "د. EMP1", summary),
        ]
    );
    assert_eq!(
        doc.footer,
        Some(
            Text::new(Key::ReportGenerated)
                .with("date", "2026-11-23")
                .with("issuer", "منصة الرعاية الطبية")
        )
    );
}

#[test]
fn both_reports_say_the_same_but_for_the_language() {
    let (en, ar) = (report(Lang::En), report(Lang::Ar));
    assert_eq!(en.title, ar.title);
    assert_eq!(en.facts[..3], ar.facts[..3]);
    assert_eq!(en.facts[5], ar.facts[5]);
    let paragraphs = |doc: &ReportDocument| -> Vec<Vec<String>> {
        doc.sections.iter().map(|s| s.paragraphs.clone()).collect()
    };
    assert_eq!(paragraphs(&en), paragraphs(&ar));
}
