//! The domain's one error type.
//!
//! Every service returns [`Error`]. Variants name the *kind* of failure a caller can act on; the HTTP
//! adapter alone turns them into status codes and envelopes. [`Error::Internal`] carries detail for
//! the log, never for the client.

use std::fmt;

/// Shorthand for results of domain operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One failing input: which field, which rule, and a sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the client sent it (`patient_age`, `med_docs[2].url`).
    pub field: String,
    /// A short machine-readable rule name (`required`, `range`, `length`, `format`).
    pub rule: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        rule: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a rule; nothing was changed.
    #[error("{}", join(.0))]
    Validation(Vec<FieldError>),
    /// The object does not exist, or is not the caller's to see (the two are indistinguishable).
    #[error("{0}")]
    NotFound(String),
    /// The request is valid but the object's current state forbids it (wrong status, duplicate).
    #[error("{0}")]
    Conflict(String),
    /// Who is asking is unknown: no token, a bad token, an expired or revoked one.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is known but lacks the role or relationship the action needs.
    #[error("{0}")]
    Forbidden(String),
    /// A dependency (the database) cannot be reached right now; retrying later may work.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A fault on our side. The text is for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

fn join(errors: &[FieldError]) -> String {
    let parts: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    parts.join("; ")
}

impl Error {
    /// A validation error on a single field.
    pub fn invalid(field: &str, rule: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, rule, message)])
    }
}

impl From<validator::ValidationErrors> for Error {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        collect(&errors, "", &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        Error::Validation(out)
    }
}

fn collect(errors: &validator::ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    // Struct-level rules name the field they blame in a `field` parameter.
                    let path = match e.params.get("field").and_then(|v| v.as_str()) {
                        Some(blamed) if *field == "__all__" => blamed.to_owned(),
                        _ => path.clone(),
                    };
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| format!("{path}: {m}"))
                        .unwrap_or_else(|| format!("{path} is invalid ({})", e.code));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}
