//! A clinic patient's documents (003, "File uploads"): receptionists and doctors upload them as
//! multipart files, the clinical roles list, read and download them, doctors and admins delete
//! them (hidden at once, bytes removed after the retention period). Envelope B; every upload, read,
//! download and delete is in the audit log with its patient.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::clinic::Action;
use domain::documents::{DocumentId, DocumentKind, Linked, PatientFiling};
use domain::kernel::code::Code;
use domain::kernel::text::Key;
use domain::kernel::time::format_rfc3339;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema};

use super::clinic_params::{codes, page};
use super::clinic_patients::patient_id;
use super::clinic_reports::query;
use crate::envelope::{self, EnvelopeB, EnvelopeBList, ErrorB};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::Clinic;
use crate::upload_form;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
type Data = web::Data<AppState>;
type Token = Authenticated<Clinic>;

/// A document id from the path; one that is not a UUID names no document.
fn document_id(raw: &str) -> Result<DocumentId> {
    uuid::Uuid::parse_str(raw)
        .map(DocumentId::from_uuid)
        .map_err(|_| domain::documents::document::document_not_found().into())
}

/// What a document is filed as: `referral`, `lab`, `imaging`, `consent` or `other`.
#[derive(Debug)]
pub struct DocumentKindParam;

impl utoipa::PartialSchema for DocumentKindParam {
    fn schema() -> RefOr<Schema> {
        codes(
            "referral, lab, imaging, consent or other",
            DocumentKind::codes(),
        )
    }
}

impl ToSchema for DocumentKindParam {}

/// The body of an upload: the file, and optionally its title and kind.
#[derive(Debug)]
pub struct PatientDocumentForm;

impl utoipa::PartialSchema for PatientDocumentForm {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property("file", upload_form::file_schema())
            .property(
                "title",
                upload_form::text_schema("Shown in lists; the file's name when absent"),
            )
            .property("kind", DocumentKindParam::schema())
            .required("file")
            .into()
    }
}

impl ToSchema for PatientDocumentForm {}

/// A stored document of a patient.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientDocumentView {
    pub id: uuid::Uuid,
    pub patient_id: uuid::Uuid,
    pub title: String,
    #[schema(value_type = DocumentKindParam)]
    pub kind: &'static str,
    /// The file's name as uploaded (display only).
    pub name: String,
    /// Decided from the file's bytes.
    pub content_type: &'static str,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    /// A signed link to the bytes, valid for the server's link lifetime (15 minutes by default).
    pub url: String,
    /// The staff account that uploaded it.
    pub uploaded_by: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<Linked> for PatientDocumentView {
    fn from(linked: Linked) -> Self {
        let d = linked.document;
        let patient_id = match d.owner {
            domain::documents::Owner::Patient(p) => p.as_uuid(),
            domain::documents::Owner::AppUser(_) => uuid::Uuid::nil(),
        };
        Self {
            id: d.id.as_uuid(),
            patient_id,
            title: d.title.unwrap_or_else(|| d.name.clone()),
            kind: d.kind.unwrap_or(DocumentKind::Other).as_str(),
            name: d.name,
            content_type: d.content_type.mime(),
            size: d.size,
            sha256: d.sha256.hex(),
            url: linked.url,
            uploaded_by: d.uploaded_by.as_str().to_owned(),
            created_at: format_rfc3339(d.created_at),
        }
    }
}

/// What a deletion answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedDocumentView {
    pub id: uuid::Uuid,
}

/// A document list's query, as sent.
#[derive(Debug, Default, Deserialize)]
struct DocumentListQuery {
    page: Option<String>,
    limit: Option<String>,
}

/// Files a document under a patient. The type is decided from the bytes; the same bytes already
/// filed for the patient answer that document (200) and are not stored again.
#[utoipa::path(post, path = "/api/patients/{id}/documents", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The patient")),
    request_body(content = PatientDocumentForm, content_type = "multipart/form-data", description = "A part `file`, and optionally `title` and `kind`"),
    responses(
        (status = 201, body = EnvelopeB<PatientDocumentView>, description = "The document, stored"),
        (status = 200, body = EnvelopeB<PatientDocumentView>, description = "The patient already had these bytes: that document"),
        (status = 400, body = ErrorB, description = "Not a multipart body, no part `file`, an empty file, a body cut short, a blank title or an unknown kind; the message names each"),
        (status = 403, body = ErrorB, description = "Only receptionists and doctors upload documents"),
        (status = 404, body = ErrorB, description = "No such patient, or a deleted one"),
        (status = 413, body = ErrorB, description = "The file is larger than the server takes (25 MiB by default)"),
        (status = 415, body = ErrorB, description = "The file is not a PDF, JPEG, PNG, HEIC, DICOM or plain UTF-8 text file"),
    ))]
