//! The embedded SQLite backend: opening the file with settings that make a commit durable.
//!
//! Owns the connection settings (`journal_mode=WAL` and `synchronous=FULL`, set explicitly and
//! checked at start, not just requested), the WAL checkpointer that keeps the WAL bounded, the
//! SQLite migrations and the raw insert loop the benchmark compares with. Everything else is
//! shared with PostgreSQL (`writer`, `reads`).

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

use crate::intake::write_report_rows;
use crate::model::ReportCase;
use crate::sql::WriterConn;
use crate::sql::{Conn, Pool};
use crate::writer::BatchTurn;
use crate::{Result, StoreError, StoreOptions, batch};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Settings every connection gets. Durability settings are set explicitly, never inherited.
fn connect_options(url: &str) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5)))
}

/// The writer's connection: also a larger page cache, and no checkpoint of its own: a commit
/// that crosses the checkpoint threshold would copy the whole WAL back into the database before
/// it returns (hundreds of milliseconds after a large batch, such as a danger zone flagging
/// thousands of cases), holding every writer up. [`spawn_checkpointer`] does it beside. When
/// the WAL has been started over, the writer's first commit cuts the file back to `wal_limit`
/// bytes (`journal_size_limit`), so it gives back what it grew past the limit.
async fn writer_connection(url: &str, wal_limit: u64) -> Result<SqliteConnection> {
    Ok(connect_options(url)?
        .create_if_missing(true)
        .pragma("cache_size", "-65536")
        .pragma("wal_autocheckpoint", "0")
        .pragma("journal_size_limit", wal_limit.to_string())
        .connect()
        .await?)
}

/// How often the checkpointer copies the WAL back into the database and looks at its size.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Longest a WAL restart waits for reads that began before it to finish. Writers wait that long
/// at most (plus the frames left to copy); a restart that could not finish is tried again at
/// the next tick.
const RESTART_WAIT: Duration = Duration::from_millis(50);

/// Failed restarts in a row after which a warning names the WAL's size (then every minute).
const WARN_AFTER_FAILED_RESTARTS: u32 = 100;

/// Keep the WAL small, on a connection of its own, every [`CHECKPOINT_EVERY`]:
///
/// - A passive checkpoint copies what it can back into the database; it waits for no one and no
///   one waits for it, so the writer's commits stay short.
/// - Passive checkpoints never start the WAL over while writes never stop: SQLite restarts it
///   only when every frame has been copied back and no reader still reads an old one, and a
///   busy writer has always appended more by then. So once the WAL holds `limit` bytes of
///   frames, right after a passive checkpoint that caught up within its tick, a second one
///   copies what came in meanwhile; then the checkpointer takes the writer's [`BatchTurn`] (the
///   writer pauses between two batches), copies the last batch's frames and restarts the WAL
///   (`wal_checkpoint(restart)`), waiting at most [`RESTART_WAIT`] for reads that began before
///   it. The writer's next commit writes from the WAL's start again and cuts the file back to
///   `limit` (see [`writer_connection`]). Reads that begin after the restart read the database
///   file, so only a read already running can hold one up, and none runs for long: every read
///   is one bounded query.
///
/// When stopped ([`Checkpointer::stop`], after the writer closed) it copies back and truncates
/// the whole WAL: the last connection to close would otherwise leave it as it is when that is a
/// read-only one, and the next start would read all of it back.
///
/// Durability does not depend on it: a commit is durable once its WAL frames are synced, and a
/// kill during a checkpoint leaves a WAL that SQLite replays at the next open. A small WAL also
/// keeps that open short (SQLite reads the whole WAL to rebuild its index).
pub(crate) async fn spawn_checkpointer(url: &str, limit: u64, turn: BatchTurn) -> Result<Checkpointer> {
    let mut conn = connect_options(url)?.busy_timeout(RESTART_WAIT).connect().await?;
    // Each frame is a page and a 24-byte header.
    let frame_bytes = sqlx::query_scalar::<_, i64>("pragma page_size").fetch_one(&mut conn).await? as u64 + 24;
    let (stop, mut stopped) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failed_restarts = 0u32;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = &mut stopped => break,
            }
            let started = Instant::now();
            let wal_bytes = match checkpoint(&mut conn, "passive").await {
                Ok(passive) => passive.frames * frame_bytes,
                Err(error) => {
                    tracing::warn!(%error, "checkpointing the WAL");
                    continue;
                }
            };
            // One that took its whole tick left a tick's writes to copy: the next one first.
            if wal_bytes < limit || started.elapsed() >= CHECKPOINT_EVERY {
                continue;
            }
            if let Err(error) = checkpoint(&mut conn, "passive").await {
                tracing::warn!(%error, "checkpointing the WAL");
                continue;
            }
            let restart = {
                let _writer_paused = turn.lock().await;
                checkpoint(&mut conn, "restart").await
            };
            match restart {
                Ok(Checkpoint { finished: true, .. }) => failed_restarts = 0,
                Ok(Checkpoint { finished: false, .. }) => {
                    failed_restarts += 1;
                    if failed_restarts % 600 == WARN_AFTER_FAILED_RESTARTS {
                        tracing::warn!(
                            wal_bytes,
                            failed_restarts,
                            "long reads keep the WAL from restarting; it grows until they end"
                        );
                    }
                }
                Err(error) => tracing::warn!(%error, "restarting the WAL"),
            }
        }
        if let Err(error) = checkpoint(&mut conn, "truncate").await {
            tracing::warn!(%error, "truncating the WAL at close");
        }
        if let Err(error) = conn.close().await {
            tracing::warn!(%error, "closing the checkpointer's connection");
        }
    });
    Ok(Checkpointer { task, stop })
}

