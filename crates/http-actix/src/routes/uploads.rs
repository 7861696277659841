//! `PUT /uploads/{key}?expires=…&signature=…`: an `OFFLINE` person's document scan, through the
//! link the create answer gave (`urgent.documents`). No token: the signed, expiring link is the
//! permission. A link that does not verify or has expired is 403, and nothing is read. The body
//! streams into the blob store under the link's key; it becomes readable only whole. Envelope C,
//! English.

use std::future::poll_fn;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use domain::kernel::blob::BlobKey;
use domain::kernel::text::Key;
use futures_core::Stream;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::envelope::{self, EnvelopeC, ErrorC};
use crate::error::ApiError;
use crate::state::AppState;
use crate::stream::ChannelReader;
use crate::surface::Ehealth;

/// Where uploads are taken; the key follows.
pub const PREFIX: &str = "/uploads/";
/// The actix pattern: the key spans several path segments.
pub(crate) const SERVED_AT: &str = "/uploads/{key:.+}";
/// The largest document scan taken.
pub const MAX_UPLOAD_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Debug, Deserialize)]
struct LinkQuery {
    expires: i64,
    signature: String,
}

/// What was stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedView {
    /// The blob key the link names.
    pub key: String,
    /// Bytes stored.
    pub size: u64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
}

fn refused() -> ApiError<Ehealth> {
    ApiError::new(StatusCode::FORBIDDEN, Key::UploadLinkInvalid)
}

/// Takes one document scan through a signed upload link, replacing an earlier upload of the same
/// document. A link that is malformed, altered or expired is 403; a body over 20 MiB is 413.
#[utoipa::path(put, path = "/uploads/{key}", tag = "ehealth",
    params(
        ("key" = String, Path, description = "The blob key the link names (`/`-separated segments)"),
        ("expires" = i64, Query, description = "Unix seconds after which the link is refused"),
        ("signature" = String, Query, description = "Hex HMAC-SHA256 of the key and the expiry"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The scan, any format"),
    responses(
        (status = 200, body = EnvelopeC<UploadedView>, description = "Stored"),
        (status = 403, body = ErrorC, description = "The link is malformed, altered or expired"),
        (status = 413, body = ErrorC, description = "Larger than 20 MiB"),
        (status = 500, body = ErrorC, description = "A fault on the server's side"),
        (status = 503, body = ErrorC, description = "Storage cannot be reached right now"),
    ))]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError<Ehealth>> {
    let key = req.match_info().get("key").map(BlobKey::parse);
    let query = web::Query::<LinkQuery>::from_query(req.query_string()).ok();
    let (Some(Ok(key)), Some(query)) = (key, query) else {
        return Err(refused());
    };
    if let Err(reason) =
        state
            .declarations
            .upload_links
            .check(&key, query.expires, &query.signature)
    {
        tracing::info!(%reason, "upload link refused");
        return Err(refused());
    }

    let (sender, mut reader) = ChannelReader::channel();
    let blobs = state.blobs.clone();
    let target = key.clone();
    // The store reads on a blocking thread while this task hands it the body's chunks; it stops
    // reading (and drops the channel) as soon as the body is over the limit.
    let stored = web::block(move || {
        let staged = blobs.stage(&mut reader, MAX_UPLOAD_BYTES)?;
        blobs.commit(staged, &target)
    });
    while let Some(chunk) = poll_fn(|cx| Pin::new(&mut payload).poll_next(cx)).await {
        let chunk = chunk.map_err(|e| std::io::Error::other(e.to_string()));
        let failed = chunk.is_err();
        if sender.send(chunk).await.is_err() || failed {
            break;
        }
    }
    drop(sender);
    let info = match stored.await {
        Ok(result) => result?,
        Err(e) => {
            return Err(domain::Error::Internal(domain::Cause::with_source(
                "a blocking task failed",
                e,
            ))
            .into());
        }
    };
    tracing::info!(key = %info.key, size = info.size, "document uploaded");
    Ok(envelope::c_ok(
        StatusCode::OK,
        UploadedView {
            key: info.key.as_str().to_owned(),
            size: info.size,
            sha256: info.sha256.hex(),
        },
    ))
}
