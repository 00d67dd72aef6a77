//! The live stream's messages (events, the snapshot notice, a client's subscribe), and the few
//! fields of stored events the in-memory map reads.

use opsroom_domain::case::CaseStatus;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::location::Cell;
use opsroom_domain::priority::PriorityLevel;
use opsroom_store::StoredEvent;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Problem;

/// An event of the log, as the API and the live stream show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody {
    /// Always `event` on the live stream.
    #[serde(rename = "type")]
    pub message_type: &'static str,
    /// Position in the log: strictly increasing, gap-free.
    pub seq: u64,
    /// e.g. `case_reported`.
    pub kind: String,
    pub case_id: Option<Uuid>,
    /// When it was recorded, RFC 3339 UTC.
    pub at: String,
    #[schema(value_type = Object)]
    pub data: Box<RawValue>,
}

impl EventBody {
    pub fn from_stored(e: &StoredEvent) -> Self {
        Self {
            message_type: "event",
            seq: e.seq,
            kind: e.kind.clone(),
            case_id: e.case_id,
            at: Timestamp::from_millis(e.recorded_at).to_rfc3339(),
            data: RawValue::from_string(e.data.clone()).unwrap_or_else(|_| {
                // The store only ever writes JSON here; keep streaming rather than fail the reader.
                tracing::error!(seq = e.seq, "event data is not JSON");
                RawValue::from_string("null".into()).expect("null is JSON")
            }),
        }
    }
}

/// What a live-stream client sends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LiveRequest {
    /// Start streaming: `since: null` for a snapshot position then live events; `since: N` to
    /// replay every event after position N, then live events. `crisis` (a slug, or
    /// `unplaced`) narrows the stream to that crisis's cases and the crisis itself, besides the
    /// events that concern no case (accounts, partners, advisories, zones); positions stay the
    /// log's, so a narrowed stream skips numbers.
    Subscribe {
        since: Option<u64>,
        #[serde(default)]
        crisis: Option<String>,
    },
}

/// What the live stream sends besides events.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveNotice {
    /// The stream's starting position: every later event follows. Load current state over REST
    /// and apply events whose `seq` is above each case's `updated_seq`.
    Snapshot { seq: u64 },
    /// The last message was not understood; the stream stays open.
    Error { error: Problem },
}

/// The crisis a `crisis_*` event is about.
#[derive(Deserialize)]
pub struct CrisisOfEvent {
    pub crisis_id: Uuid,
}

// ---- what the in-memory map (`live::map`) reads of stored events

/// The few fields of an event the map needs; everything else is skipped unparsed.
#[derive(Deserialize)]
pub struct Reported {
    pub cell: Option<Cell>,
    pub priority: ReportedPriority,
    pub status: CaseStatus,
}

#[derive(Deserialize)]
pub struct ReportedPriority {
    pub level: PriorityLevel,
}

#[derive(Deserialize)]
pub struct StatusMoved {
    pub cell: Option<Cell>,
    pub from: CaseStatus,
    pub to: CaseStatus,
}

#[derive(Deserialize)]
pub struct Breached {
    pub cell: Option<Cell>,
    pub priority: PriorityLevel,
    pub raised_to: Option<PriorityLevel>,
}

#[derive(Deserialize)]
pub struct CitizenMoved {
    pub from_cell: Option<Cell>,
    pub cell: Option<Cell>,
    pub status_from: CaseStatus,
    pub status: CaseStatus,
    pub priority_from: PriorityLevel,
    pub priority: PriorityLevel,
}

#[derive(Deserialize)]
pub struct PriorityMoved {
    pub cell: Option<Cell>,
    pub from: PriorityLevel,
    pub to: PriorityLevel,
}
