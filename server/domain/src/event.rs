//! The facts the event log records. Every change in Opsroom is one of these.
//!
//! Owns the event vocabulary (past tense: `case_reported`, `user_created`) and its JSON form,
//! which is what the log stores and the live stream carries. Events are never edited once
//! written, so a variant's shape may only grow optional fields.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::advisory::Advisory;
use crate::call::CallLogged;
pub use crate::case::{CaseReported, PersonRecord, ReporterRecord};
use crate::citizen::CitizenUpdated;
use crate::clock::Timestamp;
use crate::crisis::{CasePlaced, CrisisSaved};
use crate::evacuation::movement::{MovementChanged, MovementPlanned, PassengerChanged};
use crate::evacuation::place::PlaceSaved;
use crate::evacuation::zone::{DangerZoneFlagged, ZoneChanged};
use crate::handover::HandoverWritten;
use crate::matching::{MatchDecided, MatchSuggested};
use crate::partner::referral::{ReferralChanged, ReferralEscalated, ReferralMade};
use crate::partner::{PartnerRegistered, PartnerTokenChanged};
use crate::staff::{AccountEvent, UserAccountChanged, UserRoleChanged};
use crate::tracing::TracingStatusChanged;
use crate::user::Role;
use crate::workflow::{
    CaseAssigned, CaseChange, ContactRecorded, NoteAdded, PriorityOverridden, SlaBreached, StatusChanged,
};

/// A change, as recorded in the log: a `kind` and its `data`, which is also how it is stored
/// (two columns) and streamed (two fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Event {
    CaseReported(Box<CaseReported>),
    UserCreated(UserCreated),
    StatusChanged(StatusChanged),
    CaseAssigned(CaseAssigned),
    NoteAdded(NoteAdded),
    ContactRecorded(ContactRecorded),
    PriorityOverridden(PriorityOverridden),
    SlaBreached(SlaBreached),
    CitizenUpdated(Box<CitizenUpdated>),
    TrackingLinkRevoked(TrackingLinkChanged),
    TrackingLinkReissued(TrackingLinkChanged),
    AdvisoryPublished(Box<Advisory>),
    AdvisoryUpdated(Box<Advisory>),
    AdvisoryWithdrawn(Box<Advisory>),
    MatchSuggested(Box<MatchSuggested>),
    MatchDecided(MatchDecided),
    TracingStatusChanged(TracingStatusChanged),
    PartnerRegistered(Box<PartnerRegistered>),
    PartnerUpdated(Box<PartnerRegistered>),
    PartnerTokenIssued(PartnerTokenChanged),
    PartnerTokenRevoked(PartnerTokenChanged),
    ReferralMade(ReferralMade),
    ReferralUpdated(ReferralChanged),
    ReferralEscalated(ReferralEscalated),
    PlaceSaved(Box<PlaceSaved>),
    ZoneDeclared(Box<ZoneChanged>),
    ZoneChanged(Box<ZoneChanged>),
    ZoneLifted(Box<ZoneChanged>),
    DangerZoneFlagged(DangerZoneFlagged),
    MovementPlanned(Box<MovementPlanned>),
    MovementChanged(MovementChanged),
    PassengerChanged(PassengerChanged),
    UserDisabled(UserAccountChanged),
    UserEnabled(UserAccountChanged),
    UserRoleChanged(UserRoleChanged),
    UserPasswordReset(UserAccountChanged),
    UserSessionsEnded(UserAccountChanged),
    HandoverWritten(Box<HandoverWritten>),
    CallLogged(CallLogged),
    CrisisDeclared(Box<CrisisSaved>),
    CrisisEdited(Box<CrisisSaved>),
    CrisisPhaseChanged(Box<CrisisSaved>),
    CrisisClosed(Box<CrisisSaved>),
    CasePlaced(CasePlaced),
}

impl From<CaseChange> for Event {
    fn from(change: CaseChange) -> Self {
        match change {
            CaseChange::StatusChanged(e) => Event::StatusChanged(e),
            CaseChange::CaseAssigned(e) => Event::CaseAssigned(e),
            CaseChange::NoteAdded(e) => Event::NoteAdded(e),
            CaseChange::ContactRecorded(e) => Event::ContactRecorded(e),
            CaseChange::PriorityOverridden(e) => Event::PriorityOverridden(e),
        }
    }
}

