//! The operators' workflow on a case: status, assignment, notes, contact attempts, priority
//! overrides and the SLA clock.
//!
//! Owns the rules as one function, [`decide`]: given a case's current state, who acts, what they
//! ask and when, it returns the events to record or the reason for refusing. It reads no clock and
//! no database; the store loads the state, calls `decide`, and writes what it returns. Optimistic
//! concurrency (the `version` a command was based on) is checked by the store before `decide`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::case::CaseStatus;
use crate::clock::Timestamp;
use crate::location::Cell;
use crate::priority::PriorityLevel;
use crate::text::Message;
use crate::user::Role;

/// How an operator tried to reach someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContactChannel {
    Phone,
    Whatsapp,
    Sms,
    Facebook,
    Email,
    InPerson,
}

/// What came of a contact attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContactOutcome {
    Reached,
    NoAnswer,
    WrongNumber,
    MessageLeft,
}

/// The part of a case the workflow rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseState {
    pub case_id: Uuid,
    /// Where the case is on the grid (resolution 9), if located.
    pub cell: Option<Cell>,
    pub status: CaseStatus,
    pub assigned_to: Option<Uuid>,
    pub priority: PriorityLevel,
    pub reported_at: Timestamp,
    pub first_contact_at: Option<Timestamp>,
    /// Whether the SLA breach has already been escalated (escalation happens once).
    pub escalated: bool,
}

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
}

/// What an operator asks to do to a case.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseCommand {
    /// Move the case to another status. `reason` is required to reopen a finished case;
    /// `duplicate_of` is required (and only allowed) when marking it a duplicate.
    ChangeStatus {
        to: CaseStatus,
        reason: Option<String>,
        duplicate_of: Option<Uuid>,
    },
    /// Assign to a user, or unassign with `None`.
    Assign {
        to: Option<Uuid>,
    },
    AddNote {
        note_id: Uuid,
        text: String,
    },
    RecordContact {
        contact_id: Uuid,
        channel: ContactChannel,
        outcome: ContactOutcome,
        note: Option<String>,
    },
    /// Supervisors only: set the priority level by hand, with a reason.
    OverridePriority {
        level: PriorityLevel,
        reason: String,
    },
}

