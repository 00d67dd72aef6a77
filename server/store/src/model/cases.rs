//! What the case reads return: stored events, the board's filters, sorts and pages, a case's
//! summary and detail, the map, handover notes and the supervisor's figures.

use super::*;

/// One committed event as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: u64,
    pub kind: String,
    pub case_id: Option<Uuid>,
    pub recorded_at: i64,
    /// The event as JSON (see `opsroom_domain::event::Event`).
    pub data: String,
}

/// Which cases to list. Every filter narrows; `cursor` continues after the previous page.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub priority: Option<PriorityLevel>,
    pub need: Option<Need>,
    pub flag: Option<Flag>,
    pub channel: Option<Channel>,
    /// A cell at resolution 9 or coarser: cases inside it.
    pub cell: Option<Cell>,
    /// Search text (see [`Store::list_cases`](crate::Store::list_cases)).
    pub q: Option<String>,
    pub assignee: Option<AssigneeFilter>,
    /// The first-contact clock's colour at `now_ms`.
    pub sla: Option<SlaFilter>,
    /// Cases referred to this partner (by a referral not withdrawn).
    pub partner: Option<Uuid>,
    /// Cases placed in one crisis, or in none.
    pub crisis: Option<CrisisFilter>,
    /// The time `sla` is evaluated at (ms).
    pub now_ms: i64,
    pub sort: CaseSort,
    /// The previous page's `next_cursor` (for the same filters and sort).
    pub cursor: Option<CaseCursor>,
    pub limit: u32,
}

/// Which crisis's cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrisisFilter {
    Crisis(Uuid),
    /// Cases no crisis holds yet, for operators to sort.
    Unplaced,
}

/// Whose cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    User(Uuid),
    Unassigned,
}

/// The first-contact clock's colour, as a filter (see `opsroom_domain::workflow::SlaState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaFilter {
    /// Open, nobody reached, past the due time.
    Red,
    /// Open, nobody reached, half the time or more used.
    Amber,
    /// Open, nobody reached, less than half the time used.
    Green,
    /// Reached, or finished.
    Met,
}

/// The order of a list. Every order ends with the log position that opened the case, so pages
/// never skip or repeat a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseSort {
    /// Newest first (without `q`, the default).
    #[default]
    Newest,
    /// Best match first, then newest (with `q`, the default; without, the same as `Newest`).
    Relevance,
    /// Worst first (`opsroom_domain::urgency`).
    Urgency,
    /// Longest waiting first (reported earliest).
    Waiting,
    /// Soonest or most overdue first-contact due time first; cases with none last.
    SlaDue,
    /// Highest priority score first.
    Score,
    /// Most recently changed first.
    Updated,
}

impl CaseSort {
    pub const ALL: [CaseSort; 7] = [
        CaseSort::Newest,
        CaseSort::Relevance,
        CaseSort::Urgency,
        CaseSort::Waiting,
        CaseSort::SlaDue,
        CaseSort::Score,
        CaseSort::Updated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseSort::Newest => "newest",
            CaseSort::Relevance => "relevance",
            CaseSort::Urgency => "urgency",
            CaseSort::Waiting => "waiting",
            CaseSort::SlaDue => "sla_due",
            CaseSort::Score => "score",
            CaseSort::Updated => "updated",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Where a page ended: the last case's search rank (0 without `q`), its sort key and the log
/// position that opened it. Opaque to clients (`Display` / `FromStr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseCursor {
    pub rank: u8,
    pub key: i64,
    pub seq: u64,
}

impl std::fmt::Display for CaseCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.rank, self.key, self.seq)
    }
}

impl std::str::FromStr for CaseCursor {
    type Err = ();

    /// `rank.key.seq`, or a bare position (the cursor of the newest-first pages of earlier
    /// releases).
    fn from_str(text: &str) -> Result<Self, ()> {
        let parts: Vec<&str> = text.split('.').collect();
        match parts.as_slice() {
            [seq] => {
                let seq = seq.parse::<u64>().map_err(drop)?;
                // Positions beyond i64::MAX cannot exist: such a cursor is after everything.
                Ok(Self { rank: 0, key: i64::try_from(seq).unwrap_or(i64::MAX), seq })
            }
            [rank, key, seq] => Ok(Self {
                rank: rank.parse().map_err(drop)?,
                key: key.parse().map_err(drop)?,
                seq: seq.parse().map_err(drop)?,
            }),
            _ => Err(()),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<CaseCursor>,
    /// How many cases match the filters (all pages). With `q`, of the cases the search
    /// considered (see `total_capped`).
    pub total: u64,
    /// With `q`: the search's words matched more cases than it considers
    /// ([`SEARCH_CANDIDATES`]); the answer is the matches among those. Refine the search.
    pub total_capped: bool,
}

/// Most cases one search considers: for a name shared by more, the newest this many its words
/// reach (the answer says it was cut, `total_capped`). The bound keeps a search within its
/// 50 ms at a million cases (`bench --only search`); a name that common is found by adding a
/// place, a phone or another name, not by paging through thousands of namesakes.
pub const SEARCH_CANDIDATES: usize = 1_000;

/// Cases per status for the board's columns, and the two figures it alerts on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseCounts {
    pub by_status: Vec<(CaseStatus, u64)>,
    /// Open, nobody reached, past the due time.
    pub overdue: u64,
    /// Open, critical, nobody assigned.
    pub unassigned_critical: u64,
}

/// Someone in a case, as a card shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonPreview {
    pub name: Option<String>,
    pub age: Option<u8>,
    /// `subject` or `reporter`.
    pub role: PersonRole,
}

