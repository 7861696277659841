//! What the OpenAPI document needs spelled out about bodies: the codes a field takes, a body with no
//! fields, and the length limits checked on text as it was sent.
//!
//! The domain trims text before it checks it, so `"  x  "` is the name `x`. A schema cannot say
//! "at most 120 characters once trimmed", so the limits are also checked here on the text as sent:
//! what the document's `maxLength` says is what the server accepts. (Patterns say "not blank" and
//! allow the surrounding whitespace the domain trims; see [`WS`].)

use domain::kernel::code::Code;
use domain::kernel::lang::Lang;
use domain::kernel::money::Decimal;
use domain::kernel::text::{Key, Text};
use domain::notifications as n;
use domain::second_opinion as so;
use domain::{Error, FieldError};
use serde::de::Unexpected;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// The characters `str::trim` removes (Unicode `White_Space`), as a regex class body. The patterns
/// of the document spell it out rather than use `\s`, whose meaning varies between regex engines.
/// Every pattern below repeats it literally (a schema attribute takes only a literal).
#[cfg(test)]
pub(crate) const WS: &str =
    r"\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// A body with no fields: `{}`, or no body at all. Any field is refused (400).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// Declares the schema of a code field: a string, one of the codes of a domain enum. The list is
/// the domain's own ([`Code::codes`]), so a code the domain gains is documented with it.
macro_rules! code_schema {
    ($(#[$doc:meta])* $name:ident, $description:literal, $codes:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description))
                    .enum_values(Some($codes))
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

code_schema!(Gender, "The patient's sex.", so::Gender::codes());
code_schema!(
    /// What saving a case asks for: `draft` keeps it editable, `review` submits it.
    SubmitStatus,
    "`draft` keeps the case editable; `review` submits it.",
    [so::CaseStatus::Draft.as_str(), so::CaseStatus::Review.as_str()]
);
code_schema!(
    CaseStatus,
    "Where a case stands (the lifecycle of docs/api.md).",
    so::CaseStatus::codes()
);
code_schema!(
    TimelineEvent,
    "What happened to a case.",
    so::TimelineEvent::codes()
);
code_schema!(
    ActorRole,
    "Who did something to a case.",
    so::ActorRole::codes()
);
code_schema!(
    DeliveryStatus,
    "Where a notification stands in the outbox.",
    n::DeliveryStatus::codes()
);
code_schema!(
    NotificationKind,
    "What a notification is about.",
    n::NotificationKind::codes()
);
code_schema!(
    RecipientRole,
    "Who a notification is for.",
    n::RecipientRole::codes()
);
code_schema!(Language, "A language, as ISO 639-1.", Lang::codes());

/// Reads a whole number however JSON spells it: `3`, `3.0` or `3e0`. JSON Schema's `integer` is any
/// number without a fraction, so the document's integers are read this way (serde would refuse
/// `3.0` for an `i64`); from the number's text, exactly, never through a float.
pub(crate) fn whole<'de, D: Deserializer<'de>, T: TryFrom<i128>>(d: D) -> Result<T, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    whole_from(raw.get())
}

/// [`whole`] for an optional field (`#[serde(default, deserialize_with = "whole_opt")]`): absent or
/// null is `None`.
pub(crate) fn whole_opt<'de, D: Deserializer<'de>, T: TryFrom<i128>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(d)?;
    raw.map(|r| whole_from(r.get())).transpose()
}

fn whole_from<E: serde::de::Error, T: TryFrom<i128>>(text: &str) -> Result<T, E> {
    let text = text.trim();
    if let Some(number) = Decimal::parse(text) {
        return number
            .in_units_of(0)
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| E::invalid_value(Unexpected::Other(text), &"a whole number in range"));
    }
    let value: Value = serde_json::from_str(text).map_err(E::custom)?;
    let unexpected = match &value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
        Value::Number(_) => Unexpected::Other(text),
    };
    Err(E::invalid_type(unexpected, &"a whole number"))
}

/// Length limits on text as sent, before the domain trims it. Each refusal reads as the domain's
/// own for the same field, so a client sees one wording whichever side found the text too long.
#[derive(Debug, Default)]
pub(crate) struct Lengths(Vec<FieldError>);

impl Lengths {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn check(mut self, field: &str, value: Option<&str>, max: i64, text: Text) -> Self {
        let chars = value.map_or(0, |v| v.chars().count());
        if i64::try_from(chars).unwrap_or(i64::MAX) > max {
            self.0.push(FieldError::new(field, "length", text));
        }
        self
    }

    /// A required text of 1 to `max` characters ("name_en: must be 1 to 120 characters").
    pub(crate) fn between(self, field: &str, value: Option<&str>, max: i64) -> Self {
        let text = Text::new(Key::RuleLengthBetween)
            .field("field", field)
            .with("min", 1i64)
            .with("max", max);
        self.check(field, value, max, text)
    }

    /// A text of at most `max` characters, as a catalogue rule ("description_en: must be at most
    /// 1000 characters").
    pub(crate) fn rule_max(self, field: &str, value: Option<&str>, max: i64) -> Self {
        let text = Text::new(Key::RuleLengthMax)
            .field("field", field)
            .with("max", max);
        self.check(field, value, max, text)
    }

