//! `POST /api/dicom/receive` (technicians: files as a modality would send them, the same path as
//! the listener's C-STORE) and `POST /api/dicom/mwl/send` (receptionists and technicians: publish a
//! worklist entry for the modalities to query).

use std::future::poll_fn;
use std::pin::Pin;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use domain::Error;
use domain::clinic::Action;
use domain::clinic::imaging::Arrival;
use domain::kernel::text::{Arg, Key, Text};
use futures_core::Stream;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

use super::clinic_imaging_views::{
    ReceivedFileView, ReceivedView, WorklistBody, WorklistEntryView,
};
use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeB, ErrorB};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::i18n::say;
use crate::state::AppState;
use crate::stream::ChannelReader;
use crate::surface::Clinic;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
type Data = web::Data<AppState>;
type Token = Authenticated<Clinic>;

/// The body of `POST /api/dicom/receive`, as the document describes it: parts named `file`, each
/// a DICOM Part 10 file (send the part again for each further file).
#[derive(Debug)]
pub struct ReceiveForm;

impl utoipa::PartialSchema for ReceiveForm {
    fn schema() -> RefOr<Schema> {
        let file = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("A DICOM Part 10 file"));
        ObjectBuilder::new()
            .property("file", file)
            .required("file")
            .into()
    }
}

impl utoipa::ToSchema for ReceiveForm {}

/// The most files one request may carry.
pub const MAX_FILES: usize = 500;

pub(super) fn malformed(detail: impl std::fmt::Display) -> ApiError<Clinic> {
    Error::field(domain::FieldError::new(
        "file",
        "multipart",
        Text::new(Key::ClinicMultipartMalformed).with("detail", detail.to_string()),
    ))
    .into()
}

/// Notes a refused file: its result, and its reasons named by its file name (for the 400 when no
/// file could be taken).
fn refuse(
    files: &mut Vec<ReceivedFileView>,
    reasons: &mut Vec<domain::FieldError>,
    file_name: Option<String>,
    texts: Vec<Text>,
) {
    let name = file_name
        .clone()
        .unwrap_or_else(|| format!("#{}", files.len() + 1));
    let message = texts.iter().map(say).collect::<Vec<_>>().join("; ");
    for text in texts {
        reasons.push(domain::FieldError::new(
            "file",
            "dicom",
            Text::new(Key::ClinicFileRefused)
                .with("name", name.as_str())
                .with("reason", Arg::Text(Box::new(text))),
        ));
    }
    files.push(ReceivedFileView::refused(file_name, message));
}

/// Stores DICOM files, each as the listener's C-STORE would: stored and indexed, linked to the
/// patient by Patient ID and to the appointment by Accession Number, announced on `/api/ws`. A file
/// whose SOP Instance UID is already stored answers `duplicate` and changes nothing. Each file is
/// a part named `file` (or `files`); other parts are ignored. When no file could be taken the
/// answer is 400 with each file's reason; otherwise 200 with a result per file.
#[utoipa::path(post, path = "/api/dicom/receive", tag = "clinic",
    request_body(content = ReceiveForm, content_type = "multipart/form-data", description = "One or more parts named `file`, each a DICOM Part 10 file"),
    responses(
        (status = 200, body = EnvelopeB<ReceivedView>, description = "What became of each file, in the order sent"),
        (status = 400, body = ErrorB, description = "Not a multipart body, no file in it, or no file could be taken (not DICOM, no meta header, cut short, a UID missing); the message names each reason"),
        (status = 403, body = ErrorB, description = "Only technicians send images"),
        (status = 413, body = ErrorB, description = "A file is larger than the server takes, or more than 500 files were sent"),
    ))]
