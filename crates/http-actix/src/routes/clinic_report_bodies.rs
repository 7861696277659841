//! What the clinic's report and audit routes read (bodies, queries) and answer (views).

use domain::Error;
use domain::clinic::{
    self as c, AuditEntry, ContentInput, Measurement, ReportChanges, ReportFilter, ReportRecord,
};
use domain::kernel::code::Code;
use domain::kernel::paging::PageRequest;
use domain::kernel::time::format_rfc3339;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// One measurement, as sent and as answered.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementBody {
    /// What was measured; surrounding spaces are trimmed, and it may not be blank.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$",
        example = "Liver span"
    )]
    pub name: String,
    /// A finite number.
    #[schema(example = 14.5)]
    pub value: f64,
    /// The unit (`cm`, `mm`, `ml`), or empty.
    #[serde(default)]
    #[schema(max_length = 20, pattern = r"^[^\u0000]*$", example = "cm")]
    pub unit: String,
}

impl From<MeasurementBody> for Measurement {
    fn from(m: MeasurementBody) -> Self {
        Measurement {
            name: m.name,
            value: m.value,
            unit: m.unit,
        }
    }
}

impl From<Measurement> for MeasurementBody {
    fn from(m: Measurement) -> Self {
        MeasurementBody {
            name: m.name,
            value: m.value,
            unit: m.unit,
        }
    }
}

/// A new report: a draft by the caller on a patient of the clinic.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReportBody {
    /// A patient of the clinic who was not deleted (422 otherwise).
    pub patient_id: uuid::Uuid,
    /// The imaging study reported on: a DICOM Study Instance UID or another id of 1 to 64 ASCII
    /// letters, digits, `.`, `-` or `_`.
    #[serde(default)]
    #[schema(
        nullable,
        min_length = 1,
        max_length = 64,
        pattern = r"^[A-Za-z0-9._-]{1,64}$",
        example = "1.2.840.113619.2.55.3.604688119.971.1500000000.1"
    )]
    pub study_id: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20000, pattern = r"^[^\u0000]*$")]
    pub findings: String,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = r"^[^\u0000]*$")]
    pub impression: String,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub measurements: Vec<MeasurementBody>,
}

impl CreateReportBody {
    pub(crate) fn content(self) -> (c::PatientId, ContentInput) {
        (
            c::PatientId::from_uuid(self.patient_id),
            ContentInput {
                study_id: self.study_id,
                findings: self.findings,
                impression: self.impression,
                measurements: self.measurements.into_iter().map(Into::into).collect(),
            },
        )
    }
}

/// `null` as `Some(None)`, so that a sent `null` differs from an absent field.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Changes to a draft: every field is optional and an absent one keeps its value; `study_id: null`
/// removes the study.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReportBody {
    /// Moves the draft to another patient of the clinic (422 when there is none).
    #[serde(default)]
    #[schema(nullable = false)]
    pub patient_id: Option<uuid::Uuid>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 64,
        pattern = r"^[A-Za-z0-9._-]{1,64}$")]
    pub study_id: Option<Option<String>>,
    #[serde(default)]
    #[schema(nullable = false, max_length = 20000, pattern = r"^[^\u0000]*$")]
    pub findings: Option<String>,
    #[serde(default)]
    #[schema(nullable = false, max_length = 5000, pattern = r"^[^\u0000]*$")]
    pub impression: Option<String>,
    #[serde(default)]
    #[schema(nullable = false, max_items = 100)]
    pub measurements: Option<Vec<MeasurementBody>>,
}

impl From<UpdateReportBody> for ReportChanges {
    fn from(b: UpdateReportBody) -> Self {
        ReportChanges {
            patient_id: b.patient_id.map(c::PatientId::from_uuid),
            study_id: b.study_id,
            findings: b.findings,
            impression: b.impression,
            measurements: b
                .measurements
                .map(|m| m.into_iter().map(Into::into).collect()),
        }
    }
}

use super::clinic_params::page;

/// Every error of `results`, or nothing.
fn gather(results: Vec<Result<(), Error>>) -> Result<(), Error> {
    let mut fields = Vec::new();
    for result in results {
        match result {
            Ok(()) => {}
            Err(Error::Validation(mut f)) => fields.append(&mut f),
            Err(other) => return Err(other),
        }
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(fields))
    }
}

/// The report list's query.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportListQuery {
    patient_id: Option<String>,
    status: Option<String>,
    doctor: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    page: Option<String>,
    limit: Option<String>,
}

impl ReportListQuery {
    pub(crate) fn parse(self) -> Result<(ReportFilter, PageRequest), Error> {
        let mut filter = ReportFilter::default();
        let mut results = Vec::new();
        if let Some(raw) = &self.patient_id {
            results.push(c::PatientId::parse("patient_id", raw).map(|p| filter.patient = Some(p)));
        }
        if let Some(raw) = &self.status {
            results.push(c::ReportStatus::parse_field("status", raw.trim()).map(|s| {
                filter.status = Some(s);
            }));
        }
        if let Some(raw) = &self.doctor {
            results.push(c::StaffId::parse("doctor", raw).map(|d| filter.doctor = Some(d)));
        }
        if let Some(raw) = &self.sort {
            results.push(c::ReportSort::parse_field("sort", raw.trim()).map(|s| filter.sort = s));
        }
        if let Some(raw) = &self.order {
            results.push(c::SortOrder::parse_field("order", raw.trim()).map(|o| filter.order = o));
        }
        let paging = page(self.page.as_deref(), self.limit.as_deref());
        let page = match paging {
            Ok(p) => Some(p),
            Err(e) => {
                results.push(Err(e));
                None
            }
        };
        gather(results)?;
        Ok((filter, page.unwrap_or_default()))
    }
}

