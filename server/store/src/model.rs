//! What the store's commands carry and its reads return.
//!
//! Plain data, shaped for the app to map onto its wire types; secrets arrive here already
//! hashed or sealed, never in the clear.

use opsroom_domain::Rejected;
use opsroom_domain::advisory::{Advisory, AdvisoryContent};
use opsroom_domain::case::CaseStatus;
use opsroom_domain::citizen::CitizenUpdate;
use opsroom_domain::event::CaseReported;
use opsroom_domain::location::Cell;
use opsroom_domain::matching::{Decision, MatchKind, MatchReason, MatchSuggested};
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::priority::{PriorityLevel, Reason};
use opsroom_domain::report::Channel;
use opsroom_domain::report::Relation;
use opsroom_domain::user::{Role, UserName};
use opsroom_domain::workflow::{Actor, CaseCommand, SlaPolicy};
use uuid::Uuid;

/// Open a case from a report.
#[derive(Debug, Clone)]
pub struct ReportCase {
    pub event: CaseReported,
    /// Hex SHA-256 of the citizen's tracking token; the token itself is never stored.
    pub tracking_token_hash: String,
    pub idempotency: Option<IdempotencyClaim>,
}

/// An `Idempotency-Key` claim on a report.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    /// Hex SHA-256 of the key.
    pub key_hash: String,
    /// Hex SHA-256 of the canonical request body.
    pub request_hash: String,
    /// The tracking token sealed with a pad derived from the key, so a replay can answer with the
    /// same token while the database alone cannot reveal it.
    pub token_sealed: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportOutcome {
    /// The case was committed at this log position.
    Created { seq: u64 },
    /// The key was seen before with the same body: this is the case it created.
    Replayed { case_id: Uuid, token_sealed: String },
    /// The key was seen before with a different body.
    KeyReused,
    /// The randomly drawn reference is already taken; draw again.
    ReferenceTaken,
}

/// How an import of many reports ended: all of them in one transaction, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Committed together: one outcome per report, in order (`Created`, `Replayed` for a key
    /// seen before with the same body, `KeyReused`), never `ReferenceTaken`.
    Committed(Vec<ReportOutcome>),
    /// A drawn reference was already taken: nothing was written. Draw the references again.
    ReferenceTaken,
}

/// A citizen's update on the case their tracking token belongs to.
#[derive(Debug, Clone)]
pub struct CitizenUpdateCommand {
    /// Hex SHA-256 of the token the citizen presented (checked inside the transaction).
    pub token_hash: String,
    pub update: CitizenUpdate,
    /// Id of the report row the update is stored as.
    pub report_id: Uuid,
    /// When it was received (ms).
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CitizenOutcome {
    Applied {
        seq: u64,
        case_id: Uuid,
    },
    /// No case has this token (wrong, or revoked).
    NotFound,
}

/// Revoke a case's tracking link, or reissue it (a new token replaces the old).
#[derive(Debug, Clone)]
pub struct TrackingLinkChange {
    pub case_id: Uuid,
    /// Hash of the new token; for a plain revocation, of a token nobody was given.
    pub new_token_hash: String,
    /// Whether someone was given the new token (reissue) or not (revoke).
    pub reissued: bool,
    pub by: Uuid,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub enum AdvisoryCommand {
    Publish(Advisory),
    Update { advisory_id: Uuid, content: AdvisoryContent, by: Uuid, at: i64 },
    Withdraw { advisory_id: Uuid, by: Uuid, at: i64 },
}

#[derive(Debug, Clone, PartialEq)]
pub enum AdvisoryOutcome {
    /// Recorded at `seq`; this is the new version.
    Applied {
        seq: u64,
        advisory: Advisory,
    },
    NotFound,
    Refused(Rejected),
}

/// What the matcher found in the log from `from_seq` (exclusive) to `to_seq` (inclusive): the
/// keys of the persons reported there and the suggestions for them.
#[derive(Debug, Clone)]
pub struct RecordMatches {
    pub from_seq: u64,
    pub to_seq: u64,
    pub keys: Vec<FiledKey>,
    pub suggestions: Vec<MatchSuggested>,
}

/// One key a person is filed under, with where the person is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledKey {
    pub key: String,
    pub person_id: Uuid,
    pub case_id: Uuid,
    /// The case's cell for a person in danger; none for a reporter.
    pub cell: Option<Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    Recorded {
        suggested: usize,
    },
    /// Another matcher (another node) moved the position first: nothing was written.
    Stale {
        cursor: u64,
    },
}

/// A known person the matcher may compare a new one with.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidatePerson {
    pub person_id: Uuid,
    pub case_id: Uuid,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub passport: Option<String>,
    pub cell: Option<Cell>,
}

