//! The PDF renderer against the real catalogues: a whole second-opinion report in English and in
//! Arabic, read back with poppler's `pdftotext` and `pdffonts` (Debian `poppler-utils`).
#![cfg(test)]

#[path = "support/sample.rs"]
mod sample;

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use domain::kernel::lang::Lang;
use domain::kernel::report::{Fact, FactValue, ReportDocument, ReportRenderer, Section, Table};
use domain::kernel::text::{Key, Text, Translator};
use report_pdf::TypstRenderer;

fn catalogues() -> Arc<i18n::Catalogues> {
    static CATALOGUES: OnceLock<Arc<i18n::Catalogues>> = OnceLock::new();
    CATALOGUES
        .get_or_init(|| Arc::new(i18n::Catalogues::load().expect("catalogues load")))
        .clone()
}

fn renderer() -> TypstRenderer {
    TypstRenderer::new(catalogues()).expect("renderer")
}

fn render(report: &ReportDocument) -> Vec<u8> {
    let pdf = renderer().render(report).expect("render");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    pdf
}

/// Runs a poppler tool on the PDF; `None` (with a message) when the tool is not installed.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
    if Command::new(tool).arg("-v").output().is_err() {
        eprintln!(
            "skipping the {tool} check: {tool} is not installed (Debian package poppler-utils)"
        );
        return None;
    }
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(pdf).expect("write PDF");
    let path = file.path().to_str().expect("temp path").to_owned();
    let mut command = Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = command.output().expect("run poppler");
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).expect("UTF-8 output"))
}

