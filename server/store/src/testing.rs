//! Databases for tests: a fresh SQLite file or a fresh PostgreSQL database per test.
//!
//! Compiled only with the `testing` feature. PostgreSQL tests read the server's URL from
//! `OPSROOM_TEST_POSTGRES_URL` (any database on the server; each test creates its own). Without
//! it they are skipped with a message on stderr — except under `CI=true`, where a missing URL
//! fails the test, so CI never skips them silently.

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use opsroom_domain::case::{NewCaseIds, report_case};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::reference::Reference;
use opsroom_domain::report::{Channel, NewReport, ReportInput};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use uuid::Uuid;

use crate::ReportCase;

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "OPSROOM_TEST_POSTGRES_URL";
/// Prefix of every database the tests create, so leftovers can be recognised and removed.
const PREFIX: &str = "opsroom_t_";
/// Leftover test databases older than this are removed when a new one is created.
const LEFTOVER_AGE_SECS: u64 = 3600;

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    /// Keeps a SQLite file's directory alive.
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL server URL and the database name, to drop it afterwards.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}/test.db", dir.path().display());
        Self { url, _dir: Some(dir), postgres: None }
    }

    /// A fresh PostgreSQL database, or `None` (with a message) when no server is configured.
    pub async fn postgres() -> Option<Self> {
        let Ok(server) = std::env::var(POSTGRES_URL_VAR) else {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
                panic!("{POSTGRES_URL_VAR} must be set in CI: PostgreSQL tests may not be skipped there");
            }
            eprintln!("SKIPPED: PostgreSQL test (set {POSTGRES_URL_VAR}=postgres://user@host:port/db to run it)");
            return None;
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs();
        let name = format!("{PREFIX}{now}_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&server).await.unwrap_or_else(|e| panic!("connecting to {server}: {e}"));
        remove_leftovers(&mut admin, now).await;
        sqlx::query(&format!("create database {name}")).execute(&mut admin).await.expect("create a test database");
        let _ = admin.close().await;
        let options = PgConnectOptions::from_str(&server).expect("a PostgreSQL URL").database(&name);
        let url = format!("postgres://{}@{}:{}/{name}", options.get_username(), options.get_host(), options.get_port());
        Some(Self { url, _dir: None, postgres: Some((server, name)) })
    }

    /// Drop the database (PostgreSQL); the SQLite directory goes when `self` is dropped.
    pub async fn remove(self) {
        if let Some((server, name)) = &self.postgres
            && let Ok(mut admin) = PgConnection::connect(server).await
        {
            let _ = sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&mut admin).await;
        }
    }
}

/// Validate `input` and open a case from it with fresh ids and a random reference, as the app
/// would (reported at time 0, no idempotency key).
pub fn report_command(input: &ReportInput) -> ReportCase {
    let report = NewReport::parse(input, Channel::Web).expect("test reports are valid");
    let ids = NewCaseIds {
        case_id: Uuid::now_v7(),
        report_id: Uuid::now_v7(),
        reference: Reference::from_random(Uuid::new_v4().as_u128() as u64),
        person_ids: report.people.iter().map(|_| Uuid::now_v7()).collect(),
        reporter_person_id: Uuid::now_v7(),
    };
    ReportCase {
        event: report_case(report, ids, Timestamp::from_millis(0)),
        tracking_token_hash: Uuid::new_v4().simple().to_string(),
        idempotency: None,
    }
}

/// A transaction on its own connection that takes the next log position exactly as a writer
/// does (locking `log_head`), writes a `user_created` event there, and leaves the transaction
/// open: the caller commits (`commit`) when it chooses. It sends no notification, so it stands
/// for a slow or silent node.
pub async fn hold_next_position(url: &str) -> (PgConnection, u64) {
    let mut conn = PgConnection::connect(url).await.expect("connect to the test database");
    sqlx::query("begin").execute(&mut conn).await.expect("begin");
    let head: i64 =
        sqlx::query_scalar("select seq from log_head for update").fetch_one(&mut conn).await.expect("lock log_head");
    let position = head + 1;
    sqlx::query("insert into event (seq, kind, case_id, recorded_at, data) values ($1, 'user_created', null, 0, $2)")
        .bind(position)
        .bind(r#"{"user_id":"00000000-0000-0000-0000-000000000001","name":"elsewhere","role":"operator"}"#)
        .execute(&mut conn)
        .await
        .expect("insert the event");
    sqlx::query("update log_head set seq = $1").bind(position).execute(&mut conn).await.expect("move log_head");
    (conn, position as u64)
}

/// Commit what [`hold_next_position`] holds.
pub async fn commit(mut conn: PgConnection) {
    sqlx::query("commit").execute(&mut conn).await.expect("commit");
}

async fn remove_leftovers(admin: &mut PgConnection, now: u64) {
    let names: Vec<String> = sqlx::query_scalar("select datname from pg_database where datname like 'opsroom\\_t\\_%'")
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
    for name in names {
        let created = name.trim_start_matches(PREFIX).split('_').next().and_then(|s| s.parse::<u64>().ok());
        if created.is_some_and(|t| now.saturating_sub(t) > LEFTOVER_AGE_SECS) {
            let _ = sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&mut *admin).await;
        }
    }
}
