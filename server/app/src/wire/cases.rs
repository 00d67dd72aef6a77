//! The JSON shapes of the case board: the list query, a case summary with its SLA clock, counts,
//! and one case in detail.

use opsroom_domain::case::{CaseStatus, PersonRole};
use opsroom_domain::citizen::UpdateKind;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::priority::PriorityLevel;
use opsroom_domain::report::{Channel, Language, Relation, Sex};
use opsroom_domain::workflow::{
    CaseState, ContactChannel, ContactOutcome, SlaPolicy, SlaState, is_finished, next_statuses,
};
use opsroom_store::{CaseDetail, CaseSummary, PersonRow, ReportRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{EventBody, PriorityBody};

/// Query of `GET /api/v1/cases` (and of `/cases/counts` and `/cases/export.csv`, which ignore
/// what does not apply to them: counts ignore status, sort, cursor and limit; the export
/// ignores cursor and limit).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    pub priority: Option<PriorityLevel>,
    pub need: Option<Need>,
    pub flag: Option<Flag>,
    pub channel: Option<Channel>,
    /// H3 cell (hex) at resolution 9 or coarser: only cases inside it.
    pub cell: Option<String>,
    /// Search text, 1 to 200 characters: a reference (`K7QM-2XPD`, any case, with or without
    /// the dash), a phone number (E.164, `00…` or national), a passport number, or names in
    /// Arabic or Latin letters (every word must match someone in the case; a word may be the
    /// start of a name).
    pub q: Option<String>,
    /// `newest` (the default without `q`), `relevance` (the default with `q`), `urgency`
    /// (worst first), `waiting` (longest waiting first), `sla_due` (soonest or most overdue
    /// first contact first), `score` (highest first), `updated` (most recently changed first).
    pub sort: Option<String>,
    /// A user's id, `me`, or `none` (unassigned).
    pub assignee: Option<String>,
    /// The first-contact clock now: `red` (overdue), `amber`, `green` or `met`.
    pub sla: Option<String>,
    /// A partner's id: cases referred to it (referrals not withdrawn).
    pub partner: Option<String>,
    /// A crisis's slug: the cases placed in it; `unplaced`: the cases no crisis holds.
    pub crisis: Option<String>,
    /// `next_cursor` of the previous page (same filters and sort).
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// Someone in a case, as a card previews them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonPreviewBody {
    pub name: Option<String>,
    pub age: Option<u8>,
    /// `subject` (a person in danger) or `reporter`.
    pub role: PersonRole,
}

/// One case on the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryBody {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    pub priority: PriorityBody,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub channel: Channel,
    pub language: Language,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub place: Option<String>,
    pub cell: Option<String>,
    pub people_count: u32,
    pub reported_at: String,
    /// Log position of the event that opened the case.
    pub created_seq: u64,
    /// Log position of the latest event that changed the case: apply live events above it.
    pub updated_seq: u64,
    /// Optimistic-concurrency version: send it back with every change.
    pub version: u32,
    pub assigned_to: Option<Uuid>,
    /// When someone in the case was first reached.
    pub first_contact_at: Option<String>,
    /// The first-contact clock.
    pub sla: SlaBody,
    /// Set when a supervisor overrode the computed priority level.
    pub priority_override_reason: Option<String>,
    /// The active danger zone the case lies in, if it was flagged.
    pub danger_zone: Option<Uuid>,
    /// The crisis the case was placed in (`GET /api/v1/crises/all` names it); null: unplaced.
    pub crisis_id: Option<Uuid>,
    /// The first subject's name (the reporter's if none). Lists only.
    pub lead_name: Option<String>,
    /// Up to three people of the case, subjects first. Lists only.
    pub people_preview: Vec<PersonPreviewBody>,
    /// The assignee's login name. Lists only.
    pub assignee_name: Option<String>,
    /// When first contact is due, ms since the epoch; null once someone was reached or the case
    /// finished.
    pub sla_due_at: Option<i64>,
    /// Whole minutes since the case was reported; null when finished.
    pub minutes_waiting: Option<i64>,
    /// Whole minutes past `sla_due_at` when overdue; else null.
    pub minutes_overdue: Option<i64>,
    /// The urgency key (smaller is more urgent), for display and debugging only.
    pub urgency: i64,
    /// With `q` only: how the case matched (`reference`, `phone`, `passport` or `name`).
    pub matched: Option<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaBody {
    pub state: SlaState,
    /// When first contact is due (RFC 3339).
    pub due_at: String,
    /// Whether the breach was escalated to supervisors.
    pub escalated: bool,
}

