//! The PostgreSQL backend: several stateless app nodes sharing one database.
//!
//! Owns connecting, the PostgreSQL migrations (the migrator holds an advisory lock, so nodes
//! starting together apply them once) and the tailer that tells this node when any node has
//! committed. Writes and reads are shared with SQLite (`writer`, `reads`); positions are handed out
//! under a row lock on `log_head` held until commit, so they are gap-free and in commit order
//! across nodes (see ARCHITECTURE.md).

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPool, PgPoolOptions};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::sql::Pool;
use crate::writer::{NOTIFY_CHANNEL, Reconnect, WriterConn, advance};
use crate::{Result, StoreOptions, reads};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Connect the writer and the read pool, and migrate.
pub(crate) async fn open(url: &str, options: &StoreOptions) -> Result<(WriterConn, Pool, Reconnect)> {
    let connect = PgConnectOptions::from_str(url)?.application_name("opsroom");
    let mut writer = PgConnection::connect_with(&connect).await?;
    MIGRATOR.run_direct(&mut writer).await?;
    let synchronous_commit: String = sqlx::query_scalar("show synchronous_commit").fetch_one(&mut writer).await?;
    // Durability of a 201 on PostgreSQL is the database operator's choice; say what it is.
    tracing::info!(%synchronous_commit, "PostgreSQL store open");
    let reads = PgPoolOptions::new().max_connections(options.read_connections).connect_with(connect.clone()).await?;
    let reconnect: Reconnect = Box::new(move || {
        let connect = connect.clone();
        Box::pin(async move { Ok(WriterConn::Postgres(PgConnection::connect_with(&connect).await?)) })
    });
    Ok((WriterConn::Postgres(writer), Pool::Postgres(reads), reconnect))
}

pub(crate) fn migration_count() -> usize {
    MIGRATOR.iter().count()
}

/// Follow commits of every node: wake on `NOTIFY` (an empty hint), and poll every `interval`
/// anyway, so a lost notification or a dropped listener delays an event, never loses it.
/// `fresh` holds the time of the last successful poll (readiness reads it).
pub(crate) fn spawn_tailer(
    pool: PgPool,
    head: Arc<watch::Sender<u64>>,
    interval: Duration,
) -> (JoinHandle<()>, watch::Receiver<Option<Instant>>) {
    let (fresh_tx, fresh) = watch::channel(None);
    let task = tokio::spawn(async move {
        let reads = Pool::Postgres(pool.clone());
        let mut listener: Option<PgListener> = None;
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if listener.is_none() {
                listener = listen(&pool).await;
            }
            match listener.as_mut() {
                Some(l) => tokio::select! {
                    notified = l.recv() => if let Err(error) = notified {
                        tracing::warn!(%error, "log listener dropped; polling until it is back");
                        listener = None;
                    },
                    _ = ticker.tick() => {}
                },
                None => {
                    ticker.tick().await;
                }
            }
            match reads::log_head(&reads).await {
                Ok(committed) => {
                    advance(&head, committed);
                    fresh_tx.send_replace(Some(Instant::now()));
                }
                Err(error) => tracing::warn!(%error, "polling the log head"),
            }
        }
    });
    (task, fresh)
}

async fn listen(pool: &PgPool) -> Option<PgListener> {
    let mut listener = PgListener::connect_with(pool).await.ok()?;
    listener.listen(NOTIFY_CHANNEL).await.ok()?;
    Some(listener)
}
