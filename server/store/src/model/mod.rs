//! What the store's commands carry and its reads return.
//!
//! Plain data, shaped for the app to map onto its wire types; secrets arrive here already
//! hashed or sealed, never in the clear.

use opsroom_domain::Rejected;
use opsroom_domain::advisory::{Advisory, AdvisoryContent};
use opsroom_domain::case::{CaseStatus, PersonRole};
use opsroom_domain::citizen::{CitizenUpdate, UpdateKind};
use opsroom_domain::event::CaseReported;
use opsroom_domain::location::Cell;
use opsroom_domain::matching::{Decision, MatchKind, MatchReason, MatchSuggested};
use opsroom_domain::need::{Flag, Need};
use opsroom_domain::priority::{PriorityLevel, Reason};
use opsroom_domain::report::{Channel, Language, Relation, Sex};
use opsroom_domain::tracing::TracingStatus;
use opsroom_domain::user::{Role, UserName};
use opsroom_domain::workflow::{Actor, CaseCommand, ContactChannel, ContactOutcome, SlaPolicy};
use uuid::Uuid;

mod cases;
mod evacuation;
mod partners;

pub use cases::*;
pub use evacuation::*;
pub use partners::*;

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
        advisory: Box<Advisory>,
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
    pub sex: Option<Sex>,
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
    pub sex: Option<Sex>,
    pub tracing_status: TracingStatus,
    pub cases: Vec<FamilyCase>,
    pub links: Vec<FamilyLink>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FamilyCase {
    pub case_id: Uuid,
    pub reference: String,
    pub status: CaseStatus,
    /// `subject` or `reporter`.
    pub role: PersonRole,
    /// For a reporter: their relation to the people in danger.
    pub relation: Option<Relation>,
    pub place: Option<String>,
    pub cell: Option<Cell>,
}

/// An operator's confirmed link between two persons.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyLink {
    pub other_person_id: Uuid,
    /// `same` or `related`.
    pub decision: Decision,
    /// For `related`: what this person is to the other.
    pub relation: Option<Relation>,
}

/// A person in danger as a PFIF export carries them.
#[derive(Debug, Clone, PartialEq)]
pub struct PfifPerson {
    pub person_id: Uuid,
    pub name: Option<String>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub tracing_status: TracingStatus,
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
    pub decision: Option<Decision>,
    pub relation: Option<Relation>,
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
