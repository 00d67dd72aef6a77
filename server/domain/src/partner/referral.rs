//! Referrals: a case handed to a partner for one kind of help, and what the partner did.
//!
//! Owns the request types, the referral's status and its transitions (pending → accepted or
//! declined; then the progress steps of the request's type, forward only, ending in completed or
//! unable; an operator may withdraw a referral that is still open), which statuses give the
//! partner access to the case, and the referral events. Must not know who is asking beyond "an
//! operator" or "the partner".

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Rejected;
use crate::clock::Timestamp;
use crate::text::Message;

/// What the ops room asks a partner to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RequestType {
    MedicalEvacuation,
    Transport,
    Shelter,
    FoodWater,
    ConsularDocuments,
    FamilyTracing,
}

impl RequestType {
    pub const ALL: [RequestType; 6] = [
        RequestType::MedicalEvacuation,
        RequestType::Transport,
        RequestType::Shelter,
        RequestType::FoodWater,
        RequestType::ConsularDocuments,
        RequestType::FamilyTracing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestType::MedicalEvacuation => "medical_evacuation",
            RequestType::Transport => "transport",
            RequestType::Shelter => "shelter",
            RequestType::FoodWater => "food_water",
            RequestType::ConsularDocuments => "consular_documents",
            RequestType::FamilyTracing => "family_tracing",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// The working steps a partner reports on this kind of request, in order, between
    /// `accepted` and the end (`completed` or `unable`, open to every type). A step of another
    /// type is refused: family tracing has no "picked up", transport no "reunited".
    pub fn steps(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            RequestType::MedicalEvacuation | RequestType::Transport => &[EnRoute, Reached, PickedUp, HandedOver],
            // People are taken to a shelter and handed over to it.
            RequestType::Shelter => &[EnRoute, Reached, PickedUp, HandedOver],
            // Supplies are brought and handed over; nobody is picked up.
            RequestType::FoodWater => &[EnRoute, Reached, HandedOver],
            RequestType::ConsularDocuments => &[AppointmentSet, Issued],
            RequestType::FamilyTracing => &[Contacted, Located, Reunited],
        }
    }

    /// Whether a partner may report `step` on this kind of request.
    pub fn allows(self, step: ProgressStep) -> bool {
        let status = step.status();
        status.is_final() || self.steps().contains(&status)
    }
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReferralStatus {
    Pending,
    Accepted,
    EnRoute,
    Reached,
    PickedUp,
    HandedOver,
    /// Family tracing: the family was reached.
    Contacted,
    /// Family tracing: the person sought was found.
    Located,
    /// Family tracing: the person is back with the family.
    Reunited,
    /// Consular documents: an appointment at the consulate or embassy is set.
    AppointmentSet,
    /// Consular documents: the travel document was issued.
    Issued,
    Completed,
    Unable,
    Declined,
    Withdrawn,
}

/// A partner's report of progress on an accepted referral. Which steps fit which request:
/// [`RequestType::steps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProgressStep {
    EnRoute,
    Reached,
    PickedUp,
    HandedOver,
    Contacted,
    Located,
    Reunited,
    AppointmentSet,
    Issued,
    Completed,
    Unable,
}