/// The audit log's query.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AuditListQuery {
    actor_id: Option<String>,
    patient_id: Option<String>,
    action: Option<String>,
    object_type: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    limit: Option<String>,
}

impl AuditListQuery {
    pub(crate) fn parse(self) -> Result<(c::AuditQuery, PageRequest), Error> {
        let query = c::AuditQuery {
            actor_id: self.actor_id,
            patient_id: self.patient_id,
            action: self.action,
            object_type: self.object_type,
            from: self.from,
            to: self.to,
        };
        let checked = query.filter().map(|_| ());
        let paging = page(self.page.as_deref(), self.limit.as_deref());
        let page_ok = paging.as_ref().map(|_| ()).map_err(|e| match e {
            Error::Validation(f) => Error::Validation(f.clone()),
            _ => Error::internal("paging refused otherwise than by validation"),
        });
        gather(vec![checked, page_ok])?;
        Ok((query, paging.unwrap_or_default()))
    }
}

/// The PDF's query: `lang`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PdfQuery {
    pub(crate) lang: Option<String>,
}

/// Declares the schema of a code: a string, one of the domain enum's codes.
macro_rules! code_schema {
    ($name:ident, $description:literal, $codes:expr) => {
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description))
                    .enum_values(Some($codes))
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

code_schema!(
    ReportStatusCode,
    "`draft` (editable) or `finalized` (read-only).",
    c::ReportStatus::codes()
);
code_schema!(
    AuditActionCode,
    "What was done, as `object.verb`.",
    c::audit_log::action_codes()
);
code_schema!(
    ObjectTypeCode,
    "What kind of object an entry is about.",
    c::ObjectKind::codes()
);

/// A report's patient, as shown with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPatientView {
    #[schema(format = Uuid)]
    pub id: String,
    /// The medical record number.
    pub mrn: String,
    pub name: String,
    pub name_ar: Option<String>,
}

/// A report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub patient_id: String,
    pub patient: ReportPatientView,
    pub study_id: Option<String>,
    /// The author.
    #[schema(format = Uuid)]
    pub doctor_id: String,
    pub doctor_name: String,
    pub findings: String,
    pub impression: String,
    pub measurements: Vec<MeasurementBody>,
    #[schema(value_type = ReportStatusCode)]
    pub status: &'static str,
    #[schema(format = DateTime)]
    pub finalized_at: Option<String>,
    #[schema(format = Uuid)]
    pub finalized_by: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<ReportRecord> for ReportView {
    fn from(record: ReportRecord) -> Self {
        let r = record.report;
        let p = record.patient;
        Self {
            id: r.id.to_string(),
            patient_id: r.patient_id.to_string(),
            patient: ReportPatientView {
                id: p.id.to_string(),
                mrn: p.mrn,
                name: p.name,
                name_ar: p.name_ar,
            },
            study_id: r.content.study_id.map(|s| s.as_str().to_owned()),
            doctor_id: r.doctor_id.to_string(),
            doctor_name: record.doctor.name,
            findings: r.content.findings,
            impression: r.content.impression,
            measurements: r.content.measurements.into_iter().map(Into::into).collect(),
            status: r.status.as_str(),
            finalized_at: r.finalized_at.map(format_rfc3339),
            finalized_by: r.finalized_by.map(|s| s.to_string()),
            created_at: format_rfc3339(r.created_at),
            updated_at: format_rfc3339(r.updated_at),
        }
    }
}

/// What a delete answers: the id of the report that is gone.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedReportView {
    #[schema(format = Uuid)]
    pub id: String,
}

/// An entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = DateTime)]
    pub at: String,
    /// The staff member (the token's subject).
    pub actor_id: String,
    #[schema(value_type = AuditActionCode)]
    pub action: &'static str,
    #[schema(format = Uuid)]
    pub patient_id: Option<String>,
    #[schema(value_type = ObjectTypeCode)]
    pub object_type: &'static str,
    pub object_id: Option<String>,
    /// The request's id, as its answer's `x-request-id` header said.
    pub request_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id.to_string(),
            at: format_rfc3339(e.at),
            actor_id: e.actor.as_str().to_owned(),
            action: e.action.as_str(),
            patient_id: e.patient.map(|p| p.to_string()),
            object_type: e.action.object().into(),
            object_id: e.object_id,
            request_id: e.request_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<impl std::fmt::Debug, Error>) -> Vec<String> {
        match result {
            Err(Error::Validation(f)) => f.into_iter().map(|e| e.field).collect(),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn list_queries_name_every_wrong_parameter() {
        let query = ReportListQuery {
            patient_id: Some("x".into()),
            status: Some("open".into()),
            doctor: Some("y".into()),
            sort: Some("name".into()),
            order: Some("up".into()),
            page: Some("0".into()),
            limit: None,
        };
        assert_eq!(
            refused(query.parse()),
            ["patient_id", "status", "doctor", "sort", "order", "page"]
        );
        let audit = AuditListQuery {
            action: Some("report.eat".into()),
            limit: Some("0".into()),
            ..AuditListQuery::default()
        };
        assert_eq!(refused(audit.parse()), ["action", "limit"]);
    }
}
