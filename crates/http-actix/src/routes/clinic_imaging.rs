//! `/api/dicom/studies` and `/api/dicom/images`: the clinic's study index (audience `clinic`,
//! envelope B). Doctors and technicians view; doctors download the stored files; doctors and
//! technicians delete a study (003's Access lines, `Action`). Every read lands in the audit log.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use domain::Error;
use domain::clinic::imaging::THUMBNAIL_DEFAULT;
use domain::clinic::{Action, ImageId, StudyId};
use domain::kernel::text::Key;

use super::clinic_imaging_views::{
    ImageDetailsView, ImageView, PageQuery, StudyDetailsView, StudyListQuery, StudyView,
    ThumbnailQuery,
};
use super::clinic_params::{page, whole};
use super::clinic_reports::query;
use crate::envelope::{self, EnvelopeB, EnvelopeBList, ErrorB};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::stream::ReaderStream;
use crate::surface::Clinic;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
type Data = web::Data<AppState>;
type Token = Authenticated<Clinic>;

/// A study id from the path; one that is not a UUID names no study.
fn study_id(raw: &str) -> Result<StudyId> {
    uuid::Uuid::parse_str(raw)
        .map(StudyId::from_uuid)
        .map_err(|_| Error::not_found(Key::ClinicStudyNotFound).into())
}

fn image_id(raw: &str) -> Result<ImageId> {
    uuid::Uuid::parse_str(raw)
        .map(ImageId::from_uuid)
        .map_err(|_| Error::not_found(Key::ClinicImageNotFound).into())
}

/// Studies, newest study date first.
#[utoipa::path(get, path = "/api/dicom/studies", tag = "clinic",
    params(
        ("patient_id" = Option<uuid::Uuid>, Query, description = "Only this patient's"),
        ("date" = Option<String>, Query, format = Date, description = "Studies of this day (`YYYY-MM-DD`)"),
        ("date_from" = Option<String>, Query, format = Date, description = "Studies from this day on"),
        ("date_to" = Option<String>, Query, format = Date, description = "Studies up to this day, included"),
        ("modality" = Option<String>, Query, pattern = "^[A-Za-z0-9]{1,16}$", description = "Studies with a series of this modality (`US`, `CT`; any case)"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<StudyView>, description = "A page of studies"),
        (status = 400, body = ErrorB, description = "A query parameter is malformed; the message names each"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
    ))]
pub async fn list_studies(token: Token, state: Data, req: HttpRequest) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let q = query::<StudyListQuery>(&req)?;
    let filter = q.study_query().filter()?;
    let page = page(q.page.as_deref(), q.limit.as_deref())?;
    let list = blocking(move || state.clinic.studies.list(&who, &filter, page)).await?;
    Ok(envelope::b_list(list, StudyView::from))
}

/// One study with its series.
#[utoipa::path(get, path = "/api/dicom/studies/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The study")),
    responses(
        (status = 200, body = EnvelopeB<StudyDetailsView>, description = "The study and its series"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such study"),
    ))]
pub async fn get_study(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let id = study_id(&id)?;
    let study = blocking(move || state.clinic.studies.read(&who, id)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::Ok,
        StudyDetailsView::from(study),
    ))
}

/// A study's images, by series number, then instance number.
#[utoipa::path(get, path = "/api/dicom/studies/{id}/images", tag = "clinic",
    params(
        ("id" = uuid::Uuid, Path, description = "The study"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<ImageView>, description = "A page of the study's images"),
        (status = 400, body = ErrorB, description = "`page` or `limit` is malformed"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such study"),
    ))]
pub async fn study_images(
    token: Token,
    state: Data,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let q = query::<PageQuery>(&req)?;
    let page = page(q.page.as_deref(), q.limit.as_deref())?;
    let id = study_id(&id)?;
    let images = blocking(move || state.clinic.studies.images(&who, id, page)).await?;
    Ok(envelope::b_list(images, ImageView::from))
}

/// An image's index entry and the elements of its file (pixel data summarised, not included).
#[utoipa::path(get, path = "/api/dicom/images/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The image")),
    responses(
        (status = 200, body = EnvelopeB<ImageDetailsView>, description = "The image and its tags"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such image"),
    ))]
pub async fn get_image(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let id = image_id(&id)?;
    let details = blocking(move || state.clinic.studies.details(&who, id)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::Ok,
        ImageDetailsView::from(details),
    ))
}

/// The image's first frame as a PNG, its long side at most `size` pixels (never enlarged): grey
/// images windowed by the file's VOI window or their pixel range, colour and palette colour as
/// RGB. Drawn once per size, then served from the cache.
#[utoipa::path(get, path = "/api/dicom/images/{id}/thumbnail", tag = "clinic",
    params(
        ("id" = uuid::Uuid, Path, description = "The image"),
        ("size" = Option<i64>, Query, minimum = 16, maximum = 1024, description = "The long side's most pixels; default 256"),
    ),
    responses(
        (status = 200, content_type = "image/png", body = Vec<u8>, description = "The thumbnail"),
        (status = 400, body = ErrorB, description = "`size` is not a whole number from 16 to 1024"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such image"),
        (status = 415, body = ErrorB, description = "The object has no pixel data (a report, a waveform), or its pixels cannot be decoded here (JPEG 2000); the message says which"),
    ))]
pub async fn thumbnail(
    token: Token,
    state: Data,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let q = query::<ThumbnailQuery>(&req)?;
    let size = match whole("size", q.size.as_deref()) {
        Ok(None) => THUMBNAIL_DEFAULT,
        Ok(Some(n)) => u32::try_from(n).unwrap_or(u32::MAX),
        Err(e) => return Err(Error::field(e).into()),
    };
    let id = image_id(&id)?;
    let png = blocking(move || state.clinic.studies.thumbnail(&who, id, size)).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .body(png))
}

/// The stored file, byte for byte as received.
#[utoipa::path(get, path = "/api/dicom/images/{id}/download", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The image")),
    responses(
        (status = 200, content_type = "application/dicom", body = Vec<u8>, description = "The DICOM file, as an attachment `<SOP Instance UID>.dcm`"),
        (status = 403, body = ErrorB, description = "Only doctors download images"),
        (status = 404, body = ErrorB, description = "No such image"),
    ))]
pub async fn download(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::DownloadImages).await?;
    let id = image_id(&id)?;
    let (image, file) = blocking(move || state.clinic.studies.download(&who, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/dicom")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}.dcm\"", image.sop_instance_uid),
        ))
        .insert_header((header::ETAG, format!("\"{}\"", image.sha256.hex())))
        .no_chunking(file.size)
        .streaming(ReaderStream::new(file.reader)))
}

/// What a deletion answers.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DeletedStudyView {
    #[schema(format = Uuid)]
    pub id: String,
}

/// Deletes a study: its index entries and its files, in one step.
#[utoipa::path(delete, path = "/api/dicom/studies/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The study")),
    responses(
        (status = 200, body = EnvelopeB<DeletedStudyView>, description = "The study is gone"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians delete studies"),
        (status = 404, body = ErrorB, description = "No such study"),
    ))]
pub async fn delete_study(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::DeleteStudy).await?;
    let id = study_id(&id)?;
    blocking(move || state.clinic.studies.delete(&who, id)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::ClinicStudyDeleted,
        DeletedStudyView { id: id.to_string() },
    ))
}
