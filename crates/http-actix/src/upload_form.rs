//! A `multipart/form-data` upload of one document: the part named `file` streams into the blob
//! store (through [`DocumentService::stage`], on a blocking thread) while it arrives; a few short
//! text parts ride along. Nothing of the file is held in memory, and whatever goes wrong the staged
//! bytes are dropped.

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::pin::Pin;

use actix_multipart::{Field, Multipart};
use actix_web::web;
use domain::documents::{DocumentService, Upload};
use domain::kernel::text::{Key, Text};
use domain::{Error, FieldError};
use futures_core::Stream;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};

use crate::stream::ChannelReader;

/// The `file` part of an upload form, as the OpenAPI document describes it.
pub(crate) fn file_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
        .description(Some(
            "The document: PDF, JPEG, PNG, HEIC, DICOM (Part 10) or plain UTF-8 text, at most the server's upload limit (25 MiB by default)",
        ))
}

/// A text part of 1 to 255 characters (a display name, a title).
pub(crate) fn text_schema(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(255))
        .description(Some(description))
}

/// The most bytes of a text part.
const MAX_TEXT_BYTES: usize = 4096;

/// What an upload form carried.
#[derive(Debug)]
pub(crate) struct UploadForm {
    pub upload: Upload,
    /// The `file` part's file name, as the client gave it.
    pub file_name: Option<String>,
    /// The text parts asked for, by name.
    pub texts: BTreeMap<String, String>,
}

/// 400 on `field`: the body is not the multipart form the route takes.
fn malformed(field: &str, detail: impl std::fmt::Display) -> Error {
    Error::field(FieldError::new(
        field,
        "multipart",
        Text::new(Key::DocumentFormMalformed).with("detail", detail.to_string()),
    ))
}

async fn next_chunk(field: &mut Field) -> Option<Result<web::Bytes, Error>> {
    poll_fn(|cx| Pin::new(&mut *field).poll_next(cx))
        .await
        .map(|chunk| chunk.map_err(|e| malformed("file", e)))
}

/// Streams the `file` part into the store. A body cut short reaches the store as a read error, so
/// that nothing is staged.
async fn stage(documents: &DocumentService, field: &mut Field) -> Result<Upload, Error> {
    let (sender, mut reader) = ChannelReader::channel();
    let service = documents.clone();
    let staged = web::block(move || service.stage(&mut reader));
    let mut failure = None;
    while let Some(chunk) = next_chunk(field).await {
        match chunk {
            Ok(bytes) => {
                // Once the store stopped reading (over the limit), the rest is not sent.
                if sender.send(Ok(bytes)).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                let _ = sender.send(Err(std::io::Error::other(e.to_string()))).await;
                failure = Some(e);
                break;
            }
        }
    }
    drop(sender);
    let result = staged
        .await
        .map_err(|e| Error::Internal(domain::Cause::with_source("a blocking task failed", e)))?;
    match (result, failure) {
        (Ok(upload), None) => Ok(upload),
        // The body broke off: the client's fault, whatever the store made of the missing end.
        (Ok(upload), Some(e)) => {
            discard(documents, upload).await;
            Err(e)
        }
        (Err(_), Some(e)) => Err(e),
        // The store refused (too large, wrong type, empty): that is the answer.
        (Err(e), None) => Err(e),
    }
}

/// Drops a staged upload on a blocking thread; a failure only leaves it to the staging sweep.
pub(crate) async fn discard(documents: &DocumentService, upload: Upload) {
    let service = documents.clone();
    if let Ok(Err(error)) = web::block(move || service.discard(upload)).await {
        tracing::warn!(%error, "dropping a staged upload failed; the staging sweep removes it");
    }
}

async fn text(field: &mut Field, name: &str) -> Result<String, Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = next_chunk(field).await {
        bytes.extend_from_slice(&chunk?);
        if bytes.len() > MAX_TEXT_BYTES {
            return Err(Error::field(FieldError::new(
                name,
                "length",
                Text::new(Key::InvalidMaxLength)
                    .field("field", name)
                    .with("max", MAX_TEXT_BYTES as i64),
            )));
        }
    }
    String::from_utf8(bytes).map_err(|_| malformed(name, "not UTF-8 text"))
}

/// Reads the form: one part `file` (required; a second is refused), the text parts named in
/// `text_fields`; other parts are read and ignored.
pub(crate) async fn read(
    documents: &DocumentService,
    mut multipart: Multipart,
    text_fields: &[&str],
) -> Result<UploadForm, Error> {
    let mut upload: Option<(Upload, Option<String>)> = None;
    let mut texts = BTreeMap::new();
    let outcome: Result<(), Error> = async {
        while let Some(field) = poll_fn(|cx| Pin::new(&mut multipart).poll_next(cx)).await {
            let mut field = field.map_err(|e| malformed("file", e))?;
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                if upload.is_some() {
                    return Err(malformed("file", "more than one part named file"));
                }
                let file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .filter(|n| !n.trim().is_empty())
                    .map(str::to_owned);
                upload = Some((stage(documents, &mut field).await?, file_name));
            } else if text_fields.contains(&name.as_str()) {
                let value = text(&mut field, &name).await?;
                texts.insert(name, value);
            } else {
                while let Some(chunk) = next_chunk(&mut field).await {
                    chunk?;
                }
            }
        }
        Ok(())
    }
    .await;
    match (outcome, upload) {
        (Ok(()), Some((upload, file_name))) => Ok(UploadForm {
            upload,
            file_name,
            texts,
        }),
        (Ok(()), None) => Err(Error::field(FieldError::new(
            "file",
            "required",
            Text::new(Key::DocumentFileMissing),
        ))),
        (Err(e), staged) => {
            if let Some((upload, _)) = staged {
                discard(documents, upload).await;
            }
            Err(e)
        }
    }
}
