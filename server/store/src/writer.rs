//! The group-commit writer, written once for both backends.
//!
//! One task per process owns the write connection. It takes whatever commands are waiting (up
//! to `max_batch`), commits them in one transaction, moves the committed head, then answers each
//! command. While one commit waits on its fsync the next batch queues up, so batches grow with
//! load and no timer is needed.
//!
//! Positions are handed out under a lock on the one-row `log_head` table, held until commit:
//! SQLite's `begin immediate` takes the database write lock, PostgreSQL's `select … for update`
//! the row lock. So positions are gap-free (a rolled-back batch returns its positions) and in
//! commit order across every process and node: a reader that sees position N sees everything
//! below it. Must not hold that lock across anything slow — the batch is planned before `begin`
//! where it can be, and the transaction only writes.
//!
//! On SQLite the writer takes a [`BatchTurn`] for each batch, so that the WAL checkpointer can
//! have it pause between two batches while it restarts the WAL.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use opsroom_domain::Rejected;
use opsroom_domain::case::CaseStatus;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::{Event, UserCreated};
use opsroom_domain::priority::{self, Priority, PriorityLevel};
use opsroom_domain::reference::Reference;
use opsroom_domain::workflow::{self, CaseChange, CaseCommand, CaseState, SlaPolicy};
use sqlx::Connection as _;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

use crate::batch::{self, KnownKey, ReportBatch};
use crate::calls::{self, LogCall, LogCallOutcome};
use crate::evacuation;
use crate::matching;
use crate::model::*;
use crate::partners;
use crate::public_writes;
use crate::search;
use crate::shift;
use crate::sql::{Backend, Conn, Statement, placeholders};
use crate::staff::{self, StaffOutcome, StaffWrite};
use crate::{Result, StoreError};

/// Commands waiting for the writer. Bounded so that a flood of requests waits in HTTP handlers
/// (where timeouts and limits apply) rather than growing this queue without bound.
pub(crate) const QUEUE_DEPTH: usize = 8192;

/// Channel on which PostgreSQL nodes are told (without a payload) that the log grew.
pub(crate) const NOTIFY_CHANNEL: &str = "opsroom_log";

pub(crate) enum Command {
    ReportCase(Box<ReportCase>, oneshot::Sender<Result<ReportOutcome>>),
    /// Many reports, written together or not at all (an import).
    ImportReports(Vec<ReportCase>, oneshot::Sender<Result<ImportOutcome>>),
    CreateUser(NewUser, oneshot::Sender<Result<UserOutcome>>),
    Staff(Box<StaffWrite>, oneshot::Sender<Result<StaffOutcome>>),
    ApplyToCase(Box<CaseAction>, oneshot::Sender<Result<ActionOutcome>>),
    EscalateOverdue(EscalateOverdue, oneshot::Sender<Result<usize>>),
    CitizenUpdate(Box<CitizenUpdateCommand>, oneshot::Sender<Result<CitizenOutcome>>),
    TrackingLink(TrackingLinkChange, oneshot::Sender<Result<bool>>),
    Advisory(Box<AdvisoryCommand>, oneshot::Sender<Result<AdvisoryOutcome>>),
    RecordMatches(Box<RecordMatches>, oneshot::Sender<Result<RecordOutcome>>),
    DecideMatch(Box<DecideMatch>, oneshot::Sender<Result<DecideOutcome>>),
    SetTracing(SetTracing, oneshot::Sender<Result<Option<Result<(), Rejected>>>>),
    Partner(Box<PartnerWrite>, oneshot::Sender<Result<PartnerOutcome>>),
    Evacuation(Box<EvacuationWrite>, oneshot::Sender<Result<EvacuationOutcome>>),
    /// A shift handover note; answers its log position.
    Handover(Box<WriteHandover>, oneshot::Sender<Result<u64>>),
    LogCall(Box<LogCall>, oneshot::Sender<Result<LogCallOutcome>>),
    /// Commit everything queued before this, then stop.
    Shutdown(oneshot::Sender<()>),
}

/// The writer's own connection.
pub(crate) enum WriterConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl WriterConn {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            WriterConn::Sqlite(c) => Conn::Sqlite(c),
            WriterConn::Postgres(c) => Conn::Postgres(c),
        }
    }

    pub(crate) async fn close(self) -> Result<()> {
        match self {
            WriterConn::Sqlite(c) => c.close().await?,
            WriterConn::Postgres(c) => c.close().await?,
        }
        Ok(())
    }
}

/// Held by the writer through each batch, and by whoever needs it to pause between batches (the
/// SQLite checkpointer, to restart the WAL). Fair: a waiting holder gets it after the current
/// batch, before the next.
pub(crate) type BatchTurn = Arc<tokio::sync::Mutex<()>>;

/// After this long without a commit, the writer checks its connection before the next batch.
const IDLE_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// Reconnects the writer after its connection broke (PostgreSQL restarts, network blips).
pub(crate) type Reconnect = Box<dyn Fn() -> futures_util::future::BoxFuture<'static, Result<WriterConn>> + Send + Sync>;

/// Move the shared head forward (never back: the PostgreSQL tailer moves it too).
pub(crate) fn advance(head: &watch::Sender<u64>, to: u64) {
    head.send_if_modified(|current| {
        let moved = to > *current;
        if moved {
            *current = to;
        }
        moved
    });
}

