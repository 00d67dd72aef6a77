//! The JSON shapes of the hotline's call log.

use opsroom_domain::call::{CallDirection, CallOutcome};
use opsroom_domain::clock::Timestamp;
use opsroom_store::CallRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A call to log: the number, who dialled, when it started and ended, what came of it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// The caller's number with its country code (`+249 912 345 678`, `00249…`), or as dialled
    /// in the home country the server serves (`010 0123 4567` in Egypt).
    pub phone: String,
    pub direction: Option<CallDirection>,
    pub outcome: Option<CallOutcome>,
    /// RFC 3339 with an offset.
    pub started_at: String,
    /// RFC 3339 with an offset; not before `started_at`.
    pub ended_at: String,
    /// What was said, briefly (at most 2,000 characters).
    pub note: Option<String>,
}

/// A logged call: where it is in the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallLoggedBody {
    pub call_id: Uuid,
    pub case_id: Uuid,
    pub seq: u64,
}

/// Query of `GET /api/v1/calls`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallsQuery {
    /// The number: in E.164 (`+249912345678`: that number only) or as dialled at home
    /// (`0912345678`: those digits after any country's calling code).
    pub phone: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u32>,
}

/// One logged call.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallBody {
    pub call_id: Uuid,
    pub case_id: Uuid,
    /// The case's reference.
    pub reference: String,
    /// Log position of its `call_logged` event.
    pub seq: u64,
    /// E.164.
    pub phone: String,
    pub direction: CallDirection,
    pub outcome: CallOutcome,
    pub started_at: String,
    pub ended_at: String,
    pub duration_seconds: i64,
    pub note: Option<String>,
    /// Login name of the operator who took or made it.
    pub operator: String,
    pub logged_at: String,
}

impl From<&CallRow> for CallBody {
    fn from(c: &CallRow) -> Self {
        let time = |ms: i64| Timestamp::from_millis(ms).to_rfc3339();
        Self {
            call_id: c.call_id,
            case_id: c.case_id,
            reference: c.reference.clone(),
            seq: c.seq,
            phone: c.phone.clone(),
            direction: c.direction,
            outcome: c.outcome,
            started_at: time(c.started_at),
            ended_at: time(c.ended_at),
            duration_seconds: (c.ended_at - c.started_at) / 1000,
            note: c.note.clone(),
            operator: c.operator.clone(),
            logged_at: time(c.logged_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallList {
    pub calls: Vec<CallBody>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}
