//! The wire format: every request, response and websocket message the app speaks.
//!
//! Owns the public JSON shapes, separate from the domain types, so that renaming a domain field
//! cannot silently break a browser or a partner. Conversions to and from the domain and the store
//! live here too; handlers only call them.

use opsroom_domain::advisory::{Advisory, AdvisoryInput, AdvisoryKind, Area, Severity};
use opsroom_domain::case::CaseStatus;
use opsroom_domain::citizen::{UpdateInput, UpdateKind};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::matching::{Decision, MatchKind, MatchReason};
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::priority::{Priority, PriorityLevel, Reason, ReasonCode};
use opsroom_domain::report::{
    Channel, Language, LocationInput, PersonInput, Relation, ReportInput, ReporterInput, Sex,
};
use opsroom_domain::tracing::TracingStatus;
use opsroom_domain::user::Role;
use opsroom_domain::workflow::{CaseState, ContactChannel, ContactOutcome, SlaPolicy, SlaState, is_finished};
use opsroom_store::{CaseDetail, CaseSummary, FamilyMember, PersonRow, ReportRow, SessionUser, StoredEvent};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::error::Problem;

/// A distress report, as the public form or any client sends it. Partial reports are normal:
/// at least one person's name or a message is required, everything else is optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// Language of the reporter (`ar` by default); answers use it.
    pub language: Option<Language>,
    pub reporter: Option<ReporterBody>,
    pub location: Option<LocationBody>,
    #[serde(default)]
    pub people: Vec<PersonBody>,
    #[serde(default)]
    pub needs: Vec<Need>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    /// Free text, up to 4,000 characters.
    pub message: Option<String>,
}

/// The person making the report (often a relative abroad).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterBody {
    pub name: Option<String>,
    /// With country code: `+249 912 345 678`, `00201001234567`; Arabic-Indic digits accepted.
    pub phone: Option<String>,
    /// Who the reporter is to the people in danger.
    pub relation: Option<Relation>,
    /// Where the reporter is, e.g. "Cairo".
    pub place: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationBody {
    /// WGS 84 latitude, -90..90.
    pub lat: Option<f64>,
    /// WGS 84 longitude, -180..180.
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    /// A place name or description, e.g. "الرياض، الخرطوم".
    pub place: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub name: Option<String>,
    pub age: Option<u32>,
    pub sex: Option<Sex>,
    pub passport: Option<String>,
    pub phone: Option<String>,
}

impl ReportRequest {
    pub fn to_domain(&self) -> ReportInput {
        ReportInput {
            language: self.language,
            reporter: self.reporter.as_ref().map(|r| ReporterInput {
                name: r.name.clone(),
                phone: r.phone.clone(),
                relation: r.relation,
                place: r.place.clone(),
            }),
            location: self.location.as_ref().map(LocationBody::to_domain),
            people: self
                .people
                .iter()
                .map(|p| PersonInput {
                    name: p.name.clone(),
                    age: p.age,
                    sex: p.sex,
                    passport: p.passport.clone(),
                    phone: p.phone.clone(),
                })
                .collect(),
            needs: self.needs.clone(),
            flags: self.flags.clone(),
            message: self.message.clone(),
        }
    }
}

/// The answer to an accepted report, sent only once it is durably stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAccepted {
    pub case_id: Uuid,
    /// Short reference to quote on the phone, e.g. `K7QM-2XPD`.
    pub reference: String,
    /// Secret (256 random bits) for following the case; shown only to the reporter.
    pub tracking_token: String,
    /// H3 cell at resolution 9 (hex), or null when the report had no coordinates.
    pub cell: Option<String>,
    pub priority: PriorityBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityBody {
    pub level: PriorityLevel,
    pub score: u32,
    /// Why, strongest first.
    pub reasons: Vec<ReasonBody>,
}

/// One reason for the priority, with its words in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonBody {
    pub code: ReasonCode,
    pub points: u32,
    pub text: Bilingual,
}

/// A text in Arabic and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bilingual {
    pub ar: &'static str,
    pub en: &'static str,
}

