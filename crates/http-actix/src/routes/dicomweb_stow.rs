//! STOW-RS `POST /dicomweb/studies` and `/studies/{study}`: instances sent as `multipart/related; type="application/dicom"`,
//! each part through the same ingest path as C-STORE and `POST /api/dicom/receive` (same index,
//! de-duplication, events and appointment link). The answer is PS3.18's store response: the stored
//! instances in `ReferencedSOPSequence`, the refused parts in `FailedSOPSequence` with a failure
//! reason each; 200 when all were stored, 202 when some were, 409 when none was.

use std::future::poll_fn;
use std::pin::Pin;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use domain::Error;
use domain::clinic::Action;
use domain::clinic::imaging::Arrival;
use domain::clinic::imaging::dicom::Uid;
use domain::clinic::imaging::dicomweb::Target;
use domain::clinic::imaging::ingest::OTHER_STUDY;
use domain::kernel::text::{Arg, Key, Text};
use futures_core::Stream;
use serde_json::{Value, json};

use super::dicomweb::{DICOM_JSON, Data, DicomJsonObject, Result, Token};
use crate::envelope::ErrorB;
use crate::stream::ChannelReader;

/// PS3.4 Annex B failure reasons.
const CANNOT_UNDERSTAND: u16 = 0xC000;
const OUT_OF_RESOURCES: u16 = 0xA700;
const PROCESSING_FAILURE: u16 = 0x0110;
/// "Data set does not match": here, an instance of another study than the path names.
const DOES_NOT_MATCH: u16 = 0xA900;

/// The most parts one request may carry, as `POST /api/dicom/receive` takes.
const MAX_PARTS: usize = 500;

fn unsupported_body() -> super::dicomweb::Result {
    Err(Error::Unsupported(Text::new(Key::DicomwebStowMediaType)).into())
}

fn failed(reason: u16) -> Value {
    json!({"00081197": {"vr": "US", "Value": [reason]}})
}

/// A refused instance whose UIDs were read: the item names it, as PS3.18 asks where known.
fn failed_instance(reason: u16, text: &Text) -> Value {
    let mut item = failed(reason);
    for (tag, arg) in [("00081150", "class"), ("00081155", "instance")] {
        if let Some(Arg::Str(uid)) = text.arg(arg) {
            item[tag] = json!({"vr": "UI", "Value": [uid]});
        }
    }
    item
}

/// Stores the instances of the request (STOW-RS), technicians only, with the `Authorization`
/// header.
#[utoipa::path(post, path = "/dicomweb/studies", tag = "dicomweb",
    request_body(content = Vec<u8>, content_type = "multipart/related", description = "Parts of type application/dicom, each a DICOM Part 10 file"),
    responses(
        (status = 200, content_type = "application/dicom+json", body = DicomJsonObject, description = "Every instance was stored (or was already): ReferencedSOPSequence"),
        (status = 202, content_type = "application/dicom+json", body = DicomJsonObject, description = "Some were stored, some refused: FailedSOPSequence gives each refused part's reason"),
        (status = 400, body = ErrorB, description = "The multipart body cannot be read"),
        (status = 403, body = ErrorB, description = "Only technicians store images"),
        (status = 409, content_type = "application/dicom+json", body = DicomJsonObject, description = "No instance could be stored: FailedSOPSequence gives each part's reason"),
        (status = 413, body = ErrorB, description = "A part is larger than the server takes, or more than 500 parts were sent"),
        (status = 415, body = ErrorB, description = "The body is not multipart/related with application/dicom parts"),
    ))]
pub async fn store(token: Token, state: Data, req: HttpRequest, multipart: Multipart) -> Result {
    store_parts(token, state, req, multipart, None).await
}

/// Stores instances of one study (STOW-RS): a part of another study is refused with failure
/// reason A900 and nothing of it is stored.
#[utoipa::path(post, path = "/dicomweb/studies/{study}", tag = "dicomweb",
    params(("study" = String, Path, description = "Study Instance UID every instance must belong to")),
    request_body(content = Vec<u8>, content_type = "multipart/related", description = "Parts of type application/dicom, each a DICOM Part 10 file of that study"),
    responses(
        (status = 200, content_type = "application/dicom+json", body = DicomJsonObject, description = "Every instance was stored (or was already): ReferencedSOPSequence"),
        (status = 202, content_type = "application/dicom+json", body = DicomJsonObject, description = "Some were stored, some refused (A900: of another study)"),
        (status = 400, body = ErrorB, description = "The multipart body cannot be read"),
        (status = 403, body = ErrorB, description = "Only technicians store images"),
        (status = 404, body = ErrorB, description = "The path's UID is not a UID"),
        (status = 409, content_type = "application/dicom+json", body = DicomJsonObject, description = "No instance could be stored: FailedSOPSequence gives each part's reason"),
        (status = 413, body = ErrorB, description = "A part is larger than the server takes, or more than 500 parts were sent"),
        (status = 415, body = ErrorB, description = "The body is not multipart/related with application/dicom parts"),
    ))]
