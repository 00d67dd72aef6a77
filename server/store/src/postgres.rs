//! The PostgreSQL backend: several stateless app nodes sharing one database.
//!
//! Owns connecting and the PostgreSQL migrations (the migrator holds an advisory lock, so nodes
//! starting together apply them once). The `tailer` tells this node when another has committed. Writes and reads are shared with SQLite (`writer`, `reads`); positions are handed out
//! under a row lock on `log_head` held until commit, so they are gap-free and in commit order
//! across nodes (see ARCHITECTURE.md).

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};

use crate::sql::Pool;
use crate::sql::WriterConn;
use crate::writer::Reconnect;
use crate::{Result, StoreOptions};

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

/// Apply the migrations to the database `conn` is connected to (the tests' template database).
#[cfg(feature = "testing")]
pub(crate) async fn migrate(conn: &mut PgConnection) -> Result<()> {
    Ok(MIGRATOR.run_direct(conn).await?)
}

/// 16 hex digits that change whenever the migrations this binary carries change (FNV-1a over
/// their versions and checksums), naming the tests' template database.
#[cfg(feature = "testing")]
pub(crate) fn migrations_fingerprint() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for migration in MIGRATOR.iter() {
        for byte in migration.version.to_le_bytes().iter().chain(migration.checksum.iter()) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
