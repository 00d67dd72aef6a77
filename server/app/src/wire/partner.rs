//! What a partner agency receives and sends on its side: sign-in, the feed (poll, websocket and
//! webhook items alike), and a case or a movement as the partner may see it — twins of the
//! domain's projections (`partner::view`, `partner::movement_view`), which decide what a partner
//! may see; these decide only how it is written.

use opsroom_domain::case::CaseStatus;
use opsroom_domain::evacuation::movement::{Mode, MovementStatus, PassengerStatus};
use opsroom_domain::evacuation::place::PlaceKind;
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::partner::movement_view::{PartnerMovement, PartnerPassenger, PlaceView};
use opsroom_domain::partner::referral::{ReferralStatus, RequestType};
use opsroom_domain::partner::view::{
    CoarseLocation, PartnerCase, PersonView, ReferralStep, ReferralView, ReporterView,
};
use opsroom_domain::priority::PriorityLevel;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::BilingualText;

/// The partner page's sign-in: the token, exchanged for an HttpOnly cookie.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerSignIn {
    pub token: String,
}

/// A partner's poll: without `since`, its cases now and the position to poll from; with
/// `since`, the items after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerFeedBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub cases: Option<Vec<PartnerCaseBody>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub items: Option<Vec<FeedItem>>,
    /// Poll again with `since` = this.
    pub next: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    pub since: Option<u64>,
}

/// One item of a partner's feed: the same JSON on the websocket, in a poll answer and in a
/// webhook body.
#[derive(Debug, Clone, Serialize)]
pub struct FeedItem {
    #[serde(rename = "type")]
    pub kind_of_message: &'static str,
    pub seq: u64,
    /// The log's kind of event (`referral_made`, `referral_updated`, `status_changed`,
    /// `movement_changed`, `passenger_changed`, …).
    pub kind: String,
    /// The case the event is about (null for an event about a movement).
    pub case_id: Option<Uuid>,
    pub at: String,
    /// For events about one of the partner's referrals: which, and its status after the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<ReferralRef>,
    /// The case as the partner may see it now; null once the partner's access ended (its
    /// referral was declined or withdrawn), and for events about a movement.
    pub case: Option<PartnerCaseBody>,
    /// For events about a movement shared with the partner: the movement as it may see it now,
    /// with only the passenger the event changed (the whole list is `GET
    /// /api/v1/partner/movements/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub movement: Option<PartnerMovementBody>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralRef {
    pub referral_id: Uuid,
    pub status: ReferralStatus,
}

/// A case as one partner sees it. Fields outside the profile are absent, not empty.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerCaseBody {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    pub priority: PriorityLevel,
    /// This partner's referrals of the case only.
    pub referrals: Vec<PartnerReferralBody>,
    pub location: Option<CoarseLocationBody>,
    /// One entry per person in danger, with only the profile's fields (the count is always
    /// given: a partner plans seats and supplies by it).
    pub people: Vec<PersonViewBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<Vec<Need>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<Flag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reporter: Option<ReporterViewBody>,
}

impl From<&PartnerCase> for PartnerCaseBody {
    fn from(c: &PartnerCase) -> Self {
        Self {
            case_id: c.case_id,
            reference: c.reference.clone(),
            status: c.status,
            priority: c.priority,
            referrals: c.referrals.iter().map(PartnerReferralBody::from).collect(),
            location: c.location.as_ref().map(CoarseLocationBody::from),
            people: c.people.iter().map(PersonViewBody::from).collect(),
            needs: c.needs.clone(),
            flags: c.flags.clone(),
            place: c.place.clone(),
            message: c.message.clone(),
            reporter: c.reporter.as_ref().map(ReporterViewBody::from),
        }
    }
}

/// A referral as its partner sees it: the note and the step texts are written for the partner.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerReferralBody {
    pub referral_id: Uuid,
    pub request_type: RequestType,
    pub status: ReferralStatus,
    pub note: Option<String>,
    /// RFC 3339, UTC.
    pub referred_at: String,
    pub updated_at: String,
    pub history: Vec<ReferralStepBody>,
    /// The steps this partner may report now (`ReferralStatus::progress_steps`), so its page
    /// never re-types a request's steps.
    pub next_steps: Vec<ReferralStatus>,
}

