//! The study index: patient → study → series → instance, as the clinic lists and reads it.

use time::{Date, OffsetDateTime};

use super::dicom::{InstanceIdentity, InstanceMeta, Uid};
use super::worklist::DateRange;
use crate::clinic::ids::{AppointmentId, ImageId, PatientId, SeriesId, StudyId};
use crate::kernel::blob::{BlobInfo, BlobKey, Sha256};

/// How an instance arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum Arrival {
    /// C-STORE on the DICOM listener.
    Dicom,
    /// `POST /api/dicom/receive`.
    Upload,
}

impl Arrival {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A study, with what its instances add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Study {
    pub id: StudyId,
    pub study_instance_uid: Uid,
    /// The clinic patient whose MRN the images carry as Patient ID, when there is one.
    pub patient_id: Option<PatientId>,
    /// The appointment whose accession number the images carry, when there is one.
    pub appointment_id: Option<AppointmentId>,
    /// (0010,0020) as the first instance said.
    pub dicom_patient_id: Option<String>,
    pub patient_name: Option<String>,
    pub patient_birth_date: Option<Date>,
    pub patient_sex: Option<String>,
    pub study_date: Option<Date>,
    pub study_time: Option<String>,
    pub description: Option<String>,
    pub accession_number: Option<String>,
    pub referring_physician: Option<String>,
    /// The distinct modalities of its series, sorted.
    pub modalities: Vec<String>,
    pub series_count: u32,
    pub image_count: u32,
    pub size_bytes: u64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A series of a study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub id: SeriesId,
    pub study_id: StudyId,
    pub series_instance_uid: Uid,
    pub modality: Option<String>,
    pub body_part: Option<String>,
    pub description: Option<String>,
    pub number: Option<i32>,
    pub image_count: u32,
    pub created_at: OffsetDateTime,
}

/// A study with its series (ordered by series number, then arrival).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyDetails {
    pub study: Study,
    pub series: Vec<Series>,
}

/// One stored instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub id: ImageId,
    pub study_id: StudyId,
    pub series_id: SeriesId,
    pub patient_id: Option<PatientId>,
    pub sop_instance_uid: Uid,
    pub sop_class_uid: Uid,
    pub transfer_syntax_uid: Uid,
    pub instance_number: Option<i32>,
    pub rows: Option<u32>,
    pub columns: Option<u32>,
    pub frames: Option<u32>,
    pub has_pixels: bool,
    pub photometric_interpretation: Option<String>,
    pub size_bytes: u64,
    pub sha256: Sha256,
    pub blob_key: BlobKey,
    pub arrival: Arrival,
    /// The calling AE title (listener) or the staff account (upload).
    pub received_by: String,
    pub received_at: OffsetDateTime,
}

/// What `GET /api/dicom/studies` filters by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StudyFilter {
    pub patient_id: Option<PatientId>,
    /// On the study date.
    pub date: Option<DateRange>,
    /// Studies with a series of this modality.
    pub modality: Option<String>,
}

/// An instance to index, its file already in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInstance {
    pub id: ImageId,
    /// Used when the study is new; an existing study (same Study Instance UID) keeps its id.
    pub study_id: StudyId,
    /// Used when the series is new.
    pub series_id: SeriesId,
    pub identity: InstanceIdentity,
    pub meta: InstanceMeta,
    pub patient_id: Option<PatientId>,
    pub appointment_id: Option<AppointmentId>,
    pub blob: BlobInfo,
    pub arrival: Arrival,
    pub received_by: String,
    pub received_at: OffsetDateTime,
}

/// What indexing an instance did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Indexed; the study and series it joined.
    New(Image),
    /// An instance with this SOP Instance UID was already indexed: nothing changed.
    Duplicate(Image),
}

/// `GET /api/dicom/studies`'s filters as a client sent them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StudyQuery {
    pub patient_id: Option<String>,
    /// One day, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// From this day on (`YYYY-MM-DD`).
    pub date_from: Option<String>,
    /// Up to this day, included.
    pub date_to: Option<String>,
    /// `US`, `CT`, … (any case).
    pub modality: Option<String>,
}

impl StudyQuery {
    /// The filter, or every field that is wrong.
    pub fn filter(&self) -> crate::Result<StudyFilter> {
        use crate::Error;
        use crate::clinic::patient::parse_date;

        let mut errors = Vec::new();
        // A parameter sent empty is malformed, not absent: `date=` is not a day.
        let mut day = |field: &str, raw: &Option<String>| -> Option<Date> {
            let raw = raw.as_deref()?;
            match parse_date(field, raw) {
                Ok(d) => Some(d),
                Err(Error::Validation(mut f)) => {
                    errors.append(&mut f);
                    None
                }
                Err(_) => None,
            }
        };
        let on = day("date", &self.date);
        let from = day("date_from", &self.date_from);
        let to = day("date_to", &self.date_to);
        let patient_id = match self.patient_id.as_deref() {
            None => None,
            Some(raw) => match PatientId::parse("patient_id", raw) {
                Ok(id) => Some(id),
                Err(Error::Validation(mut f)) => {
                    errors.append(&mut f);
                    None
                }
                Err(e) => return Err(e),
            },
        };
        let modality = match self.modality.as_deref().map(str::trim) {
            None => None,
            Some(m) if is_modality(m) => Some(m.to_ascii_uppercase()),
            Some(_) => {
                errors.push(crate::FieldError::new(
                    "modality",
                    "format",
                    crate::kernel::text::Text::new(
                        crate::kernel::text::Key::ClinicWorklistModality,
                    ),
                ));
                None
            }
        };
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let date = match (on, from, to) {
            (Some(d), _, _) => Some(DateRange {
                from: Some(d),
                to: Some(d),
            }),
            (None, None, None) => None,
            (None, from, to) => Some(DateRange { from, to }),
        };
        Ok(StudyFilter {
            patient_id,
            date,
            modality,
        })
    }
}

/// A modality code as DICOM's CS allows it here: 1 to 16 letters or digits (`US`, `CT`, `MR`).
pub fn is_modality(raw: &str) -> bool {
    (1..=16).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric())
}