impl PriorityBody {
    pub fn new(level: PriorityLevel, score: u32, reasons: &[Reason]) -> Self {
        let reasons = reasons
            .iter()
            .map(|r| {
                let (en, ar) = r.code.text();
                ReasonBody { code: r.code, points: r.points, text: Bilingual { ar, en } }
            })
            .collect();
        Self { level, score, reasons }
    }
}

impl From<&Priority> for PriorityBody {
    fn from(p: &Priority) -> Self {
        Self::new(p.level, p.score, &p.reasons)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    pub name: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

impl From<&SessionUser> for SessionInfo {
    fn from(u: &SessionUser) -> Self {
        Self {
            user_id: u.user_id,
            name: u.name.clone(),
            role: u.role,
            expires_at: Timestamp::from_millis(u.expires_at).to_rfc3339(),
        }
    }
}

/// Query of `GET /api/v1/cases` (and of `/cases/counts` and `/cases/export.csv`, which ignore
/// what does not apply to them: counts ignore status, sort, cursor and limit; the export
/// ignores cursor and limit).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
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
    pub role: String,
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
    pub language: String,
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
            language: c.language.clone(),
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
            lead_name: c.lead_name.clone(),
            people_preview: c
                .people_preview
                .iter()
                .map(|p| PersonPreviewBody { name: p.name.clone(), age: p.age, role: p.role.clone() })
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
    pub role: String,
    pub relation: Option<String>,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<String>,
    pub passport: Option<String>,
    pub phone: Option<String>,
}

impl From<&PersonRow> for PersonOnCase {
    fn from(p: &PersonRow) -> Self {
        Self {
            person_id: p.person_id,
            role: p.role.clone(),
            relation: p.relation.clone(),
            name: p.name.clone(),
            age: p.age,
            sex: p.sex.clone(),
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
    pub language: String,
    pub message: Option<String>,
    pub place: Option<String>,
    pub reporter_place: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub received_at: String,
    /// Set for a citizen's update through the tracking link: `moved`, `safe`, `needs`, `message`.
    pub update_kind: Option<String>,
}

impl From<&ReportRow> for ReportOnCase {
    fn from(r: &ReportRow) -> Self {
        Self {
            report_id: r.report_id,
            seq: r.seq,
            channel: r.channel,
            language: r.language.clone(),
            message: r.message.clone(),
            place: r.place.clone(),
            reporter_place: r.reporter_place.clone(),
            lat: r.lat,
            lon: r.lon,
            accuracy_m: r.accuracy_m,
            received_at: Timestamp::from_millis(r.received_at).to_rfc3339(),
            update_kind: r.update_kind.clone(),
        }
    }
}

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
    pub channel: String,
    pub outcome: String,
    pub note: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetailBody {
    pub case: CaseSummaryBody,
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
                    channel: c.channel.clone(),
                    outcome: c.outcome.clone(),
                    note: c.note.clone(),
                    created_at: time(c.created_at),
                })
                .collect(),
            events: d.events.iter().map(EventBody::from_stored).collect(),
        }
    }
}

/// A report taken by an operator on behalf of a caller.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorReportRequest {
    /// How the report reached the ops room: `hotline`, `whatsapp`, `facebook`, `email`, `walk_in`.
    pub channel: Channel,
    /// The report, in the same shape as the public form's.
    pub report: ReportRequest,
}

/// `POST /api/v1/cases/{case_id}/status`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub status: CaseStatus,
    /// Required to reopen a finished case.
    pub reason: Option<String>,
    /// Required (and only allowed) with `status: duplicate`.
    pub duplicate_of: Option<Uuid>,
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

/// An operator account, as colleagues see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    /// A disabled account cannot sign in (and cannot be assigned cases).
    pub disabled: bool,
}

impl From<opsroom_store::UserSummary> for UserBody {
    fn from(u: opsroom_store::UserSummary) -> Self {
        Self { user_id: u.user_id, name: u.name, role: u.role, disabled: u.disabled }
    }
}