pub async fn receive(token: Token, state: Data, mut multipart: Multipart) -> Result {
    let who = token.who(Action::ReceiveImages).await?;
    let max_bytes = state.clinic.dicom_max_bytes;
    let mut files = Vec::new();
    let mut reasons: Vec<domain::FieldError> = Vec::new();
    while let Some(field) = poll_fn(|cx| Pin::new(&mut multipart).poll_next(cx)).await {
        let mut field = field.map_err(malformed)?;
        if !matches!(field.name(), Some("file" | "files" | "files[]")) {
            while let Some(chunk) = poll_fn(|cx| Pin::new(&mut field).poll_next(cx)).await {
                chunk.map_err(malformed)?;
            }
            continue;
        }
        if files.len() == MAX_FILES {
            return Err(Error::TooLarge(
                Text::new(Key::ClinicTooManyFiles).with("max", MAX_FILES as i64),
            )
            .into());
        }
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let (sender, mut reader) = ChannelReader::channel();
        let ingest = state.clinic.ingest.clone();
        let uploader = who.clone();
        // The store reads on a blocking thread while this task hands it the part's chunks.
        let stored =
            web::block(move || ingest.ingest(&uploader, Arrival::Upload, &mut reader, max_bytes));
        let mut open = true;
        while let Some(chunk) = poll_fn(|cx| Pin::new(&mut field).poll_next(cx)).await {
            let chunk = chunk.map_err(malformed)?;
            // Once the store stopped reading (a refusal), the rest of the part is read and
            // dropped so that the next part can be reached.
            if open && sender.send(Ok(chunk)).await.is_err() {
                open = false;
            }
        }
        drop(sender);
        let result = stored.await.map_err(|e| {
            Error::Internal(domain::Cause::with_source("a blocking task failed", e))
        })?;
        match result {
            Ok(done) => files.push(ReceivedFileView::stored(file_name, done)),
            Err(e @ Error::TooLarge(_)) => return Err(e.into()),
            Err(Error::Validation(fields)) => {
                let texts: Vec<Text> = fields.into_iter().map(|f| f.text).collect();
                refuse(&mut files, &mut reasons, file_name, texts);
            }
            Err(Error::Unsupported(text)) => {
                refuse(&mut files, &mut reasons, file_name, vec![text]);
            }
            Err(other) => return Err(other.into()),
        }
    }
    if files.is_empty() {
        return Err(malformed("no part named file"));
    }
    let count = |status: &str| {
        u32::try_from(files.iter().filter(|f| f.status == status).count()).unwrap_or(u32::MAX)
    };
    let (stored, duplicates, refused) = (count("stored"), count("duplicate"), count("refused"));
    if stored + duplicates == 0 {
        return Err(Error::Validation(reasons).into());
    }
    Ok(envelope::b_ok(
        StatusCode::OK,
        Text::new(Key::ClinicImagesReceived)
            .with("stored", i64::from(stored + duplicates))
            .with("refused", i64::from(refused)),
        ReceivedView {
            stored,
            duplicates,
            refused,
            files,
        },
    ))
}

/// Publishes a worklist entry for an appointment, or for a patient alone (scheduled now, with a
/// fresh accession number). Modalities then find it by C-FIND on the server's DICOM listener.
/// Publishing an appointment again refreshes its entry and keeps its Study Instance UID.
#[utoipa::path(post, path = "/api/dicom/mwl/send", tag = "clinic",
    request_body = WorklistBody,
    responses(
        (status = 200, body = EnvelopeB<WorklistEntryView>, description = "The entry as modalities will see it"),
        (status = 400, body = ErrorB, description = "Neither or both of `appointment_id` and `patient_id`, or a malformed field"),
        (status = 403, body = ErrorB, description = "Only receptionists and technicians publish the worklist"),
        (status = 404, body = ErrorB, description = "No such appointment or patient"),
        (status = 409, body = ErrorB, description = "The appointment is in review, completed, cancelled or a no-show"),
    ))]
pub async fn send_worklist(
    token: Token,
    state: Data,
    body: JsonBody<WorklistBody, Clinic>,
) -> Result {
    let who = token.who(Action::SendWorklist).await?;
    let target = body.parse()?.into();
    let entry = blocking(move || state.clinic.worklist.send(&who, &target)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::ClinicWorklistPublished,
        WorklistEntryView::from(entry),
    ))
}
