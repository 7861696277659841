//! What the clinic's imaging routes read (queries, bodies) and answer (views).

use domain::clinic::imaging::{
    DumpEntry, Image, ImageDetails, Ingested, Series, Study, StudyDetails, StudyQuery,
    WorklistEntry, WorklistTarget,
};
use domain::kernel::time::{format_date, format_rfc3339};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};

/// `GET /api/dicom/studies`'s query string.
#[derive(Debug, Deserialize)]
pub(crate) struct StudyListQuery {
    patient_id: Option<String>,
    date: Option<String>,
    date_from: Option<String>,
    date_to: Option<String>,
    modality: Option<String>,
    pub(crate) page: Option<String>,
    pub(crate) limit: Option<String>,
}

impl StudyListQuery {
    pub(crate) fn study_query(&self) -> StudyQuery {
        StudyQuery {
            patient_id: self.patient_id.clone(),
            date: self.date.clone(),
            date_from: self.date_from.clone(),
            date_to: self.date_to.clone(),
            modality: self.modality.clone(),
        }
    }
}

/// A query string with a page and a limit only.
#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    pub(crate) page: Option<String>,
    pub(crate) limit: Option<String>,
}

/// A thumbnail's query string.
#[derive(Debug, Deserialize)]
pub(crate) struct ThumbnailQuery {
    pub(crate) size: Option<String>,
}

/// A study: what its instances say about it, and what they add up to.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudyView {
    #[schema(format = Uuid)]
    pub id: String,
    /// The DICOM Study Instance UID.
    pub study_instance_uid: String,
    /// The clinic patient whose MRN the images carry as Patient ID; null when none matched.
    #[schema(format = Uuid)]
    pub patient_id: Option<String>,
    /// The appointment whose accession number the images carry; null when none matched.
    #[schema(format = Uuid)]
    pub appointment_id: Option<String>,
    /// (0010,0020) Patient ID as the images say.
    pub dicom_patient_id: Option<String>,
    /// (0010,0010) Patient's Name, DICOM style (`Family^Given`).
    pub patient_name: Option<String>,
    #[schema(format = Date)]
    pub patient_birth_date: Option<String>,
    pub patient_sex: Option<String>,
    #[schema(format = Date)]
    pub study_date: Option<String>,
    /// `HHMMSS` as the images say.
    pub study_time: Option<String>,
    pub description: Option<String>,
    pub accession_number: Option<String>,
    pub referring_physician: Option<String>,
    /// The distinct modalities of its series (`US`, `CT`).
    pub modalities: Vec<String>,
    pub series_count: u32,
    pub image_count: u32,
    pub size_bytes: u64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Study> for StudyView {
    fn from(s: Study) -> Self {
        Self {
            id: s.id.to_string(),
            study_instance_uid: s.study_instance_uid.to_string(),
            patient_id: s.patient_id.map(|p| p.to_string()),
            appointment_id: s.appointment_id.map(|a| a.to_string()),
            dicom_patient_id: s.dicom_patient_id,
            patient_name: s.patient_name,
            patient_birth_date: s.patient_birth_date.map(format_date),
            patient_sex: s.patient_sex,
            study_date: s.study_date.map(format_date),
            study_time: s.study_time,
            description: s.description,
            accession_number: s.accession_number,
            referring_physician: s.referring_physician,
            modalities: s.modalities,
            series_count: s.series_count,
            image_count: s.image_count,
            size_bytes: s.size_bytes,
            created_at: format_rfc3339(s.created_at),
            updated_at: format_rfc3339(s.updated_at),
        }
    }
}

/// A series of a study.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesView {
    #[schema(format = Uuid)]
    pub id: String,
    pub series_instance_uid: String,
    pub modality: Option<String>,
    pub body_part: Option<String>,
    pub description: Option<String>,
    pub number: Option<i32>,
    pub image_count: u32,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<Series> for SeriesView {
    fn from(s: Series) -> Self {
        Self {
            id: s.id.to_string(),
            series_instance_uid: s.series_instance_uid.to_string(),
            modality: s.modality,
            body_part: s.body_part,
            description: s.description,
            number: s.number,
            image_count: s.image_count,
            created_at: format_rfc3339(s.created_at),
        }
    }
}

