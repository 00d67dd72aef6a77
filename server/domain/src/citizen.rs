//! What a citizen or relative can do with their tracking link: send an update on their case
//! ("we moved", "we are safe now", "our needs changed", a message), and what they may see of it.
//!
//! Owns the update rules (an update is a report on the same case; it may raise the case's
//! priority, never lower it — lowering is an operator's decision; on a finished case, anything
//! but "we are safe" reopens it, since a plea on a closed case must not go unseen). What they
//! may see of their case's history is [`crate::timeline`]'s.
//! Must not know how the token is checked; the app does that before calling in here.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::case::CaseStatus;
use crate::clock::Timestamp;
use crate::location::{Cell, Location};
use crate::need::{Flag, Need, sorted_unique};
use crate::priority::{self, Priority, PriorityInput, PriorityLevel};
use crate::report::LocationInput;
use crate::text::Message;
use crate::workflow::is_finished;

/// The kinds of update the tracking page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UpdateKind {
    /// We are somewhere else now.
    Moved,
    /// We are safe now.
    Safe,
    /// What we need changed (the new list replaces the old one).
    Needs,
    /// Just a message.
    Message,
}

impl UpdateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateKind::Moved => "moved",
            UpdateKind::Safe => "safe",
            UpdateKind::Needs => "needs",
            UpdateKind::Message => "message",
        }
    }
}

/// An update as the citizen sent it, before validation.
#[derive(Debug, Clone)]
pub struct UpdateInput {
    pub kind: UpdateKind,
    pub location: Option<LocationInput>,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub message: Option<String>,
}

/// A validated update.
#[derive(Debug, Clone, PartialEq)]
pub struct CitizenUpdate {
    pub kind: UpdateKind,
    /// For `moved`: where they are now.
    pub location: Option<Location>,
    /// For `needs`: the new needs and flags.
    pub needs: Option<(Vec<Need>, Vec<Flag>)>,
    pub message: Option<Message>,
}

impl CitizenUpdate {
    pub fn parse(input: &UpdateInput) -> Result<Self, Rejected> {
        let message = Message::parse_field(input.message.as_deref(), "message")?;
        let mut update = Self { kind: input.kind, location: None, needs: None, message };
        match input.kind {
            UpdateKind::Moved => {
                let raw = input.location.clone().unwrap_or_default();
                let location = Location::parse(raw.lat, raw.lon, raw.accuracy_m, raw.place.as_deref())
                    .map_err(|r| r.within("location"))?;
                if location.coordinates.is_none() && location.place.is_none() {
                    return Err(Rejected::new("missing", "location", "say where you are now: a place or a position"));
                }
                update.location = Some(location);
            }
            UpdateKind::Needs => {
                update.needs = Some((sorted_unique(&input.needs), sorted_unique(&input.flags)));
            }
            UpdateKind::Message if update.message.is_none() => {
                return Err(Rejected::new("missing", "message", "write a message"));
            }
            UpdateKind::Message | UpdateKind::Safe => {}
        }
        Ok(update)
    }
}

/// The part of a case an update looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedCase {
    pub case_id: Uuid,
    pub cell: Option<Cell>,
    pub status: CaseStatus,
    pub priority: PriorityLevel,
    pub priority_score: u32,
    /// A supervisor set the level by hand: updates leave it alone.
    pub priority_overridden: bool,
    /// Ages of the people in danger, where known.
    pub ages: Vec<u8>,
}

/// A citizen sent an update on their case through the tracking link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CitizenUpdated {
    pub case_id: Uuid,
    /// The report row this update is stored as.
    pub report_id: Uuid,
    pub update: UpdateKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<Vec<Need>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<Flag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// The case's cell, status and priority before and after (cells differ when the people
    /// moved, statuses when the update reopened a finished case): map and board readers apply
    /// the event without a lookup.
    pub from_cell: Option<Cell>,
    pub cell: Option<Cell>,
    pub status_from: CaseStatus,
    pub status: CaseStatus,
    pub priority_from: PriorityLevel,
    pub priority: PriorityLevel,
    /// The new computed priority when the update raised it (its score and reasons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised: Option<Priority>,
    pub at: Timestamp,
}

/// The status a finished case reopened by a citizen's update goes back to: an operator looks at
/// it again first.
pub const REOPENED_AS: CaseStatus = CaseStatus::Triaged;