pub(crate) async fn run_writer(
    mut conn: WriterConn,
    mut queue: mpsc::Receiver<Command>,
    head: Arc<watch::Sender<u64>>,
    max_batch: usize,
    reconnect: Option<Reconnect>,
    turn: Option<BatchTurn>,
    policy: SlaPolicy,
) {
    let mut batch = Vec::with_capacity(max_batch);
    let mut shutdown = None;
    let mut last_commit = std::time::Instant::now();
    while shutdown.is_none() {
        let Some(first) = queue.recv().await else { break };
        // Whoever waits for the turn (the checkpointer restarting the WAL) goes first; what
        // queues meanwhile joins this batch.
        let _turn = match &turn {
            Some(turn) => Some(turn.lock().await),
            None => None,
        };
        batch.push(first);
        while batch.len() < max_batch {
            match queue.try_recv() {
                Ok(command) => batch.push(command),
                Err(_) => break,
            }
        }
        // A shutdown marker ends the batch; everything queued before it is still committed.
        if let Some(pos) = batch.iter().position(|c| matches!(c, Command::Shutdown(_))) {
            if let Command::Shutdown(done) = batch.remove(pos) {
                shutdown = Some(done);
            }
            for late in batch.drain(pos..) {
                fail(late, &StoreError::Closed);
            }
        }
        if batch.is_empty() {
            continue;
        }
        // A connection idle for a while may have been dropped by the server, a pooler or a
        // firewall: check it before putting a batch of people's reports on it.
        if let Some(reconnect) = &reconnect
            && last_commit.elapsed() > IDLE_CHECK
            && !alive(&mut conn).await
        {
            match reconnect().await {
                Ok(fresh) => conn = fresh,
                Err(error) => tracing::error!(%error, "reconnecting the idle writer"),
            }
        }
        last_commit = std::time::Instant::now();
        if let Err(error) = commit(&mut conn.conn(), &mut batch, &head, &policy).await {
            tracing::error!(%error, "group commit failed; the batch was rolled back");
            for command in batch.drain(..) {
                fail(command, &error);
            }
            if let Some(reconnect) = &reconnect
                && !alive(&mut conn).await
            {
                match reconnect().await {
                    Ok(fresh) => conn = fresh,
                    Err(error) => tracing::error!(%error, "reconnecting the writer; will retry on the next batch"),
                }
            }
        }
    }
    queue.close();
    while let Ok(late) = queue.try_recv() {
        fail(late, &StoreError::Closed);
    }
    if let Err(error) = conn.close().await {
        tracing::warn!(%error, "closing the writer connection");
    }
    if let Some(done) = shutdown {
        let _ = done.send(());
    }
}

async fn alive(conn: &mut WriterConn) -> bool {
    let mut conn = conn.conn();
    let ping = conn.statement("select 1");
    conn.execute(ping).await.is_ok()
}

fn fail(command: Command, error: &StoreError) {
    let error = || match error {
        StoreError::Closed => StoreError::Closed,
        other => StoreError::BatchFailed(other.to_string()),
    };
    match command {
        Command::ReportCase(_, reply) => drop(reply.send(Err(error()))),
        Command::ImportReports(_, reply) => drop(reply.send(Err(error()))),
        Command::CreateUser(_, reply) => drop(reply.send(Err(error()))),
        Command::Staff(_, reply) => drop(reply.send(Err(error()))),
        Command::ApplyToCase(_, reply) => drop(reply.send(Err(error()))),
        Command::EscalateOverdue(_, reply) => drop(reply.send(Err(error()))),
        Command::CitizenUpdate(_, reply) => drop(reply.send(Err(error()))),
        Command::TrackingLink(_, reply) => drop(reply.send(Err(error()))),
        Command::Advisory(_, reply) => drop(reply.send(Err(error()))),
        Command::RecordMatches(_, reply) => drop(reply.send(Err(error()))),
        Command::DecideMatch(_, reply) => drop(reply.send(Err(error()))),
        Command::SetTracing(_, reply) => drop(reply.send(Err(error()))),
        Command::Partner(_, reply) => drop(reply.send(Err(error()))),
        Command::Evacuation(_, reply) => drop(reply.send(Err(error()))),
        Command::Handover(_, reply) => drop(reply.send(Err(error()))),
        Command::LogCall(_, reply) => drop(reply.send(Err(error()))),
        Command::Shutdown(done) => drop(done.send(())),
    }
}

