//! Small pieces every repository shares: portable SQL functions, `LIKE` patterns, and the text forms
//! of ids and timestamps.

use diesel::sql_types::{Nullable, Text};
use domain::Cause;
use domain::kernel::code::Code;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use uuid::Uuid;

/// The escape character of every `LIKE` pattern built by [`contains_pattern`]; pass it to
/// `.escape(..)`.
pub(crate) const LIKE_ESCAPE: char = '\\';

diesel::define_sql_function! {
    /// SQL `lower`: ASCII folding on SQLite, Unicode folding on PostgreSQL (a superset, so a
    /// search never matches less there).
    fn lower(x: Text) -> Text;
}

diesel::define_sql_function! {
    /// [`lower`] of a nullable column: `NULL` stays `NULL` (and matches no pattern).
    #[sql_name = "lower"]
    fn lower_nullable(x: Nullable<Text>) -> Nullable<Text>;
}

/// A `LIKE` pattern matching `needle` anywhere, with the user's `%`, `_` and `\` taken literally.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// An instant as stored: fixed-width RFC 3339, so text order is time order on every backend.
pub(crate) fn timestamp(at: OffsetDateTime) -> String {
    domain::kernel::time::format_rfc3339(at)
}

pub(crate) fn parse_timestamp(raw: &str) -> domain::Result<OffsetDateTime> {
    domain::kernel::time::parse_rfc3339(raw)
}

/// An id as stored: lowercase hyphenated, the one form lookups compare against.
pub(crate) fn id_text(id: impl Into<Uuid>) -> String {
    id.into().hyphenated().to_string()
}

/// Reads a stored id as the entity's id type.
pub(crate) fn parse_id<T: From<Uuid>>(raw: &str) -> domain::Result<T> {
    Uuid::parse_str(raw).map(T::from).map_err(|e| {
        domain::Error::Internal(Cause::with_source(
            format!("stored id {raw:?} is not a UUID"),
            e,
        ))
    })
}

pub(crate) fn parse_optional_timestamp(
    raw: Option<&str>,
) -> domain::Result<Option<OffsetDateTime>> {
    raw.map(parse_timestamp).transpose()
}

/// Parses a stored code (a status, a role, a kind, a language); a value the domain does not know
/// is a corrupt row, reported with the row it was found in (`owner`, e.g. `case 0196…`).
pub(crate) fn parse_stored<T: Code>(what: &str, owner: &str, raw: &str) -> domain::Result<T> {
    T::from_stored(&format!("{what} of {owner}"), raw)
}

/// Reads a JSON column; `what` names it in the error, e.g. `medical_documents of case …`.
pub(crate) fn parse_json<T: DeserializeOwned>(what: &str, raw: &str) -> domain::Result<T> {
    serde_json::from_str(raw).map_err(|e| {
        domain::Error::Internal(Cause::with_source(
            format!("stored {what} is not valid JSON"),
            e,
        ))
    })
}

/// A count as the ports report it; `COUNT(*)` is never negative.
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("card"), "%card%");
        assert_eq!(contains_pattern("100%"), "%100\\%%");
        assert_eq!(contains_pattern("a_b\\c"), "%a\\_b\\\\c%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