/// `PUT /api/v1/users/{name}`: a new role, disabling or re-enabling, or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangeRequest {
    pub role: Option<Role>,
    /// `true` disables the account and ends its sessions and live streams at once.
    pub disabled: Option<bool>,
}

/// `POST /api/v1/users/{name}/password`: the new password, or none to have one generated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    pub password: Option<String>,
}

/// What an admin's change to an account did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountChangedBody {
    /// The account as it is now.
    pub user: UserBody,
    /// How many of its sessions (and their live streams) ended.
    pub sessions_ended: u64,
    /// The password the server generated, shown this once; absent when the admin chose one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A live session, as admins see it (never its token).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When it was last used, to about a minute.
    pub last_seen_at: String,
    /// When it ends however much it is used.
    pub expires_at: String,
    /// Where it was opened from (as the server or its trusted proxy saw it).
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    /// The session this list was asked for with.
    pub current: bool,
}

impl From<opsroom_store::SessionRow> for SessionBody {
    fn from(s: opsroom_store::SessionRow) -> Self {
        let time = |ms| Timestamp::from_millis(ms).to_rfc3339();
        Self {
            created_at: time(s.created_at),
            last_seen_at: time(s.last_seen_at),
            expires_at: time(s.expires_at),
            client_address: s.client_address,
            user_agent: s.user_agent,
            current: s.current,
        }
    }
}

/// What a live-stream client sends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LiveRequest {
    /// Start streaming: `since: null` for a snapshot position then live events; `since: N` to
    /// replay every event after position N, then live events.
    Subscribe { since: Option<u64> },
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

/// A text in Arabic and English, as a supervisor types it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BilingualInput {
    pub ar: Option<String>,
    pub en: Option<String>,
}

/// An advisory to publish, or the new content of one (the whole content each time).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryRequest {
    /// `information` by default.
    pub kind: Option<AdvisoryKind>,
    pub severity: Option<Severity>,
    pub headline: Option<BilingualInput>,
    pub body: Option<BilingualInput>,
    /// What people should do (optional).
    pub instruction: Option<BilingualInput>,
    /// A GeoJSON `Polygon` or `MultiPolygon` (`[lon, lat]`); omit for the whole crisis.
    #[schema(value_type = Option<Object>)]
    pub area: Option<serde_json::Value>,
    /// Or: H3 cells (resolution 0 to 9) the advisory applies to.
    pub cells: Option<Vec<String>>,
    /// RFC 3339; omit to keep it until withdrawn.
    pub expires_at: Option<String>,
}

impl AdvisoryRequest {
    pub fn to_domain(&self) -> Result<AdvisoryInput, Problem> {
        let pair = |b: &Option<BilingualInput>| b.as_ref().map(|b| (b.ar.clone(), b.en.clone()));
        let area = match (&self.area, &self.cells) {
            (Some(_), Some(_)) => {
                return Err(Problem::new("invalid", "give either an area or cells, not both", Some("cells".into())));
            }
            (Some(geometry), None) => Some(Area::from_geojson(geometry).map_err(|r| problem(r.within("area")))?),
            (None, Some(cells)) => Some(Area::from_cells(cells).map_err(|r| problem(r.within("cells")))?),
            (None, None) => None,
        };
        let expires_at = self
            .expires_at
            .as_deref()
            .map(|raw| {
                Timestamp::parse_rfc3339(raw).ok_or_else(|| {
                    Problem::new(
                        "invalid_time",
                        "expires_at must be an RFC 3339 time such as 2023-04-25T08:00:00+02:00",
                        Some("expires_at".into()),
                    )
                })
            })
            .transpose()?;
        Ok(AdvisoryInput {
            kind: self.kind,
            severity: self.severity,
            headline: pair(&self.headline),
            body: pair(&self.body),
            instruction: pair(&self.instruction),
            area,
            expires_at,
        })
    }
}

fn problem(r: opsroom_domain::Rejected) -> Problem {
    Problem::new(r.code, r.message, r.field)
}

/// A text in Arabic and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct BilingualText {
    pub ar: String,
    pub en: String,
}