/// A study with its series.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudyDetailsView {
    #[serde(flatten)]
    pub study: StudyView,
    pub series: Vec<SeriesView>,
}

impl From<StudyDetails> for StudyDetailsView {
    fn from(d: StudyDetails) -> Self {
        Self {
            study: d.study.into(),
            series: d.series.into_iter().map(SeriesView::from).collect(),
        }
    }
}

/// One stored instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub study_id: String,
    #[schema(format = Uuid)]
    pub series_id: String,
    #[schema(format = Uuid)]
    pub patient_id: Option<String>,
    pub sop_instance_uid: String,
    pub sop_class_uid: String,
    pub transfer_syntax_uid: String,
    pub instance_number: Option<i32>,
    pub rows: Option<u32>,
    pub columns: Option<u32>,
    /// Frames of a multi-frame image (1 for a single image); null without pixel data.
    pub frames: Option<u32>,
    /// Whether it holds pixel data (a structured report or a waveform does not).
    pub has_pixels: bool,
    pub photometric_interpretation: Option<String>,
    pub size_bytes: u64,
    /// SHA-256 of the stored file, lowercase hex.
    pub sha256: String,
    /// `dicom` (C-STORE on the listener) or `upload` (`POST /api/dicom/receive`).
    pub arrival: &'static str,
    /// `dicom:` and the calling AE title, or the uploading staff account.
    pub received_by: String,
    #[schema(format = DateTime)]
    pub received_at: String,
    /// Where its thumbnail is.
    pub thumbnail_url: String,
    /// Where the stored file is (doctors).
    pub download_url: String,
}

impl From<Image> for ImageView {
    fn from(i: Image) -> Self {
        Self {
            thumbnail_url: format!("/api/dicom/images/{}/thumbnail", i.id),
            download_url: format!("/api/dicom/images/{}/download", i.id),
            id: i.id.to_string(),
            study_id: i.study_id.to_string(),
            series_id: i.series_id.to_string(),
            patient_id: i.patient_id.map(|p| p.to_string()),
            sop_instance_uid: i.sop_instance_uid.to_string(),
            sop_class_uid: i.sop_class_uid.to_string(),
            transfer_syntax_uid: i.transfer_syntax_uid.to_string(),
            instance_number: i.instance_number,
            rows: i.rows,
            columns: i.columns,
            frames: i.frames,
            has_pixels: i.has_pixels,
            photometric_interpretation: i.photometric_interpretation,
            size_bytes: i.size_bytes,
            sha256: i.sha256.hex(),
            arrival: i.arrival.as_str(),
            received_by: i.received_by,
            received_at: format_rfc3339(i.received_at),
        }
    }
}

/// One element of the file.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagView {
    /// `(0010,0010)`.
    pub tag: String,
    /// `PatientName`; null for private or unknown tags.
    pub keyword: Option<String>,
    pub vr: String,
    /// The value as text (binary values summarised, long text cut).
    pub value: String,
    /// 0 for the data set's own elements, 1 inside a sequence item, and so on.
    pub depth: u8,
}

impl From<DumpEntry> for TagView {
    fn from(d: DumpEntry) -> Self {
        Self {
            tag: d.tag,
            keyword: d.keyword,
            vr: d.vr,
            value: d.value,
            depth: d.depth,
        }
    }
}

/// An image with its file's elements (pixel data not included).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageDetailsView {
    #[serde(flatten)]
    pub image: ImageView,
    pub tags: Vec<TagView>,
}

impl From<ImageDetails> for ImageDetailsView {
    fn from(d: ImageDetails) -> Self {
        Self {
            image: d.image.into(),
            tags: d.tags.into_iter().map(TagView::from).collect(),
        }
    }
}

/// What became of one received file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivedFileView {
    /// The part's file name as sent (display only).
    pub file_name: Option<String>,
    /// `stored`, `duplicate` (an instance with this SOP Instance UID was already stored: nothing
    /// changed) or `refused`.
    #[schema(example = "stored")]
    pub status: &'static str,
    /// Why it was refused.
    pub error: Option<String>,
    pub image: Option<ImageView>,
    /// Whether this image moved its appointment to `in_scan`.
    pub appointment_moved: bool,
}