/// Commit one batch; on success move the committed head, then answer every command (in that
/// order, so no caller can see its own position above the head).
async fn commit(
    conn: &mut Conn<'_>,
    batch: &mut Vec<Command>,
    head: &watch::Sender<u64>,
    policy: &SlaPolicy,
) -> Result<()> {
    let backend = conn.backend();
    conn.run(match backend {
        Backend::Sqlite => "begin immediate",
        Backend::Postgres => "begin",
    })
    .await?;
    let written = match write_batch(conn, batch, policy).await {
        Ok(written) => written,
        Err(error) => {
            let _ = conn.run("rollback").await;
            return Err(error);
        }
    };
    conn.run("commit").await?;
    let (new_head, outcomes) = written;
    // Only now, after COMMIT returned, may anyone see these positions.
    advance(head, new_head);
    if backend == Backend::Postgres {
        // An empty wake-up for the other nodes, sent after commit so the commit never waits on
        // NOTIFY's global lock. Losing it only delays them until their next poll.
        let notify = conn.statement("select pg_notify($1, '')").bind(NOTIFY_CHANNEL);
        if let Err(error) = conn.execute(notify).await {
            tracing::warn!(%error, "notifying other nodes");
        }
    }

    let mut report_outcomes = outcomes.reports.into_iter();
    let mut imports = outcomes.imports.into_iter();
    let mut user_outcomes = outcomes.users.into_iter();
    let mut action_outcomes = outcomes.actions.into_iter();
    let mut escalations = outcomes.escalations.into_iter();
    let mut citizen_outcomes = outcomes.citizen.into_iter();
    let mut link_outcomes = outcomes.links.into_iter();
    let mut advisory_outcomes = outcomes.advisories.into_iter();
    let mut match_records = outcomes.match_records.into_iter();
    let mut match_decisions = outcomes.match_decisions.into_iter();
    let mut tracing_outcomes = outcomes.tracing.into_iter();
    let mut partner_outcomes = outcomes.partners.into_iter();
    let mut evacuation_outcomes = outcomes.evacuation.into_iter();
    let mut staff_outcomes = outcomes.staff.into_iter();
    let mut handover_outcomes = outcomes.handovers.into_iter();
    let mut call_outcomes = outcomes.calls.into_iter();
    for command in batch.drain(..) {
        match command {
            Command::ApplyToCase(_, reply) => {
                let outcome = action_outcomes.next().expect("one outcome per action");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::EscalateOverdue(_, reply) => {
                let _ = reply.send(Ok(escalations.next().expect("one count per escalation sweep")));
            }
            Command::CitizenUpdate(_, reply) => {
                let outcome = citizen_outcomes.next().expect("one outcome per update");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::TrackingLink(_, reply) => {
                let outcome = link_outcomes.next().expect("one outcome per link change");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::Advisory(_, reply) => {
                let outcome = advisory_outcomes.next().expect("one outcome per advisory command");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::RecordMatches(_, reply) => {
                let outcome = match_records.next().expect("one outcome per match record");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::DecideMatch(_, reply) => {
                let outcome = match_decisions.next().expect("one outcome per decision");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::SetTracing(_, reply) => {
                let outcome = tracing_outcomes.next().expect("one outcome per tracing change");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::Partner(_, reply) => {
                let outcome = partner_outcomes.next().expect("one outcome per partner write");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::Evacuation(_, reply) => {
                let outcome = evacuation_outcomes.next().expect("one outcome per evacuation write");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::Staff(_, reply) => {
                let outcome = staff_outcomes.next().expect("one outcome per staff write");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::Handover(_, reply) => {
                let outcome = handover_outcomes.next().expect("one outcome per handover note");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::LogCall(_, reply) => {
                let outcome = call_outcomes.next().expect("one outcome per call");
                let _ = reply.send(outcome.map_err(StoreError::BatchFailed));
            }
            Command::ReportCase(_, reply) => {
                let _ = reply.send(Ok(report_outcomes.next().expect("one outcome per report")));
            }
            Command::ImportReports(_, reply) => {
                let _ = reply.send(Ok(imports.next().expect("one outcome per import")));
            }
            Command::CreateUser(_, reply) => {
                let _ = reply.send(Ok(user_outcomes.next().expect("one outcome per user")));
            }
            Command::Shutdown(done) => drop(done.send(())),
        }
    }
    Ok(())
}

#[derive(Default)]
struct Outcomes {
    reports: Vec<ReportOutcome>,
    imports: Vec<ImportOutcome>,
    users: Vec<UserOutcome>,
    actions: Vec<Result<ActionOutcome, String>>,
    escalations: Vec<usize>,
    citizen: Vec<Result<CitizenOutcome, String>>,
    links: Vec<Result<bool, String>>,
    advisories: Vec<Result<AdvisoryOutcome, String>>,
    match_records: Vec<Result<RecordOutcome, String>>,
    match_decisions: Vec<Result<DecideOutcome, String>>,
    tracing: Vec<Result<Option<Result<(), Rejected>>, String>>,
    partners: Vec<Result<PartnerOutcome, String>>,
    evacuation: Vec<Result<EvacuationOutcome, String>>,
    staff: Vec<Result<StaffOutcome, String>>,
    handovers: Vec<Result<u64, String>>,
    calls: Vec<Result<LogCallOutcome, String>>,
}

/// Flag the batch's reports that arrive inside a danger zone. Runs under the log-head lock, so a
/// zone declared by any node is either committed (and seen here) or not yet begun (and its
/// declaration will see these reports).
async fn flag_arrivals(conn: &mut Conn<'_>, batch: &mut [Command]) -> Result<()> {
    let mut reports: Vec<&mut opsroom_domain::event::CaseReported> = batch
        .iter_mut()
        .flat_map(|c| match c {
            Command::ReportCase(r, _) => std::slice::from_mut(r.as_mut()),
            Command::ImportReports(rs, _) => rs.as_mut_slice(),
            _ => &mut [],
        })
        .map(|r| &mut r.event)
        .collect();
    if reports.is_empty() {
        return Ok(());
    }
    evacuation::flag_arrivals(conn, &mut reports).await
}

/// Everything between `begin` and `commit`: take the log head (and its lock), write the batch,
/// store the new head. Returns the new head and each command's outcome.
async fn write_batch(conn: &mut Conn<'_>, batch: &mut [Command], policy: &SlaPolicy) -> Result<(u64, Outcomes)> {
    let head_sql = match conn.backend() {
        Backend::Sqlite => "select seq from log_head",
        Backend::Postgres => "select seq from log_head for update",
    };
    let statement = conn.statement(head_sql);
    let head = conn.fetch_one(statement).await?.get::<i64>("seq")? as u64;
    let mut next_seq = head + 1;
    let mut outcomes = Outcomes::default();
    flag_arrivals(conn, batch).await?;

    let reports: Vec<&ReportCase> =
        batch.iter().filter_map(|c| if let Command::ReportCase(r, _) = c { Some(r.as_ref()) } else { None }).collect();
    if !reports.is_empty() {
        let planned = plan_reports(conn, &reports, next_seq, policy).await?;
        write_report_rows(conn, &planned).await?;
        next_seq = planned.last_seq.map_or(next_seq, |last| last + 1);
        outcomes.reports = planned.outcomes;
    }
    // Imports after the batch's own reports, so their checks see those reports' references.
    for command in batch.iter() {
        if let Command::ImportReports(reports, _) = command {
            let reports: Vec<&ReportCase> = reports.iter().collect();
            let planned = plan_reports(conn, &reports, next_seq, policy).await?;
            if planned.outcomes.contains(&ReportOutcome::ReferenceTaken) {
                // Planned, not written: nothing of the import is in the database.
                outcomes.imports.push(ImportOutcome::ReferenceTaken);
                continue;
            }
            write_report_rows(conn, &planned).await?;
            next_seq = planned.last_seq.map_or(next_seq, |last| last + 1);
            outcomes.imports.push(ImportOutcome::Committed(planned.outcomes));
        }
    }

    for command in batch.iter() {
        match command {
            Command::CreateUser(user, _) => {
                let taken =
                    conn.statement("select count(*) as n from app_user where name = $1").bind(user.name.as_str());
                if conn.fetch_one(taken).await?.get::<i64>("n")? > 0 {
                    outcomes.users.push(UserOutcome::NameTaken);
                    continue;
                }
                let seq = next_seq;
                next_seq += 1;
                let event = Event::UserCreated(UserCreated {
                    user_id: user.user_id,
                    name: user.name.as_str().to_owned(),
                    role: user.role,
                });
                let data = event.data_json();
                let insert = conn
                    .statement(
                        "insert into event (seq, kind, case_id, recorded_at, data) values ($1, $2, null, $3, $4)",
                    )
                    .bind(seq as i64)
                    .bind(event.kind())
                    .bind(user.created_at)
                    .bind(data.as_str());
                conn.execute(insert).await?;
                let insert = conn
                    .statement(
                        "insert into app_user (user_id, name, role, password_hash, created_at, created_seq)
                         values ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(user.user_id.to_string())
                    .bind(user.name.as_str())
                    .bind(user.role.as_str())
                    .bind(user.password_hash.as_str())
                    .bind(user.created_at)
                    .bind(seq as i64);
                conn.execute(insert).await?;
                outcomes.users.push(UserOutcome::Created { seq });
            }
            Command::Staff(write, _) => {
                conn.run("savepoint one_command").await?;
                let ran = staff::write(conn, write, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(done) = &outcome {
                    next_seq += done.events();
                }
                outcomes.staff.push(outcome);
            }
            Command::ApplyToCase(action, _) => {
                conn.run("savepoint one_command").await?;
                let ran = apply_to_case(conn, action, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(ActionOutcome::Applied { seq, .. }) = &outcome {
                    next_seq = seq + 1;
                }
                outcomes.actions.push(outcome);
            }
            Command::CitizenUpdate(update, _) => {
                conn.run("savepoint one_command").await?;
                let ran = public_writes::citizen_update(conn, update, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(CitizenOutcome::Applied { .. }) = &outcome {
                    next_seq += 1;
                }
                outcomes.citizen.push(outcome);
            }
            Command::TrackingLink(change, _) => {
                conn.run("savepoint one_command").await?;
                let ran = public_writes::change_tracking_link(conn, change, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(true) = &outcome {
                    next_seq += 1;
                }
                outcomes.links.push(outcome);
            }
            Command::Advisory(command, _) => {
                conn.run("savepoint one_command").await?;
                let ran = public_writes::advisory(conn, command, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(AdvisoryOutcome::Applied { .. }) = &outcome {
                    next_seq += 1;
                }
                outcomes.advisories.push(outcome);
            }
            Command::RecordMatches(record, _) => {
                conn.run("savepoint one_command").await?;
                let ran = matching::record_matches(conn, record, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(RecordOutcome::Recorded { suggested }) = &outcome {
                    next_seq += *suggested as u64;
                }
                outcomes.match_records.push(outcome);
            }
            Command::DecideMatch(decision, _) => {
                conn.run("savepoint one_command").await?;
                let ran = matching::decide(conn, decision, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(DecideOutcome::Applied { .. }) = &outcome {
                    next_seq += 1;
                }
                outcomes.match_decisions.push(outcome);
            }
            Command::SetTracing(set, _) => {
                conn.run("savepoint one_command").await?;
                let ran = matching::set_tracing(conn, set, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(Some(Ok(()))) = &outcome {
                    next_seq += 1;
                }
                outcomes.tracing.push(outcome);
            }
            Command::Partner(write, _) => {
                conn.run("savepoint one_command").await?;
                let ran = partners::write(conn, write, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(done) = &outcome {
                    next_seq += done.events();
                }
                outcomes.partners.push(outcome);
            }
            Command::Evacuation(write, _) => {
                conn.run("savepoint one_command").await?;
                let ran = evacuation::write(conn, write, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(done) = &outcome {
                    next_seq += done.events();
                }
                outcomes.evacuation.push(outcome);
            }
            Command::Handover(note, _) => {
                conn.run("savepoint one_command").await?;
                let ran = shift::write(conn, note, next_seq).await.map(|()| next_seq);
                let outcome = settle(conn, ran).await?;
                if outcome.is_ok() {
                    next_seq += 1;
                }
                outcomes.handovers.push(outcome);
            }
            Command::LogCall(call, _) => {
                conn.run("savepoint one_command").await?;
                let ran = calls::log_call(conn, call, next_seq).await;
                let outcome = settle(conn, ran).await?;
                if let Ok(LogCallOutcome::Logged { .. }) = &outcome {
                    next_seq += 1;
                }
                outcomes.calls.push(outcome);
            }
            Command::EscalateOverdue(sweep, _) => {
                let escalated = escalate_overdue(conn, sweep, next_seq).await?;
                next_seq += escalated as u64;
                outcomes.escalations.push(escalated);
            }
            Command::ReportCase(..) | Command::ImportReports(..) | Command::Shutdown(_) => {}
        }
    }

    let new_head = next_seq - 1;
    // Every change to status, priority, first contact or escalation recorded an event about its
    // case: recompute those cases' urgency in this same transaction.
    search::refresh_touched(conn, policy, head, new_head).await?;
    if new_head != head {
        let update = conn.statement("update log_head set seq = $1").bind(new_head as i64);
        conn.execute(update).await?;
    }
    Ok((new_head, outcomes))
}

/// End the savepoint a single command ran in (`savepoint one_command`): an unexpected database
/// error rolls back that command alone, not the reports and actions of everyone else in the batch.
async fn settle<T>(conn: &mut Conn<'_>, outcome: Result<T>) -> Result<Result<T, String>> {
    if let Err(error) = &outcome {
        tracing::error!(%error, "a command failed; rolled back alone");
        conn.run("rollback to savepoint one_command").await?;
    }
    conn.run("release savepoint one_command").await?;
    Ok(outcome.map_err(|e| e.to_string()))
}

/// Insert one event row at `seq`.
pub(crate) async fn insert_event(conn: &mut Conn<'_>, seq: u64, event: &Event, recorded_at: i64) -> Result<()> {
    let data = event.data_json();
    let case_id = event.case_id().map(|id| id.to_string());
    let insert = conn
        .statement("insert into event (seq, kind, case_id, recorded_at, data) values ($1, $2, $3, $4, $5)")
        .bind(seq as i64)
        .bind(event.kind())
        .bind(case_id)
        .bind(recorded_at)
        .bind(data.as_str());
    conn.execute(insert).await.map(drop)
}

const STATE_COLUMNS: &str =
    "case_id, cell, status, assigned_to, priority_level, reported_at, first_contact_at, escalated_at, version";

/// The workflow's view of a case row selected with [`STATE_COLUMNS`], and its version.
fn case_state(row: &crate::sql::Row) -> Result<(CaseState, u32)> {
    let status: String = row.get("status")?;
    let priority: String = row.get("priority_level")?;
    let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("{what}: {value}"));
    let state = CaseState {
        case_id: crate::reads::uuid_col(row, "case_id")?,
        cell: crate::reads::cell_col(row)?,
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        assigned_to: row
            .get::<Option<String>>("assigned_to")?
            .map(|id| Uuid::parse_str(&id).map_err(|_| corrupt("assigned_to", &id)))
            .transpose()?,
        priority: PriorityLevel::parse(&priority).ok_or_else(|| corrupt("priority_level", &priority))?,
        reported_at: Timestamp::from_millis(row.get("reported_at")?),
        first_contact_at: row.get::<Option<i64>>("first_contact_at")?.map(Timestamp::from_millis),
        escalated: row.get::<Option<i64>>("escalated_at")?.is_some(),
    };
    Ok((state, row.get::<i64>("version")? as u32))
}

async fn exists(conn: &mut Conn<'_>, sql: &str, id: Uuid) -> Result<bool> {
    let statement = conn.statement(sql).bind(id.to_string());
    Ok(conn.fetch_one(statement).await?.get::<i64>("n")? > 0)
}

/// Check the version, ask the workflow, and record what it decides at `seq`.
pub(crate) async fn apply_to_case(conn: &mut Conn<'_>, action: &CaseAction, seq: u64) -> Result<ActionOutcome> {
    let case_id = action.case_id.to_string();
    let sql = format!("select {STATE_COLUMNS} from case_file where case_id = $1");
    let statement = conn.statement(&sql).bind(case_id.as_str());
    let Some(row) = conn.fetch_optional(statement).await? else { return Ok(ActionOutcome::NotFound) };
    let (state, version) = case_state(&row)?;
    if version != action.expected_version {
        return Ok(ActionOutcome::Conflict { current_version: version });
    }
    // References the pure rules cannot check.
    match &action.command {
        CaseCommand::Assign { to: Some(user) }
            if !exists(
                conn,
                "select count(*) as n from app_user where user_id = $1 and disabled_at is null",
                *user,
            )
            .await? =>
        {
            let refused = Rejected::new("unknown_user", "user_id", "no such user, or the account is disabled");
            return Ok(ActionOutcome::Refused(refused));
        }
        _ => {}
    }
    // The original of a duplicate must exist; its reference goes into the event for readers.
    let mut original_reference = None;
    if let CaseCommand::ChangeStatus { duplicate_of: Some(other), .. } = &action.command {
        let statement = conn.statement("select reference from case_file where case_id = $1").bind(other.to_string());
        let Some(row) = conn.fetch_optional(statement).await? else {
            return Ok(ActionOutcome::Refused(Rejected::new("unknown_case", "duplicate_of", "no such case")));
        };
        let reference: String = row.get("reference")?;
        original_reference = Some(Reference::parse(&reference).map_err(|_| StoreError::Corrupt(reference))?);
    }
    let now = Timestamp::from_millis(action.at);
    let mut change = match workflow::decide(&state, action.actor, action.command.clone(), now) {
        Ok(change) => change,
        Err(rejected) => return Ok(ActionOutcome::Refused(rejected)),
    };
    if let CaseChange::StatusChanged(changed) = &mut change {
        changed.duplicate_of_reference = original_reference;
    }

    // The event first: the rows below refer to its position.
    let event = Event::from(change.clone());
    insert_event(conn, seq, &event, action.at).await?;
    let mut update = String::from("update case_file set version = version + 1, updated_seq = $1");
    let by = action.actor.user_id.to_string();
    let statement = match &change {
        CaseChange::StatusChanged(c) => {
            update.push_str(", status = $2 where case_id = $3");
            conn.statement(&update).bind(seq as i64).bind(c.to.as_str())
        }
        CaseChange::CaseAssigned(c) => {
            update.push_str(", assigned_to = $2 where case_id = $3");
            conn.statement(&update).bind(seq as i64).bind(c.to.map(|u| u.to_string()))
        }
        CaseChange::PriorityOverridden(c) => {
            update.push_str(", priority_level = $2, priority_override_reason = $3 where case_id = $4");
            conn.statement(&update).bind(seq as i64).bind(c.to.as_str()).bind(c.reason.as_str())
        }
        CaseChange::ContactRecorded(c) => {
            update.push_str(", first_contact_at = coalesce(first_contact_at, $2) where case_id = $3");
            conn.statement(&update).bind(seq as i64).bind(c.first_contact_after_ms.map(|_| c.at.millis()))
        }
        CaseChange::NoteAdded(_) => {
            update.push_str(" where case_id = $2");
            conn.statement(&update).bind(seq as i64)
        }
    };
    conn.execute(statement.bind(case_id.as_str())).await?;
    match &change {
        CaseChange::NoteAdded(n) => {
            let insert = conn
                .statement(
                    "insert into note (note_id, case_id, seq, author_id, text, created_at) values ($1, $2, $3, $4, $5, $6)",
                )
                .bind(n.note_id.to_string())
                .bind(case_id.as_str())
                .bind(seq as i64)
                .bind(by.as_str())
                .bind(n.text.as_str())
                .bind(n.at.millis());
            conn.execute(insert).await?;
        }
        CaseChange::ContactRecorded(c) => {
            let insert = conn
                .statement(
                    "insert into contact_attempt (contact_id, case_id, seq, author_id, channel, outcome, note, created_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(c.contact_id.to_string())
                .bind(case_id.as_str())
                .bind(seq as i64)
                .bind(by.as_str())
                .bind(opsroom_domain::wire_name(c.channel))
                .bind(opsroom_domain::wire_name(c.outcome))
                .bind(c.note.as_deref())
                .bind(c.at.millis());
            conn.execute(insert).await?;
        }
        _ => {}
    }
    Ok(ActionOutcome::Applied { seq, version: version + 1 })
}

/// Escalate open cases whose first-contact clock ran out; positions from `first_seq`.
async fn escalate_overdue(conn: &mut Conn<'_>, sweep: &EscalateOverdue, first_seq: u64) -> Result<usize> {
    // The shortest clock bounds which cases can be overdue at all; the policy decides per case.
    let shortest = [PriorityLevel::Critical, PriorityLevel::High, PriorityLevel::Normal, PriorityLevel::Low]
        .into_iter()
        .map(|level| sweep.policy.minutes(level))
        .min()
        .unwrap_or(0);
    let sql = format!(
        "select {STATE_COLUMNS}, priority_score, priority_reasons, priority_override_reason from case_file
          where first_contact_at is null and escalated_at is null and reported_at <= $1
            and status not in {FINISHED}
          order by reported_at limit $2",
        FINISHED = crate::reads::FINISHED
    );
    let statement = conn.statement(&sql).bind(sweep.now - i64::from(shortest) * 60_000).bind(i64::from(sweep.limit));
    let rows = conn.fetch_all(statement).await?;
    let now = Timestamp::from_millis(sweep.now);
    let mut seq = first_seq;
    for row in &rows {
        let (state, _) = case_state(row)?;
        let Some(mut breach) = sweep.policy.escalation(&state, now) else { continue };
        // Waiting raises the priority, unless a supervisor set it by hand.
        let overridden = row.get::<Option<String>>("priority_override_reason")?.is_some();
        let reasons: String = row.get("priority_reasons")?;
        let current = Priority {
            level: state.priority,
            score: row.get::<i64>("priority_score")? as u32,
            reasons: serde_json::from_str(&reasons)
                .map_err(|e| StoreError::Corrupt(format!("priority_reasons: {e}")))?,
        };
        let raised = if overridden { None } else { priority::raise_for_waiting(&current) };
        breach.raised_to = raised.as_ref().map(|p| p.level).filter(|level| *level != state.priority);
        insert_event(conn, seq, &Event::SlaBreached(breach), sweep.now).await?;
        let priority = raised.unwrap_or(current);
        // Escalation is not an operator's edit: it does not bump the version, so nobody's
        // pending change gets a conflict because the clock ran out.
        let update = conn
            .statement(
                "update case_file set escalated_at = $1, updated_seq = $2, priority_level = $3, priority_score = $4,
                        priority_reasons = $5
                  where case_id = $6",
            )
            .bind(sweep.now)
            .bind(seq as i64)
            .bind(priority.level.as_str())
            .bind(i64::from(priority.score))
            .bind(serde_json::to_string(&priority.reasons).expect("reasons serialize"))
            .bind(state.case_id.to_string());
        conn.execute(update).await?;
        seq += 1;
    }
    Ok((seq - first_seq) as usize)
}

/// Look up the batch's idempotency keys and references in one query each, then plan.
async fn plan_reports<'a>(
    conn: &mut Conn<'_>,
    reports: &[&'a ReportCase],
    first_seq: u64,
    policy: &SlaPolicy,
) -> Result<ReportBatch<'a>> {
    let keys: Vec<&str> = reports.iter().filter_map(|r| r.idempotency.as_ref().map(|c| c.key_hash.as_str())).collect();
    let sql = "select key_hash, request_hash, case_id, token_sealed from idempotency where key_hash in";
    let mut known_keys = HashMap::new();
    for row in fetch_in(conn, sql, &keys).await? {
        known_keys.insert(
            row.get::<String>("key_hash")?,
            KnownKey {
                request_hash: row.get("request_hash")?,
                case_id: crate::reads::uuid_col(&row, "case_id")?,
                token_sealed: row.get("token_sealed")?,
            },
        );
    }
    let references: Vec<&str> = reports.iter().map(|r| r.event.reference.as_str()).collect();
    let sql = "select reference from case_file where reference in";
    let taken: HashSet<String> =
        fetch_in(conn, sql, &references).await?.iter().map(|row| row.get("reference")).collect::<Result<_>>()?;
    Ok(batch::plan_reports(reports, &known_keys, &taken, first_seq, policy))
}

/// Most values one lookup binds: a whole batch of commands in one statement, while an import of
/// tens of thousands of reports stays below both backends' limits on bound values.
const LOOKUP_CHUNK: usize = 1024;

/// The rows of `sql` (which ends in `in`) for each of `values`, [`LOOKUP_CHUNK`] values per
/// statement.
async fn fetch_in(conn: &mut Conn<'_>, sql: &str, values: &[&str]) -> Result<Vec<crate::sql::Row>> {
    let mut rows = Vec::new();
    for chunk in values.chunks(LOOKUP_CHUNK) {
        let sql = format!("{sql} {}", placeholders(conn.backend(), 0, chunk.len()));
        let statement = chunk.iter().fold(conn.statement(&sql).persistent(false), |s, value| s.bind(*value));
        rows.extend(conn.fetch_all(statement).await?);
    }
    Ok(rows)
}

/// Rows per multi-row insert. A batch is cut into chunks of 64, 32, …, 1 rows, so each table
/// needs at most seven distinct statements and all of them stay in the statement cache.
const CHUNK: usize = 64;

/// Insert `rows` with multi-row `insert … values (…), (…)` statements of `columns` columns,
/// `bind` binding one row's values in column order.
pub(crate) async fn insert_rows<T>(
    conn: &mut Conn<'_>,
    head: &str,
    columns: usize,
    rows: &[T],
    bind: impl for<'s> Fn(Statement<'s>, &'s T) -> Statement<'s>,
) -> Result<()> {
    per_chunk(conn, &format!("{head} values {VALUES}"), columns, rows, bind).await.map(drop)
}

/// Where [`per_chunk`] puts a chunk's `(…), (…)` list in its SQL.
pub(crate) const VALUES: &str = "{values}";

/// Run `sql` once per chunk of `rows`, its [`VALUES`] replaced by the chunk's rows of `columns`
/// placeholders (`bind` binds one row's values in column order); returns every row fetched. For
/// multi-row inserts, set updates (`update … from (values …)`) and lookups joined against a
/// list, so that a thousand rows cost a handful of statements.
pub(crate) async fn per_chunk<T>(
    conn: &mut Conn<'_>,
    sql: &str,
    columns: usize,
    rows: &[T],
    bind: impl for<'s> Fn(Statement<'s>, &'s T) -> Statement<'s>,
) -> Result<Vec<crate::sql::Row>> {
    let mut fetched = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let size = if rest.len() >= CHUNK { CHUNK } else { 1 << rest.len().ilog2() };
        let (chunk, tail) = rest.split_at(size);
        let text = chunk_text(conn.backend(), sql, columns, size);
        let statement = chunk.iter().fold(conn.statement(&text), &bind);
        fetched.extend(conn.fetch_all(statement).await?);
        rest = tail;
    }
    Ok(fetched)
}

/// The text of `sql` for a `size`-row chunk, built once per (backend, statement, size) and then
/// reused: drivers cache prepared statements by text, and building 1,400 placeholders per chunk
/// showed in the benchmark.
fn chunk_text(backend: Backend, sql: &str, columns: usize, size: usize) -> Arc<str> {
    use std::sync::{LazyLock, Mutex};
    type Key = (Backend, String, usize);
    static TEXTS: LazyLock<Mutex<HashMap<Key, Arc<str>>>> = LazyLock::new(Default::default);
    let key = (backend, sql.to_owned(), size);
    let mut texts = TEXTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    texts
        .entry(key)
        .or_insert_with(|| {
            let values: Vec<String> = (0..size).map(|row| placeholders(backend, row * columns, columns)).collect();
            sql.replace(VALUES, &values.join(", ")).into()
        })
        .clone()
}

/// Write a planned batch's rows, a few multi-row statements per table.
pub(crate) async fn write_report_rows(conn: &mut Conn<'_>, planned: &ReportBatch<'_>) -> Result<()> {
    insert_rows(conn, "insert into event (seq, kind, case_id, recorded_at, data)", 5, &planned.events, |s, e| {
        s.bind(e.seq as i64).bind(e.kind).bind(e.case_id.as_deref()).bind(e.recorded_at).bind(e.data.as_str())
    })
    .await?;
    insert_rows(
        conn,
        "insert into case_file (case_id, reference, tracking_token_hash, status, priority_level, priority_score,
             priority_reasons, needs, flags, channel, language, lat, lon, accuracy_m, place, cell, message,
             people_count, reported_at, created_seq, updated_seq, version, danger_zone_id, age_marks, sla_due_at,
             urgency)",
        26,
        &planned.cases,
        |s, c| {
            s.bind(c.case_id.as_str())
                .bind(c.reference)
                .bind(c.tracking_token_hash)
                .bind(c.status)
                .bind(c.priority_level)
                .bind(i64::from(c.priority_score))
                .bind(c.priority_reasons.as_str())
                .bind(c.needs)
                .bind(c.flags)
                .bind(c.channel)
                .bind(c.language)
                .bind(c.lat)
                .bind(c.lon)
                .bind(c.accuracy_m)
                .bind(c.place)
                .bind(c.cell)
                .bind(c.message)
                .bind(c.people_count as i64)
                .bind(c.reported_at)
                .bind(c.seq as i64)
                .bind(c.seq as i64)
                .bind(1i64)
                .bind(c.danger_zone.as_deref())
                .bind(c.age_marks)
                .bind(c.sla_due_at)
                .bind(c.urgency)
        },
    )
    .await?;
    insert_rows(
        conn,
        "insert into person (person_id, name, age, sex, passport, phone, created_seq)",
        7,
        &planned.persons,
        |s, p| {
            s.bind(p.person_id.as_str())
                .bind(p.name)
                .bind(p.age.map(i64::from))
                .bind(p.sex)
                .bind(p.passport)
                .bind(p.phone)
                .bind(p.seq as i64)
        },
    )
    .await?;
    insert_rows(
        conn,
        "insert into case_person (case_id, person_id, role, relation, position)",
        5,
        &planned.persons,
        |s, p| {
            s.bind(p.case_id.as_str()).bind(p.person_id.as_str()).bind(p.role).bind(p.relation).bind(p.position as i64)
        },
    )
    .await?;
    search::insert_terms(conn, &planned.terms).await?;
    insert_rows(
        conn,
        "insert into report (report_id, case_id, seq, channel, language, reporter_person_id, reporter_place,
             lat, lon, accuracy_m, place, cell, needs, flags, message, received_at, taken_by)",
        17,
        &planned.reports,
        |s, r| {
            s.bind(r.report_id.as_str())
                .bind(r.case_id.as_str())
                .bind(r.seq as i64)
                .bind(r.channel)
                .bind(r.language)
                .bind(r.reporter_person_id.as_deref())
                .bind(r.reporter_place)
                .bind(r.lat)
                .bind(r.lon)
                .bind(r.accuracy_m)
                .bind(r.place)
                .bind(r.cell)
                .bind(r.needs)
                .bind(r.flags)
                .bind(r.message)
                .bind(r.received_at)
                .bind(r.taken_by.as_deref())
        },
    )
    .await?;
    insert_rows(
        conn,
        "insert into idempotency (key_hash, request_hash, case_id, token_sealed, created_at)",
        5,
        &planned.idempotency,
        |s, i| s.bind(i.key_hash).bind(i.request_hash).bind(i.case_id.as_str()).bind(i.token_sealed).bind(i.created_at),
    )
    .await
}