impl From<&opsroom_domain::advisory::Bilingual> for BilingualText {
    fn from(b: &opsroom_domain::advisory::Bilingual) -> Self {
        Self { ar: b.ar.clone(), en: b.en.clone() }
    }
}

/// One advisory in its current (or a past) version.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryBody {
    pub advisory_id: Uuid,
    pub version: u32,
    pub kind: AdvisoryKind,
    pub severity: Severity,
    pub headline: BilingualText,
    pub body: BilingualText,
    pub instruction: Option<BilingualText>,
    /// GeoJSON geometry (`Polygon`/`MultiPolygon`), or null for the whole crisis or a cell area.
    #[schema(value_type = Option<Object>)]
    pub area: Option<serde_json::Value>,
    /// The H3 cells of a cell area.
    pub cells: Option<Vec<String>>,
    /// RFC 3339, UTC.
    pub expires_at: Option<String>,
    pub published_at: String,
    pub updated_at: String,
    pub withdrawn: bool,
    /// The same advisory as a CAP 1.2 message.
    pub cap_url: String,
}

impl From<&Advisory> for AdvisoryBody {
    fn from(a: &Advisory) -> Self {
        let c = &a.content;
        let (area, cells) = match &c.area {
            None => (None, None),
            Some(Area::Cells { cells }) => (None, Some(cells.iter().map(ToString::to_string).collect())),
            Some(geometry) => (serde_json::to_value(geometry).ok(), None),
        };
        Self {
            advisory_id: a.advisory_id,
            version: a.version,
            kind: c.kind,
            severity: c.severity,
            headline: (&c.headline).into(),
            body: (&c.body).into(),
            instruction: c.instruction.as_ref().map(Into::into),
            area,
            cells,
            expires_at: c.expires_at.map(Timestamp::to_rfc3339),
            published_at: a.published_at.to_rfc3339(),
            updated_at: a.updated_at.to_rfc3339(),
            withdrawn: a.withdrawn,
            cap_url: format!("/api/v1/advisories/{}/cap", a.advisory_id),
        }
    }
}

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

