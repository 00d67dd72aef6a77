//! Opsroom's store: the event log and the tables projected from it. The only code that knows SQL.
//!
//! # Layout
//!
//! - [`Store`] (this file; the partners' and the evacuation's methods beside their code): the seam
//!   the app talks to, the same for both backends.
//! - `sql`: the two-armed layer — the only `match` on SQLite versus PostgreSQL when running SQL.
//! - `write`: what a write is — the `Write` trait every feature's commands implement, each with
//!   its own outcome; `Positions`, the only source of log positions.
//! - `writer`: the group-commit loop, written once for both backends, knowing no feature.
//! - `rows`: the event row and chunked multi-row statements every write uses (a leaf).
//! - `masks`: the needs and flags columns as bit sets (a leaf).
//! - `intake`: reports (planned and written together per batch) and imports.
//! - `workflow`: operators' actions on a case and the SLA escalation sweep.
//! - `citizens`: citizens' updates and tracking-link changes; `advisories`: advisories.
//! - `crises`: crises declared, edited and moved through their phases, and read back.
//! - `matching`: the matcher's keys, candidates, suggestions and decisions.
//! - `partners`: partner agencies — registry, tokens, referrals, webhook bookkeeping — and the
//!   facts a partner's view is cut from.
//! - `evacuation`: places, zones (and the cases they flag, on declaration and on arrival),
//!   movements, passengers, and the reads behind allocation, manifests and the day's figures.
//! - `calls`: the hotline's call log (each call an event and a row) and a number's earlier calls.
//! - `staff`: staff accounts' lifecycle (disable, enable, role, password reset, ending
//!   sessions) and the sessions themselves (opened, used, closed, listed).
//! - `shift`: shift handover notes, and the reads behind the situation report (a window of
//!   time, by index).
//! - `search`, `lists`: the search index and the board's lists and counts.
//! - `reads`: every read query, written once for both backends.
//! - [`batch`]: backend-neutral planning of a group commit: idempotency and reference checks,
//!   log positions, and the rows each table receives.
//! - `sqlite`: the embedded default (durability settings, checked at start).
//! - `postgres`: several app nodes on one database (connecting, migrating).
//! - `tailer`: follows commits made by other nodes or processes (polling; LISTEN/NOTIFY as a hint
//!   on PostgreSQL).
//! - [`model`]: what reads return and commands carry.
//! - `testing` (feature `testing`): fresh databases of either backend for tests.
//!
//! # Architecture invariants
//!
//! - Every change is an event in the `event` table, written in the same transaction as the rows
//!   it changes, with a position (`seq`) one above the previous: no gaps, and positions in commit
//!   order on both backends (they are handed out under a lock held until commit).
//! - A command's reply is sent only after its transaction committed, and after the head that live
//!   streams watch has moved past it. Nothing is published before it is durable.
//! - No SQL, and no backend-specific assumption, leaks above this crate.

mod advisories;
pub mod batch;
mod calls;
mod citizens;
mod crises;
mod evacuation;
mod intake;
mod lists;
mod masks;
mod matching;
pub mod model;
mod partners;
mod postgres;
mod reads;
mod rows;
mod search;
mod shift;
mod sql;
mod sqlite;
mod staff;
mod tailer;
#[cfg(feature = "testing")]
pub mod testing;
mod workflow;
mod write;
mod writer;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use calls::{CallCursor, CallQuery, CallRow, LogCall, LogCallOutcome};
pub use crises::{CrisisOutcome, CrisisWrite, PlaceCase, PlaceOutcome};
pub use model::*;
use sql::{Backend, Pool};
pub use staff::{AccountOutcome, AccountWrite, SessionClock, SessionRow};
use write::Write;
use writer::Queued;