/// An operator's decision on a suggestion; `decision: None` undoes the current one.
#[derive(Debug, Clone)]
pub struct DecideMatch {
    pub suggestion_id: Uuid,
    pub decision: Option<Decision>,
    pub relation: Option<Relation>,
    pub by: Uuid,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DecideOutcome {
    Applied { seq: u64 },
    NotFound,
    Refused(Rejected),
}

/// An operator sets a person's tracing status.
#[derive(Debug, Clone)]
pub struct SetTracing {
    pub person_id: Uuid,
    pub to: opsroom_domain::tracing::TracingStatus,
    pub by: Uuid,
    pub at: i64,
}

/// A person of a family view: who, where the search stands, their cases and links.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyMember {
    pub person_id: Uuid,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<String>,
    pub tracing_status: String,
    pub cases: Vec<FamilyCase>,
    pub links: Vec<FamilyLink>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FamilyCase {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    /// `subject` or `reporter`.
    pub role: String,
    /// For a reporter: their relation to the people in danger.
    pub relation: Option<String>,
    pub place: Option<String>,
    pub cell: Option<Cell>,
}

/// An operator's confirmed link between two persons.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyLink {
    pub other_person_id: Uuid,
    /// `same` or `related`.
    pub decision: String,
    /// For `related`: what this person is to the other.
    pub relation: Option<String>,
}

/// A person in danger as a PFIF export carries them.
#[derive(Debug, Clone, PartialEq)]
pub struct PfifPerson {
    pub person_id: Uuid,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<String>,
    pub tracing_status: String,
    pub case_id: Uuid,
    pub reference: String,
    pub place: Option<String>,
    pub reported_at: i64,
    pub message: Option<String>,
    /// Persons operators confirmed to be the same person.
    pub same_as: Vec<Uuid>,
}

/// A stored suggestion and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionRow {
    pub suggestion_id: Uuid,
    pub case_id: Uuid,
    pub person_id: Uuid,
    pub other_case_id: Uuid,
    pub other_person_id: Uuid,
    pub kind: MatchKind,
    pub score: f64,
    pub reasons: Vec<MatchReason>,
    /// `open`, `same`, `related` or `not_related`.
    pub status: String,
    pub relation: Option<String>,
}