impl ReceivedFileView {
    pub(crate) fn stored(file_name: Option<String>, done: Ingested) -> Self {
        Self {
            file_name,
            status: if done.duplicate {
                "duplicate"
            } else {
                "stored"
            },
            error: None,
            image: Some(done.image.into()),
            appointment_moved: done.appointment_moved,
        }
    }

    pub(crate) fn refused(file_name: Option<String>, error: String) -> Self {
        Self {
            file_name,
            status: "refused",
            error: Some(error),
            image: None,
            appointment_moved: false,
        }
    }
}

/// The result of each file, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivedView {
    pub stored: u32,
    pub duplicates: u32,
    pub refused: u32,
    pub files: Vec<ReceivedFileView>,
}

/// What to publish on the worklist: an appointment's step, or one for a patient alone (scheduled
/// now, with a fresh accession number). Exactly one of `appointment_id` and `patient_id`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorklistBody {
    pub appointment_id: Option<String>,
    pub patient_id: Option<String>,
    pub modality: Option<String>,
    pub station_ae_title: Option<String>,
    pub description: Option<String>,
}

impl utoipa::PartialSchema for WorklistBody {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        let uuid = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                .description(Some(description))
        };
        let text = |pattern: &str, description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(pattern))
                .description(Some(description))
        };
        let form = |target: &str, description: &str| {
            ObjectBuilder::new()
                .property(target, uuid(description))
                .required(target)
                .property(
                    "modality",
                    text(
                        "^[A-Z0-9]{0,16}$",
                        "The modality (`US` when absent or empty)",
                    ),
                )
                .property(
                    "station_ae_title",
                    text(
                        "^[A-Za-z0-9 _-]{0,16}$",
                        "The station that should do it (its AE title)",
                    ),
                )
                .property(
                    "description",
                    text(
                        r"^[^\\\u0000]{0,64}$",
                        "The procedure's description (no backslash)",
                    ),
                )
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        OneOfBuilder::new()
            .item(form("appointment_id", "The appointment"))
            .item(form("patient_id", "The patient, for a step scheduled now"))
            .into()
    }
}

impl ToSchema for WorklistBody {}

impl From<WorklistBody> for WorklistTarget {
    fn from(b: WorklistBody) -> Self {
        WorklistTarget {
            appointment_id: b.appointment_id,
            patient_id: b.patient_id,
            modality: b.modality,
            station_ae_title: b.station_ae_title,
            description: b.description,
        }
    }
}

/// A published worklist entry, as modalities will see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorklistEntryView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub appointment_id: Option<String>,
    #[schema(format = Uuid)]
    pub patient_id: String,
    /// (0010,0010).
    pub patient_name: String,
    /// (0010,0020): the patient's MRN.
    pub patient_mrn: String,
    #[schema(format = Date)]
    pub patient_birth_date: Option<String>,
    pub patient_sex: Option<String>,
    pub accession_number: String,
    pub requested_procedure_id: String,
    pub requested_procedure_description: Option<String>,
    /// Pre-assigned: the modality's images join this study.
    pub study_instance_uid: String,
    pub scheduled_procedure_step_id: String,
    pub modality: String,
    pub station_ae_title: Option<String>,
    #[schema(format = Date)]
    pub start_date: String,
    /// `HH:MM`.
    pub start_time: String,
    pub step_description: Option<String>,
    pub performing_physician: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<WorklistEntry> for WorklistEntryView {
    fn from(e: WorklistEntry) -> Self {
        Self {
            id: e.id.to_string(),
            appointment_id: e.appointment_id.map(|a| a.to_string()),
            patient_id: e.patient_id.to_string(),
            patient_name: e.patient_name,
            patient_mrn: e.patient_mrn,
            patient_birth_date: e.patient_birth_date.map(format_date),
            patient_sex: e.patient_sex,
            accession_number: e.accession_number,
            requested_procedure_id: e.requested_procedure_id,
            requested_procedure_description: e.requested_procedure_description,
            study_instance_uid: e.study_instance_uid.to_string(),
            scheduled_procedure_step_id: e.scheduled_step_id,
            modality: e.modality,
            station_ae_title: e.station_ae_title,
            start_date: format_date(e.start_date),
            start_time: format!("{:02}:{:02}", e.start_time.hour(), e.start_time.minute()),
            step_description: e.step_description,
            performing_physician: e.performing_physician,
            created_at: format_rfc3339(e.created_at),
        }
    }
}
