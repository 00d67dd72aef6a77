//! The JSON shapes of referrals to partner agencies and of partners' answers to them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rfc3339;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    pub partner_id: Uuid,
    pub request_type: opsroom_domain::partner::referral::RequestType,
    /// What the partner should know (shown to the partner).
    pub note: Option<String>,
}

/// A referral as the ops room sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralBody {
    pub referral_id: Uuid,
    pub case_id: Uuid,
    pub partner_id: Uuid,
    pub partner_name: String,
    pub request_type: opsroom_domain::partner::referral::RequestType,
    pub status: opsroom_domain::partner::referral::ReferralStatus,
    pub note: Option<String>,
    pub referred_by: Uuid,
    pub referred_at: String,
    pub updated_at: String,
    /// Set when it sat unanswered past its time.
    pub escalated_at: Option<String>,
}

impl From<&opsroom_store::ReferralRow> for ReferralBody {
    fn from(r: &opsroom_store::ReferralRow) -> Self {
        Self {
            referral_id: r.referral_id,
            case_id: r.case_id,
            partner_id: r.partner_id,
            partner_name: r.partner_name.clone(),
            request_type: r.request_type,
            status: r.status,
            note: r.note.clone(),
            referred_by: r.referred_by,
            referred_at: rfc3339(r.referred_at),
            updated_at: rfc3339(r.updated_at),
            escalated_at: r.escalated_at.map(rfc3339),
        }
    }
}

/// An operator's withdrawal, a partner's acceptance: optional text.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionalText {
    pub text: Option<String>,
}

/// A partner's decline: the reason is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    pub step: opsroom_domain::partner::referral::ProgressStep,
    /// Free text; required for `unable`.
    pub text: Option<String>,
}
