//! The JSON body extractor.
//!
//! It never fails extraction: the outcome is kept and handed over by [`JsonBody::parse`], which the
//! handler calls after authentication. So a caller without a valid token always reads 401, never a
//! hint about the body's shape. An empty body counts as `{}` (apps send no body where no field is
//! required); an explicit non-JSON `Content-Type` is 415; an oversize body is 413; a string holding
//! the NUL character (`\u0000`) is 400, since no field takes one and PostgreSQL cannot store it.

use std::future::Future;
use std::pin::Pin;

use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use domain::kernel::text::{Arg, Key, Text};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::surface::Surface;

/// The largest JSON body accepted, unless a scope configures another [`PayloadConfig`].
pub const DEFAULT_LIMIT: usize = 64 * 1024;

pub struct JsonBody<T, S> {
    outcome: Result<T, ApiError<S>>,
}

impl<T, S> JsonBody<T, S> {
    pub fn parse(self) -> Result<T, ApiError<S>> {
        self.outcome
    }
}

impl<T: DeserializeOwned + 'static, S: Surface> FromRequest for JsonBody<T, S> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The server installs `PayloadConfig::new(DEFAULT_LIMIT)`; the figure is repeated in messages.
        let limit = DEFAULT_LIMIT;
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase());
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            let outcome = match bytes.await {
                Err(e) => Err(payload_error(&e, limit)),
                Ok(bytes) => decode(&bytes, content_type.as_deref()),
            };
            Ok(Self { outcome })
        })
    }
}

/// "Request body is larger than the limit of N KiB".
pub(crate) fn too_large<S>(limit: usize) -> ApiError<S> {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        Text::new(Key::BodyTooLarge).with("kib", limit / 1024),
    )
}

fn payload_error<S>(error: &actix_web::Error, limit: usize) -> ApiError<S> {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => too_large(limit),
        _ if error.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => {
            too_large(limit)
        }
        _ => ApiError::new(StatusCode::BAD_REQUEST, Key::BodyUnreadable),
    }
}

/// The backquoted name serde puts in "unknown field `x`" and "missing field `x`".
fn quoted_name<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message.strip_prefix(prefix)?.split('`').next()
}

/// Why serde refused a body, with its own words (kept for English) and what the other languages
/// need to explain it.
fn serde_error(e: &serde_json::Error) -> Text {
    let detail = e.to_string();
    let at = |text: Text| {
        text.with("line", e.line())
            .with("column", e.column())
            .with("detail", detail.clone())
    };
    match e.classify() {
        serde_json::error::Category::Data => {
            if let Some(name) = quoted_name(&detail, "unknown field `") {
                let name = name.to_owned();
                at(Text::new(Key::UnknownField).with("name", name))
            } else if let Some(name) = quoted_name(&detail, "missing field `") {
                let name = Arg::Field(name.to_owned());
                at(Text::new(Key::MissingField).with("field", name))
            } else {
                at(Text::new(Key::InvalidBody))
            }
        }
        _ => at(Text::new(Key::MalformedJson)),
    }
}

fn is_json(content_type: &str) -> bool {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

fn decode<T: DeserializeOwned, S>(
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<T, ApiError<S>> {
    let empty = bytes.iter().all(u8::is_ascii_whitespace);
    if !empty
        && let Some(ct) = content_type
        && !ct.is_empty()
        && !is_json(ct)
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Key::ContentTypeJson,
        ));
    }
    let bytes: &[u8] = if empty { b"{}" } else { bytes };
    // serde would read a JSON array positionally into a struct; a body is an object.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, Key::BodyNotObject));
    }
    let value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, serde_error(&e)))?;
    match nul_at(bytes) {
        None => Ok(value),
        Some((line, column)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            Text::new(Key::InvalidBody)
                .with("line", line)
                .with("column", column)
                .with(
                    "detail",
                    format!(
                        "a string holds the NUL character (\\u0000) at line {line} column {column}"
                    ),
                ),
        )),
    }
}

/// Where a string of a JSON text holds the NUL character, as 1-based line and column. In JSON it can
/// only be written `\u0000` (a raw NUL is malformed JSON).
fn nul_at(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1..].starts_with(b"u0000") {
                let before = &bytes[..i];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                let column = i - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |n| n + 1)
                    + 1;
                return Some((line, column));
            }
            // An escape is two characters at least; `\\` must not start another.
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surface::App;

    #[test]
    fn nul_characters_are_refused_wherever_they_are() {
        assert_eq!(nul_at(br#"{"a": "x\u0000"}"#), Some((1, 9)));
        assert_eq!(nul_at(b"{\n \"\\u0000\": 1}"), Some((2, 3)));
        assert_eq!(nul_at(br#"{"a": "\\u0000", "b": "\u0001"}"#), None);
        assert_eq!(nul_at(br#"{"a": "\\\u0000"}"#), Some((1, 10)));
        let refused = decode::<serde_json::Value, App>(br#"{"q": "a\u0000"}"#, None).unwrap_err();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(decode::<serde_json::Value, App>(br#"{"q": "a\\u0000"}"#, None).is_ok());
    }
}
