//! A clinic report: a doctor's findings on a patient (and, when there is one, an imaging study),
//! written as a draft and then finalized, after which it is read-only (DECISIONS §9).
//!
//! What a client sends is checked here, every rule at once, so that one answer names every field
//! that is wrong:
//! - `findings` at most 20,000 characters, `impression` at most 5,000 (either may be empty while
//!   the report is a draft; finalizing needs one of them);
//! - `measurements` at most 100, each a `name` of 1 to 100 characters (not blank), a finite
//!   `value`, and a `unit` of at most 20 characters;
//! - `study_id` (until imaging lands, a plain reference): 1 to 64 ASCII letters, digits, `.`, `-`
//!   or `_`. A DICOM Study Instance UID (digits and dots, at most 64) fits, and so do the other ids
//!   a study is known by (an accession number, a UUID); spaces and other characters do not.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::{PatientId, ReportId, StaffId};
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

pub const MAX_FINDINGS: usize = 20_000;
pub const MAX_IMPRESSION: usize = 5_000;
pub const MAX_MEASUREMENTS: usize = 100;
pub const MAX_MEASUREMENT_NAME: usize = 100;
pub const MAX_UNIT: usize = 20;
pub const MAX_STUDY_ID: usize = 64;

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Finalized,
}

/// What can be done to a report after it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray)]
pub enum ReportAction {
    Update,
    Finalize,
    Delete,
}

impl ReportStatus {
    /// The status after `action`: a draft may be changed, finalized or deleted; a finalized report
    /// is read-only (409).
    pub fn apply(self, action: ReportAction) -> Result<ReportStatus> {
        match (self, action) {
            (ReportStatus::Draft, ReportAction::Update | ReportAction::Delete) => {
                Ok(ReportStatus::Draft)
            }
            (ReportStatus::Draft, ReportAction::Finalize) => Ok(ReportStatus::Finalized),
            (ReportStatus::Finalized, _) => Err(Error::conflict(Key::ClinicReportReadOnly)),
        }
    }
}

/// The reference of the imaging study a report is about (see the module's rule).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StudyRef(String);