/// What the workflow records. Each variant becomes an `Event` of the same name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CaseChange {
    StatusChanged(StatusChanged),
    CaseAssigned(CaseAssigned),
    NoteAdded(NoteAdded),
    ContactRecorded(ContactRecorded),
    PriorityOverridden(PriorityOverridden),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChanged {
    pub case_id: Uuid,
    pub from: CaseStatus,
    pub to: CaseStatus,
    /// The case's cell and priority, carried so that map and board readers can apply the event
    /// without looking the case up.
    pub cell: Option<Cell>,
    pub priority: PriorityLevel,
    pub reason: Option<String>,
    pub duplicate_of: Option<Uuid>,
    /// The original's reference, for people reading the log (set by the store, which knows it;
    /// absent in events written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of_reference: Option<crate::reference::Reference>,
    pub by: Uuid,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseAssigned {
    pub case_id: Uuid,
    pub from: Option<Uuid>,
    pub to: Option<Uuid>,
    pub by: Uuid,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteAdded {
    pub case_id: Uuid,
    pub note_id: Uuid,
    pub text: String,
    pub by: Uuid,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecorded {
    pub case_id: Uuid,
    pub contact_id: Uuid,
    pub channel: ContactChannel,
    pub outcome: ContactOutcome,
    pub note: Option<String>,
    /// Set on the first attempt that reached someone: the case's time to first contact.
    pub first_contact_after_ms: Option<i64>,
    pub by: Uuid,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityOverridden {
    pub case_id: Uuid,
    pub from: PriorityLevel,
    pub to: PriorityLevel,
    /// The case's cell and status, carried for map and board readers (see `StatusChanged`).
    pub cell: Option<Cell>,
    pub status: CaseStatus,
    pub reason: String,
    pub by: Uuid,
    pub at: Timestamp,
}

/// The SLA clock ran out before anyone reached the people in a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaBreached {
    pub case_id: Uuid,
    /// The priority level when the clock ran out.
    pub priority: PriorityLevel,
    /// The level waiting raised it to (see `priority::raise_for_waiting`), if it changed; never
    /// set for a priority a supervisor overrode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised_to: Option<PriorityLevel>,
    /// The case's cell and status, carried for map and board readers (see `StatusChanged`).
    pub cell: Option<Cell>,
    pub status: CaseStatus,
    pub due_at: Timestamp,
    pub at: Timestamp,
}

/// Whether `from → to` is an allowed move (reopening a finished case is allowed with a reason,
/// which [`decide`] checks).
pub fn transition_allowed(from: CaseStatus, to: CaseStatus) -> bool {
    use CaseStatus::*;
    match (from, to) {
        _ if from == to => false,
        (_, New) => false,
        (New, Triaged | InProgress | Closed | Duplicate) => true,
        (Triaged, InProgress | AwaitingEvacuation | Resolved | Closed | Duplicate) => true,
        (InProgress, Triaged | AwaitingEvacuation | Resolved | Closed | Duplicate) => true,
        (AwaitingEvacuation, InProgress | Evacuated | Resolved | Closed) => true,
        // Reopening.
        (Evacuated | Resolved | Closed | Duplicate, Triaged | InProgress) => true,
        _ => false,
    }
}

/// The statuses a case in `from` may move to, in [`CaseStatus::ALL`]'s order: what a status
/// control offers, so no client keeps its own copy of [`transition_allowed`].
pub fn next_statuses(from: CaseStatus) -> Vec<CaseStatus> {
    CaseStatus::ALL.into_iter().filter(|&to| transition_allowed(from, to)).collect()
}

/// A finished case: nobody needs to act on it (until it is reopened).
pub fn is_finished(status: CaseStatus) -> bool {
    matches!(status, CaseStatus::Evacuated | CaseStatus::Resolved | CaseStatus::Closed | CaseStatus::Duplicate)
}

fn required_text(field: &str, raw: Option<&str>) -> Result<String, Rejected> {
    match Message::parse_field(raw, field)? {
        Some(text) => Ok(text.as_str().to_owned()),
        None => Err(Rejected::new("missing", field, format!("{field} is required"))),
    }
}

fn optional_text(field: &str, raw: Option<&str>) -> Result<Option<String>, Rejected> {
    Ok(Message::parse_field(raw, field)?.map(|m| m.as_str().to_owned()))
}

/// Decide what a command does to a case. Pure: same inputs, same answer.
pub fn decide(state: &CaseState, actor: Actor, command: CaseCommand, now: Timestamp) -> Result<CaseChange, Rejected> {
    let case_id = state.case_id;
    let by = actor.user_id;
    match command {
        CaseCommand::ChangeStatus { to, reason, duplicate_of } => {
            if !transition_allowed(state.status, to) {
                return Err(Rejected::new(
                    "transition_not_allowed",
                    "status",
                    format!("a case cannot go from {} to {}", state.status.as_str(), to.as_str()),
                ));
            }
            let reason = if is_finished(state.status) {
                Some(required_text("reason", reason.as_deref())?)
            } else {
                optional_text("reason", reason.as_deref())?
            };
            match (to, duplicate_of) {
                (CaseStatus::Duplicate, None) => {
                    return Err(Rejected::new("missing", "duplicate_of", "name the case this one duplicates"));
                }
                (CaseStatus::Duplicate, Some(other)) if other == case_id => {
                    return Err(Rejected::new("invalid", "duplicate_of", "a case cannot duplicate itself"));
                }
                (CaseStatus::Duplicate, Some(_)) => {}
                (_, Some(_)) => {
                    return Err(Rejected::new("invalid", "duplicate_of", "only a duplicate names another case"));
                }
                (_, None) => {}
            }
            Ok(CaseChange::StatusChanged(StatusChanged {
                case_id,
                from: state.status,
                to,
                cell: state.cell,
                priority: state.priority,
                reason,
                duplicate_of,
                duplicate_of_reference: None,
                by,
                at: now,
            }))
        }
        CaseCommand::Assign { to } => {
            if to == state.assigned_to {
                return Err(Rejected::new("unchanged", "user_id", "the case is already assigned that way"));
            }
            // An operator may take a free case, or give up their own; moving a case between
            // people, or assigning it to someone else, is a supervisor's call.
            let own_move =
                state.assigned_to.is_none_or(|current| current == by) && to.is_none_or(|target| target == by);
            if actor.role < Role::Supervisor && !own_move {
                return Err(Rejected::new(
                    "supervisor_required",
                    "user_id",
                    "only a supervisor can assign a case to someone else or take it from them",
                ));
            }
            Ok(CaseChange::CaseAssigned(CaseAssigned { case_id, from: state.assigned_to, to, by, at: now }))
        }
        CaseCommand::AddNote { note_id, text } => {
            let text = required_text("text", Some(&text))?;
            Ok(CaseChange::NoteAdded(NoteAdded { case_id, note_id, text, by, at: now }))
        }
        CaseCommand::RecordContact { contact_id, channel, outcome, note } => {
            let note = optional_text("note", note.as_deref())?;
            let first_contact_after_ms = (outcome == ContactOutcome::Reached && state.first_contact_at.is_none())
                .then(|| (now.millis() - state.reported_at.millis()).max(0));
            Ok(CaseChange::ContactRecorded(ContactRecorded {
                case_id,
                contact_id,
                channel,
                outcome,
                note,
                first_contact_after_ms,
                by,
                at: now,
            }))
        }
        CaseCommand::OverridePriority { level, reason } => {
            if actor.role < Role::Supervisor {
                return Err(Rejected::new("supervisor_required", "level", "only a supervisor can override priority"));
            }
            let reason = required_text("reason", Some(&reason))?;
            if level == state.priority {
                return Err(Rejected::new("unchanged", "level", "the case already has this priority"));
            }
            Ok(CaseChange::PriorityOverridden(PriorityOverridden {
                case_id,
                from: state.priority,
                to: level,
                cell: state.cell,
                status: state.status,
                reason,
                by,
                at: now,
            }))
        }
    }
}

/// Minutes within which someone must be reached, per priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaPolicy {
    pub critical_minutes: u32,
    pub high_minutes: u32,
    pub normal_minutes: u32,
    pub low_minutes: u32,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        Self { critical_minutes: 15, high_minutes: 60, normal_minutes: 240, low_minutes: 1440 }
    }
}

/// Red/amber/green of the first-contact clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SlaState {
    /// Contact made in time, or the case needs no contact any more.
    Met,
    /// Less than half the time used.
    Green,
    /// Half the time or more used.
    Amber,
    /// Past due without contact.
    Red,
}

