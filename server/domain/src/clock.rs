//! The one time type of the domain: milliseconds since the Unix epoch, UTC.
//!
//! The domain never reads a clock; callers pass `now` in. Stored as an integer on every backend
//! so SQLite and PostgreSQL agree to the millisecond.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An instant, in whole milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    /// Parse RFC 3339 with any offset, e.g. `2023-04-20T08:00:00+02:00`; `None` for anything
    /// else, or for an instant that is not in the years 0000–9999 in UTC (which RFC 3339 could
    /// not write back).
    pub fn parse_rfc3339(raw: &str) -> Option<Self> {
        let t = OffsetDateTime::parse(raw, &Rfc3339).ok()?;
        let utc = t.checked_to_offset(time::UtcOffset::UTC)?;
        if !(0..=9999).contains(&utc.year()) {
            return None;
        }
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok().map(Self)
    }

    /// Whole seconds in UTC with a numeric offset, e.g. `2023-04-15T09:30:00+00:00` (CAP's form:
    /// no `Z`, no fractions).
    pub fn to_rfc3339_seconds_offset(self) -> String {
        let whole = Timestamp(self.0.div_euclid(1000) * 1000).to_rfc3339();
        match whole.strip_suffix('Z') {
            Some(stem) => format!("{stem}+00:00"),
            None => whole,
        }
    }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2023-04-15T09:30:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            // Only instants beyond year 9999 fail; they cannot come from a real clock.
            .unwrap_or_else(|| self.0.to_string())
    }
}

/// Serialise a [`Timestamp`] as RFC 3339 text (`#[serde(serialize_with = "clock::as_rfc3339")]`)
/// where a format for other systems must not mix epoch milliseconds with dates.
pub fn as_rfc3339<S: serde::Serializer>(at: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_with_z() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(1_681_551_000_123).to_rfc3339(), "2023-04-15T09:30:00.123Z");
        assert_eq!(Timestamp(1_681_551_000_999).to_rfc3339_seconds_offset(), "2023-04-15T09:30:00+00:00");
    }

    #[test]
    fn parses_any_offset() {
        assert_eq!(Timestamp::parse_rfc3339("2023-04-15T11:30:00.123+02:00"), Some(Timestamp(1_681_551_000_123)));
        assert_eq!(Timestamp::parse_rfc3339("15/04/2023"), None);
        assert_eq!(Timestamp::parse_rfc3339("9999-12-31T23:59:59-23:59"), None, "year 10000 in UTC");
    }
}
