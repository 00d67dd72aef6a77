//! Opsroom's store: the event log and the tables projected from it. The only code that knows SQL.
//!
//! # Layout
//!
//! - [`Store`] (this file): the seam the app talks to. One enum over the backends, so callers never
//!   see which database is underneath and every feature is written once for both.
//! - [`batch`]: backend-neutral planning of a group commit: idempotency and reference checks,
//!   log positions, and the rows each table receives.
//! - [`sqlite`]: the embedded default. One writer task commits waiting commands together (group
//!   commit); reads go through a separate read-only pool.
//! - [`model`]: what reads return and commands carry.
//!
//! # Architecture invariants
//!
//! - Every change is an event in the `event` table, written in the same transaction as the rows
//!   it changes, with a position (`seq`) one above the previous: no gaps, no reordering.
//! - A command's reply is sent only after its transaction committed; the head position that
//!   live streams watch moves only after commit. Nothing is published before it is durable.
//! - No SQL, and no SQLite-only assumption, leaks above this crate.

pub mod batch;
pub mod model;
mod sqlite;

use std::time::Duration;

use tokio::sync::watch;
use uuid::Uuid;

pub use model::*;

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
    #[error("unsupported database URL {0:?}: use sqlite://PATH")]
    UnsupportedUrl(String),
    /// The writer has stopped (shutdown in progress).
    #[error("the store is shutting down")]
    Closed,
    /// A row that the store itself wrote could not be read back.
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Tuning of the group-commit writer.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most commands committed in one transaction.
    pub max_batch: usize,
    /// Connections in the read pool.
    pub read_connections: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_batch: 1024, read_connections: 4 }
    }
}

/// The store, whatever the backend. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::SqliteStore),
}

/// The raw SQLite insert loop the benchmark compares durable ingest with.
pub use sqlite::insert_directly as sqlite_baseline_insert;

impl Store {
    /// Open (creating if needed) the database at `url`, apply migrations and check its settings.
    pub async fn open(url: &str, options: StoreOptions) -> Result<Self> {
        if url.starts_with("sqlite:") {
            return Ok(Self { backend: Backend::Sqlite(sqlite::SqliteStore::open(url, options).await?) });
        }
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }

    /// Short name of the backend, for logs and readiness.
    pub fn backend_name(&self) -> &'static str {
        match &self.backend {
            Backend::Sqlite(_) => "sqlite",
        }
    }

    /// Record a new case from a report. Idempotent when the command carries a key.
    pub async fn report_case(&self, command: ReportCase) -> Result<ReportOutcome> {
        match &self.backend {
            Backend::Sqlite(s) => s.report_case(command).await,
        }
    }

    pub async fn create_user(&self, user: NewUser) -> Result<UserOutcome> {
        match &self.backend {
            Backend::Sqlite(s) => s.create_user(user).await,
        }
    }

    pub async fn open_session(&self, session: NewSession) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(s) => s.open_session(session).await,
        }
    }

    pub async fn close_session(&self, token_hash: String) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(s) => s.close_session(token_hash).await,
        }
    }

    pub async fn user_count(&self) -> Result<i64> {
        match &self.backend {
            Backend::Sqlite(s) => s.user_count().await,
        }
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>> {
        match &self.backend {
            Backend::Sqlite(s) => s.user_by_name(name).await,
        }
    }

    /// The user behind a live session, if the session exists and has not expired at `now_ms`.
    pub async fn session_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<SessionUser>> {
        match &self.backend {
            Backend::Sqlite(s) => s.session_user(token_hash, now_ms).await,
        }
    }

    /// Up to `limit` committed events with a position above `after`, in order.
    pub async fn events_after(&self, after: u64, limit: u32) -> Result<Vec<StoredEvent>> {
        match &self.backend {
            Backend::Sqlite(s) => s.events_after(after, limit).await,
        }
    }

    /// The position of the last committed event, updated after every commit.
    pub fn committed_head(&self) -> watch::Receiver<u64> {
        match &self.backend {
            Backend::Sqlite(s) => s.committed_head(),
        }
    }

    pub async fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>> {
        match &self.backend {
            Backend::Sqlite(s) => s.list_cases(filter).await,
        }
    }

    pub async fn case_detail(&self, case_id: Uuid) -> Result<Option<CaseDetail>> {
        match &self.backend {
            Backend::Sqlite(s) => s.case_detail(case_id).await,
        }
    }

    /// Stop taking commands, commit what is queued and close the database.
    pub async fn close(&self, timeout: Duration) {
        match &self.backend {
            Backend::Sqlite(s) => s.close(timeout).await,
        }
    }
}