impl SlaPolicy {
    pub fn minutes(&self, level: PriorityLevel) -> u32 {
        match level {
            PriorityLevel::Critical => self.critical_minutes,
            PriorityLevel::High => self.high_minutes,
            PriorityLevel::Normal => self.normal_minutes,
            PriorityLevel::Low => self.low_minutes,
        }
    }

    /// When first contact is due.
    pub fn due_at(&self, state: &CaseState) -> Timestamp {
        Timestamp::from_millis(state.reported_at.millis() + i64::from(self.minutes(state.priority)) * 60_000)
    }

    /// The clock's colour at `now`.
    pub fn state(&self, state: &CaseState, now: Timestamp) -> SlaState {
        if state.first_contact_at.is_some() || is_finished(state.status) {
            return SlaState::Met;
        }
        // Once escalated, a case stays red until someone is reached, even if waiting raised
        // its priority to one with a longer clock.
        if state.escalated {
            return SlaState::Red;
        }
        let allowed = i64::from(self.minutes(state.priority)) * 60_000;
        let used = now.millis() - state.reported_at.millis();
        if used >= allowed {
            SlaState::Red
        } else if used * 2 >= allowed {
            SlaState::Amber
        } else {
            SlaState::Green
        }
    }

    /// The escalation to record at `now`, if the clock ran out and nobody escalated yet.
    pub fn escalation(&self, state: &CaseState, now: Timestamp) -> Option<SlaBreached> {
        (self.state(state, now) == SlaState::Red && !state.escalated).then(|| SlaBreached {
            case_id: state.case_id,
            priority: state.priority,
            raised_to: None,
            cell: state.cell,
            status: state.status,
            due_at: self.due_at(state),
            at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPERATOR: Uuid = Uuid::from_u128(1);
    const OTHER: Uuid = Uuid::from_u128(2);
    const SUPERVISOR: Uuid = Uuid::from_u128(3);

    fn state(status: CaseStatus) -> CaseState {
        CaseState {
            case_id: Uuid::from_u128(100),
            cell: None,
            status,
            assigned_to: None,
            priority: PriorityLevel::High,
            reported_at: Timestamp(0),
            first_contact_at: None,
            escalated: false,
        }
    }

    fn operator() -> Actor {
        Actor { user_id: OPERATOR, role: Role::Operator }
    }

    fn supervisor() -> Actor {
        Actor { user_id: SUPERVISOR, role: Role::Supervisor }
    }

    fn to(status: CaseStatus) -> CaseCommand {
        CaseCommand::ChangeStatus { to: status, reason: None, duplicate_of: None }
    }

    #[test]
    fn every_transition_follows_the_table() {
        use CaseStatus::*;
        let allowed = [
            (New, Triaged),
            (New, InProgress),
            (New, Closed),
            (New, Duplicate),
            (Triaged, InProgress),
            (Triaged, AwaitingEvacuation),
            (Triaged, Resolved),
            (Triaged, Closed),
            (Triaged, Duplicate),
            (InProgress, Triaged),
            (InProgress, AwaitingEvacuation),
            (InProgress, Resolved),
            (InProgress, Closed),
            (InProgress, Duplicate),
            (AwaitingEvacuation, InProgress),
            (AwaitingEvacuation, Evacuated),
            (AwaitingEvacuation, Resolved),
            (AwaitingEvacuation, Closed),
            (Evacuated, Triaged),
            (Evacuated, InProgress),
            (Resolved, Triaged),
            (Resolved, InProgress),
            (Closed, Triaged),
            (Closed, InProgress),
            (Duplicate, Triaged),
            (Duplicate, InProgress),
        ];
        for from in CaseStatus::ALL {
            for target in CaseStatus::ALL {
                assert_eq!(
                    transition_allowed(from, target),
                    allowed.contains(&(from, target)),
                    "{from:?} -> {target:?}"
                );
            }
        }
    }

    #[test]
    fn the_next_statuses_are_those_decide_accepts() {
        assert_eq!(
            next_statuses(CaseStatus::New),
            [CaseStatus::Triaged, CaseStatus::InProgress, CaseStatus::Closed, CaseStatus::Duplicate]
        );
        for from in CaseStatus::ALL {
            for target in CaseStatus::ALL {
                let command = CaseCommand::ChangeStatus {
                    to: target,
                    reason: Some("checked".to_owned()),
                    duplicate_of: (target == CaseStatus::Duplicate).then(|| Uuid::from_u128(200)),
                };
                let decided = decide(&state(from), supervisor(), command, Timestamp(1));
                assert_eq!(
                    next_statuses(from).contains(&target),
                    decided.is_ok(),
                    "{from:?} -> {target:?}: {decided:?}"
                );
            }
        }
    }

    #[test]
    fn status_changes_record_from_and_to() {
        let change = decide(&state(CaseStatus::New), operator(), to(CaseStatus::Triaged), Timestamp(5)).unwrap();
        let CaseChange::StatusChanged(c) = change else { panic!("{change:?}") };
        assert_eq!((c.from, c.to, c.by, c.at), (CaseStatus::New, CaseStatus::Triaged, OPERATOR, Timestamp(5)));
        let refused = decide(&state(CaseStatus::New), operator(), to(CaseStatus::Evacuated), Timestamp(5)).unwrap_err();
        assert_eq!(refused.code, "transition_not_allowed");
        let same = decide(&state(CaseStatus::New), operator(), to(CaseStatus::New), Timestamp(5)).unwrap_err();
        assert_eq!(same.code, "transition_not_allowed");
    }

    #[test]
    fn reopening_needs_a_reason() {
        let closed = state(CaseStatus::Closed);
        assert_eq!(
            decide(&closed, operator(), to(CaseStatus::InProgress), Timestamp(1)).unwrap_err().field.as_deref(),
            Some("reason")
        );
        let reopen = CaseCommand::ChangeStatus {
            to: CaseStatus::InProgress,
            reason: Some("family called again".into()),
            duplicate_of: None,
        };
        assert!(decide(&closed, operator(), reopen, Timestamp(1)).is_ok());
    }

    #[test]
    fn duplicates_name_another_case() {
        let new = state(CaseStatus::New);
        assert_eq!(
            decide(&new, operator(), to(CaseStatus::Duplicate), Timestamp(1)).unwrap_err().field.as_deref(),
            Some("duplicate_of")
        );
        let itself =
            CaseCommand::ChangeStatus { to: CaseStatus::Duplicate, reason: None, duplicate_of: Some(new.case_id) };
        assert_eq!(decide(&new, operator(), itself, Timestamp(1)).unwrap_err().code, "invalid");
        let other = CaseCommand::ChangeStatus {
            to: CaseStatus::Duplicate,
            reason: None,
            duplicate_of: Some(Uuid::from_u128(7)),
        };
        assert!(decide(&new, operator(), other, Timestamp(1)).is_ok());
        let stray =
            CaseCommand::ChangeStatus { to: CaseStatus::Triaged, reason: None, duplicate_of: Some(Uuid::from_u128(7)) };
        assert_eq!(decide(&new, operator(), stray, Timestamp(1)).unwrap_err().field.as_deref(), Some("duplicate_of"));
    }

    #[test]
    fn operators_take_and_release_their_own_supervisors_reassign() {
        let free = state(CaseStatus::New);
        assert!(decide(&free, operator(), CaseCommand::Assign { to: Some(OPERATOR) }, Timestamp(1)).is_ok());
        let refused = decide(&free, operator(), CaseCommand::Assign { to: Some(OTHER) }, Timestamp(1)).unwrap_err();
        assert_eq!(refused.code, "supervisor_required");
        let mine = CaseState { assigned_to: Some(OPERATOR), ..free.clone() };
        assert!(decide(&mine, operator(), CaseCommand::Assign { to: None }, Timestamp(1)).is_ok());
        let theirs = CaseState { assigned_to: Some(OTHER), ..free.clone() };
        assert_eq!(
            decide(&theirs, operator(), CaseCommand::Assign { to: Some(OPERATOR) }, Timestamp(1)).unwrap_err().code,
            "supervisor_required"
        );
        assert!(decide(&theirs, supervisor(), CaseCommand::Assign { to: Some(OPERATOR) }, Timestamp(1)).is_ok());
        assert_eq!(
            decide(&theirs, supervisor(), CaseCommand::Assign { to: Some(OTHER) }, Timestamp(1)).unwrap_err().code,
            "unchanged"
        );
    }

    #[test]
    fn the_first_reached_contact_stamps_time_to_first_contact() {
        let case = CaseState { reported_at: Timestamp(1_000), ..state(CaseStatus::New) };
        let attempt = |outcome| CaseCommand::RecordContact {
            contact_id: Uuid::from_u128(9),
            channel: ContactChannel::Phone,
            outcome,
            note: None,
        };
        let CaseChange::ContactRecorded(missed) =
            decide(&case, operator(), attempt(ContactOutcome::NoAnswer), Timestamp(61_000)).unwrap()
        else {
            panic!()
        };
        assert_eq!(missed.first_contact_after_ms, None);
        let CaseChange::ContactRecorded(reached) =
            decide(&case, operator(), attempt(ContactOutcome::Reached), Timestamp(121_000)).unwrap()
        else {
            panic!()
        };
        assert_eq!(reached.first_contact_after_ms, Some(120_000));
        let contacted = CaseState { first_contact_at: Some(Timestamp(121_000)), ..case };
        let CaseChange::ContactRecorded(again) =
            decide(&contacted, operator(), attempt(ContactOutcome::Reached), Timestamp(200_000)).unwrap()
        else {
            panic!()
        };
        assert_eq!(again.first_contact_after_ms, None, "only the first contact counts");
    }

    #[test]
    fn notes_and_overrides() {
        let case = state(CaseStatus::Triaged);
        assert_eq!(
            decide(
                &case,
                operator(),
                CaseCommand::AddNote { note_id: Uuid::from_u128(5), text: "  ".into() },
                Timestamp(1)
            )
            .unwrap_err()
            .field
            .as_deref(),
            Some("text")
        );
        let override_to = |level| CaseCommand::OverridePriority { level, reason: "doctor's advice".into() };
        assert_eq!(
            decide(&case, operator(), override_to(PriorityLevel::Critical), Timestamp(1)).unwrap_err().code,
            "supervisor_required"
        );
        assert!(decide(&case, supervisor(), override_to(PriorityLevel::Critical), Timestamp(1)).is_ok());
        assert_eq!(
            decide(&case, supervisor(), override_to(PriorityLevel::High), Timestamp(1)).unwrap_err().code,
            "unchanged"
        );
        let no_reason = CaseCommand::OverridePriority { level: PriorityLevel::Low, reason: String::new() };
        assert_eq!(decide(&case, supervisor(), no_reason, Timestamp(1)).unwrap_err().field.as_deref(), Some("reason"));
    }

    #[test]
    fn sla_clock_colours_and_escalates_once() {
        let policy = SlaPolicy::default();
        let critical = CaseState { priority: PriorityLevel::Critical, ..state(CaseStatus::New) };
        let minute = 60_000;
        assert_eq!(policy.state(&critical, Timestamp(5 * minute)), SlaState::Green);
        assert_eq!(policy.state(&critical, Timestamp(8 * minute)), SlaState::Amber);
        assert_eq!(policy.state(&critical, Timestamp(15 * minute)), SlaState::Red);
        assert!(policy.escalation(&critical, Timestamp(14 * minute)).is_none());
        let breach = policy.escalation(&critical, Timestamp(16 * minute)).unwrap();
        assert_eq!(breach.due_at, Timestamp(15 * minute));
        let escalated = CaseState { escalated: true, ..critical.clone() };
        assert!(policy.escalation(&escalated, Timestamp(20 * minute)).is_none());
        let escalated_low = CaseState { escalated: true, priority: PriorityLevel::Low, ..critical.clone() };
        assert_eq!(policy.state(&escalated_low, Timestamp(20 * minute)), SlaState::Red, "red until reached");
        let contacted = CaseState { first_contact_at: Some(Timestamp(minute)), ..critical.clone() };
        assert_eq!(policy.state(&contacted, Timestamp(60 * minute)), SlaState::Met);
        let closed = CaseState { status: CaseStatus::Closed, ..critical };
        assert_eq!(policy.state(&closed, Timestamp(60 * minute)), SlaState::Met);
        let low = CaseState { priority: PriorityLevel::Low, ..state(CaseStatus::New) };
        assert_eq!(policy.state(&low, Timestamp(23 * 60 * minute)), SlaState::Amber);
    }
}
