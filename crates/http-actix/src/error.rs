//! The one place where failures become HTTP answers.
//!
//! Every handler returns `Result<HttpResponse, ApiError<S>>` where `S` is its surface, so that every
//! error, from a handler, an extractor or a fallback route, is rendered in the surface's envelope
//! and in the caller's language. This module alone maps the domain's error kinds to status codes.
//! Server-side detail ([`domain::Error::Internal`], [`domain::Error::Unavailable`]) goes to the log
//! with the request id and the whole chain of causes; the client reads a generic sentence.

use std::fmt;
use std::marker::PhantomData;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use domain::kernel::text::{Key, Text};
use domain::{AuthFailure, Error, FieldError};

use crate::envelope::{self, InvalidEntry, RuleC};
use crate::i18n::say;
use crate::surface::{EnvelopeKind, Surface};

/// An error on surface `S`.
pub struct ApiError<S> {
    status: StatusCode,
    text: Text,
    fields: Vec<FieldError>,
    auth: Option<AuthFailure>,
    /// Seconds for the `Retry-After` header of a 429.
    retry_after: Option<u64>,
    surface: PhantomData<S>,
}

impl<S> ApiError<S> {
    pub fn new(status: StatusCode, text: impl Into<Text>) -> Self {
        Self {
            status,
            text: text.into(),
            fields: Vec::new(),
            auth: None,
            retry_after: None,
            surface: PhantomData,
        }
    }

    /// The same error as a 422 when it is a validation error: for a batch, whose wrong items are
    /// refused as one unprocessable request naming each field (`appointments[2].time`).
    pub fn unprocessable(mut self) -> Self {
        if !self.fields.is_empty() {
            self.status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Why, before it is put into words.
    pub fn text(&self) -> &Text {
        &self.text
    }

    /// Seconds until a refused attempt may be tried again (a 429's `Retry-After`).
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// Why a token was refused, when that is the error.
    pub fn auth_failure(&self) -> Option<AuthFailure> {
        self.auth
    }

    /// The message as the client reads it, in the language of the request being handled.
    pub fn message(&self) -> String {
        if self.fields.is_empty() {
            return say(&self.text);
        }
        let separator = say(&Text::new(Key::ValidationSeparator));
        self.fields
            .iter()
            .map(|f| say(&f.text))
            .collect::<Vec<_>>()
            .join(&separator)
    }
}

impl<S> fmt::Debug for ApiError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("text", &self.text.to_string())
            .field("fields", &self.fields.len())
            .finish()
    }
}

impl<S> fmt::Display for ApiError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.text)
    }
}

impl<S> From<Error> for ApiError<S> {
    fn from(error: Error) -> Self {
        let (status, text) = match &error {
            Error::Validation(_) => (StatusCode::BAD_REQUEST, Text::new(Key::RuleInvalid)),
            Error::NotFound(t) => (StatusCode::NOT_FOUND, t.clone()),
            Error::Conflict(t) => (StatusCode::CONFLICT, t.clone()),
            Error::TooLarge(t) => (StatusCode::PAYLOAD_TOO_LARGE, t.clone()),
            Error::Unsupported(t) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, t.clone()),
            Error::NotAcceptable(t) => (StatusCode::NOT_ACCEPTABLE, t.clone()),
            Error::Unprocessable(t) => (StatusCode::UNPROCESSABLE_ENTITY, t.clone()),
            Error::Unauthorized(reason) => (StatusCode::UNAUTHORIZED, reason.text()),
            Error::Forbidden(t) => (StatusCode::FORBIDDEN, t.clone()),
            Error::TooManyRequests { text, .. } => (StatusCode::TOO_MANY_REQUESTS, text.clone()),
            Error::Unavailable(_) => {
                tracing::error!(detail = %error.chain(), "dependency unavailable");
                (StatusCode::SERVICE_UNAVAILABLE, Text::new(Key::Unavailable))
            }
            Error::Internal(_) => {
                tracing::error!(detail = %error.chain(), "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, Text::new(Key::Internal))
            }
        };
        let auth = match &error {
            Error::Unauthorized(reason) => Some(*reason),
            _ => None,
        };
        let retry_after = match &error {
            Error::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let fields = match error {
            Error::Validation(fields) => fields,
            _ => Vec::new(),
        };
        Self {
            status,
            text,
            fields,
            auth,
            retry_after,
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
        let mut response = self.render();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(seconds),
            );
        }
        response
    }
}

impl<S: Surface> ApiError<S> {
    /// The answer in the surface's envelope, without the headers an error adds.
    fn render(&self) -> HttpResponse {
        let status = self.status_code();
        let message = self.message();
        match S::ENVELOPE {
            EnvelopeKind::A => envelope::a_error(status, message),
            EnvelopeKind::B => envelope::b_error(status, message),
            EnvelopeKind::C => {
                let invalid = (!self.fields.is_empty()).then(|| {
                    self.fields
                        .iter()
                        .map(|f| InvalidEntry {
                            entry: format!("$.{}", f.field),
                            entry_type: "json_data_property",
                            rules: vec![RuleC {
                                rule: f.rule.to_owned(),
                                description: say(&f.text),
                                params: serde_json::Map::new(),
                            }],
                        })
                        .collect()
                });
                envelope::c_error(status, c_error_type(status), message, invalid)
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
        429 => "too_many_requests",
        503 => "service_unavailable",
        _ => "internal_error",
    }
}
