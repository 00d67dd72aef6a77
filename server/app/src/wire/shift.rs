//! The JSON shapes of the shift's records: handover notes and the situation report.

use opsroom_domain::clock::Bucket;
use opsroom_domain::handover::HandoverFigures;
use opsroom_domain::sitrep::Totals;
use opsroom_store::HandoverRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::rfc3339;

/// `POST /api/v1/handovers`: what the outgoing shift hands over. The figures of what is open
/// are counted by the server when the note is written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// What was promised, and to whom (required).
    pub promised: Option<String>,
    /// Anything else the next shift must know about what is open.
    pub open_note: Option<String>,
}

/// Query of `GET /api/v1/handovers`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HandoverQuery {
    /// Notes written before this log position (the `next_before` of the previous page).
    pub before: Option<u64>,
    /// At most this many notes (1–100, default 20).
    pub limit: Option<u32>,
}

/// One handover note.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverBody {
    pub handover_id: Uuid,
    pub seq: u64,
    pub author_id: Uuid,
    pub author: String,
    /// RFC 3339, UTC.
    pub written_at: String,
    /// What was open when it was written.
    pub figures: HandoverFiguresBody,
    pub promised: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_note: Option<String>,
}

impl From<&HandoverRow> for HandoverBody {
    fn from(row: &HandoverRow) -> Self {
        Self {
            handover_id: row.handover_id,
            seq: row.seq,
            author_id: row.author_id,
            author: row.author.clone(),
            written_at: rfc3339(row.written_at),
            figures: row.figures.into(),
            promised: row.promised.clone(),
            open_note: row.open_note.clone(),
        }
    }
}

/// What was open when a note was written (or is now), as the store counted it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverFiguresBody {
    /// Open cases (not evacuated, resolved, closed or duplicate).
    pub open_cases: u64,
    /// Open cases nobody has reached that are past their first-contact time, or escalated.
    pub overdue: u64,
    /// Open critical cases assigned to nobody.
    pub unassigned_critical: u64,
    /// Open cases assigned to the note's author.
    pub assigned_to_author: u64,
}

impl From<HandoverFigures> for HandoverFiguresBody {
    fn from(f: HandoverFigures) -> Self {
        Self {
            open_cases: f.open_cases,
            overdue: f.overdue,
            unassigned_critical: f.unassigned_critical,
            assigned_to_author: f.assigned_to_author,
        }
    }
}

/// `GET /api/v1/handovers`: what is open now for the caller (to fill a new note's figures) and
/// the notes, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandoversBody {
    pub now: HandoverFiguresBody,
    pub handovers: Vec<HandoverBody>,
    /// Ask again with `before` = this for older notes; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<u64>,
}

/// Query of `GET /api/v1/sitrep` and `/api/v1/sitrep.csv`: the window `[from, to)`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SitrepQuery {
    /// RFC 3339 with any offset, e.g. `2023-04-15T00:00:00+02:00`.
    pub from: String,
    /// RFC 3339; the window ends before it. At most 93 days after `from`.
    pub to: String,
}

/// New cases from one area.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaBody {
    /// The H3 cell (hex, resolution 5) the cases lie in; absent for unlocated cases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// The largest known town near the cell's centre (English and Arabic), if one is near.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_ar: Option<String>,
    /// The place people named most often in these reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub new_cases: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelBody {
    pub channel: String,
    pub new_cases: u64,
}

/// One hour or day (local to the room) of the window.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeBarBody {
    /// RFC 3339 with the room's offset.
    pub start: String,
    pub new_cases: u64,
    pub contacted: u64,
    pub resolved: u64,
}

/// One bar of the time-to-first-contact histogram: waits shorter than `under_minutes` (and
/// not shorter than the previous bar's); the last bar has no bound.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitBarBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub under_minutes: Option<i64>,
    pub cases: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirstContactBody {
    /// Cases first reached in the window.
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p90_ms: Option<i64>,
    pub bars: Vec<WaitBarBody>,
}

/// The window's totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsBody {
    pub new_cases: u64,
    /// Cases first reached in the window.
    pub contacted: u64,
    pub resolved: u64,
    pub evacuated: u64,
    /// Cases whose first-contact clock ran out in the window.
    pub overdue: u64,
}

impl From<Totals> for TotalsBody {
    fn from(t: Totals) -> Self {
        Self {
            new_cases: t.new_cases,
            contacted: t.contacted,
            resolved: t.resolved,
            evacuated: t.evacuated,
            overdue: t.overdue,
        }
    }
}

/// `GET /api/v1/sitrep`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SitrepBody {
    /// RFC 3339 with the room's offset.
    pub from: String,
    pub to: String,
    /// The room's time zone, which the hours and days are counted in.
    pub time_zone: String,
    #[schema(value_type = String)]
    pub bucket: Bucket,
    pub totals: TotalsBody,
    pub by_area: Vec<AreaBody>,
    pub by_channel: Vec<ChannelBody>,
    pub over_time: Vec<TimeBarBody>,
    pub first_contact: FirstContactBody,
}