/// What can go wrong below the domain: none of it is the caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database is configured in a way that would break the durability promise.
    #[error("unsafe database setting: {0}")]
    UnsafeSetting(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// The writer has stopped (shutdown in progress).
    #[error("the store is shutting down")]
    Closed,
    /// The group commit this command was part of failed; nothing of the batch was applied
    /// (but see ARCHITECTURE.md on a connection lost during COMMIT).
    #[error("the batch failed: {0}")]
    BatchFailed(String),
    /// A row that the store itself wrote could not be read back.
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Tuning of the store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most commands committed in one transaction.
    pub max_batch: usize,
    /// Connections in the read pool.
    pub read_connections: u32,
    /// How often the log head is polled for commits by other nodes or processes.
    pub poll_interval: Duration,
    /// SQLite: once the WAL holds this many bytes, the checkpointer copies the rest of it back
    /// into the database and starts it over, between two of the writer's batches, and the file
    /// is cut back to this size. It may pass it by what is written before the next checkpoint
    /// notices (about a tenth of a second).
    pub sqlite_wal_limit: u64,
    /// The first-contact clock the stored due times and urgency keys follow. `None` keeps the
    /// one the database was last opened with (the default policy for a new one), so tools that
    /// open the store beside a server (`opsroom user add`) never change it; a server passes
    /// its configured policy, and when it differs from the stored one the due times and keys of
    /// open cases are recomputed at open.
    pub sla: Option<opsroom_domain::workflow::SlaPolicy>,
}

/// The default [`StoreOptions::sqlite_wal_limit`], in MiB.
pub const DEFAULT_SQLITE_WAL_LIMIT_MIB: u64 = 32;

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_batch: 1024,
            read_connections: 4,
            poll_interval: Duration::from_millis(100),
            sqlite_wal_limit: DEFAULT_SQLITE_WAL_LIMIT_MIB * 1024 * 1024,
            sla: None,
        }
    }
}

/// The raw SQLite insert loop the benchmark compares durable ingest with.
pub use sqlite::insert_directly as sqlite_baseline_insert;

/// The store, whatever the backend. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    commands: mpsc::Sender<Queued>,
    reads: Pool,
    head: watch::Receiver<u64>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// The tailer and the time of its last successful poll.
    tailer: (JoinHandle<()>, watch::Receiver<Option<Instant>>),
    /// SQLite: the WAL checkpointer (`sqlite::spawn_checkpointer`), until the store closes.
    checkpointer: Mutex<Option<sqlite::Checkpointer>>,
    /// The SLA policy stored due times and urgency keys follow (see [`StoreOptions::sla`]).
    policy: opsroom_domain::workflow::SlaPolicy,
    /// How many migrations this binary carries for the open backend (readiness compares).
    migrations: usize,
}

/// What readiness needs to know.
#[derive(Debug, Clone)]
pub struct Readiness {
    /// Every migration this binary carries is applied.
    pub migrated: bool,
    /// The committed log head as the database reports it now.
    pub database_head: u64,
    /// The head this node has seen (and live streams follow).
    pub seen_head: u64,
    /// How long since the tailer last polled the log head successfully.
    pub since_last_poll: Duration,
}