/// An operator's action on a case, based on the version of the case they saw.
#[derive(Debug, Clone)]
pub struct CaseAction {
    pub case_id: Uuid,
    pub expected_version: u32,
    pub actor: Actor,
    pub command: CaseCommand,
    /// When the action was taken (ms).
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActionOutcome {
    /// Recorded at this position; the case is now at `version`.
    Applied {
        seq: u64,
        version: u32,
    },
    /// The case changed since the caller saw it; it is now at `current_version`.
    Conflict {
        current_version: u32,
    },
    /// The workflow refuses it (see the reason).
    Refused(Rejected),
    NotFound,
}

/// Record an escalation for every open case whose first-contact clock ran out at `now`.
#[derive(Debug, Clone, Copy)]
pub struct EscalateOverdue {
    pub policy: SlaPolicy,
    pub now: i64,
    /// Most cases escalated in one go (the next tick takes the rest).
    pub limit: u32,
}

/// An operator account as others see it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    /// A disabled account cannot sign in and has no sessions.
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub user_id: Uuid,
    pub name: UserName,
    pub role: Role,
    /// PHC string (argon2id).
    pub password_hash: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserOutcome {
    Created { seq: u64 },
    NameTaken,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    /// Hex SHA-256 of the session token.
    pub token_hash: String,
    pub user_id: Uuid,
    /// The password hash the sign-in verified: the session opens only if the account still has
    /// it (and is enabled) when the session is written.
    pub password_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// Where the sign-in came from, for admins' list of sessions.
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
}

#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    pub expires_at: i64,
    /// When the session was last used (moved forward about once a minute, not every request).
    pub last_seen_at: i64,
}

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
    /// The time `sla` is evaluated at (ms).
    pub now_ms: i64,
    pub sort: CaseSort,
    /// The previous page's `next_cursor` (for the same filters and sort).
    pub cursor: Option<CaseCursor>,
    pub limit: u32,
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
    pub role: String,
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
    pub language: String,
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
    pub role: String,
    pub relation: Option<String>,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<String>,
    pub passport: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
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
    pub received_at: i64,
    /// For a citizen's update through the tracking link: its kind (`moved`, `safe`, …).
    pub update_kind: Option<String>,
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
    pub channel: String,
    pub outcome: String,
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

/// A write to the registry of partner agencies and their API tokens.
#[derive(Debug, Clone)]
pub enum RegistryWrite {
    /// Register a partner; refused with `NameTaken` when its English name is in use.
    Register {
        partner: opsroom_domain::partner::Partner,
        webhook_secret: Option<String>,
        by: Uuid,
        at: i64,
    },
    /// Replace a partner's registration. `webhook_secret` replaces the signing key when given;
    /// a partner without a webhook URL keeps no key.
    Update {
        partner: opsroom_domain::partner::Partner,
        webhook_secret: Option<String>,
        by: Uuid,
        at: i64,
    },
    IssueToken {
        partner_id: Uuid,
        token_id: Uuid,
        token_hash: String,
        expires_at: i64,
        by: Uuid,
        at: i64,
    },
    RevokeToken {
        partner_id: Uuid,
        token_id: Uuid,
        by: Uuid,
        at: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryOutcome {
    /// Done, with the position of its event.
    Applied { seq: u64 },
    /// No such partner.
    NotFound,
    /// Another partner has this English name.
    NameTaken,
}

/// A referral made to a partner, or changed by the partner or an operator.
#[derive(Debug, Clone)]
pub enum ReferralWrite {
    /// Refer a case; refused when the case lies outside the partner's region or the same request
    /// is already open with the partner.
    Refer {
        referral_id: Uuid,
        case_id: Uuid,
        partner_id: Uuid,
        request_type: opsroom_domain::partner::referral::RequestType,
        note: Option<opsroom_domain::text::Message>,
        by: Uuid,
        at: i64,
    },
    /// A partner's answer or progress, or an operator's withdrawal. A partner acting on a
    /// referral that is not its own gets `NotFound`, exactly as for one that does not exist.
    Change {
        referral_id: Uuid,
        command: opsroom_domain::partner::referral::ReferralCommand,
        actor: opsroom_domain::partner::referral::ReferralActor,
        at: i64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReferralOutcome {
    /// Done, with the position of its event.
    Applied {
        seq: u64,
    },
    /// No such case or referral (or, to a partner, not its own).
    NotFound,
    Refused(Rejected),
}

/// Raise `referral_escalated` for every referral pending since before `referred_before`;
/// answers how many.
#[derive(Debug, Clone, Copy)]
pub struct EscalateReferrals {
    pub referred_before: i64,
    pub at: i64,
}

/// The bookkeeping of a partner's webhook delivery.
#[derive(Debug, Clone)]
pub enum WebhookWrite {
    /// Take (or renew) the lease on a partner's webhook delivery for `node` until `until`;
    /// `Stale` while another node holds a live lease. One node delivers a partner's webhooks,
    /// so they go out in order.
    Lease { partner_id: Uuid, node: Uuid, until: i64, now: i64 },
    /// Move a partner's webhook cursor from `from` to `to` (refused as `Stale` if the cursor
    /// moved or `node` lost the lease), recording a dead letter for an item given up on.
    Delivered { partner_id: Uuid, node: Uuid, from: u64, to: u64, dead: Option<DeadLetter> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Recorded,
    /// The cursor had moved or the lease is another node's (another node delivers).
    Stale,
}

/// A partner page's session (the hash of its cookie), opened for a live API token or closed.
#[derive(Debug, Clone)]
pub enum PartnerSessionWrite {
    /// Sessions expired at `now` are removed.
    Open {
        session_hash: String,
        token_id: Uuid,
        expires_at: i64,
        now: i64,
    },
    Close {
        session_hash: String,
    },
}

/// A dead letter was delivered again on an admin's request; answers whether it exists.
#[derive(Debug, Clone, Copy)]
pub struct DeadLetterReplayed {
    pub dead_id: Uuid,
    pub at: i64,
}

/// A registered partner and its bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRecord {
    pub partner: opsroom_domain::partner::Partner,
    pub created_seq: u64,
    pub updated_seq: u64,
}

/// Who a live partner token belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerSession {
    pub partner: opsroom_domain::partner::Partner,
    pub token_id: Uuid,
    pub expires_at: i64,
}

/// A token as admins see it: never its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub token_id: Uuid,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A referral as the ops room sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralRow {
    pub referral_id: Uuid,
    pub case_id: Uuid,
    pub partner_id: Uuid,
    pub partner_name: String,
    pub request_type: opsroom_domain::partner::referral::RequestType,
    pub status: opsroom_domain::partner::referral::ReferralStatus,
    pub note: Option<String>,
    pub referred_by: Uuid,
    pub referred_at: i64,
    pub updated_at: i64,
    pub escalated_at: Option<i64>,
}

/// A webhook item given up on after every retry: only its position, so that a replay rebuilds
/// it under the partner's profile and access at that time and no copy of a case is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub dead_id: Uuid,
    pub partner_id: Uuid,
    pub seq: u64,
    pub attempts: u32,
    pub last_error: String,
    pub dead_at: i64,
    pub replayed_at: Option<i64>,
}

/// Where a partner's webhooks go and how far they have got.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookTarget {
    pub partner_id: Uuid,
    pub url: String,
    pub secret: String,
    pub cursor: u64,
    /// The partner registration's position: a change means a new URL, key or profile.
    pub partner_seq: u64,
}

