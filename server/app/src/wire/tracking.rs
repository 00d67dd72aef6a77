//! The JSON shapes of a citizen's tracking link: the view, an update, a reissued link.

use opsroom_domain::citizen::{UpdateInput, UpdateKind};
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::report::Language;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{AdvisoryBody, BilingualText, LocationBody, PublicCrisisBody};

/// An update sent with a tracking link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingUpdateRequest {
    pub kind: UpdateKind,
    /// For `moved`: where the people are now (a position, a place name, or both).
    pub location: Option<LocationBody>,
    /// For `needs`: the new needs (replacing the old list).
    #[serde(default)]
    pub needs: Vec<Need>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    /// Up to 4,000 characters; required for `message`.
    pub message: Option<String>,
}

impl TrackingUpdateRequest {
    pub fn to_domain(&self) -> UpdateInput {
        UpdateInput {
            kind: self.kind,
            location: self.location.as_ref().map(LocationBody::to_domain),
            needs: self.needs.clone(),
            flags: self.flags.clone(),
            message: self.message.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingUpdateAccepted {
    /// The update is stored as a report on the case with this id.
    pub report_id: Uuid,
}

/// A new tracking link, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingLinkIssued {
    pub tracking_token: String,
    /// The page to give the citizen, relative to this server.
    pub tracking_path: String,
}

/// What a tracking link shows.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TrackingView {
    pub reference: String,
    /// `new`, `triaged`, … (the words are in `status_text`).
    pub status: String,
    pub status_text: BilingualText,
    /// The language the report was made in (`ar` or `en`).
    pub language: Language,
    pub reported_at: String,
    pub people_count: u32,
    /// The case's needs and flags as they stand (the citizen's own report; an update replaces them).
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    /// What happened, oldest first, in words for the citizen.
    pub timeline: Vec<TimelineItem>,
    /// Current advisories for the case's area (and those for everyone).
    pub advisories: Vec<AdvisoryBody>,
    /// The crisis the case belongs to, and its phase; null when none holds it yet.
    pub crisis: Option<PublicCrisisBody>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TimelineItem {
    pub at: String,
    pub code: String,
    pub text: BilingualText,
}
