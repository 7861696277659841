//! `GET /files/{key}?exp=…&sig=…`: a stored document through the signed link a case or a clinic
//! document gave. No token: the link is the permission (a mobile web view carries none), and it
//! stops working at its expiry. Envelope A for refusals. Also how any document's bytes are served:
//! `ETag`, `Range` (one range; `If-Range`), `If-None-Match`, and the original name in an RFC 6266
//! `Content-Disposition`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use domain::documents::{Document, DocumentService};
use domain::kernel::blob::{BlobKey, BlobReader};
use domain::kernel::text::Key;
use serde::Deserialize;
use std::io::Read;

use crate::envelope::ErrorA;
use crate::error::ApiError;
use crate::extract::blocking;
use crate::state::AppState;
use crate::stream::ReaderStream;
use crate::surface::App;

/// The actix pattern: the key spans several path segments.
pub(crate) const SERVED_AT: &str = "/files/{key:.+}";

#[derive(Debug, Deserialize)]
struct LinkQuery {
    exp: i64,
    sig: String,
}

/// What part of a file an answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    Whole,
    /// Bytes `start..=end`.
    Part {
        start: u64,
        end: u64,
    },
    Unsatisfiable,
}

impl Span {
    /// Where reading starts for this span.
    pub(crate) fn offset(self) -> u64 {
        match self {
            Span::Part { start, .. } => start,
            Span::Whole | Span::Unsatisfiable => 0,
        }
    }
}

fn header_str(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The span a request's `Range` asks for, RFC 9110 §14: one range of bytes; a header that does not
/// parse, several ranges, or an `If-Range` that is not the current `ETag` mean the whole file.
pub(crate) fn span(range: Option<&str>, if_range: Option<&str>, etag: &str, size: u64) -> Span {
    let Some(range) = range else {
        return Span::Whole;
    };
    if if_range.is_some_and(|v| v.trim() != etag) {
        return Span::Whole;
    }
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Span::Whole;
    };
    if spec.contains(',') {
        return Span::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Span::Whole;
    };
    let number = |s: &str| -> Option<Option<u64>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else if s.bytes().all(|b| b.is_ascii_digit()) {
            // Digits beyond u64 are past any file's end.
            Some(Some(s.parse().unwrap_or(u64::MAX)))
        } else {
            None
        }
    };
    match (number(first), number(last)) {
        (Some(Some(start)), Some(last)) => {
            if last.is_some_and(|l| l < start) {
                return Span::Whole;
            }
            if start >= size {
                return Span::Unsatisfiable;
            }
            let end = last.map_or(size - 1, |l| l.min(size - 1));
            Span::Part { start, end }
        }
        (Some(None), Some(Some(suffix))) => {
            if suffix == 0 {
                return Span::Unsatisfiable;
            }
            Span::Part {
                start: size.saturating_sub(suffix),
                end: size - 1,
            }
        }
        _ => Span::Whole,
    }
}

/// `Content-Disposition` with the original name, RFC 6266: an ASCII `filename` for old clients and
/// the exact name, UTF-8 and percent-encoded, in `filename*` (so Arabic names survive).
pub(crate) fn disposition(kind: &str, name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The `ETag` of a document: its SHA-256, which changes with every byte.
pub(crate) fn etag(document: &Document) -> String {
    format!("\"{}\"", document.sha256.hex())
}

/// The span of `document` a request asks for, and whether the client's copy is current.
fn plan(req: &HttpRequest, document: &Document) -> (Span, bool) {
    let tag = etag(document);
    let fresh = header_str(req, header::IF_NONE_MATCH).is_some_and(|v| {
        v.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t == tag || t.strip_prefix("W/") == Some(tag.as_str()))
    });
    let span = span(
        header_str(req, header::RANGE),
        header_str(req, header::IF_RANGE),
        &tag,
        document.size,
    );
    (span, fresh)
}