/// Invisible directional formatting: the isolates the renderer and the catalogue put around
/// numbers and names (they travel into the PDF's text, as in any word processor's output), and the
/// embeddings and marks `pdftotext` adds around right-to-left lines.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The PDF's text without directional formatting, runs of whitespace made single spaces.
fn text_of(pdf: &[u8]) -> Option<String> {
    let text = poppler("pdftotext", &["-layout", "-enc", "UTF-8"], pdf)?;
    let text: String = text.chars().filter(|c| !is_bidi_control(*c)).collect();
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn assert_contains_all(text: &str, expected: &[&str]) {
    let missing: Vec<&&str> = expected.iter().filter(|e| !text.contains(**e)).collect();
    assert!(
        missing.is_empty(),
        "missing {missing:?} in the PDF's text:\n{text}"
    );
}

/// Every font `pdffonts` lists says `emb yes`.
fn assert_fonts_embedded(pdf: &[u8]) {
    let Some(listing) = poppler("pdffonts", &[], pdf) else {
        return;
    };
    let mut lines = listing.lines();
    let header = lines.next().expect("pdffonts header");
    let emb = header.find(" emb ").expect("an emb column") + 1;
    let fonts: Vec<&str> = lines.skip(1).filter(|l| !l.trim().is_empty()).collect();
    assert!(!fonts.is_empty(), "no font in the PDF:\n{listing}");
    for font in &fonts {
        assert_eq!(
            font.get(emb..emb + 3),
            Some("yes"),
            "a font is not embedded:\n{listing}"
        );
    }
}

#[test]
fn english_report_reads_back() {
    let report = sample::second_opinion(Lang::En);
    let pdf = render(&report);
    assert_fonts_embedded(&pdf);
    let Some(text) = text_of(&pdf) else { return };
    assert_contains_all(
        &text,
        &[
            sample::ISSUER,
            "Second opinion report",
            "Case reference",
            sample::CASE_ID,
            "Submitted on",
            sample::SUBMITTED,
            "Female, 54 years",
            "Case coordinator",
            "Nadia Karim",
            "Opinion of Dr. Sara Haddad",
            "Consultant cardiologist · 2026-11-27",
            "Opinion of Dr. Omar Khalil",
            "Empagliflozin 10 mg once daily",
            "Sacubitril/Valsartan 24/26 mg",
            "Opinion of Dr. Lina Farah",
            "Final summary",
            "Measurement",
            "NT-proBNP",
            "128/82",
            "Generated on 2026-11-30 by MedCare Second Opinion.",
        ],
    );
    assert_page_numbers(&text, 2);
}

#[test]
fn arabic_report_reads_back_joined_and_in_order() {
    let report = sample::second_opinion(Lang::Ar);
    let pdf = render(&report);
    assert_fonts_embedded(&pdf);
    let Some(text) = text_of(&pdf) else { return };
    assert_contains_all(
        &text,
        &[
            // From the catalogue.
            "تقرير الرأي الطبي الثاني",
            "رقم الحالة",
            "تاريخ الإرسال",
            "منسق الحالة",
            "الملخص النهائي",
            "يمثل هذا التقرير رأي الأطباء المذكورين فيه",
            // From the content (pdftotext may move the full stop of "د." away from the name, and
            // splits words with vowel marks: compare unmarked words).
            "سارة حداد",
            "عمر خليل",
            "ليلى فرح",
            "نادية كريم",
            "استشارية أمراض القلب",
            "اعتلال عضلة القلب التوسعي",
            "أنثى",
            "ضغط الدم",
            // Latin words, numbers, ids and dates, in their order.
            "Empagliflozin",
            "Sacubitril/Valsartan",
            "NT-proBNP",
            sample::CASE_ID,
            sample::SUBMITTED,
            sample::COMPLETED,
            "2026-11-27",
            "6-8",
            "128/82",
            sample::ISSUER,
        ],
    );
    assert_page_numbers(&text, 2);
}

/// `1 / 2`, `2 / 2`, left to right in either language.
fn assert_page_numbers(text: &str, pages: usize) {
    let text = text.replace(" / ", "/");
    for page in 1..=pages {
        assert_contains_all(&text, &[&format!("{page}/{pages}")]);
    }
}

/// Values are text: typst's markup characters in any value are printed as they are.
#[test]
fn markup_in_values_is_printed_literally() {
    let markup = r"#strong[x] *bold* _em_ $x^2$ [link] \ <label> @ref `raw` // not a comment";
    for lang in [Lang::En, Lang::Ar] {
        let report = ReportDocument {
            lang,
            issuer: format!("Issuer {markup}"),
            title: Key::ReportTitle.into(),
            facts: vec![Fact {
                label: Key::ReportPatient.into(),
                value: FactValue::Plain(format!("fact {markup}")),
            }],
            sections: vec![Section {
                heading: Text::new(Key::ReportOpinion).with("doctor", markup),
                byline: Some(format!("byline {markup}")),
                paragraphs: vec![format!("paragraph {markup}")],
                tables: vec![Table {
                    columns: vec![Text::new(Key::ReportCase)],
                    rows: vec![vec![format!("cell {markup}")]],
                }],
            }],
            footer: None,
        };
        let pdf = render(&report);
        let Some(text) = text_of(&pdf) else { return };
        for prefix in ["Issuer", "fact", "byline", "paragraph", "cell"] {
            assert_contains_all(&text, &[&format!("{prefix} {markup}")]);
        }
        let heading = catalogues().translate(lang, &report.sections[0].heading);
        let heading: String = heading.chars().filter(|c| !is_bidi_control(*c)).collect();
        assert_contains_all(&text, &[heading.trim_start_matches("رأي ")]);
    }
}

#[test]
fn a_bare_report_and_a_ragged_table_render() {
    let bare = ReportDocument {
        lang: Lang::Ar,
        issuer: String::new(),
        title: Key::ReportTitle.into(),
        facts: Vec::new(),
        sections: Vec::new(),
        footer: None,
    };
    render(&bare);

    let ragged = ReportDocument {
        lang: Lang::En,
        sections: vec![Section {
            heading: Key::ReportSummary.into(),
            byline: None,
            paragraphs: vec!["first line\nsecond line".into()],
            tables: vec![
                Table {
                    columns: vec![Key::ReportCase.into()],
                    rows: vec![vec!["a".into(), "b".into(), "c".into()], Vec::new()],
                },
                Table {
                    columns: Vec::new(),
                    rows: Vec::new(),
                },
            ],
        }],
        ..bare
    };
    let pdf = render(&ragged);
    let Some(text) = text_of(&pdf) else { return };
    assert_contains_all(
        &text,
        &["first line second line", "Case reference", "a b c"],
    );
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    let report = sample::second_opinion(Lang::Ar);
    let renderer = renderer();
    let first = renderer.render(&report).expect("render");
    let second = renderer.render(&report).expect("render");
    assert!(first == second, "two renders of one report differ");
}

/// A clinic report (a doctor's findings on a patient), as `domain::clinic` lays it out.
fn clinic_report(lang: Lang, status: domain::clinic::ReportStatus) -> ReportDocument {
    use domain::clinic::{
        AuthorName, ContentInput, Measurement, PatientId, Report, ReportContent, ReportId,
        ReportPatient, ReportRecord, StaffId,
    };
    let at = time::macros::datetime!(2026-11-30 10:00 UTC);
    let id = |n: u128| uuid::Uuid::from_u128(0x0193_a1c0_0000_7000_8000_0000_0000_0000 | n);
    let content = ReportContent::parse(ContentInput {
        study_id: Some("1.2.840.113619.2.55.3".into()),
        findings: "The liver is normal in size (14.5 cm).\n\nالكلية اليمنى سليمة.".into(),
        impression: "No focal lesion.".into(),
        measurements: vec![Measurement {
            name: "Liver span".into(),
            value: 14.5,
            unit: "cm".into(),
        }],
    })
    .expect("valid content");
    let record = ReportRecord {
        report: Report {
            id: ReportId::from_uuid(id(0x401)),
            patient_id: PatientId::from_uuid(id(0x9a1)),
            doctor_id: StaffId::from_uuid(id(0xd01)),
            content,
            status,
            version: 1,
            finalized_at: None,
            finalized_by: None,
            created_at: at,
            updated_at: at,
        },
        patient: ReportPatient {
            id: PatientId::from_uuid(id(0x9a1)),
            mrn: "MRN000001".into(),
            name: "Layla Hassan".into(),
            name_ar: Some("ليلى حسن".into()),
            birth_date: Some(time::macros::date!(1985 - 03 - 14)),
            sex: Some("female".into()),
            deleted: false,
        },
        doctor: AuthorName {
            name: "Dr. Omar Khalil".into(),
            name_ar: Some("د. عمر خليل".into()),
        },
    };
    domain::clinic::report_pdf::document(&record, lang, "MedCare Clinic", at)
}

#[test]
fn clinic_report_reads_back_in_english() {
    let pdf = render(&clinic_report(
        Lang::En,
        domain::clinic::ReportStatus::Draft,
    ));
    assert_fonts_embedded(&pdf);
    let Some(text) = text_of(&pdf) else { return };
    assert_contains_all(
        &text,
        &[
            "MedCare Clinic",
            "Medical report (DRAFT, not finalized)",
            "Patient",
            "Layla Hassan",
            "MRN000001",
            "1985-03-14",
            "Female",
            "Dr. Omar Khalil",
            "Draft",
            "1.2.840.113619.2.55.3",
            "Findings",
            "The liver is normal in size (14.5 cm).",
            "Impression",
            "No focal lesion.",
            "Liver span",
            "14.5",
            "Generated on 2026-11-30 by MedCare Clinic.",
        ],
    );
}

#[test]
fn clinic_report_reads_back_in_arabic() {
    let pdf = render(&clinic_report(
        Lang::Ar,
        domain::clinic::ReportStatus::Finalized,
    ));
    assert_fonts_embedded(&pdf);
    let Some(text) = text_of(&pdf) else { return };
    assert_contains_all(
        &text,
        &[
            "تقرير طبي",
            "ليلى حسن",
            "عمر خليل",
            "رقم الملف الطبي",
            "أنثى",
            "معتمد",
            "النتائج",
            "الكلية اليمنى سليمة",
            "The liver is normal in size",
            "MRN000001",
            "1985-03-14",
            "1.2.840.113619.2.55.3",
            "Liver span",
        ],
    );
    assert!(!text.contains("مسودة"), "a finalized report is not a draft");
}
