//! `POST /app/upload-medical-document`: a patient's medical document, uploaded to the server so
//! that a case can name it by its `key` (audience `snr_usr`, envelope A). The answer's `url` is a
//! signed link the app can open without its token.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use domain::documents::Linked;
use domain::kernel::text::Key;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema};

use crate::envelope::{self, EnvelopeA, ErrorA};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::App;
use crate::upload_form;

/// The body of an upload: the file, and optionally the name to show for it.
#[derive(Debug)]
pub struct UploadDocumentForm;

impl utoipa::PartialSchema for UploadDocumentForm {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property("file", upload_form::file_schema())
            .property(
                "name",
                upload_form::text_schema(
                    "The name to show (kept as text, never as a path); the part's file name when absent",
                ),
            )
            .required("file")
            .into()
    }
}

impl ToSchema for UploadDocumentForm {}

/// An uploaded document: give its `key` (with any `url` and `name`) in a case's documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedDocumentView {
    /// A signed link to the bytes, valid for the server's link lifetime (15 minutes by default);
    /// case details give a fresh one each time they are read.
    pub url: String,
    /// What a case names the document by.
    #[schema(example = "documents/0198a3c4-0000-7000-8000-00000000004e")]
    pub key: String,
    pub name: String,
    pub size: u64,
    /// Decided from the file's bytes.
    pub content_type: &'static str,
    /// Lowercase hex.
    pub sha256: String,
}

impl From<Linked> for UploadedDocumentView {
    fn from(linked: Linked) -> Self {
        let d = linked.document;
        Self {
            url: linked.url,
            key: d.key.as_str().to_owned(),
            name: d.name,
            size: d.size,
            content_type: d.content_type.mime(),
            sha256: d.sha256.hex(),
        }
    }
}

/// Stores a medical document of the user's. The type is decided from the bytes, not the name; the
/// same bytes uploaded again answer the stored document and are not stored twice.
#[utoipa::path(post, path = "/app/upload-medical-document", tag = "app",
    request_body(content = UploadDocumentForm, content_type = "multipart/form-data", description = "A part `file`, and optionally `name`"),
    responses(
        (status = 200, body = EnvelopeA<UploadedDocumentView>, description = "The document, stored (or the same bytes stored before)"),
        (status = 400, body = ErrorA, description = "Not a multipart body, no part `file`, an empty file, a body cut short or a blank name; the message names each"),
        (status = 413, body = ErrorA, description = "The file is larger than the server takes (25 MiB by default)"),
        (status = 415, body = ErrorA, description = "The file is not a PDF, JPEG, PNG, HEIC, DICOM or plain UTF-8 text file"),
    ),
    security(("token" = [])))]
pub async fn upload_medical_document(
    user: Authenticated<App>,
    state: web::Data<AppState>,
    multipart: Multipart,
) -> Result<HttpResponse, ApiError<App>> {
    // A revoked token is refused before a byte of the file is read.
    let actor = user.confirm().await?;
    let form = upload_form::read(&state.documents, multipart, &["name"]).await?;
    let name = form.texts.get("name").cloned().or(form.file_name);
    let documents = state.documents.clone();
    let upload = form.upload;
    let linked =
        blocking(move || documents.upload_for_user(&actor.id, upload, name.as_deref())).await?;
    let key = if linked.created {
        Key::DocumentUploaded
    } else {
        Key::DocumentAlreadyStored
    };
    Ok(envelope::a_ok(key, UploadedDocumentView::from(linked)))
}
