//! The embedded SQLite backend: opening the file with settings that make a commit durable.
//!
//! Owns the connection settings (`journal_mode=WAL` and `synchronous=FULL`, set explicitly and
//! checked at start, not just requested), the SQLite migrations and the raw insert loop the
//! benchmark compares with. Everything else is shared with PostgreSQL (`writer`, `reads`).

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::model::ReportCase;
use crate::sql::{Conn, Pool};
use crate::writer::{WriterConn, write_report_rows};
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
/// thousands of cases), holding every writer up. [`spawn_checkpointer`] does it beside.
async fn writer_connection(url: &str) -> Result<SqliteConnection> {
    Ok(connect_options(url)?
        .create_if_missing(true)
        .pragma("cache_size", "-65536")
        .pragma("wal_autocheckpoint", "0")
        .connect()
        .await?)
}

/// How often the checkpointer copies the WAL back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Checkpoint the WAL on a connection of its own, every [`CHECKPOINT_EVERY`]: a passive
/// checkpoint waits for no one and no one waits for it, so the writer's commits stay short and
/// the WAL stays small. (Durability does not depend on it: a commit is durable once its WAL
/// frames are synced.)
pub(crate) async fn spawn_checkpointer(url: &str) -> Result<tokio::task::JoinHandle<()>> {
    let mut conn = connect_options(url)?.connect().await?;
    Ok(tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        loop {
            tick.tick().await;
            if let Err(error) = sqlx::query("pragma wal_checkpoint(passive)").execute(&mut conn).await {
                tracing::warn!(%error, "checkpointing the WAL");
            }
        }
    }))
}

/// Open (creating if needed) the database file, migrate it and check its durability settings.
pub(crate) async fn open(url: &str, options: &StoreOptions) -> Result<(WriterConn, Pool)> {
    let base = connect_options(url)?;
    if let Some(parent) = base.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    }
    let mut writer = writer_connection(url).await?;
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
    let mut conn = writer_connection(url).await?;
    MIGRATOR.run_direct(&mut conn).await?;
    check_durability(&mut conn).await?;
    let started = std::time::Instant::now();
    let mut next_seq = 1;
    for chunk in commands.chunks(batch_size.max(1)) {
        let refs: Vec<&ReportCase> = chunk.iter().collect();
        let planned = batch::plan_reports(&refs, &HashMap::new(), &HashSet::new(), next_seq);
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