impl From<&ReferralView> for PartnerReferralBody {
    fn from(r: &ReferralView) -> Self {
        Self {
            referral_id: r.referral_id,
            request_type: r.request_type,
            status: r.status,
            note: r.note.clone(),
            referred_at: r.referred_at.to_rfc3339(),
            updated_at: r.updated_at.to_rfc3339(),
            history: r.history.iter().map(ReferralStepBody::from).collect(),
            next_steps: r.status.progress_steps(r.request_type),
        }
    }
}

/// One step of a referral's history.
#[derive(Debug, Clone, Serialize)]
pub struct ReferralStepBody {
    pub status: ReferralStatus,
    pub text: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
}

impl From<&ReferralStep> for ReferralStepBody {
    fn from(s: &ReferralStep) -> Self {
        Self { status: s.status, text: s.text.clone(), at: s.at.to_rfc3339() }
    }
}

/// A location as a partner gets it: a cell of the profile's resolution and that cell's centre.
#[derive(Debug, Clone, Serialize)]
pub struct CoarseLocationBody {
    /// H3 cell (hex).
    pub cell: String,
    pub resolution: u8,
    pub lat: f64,
    pub lon: f64,
}

impl From<&CoarseLocation> for CoarseLocationBody {
    fn from(l: &CoarseLocation) -> Self {
        Self { cell: l.cell.to_string(), resolution: l.resolution, lat: l.lat, lon: l.lon }
    }
}

/// A person as the partner's profile lets it see them: absent fields are outside the profile.
#[derive(Debug, Clone, Serialize)]
pub struct PersonViewBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport: Option<String>,
}

impl From<&PersonView> for PersonViewBody {
    fn from(p: &PersonView) -> Self {
        Self {
            name: p.name.clone(),
            age: p.age,
            sex: p.sex.clone(),
            phone: p.phone.clone(),
            passport: p.passport.clone(),
        }
    }
}

/// The reporter, for partners whose profile includes them.
#[derive(Debug, Clone, Serialize)]
pub struct ReporterViewBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub relation: Option<String>,
}

impl From<&ReporterView> for ReporterViewBody {
    fn from(r: &ReporterView) -> Self {
        Self { name: r.name.clone(), phone: r.phone.clone(), relation: r.relation.clone() }
    }
}

/// A movement shared with the partner, as it may see it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerMovementBody {
    pub movement_id: Uuid,
    pub mode: Mode,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_ar: Option<String>,
    pub origin: PlaceViewBody,
    pub destination: PlaceViewBody,
    /// RFC 3339, UTC.
    pub departure_at: String,
    pub seats: u32,
    pub status: MovementStatus,
    /// The whole movement: everyone holding a seat. A feed item: only the people its event
    /// changed.
    pub passengers: Vec<PartnerPassengerBody>,
}

impl From<&PartnerMovement> for PartnerMovementBody {
    fn from(m: &PartnerMovement) -> Self {
        Self {
            movement_id: m.movement_id,
            mode: m.mode,
            label: m.label.clone(),
            label_ar: m.label_ar.clone(),
            origin: PlaceViewBody::from(&m.origin),
            destination: PlaceViewBody::from(&m.destination),
            departure_at: m.departure_at.to_rfc3339(),
            seats: m.seats,
            status: m.status,
            passengers: m.passengers.iter().map(PartnerPassengerBody::from).collect(),
        }
    }
}

/// One passenger as the partner may see them.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerPassengerBody {
    pub person_id: Uuid,
    /// The case's reference, to quote on the phone with the ops room.
    pub reference: String,
    pub status: PassengerStatus,
    #[serde(flatten)]
    pub person: PersonViewBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<Vec<Need>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<Flag>>,
}

impl From<&PartnerPassenger> for PartnerPassengerBody {
    fn from(p: &PartnerPassenger) -> Self {
        Self {
            person_id: p.person_id,
            reference: p.reference.clone(),
            status: p.status,
            person: PersonViewBody::from(&p.person),
            needs: p.needs.clone(),
            flags: p.flags.clone(),
        }
    }
}

/// A place as movements name it (places are public: consulates, crossings, airports).
#[derive(Debug, Clone, Serialize)]
pub struct PlaceViewBody {
    pub kind: PlaceKind,
    pub name: BilingualText,
    pub lat: f64,
    pub lon: f64,
}

impl From<&PlaceView> for PlaceViewBody {
    fn from(p: &PlaceView) -> Self {
        Self { kind: p.kind, name: BilingualText::from(&p.name), lat: p.lat, lon: p.lon }
    }
}