// ---- evacuation

/// One write about evacuation logistics (places, zones, movements, passengers).
#[derive(Debug, Clone)]
pub enum EvacuationWrite {
    /// Register a place (`create`) or replace one (its version is the store's to count).
    SavePlace {
        place: opsroom_domain::evacuation::place::Place,
        create: bool,
        by: Uuid,
        at: i64,
    },
    /// Declare a zone: a danger zone flags every open case inside it.
    DeclareZone {
        zone: opsroom_domain::evacuation::zone::Zone,
        cover: opsroom_domain::evacuation::zone::ZoneCover,
        by: Uuid,
        at: i64,
    },
    /// Replace a zone's kind, names and area: cases newly inside a danger zone are flagged, those
    /// no longer inside are cleared. Refused once the zone was lifted.
    ChangeZone {
        zone: opsroom_domain::evacuation::zone::Zone,
        cover: opsroom_domain::evacuation::zone::ZoneCover,
        by: Uuid,
        at: i64,
    },
    /// Lift a zone: its cases' flags are cleared (their priority stays; a supervisor may lower it).
    LiftZone {
        zone_id: Uuid,
        by: Uuid,
        at: i64,
    },
    PlanMovement {
        movement: opsroom_domain::evacuation::movement::Movement,
        by: Uuid,
        at: i64,
    },
    /// Move a movement on; a departure also moves each case whose people have all departed to
    /// `evacuated`, through the workflow, as `by` (hence an actor).
    ChangeMovement {
        movement_id: Uuid,
        to: opsroom_domain::evacuation::movement::MovementStatus,
        by: opsroom_domain::workflow::Actor,
        at: i64,
    },
    /// Give waiting people seats on a movement (all or none).
    AssignPassengers {
        movement_id: Uuid,
        person_ids: Vec<Uuid>,
        by: Uuid,
        at: i64,
    },
    /// Set passengers' status by hand (all or none).
    SetPassengers {
        movement_id: Uuid,
        person_ids: Vec<Uuid>,
        to: opsroom_domain::evacuation::movement::PassengerStatus,
        by: Uuid,
        at: i64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum EvacuationOutcome {
    /// Done; its first event at `seq`.
    Applied {
        seq: u64,
    },
    NotFound,
    /// A rule refused it (the field says which part).
    Refused(Rejected),
}

/// A zone and how many cases its last declaration or change flagged.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneRecord {
    pub zone: opsroom_domain::evacuation::zone::Zone,
    pub flagged: u32,
    pub updated_seq: u64,
}

/// How many people a movement's passengers count per status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassengerCounts {
    pub assigned: u32,
    pub boarded: u32,
    pub departed: u32,
    pub crossed: u32,
    pub arrived_home: u32,
    pub no_show: u32,
}