pub async fn store_in_study(
    token: Token,
    state: Data,
    req: HttpRequest,
    multipart: Multipart,
    path: web::Path<String>,
) -> Result {
    token.permit(Action::ReceiveImages)?;
    let study = token.check(Target::parse(&path, None, None)).await?.study;
    store_parts(token, state, req, multipart, Some(study)).await
}

async fn store_parts(
    token: Token,
    state: Data,
    req: HttpRequest,
    mut multipart: Multipart,
    study: Option<Uid>,
) -> Result {
    let who = token.who(Action::ReceiveImages).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let related = content_type.starts_with("multipart/related");
    let dicom_parts = !content_type.contains("type=") || content_type.contains("application/dicom");
    if !related || !dicom_parts {
        return unsupported_body();
    }
    let max_bytes = state.clinic.dicom_max_bytes;
    let (mut referenced, mut failures) = (Vec::new(), Vec::new());
    let mut parts = 0usize;
    while let Some(field) = poll_fn(|cx| Pin::new(&mut multipart).poll_next(cx)).await {
        let mut field = field.map_err(super::clinic_dicom::malformed)?;
        parts += 1;
        if parts > MAX_PARTS {
            return Err(Error::TooLarge(
                Text::new(Key::ClinicTooManyFiles).with("max", MAX_PARTS as i64),
            )
            .into());
        }
        let is_dicom = field
            .content_type()
            .is_none_or(|m| m.essence_str() == "application/dicom");
        let (sender, mut reader) = ChannelReader::channel();
        let ingest = state.clinic.ingest.clone();
        let uploader = who.clone();
        let only = study.clone();
        let stored = is_dicom.then(|| {
            web::block(move || {
                let arrival = Arrival::Upload;
                ingest.ingest_into(&uploader, arrival, &mut reader, max_bytes, only.as_ref())
            })
        });
        let mut open = stored.is_some();
        let mut broken = None;
        while let Some(chunk) = poll_fn(|cx| Pin::new(&mut field).poll_next(cx)).await {
            match chunk {
                Ok(bytes) => {
                    if open && sender.send(Ok(bytes)).await.is_err() {
                        open = false;
                    }
                }
                Err(e) => {
                    let _ = sender.send(Err(std::io::Error::other(e.to_string()))).await;
                    broken = Some(e);
                    break;
                }
            }
        }
        drop(sender);
        let outcome = match stored {
            Some(task) => Some(task.await.map_err(|e| {
                Error::Internal(domain::Cause::with_source("a blocking task failed", e))
            })?),
            None => None,
        };
        if let Some(e) = broken {
            // The body broke off inside this part: what came before stays stored.
            return Err(super::clinic_dicom::malformed(e));
        }
        match outcome {
            None => failures.push(failed(CANNOT_UNDERSTAND)),
            Some(Ok(done)) => referenced.push(json!({
                "00081150": {"vr": "UI", "Value": [done.image.sop_class_uid.as_str()]},
                "00081155": {"vr": "UI", "Value": [done.image.sop_instance_uid.as_str()]},
            })),
            Some(Err(Error::TooLarge(_))) => failures.push(failed(OUT_OF_RESOURCES)),
            Some(Err(Error::Validation(fields))) => {
                failures.push(match fields.iter().find(|f| f.rule == OTHER_STUDY) {
                    Some(other) => failed_instance(DOES_NOT_MATCH, &other.text),
                    None => failed(CANNOT_UNDERSTAND),
                })
            }
            Some(Err(Error::Unsupported(_))) => failures.push(failed(CANNOT_UNDERSTAND)),
            Some(Err(other)) => {
                tracing::warn!(error = %other, "a STOW-RS part could not be stored");
                failures.push(failed(PROCESSING_FAILURE));
            }
        }
    }
    if parts == 0 {
        return Err(super::clinic_dicom::malformed("no part"));
    }
    let status = match (referenced.is_empty(), failures.is_empty()) {
        (false, true) => StatusCode::OK,
        (false, false) => StatusCode::ACCEPTED,
        (true, _) => StatusCode::CONFLICT,
    };
    let mut answer = serde_json::Map::new();
    if !referenced.is_empty() {
        answer.insert(
            "00081199".to_owned(),
            json!({"vr": "SQ", "Value": referenced}),
        );
    }
    if !failures.is_empty() {
        answer.insert(
            "00081198".to_owned(),
            json!({"vr": "SQ", "Value": failures}),
        );
    }
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(DICOM_JSON)))
        .body(Value::Object(answer).to_string()))
}
