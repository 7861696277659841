//! DICOMweb under `/dicomweb` (DICOM PS3.18), the clinic's images for standard viewers and PACS
//! clients: QIDO-RS searches and WADO-RS metadata here, frames, rendered images and whole
//! instances in [`super::dicomweb_wado`]. The clinic's token (`Authorization: Bearer …`);
//! searching and reading are viewing (doctor, technician), retrieving whole instances is
//! downloading (doctor). Answers are `application/dicom+json`; refusals are envelope B.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use domain::clinic::Action;
use domain::clinic::imaging::dicomweb::Target;
use domain::clinic::imaging::qido::{Level, QidoQuery};
use domain::clinic::imaging::qido_json::Root;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};

use crate::envelope::ErrorB;
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::Clinic;

pub(super) type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
pub(super) type Data = web::Data<AppState>;
pub(super) type Token = Authenticated<Clinic>;

/// The media type of the DICOM JSON model.
pub(super) const DICOM_JSON: &str = "application/dicom+json";

/// One object of the DICOM JSON model (PS3.18 §F.2): attributes keyed by tag (`"0020000D"`), each
/// `{"vr": …, "Value": […]}` (or `InlineBinary`, `BulkDataURI`).
#[derive(Debug)]
pub struct DicomJsonObject;

impl utoipa::PartialSchema for DicomJsonObject {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .description(Some(
                "Attributes keyed by tag (eight hex digits), each with its vr and Value",
            ))
            .into()
    }
}

impl utoipa::ToSchema for DicomJsonObject {}

/// `{study}` of a path.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StudyPath {
    /// Study Instance UID
    study: String,
}

/// `{study}/series/{series}` of a path.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SeriesPath {
    /// Study Instance UID
    study: String,
    /// Series Instance UID
    series: String,
}

/// `{study}/series/{series}/instances/{instance}` of a path.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InstancePath {
    /// Study Instance UID
    study: String,
    /// Series Instance UID
    series: String,
    /// SOP Instance UID
    instance: String,
}

impl StudyPath {
    pub(super) fn target(&self) -> Result<Target> {
        Ok(Target::parse(&self.study, None, None)?)
    }
}

impl SeriesPath {
    pub(super) fn target(&self) -> Result<Target> {
        Ok(Target::parse(&self.study, Some(&self.series), None)?)
    }
}

impl InstancePath {
    pub(super) fn new(study: String, series: String, instance: String) -> Self {
        Self {
            study,
            series,
            instance,
        }
    }

    pub(super) fn target(&self) -> Result<Target> {
        Ok(Target::parse(
            &self.study,
            Some(&self.series),
            Some(&self.instance),
        )?)
    }
}

/// The root `RetrieveURL`s and bulk data references start with.
pub(super) fn root(state: &AppState) -> Root {
    Root(state.clinic.dicomweb_root.clone())
}

/// The query string's parameters in order, URL-decoded (`PatientName=Com%2A` is `Com*`).
fn params(req: &HttpRequest) -> Vec<(String, String)> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default()
}

fn json_answer(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(DICOM_JSON)))
        .body(body)
}

async fn search(
    token: Token,
    state: Data,
    req: HttpRequest,
    level: Level,
    study: Option<String>,
    series: Option<String>,
) -> Result {
    let who = token.who(Action::ViewImages).await?;
    // A path UID that is not one names nothing.
    for uid in study.iter().chain(series.iter()) {
        Target::parse(uid, None, None)?;
    }
    let query = QidoQuery::parse(level, study.as_deref(), series.as_deref(), &params(&req))?;
    let root = root(&state);
    let found = blocking(move || state.clinic.dicomweb.search(&who, &query, &root)).await?;
    let body = serde_json::to_string(&found)
        .map_err(|e| domain::Error::internal(format!("writing DICOM JSON: {e}")))?;
    Ok(json_answer(body))
}

/// Searches studies (QIDO-RS): `PatientID`, `PatientName` (`*`, `?`), `StudyDate` (a day or a range
/// `20240101-20240131`), `AccessionNumber`, `ModalitiesInStudy`, `StudyInstanceUID` (a list), by
/// keyword or tag; `limit` (default 100, at most 1000), `offset`, `includefield`, `fuzzymatching`.
#[utoipa::path(get, path = "/dicomweb/studies", tag = "dicomweb",
    params(QidoParams),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "The matching studies, newest first, with their counts and RetrieveURL"),
        (status = 400, body = ErrorB, description = "A parameter is malformed or not one this server searches by; the message names each"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
    ))]
pub async fn studies(token: Token, state: Data, req: HttpRequest) -> Result {
    search(token, state, req, Level::Study, None, None).await
}

/// Searches series, of every study (QIDO-RS); study keys and `Modality` match too.
#[utoipa::path(get, path = "/dicomweb/series", tag = "dicomweb",
    params(QidoParams),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "The matching series"),
        (status = 400, body = ErrorB, description = "A parameter is malformed or not one this server searches by"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
    ))]
pub async fn all_series(token: Token, state: Data, req: HttpRequest) -> Result {
    search(token, state, req, Level::Series, None, None).await
}

