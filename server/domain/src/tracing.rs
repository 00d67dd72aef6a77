//! Tracing: where the search for one person stands, across every case they appear in.
//!
//! Owns the tracing vocabulary (missing → located → in_contact → safe → evacuated → reunited) and
//! its event. Operators set it; any step may be corrected, but a "change" to the same status is
//! refused so the log records only real changes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::clock::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TracingStatus {
    Missing,
    Located,
    InContact,
    Safe,
    Evacuated,
    Reunited,
}

impl TracingStatus {
    pub const ALL: [TracingStatus; 6] = [
        TracingStatus::Missing,
        TracingStatus::Located,
        TracingStatus::InContact,
        TracingStatus::Safe,
        TracingStatus::Evacuated,
        TracingStatus::Reunited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TracingStatus::Missing => "missing",
            TracingStatus::Located => "located",
            TracingStatus::InContact => "in_contact",
            TracingStatus::Safe => "safe",
            TracingStatus::Evacuated => "evacuated",
            TracingStatus::Reunited => "reunited",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// An operator changed a person's tracing status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TracingStatusChanged {
    pub person_id: Uuid,
    /// A case the person is in (the event appears in that case's timeline).
    pub case_id: Uuid,
    pub from: TracingStatus,
    pub to: TracingStatus,
    pub by: Uuid,
    pub at: Timestamp,
}

/// Decide a change of status.
pub fn change(
    person_id: Uuid,
    case_id: Uuid,
    from: TracingStatus,
    to: TracingStatus,
    by: Uuid,
    at: Timestamp,
) -> Result<TracingStatusChanged, Rejected> {
    if from == to {
        return Err(Rejected::new("unchanged", "status", format!("the person is already {}", to.as_str())));
    }
    Ok(TracingStatusChanged { person_id, case_id, from, to, by, at })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_a_non_change_is_refused() {
        for status in TracingStatus::ALL {
            assert_eq!(TracingStatus::parse(status.as_str()), Some(status));
        }
        let same =
            change(Uuid::nil(), Uuid::nil(), TracingStatus::Safe, TracingStatus::Safe, Uuid::nil(), Timestamp(0));
        assert_eq!(same.unwrap_err().code, "unchanged");
    }
}
