//! Calls on the hotline: who called (or was called), when, what came of it, on which case.
//!
//! Owns the rules of a call log entry ([`log_call`]): the number is parsed into E.164, the call
//! ends no earlier than it started, lasts at most [`MAX_CALL_HOURS`], has not ended in the
//! future (beyond [`CLOCK_SKEW_MS`] of the operator's clock) and carries a note of at most
//! [`MAX_CALL_NOTE_CHARS`]. A logged call is an event ([`CallLogged`]), written beside its row.
//! It reads no clock: `now` comes in. It must not decide who may log calls (any staff may) or
//! whether the case exists (the store checks that inside its transaction).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::clock::Timestamp;
use crate::country::PhoneRegions;
use crate::text::{Message, PhoneNumber};

/// Longest note on a call, in characters: a few lines on what was said, not the report itself
/// (which the desk takes as a report).
pub const MAX_CALL_NOTE_CHARS: usize = 2000;
/// Longest call accepted. A longer one is a typo in a time, not a call.
pub const MAX_CALL_HOURS: i64 = 12;
/// How far in the future a call may end by the server's clock: the operator's browser clock
/// may be a little ahead.
pub const CLOCK_SKEW_MS: i64 = 5 * 60_000;

/// Who dialled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CallDirection {
    /// The caller rang the hotline.
    Incoming,
    /// An operator rang the number.
    Outgoing,
}

/// What came of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CallOutcome {
    /// The caller's report was taken (a new case, or news for this one).
    ReportTaken,
    /// The caller was told where their case stands.
    UpdateGiven,
    /// The caller asked for or was given information only.
    InformationOnly,
    /// The line dropped before the call was done.
    Dropped,
    /// The number was not the one meant.
    WrongNumber,
}

/// A call as the operator describes it, before validation. Times are RFC 3339.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallInput {
    pub phone: String,
    pub direction: Option<CallDirection>,
    pub outcome: Option<CallOutcome>,
    pub started_at: String,
    pub ended_at: String,
    pub note: Option<String>,
}

/// A call was logged on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallLogged {
    pub case_id: Uuid,
    pub call_id: Uuid,
    /// The caller's (or called) number, E.164.
    pub phone: PhoneNumber,
    pub direction: CallDirection,
    pub outcome: CallOutcome,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub note: Option<String>,
    /// The operator who took or made the call.
    pub by: Uuid,
    /// When it was logged.
    pub at: Timestamp,
}

/// Who logs which call on which case, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallIds {
    pub case_id: Uuid,
    pub call_id: Uuid,
    pub by: Uuid,
}

fn time(field: &str, raw: &str) -> Result<Timestamp, Rejected> {
    if raw.trim().is_empty() {
        return Err(Rejected::new("missing", field, format!("{field} is required")));
    }
    Timestamp::parse_rfc3339(raw.trim()).ok_or_else(|| {
        Rejected::new("invalid_time", field, "must be an RFC 3339 time with an offset, e.g. 2023-04-20T08:00:00+02:00")
    })
}