    /// A text of at most `max` characters ("q must be at most 100 characters").
    pub(crate) fn at_most(self, field: &str, value: Option<&str>, max: i64) -> Self {
        let text = Text::new(Key::InvalidMaxLength)
            .field("field", field)
            .with("max", max);
        self.check(field, value, max, text)
    }

    /// Each field of each document ("medical_documents[0].url must be 1 to 2048 characters").
    pub(crate) fn documents<'d>(
        mut self,
        field: &str,
        docs: impl IntoIterator<Item = (&'d str, &'d str, &'d str)>,
    ) -> Self {
        for (i, (url, key, name)) in docs.into_iter().enumerate() {
            for (part, value, max) in [
                ("url", url, 2048i64),
                ("key", key, 1024),
                ("name", name, 255),
            ] {
                let path = format!("{field}[{i}].{part}");
                let text = Text::new(Key::InvalidTextLength)
                    .field("field", &path)
                    .with("min", 1i64)
                    .with("max", max);
                self = self.check(&path, Some(value), max, text);
            }
        }
        self
    }

    /// An email address of at most 254 characters, refused as the domain refuses a bad address.
    pub(crate) fn email(self, field: &str, value: Option<&str>) -> Self {
        let text = Text::new(Key::InvalidEmail).field("field", field);
        self.check(field, value, 254, text)
    }

    /// Ok, or every text that is too long.
    pub(crate) fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn code_schemas_list_the_domains_codes() {
        use utoipa::PartialSchema;
        let listed = |schema: RefOr<Schema>| match schema {
            RefOr::T(Schema::Object(o)) => o.enum_values.unwrap_or_default(),
            _ => Vec::new(),
        };
        assert_eq!(listed(Gender::schema()), ["male", "female"]);
        assert_eq!(listed(SubmitStatus::schema()), ["draft", "review"]);
        assert_eq!(
            listed(DeliveryStatus::schema()),
            ["pending", "delivered", "failed"]
        );
        assert_eq!(listed(Language::schema()), ["en", "ar"]);
        assert_eq!(<CaseStatus as ToSchema>::name(), "CaseStatus");
    }

    #[test]
    fn whole_numbers_in_any_spelling() {
        #[derive(Debug, Deserialize)]
        struct Body {
            #[serde(deserialize_with = "whole")]
            age: i64,
            #[serde(default, deserialize_with = "whole_opt")]
            page: Option<u32>,
        }
        let read = |json: &str| serde_json::from_str::<Body>(json).map(|b| (b.age, b.page));
        assert_eq!(read(r#"{"age": 3}"#).unwrap(), (3, None));
        assert_eq!(
            read(r#"{"age": 3.0, "page": 2723.0}"#).unwrap(),
            (3, Some(2723))
        );
        assert_eq!(read(r#"{"age": -4e1, "page": null}"#).unwrap(), (-40, None));
        assert_eq!(read(r#"{"age": 9223372036854775807}"#).unwrap().0, i64::MAX);
        for bad in [
            r#"{"age": 1.5}"#,
            r#"{"age": "3"}"#,
            r#"{"age": true}"#,
            r#"{"age": null}"#,
            r#"{"age": 9223372036854775808}"#,
            r#"{"age": 1e400}"#,
            r#"{"age": 1, "page": -1}"#,
            r#"{"age": 1, "page": 4294967296}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        let message = read(r#"{"age": "3"}"#).unwrap_err().to_string();
        assert!(
            message.starts_with("invalid type: string \"3\", expected a whole number"),
            "{message}"
        );
    }

    #[test]
    fn lengths_count_characters_as_sent() {
        assert!(
            Lengths::new()
                .between("name_en", Some("é".repeat(120).as_str()), 120)
                .finish()
                .is_ok()
        );
        let padded = format!(" {} ", "x".repeat(119));
        let Err(Error::Validation(fields)) = Lengths::new()
            .between("name_en", Some(&padded), 120)
            .at_most("q", None, 100)
            .finish()
        else {
            panic!("a padded name over the limit is refused")
        };
        assert_eq!(fields.len(), 1);
        assert_eq!(
            fields[0].text.to_string(),
            "rule-length-between(field=name_en, min=1, max=120)"
        );
        let long = "u".repeat(2049);
        let Err(Error::Validation(fields)) = Lengths::new()
            .documents("med_docs", [("u", "k", "n"), (long.as_str(), "k", "n")])
            .finish()
        else {
            panic!("a long url is refused")
        };
        assert_eq!(fields[0].field, "med_docs[1].url");
    }
}

/// A provider id as a client sends it (`EMP1`): 1 to 128 characters, not blank, no control
/// characters, surrounding whitespace allowed (the domain trims it). One description for every body
/// that names a provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct ProviderIdText(pub String);

/// Not blank and no control characters, between optional whitespace the domain trims.
pub(crate) const PROVIDER_ID_PATTERN: &str = r"^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f]([^\u0000-\u001f\u007f-\u009f]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f])?[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";

impl utoipa::PartialSchema for ProviderIdText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(128))
            .pattern(Some(PROVIDER_ID_PATTERN))
            .into()
    }
}

impl ToSchema for ProviderIdText {}

impl std::ops::Deref for ProviderIdText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}
