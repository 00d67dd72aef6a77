//! The JSON shapes of operators' changes to a case (status, assignment, notes, contacts, priority)
//! and the answer to each.

use opsroom_domain::case::CaseStatus;
use opsroom_domain::priority::PriorityLevel;
use opsroom_domain::workflow::{ContactChannel, ContactOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::CaseSummaryBody;

/// `POST /api/v1/cases/{case_id}/status`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub status: CaseStatus,
    /// Required to reopen a finished case.
    pub reason: Option<String>,
    /// Required (and only allowed) with `status: duplicate`: the original case, by the
    /// reference people see (`K7QM-2XPD`, forgiving case, spaces and dashes) or by its id.
    pub duplicate_of: Option<String>,
    /// The case's `version` you saw.
    pub version: u32,
}

/// `POST /api/v1/cases/{case_id}/assignment`: `user_id: null` unassigns.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    pub user_id: Option<Uuid>,
    pub version: u32,
}

/// `POST /api/v1/cases/{case_id}/notes`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub text: String,
    pub version: u32,
}

/// `POST /api/v1/cases/{case_id}/contacts`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequest {
    pub channel: ContactChannel,
    pub outcome: ContactOutcome,
    pub note: Option<String>,
    pub version: u32,
}

/// `POST /api/v1/cases/{case_id}/priority` (supervisors)
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityRequest {
    pub level: PriorityLevel,
    pub reason: String,
    pub version: u32,
}

/// The answer to an accepted change: where it is in the log and the case as it now stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionApplied {
    pub seq: u64,
    pub case: CaseSummaryBody,
}