/// Searches the series of one study (QIDO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series", tag = "dicomweb",
    params(StudyPath, QidoParams),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "The study's matching series"),
        (status = 400, body = ErrorB, description = "A parameter is malformed or not one this server searches by"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "The path's UID is not a UID"),
    ))]
pub async fn study_series(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<StudyPath>,
) -> Result {
    let study = path.into_inner().study;
    search(token, state, req, Level::Series, Some(study), None).await
}

/// Searches instances, of every study (QIDO-RS).
#[utoipa::path(get, path = "/dicomweb/instances", tag = "dicomweb",
    params(QidoParams),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "The matching instances"),
        (status = 400, body = ErrorB, description = "A parameter is malformed or not one this server searches by"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
    ))]
pub async fn all_instances(token: Token, state: Data, req: HttpRequest) -> Result {
    search(token, state, req, Level::Instance, None, None).await
}

/// Searches the instances of one study (QIDO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/instances", tag = "dicomweb",
    params(StudyPath, QidoParams),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "The study's matching instances"),
        (status = 400, body = ErrorB, description = "A parameter is malformed or not one this server searches by"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "The path's UID is not a UID"),
    ))]
pub async fn study_instances(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<StudyPath>,
) -> Result {
    let study = path.into_inner().study;
    search(token, state, req, Level::Instance, Some(study), None).await
}

/// Searches the instances of one series (QIDO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/instances", tag = "dicomweb",
    params(
        SeriesPath,
        QidoParams,
    ),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "The series' matching instances"),
        (status = 400, body = ErrorB, description = "A parameter is malformed or not one this server searches by"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "A path UID is not a UID"),
    ))]
pub async fn series_instances(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<SeriesPath>,
) -> Result {
    let SeriesPath { study, series } = path.into_inner();
    search(
        token,
        state,
        req,
        Level::Instance,
        Some(study),
        Some(series),
    )
    .await
}

/// The query parameters every search takes, as documented; matching keys by tag (`00100010`) are
/// taken as well.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    non_snake_case,
    dead_code,
    reason = "the parameters are documented by their DICOM keywords and read from the query string as pairs"
)]
pub struct QidoParams {
    /// Patient ID; `*` and `?` are wildcards.
    PatientID: Option<String>,
    /// Patient's name (`Family^Given`); `*` and `?` are wildcards.
    PatientName: Option<String>,
    /// A day `YYYYMMDD`, or a range `YYYYMMDD-YYYYMMDD` (either end may be open).
    #[param(pattern = r"^(\d{8})?-?(\d{8})?$")]
    StudyDate: Option<String>,
    AccessionNumber: Option<String>,
    /// Studies with a series of this modality.
    #[param(pattern = "^[A-Za-z0-9]{1,16}$")]
    ModalitiesInStudy: Option<String>,
    /// The series' modality (studies with such a series, at the study level).
    #[param(pattern = "^[A-Za-z0-9]{1,16}$")]
    Modality: Option<String>,
    /// One UID, or UIDs separated by commas.
    StudyInstanceUID: Option<String>,
    SeriesInstanceUID: Option<String>,
    SOPInstanceUID: Option<String>,
    /// Default 100, at most 1000.
    #[param(minimum = 0, maximum = 4294967295u32)]
    limit: Option<i64>,
    #[param(minimum = 0, maximum = 4294967295u32)]
    offset: Option<i64>,
    /// Tags or keywords separated by commas, or `all`.
    includefield: Option<String>,
    /// `true` or `false` (both match exactly).
    fuzzymatching: Option<bool>,
}

/// WADO-RS `/metadata` of a study, a series or an instance: each instance's data set in the DICOM
/// JSON model, its pixel data as a `BulkDataURI`.
async fn metadata(token: Token, state: Data, target: Result<Target>) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let target = target?;
    let root = root(&state);
    let found = blocking(move || state.clinic.dicomweb.metadata(&who, &target, &root)).await?;
    let mut body = String::with_capacity(found.iter().map(|j| j.0.len() + 1).sum::<usize>() + 2);
    body.push('[');
    for (i, json) in found.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&json.0);
    }
    body.push(']');
    Ok(json_answer(body))
}

/// Every instance of a study, in the DICOM JSON model (WADO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/metadata", tag = "dicomweb",
    params(StudyPath),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "Each instance's data set"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such study"),
    ))]
pub async fn study_metadata(token: Token, state: Data, path: web::Path<StudyPath>) -> Result {
    metadata(token, state, path.target()).await
}

/// Every instance of a series, in the DICOM JSON model (WADO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/metadata", tag = "dicomweb",
    params(
        SeriesPath,
    ),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "Each instance's data set"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such series"),
    ))]
pub async fn series_metadata(token: Token, state: Data, path: web::Path<SeriesPath>) -> Result {
    metadata(token, state, path.target()).await
}

/// One instance, in the DICOM JSON model (WADO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata", tag = "dicomweb",
    params(
        InstancePath,
    ),
    responses(
        (status = 200, content_type = "application/dicom+json", body = Vec<DicomJsonObject>, description = "The instance's data set"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such instance"),
    ))]
pub async fn instance_metadata(token: Token, state: Data, path: web::Path<InstancePath>) -> Result {
    metadata(token, state, path.target()).await
}
