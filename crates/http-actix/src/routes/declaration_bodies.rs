//! What the eHealth surface reads: the bodies and the list's query, with the schema check that
//! names every failing property (unknown ones included), as the eHealth convention asks.

use domain::declarations as d;
use domain::kernel::code::Code;
use domain::kernel::text::{Key, Text};
use domain::{Error, FieldError};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};

/// What a property of a body takes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Uuid,
    /// `YYYY-MM-DD`.
    Date,
    Text,
    /// Checked by the domain (the verification code: a number or a string).
    Any,
    Object(&'static [Prop]),
}

/// One property of a body's schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prop {
    pub name: &'static str,
    pub required: bool,
    /// `null` is taken as absent.
    pub nullable: bool,
    pub kind: Kind,
}

const fn prop(name: &'static str, required: bool, nullable: bool, kind: Kind) -> Prop {
    Prop {
        name,
        required,
        nullable,
        kind,
    }
}

const CREATE_FIELDS: &[Prop] = &[
    prop("person_id", true, false, Kind::Uuid),
    prop("employee_id", true, false, Kind::Uuid),
    prop("division_id", true, false, Kind::Uuid),
    prop("start_date", false, true, Kind::Date),
    prop("parent_declaration_id", false, true, Kind::Uuid),
];

/// The create body.
pub(crate) const CREATE: &[Prop] = &[prop(
    "declaration_request",
    true,
    false,
    Kind::Object(CREATE_FIELDS),
)];
/// The approve body: the code, for `OTP` only (the domain says which).
pub(crate) const APPROVE: &[Prop] = &[prop("verification_code", false, false, Kind::Any)];
/// The sign body.
pub(crate) const SIGN: &[Prop] = &[prop("signed_declaration_request", true, false, Kind::Text)];
/// Reject and resend take no property.
pub(crate) const NOTHING: &[Prop] = &[];

/// JSON's name for the type of `value`.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn path_of(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

fn type_error(path: &str, expected: &'static str, actual: &Value) -> FieldError {
    FieldError::new(
        path,
        "cast",
        Text::new(Key::SchemaType)
            .with("expected", expected)
            .with("actual", json_type(actual)),
    )
}

/// Checks `value` (an object) against `props`, one entry per failing property: unknown ones,
/// missing ones, and those of the wrong type or format.
fn check_object(
    value: &serde_json::Map<String, Value>,
    parent: &str,
    props: &[Prop],
) -> Vec<FieldError> {
    let mut invalid = Vec::new();
    for name in value.keys() {
        if !props.iter().any(|p| p.name == name) {
            invalid.push(FieldError::new(
                path_of(parent, name),
                "schema",
                Text::new(Key::SchemaAdditionalProperty),
            ));
        }
    }
    for p in props {
        let path = path_of(parent, p.name);
        let found = value.get(p.name).filter(|v| !(p.nullable && v.is_null()));
        let Some(found) = found else {
            if p.required {
                invalid.push(FieldError::new(
                    path.as_str(),
                    "required",
                    Text::new(Key::SchemaRequired).field("field", &path),
                ));
            }
            continue;
        };
        match (p.kind, found) {
            (Kind::Any, _) => {}
            (Kind::Object(inner), Value::Object(map)) => {
                invalid.extend(check_object(map, &path, inner));
            }
            (Kind::Object(_), other) => invalid.push(type_error(&path, "object", other)),
            (Kind::Text, Value::String(_)) => {}
            (Kind::Uuid, Value::String(s)) => {
                if uuid::Uuid::parse_str(s).is_err() {
                    invalid.push(FieldError::new(
                        path.as_str(),
                        "format",
                        Text::new(Key::InvalidUuid).field("field", &path),
                    ));
                }
            }
            (Kind::Date, Value::String(s)) => {
                if parse_date(s).is_none() {
                    invalid.push(FieldError::new(
                        path.as_str(),
                        "format",
                        Text::new(Key::InvalidDate).field("field", &path),
                    ));
                }
            }
            (Kind::Text | Kind::Uuid | Kind::Date, other) => {
                invalid.push(type_error(&path, "string", other));
            }
        }
    }
    invalid
}

/// `body` checked against `props`, then read as `T`.
pub(crate) fn read<T: serde::de::DeserializeOwned>(
    body: Value,
    props: &[Prop],
) -> Result<T, Error> {
    let Value::Object(map) = &body else {
        // The body extractor lets only objects through.
        return Err(Error::Validation(vec![type_error("", "object", &body)]));
    };
    let invalid = check_object(map, "", props);
    if !invalid.is_empty() {
        return Err(Error::Validation(invalid));
    }
    serde_json::from_value(body)
        .map_err(|e| Error::internal(format!("a checked body did not read: {e}")))
}

/// `YYYY-MM-DD`.
pub(crate) fn parse_date(raw: &str) -> Option<time::Date> {
    time::Date::parse(raw, domain::kernel::time::DATE_FORMAT).ok()
}

fn uuid_of(raw: &str) -> uuid::Uuid {
    // Only called on strings the schema check passed as UUIDs.
    uuid::Uuid::parse_str(raw).unwrap_or_default()
}

/// `POST /api/v3/declaration_requests`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequestBody {
    pub declaration_request: CreateRequestFields,
}

/// The request asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequestFields {
    /// The person (patient) of the registry.
    #[schema(format = Uuid)]
    pub person_id: String,
    /// The doctor: an employee of the caller's legal entity.
    #[schema(format = Uuid)]
    pub employee_id: String,
    /// A division of the caller's legal entity.
    #[schema(format = Uuid)]
    pub division_id: String,
    /// The day the declaration starts; today when absent.
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub start_date: Option<String>,
    /// An active declaration of a parent, standing for a child authenticated by `NA`.
    #[schema(format = Uuid)]
    pub parent_declaration_id: Option<String>,
}