pub async fn upload(
    token: Token,
    state: Data,
    id: web::Path<String>,
    multipart: Multipart,
) -> Result {
    let who = token.who(Action::UploadDocuments).await?;
    let patient = patient_id(&id)?;
    // A missing patient is known before a byte of the file is read.
    let service = state.clinic.documents.clone();
    blocking(move || service.accepts(patient)).await?;
    let form = upload_form::read(&state.documents, multipart, &["title", "kind"]).await?;
    let filing = PatientFiling {
        title: form.texts.get("title").cloned(),
        kind: form.texts.get("kind").cloned(),
        file_name: form.file_name,
    };
    let service = state.clinic.documents.clone();
    let upload = form.upload;
    let linked = blocking(move || service.upload(&who, patient, upload, filing)).await?;
    let (status, key) = if linked.created {
        (StatusCode::CREATED, Key::DocumentUploaded)
    } else {
        (StatusCode::OK, Key::DocumentAlreadyStored)
    };
    Ok(envelope::b_ok(
        status,
        key,
        PatientDocumentView::from(linked),
    ))
}

/// A patient's documents, newest first.
#[utoipa::path(get, path = "/api/patients/{id}/documents", tag = "clinic",
    params(
        ("id" = uuid::Uuid, Path, description = "The patient"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<PatientDocumentView>, description = "A page of the patient's documents"),
        (status = 400, body = ErrorB, description = "`page` or `limit` is not a whole number from 1"),
        (status = 403, body = ErrorB, description = "The caller holds none of the clinical roles"),
        (status = 404, body = ErrorB, description = "No such patient, or a deleted one"),
    ))]
pub async fn list(token: Token, state: Data, id: web::Path<String>, req: HttpRequest) -> Result {
    let who = token.who(Action::ReadDocuments).await?;
    let q = query::<DocumentListQuery>(&req)?;
    let page = page(q.page.as_deref(), q.limit.as_deref())?;
    let patient = patient_id(&id)?;
    let service = state.clinic.documents.clone();
    let found = blocking(move || service.list(&who, patient, page)).await?;
    Ok(envelope::b_list(found, PatientDocumentView::from))
}

/// One document, with a fresh signed link to its bytes.
#[utoipa::path(get, path = "/api/documents/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The document")),
    responses(
        (status = 200, body = EnvelopeB<PatientDocumentView>, description = "The document"),
        (status = 403, body = ErrorB, description = "The caller holds none of the clinical roles"),
        (status = 404, body = ErrorB, description = "No such document, or a deleted one"),
    ))]
pub async fn show(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::ReadDocuments).await?;
    let id = document_id(&id)?;
    let service = state.clinic.documents.clone();
    let linked = blocking(move || service.read(&who, id)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::Ok,
        PatientDocumentView::from(linked),
    ))
}

/// The document's bytes as uploaded, as an attachment under its original name. `Range` (one
/// range) answers 206; `If-None-Match` with the `ETag` answers 304.
#[utoipa::path(get, path = "/api/documents/{id}/download", tag = "clinic",
    params(
        ("id" = uuid::Uuid, Path, description = "The document"),
        ("Range" = Option<String>, Header, description = "One range of bytes, `bytes=0-1023`, `bytes=1024-` or `bytes=-512`"),
    ),
    responses(
        (status = 200, content_type = "application/octet-stream", body = Vec<u8>, description = "The document, with its own `Content-Type`, `ETag` and `Content-Disposition`"),
        (status = 206, content_type = "application/octet-stream", body = Vec<u8>, description = "The range asked for, with `Content-Range`"),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 403, body = ErrorB, description = "The caller holds none of the clinical roles"),
        (status = 404, body = ErrorB, description = "No such document, or a deleted one"),
        (status = 416, body = ErrorB, description = "The range starts past the end of the file"),
    ))]
pub async fn download(
    token: Token,
    state: Data,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result {
    let who = token.who(Action::ReadDocuments).await?;
    let id = document_id(&id)?;
    let service = state.clinic.documents.clone();
    let document = blocking(move || service.download(&who, id)).await?;
    super::files::serve::<Clinic>(&req, state.documents.clone(), document, "attachment").await
}

/// Deletes a document: hidden from every list and link at once, its bytes removed after the
/// retention period (`DOCUMENT_RETENTION_DAYS`, 30 by default).
#[utoipa::path(delete, path = "/api/documents/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The document")),
    responses(
        (status = 200, body = EnvelopeB<DeletedDocumentView>, description = "The document is gone"),
        (status = 403, body = ErrorB, description = "Only doctors and admins delete documents"),
        (status = 404, body = ErrorB, description = "No such document, or a deleted one"),
    ))]
pub async fn delete(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::DeleteDocuments).await?;
    let id = document_id(&id)?;
    let service = state.clinic.documents.clone();
    blocking(move || service.delete(&who, id)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::DocumentDeleted,
        DeletedDocumentView { id: id.as_uuid() },
    ))
}