impl From<AccountEvent> for Event {
    fn from(event: AccountEvent) -> Self {
        match event {
            AccountEvent::RoleChanged(e) => Event::UserRoleChanged(e),
            AccountEvent::Disabled(e) => Event::UserDisabled(e),
            AccountEvent::Enabled(e) => Event::UserEnabled(e),
        }
    }
}

impl Event {
    /// The stable name of the event's kind, as stored and streamed.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::CaseReported(_) => "case_reported",
            Event::UserCreated(_) => "user_created",
            Event::StatusChanged(_) => "status_changed",
            Event::CaseAssigned(_) => "case_assigned",
            Event::NoteAdded(_) => "note_added",
            Event::ContactRecorded(_) => "contact_recorded",
            Event::PriorityOverridden(_) => "priority_overridden",
            Event::SlaBreached(_) => "sla_breached",
            Event::CitizenUpdated(_) => "citizen_updated",
            Event::TrackingLinkRevoked(_) => "tracking_link_revoked",
            Event::TrackingLinkReissued(_) => "tracking_link_reissued",
            Event::AdvisoryPublished(_) => "advisory_published",
            Event::AdvisoryUpdated(_) => "advisory_updated",
            Event::AdvisoryWithdrawn(_) => "advisory_withdrawn",
            Event::MatchSuggested(_) => "match_suggested",
            Event::MatchDecided(_) => "match_decided",
            Event::TracingStatusChanged(_) => "tracing_status_changed",
            Event::PartnerRegistered(_) => "partner_registered",
            Event::PartnerUpdated(_) => "partner_updated",
            Event::PartnerTokenIssued(_) => "partner_token_issued",
            Event::PartnerTokenRevoked(_) => "partner_token_revoked",
            Event::ReferralMade(_) => "referral_made",
            Event::ReferralUpdated(_) => "referral_updated",
            Event::ReferralEscalated(_) => "referral_escalated",
            Event::PlaceSaved(_) => "place_saved",
            Event::ZoneDeclared(_) => "zone_declared",
            Event::ZoneChanged(_) => "zone_changed",
            Event::ZoneLifted(_) => "zone_lifted",
            Event::DangerZoneFlagged(_) => "danger_zone_flagged",
            Event::MovementPlanned(_) => "movement_planned",
            Event::MovementChanged(_) => "movement_changed",
            Event::PassengerChanged(_) => "passenger_changed",
            Event::UserDisabled(_) => "user_disabled",
            Event::UserEnabled(_) => "user_enabled",
            Event::UserRoleChanged(_) => "user_role_changed",
            Event::UserPasswordReset(_) => "user_password_reset",
            Event::UserSessionsEnded(_) => "user_sessions_ended",
            Event::HandoverWritten(_) => "handover_written",
            Event::CallLogged(_) => "call_logged",
            Event::CrisisDeclared(_) => "crisis_declared",
            Event::CrisisEdited(_) => "crisis_edited",
            Event::CrisisPhaseChanged(_) => "crisis_phase_changed",
            Event::CrisisClosed(_) => "crisis_closed",
            Event::CasePlaced(_) => "case_placed",
        }
    }

    /// The event's data as JSON, without its kind.
    pub fn data_json(&self) -> String {
        let tagged = serde_json::to_value(self).expect("events serialize: all keys are strings, all numbers finite");
        tagged["data"].to_string()
    }

    /// Rebuild an event from its stored kind and data.
    pub fn from_parts(kind: &str, data: &str) -> Result<Self, serde_json::Error> {
        let data: &serde_json::value::RawValue = serde_json::from_str(data)?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "data": data }))
    }

    /// The partner whose referral the event is about, if any: that partner's feed carries it
    /// even when it ends the partner's access to the case (a decline or a withdrawal).
    pub fn referral_partner(&self) -> Option<Uuid> {
        match self {
            Event::ReferralMade(e) => Some(e.partner_id),
            Event::ReferralUpdated(e) => Some(e.partner_id),
            Event::ReferralEscalated(e) => Some(e.partner_id),
            _ => None,
        }
    }

    /// Whether a partner with access to the event's case hears of it, besides the events about
    /// its own referrals: only changes to what its view shows (notes, assignments, contacts,
    /// matches and tracking links are the ops room's own business).
    pub fn concerns_partners(&self) -> bool {
        matches!(
            self,
            Event::StatusChanged(_)
                | Event::PriorityOverridden(_)
                | Event::SlaBreached(_)
                | Event::DangerZoneFlagged(_)
                | Event::CitizenUpdated(_)
        )
    }

    /// The case the event concerns, if any.
    pub fn case_id(&self) -> Option<Uuid> {
        match self {
            Event::CaseReported(e) => Some(e.case_id),
            Event::UserCreated(_)
            | Event::UserDisabled(_)
            | Event::UserEnabled(_)
            | Event::UserRoleChanged(_)
            | Event::UserPasswordReset(_)
            | Event::UserSessionsEnded(_)
            | Event::AdvisoryPublished(_)
            | Event::AdvisoryUpdated(_)
            | Event::AdvisoryWithdrawn(_)
            | Event::PartnerRegistered(_)
            | Event::PartnerUpdated(_)
            | Event::PartnerTokenIssued(_)
            | Event::PartnerTokenRevoked(_)
            | Event::PlaceSaved(_)
            | Event::ZoneDeclared(_)
            | Event::ZoneChanged(_)
            | Event::ZoneLifted(_)
            | Event::MovementPlanned(_)
            | Event::MovementChanged(_)
            | Event::HandoverWritten(_)
            | Event::CrisisDeclared(_)
            | Event::CrisisEdited(_)
            | Event::CrisisPhaseChanged(_)
            | Event::CrisisClosed(_) => None,
            Event::CasePlaced(e) => Some(e.case_id),
            Event::StatusChanged(e) => Some(e.case_id),
            Event::CaseAssigned(e) => Some(e.case_id),
            Event::NoteAdded(e) => Some(e.case_id),
            Event::ContactRecorded(e) => Some(e.case_id),
            Event::PriorityOverridden(e) => Some(e.case_id),
            Event::SlaBreached(e) => Some(e.case_id),
            Event::CitizenUpdated(e) => Some(e.case_id),
            Event::TrackingLinkRevoked(e) | Event::TrackingLinkReissued(e) => Some(e.case_id),
            Event::MatchSuggested(e) => Some(e.case_id),
            Event::MatchDecided(e) => Some(e.case_id),
            Event::TracingStatusChanged(e) => Some(e.case_id),
            Event::ReferralMade(e) => Some(e.case_id),
            Event::ReferralUpdated(e) => Some(e.case_id),
            Event::ReferralEscalated(e) => Some(e.case_id),
            Event::DangerZoneFlagged(e) => Some(e.case_id),
            Event::PassengerChanged(e) => Some(e.case_id),
            Event::CallLogged(e) => Some(e.case_id),
        }
    }

    /// The movement the event is about, if any: the partners it is shared with hear of it.
    pub fn movement_id(&self) -> Option<Uuid> {
        match self {
            Event::MovementPlanned(e) => Some(e.movement.movement_id),
            Event::MovementChanged(e) => Some(e.movement_id),
            Event::PassengerChanged(e) => Some(e.movement_id),
            _ => None,
        }
    }
}

/// An operator revoked a case's tracking link, or issued a new one (which revokes the old).
/// Carries no token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingLinkChanged {
    pub case_id: Uuid,
    pub by: Uuid,
    pub at: Timestamp,
}

/// An operator account was created. Carries no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreated {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_and_data_round_trip() {
        let event = Event::UserCreated(UserCreated {
            user_id: Uuid::from_u128(7),
            name: "amira".into(),
            role: Role::Supervisor,
        });
        let back = Event::from_parts(event.kind(), &event.data_json()).unwrap();
        assert_eq!(back, event);
        assert!(Event::from_parts("case_reported", &event.data_json()).is_err());
    }
}
