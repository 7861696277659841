//! The one place where failures become HTTP answers.
//!
//! Every handler returns `Result<HttpResponse, ApiError<S>>` where `S` is its surface, so that every
//! error, from a handler, an extractor or a fallback route, is rendered in the surface's envelope.
//! Server-side detail ([`domain::Error::Internal`]) goes to the log with the request id; the client
//! reads a generic sentence.

use std::fmt;
use std::marker::PhantomData;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use domain::{Error, FieldError};
use serde_json::json;

use crate::envelope::{self, InvalidEntry, MetaC};
use crate::request_id;
use crate::surface::{EnvelopeKind, Surface};

/// An error on surface `S`.
pub struct ApiError<S> {
    status: StatusCode,
    message: String,
    fields: Vec<FieldError>,
    surface: PhantomData<S>,
}

impl<S> ApiError<S> {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            fields: Vec::new(),
            surface: PhantomData,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl<S> fmt::Debug for ApiError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("message", &self.message)
            .finish()
    }
}

impl<S> fmt::Display for ApiError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl<S> From<Error> for ApiError<S> {
    fn from(error: Error) -> Self {
        let (status, message, fields) = match error {
            Error::Validation(fields) => {
                let message = Error::Validation(fields.clone()).to_string();
                (StatusCode::BAD_REQUEST, message, fields)
            }
            Error::NotFound(m) => (StatusCode::NOT_FOUND, m, Vec::new()),
            Error::Conflict(m) => (StatusCode::CONFLICT, m, Vec::new()),
            Error::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m, Vec::new()),
            Error::Forbidden(m) => (StatusCode::FORBIDDEN, m, Vec::new()),
            Error::Unavailable(detail) => {
                tracing::error!(%detail, "dependency unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service temporarily unavailable, please retry shortly".to_owned(),
                    Vec::new(),
                )
            }
            Error::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal server error".to_owned(),
                    Vec::new(),
                )
            }
        };
        Self {
            status,
            message,
            fields,
            surface: PhantomData,
        }
    }
}

impl<S: Surface> ResponseError for ApiError<S> {
    fn status_code(&self) -> StatusCode {
        match S::ENVELOPE {
            // The eHealth convention answers schema failures with 422.
            EnvelopeKind::C
                if self.status == StatusCode::BAD_REQUEST && !self.fields.is_empty() =>
            {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            _ => self.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match S::ENVELOPE {
            EnvelopeKind::A => envelope::a_error(status, &self.message),
            EnvelopeKind::B => envelope::b_error(status, &self.message),
            EnvelopeKind::C => {
                let request = request_id::current();
                let meta = MetaC {
                    code: status.as_u16(),
                    url: request.as_ref().map(|r| r.url.clone()).unwrap_or_default(),
                    kind: "object",
                    request_id: request.map(|r| r.id).unwrap_or_default(),
                };
                let invalid = self
                    .fields
                    .iter()
                    .map(|f| InvalidEntry {
                        entry: format!("$.{}", f.field),
                        entry_type: "json_data_property",
                        rules: vec![
                            json!({ "rule": f.rule, "description": f.message, "params": {} }),
                        ],
                    })
                    .collect();
                envelope::c_error(meta, c_error_type(status), &self.message, invalid)
            }
        }
    }
}

/// The error `type` names of the eHealth convention.
fn c_error_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "request_malformed",
        401 => "access_denied",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "request_conflict",
        413 => "request_too_large",
        415 => "content_type_invalid",
        422 => "validation_failed",
        503 => "service_unavailable",
        _ => "internal_error",
    }
}
