//! What a partner agency receives and sends on its side: sign-in, the feed (poll, websocket and
//! webhook items alike).

use opsroom_domain::partner::movement_view::PartnerMovement;
use opsroom_domain::partner::referral::ReferralStatus;
use opsroom_domain::partner::view::PartnerCase;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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
    pub cases: Option<Vec<opsroom_domain::partner::view::PartnerCase>>,
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
    pub case: Option<PartnerCase>,
    /// For events about a movement shared with the partner: the movement as it may see it now,
    /// with only the passenger the event changed (the whole list is `GET
    /// /api/v1/partner/movements/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub movement: Option<PartnerMovement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralRef {
    pub referral_id: Uuid,
    pub status: ReferralStatus,
}
