//! The final report of a completed case, as a document the renderer lays out, in each language.

use time::OffsetDateTime;

use super::assignment::Assignment;
use super::case::ReviewCase;
use super::catalogue::{DiseaseCategory, ReviewType};
use super::provider::Provider;
use crate::kernel::code::Code;
use crate::kernel::lang::Lang;
use crate::kernel::report::{Fact, FactValue, ReportDocument, Section};
use crate::kernel::text::{Key, Text};
use crate::notifications::Bilingual;

/// Everything the report says.
#[derive(Debug, Clone)]
pub struct ReportContent<'a> {
    pub case: &'a ReviewCase,
    pub review_type: &'a ReviewType,
    pub category: &'a DiseaseCategory,
    pub coordinator: &'a Provider,
    /// Each specialist with their assignment (and its opinion), in the order they were assigned.
    pub opinions: Vec<(&'a Provider, &'a Assignment)>,
    pub summary: &'a str,
    pub completed: OffsetDateTime,
    /// Who issues the report.
    pub issuer: &'a Bilingual,
}

/// `2026-11-30`: dates in reports are ISO, the same in both languages.
fn date(at: OffsetDateTime) -> String {
    let d = at.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Splits a long text into its paragraphs: lines that are blank (or only spaces) separate them,
/// whatever the line endings.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// The report in `lang`.
pub fn document(content: &ReportContent<'_>, lang: Lang) -> ReportDocument {
    let case = content.case;
    let fact = |label: Key, value: String| Fact {
        label: Text::new(label),
        value: FactValue::Plain(value),
    };
    let facts = vec![
        fact(Key::ReportCase, case.id.to_string()),
        fact(Key::ReportSubmitted, date(case.created_date)),
        fact(Key::ReportCompleted, date(content.completed)),
        fact(
            Key::ReportReviewType,
            lang.pick(&content.review_type.name_en, &content.review_type.name_ar)
                .to_owned(),
        ),
        fact(
            Key::ReportDiseaseCategory,
            lang.pick(
                &content.category.speciality_en,
                &content.category.speciality_ar,
            )
            .to_owned(),
        ),
        Fact {
            label: Text::new(Key::ReportPatient),
            value: FactValue::Text(
                Text::new(Key::ReportPatientValue)
                    .with("sex", case.patient_gender.as_str())
                    .with("age", i64::from(case.patient_age.years())),
            ),
        },
        fact(
            Key::ReportCoordinator,
            content.coordinator.name_in(lang).to_owned(),
        ),
    ];
    let mut sections: Vec<Section> = content
        .opinions
        .iter()
        .map(|(doctor, assignment)| Section {
            heading: Text::new(Key::ReportOpinion).with("doctor", doctor.name_in(lang)),
            byline: Some(format!(
                "{} · {}",
                lang.pick(&doctor.speciality_en, &doctor.speciality_ar),
                assignment.opinion_date.map(date).unwrap_or_default()
            )),
            paragraphs: paragraphs(assignment.opinion.as_deref().unwrap_or_default()),
            tables: Vec::new(),
        })
        .collect();
    sections.push(Section {
        heading: Text::new(Key::ReportSummary),
        byline: Some(content.coordinator.name_in(lang).to_owned()),
        paragraphs: paragraphs(content.summary),
        tables: Vec::new(),
    });
    ReportDocument {
        lang,
        issuer: lang.pick(&content.issuer.en, &content.issuer.ar).to_owned(),
        title: Text::new(Key::ReportTitle),
        facts,
        sections,
        footer: Some(
            Text::new(Key::ReportGenerated)
                .with("date", date(content.completed))
                .with("issuer", lang.pick(&content.issuer.en, &content.issuer.ar)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::paragraphs;

    #[test]
    fn blank_lines_separate_paragraphs_whatever_the_line_endings() {
        assert_eq!(
            paragraphs("First line\r\nsame paragraph\r\n  \r\nSecond\n\n\n Third "),
            ["First line\nsame paragraph", "Second", "Third"]
        );
        assert!(paragraphs(" \n ").is_empty());
    }
}