impl StudyRef {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_STUDY_ID
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Error::field(FieldError::new(
                field,
                "format",
                Text::new(Key::ClinicStudyIdFormat).field("field", field),
            )))
        }
    }

    /// A reference read back from storage, where it was written after [`StudyRef::parse`].
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One measurement of a report: `{"name": "Left kidney length", "value": 10.4, "unit": "cm"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

/// What a doctor writes: everything of a report but who, when and its status.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportContent {
    pub study_id: Option<StudyRef>,
    pub findings: String,
    pub impression: String,
    pub measurements: Vec<Measurement>,
}

/// A report's content as a client sent it, before it is checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContentInput {
    pub study_id: Option<String>,
    pub findings: String,
    pub impression: String,
    pub measurements: Vec<Measurement>,
}

fn too_long(errors: &mut Vec<FieldError>, field: &str, text: &str, max: usize) {
    if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            "length",
            Text::new(Key::InvalidMaxLength)
                .field("field", field)
                .with("max", max),
        ));
    }
}

impl ReportContent {
    /// Checks every rule of the module's list and names every field that breaks one.
    pub fn parse(input: ContentInput) -> Result<Self> {
        let mut errors = Vec::new();
        let study_id = match input
            .study_id
            .as_deref()
            .map(|s| StudyRef::parse("study_id", s))
        {
            Some(Err(Error::Validation(mut e))) => {
                errors.append(&mut e);
                None
            }
            Some(Err(other)) => return Err(other),
            Some(Ok(study)) => Some(study),
            None => None,
        };
        too_long(&mut errors, "findings", &input.findings, MAX_FINDINGS);
        too_long(&mut errors, "impression", &input.impression, MAX_IMPRESSION);
        if input.measurements.len() > MAX_MEASUREMENTS {
            errors.push(FieldError::new(
                "measurements",
                "length",
                Text::new(Key::InvalidItemCount)
                    .field("field", "measurements")
                    .with("min", 0i64)
                    .with("max", MAX_MEASUREMENTS),
            ));
        }
        let mut measurements = Vec::with_capacity(input.measurements.len());
        for (i, m) in input.measurements.into_iter().enumerate() {
            let name = m.name.trim().to_owned();
            let field = format!("measurements[{i}].name");
            if name.is_empty() || m.name.chars().count() > MAX_MEASUREMENT_NAME {
                errors.push(FieldError::new(
                    field.as_str(),
                    "length",
                    Text::new(Key::InvalidTextLength)
                        .field("field", &field)
                        .with("min", 1i64)
                        .with("max", MAX_MEASUREMENT_NAME),
                ));
            }
            if !m.value.is_finite() {
                let field = format!("measurements[{i}].value");
                errors.push(FieldError::new(
                    field.as_str(),
                    "format",
                    Text::new(Key::ClinicMeasurementValue).field("field", &field),
                ));
            }
            too_long(
                &mut errors,
                &format!("measurements[{i}].unit"),
                &m.unit,
                MAX_UNIT,
            );
            measurements.push(Measurement {
                name,
                value: m.value,
                unit: m.unit.trim().to_owned(),
            });
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        Ok(Self {
            study_id,
            findings: input.findings,
            impression: input.impression,
            measurements,
        })
    }

    /// Whether there is anything to finalize: findings or an impression that is not blank.
    pub fn has_text(&self) -> bool {
        !self.findings.trim().is_empty() || !self.impression.trim().is_empty()
    }

    /// The content as a client would send it back (for changing some fields of it).
    pub fn to_input(&self) -> ContentInput {
        ContentInput {
            study_id: self.study_id.as_ref().map(|s| s.as_str().to_owned()),
            findings: self.findings.clone(),
            impression: self.impression.clone(),
            measurements: self.measurements.clone(),
        }
    }
}

/// A report as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: ReportId,
    pub patient_id: PatientId,
    /// Its author: the doctor who created it.
    pub doctor_id: StaffId,
    pub content: ReportContent,
    pub status: ReportStatus,
    /// Bumped by every write; a write is conditional on the version it read.
    pub version: i64,
    pub finalized_at: Option<OffsetDateTime>,
    pub finalized_by: Option<StaffId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What a report's reader sees of its patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPatient {
    pub id: PatientId,
    pub mrn: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub birth_date: Option<time::Date>,
    /// As the patient's record has it (`male`, `female`, ...).
    pub sex: Option<String>,
    /// Soft-deleted: the patient keeps their reports but takes no new one.
    pub deleted: bool,
}

/// A staff member as named on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorName {
    pub name: String,
    pub name_ar: Option<String>,
}

/// A report with the names it is shown with.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRecord {
    pub report: Report,
    pub patient: ReportPatient,
    /// The author's names (empty when the account is gone, which its foreign key prevents).
    pub doctor: AuthorName,
}

/// The orders a report list can take.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, strum::IntoStaticStr, strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum ReportSort {
    #[default]
    CreatedAt,
    UpdatedAt,
}

pub use crate::kernel::paging::SortOrder;

/// What `GET /api/reports` selects; every set field must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub patient: Option<PatientId>,
    pub status: Option<ReportStatus>,
    pub doctor: Option<StaffId>,
    pub sort: ReportSort,
    pub order: SortOrder,
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    fn fields(result: Result<ReportContent>) -> Vec<String> {
        match result {
            Err(Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    fn measurement(name: &str, value: f64, unit: &str) -> Measurement {
        Measurement {
            name: name.into(),
            value,
            unit: unit.into(),
        }
    }

    #[test]
    fn every_status_and_action() {
        use ReportAction as A;
        use ReportStatus as S;
        let table = [
            (S::Draft, A::Update, Some(S::Draft)),
            (S::Draft, A::Finalize, Some(S::Finalized)),
            (S::Draft, A::Delete, Some(S::Draft)),
            (S::Finalized, A::Update, None),
            (S::Finalized, A::Finalize, None),
            (S::Finalized, A::Delete, None),
        ];
        assert_eq!(table.len(), S::VARIANTS.len() * A::VARIANTS.len());
        for (status, action, expected) in table {
            match (status.apply(action), expected) {
                (Ok(got), Some(want)) => assert_eq!(got, want, "{status:?} {action:?}"),
                (Err(Error::Conflict(t)), None) => {
                    assert_eq!(t.key(), Key::ClinicReportReadOnly)
                }
                (got, _) => panic!("{status:?} {action:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn study_ids_are_uids_or_plain_ids() {
        for ok in [
            "1.2.840.113619.2.55.3.604688119.971.1500000000.1",
            "0193a1c0-0000-7000-8000-000000000001",
            "ACC_2026-001",
            &"1".repeat(64),
        ] {
            assert!(StudyRef::parse("study_id", ok).is_ok(), "{ok}");
        }
        for bad in ["", "1.2 3", &"1".repeat(65), "é", "a/b"] {
            assert!(StudyRef::parse("study_id", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn content_within_the_limits_is_kept_with_names_trimmed() {
        let content = ReportContent::parse(ContentInput {
            study_id: Some("1.2.3".into()),
            findings: "f".repeat(MAX_FINDINGS),
            impression: "i".repeat(MAX_IMPRESSION),
            measurements: vec![measurement(" Length ", 10.5, " cm ")],
        })
        .unwrap();
        assert_eq!(content.measurements, [measurement("Length", 10.5, "cm")]);
        assert_eq!(content.study_id.unwrap().as_str(), "1.2.3");
        // Arabic characters count as one each.
        assert!(
            ReportContent::parse(ContentInput {
                findings: "ك".repeat(MAX_FINDINGS),
                ..ContentInput::default()
            })
            .is_ok()
        );
    }

    #[test]
    fn every_broken_rule_is_named() {
        let many = vec![measurement("x", 1.0, ""); MAX_MEASUREMENTS + 1];
        assert_eq!(
            fields(ReportContent::parse(ContentInput {
                study_id: Some("not a uid".into()),
                findings: "f".repeat(MAX_FINDINGS + 1),
                impression: "i".repeat(MAX_IMPRESSION + 1),
                measurements: many,
            })),
            ["study_id", "findings", "impression", "measurements"]
        );
        assert_eq!(
            fields(ReportContent::parse(ContentInput {
                measurements: vec![
                    measurement("  ", 1.0, "cm"),
                    measurement(&"n".repeat(101), f64::NAN, &"u".repeat(21)),
                    measurement("ok", f64::INFINITY, "cm"),
                ],
                ..ContentInput::default()
            })),
            [
                "measurements[0].name",
                "measurements[1].name",
                "measurements[1].value",
                "measurements[1].unit",
                "measurements[2].value"
            ]
        );
    }

    #[test]
    fn only_text_can_be_finalized() {
        let empty = ReportContent::parse(ContentInput {
            findings: " \n ".into(),
            ..ContentInput::default()
        })
        .unwrap();
        assert!(!empty.has_text());
        let impression = ReportContent::parse(ContentInput {
            impression: "Normal study".into(),
            ..ContentInput::default()
        })
        .unwrap();
        assert!(impression.has_text());
    }
}