/// A case as the board shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    pub priority: PriorityLevel,
    pub priority_score: u32,
    pub priority_reasons: Vec<Reason>,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub channel: Channel,
    pub language: Language,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub place: Option<String>,
    pub cell: Option<Cell>,
    pub people_count: u32,
    pub reported_at: i64,
    pub created_seq: u64,
    pub updated_seq: u64,
    pub version: u32,
    pub assigned_to: Option<Uuid>,
    pub first_contact_at: Option<i64>,
    pub escalated_at: Option<i64>,
    /// Set when a supervisor overrode the computed level.
    pub priority_override_reason: Option<String>,
    /// The active danger zone the case was found in.
    pub danger_zone: Option<Uuid>,
    /// The crisis the case was placed in; `None`: unplaced.
    pub crisis_id: Option<Uuid>,
    /// When first contact is due (ms); `None` once someone was reached or the case finished.
    pub sla_due_at: Option<i64>,
    /// `opsroom_domain::urgency::urgency_key`: smaller is more urgent.
    pub urgency: i64,
    /// Lists only: the first subject's name (the reporter's if none).
    pub lead_name: Option<String>,
    /// Lists only: up to three people of the case, subjects first.
    pub people_preview: Vec<PersonPreview>,
    /// Lists only: the assignee's login name.
    pub assignee_name: Option<String>,
    /// Searches only: how the case matched.
    pub matched: Option<opsroom_domain::search::SearchMatch>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub person_id: Uuid,
    /// `subject` (a person the case is about) or `reporter`.
    pub role: PersonRole,
    pub relation: Option<Relation>,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub passport: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub report_id: Uuid,
    pub seq: u64,
    pub channel: Channel,
    pub language: Language,
    pub message: Option<String>,
    pub place: Option<String>,
    pub reporter_place: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub received_at: i64,
    /// For a citizen's update through the tracking link: its kind (`moved`, `safe`, …).
    pub update_kind: Option<UpdateKind>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    pub note_id: Uuid,
    pub seq: u64,
    pub author: String,
    pub text: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    pub contact_id: Uuid,
    pub seq: u64,
    pub author: String,
    pub channel: ContactChannel,
    pub outcome: ContactOutcome,
    pub note: Option<String>,
    pub created_at: i64,
}

/// Everything an operator sees about one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub message: Option<String>,
    pub persons: Vec<PersonRow>,
    pub reports: Vec<ReportRow>,
    pub notes: Vec<NoteRow>,
    pub contacts: Vec<ContactRow>,
    pub events: Vec<StoredEvent>,
}

/// How many cases share one (cell, priority, status); `cell` is `None` for unlocated cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellCount {
    pub cell: Option<Cell>,
    pub priority: PriorityLevel,
    pub status: CaseStatus,
    pub count: u64,
}

/// Every case counted by cell, priority and status, as of log position `seq` (one snapshot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapSnapshot {
    pub seq: u64,
    pub counts: Vec<CellCount>,
}

/// A shift handover note to record (figures counted by [`crate::Store::handover_figures`]).
#[derive(Debug, Clone)]
pub struct WriteHandover {
    pub handover_id: Uuid,
    pub author: Uuid,
    pub at: i64,
    pub figures: opsroom_domain::handover::HandoverFigures,
    pub note: opsroom_domain::handover::NewHandover,
}

/// A handover note as stored, with its author's name.
#[derive(Debug, Clone, PartialEq)]
pub struct HandoverRow {
    pub handover_id: Uuid,
    pub seq: u64,
    pub author_id: Uuid,
    pub author: String,
    pub written_at: i64,
    pub figures: opsroom_domain::handover::HandoverFigures,
    pub promised: String,
    pub open_note: Option<String>,
}

/// The figures a supervisor watches.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpis {
    /// Open cases (not evacuated, resolved, closed or duplicate) nobody has reached that are past
    /// their first-contact time now or were escalated (red until reached).
    pub sla_red: u64,
    /// Of those, escalated to supervisors.
    pub sla_escalated: u64,
    /// Cases reached at least once.
    pub contacted: u64,
    /// Time to first contact, ms (median and 90th percentile), over contacted cases.
    pub first_contact_p50_ms: Option<i64>,
    pub first_contact_p90_ms: Option<i64>,
    /// Per channel: all cases and resolved or evacuated ones.
    pub by_channel: Vec<(String, u64, u64)>,
    /// Open cases per assigned operator (by name).
    pub per_operator: Vec<(String, u64)>,
}