impl LocationBody {
    pub fn to_domain(&self) -> LocationInput {
        LocationInput { lat: self.lat, lon: self.lon, accuracy_m: self.accuracy_m, place: self.place.clone() }
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

/// A suggestion that a person of this case and a person of another case are the same, or
/// relatives; seen from the case it was asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchBody {
    pub suggestion_id: Uuid,
    /// The other case and its person.
    pub case_id: Uuid,
    pub person_id: Uuid,
    /// The other case's reference, and the other person's name as reported.
    pub reference: Option<String>,
    pub name: Option<String>,
    /// The person of the asked-for case it concerns.
    pub of_person_id: Uuid,
    pub kind: MatchKind,
    /// 0 to 1.
    pub score: f64,
    pub reasons: Vec<MatchReasonBody>,
    /// `open`, `same`, `related` or `not_related`.
    pub status: String,
    pub relation: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchReasonBody {
    pub code: String,
    pub text: BilingualText,
}

impl From<&MatchReason> for MatchReasonBody {
    fn from(r: &MatchReason) -> Self {
        Self { code: r.code.clone(), text: BilingualText { ar: r.ar.clone(), en: r.en.clone() } }
    }
}

/// An operator's answer to a suggestion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub decision: Decision,
    /// For `related`: what the person of the suggestion's new report is to the other person.
    pub relation: Option<Relation>,
}

/// Everyone linked to a case: its people in danger and reporters, and through operators'
/// confirmed decisions, the same persons in other cases and their relatives.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyBody {
    pub members: Vec<FamilyMemberBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyMemberBody {
    pub person_id: Uuid,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<String>,
    pub tracing_status: String,
    pub cases: Vec<FamilyCaseBody>,
    pub links: Vec<FamilyLinkBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyCaseBody {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    /// `subject` (in danger) or `reporter`.
    pub role: String,
    pub relation: Option<String>,
    pub place: Option<String>,
    pub cell: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyLinkBody {
    pub person_id: Uuid,
    /// `same` or `related`.
    pub decision: String,
    pub relation: Option<String>,
}

impl From<&FamilyMember> for FamilyMemberBody {
    fn from(m: &FamilyMember) -> Self {
        Self {
            person_id: m.person_id,
            name: m.name.clone(),
            age: m.age,
            sex: m.sex.clone(),
            tracing_status: m.tracing_status.clone(),
            cases: m
                .cases
                .iter()
                .map(|c| FamilyCaseBody {
                    case_id: c.case_id,
                    reference: c.reference.clone(),
                    status: c.status,
                    role: c.role.clone(),
                    relation: c.relation.clone(),
                    place: c.place.clone(),
                    cell: c.cell.map(|cell| cell.to_string()),
                })
                .collect(),
            links: m
                .links
                .iter()
                .map(|l| FamilyLinkBody {
                    person_id: l.other_person_id,
                    decision: l.decision.clone(),
                    relation: l.relation.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TracingRequest {
    pub status: TracingStatus,
}

// ---- partner agencies

fn rfc3339(ms: i64) -> String {
    Timestamp(ms).to_rfc3339()
}

/// A registered partner agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerBody {
    pub partner_id: Uuid,
    pub name: String,
    pub name_ar: Option<String>,
    pub kind: opsroom_domain::partner::PartnerKind,
    pub contacts: Vec<opsroom_domain::partner::Contact>,
    pub profile: opsroom_domain::partner::DataProfile,
    /// Where the partner's webhooks go: shown to admins and to the partner itself only (a
    /// delivery target tells where the partner's systems are; operators need not know).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

impl PartnerBody {
    /// A partner as staff of `role` see it: without its delivery target unless they are admins.
    pub fn for_staff(p: &opsroom_domain::partner::Partner, role: Role) -> Self {
        let body = Self::from(p);
        if role == Role::Admin { body } else { Self { webhook_url: None, ..body } }
    }
}

/// A partner as admins and the partner itself see it, delivery target included.
impl From<&opsroom_domain::partner::Partner> for PartnerBody {
    fn from(p: &opsroom_domain::partner::Partner) -> Self {
        Self {
            partner_id: p.partner_id,
            name: p.name_en.clone(),
            name_ar: p.name_ar.clone(),
            kind: p.kind,
            contacts: p.contacts.clone(),
            profile: p.profile.clone(),
            webhook_url: p.webhook_url.clone(),
        }
    }
}

/// A partner as registered or changed; the webhook signing key appears here once, when it was
/// made (store it: it is not shown again).
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerSaved {
    #[serde(flatten)]
    pub partner: PartnerBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Days until the token expires (1 to 365; 90 if absent).
    pub expires_in_days: Option<u32>,
}

/// A new partner token: shown once, stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    pub token_id: Uuid,
    pub token: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    pub token_id: Uuid,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

impl From<&opsroom_store::TokenRow> for TokenBody {
    fn from(t: &opsroom_store::TokenRow) -> Self {
        Self {
            token_id: t.token_id,
            created_at: rfc3339(t.created_at),
            expires_at: rfc3339(t.expires_at),
            revoked_at: t.revoked_at.map(rfc3339),
        }
    }
}

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

/// A webhook item given up on after every retry (its position: the item is rebuilt from the log
/// when replayed).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterBody {
    pub dead_id: Uuid,
    pub seq: u64,
    pub attempts: u32,
    pub last_error: String,
    pub dead_at: String,
    pub replayed_at: Option<String>,
}

impl From<&opsroom_store::DeadLetter> for DeadLetterBody {
    fn from(d: &opsroom_store::DeadLetter) -> Self {
        Self {
            dead_id: d.dead_id,
            seq: d.seq,
            attempts: d.attempts,
            last_error: d.last_error.clone(),
            dead_at: rfc3339(d.dead_at),
            replayed_at: d.replayed_at.map(rfc3339),
        }
    }
}

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
    pub items: Option<Vec<crate::partner_feed::FeedItem>>,
    /// Poll again with `since` = this.
    pub next: u64,
}
