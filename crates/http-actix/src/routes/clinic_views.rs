//! What the clinic's patient and appointment routes answer.

use domain::clinic as c;
use domain::clinic::appointment::format_time;
use domain::kernel::code::Code;
use domain::kernel::time::{format_date, format_rfc3339};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

/// A string, one of `codes` (or `null` when `nullable`).
fn codes_schema(codes: Vec<&'static str>, nullable: bool) -> Schema {
    let builder = ObjectBuilder::new();
    if nullable {
        let mut values: Vec<Option<&'static str>> = codes.into_iter().map(Some).collect();
        values.push(None);
        return Schema::Object(
            builder
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .enum_values(Some(values))
                .build(),
        );
    }
    Schema::Object(
        builder
            .schema_type(Type::String)
            .enum_values(Some(codes))
            .build(),
    )
}

fn sex_schema() -> Schema {
    codes_schema(c::Sex::codes(), true)
}

fn status_schema() -> Schema {
    codes_schema(c::AppointmentStatus::codes(), false)
}

fn from_status_schema() -> Schema {
    codes_schema(c::AppointmentStatus::codes(), true)
}

fn label_schema() -> Schema {
    codes_schema(c::AppointmentStatus::labels(), false)
}

/// A patient.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientView {
    #[schema(format = Uuid)]
    pub id: String,
    /// The medical record number: `MRN` and 8 digits, the Patient ID images arrive with.
    #[schema(pattern = r"^MRN[0-9]{8,}$")]
    pub mrn: String,
    pub name: String,
    pub name_ar: Option<String>,
    #[schema(format = Date)]
    pub birth_date: Option<String>,
    #[schema(schema_with = sex_schema)]
    pub sex: Option<&'static str>,
    pub phone: Option<String>,
    pub national_id: Option<String>,
    pub address: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<c::Patient> for PatientView {
    fn from(p: c::Patient) -> Self {
        let d = p.details;
        Self {
            id: p.id.to_string(),
            mrn: p.mrn,
            name: d.name,
            name_ar: d.name_ar,
            birth_date: d.birth_date.map(format_date),
            sex: d.sex.map(Code::as_str),
            phone: d.phone,
            national_id: d.national_id,
            address: d.address,
            created_at: format_rfc3339(p.created_at),
            updated_at: format_rfc3339(p.updated_at),
        }
    }
}

/// What a patient's deletion answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedView {
    #[schema(format = Uuid)]
    pub id: String,
    /// Whether the record was removed for good (`?hard=true`) rather than hidden.
    pub hard: bool,
}

/// The patient as an appointment shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentPatientView {
    #[schema(format = Uuid)]
    pub id: String,
    pub mrn: String,
    pub name: String,
    pub name_ar: Option<String>,
}

/// One status an appointment took.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryView {
    /// `null` for the creation.
    #[schema(schema_with = from_status_schema)]
    pub from: Option<&'static str>,
    #[schema(schema_with = status_schema)]
    pub to: &'static str,
    /// A staff id, or `dicom` when images moved it.
    pub by: String,
    #[schema(format = DateTime)]
    pub at: String,
}

/// An appointment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub patient_id: String,
    pub patient: AppointmentPatientView,
    /// The doctor's staff id.
    #[schema(format = Uuid)]
    pub doctor: String,
    pub doctor_name: Option<String>,
    #[schema(format = Date)]
    pub date: String,
    /// `HH:MM`, 24-hour clock.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub time: String,
    #[schema(minimum = 5, maximum = 480)]
    pub duration_minutes: i64,
    pub department: Option<String>,
    pub notes: Option<String>,
    #[schema(schema_with = status_schema)]
    pub status: &'static str,
    /// The status as [003] names it: `In-Room`.
    #[schema(schema_with = label_schema)]
    pub status_label: &'static str,
    /// The DICOM Accession Number: `ACC` and 10 digits.
    #[schema(max_length = 16)]
    pub accession_number: String,
    /// Every status it took, oldest first (the first is its creation).
    pub history: Vec<HistoryView>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<c::AppointmentRecord> for AppointmentView {
    fn from(r: c::AppointmentRecord) -> Self {
        let a = r.appointment;
        Self {
            id: a.id.to_string(),
            patient_id: a.patient_id.to_string(),
            patient: AppointmentPatientView {
                id: r.patient.id.to_string(),
                mrn: r.patient.mrn,
                name: r.patient.name,
                name_ar: r.patient.name_ar,
            },
            doctor: a.doctor_id.to_string(),
            doctor_name: r.doctor_name,
            date: format_date(a.slot.date),
            time: format_time(a.slot.time),
            duration_minutes: a.slot.duration_minutes,
            department: a.department,
            notes: a.notes,
            status: a.status.as_str(),
            status_label: a.status.label(),
            accession_number: a.accession_number,
            history: r
                .history
                .into_iter()
                .map(|h| HistoryView {
                    from: h.from.map(Code::as_str),
                    to: h.to.as_str(),
                    by: h.by,
                    at: format_rfc3339(h.at),
                })
                .collect(),
            created_at: format_rfc3339(a.created_at),
            updated_at: format_rfc3339(a.updated_at),
        }
    }
}
