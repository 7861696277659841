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
///
/// Written digit by digit: every row of every list and every stored change passes here, and the
/// `time` crate's general formatter costs several times more for this one fixed shape.
pub fn format_rfc3339(at: OffsetDateTime) -> String {
    let utc = at.to_offset(UtcOffset::UTC);
    let (year, month, day) = utc.to_calendar_date();
    let Some(year) = u32::try_from(year).ok().filter(|y| *y <= 9999) else {
        return utc.unix_timestamp().to_string();
    };
    let (hour, minute, second, micro) = utc.to_hms_micro();
    let mut out = String::with_capacity(27);
    let parts: [(u32, u32, char); 7] = [
        (year, 4, '-'),
        (u32::from(u8::from(month)), 2, '-'),
        (u32::from(day), 2, 'T'),
        (u32::from(hour), 2, ':'),
        (u32::from(minute), 2, ':'),
        (u32::from(second), 2, '.'),
        (micro, 6, 'Z'),
    ];
    for (value, width, separator) in parts {
        push_digits(&mut out, value, width);
        out.push(separator);
    }
    out
}

/// The last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u32.pow(place)) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
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

    const FIXED: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );

    #[test]
    fn writes_what_the_time_crate_writes() {
        use time::macros::datetime;
        for at in [
            datetime!(2026-01-02 03:04:05.5 UTC),
            datetime!(0001-01-01 00:00:00 UTC),
            datetime!(9999-12-31 23:59:59.999_999 UTC),
            datetime!(2024-02-29 12:00:00.000_001 +05:30),
            datetime!(1970-01-01 00:00:00.123_456_789 UTC),
        ] {
            let expected = at.to_offset(UtcOffset::UTC).format(FIXED).unwrap();
            assert_eq!(format_rfc3339(at), expected);
        }
        // Before year 0, which four digits cannot hold: the Unix time instead of a wrong date.
        let far = datetime!(-0001-01-01 00:00:00 UTC);
        assert_eq!(format_rfc3339(far), far.unix_timestamp().to_string());
    }

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
