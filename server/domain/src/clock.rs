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

/// The time zone the room works in (an IANA name such as `Africa/Cairo`): the pages show local
/// times in it, and the situation report counts hours and days by it. The tz database is built
/// into the binary, so a name means the same on every machine.
#[derive(Debug, Clone)]
pub struct RoomTimeZone {
    name: String,
    zone: jiff::tz::TimeZone,
}

/// The room's time zone when none is configured.
pub const DEFAULT_TIME_ZONE: &str = "Africa/Cairo";

/// A span of local time the situation report counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Hour,
    Day,
}

impl RoomTimeZone {
    /// A zone by its IANA name; `invalid_time_zone` for a name the tz database does not know.
    pub fn parse(name: &str) -> Result<Self, crate::Rejected> {
        let zone = jiff::tz::TimeZone::get(name.trim()).map_err(|_| {
            crate::Rejected::value(
                "invalid_time_zone",
                format!("{name:?} is not a time zone name such as Africa/Cairo"),
            )
        })?;
        Ok(Self { name: name.trim().to_owned(), zone })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The local start of the hour or day holding `at` (on a day that begins twice or not at
    /// midnight, the zone's own rules decide; jiff's `start_of_day` follows them).
    pub fn bucket_start(&self, at: Timestamp, bucket: Bucket) -> Timestamp {
        let Ok(instant) = jiff::Timestamp::from_millisecond(at.0) else { return at };
        let local = instant.to_zoned(self.zone.clone());
        let start = match bucket {
            Bucket::Day => local.start_of_day(),
            Bucket::Hour => local.with().minute(0).second(0).subsec_nanosecond(0).build(),
        };
        start.map_or(at, |z| Timestamp(z.timestamp().as_millisecond()))
    }

    /// The start of the bucket after the one starting at `start`.
    pub fn next_bucket(&self, start: Timestamp, bucket: Bucket) -> Timestamp {
        let Ok(instant) = jiff::Timestamp::from_millisecond(start.0) else { return start };
        let local = instant.to_zoned(self.zone.clone());
        let next = match bucket {
            Bucket::Day => local.checked_add(jiff::Span::new().days(1)).and_then(|z| z.start_of_day()),
            Bucket::Hour => local.checked_add(jiff::Span::new().hours(1)),
        };
        next.map_or(Timestamp(start.0 + 3_600_000), |z| Timestamp(z.timestamp().as_millisecond()))
    }

    /// `at` as local time with its offset, e.g. `2023-04-15T11:30:00+02:00` (for CSV files read
    /// in the room).
    pub fn local_rfc3339(&self, at: Timestamp) -> String {
        match jiff::Timestamp::from_millisecond(at.0) {
            Ok(instant) => instant.to_zoned(self.zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            Err(_) => at.to_rfc3339(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_time_zones_count_local_hours_and_days() {
        assert_eq!(RoomTimeZone::parse("Mars/Olympus").unwrap_err().code, "invalid_time_zone");
        let cairo = RoomTimeZone::parse("Africa/Cairo").unwrap();
        // 2023-04-15T22:30Z is 00:30 on the 16th in Cairo (UTC+2 then): the day starts at 22:00Z.
        let late = Timestamp::parse_rfc3339("2023-04-15T22:30:00Z").unwrap();
        assert_eq!(cairo.bucket_start(late, Bucket::Day), Timestamp::parse_rfc3339("2023-04-15T22:00:00Z").unwrap());
        assert_eq!(cairo.bucket_start(late, Bucket::Hour), Timestamp::parse_rfc3339("2023-04-15T22:00:00Z").unwrap());
        let day = cairo.bucket_start(late, Bucket::Day);
        assert_eq!(cairo.next_bucket(day, Bucket::Day), Timestamp::parse_rfc3339("2023-04-16T22:00:00Z").unwrap());
        assert_eq!(cairo.local_rfc3339(late), "2023-04-16T00:30:00+02:00");
        let utc = RoomTimeZone::parse("UTC").unwrap();
        assert_eq!(utc.bucket_start(late, Bucket::Day), Timestamp::parse_rfc3339("2023-04-15T00:00:00Z").unwrap());
    }

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