/// The answer for a span of `document` read by `blob` (opened at the span's offset), or a 304 /
/// 416 that reads nothing. `kind` is `inline` or `attachment`.
fn respond<S: crate::surface::Surface>(
    document: &Document,
    span: Span,
    fresh: bool,
    blob: Option<BlobReader>,
    kind: &str,
) -> HttpResponse {
    let tag = etag(document);
    if fresh {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish();
    }
    if span == Span::Unsatisfiable {
        let mut answer = ApiError::<S>::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            Key::FileRangeUnsatisfiable,
        )
        .error_response();
        if let Ok(value) = HeaderValue::from_str(&format!("bytes */{}", document.size)) {
            answer.headers_mut().insert(header::CONTENT_RANGE, value);
        }
        return answer;
    }
    let Some(blob) = blob else {
        return ApiError::<S>::from(domain::Error::internal("a span was planned but not opened"))
            .error_response();
    };
    let (mut answer, length, reader): (_, u64, Box<dyn Read + Send>) = match span {
        Span::Part { start, end } => {
            let length = end - start + 1;
            let mut answer = HttpResponse::PartialContent();
            answer.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{}", document.size),
            ));
            (answer, length, Box::new(blob.reader.take(length)))
        }
        Span::Whole | Span::Unsatisfiable => (HttpResponse::Ok(), document.size, blob.reader),
    };
    answer
        .content_type(document.content_type.mime())
        .insert_header((header::ETAG, tag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            disposition(kind, &document.name),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .no_chunking(length)
        .streaming(ReaderStream::new(reader))
}

/// A document's bytes as a request asks for them (`Range`, `If-None-Match`), read only when some
/// are sent; `kind` is `inline` or `attachment`.
pub(crate) async fn serve<S: crate::surface::Surface>(
    req: &HttpRequest,
    documents: DocumentService,
    document: Document,
    kind: &str,
) -> Result<HttpResponse, ApiError<S>> {
    let (span, fresh) = plan(req, &document);
    let blob = if fresh || span == Span::Unsatisfiable {
        None
    } else {
        let opened = document.clone();
        Some(blocking(move || documents.open(&opened, span.offset())).await?)
    };
    Ok(respond::<S>(&document, span, fresh, blob, kind))
}

fn refused() -> ApiError<App> {
    ApiError::new(StatusCode::FORBIDDEN, Key::FileLinkRefused)
}

/// A stored document through its signed link: the bytes as uploaded, shown inline under their
/// original name. `Range` (one range) answers 206; `If-None-Match` with the `ETag` answers 304.
#[utoipa::path(get, path = "/files/{key}", tag = "app",
    params(
        ("key" = String, Path, description = "The document's key, as its link names it (`documents/…`)"),
        ("exp" = i64, Query, description = "Unix seconds from which the link is refused"),
        ("sig" = String, Query, description = "Hex HMAC-SHA256 of the key and the expiry"),
        ("Range" = Option<String>, Header, description = "One range of bytes, `bytes=0-1023`, `bytes=1024-` or `bytes=-512`"),
    ),
    responses(
        (status = 200, content_type = "application/octet-stream", body = Vec<u8>, description = "The document, with its own `Content-Type`, `ETag` and `Content-Disposition`"),
        (status = 206, content_type = "application/octet-stream", body = Vec<u8>, description = "The range asked for, with `Content-Range`"),
        (status = 304, description = "The client's copy (`If-None-Match`) is current"),
        (status = 403, body = ErrorA, description = "The link is malformed, altered or expired"),
        (status = 404, body = ErrorA, description = "The document was deleted since the link was given"),
        (status = 416, body = ErrorA, description = "The range starts past the end of the file"),
    ))]
pub async fn file(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError<App>> {
    let key = req.match_info().get("key").map(BlobKey::parse);
    let query = web::Query::<LinkQuery>::from_query(req.query_string()).ok();
    let (Some(Ok(key)), Some(query)) = (key, query) else {
        return Err(refused());
    };
    let documents = state.documents.clone();
    let document = blocking(move || documents.check_link(&key, query.exp, &query.sig)).await?;
    serve::<App>(&req, state.documents.clone(), document, "inline").await
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "\"abc\"";

    #[test]
    fn ranges_read_as_rfc_9110_says() {
        let cases = [
            (Some("bytes=0-99"), None, Span::Part { start: 0, end: 99 }),
            (
                Some("bytes=100-"),
                None,
                Span::Part {
                    start: 100,
                    end: 999,
                },
            ),
            (
                Some("bytes=-100"),
                None,
                Span::Part {
                    start: 900,
                    end: 999,
                },
            ),
            (Some("bytes=-5000"), None, Span::Part { start: 0, end: 999 }),
            (
                Some("bytes=990-2000"),
                None,
                Span::Part {
                    start: 990,
                    end: 999,
                },
            ),
            (Some("bytes=1000-"), None, Span::Unsatisfiable),
            (Some("bytes=-0"), None, Span::Unsatisfiable),
            (
                Some("bytes=99999999999999999999999-"),
                None,
                Span::Unsatisfiable,
            ),
            (Some("bytes=5-1"), None, Span::Whole),
            (Some("bytes=0-1,5-9"), None, Span::Whole),
            (Some("items=0-1"), None, Span::Whole),
            (Some("bytes=a-b"), None, Span::Whole),
            (Some("bytes=0-99"), Some("\"old\""), Span::Whole),
            (
                Some("bytes=0-99"),
                Some(TAG),
                Span::Part { start: 0, end: 99 },
            ),
            (None, None, Span::Whole),
        ];
        for (range, if_range, expected) in cases {
            assert_eq!(
                span(range, if_range, TAG, 1000),
                expected,
                "{range:?} {if_range:?}"
            );
        }
    }

    #[test]
    fn names_survive_in_the_disposition() {
        assert_eq!(
            disposition("inline", "report.pdf"),
            "inline; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        let arabic = disposition("attachment", "تقرير \"1\".pdf");
        assert!(
            arabic.starts_with("attachment; filename=\"_____ _1_.pdf\""),
            "{arabic}"
        );
        assert!(
            arabic.ends_with("filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1%20%221%22.pdf"),
            "{arabic}"
        );
        let path = disposition("inline", "../../etc/passwd");
        assert!(path.contains("filename=\"../../etc/passwd\""), "{path}");
    }
}