impl PassengerCounts {
    /// Seats taken: everyone who holds (or held and used) one.
    pub fn seats_taken(&self) -> u32 {
        self.assigned + self.boarded + self.departed + self.crossed + self.arrived_home
    }

    pub(crate) fn add(&mut self, status: opsroom_domain::evacuation::movement::PassengerStatus, n: u32) {
        use opsroom_domain::evacuation::movement::PassengerStatus as P;
        match status {
            P::Assigned => self.assigned += n,
            P::Boarded => self.boarded += n,
            P::Departed => self.departed += n,
            P::Crossed => self.crossed += n,
            P::ArrivedHome => self.arrived_home += n,
            P::NoShow => self.no_show += n,
            P::Waiting => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MovementRecord {
    pub movement: opsroom_domain::evacuation::movement::Movement,
    pub version: u32,
    pub counts: PassengerCounts,
}

/// A person as a movement's lists show them.
#[derive(Debug, Clone, PartialEq)]
pub struct PassengerRow {
    pub person_id: Uuid,
    pub case_id: Uuid,
    pub reference: String,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<String>,
    pub passport: Option<String>,
    pub phone: Option<String>,
    pub needs: Vec<Need>,
    pub flags: Vec<Flag>,
    pub class: opsroom_domain::evacuation::allocation::PriorityClass,
    pub status: opsroom_domain::evacuation::movement::PassengerStatus,
}

/// A case awaiting evacuation near an origin: what allocation weighs, from one index entry.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingCase {
    pub case_id: Uuid,
    pub cell: Cell,
    pub class: opsroom_domain::evacuation::allocation::PriorityClass,
    pub waiting_since: i64,
    /// Its people without a seat.
    pub waiting: u32,
}

/// A person of a waiting case without a seat.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingPerson {
    pub person_id: Uuid,
    pub case_id: Uuid,
    pub reference: String,
    pub name: Option<String>,
    pub age: Option<u8>,
}

/// The day's evacuation figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvacuationSummary {
    /// People in cases awaiting evacuation without a seat, per cell (the app counts them at
    /// their nearest assembly point).
    pub waiting_by_cell: Vec<(Cell, u32)>,
    /// People holding a seat not yet departed, per origin place.
    pub assigned_by_origin: Vec<(Uuid, u32)>,
    /// Seats on movements not yet departed (planned or boarding).
    pub seats_planned: u32,
    pub counts: PassengerCounts,
}

/// A passenger's line on a manifest, rebuilt from the log.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestLine {
    pub person: opsroom_domain::event::PersonRecord,
    pub case_id: Uuid,
    pub reference: String,
    pub status: opsroom_domain::evacuation::movement::PassengerStatus,
    /// Log position of the person's last change on this movement.
    pub seq: u64,
    /// What the person's case reported: its needs and flags (the manifest's classes).
    pub needs: Vec<opsroom_domain::need::Need>,
    pub flags: Vec<opsroom_domain::need::Flag>,
}