impl ProgressStep {
    pub fn status(self) -> ReferralStatus {
        match self {
            ProgressStep::EnRoute => ReferralStatus::EnRoute,
            ProgressStep::Reached => ReferralStatus::Reached,
            ProgressStep::PickedUp => ReferralStatus::PickedUp,
            ProgressStep::HandedOver => ReferralStatus::HandedOver,
            ProgressStep::Contacted => ReferralStatus::Contacted,
            ProgressStep::Located => ReferralStatus::Located,
            ProgressStep::Reunited => ReferralStatus::Reunited,
            ProgressStep::AppointmentSet => ReferralStatus::AppointmentSet,
            ProgressStep::Issued => ReferralStatus::Issued,
            ProgressStep::Completed => ReferralStatus::Completed,
            ProgressStep::Unable => ReferralStatus::Unable,
        }
    }
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 15] = [
        ReferralStatus::Pending,
        ReferralStatus::Accepted,
        ReferralStatus::EnRoute,
        ReferralStatus::Reached,
        ReferralStatus::PickedUp,
        ReferralStatus::HandedOver,
        ReferralStatus::Contacted,
        ReferralStatus::Located,
        ReferralStatus::Reunited,
        ReferralStatus::AppointmentSet,
        ReferralStatus::Issued,
        ReferralStatus::Completed,
        ReferralStatus::Unable,
        ReferralStatus::Declined,
        ReferralStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Pending => "pending",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::EnRoute => "en_route",
            ReferralStatus::Reached => "reached",
            ReferralStatus::PickedUp => "picked_up",
            ReferralStatus::HandedOver => "handed_over",
            ReferralStatus::Contacted => "contacted",
            ReferralStatus::Located => "located",
            ReferralStatus::Reunited => "reunited",
            ReferralStatus::AppointmentSet => "appointment_set",
            ReferralStatus::Issued => "issued",
            ReferralStatus::Completed => "completed",
            ReferralStatus::Unable => "unable",
            ReferralStatus::Declined => "declined",
            ReferralStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Whether the partner may see the case while its referral is in this status. A declined or
    /// withdrawn referral gives no access: the partner said no, or the ops room took it back.
    /// A finished one (completed, unable) still does, so the partner can read its own record —
    /// but no longer live: a partner's feed carries a case's events only until its referral
    /// is final ([`ReferralStatus::is_final`]).
    pub fn gives_access(self) -> bool {
        !matches!(self, ReferralStatus::Declined | ReferralStatus::Withdrawn)
    }

    /// Whether the partner accepted and is working on it (or finished it).
    pub fn accepted(self) -> bool {
        !matches!(self, ReferralStatus::Pending | ReferralStatus::Declined | ReferralStatus::Withdrawn)
    }

    /// Accepted and not finished: the partner is out there working on it.
    pub fn under_way(self) -> bool {
        self.accepted() && !self.is_final()
    }

    /// Nothing more can happen to the referral.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ReferralStatus::Completed | ReferralStatus::Unable | ReferralStatus::Declined | ReferralStatus::Withdrawn
        )
    }

    /// Order of the working steps of `request`, so progress only moves forward: accepted first,
    /// then the type's steps, then the end.
    /// The statuses a partner's progress may move a referral of `request` to from here, in
    /// order: the request's steps still ahead, then completed and unable; none before it is
    /// accepted or once it is over. The pages offer these; [`decide`] refuses any other.
    pub fn progress_steps(self, request: RequestType) -> Vec<ReferralStatus> {
        if !self.under_way() {
            return Vec::new();
        }
        let ends = [ReferralStatus::Completed, ReferralStatus::Unable];
        request
            .steps()
            .iter()
            .copied()
            .chain(ends)
            .filter(|to| *to == ReferralStatus::Unable || to.step_rank(request) > self.step_rank(request))
            .collect()
    }

    fn step_rank(self, request: RequestType) -> usize {
        match self {
            ReferralStatus::Pending | ReferralStatus::Declined | ReferralStatus::Withdrawn => 0,
            ReferralStatus::Accepted => 1,
            ReferralStatus::Completed | ReferralStatus::Unable => usize::MAX,
            step => request.steps().iter().position(|s| *s == step).map_or(0, |at| at + 2),
        }
    }
}

/// A referral as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralState {
    pub referral_id: Uuid,
    pub case_id: Uuid,
    pub partner_id: Uuid,
    pub request_type: RequestType,
    pub status: ReferralStatus,
}

/// What someone asks of a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralCommand {
    /// The partner takes it on.
    Accept { note: Option<Message> },
    /// The partner cannot take it; the reason is required, since the ops room must find someone
    /// else.
    Decline { reason: Message },
    /// The partner reports a step (free text optional, required for `unable`).
    Progress { step: ProgressStep, text: Option<Message> },
    /// The ops room takes the referral back.
    Withdraw { reason: Option<Message> },
}

/// Who changed a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum ReferralActor {
    Operator(Uuid),
    Partner(Uuid),
}

/// A case was referred to a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralMade {
    pub referral_id: Uuid,
    pub case_id: Uuid,
    pub partner_id: Uuid,
    pub request_type: RequestType,
    pub note: Option<Message>,
    pub by: Uuid,
    pub at: Timestamp,
}

/// A referral moved (accepted, declined, a progress step, withdrawn). `text` is the partner's
/// note, reason or progress text, or the operator's reason for a withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralChanged {
    pub referral_id: Uuid,
    pub case_id: Uuid,
    pub partner_id: Uuid,
    pub from: ReferralStatus,
    pub to: ReferralStatus,
    pub text: Option<Message>,
    pub by: ReferralActor,
    pub at: Timestamp,
}

/// A referral sat unanswered past its time: the ops room must chase the partner or refer
/// elsewhere. Raised once per referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralEscalated {
    pub referral_id: Uuid,
    pub case_id: Uuid,
    pub partner_id: Uuid,
    pub referred_at: Timestamp,
    pub at: Timestamp,
}