impl Store {
    /// Open the database at `url` (`sqlite://PATH` or `postgres://…`), apply migrations and check
    /// its settings.
    pub async fn open(url: &str, options: StoreOptions) -> Result<Self> {
        let (migrations, mut writer, reads, reconnect, checkpointer, turn) = if url.starts_with("sqlite:") {
            let (writer, reads) = sqlite::open(url, &options).await?;
            let turn = writer::BatchTurn::default();
            let checkpointer = sqlite::spawn_checkpointer(url, options.sqlite_wal_limit, turn.clone()).await?;
            (sqlite::migration_count(), writer, reads, None, Some(checkpointer), Some(turn))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let (writer, reads, reconnect) = postgres::open(url, &options).await?;
            (postgres::migration_count(), writer, reads, Some(reconnect), None, None)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        // Before the writer starts: cases stored before the search index existed get their
        // terms and urgency, and a changed SLA policy its due times.
        let backend = writer.conn().backend();
        let policy = search::prepare(&mut writer.conn(), options.sla).await?;
        let head = Arc::new(watch::Sender::new(reads::log_head(&reads).await?));
        // Subscribe before the tailer starts: it stops once nobody follows the head, and a tailer
        // scheduled on another thread before anyone subscribed would stop at once, leaving the
        // node never ready and (on PostgreSQL) deaf to other nodes.
        let followers = head.subscribe();
        let (commands, queue) = mpsc::channel(writer::QUEUE_DEPTH);
        let writer =
            tokio::spawn(writer::run_writer(writer, queue, head.clone(), options.max_batch, reconnect, turn, policy));
        let tailer = tailer::spawn(reads.clone(), head.clone(), options.poll_interval);
        Ok(Self {
            inner: Arc::new(Inner {
                backend,
                commands,
                reads,
                head: followers,
                writer: Mutex::new(Some(writer)),
                tailer,
                checkpointer: Mutex::new(checkpointer),
                policy,
                migrations,
            }),
        })
    }

    /// Short name of the backend, for logs and readiness.
    pub fn backend_name(&self) -> &'static str {
        self.inner.backend.name()
    }