impl CaseSummaryBody {
    /// The case as the board shows it at `now` under `policy` (the SLA colour depends on both).
    pub fn new(c: &CaseSummary, policy: &SlaPolicy, now: Timestamp) -> Self {
        let state = CaseState {
            case_id: c.case_id,
            cell: c.cell,
            status: c.status,
            assigned_to: c.assigned_to,
            priority: c.priority,
            reported_at: Timestamp::from_millis(c.reported_at),
            first_contact_at: c.first_contact_at.map(Timestamp::from_millis),
            escalated: c.escalated_at.is_some(),
        };
        Self {
            case_id: c.case_id,
            reference: c.reference.clone(),
            status: c.status,
            priority: PriorityBody::new(c.priority, c.priority_score, &c.priority_reasons),
            needs: c.needs.clone(),
            flags: c.flags.clone(),
            channel: c.channel,
            language: c.language,
            lat: c.lat,
            lon: c.lon,
            place: c.place.clone(),
            cell: c.cell.map(|cell| cell.to_string()),
            people_count: c.people_count,
            reported_at: Timestamp::from_millis(c.reported_at).to_rfc3339(),
            created_seq: c.created_seq,
            updated_seq: c.updated_seq,
            version: c.version,
            assigned_to: c.assigned_to,
            first_contact_at: c.first_contact_at.map(|t| Timestamp::from_millis(t).to_rfc3339()),
            sla: SlaBody {
                state: policy.state(&state, now),
                due_at: policy.due_at(&state).to_rfc3339(),
                escalated: state.escalated,
            },
            priority_override_reason: c.priority_override_reason.clone(),
            danger_zone: c.danger_zone,
            crisis_id: c.crisis_id,
            lead_name: c.lead_name.clone(),
            people_preview: c
                .people_preview
                .iter()
                .map(|p| PersonPreviewBody { name: p.name.clone(), age: p.age, role: p.role })
                .collect(),
            assignee_name: c.assignee_name.clone(),
            sla_due_at: c.sla_due_at,
            minutes_waiting: (!is_finished(c.status)).then(|| (now.millis() - c.reported_at).max(0) / 60_000),
            minutes_overdue: c.sla_due_at.filter(|due| *due <= now.millis()).map(|due| (now.millis() - due) / 60_000),
            urgency: c.urgency,
            matched: c.matched.map(|m| m.as_str()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseSummaryBody>,
    /// Pass as `cursor` for the next page (same filters and sort); null on the last page.
    pub next_cursor: Option<String>,
    /// How many cases match the filters (all pages).
    pub total: u64,
    /// With `q`: the search's words matched more cases than a search considers (5,000), and
    /// `total` counts the matches among those. Refine the search.
    pub total_capped: bool,
}

/// `GET /api/v1/cases/counts`: true counts for the filters.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseCountsBody {
    /// Cases per status, every status present.
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// Open cases nobody has reached, past their first-contact due time.
    pub overdue: u64,
    /// Open critical cases nobody is assigned to.
    pub unassigned_critical: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOnCase {
    pub person_id: Uuid,
    /// `subject` (a person in danger) or `reporter`.
    pub role: PersonRole,
    pub relation: Option<Relation>,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub passport: Option<String>,
    pub phone: Option<String>,
}

impl From<&PersonRow> for PersonOnCase {
    fn from(p: &PersonRow) -> Self {
        Self {
            person_id: p.person_id,
            role: p.role,
            relation: p.relation,
            name: p.name.clone(),
            age: p.age,
            sex: p.sex,
            passport: p.passport.clone(),
            phone: p.phone.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOnCase {
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
    pub received_at: String,
    /// Set for a citizen's update through the tracking link: `moved`, `safe`, `needs`, `message`.
    pub update_kind: Option<UpdateKind>,
}

impl From<&ReportRow> for ReportOnCase {
    fn from(r: &ReportRow) -> Self {
        Self {
            report_id: r.report_id,
            seq: r.seq,
            channel: r.channel,
            language: r.language,
            message: r.message.clone(),
            place: r.place.clone(),
            reporter_place: r.reporter_place.clone(),
            lat: r.lat,
            lon: r.lon,
            accuracy_m: r.accuracy_m,
            received_at: Timestamp::from_millis(r.received_at).to_rfc3339(),
            update_kind: r.update_kind,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOnCase {
    pub note_id: Uuid,
    pub seq: u64,
    pub author: String,
    pub text: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOnCase {
    pub contact_id: Uuid,
    pub seq: u64,
    pub author: String,
    pub channel: ContactChannel,
    pub outcome: ContactOutcome,
    pub note: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetailBody {
    pub case: CaseSummaryBody,
    /// The statuses the case may move to now (`PUT /api/v1/cases/{id}/status`); reopening a
    /// finished case also needs a reason.
    pub next_statuses: Vec<CaseStatus>,
    pub message: Option<String>,
    pub persons: Vec<PersonOnCase>,
    pub reports: Vec<ReportOnCase>,
    pub notes: Vec<NoteOnCase>,
    pub contacts: Vec<ContactOnCase>,
    pub events: Vec<EventBody>,
}

impl CaseDetailBody {
    pub fn new(d: &CaseDetail, policy: &SlaPolicy, now: Timestamp) -> Self {
        let time = |ms: i64| Timestamp::from_millis(ms).to_rfc3339();
        Self {
            case: CaseSummaryBody::new(&d.summary, policy, now),
            next_statuses: next_statuses(d.summary.status),
            message: d.message.clone(),
            persons: d.persons.iter().map(Into::into).collect(),
            reports: d.reports.iter().map(Into::into).collect(),
            notes: d
                .notes
                .iter()
                .map(|n| NoteOnCase {
                    note_id: n.note_id,
                    seq: n.seq,
                    author: n.author.clone(),
                    text: n.text.clone(),
                    created_at: time(n.created_at),
                })
                .collect(),
            contacts: d
                .contacts
                .iter()
                .map(|c| ContactOnCase {
                    contact_id: c.contact_id,
                    seq: c.seq,
                    author: c.author.clone(),
                    channel: c.channel,
                    outcome: c.outcome,
                    note: c.note.clone(),
                    created_at: time(c.created_at),
                })
                .collect(),
            events: d.events.iter().map(EventBody::from_stored).collect(),
        }
    }
}
