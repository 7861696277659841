//! Time: one clock port, and one wire/storage format (RFC 3339, UTC, microseconds, `Z`).
//!
//! The format is fixed-width so that stored timestamps sort as text in the same order as in time, on
//! every backend.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::error::Cause;
use crate::{Error, Result};

/// Tells the time. Services never read the system clock themselves.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Clock: Send + Sync {
    /// The current instant, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

const FIXED: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

/// Calendar days as `2026-11-23` (RFC 3339's full-date), on the wire and in storage; their text
/// order is date order.
pub const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Formats a day as `2026-11-23`. Years outside 0..=9999 cannot be written so and come out in the
/// `time` crate's own form.
pub fn format_date(date: time::Date) -> String {
    date.format(DATE_FORMAT)
        .unwrap_or_else(|_| date.to_string())
}

/// Formats an instant as `2026-11-23T12:00:00.000000Z`.
pub fn format_rfc3339(at: OffsetDateTime) -> String {
    let utc = at.to_offset(UtcOffset::UTC);
    // Formatting a valid date with a static description only fails for years outside 0..=9999.
    utc.format(FIXED)
        .unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

/// Parses any RFC 3339 instant.
pub fn parse_rfc3339(raw: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(raw, &Rfc3339)
        .map(|t| t.to_offset(UtcOffset::UTC))
        .map_err(|e| {
            Error::Internal(Cause::with_source(
                format!("stored timestamp {raw:?} is not RFC 3339"),
                e,
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sorts_as_text() {
        let a = time::macros::datetime!(2026-01-02 03:04:05.5 UTC);
        let b = time::macros::datetime!(2026-01-02 03:04:05.75 UTC);
        let (sa, sb) = (format_rfc3339(a), format_rfc3339(b));
        assert_eq!(sa, "2026-01-02T03:04:05.500000Z");
        assert!(sa < sb);
        assert_eq!(parse_rfc3339(&sa).ok(), Some(a));
    }
}