/// The running checkpointer ([`spawn_checkpointer`]).
pub(crate) struct Checkpointer {
    task: tokio::task::JoinHandle<()>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Checkpointer {
    /// Truncate the WAL and close the connection; give up after `timeout`.
    pub(crate) async fn stop(self, timeout: Duration) {
        let _ = self.stop.send(());
        let abort = self.task.abort_handle();
        if tokio::time::timeout(timeout, self.task).await.is_err() {
            abort.abort();
        }
    }
}

/// What `pragma wal_checkpoint` answers.
struct Checkpoint {
    /// It did all its mode asks (SQLite answers busy when a reader or writer kept it from it).
    finished: bool,
    /// Frames in the WAL.
    frames: u64,
}

async fn checkpoint(conn: &mut SqliteConnection, mode: &str) -> Result<Checkpoint> {
    let (busy, frames, _copied): (i64, i64, i64) =
        sqlx::query_as(&format!("pragma wal_checkpoint({mode})")).fetch_one(conn).await?;
    Ok(Checkpoint { finished: busy == 0, frames: frames.max(0) as u64 })
}

/// Open (creating if needed) the database file, migrate it and check its durability settings.
pub(crate) async fn open(url: &str, options: &StoreOptions) -> Result<(WriterConn, Pool)> {
    let base = connect_options(url)?;
    if let Some(parent) = base.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    }
    let mut writer = writer_connection(url, options.sqlite_wal_limit).await?;
    MIGRATOR.run_direct(&mut writer).await?;
    check_durability(&mut writer).await?;
    let reads =
        SqlitePoolOptions::new().max_connections(options.read_connections).connect_with(base.read_only(true)).await?;
    Ok((WriterConn::Sqlite(writer), Pool::Sqlite(reads)))
}

/// How many migrations this binary carries (readiness compares with what the database applied).
pub(crate) fn migration_count() -> usize {
    MIGRATOR.iter().count()
}

/// Refuse to run if the database would not keep the durability promise of a 201.
async fn check_durability(conn: &mut SqliteConnection) -> Result<()> {
    let journal: String = sqlx::query_scalar("pragma journal_mode").fetch_one(&mut *conn).await?;
    if !journal.eq_ignore_ascii_case("wal") {
        return Err(StoreError::UnsafeSetting(format!("journal_mode is {journal}, expected wal")));
    }
    let synchronous: i64 = sqlx::query_scalar("pragma synchronous").fetch_one(&mut *conn).await?;
    // 2 = FULL, 3 = EXTRA; both fsync the WAL at every commit.
    if synchronous < 2 {
        return Err(StoreError::UnsafeSetting(format!("synchronous is {synchronous}, expected 2 (FULL)")));
    }
    Ok(())
}

/// The benchmark's baseline: insert `commands` into a fresh database at `url` straight from a
/// loop, `batch_size` reports per durable transaction, with the same rows and statements as the
/// writer but no queue, no lookups and no HTTP. Returns the time spent in the loop.
pub async fn insert_directly(url: &str, commands: &[ReportCase], batch_size: usize) -> Result<Duration> {
    // No checkpointer runs beside this loop, so the WAL never restarts and its limit never applies.
    let mut conn = writer_connection(url, StoreOptions::default().sqlite_wal_limit).await?;
    MIGRATOR.run_direct(&mut conn).await?;
    check_durability(&mut conn).await?;
    let started = std::time::Instant::now();
    let mut next_seq = 1;
    for chunk in commands.chunks(batch_size.max(1)) {
        let refs: Vec<&ReportCase> = chunk.iter().collect();
        let planned = batch::plan_reports(&refs, &HashMap::new(), &HashSet::new(), next_seq, &Default::default());
        let mut conn = Conn::Sqlite(&mut conn);
        conn.run("begin immediate").await?;
        write_report_rows(&mut conn, &planned).await?;
        conn.run("commit").await?;
        next_seq = planned.last_seq.map_or(next_seq, |last| last + 1);
    }
    let elapsed = started.elapsed();
    WriterConn::Sqlite(conn).close().await?;
    Ok(elapsed)
}
