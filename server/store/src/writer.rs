//! The group-commit writer, written once for both backends.
//!
//! One task per process owns the write connection. It takes whatever writes are waiting (up to
//! `max_batch`), commits them in one transaction, moves the committed head, then answers each
//! caller. While one commit waits on its fsync the next batch queues up, so batches grow with
//! load and no timer is needed.
//!
//! Owns the loop, not the writes: reports go to `intake` (planned together, the hot path), every
//! other write is a [`Job`] that a feature module implements through [`crate::write::Write`]
//! and that runs in its own savepoint, so an unexpected database error rolls back that write
//! alone. Must not know what any write does.
//!
//! Positions are handed out under a lock on the one-row `log_head` table, held until commit:
//! SQLite's `begin immediate` takes the database write lock, PostgreSQL's `select … for update`
//! the row lock. So positions are gap-free (a rolled-back write or batch returns its positions)
//! and in commit order across every process and node: a reader that sees position N sees
//! everything below it. Must not hold that lock across anything slow — the batch is planned
//! before `begin` where it can be, and the transaction only writes.
//!
//! On SQLite the writer takes a [`BatchTurn`] for each batch, so that the WAL checkpointer can
//! have it pause between two batches while it restarts the WAL.

use std::sync::Arc;

use opsroom_domain::workflow::SlaPolicy;
use tokio::sync::{mpsc, oneshot, watch};

use crate::model::{ReportCase, ReportOutcome};
use crate::sql::{Conn, WriterConn};
use crate::write::{Job, Positions};
use crate::{Result, StoreError, intake, search};

/// Writes waiting for the writer. Bounded so that a flood of requests waits in HTTP handlers
/// (where timeouts and limits apply) rather than growing this queue without bound.
pub(crate) const QUEUE_DEPTH: usize = 8192;

/// Channel on which PostgreSQL nodes are told (without a payload) that the log grew.
pub(crate) const NOTIFY_CHANNEL: &str = "opsroom_log";

/// What the writer's queue carries.
pub(crate) enum Queued {
    /// A report: the reports of a batch are planned and written together.
    Report(Box<ReportCase>, oneshot::Sender<Result<ReportOutcome>>),
    /// Any other write.
    Job(Box<dyn Job>),
    /// Commit everything queued before this, then stop.
    Shutdown(oneshot::Sender<()>),
}

/// One batch: its reports, then its other writes in the order they arrived.
#[derive(Default)]
struct Batch {
    reports: Vec<(Box<ReportCase>, oneshot::Sender<Result<ReportOutcome>>)>,
    jobs: Vec<Box<dyn Job>>,
}

impl Batch {
    fn len(&self) -> usize {
        self.reports.len() + self.jobs.len()
    }

    fn fail(&mut self, error: &StoreError) {
        let error = || match error {
            StoreError::Closed => StoreError::Closed,
            other => StoreError::BatchFailed(other.to_string()),
        };
        for (_, reply) in self.reports.drain(..) {
            let _ = reply.send(Err(error()));
        }
        for job in self.jobs.drain(..) {
            job.fail(error());
        }
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
    mut queue: mpsc::Receiver<Queued>,
    head: Arc<watch::Sender<u64>>,
    max_batch: usize,
    reconnect: Option<Reconnect>,
    turn: Option<BatchTurn>,
    policy: SlaPolicy,
) {
    let mut batch = Batch::default();
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
        let mut next = Some(first);
        while let Some(queued) = next.take() {
            match queued {
                Queued::Report(report, reply) => batch.reports.push((report, reply)),
                Queued::Job(job) => batch.jobs.push(job),
                // A shutdown marker ends the batch; everything queued before it is still
                // committed, everything after it is refused below.
                Queued::Shutdown(done) => {
                    shutdown = Some(done);
                    break;
                }
            }
            if batch.len() < max_batch {
                next = queue.try_recv().ok();
            }
        }
        if batch.len() == 0 {
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
            batch.fail(&error);
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
        match late {
            Queued::Report(_, reply) => drop(reply.send(Err(StoreError::Closed))),
            Queued::Job(job) => job.fail(StoreError::Closed),
            Queued::Shutdown(done) => drop(done.send(())),
        }
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

/// Commit one batch; on success move the committed head, then answer every caller (in that
/// order, so no caller can see its own position above the head).
async fn commit(conn: &mut Conn<'_>, batch: &mut Batch, head: &watch::Sender<u64>, policy: &SlaPolicy) -> Result<()> {
    conn.begin_write().await?;
    let written = match write_batch(conn, batch, policy).await {
        Ok(written) => written,
        Err(error) => {
            let _ = conn.run("rollback").await;
            return Err(error);
        }
    };
    conn.run("commit").await?;
    let (new_head, report_outcomes) = written;
    // Only now, after COMMIT returned, may anyone see these positions.
    advance(head, new_head);
    // Sent after commit so the commit never waits on NOTIFY's global lock. Losing it only
    // delays the other nodes until their next poll.
    if let Err(error) = conn.notify(NOTIFY_CHANNEL).await {
        tracing::warn!(%error, "notifying other nodes");
    }
    // `intake` answers every report of the batch, in order.
    for ((_, reply), outcome) in batch.reports.drain(..).zip(report_outcomes) {
        let _ = reply.send(Ok(outcome));
    }
    for job in batch.jobs.drain(..) {
        job.answer();
    }
    Ok(())
}

/// Everything between `begin` and `commit`: take the log head (and its lock), write the
/// reports, run each job in a savepoint, store the new head. Returns the new head and the
/// reports' outcomes (the jobs keep their own).
async fn write_batch(conn: &mut Conn<'_>, batch: &mut Batch, policy: &SlaPolicy) -> Result<(u64, Vec<ReportOutcome>)> {
    let head_sql = conn.locking("select seq from log_head");
    let statement = conn.statement(&head_sql);
    let head = conn.fetch_one(statement).await?.get::<i64>("seq")? as u64;
    let mut positions = Positions::after(head);

    let reports: Vec<&mut ReportCase> = batch.reports.iter_mut().map(|(report, _)| report.as_mut()).collect();
    let report_outcomes = intake::write_reports(conn, reports, &mut positions, policy).await?;
    for job in &mut batch.jobs {
        let mark = positions.peek();
        conn.run("savepoint one_write").await?;
        if let Err(error) = job.run(conn, &mut positions).await {
            tracing::error!(%error, "a write failed; rolled back alone");
            conn.run("rollback to savepoint one_write").await?;
            positions.rewind(mark);
            job.rolled_back(error);
        }
        conn.run("release savepoint one_write").await?;
    }

    let new_head = positions.last();
    // Every change to status, priority, first contact or escalation recorded an event about its
    // case: recompute those cases' urgency in this same transaction.
    search::refresh_touched(conn, policy, head, new_head).await?;
    if new_head != head {
        let update = conn.statement("update log_head set seq = $1").bind(new_head as i64);
        conn.execute(update).await?;
    }
    Ok((new_head, report_outcomes))
}