/// Validate a call and describe it as the event to record; a number typed without its country
/// code is read in [`PhoneRegions::caller`]. Refusals name the request's field.
pub fn log_call(
    ids: CallIds,
    input: &CallInput,
    regions: &PhoneRegions,
    now: Timestamp,
) -> Result<CallLogged, Rejected> {
    let phone = PhoneNumber::parse(&input.phone, Some(regions.caller())).map_err(|r| r.within("phone"))?;
    let direction = input.direction.ok_or_else(|| Rejected::new("missing", "direction", "direction is required"))?;
    let outcome = input.outcome.ok_or_else(|| Rejected::new("missing", "outcome", "outcome is required"))?;
    let started_at = time("started_at", &input.started_at)?;
    let ended_at = time("ended_at", &input.ended_at)?;
    if ended_at < started_at {
        return Err(Rejected::new("ends_before_start", "ended_at", "a call cannot end before it started"));
    }
    if ended_at.millis() - started_at.millis() > MAX_CALL_HOURS * 3_600_000 {
        return Err(Rejected::new(
            "too_long",
            "ended_at",
            format!("a call lasts at most {MAX_CALL_HOURS} hours: check the times"),
        ));
    }
    if ended_at.millis() > now.millis() + CLOCK_SKEW_MS {
        return Err(Rejected::new("in_future", "ended_at", "a call cannot end in the future"));
    }
    let note = Message::parse_field(input.note.as_deref(), "note")?.map(|m| m.as_str().to_owned());
    if let Some(count) = note.as_ref().map(|n| n.chars().count()).filter(|&n| n > MAX_CALL_NOTE_CHARS) {
        return Err(Rejected::new(
            "too_long",
            "note",
            format!("must be at most {MAX_CALL_NOTE_CHARS} characters (got {count})"),
        ));
    }
    Ok(CallLogged {
        case_id: ids.case_id,
        call_id: ids.call_id,
        phone,
        direction,
        outcome,
        started_at,
        ended_at,
        note,
        by: ids.by,
        at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::country::CountryCode;

    const EGYPT_ROOM: PhoneRegions = PhoneRegions { crisis: None, home: CountryCode::EGYPT };
    const NOW: Timestamp = Timestamp(1_681_551_000_000); // 2023-04-15T09:30:00Z

    fn ids() -> CallIds {
        CallIds { case_id: Uuid::from_u128(1), call_id: Uuid::from_u128(2), by: Uuid::from_u128(3) }
    }

    fn call() -> CallInput {
        CallInput {
            phone: "+249 912 345 678".into(),
            direction: Some(CallDirection::Incoming),
            outcome: Some(CallOutcome::ReportTaken),
            started_at: "2023-04-15T11:20:00+02:00".into(),
            ended_at: "2023-04-15T09:25:30Z".into(),
            note: Some("  mother of the boy, calling from Cairo ".into()),
        }
    }

    fn refusal(input: CallInput) -> (&'static str, Option<String>) {
        let refused = log_call(ids(), &input, &EGYPT_ROOM, NOW).unwrap_err();
        (refused.code, refused.field)
    }

    #[test]
    fn a_call_is_normalised_into_its_event() {
        let logged = log_call(ids(), &call(), &EGYPT_ROOM, NOW).unwrap();
        assert_eq!(logged.phone.as_str(), "+249912345678");
        assert_eq!(logged.started_at, Timestamp(1_681_550_400_000));
        assert_eq!(logged.ended_at, Timestamp(1_681_550_730_000));
        assert_eq!(logged.note.as_deref(), Some("mother of the boy, calling from Cairo"));
        assert_eq!(
            (logged.case_id, logged.call_id, logged.by, logged.at),
            (ids().case_id, ids().call_id, ids().by, NOW)
        );
        let blank_note = CallInput { note: Some("   ".into()), ..call() };
        assert_eq!(log_call(ids(), &blank_note, &EGYPT_ROOM, NOW).unwrap().note, None);
    }

    #[test]
    fn a_local_number_is_read_in_the_crisis_country_else_at_home() {
        let local = CallInput { phone: "0100 123 4567".into(), ..call() };
        assert_eq!(log_call(ids(), &local, &EGYPT_ROOM, NOW).unwrap().phone.as_str(), "+201001234567");
        let libya = PhoneRegions { crisis: Some(CountryCode::parse("LY").unwrap()), ..EGYPT_ROOM };
        let local = CallInput { phone: "091 234 5678".into(), ..call() };
        assert_eq!(log_call(ids(), &local, &libya, NOW).unwrap().phone.as_str(), "+218912345678");
    }

    #[test]
    fn the_event_round_trips_with_its_wire_names() {
        let event = crate::event::Event::CallLogged(log_call(ids(), &call(), &EGYPT_ROOM, NOW).unwrap());
        assert_eq!(event.kind(), "call_logged");
        assert_eq!(event.case_id(), Some(ids().case_id));
        let data: serde_json::Value = serde_json::from_str(&event.data_json()).unwrap();
        assert_eq!((data["direction"].as_str(), data["outcome"].as_str()), (Some("incoming"), Some("report_taken")));
        assert_eq!(crate::event::Event::from_parts("call_logged", &event.data_json()).unwrap(), event);
    }

    #[test]
    fn refusals_name_their_field() {
        assert_eq!(
            refusal(CallInput { phone: "0100 123".into(), ..call() }),
            ("phone_wrong_length", Some("phone".into()))
        );
        assert_eq!(refusal(CallInput { phone: "+249 91x".into(), ..call() }), ("invalid_phone", Some("phone".into())));
        assert_eq!(refusal(CallInput { direction: None, ..call() }), ("missing", Some("direction".into())));
        assert_eq!(refusal(CallInput { outcome: None, ..call() }), ("missing", Some("outcome".into())));
        assert_eq!(refusal(CallInput { started_at: "".into(), ..call() }), ("missing", Some("started_at".into())));
        assert_eq!(
            refusal(CallInput { ended_at: "15/04/2023".into(), ..call() }),
            ("invalid_time", Some("ended_at".into()))
        );
    }

    #[test]
    fn a_call_ends_after_it_starts_within_hours_and_not_in_the_future() {
        let backwards = CallInput { ended_at: "2023-04-15T09:19:59Z".into(), ..call() };
        assert_eq!(refusal(backwards), ("ends_before_start", Some("ended_at".into())));
        let instant = CallInput { ended_at: "2023-04-15T09:20:00Z".into(), ..call() };
        assert!(log_call(ids(), &instant, &EGYPT_ROOM, NOW).is_ok(), "a call that dropped at once lasted zero seconds");
        let marathon =
            CallInput { started_at: "2023-04-14T09:00:00Z".into(), ended_at: "2023-04-15T09:00:00Z".into(), ..call() };
        assert_eq!(refusal(marathon), ("too_long", Some("ended_at".into())));
        let skewed = CallInput { ended_at: "2023-04-15T09:34:00Z".into(), ..call() };
        assert!(log_call(ids(), &skewed, &EGYPT_ROOM, NOW).is_ok(), "a browser clock a few minutes ahead");
        let future = CallInput { ended_at: "2023-04-15T09:36:00Z".into(), ..call() };
        assert_eq!(refusal(future), ("in_future", Some("ended_at".into())));
    }

    #[test]
    fn notes_are_bounded_text() {
        let long = CallInput { note: Some("م".repeat(MAX_CALL_NOTE_CHARS + 1)), ..call() };
        assert_eq!(refusal(long), ("too_long", Some("note".into())));
        let exact = CallInput { note: Some("م".repeat(MAX_CALL_NOTE_CHARS)), ..call() };
        assert!(log_call(ids(), &exact, &EGYPT_ROOM, NOW).is_ok());
        let hidden = CallInput { note: Some("call +249912345678\u{202E}".into()), ..call() };
        assert_eq!(refusal(hidden), ("invalid_characters", Some("note".into())));
    }
}
