//! Query parameters of the clinic's lists, described as exactly as the handlers read them, so that
//! a value the document allows is never refused for its form and one it forbids never passes.

use domain::clinic as c;
use domain::kernel::code::Code;
use domain::kernel::paging::PageRequest;
use domain::kernel::text::{Key, Text};
use domain::{Error, FieldError};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};

/// A string, one of `codes`, with `description`.
pub(super) fn codes(description: &str, codes: Vec<&'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(codes))
        .into()
}

macro_rules! param {
    ($(#[$doc:meta])* $name:ident, $description:literal, $codes:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                codes($description, $codes)
            }
        }

        impl ToSchema for $name {}
    };
}

param!(
    /// A report's status.
    ReportStatusParam,
    "draft or finalized",
    c::ReportStatus::codes()
);
param!(
    /// What a report list is ordered by.
    ReportSortParam,
    "created_at (default) or updated_at",
    c::ReportSort::codes()
);
param!(
    /// The language of a printed report.
    LangParam,
    "en or ar",
    domain::kernel::lang::Lang::codes()
);
param!(
    /// An audit action's code.
    AuditActionParam,
    "An action code such as patient.read",
    c::audit_log::action_codes()
);
param!(
    /// The kind of object an audit entry is about.
    ObjectKindParam,
    "patient, appointment, report, study, image, document or staff",
    c::ObjectKind::codes()
);

/// A staff member's id as tokens carry it: 1 to 128 visible ASCII characters.
#[derive(Debug)]
pub struct ActorIdParam;

impl utoipa::PartialSchema for ActorIdParam {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A staff member's id (a token's subject)"))
            .min_length(Some(1))
            .max_length(Some(128))
            .pattern(Some("^[!-~]+$"))
            .into()
    }
}

impl ToSchema for ActorIdParam {}

/// An RFC 3339 instant, or a day (`YYYY-MM-DD`, UTC).
#[derive(Debug)]
pub struct InstantParam;

impl utoipa::PartialSchema for InstantParam {
    fn schema() -> RefOr<Schema> {
        let of = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        OneOfBuilder::new()
            .description(Some("An RFC 3339 instant, or a day (YYYY-MM-DD, UTC)"))
            .item(of(KnownFormat::DateTime))
            .item(of(KnownFormat::Date))
            .into()
    }
}

impl ToSchema for InstantParam {}

/// Reads a query string into `T`; one that does not fit (a repeated parameter) is 400.
pub(super) fn query<T: serde::de::DeserializeOwned>(raw: &str) -> domain::Result<T> {
    actix_web::web::Query::<T>::from_query(raw)
        .map(actix_web::web::Query::into_inner)
        .map_err(|e| {
            Error::field(FieldError::new(
                "query",
                "format",
                Text::new(Key::InvalidBody)
                    .with("line", 1i64)
                    .with("column", 1i64)
                    .with("detail", e.to_string()),
            ))
        })
}

/// A whole number from a query string, as its schema (`int64`) states: anything else names
/// `field`.
pub(super) fn whole(field: &str, raw: Option<&str>) -> Result<Option<i64>, FieldError> {
    raw.map(|v| {
        v.trim().parse::<i64>().map_err(|_| {
            FieldError::new(
                field,
                "cast",
                Text::new(Key::InvalidWholeNumber)
                    .field("field", field)
                    .with("min", 1i64)
                    .with("max", i64::MAX),
            )
        })
    })
    .transpose()
}

/// `page` and `limit` of a clinic list (DECISIONS §6: `limit` 15 by default, above 100 taken as
/// 100; zero, negative or not a whole number refused), each wrong one named.
pub(super) fn page(page: Option<&str>, limit: Option<&str>) -> domain::Result<PageRequest> {
    match (whole("page", page), whole("limit", limit)) {
        (Ok(page), Ok(limit)) => PageRequest::from_client(page, limit, "limit"),
        (page, limit) => Err(Error::Validation(
            page.err().into_iter().chain(limit.err()).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: domain::Result<PageRequest>) -> Vec<String> {
        match result {
            Err(Error::Validation(f)) => f.into_iter().map(|e| e.field).collect(),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn paging_follows_the_decisions() {
        let ok = |p: Option<&str>, l: Option<&str>| {
            page(p, l).map(|r| (r.page(), r.page_size())).unwrap()
        };
        assert_eq!(ok(None, None), (1, 15));
        assert_eq!(ok(Some("2"), Some("500")), (2, 100));
        assert_eq!(ok(None, Some(" 9223372036854775807 ")), (1, 100));
        assert_eq!(refused(page(Some("0"), None)), ["page"]);
        assert_eq!(refused(page(Some("1.5"), None)), ["page"]);
        assert_eq!(refused(page(None, Some("-3"))), ["limit"]);
        assert_eq!(refused(page(Some("x"), Some("ten"))), ["page", "limit"]);
        // Beyond what the document's int64 allows, and a page beyond 2^32 - 1.
        assert_eq!(refused(page(None, Some("9223372036854775808"))), ["limit"]);
        assert_eq!(refused(page(Some("4294967296"), None)), ["page"]);
    }
}