impl CreateRequestBody {
    pub(crate) fn input(self) -> d::CreateInput {
        let f = self.declaration_request;
        d::CreateInput {
            person_id: d::PersonId::from_uuid(uuid_of(&f.person_id)),
            employee_id: d::EmployeeId::from_uuid(uuid_of(&f.employee_id)),
            division_id: d::DivisionId::from_uuid(uuid_of(&f.division_id)),
            start_date: f.start_date.as_deref().and_then(parse_date),
            parent_declaration_id: f
                .parent_declaration_id
                .as_deref()
                .map(|p| d::DeclarationId::from_uuid(uuid_of(p))),
        }
    }
}

/// `PATCH …/actions/approve`: the code for `OTP`; no property (or no body) otherwise.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    #[schema(schema_with = verification_code_schema)]
    pub verification_code: Option<Value>,
}

fn verification_code_schema() -> Schema {
    let one_of = OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(9999)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^[0-9]{4}$")),
        )
        .description(Some(
            "The 4-digit code the person received by SMS, as a number (`3748`) or a string \
(`\"3748\"`); only for `OTP`.",
        ));
    Schema::OneOf(one_of.build())
}

/// Reject and resend take no property: an empty body, or `{}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoPropertiesBody {}

/// `PATCH …/actions/sign`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    /// A compact JWS (EdDSA) by the doctor's registered Ed25519 key, whose payload is the request's
    /// `data_to_be_signed`.
    #[schema(pattern = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")]
    pub signed_declaration_request: String,
}

/// Query of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    pub status: Option<String>,
    pub person_id: Option<String>,
    pub employee_id: Option<String>,
    pub page: Option<String>,
    pub page_size: Option<String>,
}

fn query_whole(field: &str, raw: Option<&str>) -> Result<Option<i64>, FieldError> {
    match raw {
        None => Ok(None),
        Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            FieldError::new(
                field,
                "cast",
                Text::new(Key::InvalidWholeNumber)
                    .field("field", field)
                    .with("min", 1i64)
                    .with("max", i64::MAX),
            )
        }),
    }
}

impl ListQuery {
    /// The filter and the page asked for, each wrong parameter named.
    pub(crate) fn parse(
        self,
    ) -> Result<(d::RequestFilter, domain::kernel::paging::PageRequest), Error> {
        let mut invalid = Vec::new();
        let status = match self.status.as_deref() {
            None => None,
            Some(s) => match d::DeclarationRequestStatus::from_code(s) {
                Some(s) => Some(s),
                None => {
                    if let Error::Validation(fields) =
                        domain::kernel::code::choice_error::<d::DeclarationRequestStatus>("status")
                    {
                        invalid.extend(fields);
                    }
                    None
                }
            },
        };
        let mut id = |field: &str, raw: Option<&str>| -> Option<uuid::Uuid> {
            let raw = raw?;
            match domain::kernel::ids::parse_uuid(field, raw) {
                Ok(id) => Some(id),
                Err(Error::Validation(fields)) => {
                    invalid.extend(fields);
                    None
                }
                Err(_) => None,
            }
        };
        let person_id = id("person_id", self.person_id.as_deref()).map(d::PersonId::from_uuid);
        let employee_id =
            id("employee_id", self.employee_id.as_deref()).map(d::EmployeeId::from_uuid);
        let page = query_whole("page", self.page.as_deref());
        let page_size = query_whole("page_size", self.page_size.as_deref());
        let (page, page_size) = match (page, page_size) {
            (Ok(p), Ok(s)) => (p, s),
            (p, s) => {
                invalid.extend(p.err());
                invalid.extend(s.err());
                (None, None)
            }
        };
        let paging = domain::kernel::paging::PageRequest::from_client(page, page_size, "page_size");
        match paging {
            Ok(paging) if invalid.is_empty() => Ok((
                d::RequestFilter {
                    status,
                    person_id,
                    employee_id,
                },
                paging,
            )),
            Ok(_) => Err(Error::Validation(invalid)),
            Err(Error::Validation(fields)) => {
                invalid.extend(fields);
                Err(Error::Validation(invalid))
            }
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(body: Value, props: &[Prop]) -> Vec<(String, &'static str)> {
        match read::<Value>(body, props) {
            Err(Error::Validation(f)) => f.into_iter().map(|f| (f.field, f.rule)).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn every_failing_property_is_named_once() {
        let body = json!({
            "declaration_request": {
                "person_id": "nope",
                "division_id": 7,
                "start_date": "2026-13-01",
                "extra": true,
            },
            "other": 1,
        });
        let mut got = fields(body, CREATE);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("declaration_request.division_id".to_owned(), "cast"),
                ("declaration_request.employee_id".to_owned(), "required"),
                ("declaration_request.extra".to_owned(), "schema"),
                ("declaration_request.person_id".to_owned(), "format"),
                ("declaration_request.start_date".to_owned(), "format"),
                ("other".to_owned(), "schema"),
            ]
        );
        assert_eq!(
            fields(json!({"reason": "x"}), NOTHING),
            vec![("reason".to_owned(), "schema")]
        );
        assert!(read::<NoPropertiesBody>(json!({}), NOTHING).is_ok());
        assert!(read::<ApproveBody>(json!({"verification_code": "1234"}), APPROVE).is_ok());
    }
}
