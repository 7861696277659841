//! A clinic report as a printable document, in English or Arabic, and the use case that renders
//! it. A draft prints too, titled as a draft so that nobody takes it for the finalized report.

use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use super::audit::{AuditAction, Who};
use super::ids::ReportId;
use super::report::{ReportRecord, ReportStatus};
use super::reports::ReportPorts;
use crate::Result;
use crate::kernel::code::Code;
use crate::kernel::lang::Lang;
use crate::kernel::report::{Fact, FactValue, ReportDocument, ReportRenderer, Section, Table};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::format_date;
use crate::notifications::Bilingual;

/// What stands for a value the record does not have (a birth date, a study).
const NONE: &str = "—";

/// Splits a text into paragraphs at blank lines, whatever the line endings.
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

/// A name in the report's language: the Arabic one in Arabic when there is one.
fn name_in<'a>(lang: Lang, name: &'a str, name_ar: Option<&'a str>) -> &'a str {
    match (lang, name_ar) {
        (Lang::Ar, Some(ar)) if !ar.trim().is_empty() => ar,
        _ => name,
    }
}

/// The report of `record` in `lang`, issued by `issuer` (the clinic's name), generated at
/// `generated`.
pub fn document(
    record: &ReportRecord,
    lang: Lang,
    issuer: &str,
    generated: OffsetDateTime,
) -> ReportDocument {
    let report = &record.report;
    let patient = &record.patient;
    let plain = |label: Key, value: String| Fact {
        label: Text::new(label),
        value: FactValue::Plain(value),
    };
    let date = report.finalized_at.unwrap_or(report.created_at).date();
    let facts = vec![
        plain(
            Key::ClinicReportPatient,
            name_in(lang, &patient.name, patient.name_ar.as_deref()).to_owned(),
        ),
        plain(Key::ClinicReportMrn, patient.mrn.clone()),
        plain(
            Key::ClinicReportBirthDate,
            patient
                .birth_date
                .map_or_else(|| NONE.to_owned(), format_date),
        ),
        Fact {
            label: Text::new(Key::ClinicReportSex),
            value: match patient.sex.as_deref() {
                Some(sex) => FactValue::Text(Text::term(Key::ClinicSexName, sex)),
                None => FactValue::Plain(NONE.to_owned()),
            },
        },
        plain(Key::ClinicReportDate, format_date(date)),
        plain(
            Key::ClinicReportDoctor,
            name_in(lang, &record.doctor.name, record.doctor.name_ar.as_deref()).to_owned(),
        ),
        Fact {
            label: Text::new(Key::ClinicReportStatus),
            value: FactValue::Text(Text::term(
                Key::ClinicReportStatusName,
                report.status.as_str(),
            )),
        },
        plain(
            Key::ClinicReportStudy,
            report
                .content
                .study_id
                .as_ref()
                .map_or_else(|| NONE.to_owned(), |s| s.as_str().to_owned()),
        ),
    ];
    let section = |heading: Key, text: &str| Section {
        heading: Text::new(heading),
        byline: None,
        paragraphs: match paragraphs(text) {
            p if p.is_empty() => vec![NONE.to_owned()],
            p => p,
        },
        tables: Vec::new(),
    };
    let mut sections = vec![
        section(Key::ClinicReportFindings, &report.content.findings),
        section(Key::ClinicReportImpression, &report.content.impression),
    ];
    if !report.content.measurements.is_empty() {
        sections.push(Section {
            heading: Text::new(Key::ClinicReportMeasurements),
            byline: None,
            paragraphs: Vec::new(),
            tables: vec![Table {
                columns: vec![
                    Text::new(Key::ClinicReportMeasurementName),
                    Text::new(Key::ClinicReportMeasurementValue),
                    Text::new(Key::ClinicReportMeasurementUnit),
                ],
                rows: report
                    .content
                    .measurements
                    .iter()
                    .map(|m| vec![m.name.clone(), m.value.to_string(), m.unit.clone()])
                    .collect(),
            }],
        });
    }
    ReportDocument {
        lang,
        issuer: issuer.to_owned(),
        title: Text::new(match report.status {
            ReportStatus::Draft => Key::ClinicReportDraftTitle,
            ReportStatus::Finalized => Key::ClinicReportTitle,
        }),
        facts,
        sections,
        footer: Some(
            Text::new(Key::ClinicReportGenerated)
                .with("date", format_date(generated.date()))
                .with("issuer", issuer),
        ),
    }
}

/// Prints reports as PDF.
#[derive(Clone)]
pub struct ReportPdfService {
    ports: ReportPorts,
    renderer: Arc<dyn ReportRenderer>,
    /// The clinic's name in each language, at the head of every report.
    issuer: Bilingual,
}

impl fmt::Debug for ReportPdfService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportPdfService")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl ReportPdfService {
    pub fn new(ports: ReportPorts, renderer: Arc<dyn ReportRenderer>, issuer: Bilingual) -> Self {
        Self {
            ports,
            renderer,
            issuer,
        }
    }

    /// The report as a PDF in `lang`; the read is recorded once the PDF exists.
    pub fn pdf(&self, who: &Who, id: ReportId, lang: Lang) -> Result<Vec<u8>> {
        let record = self.ports.find(id)?;
        let issuer = match lang {
            Lang::Ar => &self.issuer.ar,
            Lang::En => &self.issuer.en,
        };
        let doc = document(&record, lang, issuer, self.ports.clock.now());
        let pdf = self.renderer.render(&doc)?;
        self.ports.record_read(
            who,
            AuditAction::ReportPdf,
            Some(record.report.patient_id),
            Some(id),
        )?;
        Ok(pdf)
    }
}

#[cfg(test)]
mod tests {
    use super::paragraphs;

    #[test]
    fn blank_lines_separate_paragraphs() {
        assert_eq!(
            paragraphs("Liver normal.\r\nNo lesion.\r\n \r\nKidneys normal."),
            ["Liver normal.\nNo lesion.", "Kidneys normal."]
        );
        assert!(paragraphs("\n \n").is_empty());
    }
}
