//! The domain's one error type.
//!
//! Every service returns [`Error`]. Variants name the *kind* of failure a caller can act on and carry
//! the *reason* as a [`Text`] (a message key with its arguments), never a sentence: the edge puts it
//! into the caller's language and alone turns the kind into a status code. [`Error::Internal`] and
//! [`Error::Unavailable`] carry a [`Cause`] for the log, never for the client.

use std::fmt;

use super::text::{Arg, Key, Text};

/// Shorthand for results of domain operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One failing input: which field, which rule, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path as the client sent it (`patient_age`, `med_docs[2].url`).
    pub field: String,
    /// A short machine-readable rule name (`required`, `range`, `length`, `format`, `one_of`).
    pub rule: &'static str,
    /// Why, to be put into words by the edge.
    pub text: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: &'static str, text: Text) -> Self {
        Self {
            field: field.into(),
            rule,
            text,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.text)
    }
}

/// Why a caller is not recognised. Each is a 401; the variant is also a metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum AuthFailure {
    /// No `Authorization` header, or an empty one.
    Missing,
    /// Not hex, or too short to be a token.
    Malformed,
    /// It does not open with our keys, or its claims are unusable.
    Invalid,
    /// A token for another surface.
    WrongAudience,
    Expired,
    /// Revoked by logout (or an account change).
    Revoked,
    /// A signed callback (the payment provider's webhook) whose signature or timestamp is wrong.
    Signature,
    /// A valid token without the scope the action needs (the eHealth surface answers 401 for it).
    Scope,
    /// A sign-in with a username and password that do not name an active account (one answer for
    /// an unknown user, a wrong password and a deactivated account).
    Credentials,
}

impl AuthFailure {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn text(self) -> Text {
        Text::new(match self {
            AuthFailure::Missing => Key::AuthMissing,
            AuthFailure::Malformed => Key::AuthMalformed,
            AuthFailure::Invalid => Key::AuthInvalid,
            AuthFailure::WrongAudience => Key::AuthWrongAudience,
            AuthFailure::Expired => Key::AuthExpired,
            AuthFailure::Revoked => Key::AuthRevoked,
            AuthFailure::Signature => Key::WebhookSignature,
            AuthFailure::Scope => Key::InvalidScopes,
            AuthFailure::Credentials => Key::LoginFailed,
        })
    }
}