    /// Queue `write` for the writer; its outcome once committed.
    async fn submit<W: Write>(&self, write: W) -> Result<W::Outcome> {
        let (job, answer) = write::job(write);
        self.inner.commands.send(Queued::Job(job)).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Record a new case from a report. Idempotent when the command carries a key.
    pub async fn report_case(&self, command: ReportCase) -> Result<ReportOutcome> {
        let (reply, answer) = oneshot::channel();
        let queued = Queued::Report(Box::new(command), reply);
        self.inner.commands.send(queued).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// Record many reports at once, all or nothing: one writer command, one transaction (the
    /// rows still written in chunks), so an import cut off half-way never leaves half of it.
    /// It holds the writer while it writes, for about as long as that many reports take in
    /// group commits: keep imports to files of bounded size.
    pub async fn import_reports(&self, reports: Vec<ReportCase>) -> Result<ImportOutcome> {
        self.submit(intake::ImportReports { reports, policy: self.inner.policy }).await
    }

    pub async fn create_user(&self, user: NewUser) -> Result<UserOutcome> {
        self.submit(user).await
    }

    /// Open a session; `false` when the account was disabled or its password changed since the
    /// sign-in verified it.
    pub async fn open_session(&self, session: NewSession) -> Result<bool> {
        self.submit(session).await
    }

    pub async fn close_session(&self, token_hash: String) -> Result<()> {
        self.submit(staff::CloseSession { token_hash }).await
    }

    /// Record that a session was used at `at` (its idle timeout counts from there).
    pub async fn touch_session(&self, token_hash: String, at: i64) -> Result<()> {
        self.submit(staff::TouchSession { token_hash, at }).await
    }

    /// An admin's change to a staff account (see [`AccountWrite`]).
    pub async fn account_write(&self, write: AccountWrite) -> Result<AccountOutcome> {
        self.submit(write).await
    }

    /// The live sessions of an account at `clock`, most recently used first; `current` marks
    /// the one whose token hashes to `asked_with`.
    pub async fn sessions(&self, user_id: Uuid, clock: SessionClock, asked_with: &str) -> Result<Vec<SessionRow>> {
        staff::sessions(&self.inner.reads, user_id, clock, asked_with).await
    }

    /// Apply an operator's action to a case (optimistic concurrency on its version).
    pub async fn apply_to_case(&self, action: CaseAction) -> Result<ActionOutcome> {
        self.submit(action).await
    }

    /// Log a hotline call on its case (an event and a row, in one transaction).
    pub async fn log_call(&self, call: LogCall) -> Result<LogCallOutcome> {
        self.submit(call).await
    }

    /// Earlier calls of a number, newest first, one page.
    pub async fn calls(&self, query: &CallQuery) -> Result<Vec<CallRow>> {
        calls::calls(&self.inner.reads, query).await
    }

    /// Record a citizen's update on the case their token belongs to.
    pub async fn citizen_update(&self, command: CitizenUpdateCommand) -> Result<CitizenOutcome> {
        self.submit(command).await
    }

    /// Revoke or reissue a case's tracking link; `false` when there is no such case.
    pub async fn change_tracking_link(&self, change: TrackingLinkChange) -> Result<bool> {
        self.submit(change).await
    }

    pub async fn advisory(&self, command: AdvisoryCommand) -> Result<AdvisoryOutcome> {
        self.submit(command).await
    }

    /// File persons' keys and record suggestions, if the matcher's position is still `from_seq`.
    pub async fn record_matches(&self, record: RecordMatches) -> Result<RecordOutcome> {
        self.submit(record).await
    }

    /// An operator's decision on a suggestion, or its undoing.
    pub async fn decide_match(&self, decision: DecideMatch) -> Result<DecideOutcome> {
        self.submit(decision).await
    }

    /// Set a person's tracing status: `None` for no such person, `Some(Err)` for a refusal.
    pub async fn set_tracing(
        &self,
        set: SetTracing,
    ) -> Result<Option<std::result::Result<(), opsroom_domain::Rejected>>> {
        self.submit(set).await
    }

    /// The family view of a case: everyone linked to its persons; `None` for no such case.
    pub async fn family(&self, case_id: Uuid) -> Result<Option<Vec<FamilyMember>>> {
        matching::family(&self.inner.reads, case_id).await
    }

    /// Open suggestions per case, for the board.
    pub async fn open_match_counts(&self) -> Result<Vec<(Uuid, u32)>> {
        matching::open_match_counts(&self.inner.reads).await
    }

    /// Persons in danger for a PFIF export, in id order after `after`.
    pub async fn pfif_persons(&self, after: Option<Uuid>, limit: u32) -> Result<Vec<PfifPerson>> {
        matching::pfif_persons(&self.inner.reads, after, limit).await
    }

    /// The last log position the matcher has covered.
    pub async fn matcher_cursor(&self) -> Result<u64> {
        matching::matcher_cursor(&self.inner.reads).await
    }

    /// Known persons filed under any of `keys`, outside `exclude_case`; at most `limit`.
    pub async fn match_candidates(
        &self,
        keys: &[String],
        exclude_case: Uuid,
        limit: u32,
    ) -> Result<Vec<CandidatePerson>> {
        let rows = matching::candidates(&self.inner.reads, keys, Some(exclude_case), limit).await?;
        // A person found by several keys comes once.
        let mut persons: Vec<CandidatePerson> = Vec::with_capacity(rows.len());
        for (_, candidate) in rows {
            if !persons.iter().any(|p| p.person_id == candidate.person_id) {
                persons.push(candidate);
            }
        }
        Ok(persons)
    }

    /// Known persons filed under any of `keys`, each with the key it was found by; at most
    /// `limit` rows. One query for a whole round of new persons.
    pub async fn match_candidates_by_key(&self, keys: &[String], limit: u32) -> Result<Vec<(String, CandidatePerson)>> {
        matching::candidates(&self.inner.reads, keys, None, limit).await
    }

    /// Suggestions about a case (on either side), best first.
    pub async fn matches_for_case(&self, case_id: Uuid) -> Result<Vec<SuggestionRow>> {
        matching::matches_for_case(&self.inner.reads, case_id).await
    }

    /// The case a tracking token belongs to, by the token's hash.
    pub async fn case_by_tracking_hash(&self, token_hash: &str) -> Result<Option<Uuid>> {
        reads::case_by_tracking_hash(&self.inner.reads, token_hash).await
    }

    /// Advisories not withdrawn, in their current version, newest first.
    pub async fn advisories(&self) -> Result<Vec<opsroom_domain::advisory::Advisory>> {
        reads::advisories(&self.inner.reads).await
    }

    /// Every version of an advisory, oldest first.
    pub async fn advisory_versions(&self, advisory_id: Uuid) -> Result<Vec<opsroom_domain::advisory::Advisory>> {
        reads::advisory_versions(&self.inner.reads, advisory_id).await
    }

    /// Escalate every open case whose first-contact clock has run out; returns how many.
    pub async fn escalate_overdue(&self, sweep: EscalateOverdue) -> Result<usize> {
        self.submit(sweep).await
    }

    /// What is open now, as a handover note by `author` records it.
    pub async fn handover_figures(
        &self,
        author: Uuid,
        now_ms: i64,
        policy: &opsroom_domain::workflow::SlaPolicy,
    ) -> Result<opsroom_domain::handover::HandoverFigures> {
        shift::figures(&self.inner.reads, author, now_ms, policy).await
    }

    /// Record a shift handover note; its log position.
    pub async fn write_handover(&self, note: WriteHandover) -> Result<u64> {
        self.submit(note).await
    }

    /// Handover notes before log position `before_seq` (all when `None`), newest first.
    pub async fn handovers(&self, before_seq: Option<u64>, limit: u32) -> Result<Vec<HandoverRow>> {
        shift::handovers(&self.inner.reads, before_seq, limit).await
    }

    /// The facts a situation report of `window` counts: the cases reported in it and the
    /// workflow events recorded in it.
    pub async fn sitrep_facts(
        &self,
        window: opsroom_domain::sitrep::Window,
    ) -> Result<(Vec<opsroom_domain::sitrep::NewCaseFact>, Vec<opsroom_domain::sitrep::WorkflowFact>)> {
        Ok((
            shift::new_cases(&self.inner.reads, window).await?,
            shift::workflow_facts(&self.inner.reads, window).await?,
        ))
    }

    /// The case known by `reference`, if any.
    pub async fn case_id_by_reference(&self, reference: &opsroom_domain::reference::Reference) -> Result<Option<Uuid>> {
        reads::case_id_by_reference(&self.inner.reads, reference).await
    }

    /// Every case counted by cell, priority and status, with the log position it reflects.
    pub async fn map_snapshot(&self) -> Result<MapSnapshot> {
        reads::map_snapshot(&self.inner.reads).await
    }

    /// The supervisor's figures at `now_ms` under `policy`.
    /// The supervisor's figures, over every case or one crisis's (or the unplaced ones).
    pub async fn kpis(
        &self,
        now_ms: i64,
        policy: &opsroom_domain::workflow::SlaPolicy,
        crisis: Option<CrisisFilter>,
    ) -> Result<Kpis> {
        reads::kpis(&self.inner.reads, now_ms, policy, crisis).await
    }

    pub async fn users(&self) -> Result<Vec<UserSummary>> {
        reads::users(&self.inner.reads).await
    }

    pub async fn user_count(&self) -> Result<i64> {
        reads::user_count(&self.inner.reads).await
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>> {
        reads::user_by_name(&self.inner.reads, name).await
    }

    /// The user behind a live session: it exists, has neither expired nor idled out at `clock`,
    /// and its account is enabled.
    pub async fn session_user(&self, token_hash: &str, clock: SessionClock) -> Result<Option<SessionUser>> {
        staff::session_user(&self.inner.reads, token_hash, clock).await
    }

    /// Up to `limit` committed events with a position above `after`, in order.
    pub async fn events_after(&self, after: u64, limit: u32) -> Result<Vec<StoredEvent>> {
        reads::events_after(&self.inner.reads, after, limit).await
    }

    /// The position of the last committed event this node knows of: moved by this node's
    /// commits at once, and by other nodes' commits when the tailer sees them.
    pub fn committed_head(&self) -> watch::Receiver<u64> {
        self.inner.head.clone()
    }

    /// A page of cases matching `filter` in its sort, and how many match in all.
    ///
    /// `q` searches: a reference (forgiving case, spaces and dashes), a phone number in any
    /// format (E.164, `00…`, or national: it matches a stored number's national significant
    /// number), a passport, or names in either script (every word must match a name token of
    /// someone in the case, exactly, by prefix, or by its transliteration skeleton). Matches
    /// rank reference, then phone and passport, then exact names, then similar names; then the
    /// sort. A search considers at most [`SEARCH_CANDIDATES`] cases (see
    /// [`CasePage::total_capped`]).
    pub async fn list_cases(&self, filter: &CaseFilter) -> Result<CasePage> {
        lists::list_cases(&self.inner.reads, filter, &self.inner.policy).await
    }

    /// Cases per status for `filter` (its status, sort, cursor and limit aside), overdue ones at
    /// `filter.now_ms`, and unassigned critical open ones.
    pub async fn case_counts(&self, filter: &CaseFilter) -> Result<CaseCounts> {
        lists::case_counts(&self.inner.reads, filter, &self.inner.policy).await
    }

    /// The cases `filter` matches in its order (cursor and limit aside), at most `max`, and
    /// whether more matched.
    pub async fn export_cases(&self, filter: &CaseFilter, max: usize) -> Result<(Vec<CaseSummary>, bool)> {
        lists::export_cases(&self.inner.reads, filter, &self.inner.policy, max).await
    }

    /// The SLA policy stored due times and urgency keys follow.
    pub fn sla_policy(&self) -> opsroom_domain::workflow::SlaPolicy {
        self.inner.policy
    }

    /// The cases `filter` chooses (its page fields ignored) counted by cell at `resolution` (0
    /// to 9), priority and status, for a map that follows the board's filters.
    pub async fn map_counts(&self, filter: &CaseFilter, resolution: u8) -> Result<Vec<CellCount>> {
        lists::map_counts(&self.inner.reads, filter, &self.inner.policy, resolution).await
    }

    pub async fn case_detail(&self, case_id: Uuid) -> Result<Option<CaseDetail>> {
        reads::case_detail(&self.inner.reads, case_id).await
    }

    /// The committed log head as the database has it now (which may be ahead of
    /// [`Store::committed_head`] until the tailer's next poll).
    pub async fn database_head(&self) -> Result<u64> {
        reads::log_head(&self.inner.reads).await
    }

    /// Check the database for readiness: reachable, migrated, and followed.
    pub async fn readiness(&self) -> Result<Readiness> {
        Ok(Readiness {
            migrated: reads::applied_migrations(&self.inner.reads).await? >= self.inner.migrations as i64,
            database_head: reads::log_head(&self.inner.reads).await?,
            seen_head: *self.inner.head.borrow(),
            since_last_poll: self.inner.tailer.1.borrow().map_or(Duration::MAX, |at| at.elapsed()),
        })
    }

    /// Stop taking commands, commit what is queued and close the database.
    pub async fn close(&self, timeout: Duration) {
        let (done, finished) = oneshot::channel();
        if self.inner.commands.send(Queued::Shutdown(done)).await.is_ok() {
            let _ = tokio::time::timeout(timeout, finished).await;
        }
        if let Some(task) = self.inner.writer.lock().await.take() {
            let _ = tokio::time::timeout(timeout, task).await;
        }
        // The tailer only reads; stopping it mid-poll loses nothing.
        self.inner.tailer.0.abort();
        // With the writer closed, the checkpointer empties the WAL, so the next start has none
        // to read back (stopping it early loses nothing either: SQLite replays the WAL).
        if let Some(checkpointer) = self.inner.checkpointer.lock().await.take() {
            checkpointer.stop(timeout).await;
        }
        self.inner.reads.close().await;
    }
}