/// Decide a command on a referral. The caller has already checked that the actor may act on
/// it at all (a partner only on its own referrals, an operator on any).
pub fn decide(
    state: &ReferralState,
    command: ReferralCommand,
    by: ReferralActor,
    at: Timestamp,
) -> Result<ReferralChanged, Rejected> {
    let from = state.status;
    let refuse = |message: String| Err(Rejected::conflict("invalid_transition", "status", message));
    let (to, text) = match command {
        ReferralCommand::Accept { note } => {
            if from != ReferralStatus::Pending {
                return refuse(format!("the referral is {}, not pending", from.as_str()));
            }
            (ReferralStatus::Accepted, note)
        }
        ReferralCommand::Decline { reason } => {
            if from != ReferralStatus::Pending {
                return refuse(format!("the referral is {}, not pending", from.as_str()));
            }
            (ReferralStatus::Declined, Some(reason))
        }
        ReferralCommand::Progress { step, text } => {
            let to = step.status();
            let request = state.request_type;
            if !request.allows(step) {
                let steps: Vec<&str> = request.steps().iter().map(|s| s.as_str()).collect();
                return Err(Rejected::new(
                    "step_not_for_request",
                    "step",
                    format!(
                        "{} is not a step of {}; its steps are {}, completed or unable",
                        to.as_str(),
                        request.as_str(),
                        steps.join(", ")
                    ),
                ));
            }
            if !from.accepted() || from.is_final() {
                return refuse(format!("progress needs an accepted, unfinished referral; it is {}", from.as_str()));
            }
            if to != ReferralStatus::Unable && to.step_rank(request) <= from.step_rank(request) {
                return refuse(format!("the referral is already {}; steps only move forward", from.as_str()));
            }
            if to == ReferralStatus::Unable && text.is_none() {
                return Err(Rejected::new("required", "text", "say why the referral cannot be completed"));
            }
            (to, text)
        }
        ReferralCommand::Withdraw { reason } => {
            if from.is_final() {
                return refuse(format!("the referral is already {}", from.as_str()));
            }
            (ReferralStatus::Withdrawn, reason)
        }
    };
    Ok(ReferralChanged {
        referral_id: state.referral_id,
        case_id: state.case_id,
        partner_id: state.partner_id,
        from,
        to,
        text,
        by,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: ReferralStatus) -> ReferralState {
        state_of(RequestType::MedicalEvacuation, status)
    }

    fn state_of(request_type: RequestType, status: ReferralStatus) -> ReferralState {
        ReferralState {
            referral_id: Uuid::from_u128(1),
            case_id: Uuid::from_u128(2),
            partner_id: Uuid::from_u128(3),
            request_type,
            status,
        }
    }

    fn text(s: &str) -> Message {
        Message::parse_optional(s).unwrap().unwrap()
    }

    const PARTNER: ReferralActor = ReferralActor::Partner(Uuid::from_u128(3));

    fn run(status: ReferralStatus, command: ReferralCommand) -> Result<ReferralStatus, Rejected> {
        decide(&state(status), command, PARTNER, Timestamp(0)).map(|c| c.to)
    }

    #[test]
    fn the_steps_offered_are_exactly_those_decide_accepts() {
        use ProgressStep::*;
        let every_step = [
            EnRoute,
            Reached,
            PickedUp,
            HandedOver,
            Contacted,
            Located,
            Reunited,
            AppointmentSet,
            Issued,
            Completed,
            Unable,
        ];
        for request in RequestType::ALL {
            for from in ReferralStatus::ALL {
                let accepted: Vec<ReferralStatus> = every_step
                    .into_iter()
                    .filter(|step| {
                        let command = ReferralCommand::Progress { step: *step, text: Some(text("why")) };
                        decide(&state_of(request, from), command, PARTNER, Timestamp(0)).is_ok()
                    })
                    .map(ProgressStep::status)
                    .collect();
                assert_eq!(from.progress_steps(request), accepted, "{request:?} from {from:?}");
            }
        }
    }

    #[test]
    fn a_referral_is_answered_once() {
        use ReferralStatus::*;
        assert_eq!(run(Pending, ReferralCommand::Accept { note: None }), Ok(Accepted));
        assert_eq!(run(Pending, ReferralCommand::Decline { reason: text("no ambulance") }), Ok(Declined));
        assert!(run(Accepted, ReferralCommand::Accept { note: None }).is_err());
        assert!(run(Declined, ReferralCommand::Accept { note: None }).is_err());
        assert!(run(Accepted, ReferralCommand::Decline { reason: text("changed our mind") }).is_err());
    }

    #[test]
    fn progress_moves_forward_only_and_unable_needs_a_reason() {
        use ReferralStatus::*;
        let step = |step, t: Option<&str>| ReferralCommand::Progress { step, text: t.map(text) };
        assert_eq!(run(Accepted, step(ProgressStep::EnRoute, None)), Ok(EnRoute));
        assert_eq!(run(Accepted, step(ProgressStep::PickedUp, None)), Ok(PickedUp), "steps may be skipped");
        assert!(run(PickedUp, step(ProgressStep::Reached, None)).is_err());
        assert!(run(PickedUp, step(ProgressStep::PickedUp, None)).is_err());
        assert!(run(Pending, step(ProgressStep::EnRoute, None)).is_err(), "accept first");
        assert!(run(Completed, step(ProgressStep::Unable, Some("x"))).is_err());
        assert_eq!(run(EnRoute, step(ProgressStep::Unable, None)).unwrap_err().field.as_deref(), Some("text"));
        assert_eq!(run(HandedOver, step(ProgressStep::Unable, Some("road closed"))), Ok(Unable));
        assert_eq!(run(HandedOver, step(ProgressStep::Completed, None)), Ok(Completed));
    }

    fn progress(request: RequestType, from: ReferralStatus, step: ProgressStep) -> Result<ReferralStatus, Rejected> {
        let command = ReferralCommand::Progress { step, text: None };
        decide(&state_of(request, from), command, PARTNER, Timestamp(0)).map(|c| c.to)
    }

    #[test]
    fn each_request_type_has_its_own_steps() {
        use ProgressStep as S;
        use ReferralStatus::*;
        let tracing = RequestType::FamilyTracing;
        assert_eq!(progress(tracing, Accepted, S::Contacted), Ok(Contacted));
        assert_eq!(progress(tracing, Contacted, S::Located), Ok(Located));
        assert_eq!(progress(tracing, Accepted, S::Reunited), Ok(Reunited), "steps may be skipped");
        assert_eq!(progress(tracing, Reunited, S::Completed), Ok(Completed));
        assert!(progress(tracing, Located, S::Contacted).is_err(), "forward only");
        let documents = RequestType::ConsularDocuments;
        assert_eq!(progress(documents, Accepted, S::AppointmentSet), Ok(AppointmentSet));
        assert_eq!(progress(documents, AppointmentSet, S::Issued), Ok(Issued));
        assert!(progress(documents, Issued, S::AppointmentSet).is_err());
        assert_eq!(progress(RequestType::FoodWater, Reached, S::HandedOver), Ok(HandedOver));
        assert_eq!(progress(RequestType::Transport, Reached, S::PickedUp), Ok(PickedUp), "transport as before");
        for request in RequestType::ALL {
            assert!(request.allows(S::Completed) && request.allows(S::Unable), "{request:?} can always end");
        }
    }

    #[test]
    fn a_step_of_another_request_type_is_refused_on_its_field() {
        use ProgressStep as S;
        use ReferralStatus::*;
        let cases = [
            (RequestType::FamilyTracing, S::PickedUp),
            (RequestType::FamilyTracing, S::EnRoute),
            (RequestType::ConsularDocuments, S::HandedOver),
            (RequestType::Transport, S::Reunited),
            (RequestType::MedicalEvacuation, S::Issued),
            (RequestType::FoodWater, S::PickedUp),
        ];
        for (request, step) in cases {
            let refusal = progress(request, Accepted, step).unwrap_err();
            assert_eq!(
                (refusal.code, refusal.field.as_deref()),
                ("step_not_for_request", Some("step")),
                "{request:?} {step:?}"
            );
        }
        let message = progress(RequestType::FamilyTracing, Accepted, S::PickedUp).unwrap_err().message;
        assert!(message.contains("contacted, located, reunited"), "{message}");
    }

    #[test]
    fn only_open_referrals_are_withdrawn_and_access_ends_with_them() {
        use ReferralStatus::*;
        assert_eq!(run(Pending, ReferralCommand::Withdraw { reason: None }), Ok(Withdrawn));
        assert_eq!(run(EnRoute, ReferralCommand::Withdraw { reason: None }), Ok(Withdrawn));
        assert!(run(Completed, ReferralCommand::Withdraw { reason: None }).is_err());
        assert!(!Withdrawn.gives_access() && !Declined.gives_access());
        assert!(Pending.gives_access() && Completed.gives_access());
        assert!(!Pending.accepted() && Accepted.accepted() && Completed.accepted());
    }
}