/// What went wrong on our side or below us, for the log: a detail and, where there is one, the
/// error that caused it.
pub struct Cause {
    detail: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Cause {
    pub fn new(detail: impl Into<String>) -> Self {
        Self {
            detail: detail.into(),
            source: None,
        }
    }

    pub fn with_source(
        detail: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            detail: detail.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl From<&str> for Cause {
    fn from(detail: &str) -> Self {
        Cause::new(detail)
    }
}

impl From<String> for Cause {
    fn from(detail: String) -> Self {
        Cause::new(detail)
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cause")
            .field("detail", &self.detail)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a rule; nothing was changed.
    #[error("invalid input: {}", join(.0))]
    Validation(Vec<FieldError>),
    /// The object does not exist, or is not the caller's to see (the two are indistinguishable).
    #[error("not found: {0}")]
    NotFound(Text),
    /// The request is valid but the object's current state forbids it (wrong status, duplicate).
    #[error("conflict: {0}")]
    Conflict(Text),
    /// The request is well formed but cannot be processed as it stands (a provider not eligible, an
    /// amount that does not match).
    #[error("unprocessable: {0}")]
    Unprocessable(Text),
    /// The request carries more than the limit allows (a body, an upload).
    #[error("too large: {0}")]
    TooLarge(Text),
    /// What was sent or asked for is of a kind this server cannot handle (a file type, an image
    /// it cannot decode).
    #[error("unsupported: {0}")]
    Unsupported(Text),
    /// What was asked for exists but cannot be given in any form the client accepts (a frame in a
    /// syntax neither stored nor decodable here).
    #[error("not acceptable: {0}")]
    NotAcceptable(Text),
    /// Who is asking is unknown: no token, a bad token, an expired or revoked one.
    #[error("unauthorized: {}", .0.as_str())]
    Unauthorized(AuthFailure),
    /// The caller is known but lacks the role or relationship the action needs.
    #[error("forbidden: {0}")]
    Forbidden(Text),
    /// The caller tried too often; `retry_after` says in how many seconds trying again may work.
    #[error("too many requests: {text} (retry after {retry_after} s)")]
    TooManyRequests { text: Text, retry_after: u64 },
    /// A dependency (the database) cannot be reached right now; retrying later may work.
    #[error("service unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// A fault on our side.
    #[error("internal error: {0}")]
    Internal(#[source] Cause),
}

fn join(errors: &[FieldError]) -> String {
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

impl Error {
    /// A validation error on a single field.
    pub fn field(error: FieldError) -> Self {
        Error::Validation(vec![error])
    }

    pub fn not_found(key: Key) -> Self {
        Error::NotFound(Text::new(key))
    }

    pub fn conflict(text: impl Into<Text>) -> Self {
        Error::Conflict(text.into())
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Error::Internal(Cause::new(detail))
    }

    /// The text of every cause in the chain, outermost first, for the log.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next = std::error::Error::source(self).and_then(std::error::Error::source);
        while let Some(cause) = next {
            out.push_str(": ");
            out.push_str(&cause.to_string());
            next = cause.source();
        }
        out
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

fn number(error: &validator::ValidationError, name: &str) -> Option<i64> {
    let value = error.params.get(name)?;
    value
        .as_i64()
        .or_else(|| value.as_u64().and_then(|n| i64::try_from(n).ok()))
        .or_else(|| value.as_f64().map(|f| f as i64))
}

/// The reason of a `validator` rule, from its code and parameters.
fn rule_text(path: &str, error: &validator::ValidationError) -> (&'static str, Text) {
    let with_field = |key: Key| Text::new(key).field("field", path);
    let limit = |text: Text, name: &'static str| match number(error, name) {
        Some(n) => text.with(name, n),
        None => text,
    };
    match error.code.as_ref() {
        "length" => match (number(error, "min"), number(error, "max")) {
            (Some(_), Some(_)) => (
                "length",
                limit(limit(with_field(Key::RuleLengthBetween), "min"), "max"),
            ),
            _ => ("length", limit(with_field(Key::RuleLengthMax), "max")),
        },
        "range" => (
            "range",
            limit(limit(with_field(Key::RuleRange), "min"), "max"),
        ),
        "order" => {
            let other = error
                .params
                .get("other")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            (
                "order",
                with_field(Key::RuleNotAfter).with("other", Arg::Field(other)),
            )
        }
        "precision" => ("precision", limit(with_field(Key::RuleDecimals), "max")),
        "currency" => ("format", with_field(Key::RuleCurrency)),
        "icon" => ("format", with_field(Key::RuleIcon)),
        _ => ("invalid", with_field(Key::RuleInvalid)),
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
                    let (rule, text) = rule_text(&path, e);
                    out.push(FieldError::new(path, rule, text));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Inner;
    impl fmt::Display for Inner {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("connection refused")
        }
    }
    impl std::error::Error for Inner {}

    #[test]
    fn causes_keep_their_source_for_the_log() {
        let e = Error::Unavailable(Cause::with_source("cannot reach the database", Inner));
        assert_eq!(
            e.chain(),
            "service unavailable: cannot reach the database: connection refused"
        );
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn validator_rules_become_reasons() {
        let mut error = validator::ValidationError::new("range");
        error.add_param("min".into(), &1);
        error.add_param("max".into(), &365);
        let (rule, text) = rule_text("max_review_days", &error);
        assert_eq!(rule, "range");
        assert_eq!(
            text.to_string(),
            "rule-range(field=max_review_days, min=1, max=365)"
        );
    }
}