/// Record an update on a case.
pub fn apply(case: &TrackedCase, update: CitizenUpdate, report_id: Uuid, now: Timestamp) -> CitizenUpdated {
    let cell = match &update.location {
        Some(location) => location.cell(),
        None => case.cell,
    };
    let raised = update.needs.as_ref().and_then(|(needs, flags)| {
        let computed = priority::compute(PriorityInput { needs, flags, ages: &case.ages });
        let higher = computed.score > case.priority_score && computed.level >= case.priority;
        (higher && !case.priority_overridden).then_some(computed)
    });
    let reopens = is_finished(case.status) && update.kind != UpdateKind::Safe;
    let (needs, flags) = update.needs.map_or((None, None), |(n, f)| (Some(n), Some(f)));
    CitizenUpdated {
        case_id: case.case_id,
        report_id,
        update: update.kind,
        location: update.location,
        needs,
        flags,
        message: update.message,
        from_cell: case.cell,
        cell,
        status_from: case.status,
        status: if reopens { REOPENED_AS } else { case.status },
        priority_from: case.priority,
        priority: raised.as_ref().map_or(case.priority, |p| p.level),
        raised,
        at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> TrackedCase {
        TrackedCase {
            case_id: Uuid::from_u128(1),
            cell: None,
            status: CaseStatus::Triaged,
            priority: PriorityLevel::Normal,
            priority_score: 10,
            priority_overridden: false,
            ages: vec![34, 6],
        }
    }

    fn input(kind: UpdateKind) -> UpdateInput {
        UpdateInput { kind, location: None, needs: vec![], flags: vec![], message: None }
    }

    #[test]
    fn a_move_needs_somewhere_and_moves_the_cell() {
        assert_eq!(CitizenUpdate::parse(&input(UpdateKind::Moved)).unwrap_err().field.as_deref(), Some("location"));
        let mut moved = input(UpdateKind::Moved);
        moved.location = Some(LocationInput { lat: Some(19.6158), lon: Some(37.2164), ..Default::default() });
        let update = CitizenUpdate::parse(&moved).unwrap();
        let event = apply(&case(), update, Uuid::from_u128(2), Timestamp(5));
        assert_eq!(event.from_cell, None);
        assert!(event.cell.is_some());
        assert_eq!(event.priority, event.priority_from);
    }

    #[test]
    fn needs_raise_priority_but_never_lower_it() {
        let mut injured = input(UpdateKind::Needs);
        injured.needs = vec![Need::Medical];
        injured.flags = vec![Flag::Injured];
        let event = apply(&case(), CitizenUpdate::parse(&injured).unwrap(), Uuid::nil(), Timestamp(5));
        assert!(event.priority > PriorityLevel::Normal);
        assert!(event.raised.is_some());

        let mut urgent = case();
        urgent.priority = PriorityLevel::Critical;
        urgent.priority_score = 200;
        let calm = apply(&urgent, CitizenUpdate::parse(&input(UpdateKind::Needs)).unwrap(), Uuid::nil(), Timestamp(5));
        assert_eq!(calm.priority, PriorityLevel::Critical);
        assert_eq!(calm.raised, None);

        let mut overridden = case();
        overridden.priority_overridden = true;
        let kept = apply(&overridden, CitizenUpdate::parse(&injured).unwrap(), Uuid::nil(), Timestamp(5));
        assert_eq!(kept.priority, PriorityLevel::Normal, "a supervisor's override stands");
    }

    #[test]
    fn a_plea_on_a_finished_case_reopens_it_but_we_are_safe_does_not() {
        let mut resolved = case();
        resolved.status = CaseStatus::Resolved;
        let mut message = input(UpdateKind::Message);
        message.message = Some("we still need help".into());
        let plea = apply(&resolved, CitizenUpdate::parse(&message).unwrap(), Uuid::nil(), Timestamp(5));
        assert_eq!((plea.status_from, plea.status), (CaseStatus::Resolved, REOPENED_AS));
        assert_eq!(
            crate::timeline::timeline_entry(&crate::event::Event::CitizenUpdated(Box::new(plea))).unwrap().code,
            "update_message_reopened"
        );
        let safe = apply(&resolved, CitizenUpdate::parse(&input(UpdateKind::Safe)).unwrap(), Uuid::nil(), Timestamp(5));
        assert_eq!(safe.status, CaseStatus::Resolved);
        let open = apply(&case(), CitizenUpdate::parse(&message).unwrap(), Uuid::nil(), Timestamp(5));
        assert_eq!(open.status, CaseStatus::Triaged, "an open case keeps its status");
    }

    #[test]
    fn a_message_update_needs_a_message() {
        assert_eq!(CitizenUpdate::parse(&input(UpdateKind::Message)).unwrap_err().field.as_deref(), Some("message"));
        assert!(CitizenUpdate::parse(&input(UpdateKind::Safe)).is_ok(), "'we are safe' says enough by itself");
    }
}
