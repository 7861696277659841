//! Small pieces every repository shares: portable SQL functions, `LIKE` patterns, and the text forms
//! of ids and timestamps.

use std::fmt;

use diesel::sql_types::{Nullable, Text};
use domain::Cause;
use domain::kernel::code::Code;
use domain::kernel::time::{DATE_FORMAT, format_date};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::{Date, OffsetDateTime};
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
/// is a corrupt row, reported with the row it was found in (`owner`, e.g. `case 0196…`). The
/// names are written out only for that report: lists parse several codes per row.
pub(crate) fn parse_stored<T: Code>(
    what: &str,
    owner: &dyn fmt::Display,
    raw: &str,
) -> domain::Result<T> {
    T::from_stored(&format_args!("{what} of {owner}"), raw)
}

/// Names the row a stored value belongs to (`case 0196…`) in error reports, written out only
/// when one is made.
pub(crate) struct RowName<'a>(pub(crate) &'static str, pub(crate) &'a str);

impl fmt::Display for RowName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

/// Reads a JSON column; `what` names it in the error, e.g. `medical_documents of case …`.
pub(crate) fn parse_json<T: DeserializeOwned>(
    what: &dyn fmt::Display,
    raw: &str,
) -> domain::Result<T> {
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

/// A date as stored (`2026-11-23`, whose text order is date order). The registry's dates are birth
/// and start dates, well inside the years this format can write.
pub(crate) fn date_text(date: Date) -> String {
    format_date(date)
}

pub(crate) fn parse_date(what: &str, raw: &str) -> domain::Result<Date> {
    Date::parse(raw, DATE_FORMAT).map_err(|e| {
        domain::Error::Internal(Cause::with_source(
            format!("stored {what} {raw:?} is not a YYYY-MM-DD date"),
            e,
        ))
    })
}

/// Bytes as lowercase hex, the text form of keys, salts and digests.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            // Writing to a String cannot fail.
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Reads hex written by [`hex`]; `what` names the column in the error.
pub(crate) fn parse_hex(what: &str, raw: &str) -> domain::Result<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let bytes = raw.as_bytes();
    let parsed: Option<Vec<u8>> = bytes
        .len()
        .is_multiple_of(2)
        .then(|| {
            bytes
                .chunks(2)
                .map(|pair| Some((digit(pair[0])? << 4) | digit(pair[1])?))
                .collect()
        })
        .flatten();
    parsed.ok_or_else(|| domain::Error::internal(format!("stored {what} is not hex")))
}

/// A value as a JSON column's text; `what` names it in the error.
pub(crate) fn to_json<T: Serialize + ?Sized>(what: &str, value: &T) -> domain::Result<String> {
    serde_json::to_string(value).map_err(|e| {
        domain::Error::Internal(Cause::with_source(
            format!("{what} cannot be written as JSON"),
            e,
        ))
    })
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

    #[test]
    fn hex_and_dates_round_trip() {
        let bytes = [0x00, 0x7f, 0xab, 0xff];
        assert_eq!(hex(&bytes), "007fabff");
        assert_eq!(parse_hex("x", "007fABff").unwrap(), bytes);
        assert!(parse_hex("x", "abc").is_err());
        assert!(parse_hex("x", "zz").is_err());
        let date = time::macros::date!(2026 - 01 - 05);
        assert_eq!(date_text(date), "2026-01-05");
        assert_eq!(parse_date("d", "2026-01-05").unwrap(), date);
        assert!(parse_date("d", "05.01.2026").is_err());
    }
}
