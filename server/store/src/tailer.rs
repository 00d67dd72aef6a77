//! Following commits made by others: other nodes on PostgreSQL, other processes on SQLite
//! (`opsroom user add` beside a running server).
//!
//! The tailer polls the log head every `interval` and moves the committed-head watch that the
//! live hub follows. On PostgreSQL it also `LISTEN`s for the empty hint the writers send after
//! each commit, so most events arrive without waiting for the poll; a lost notification or a
//! dropped listener only delays an event until the next poll, never loses it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::reads;
use crate::sql::Pool;
use crate::writer::{NOTIFY_CHANNEL, advance};

/// Start following. `fresh` holds the time of the last successful poll (readiness reads it).
pub(crate) fn spawn(
    reads: Pool,
    head: Arc<watch::Sender<u64>>,
    interval: Duration,
) -> (JoinHandle<()>, watch::Receiver<Option<Instant>>) {
    let (fresh_tx, fresh) = watch::channel(None);
    let task = tokio::spawn(async move {
        let notifications = match &reads {
            Pool::Postgres(pool) => Some(pool.clone()),
            Pool::Sqlite(_) => None,
        };
        let mut listener: Option<PgListener> = None;
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Nobody follows the head any more: the store was dropped.
            if head.is_closed() {
                return;
            }
            if let Some(pool) = &notifications
                && listener.is_none()
            {
                listener = listen(pool).await;
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
