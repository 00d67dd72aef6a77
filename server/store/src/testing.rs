//! Databases for tests: a fresh SQLite file or a fresh PostgreSQL database per test.
//!
//! A migrated PostgreSQL test database ([`TestDatabase::postgres_migrated`]) is a copy of a
//! template migrated once per set of migrations (`opsroom_template_<fingerprint>`, built under
//! an advisory lock by whichever test comes first), so a test of what runs on the schema does
//! not pay for the migrations; the store's migrator finds them applied. Tests of migrating take
//! an empty one ([`TestDatabase::postgres`]).
//!
//! Compiled only with the `testing` feature. PostgreSQL tests read the server's URL from
//! `OPSROOM_TEST_POSTGRES_URL` (any database on the server; each test creates its own). Without
//! it they are skipped with a message on stderr — except under `CI=true`, where a missing URL
//! fails the test, so CI never skips them silently.

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use opsroom_domain::case::{NewCaseIds, report_case};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::country::{CountryCode, PhoneRegions};
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

    /// A fresh, empty PostgreSQL database, or `None` (with a message) when no server is
    /// configured: for tests of migrating itself.
    pub async fn postgres() -> Option<Self> {
        Self::postgres_from(false).await
    }

    /// A fresh PostgreSQL database with every migration applied (a copy of the template), or
    /// `None` as [`TestDatabase::postgres`]: for tests of what runs on a migrated database.
    pub async fn postgres_migrated() -> Option<Self> {
        Self::postgres_from(true).await
    }

    async fn postgres_from(migrated: bool) -> Option<Self> {
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
        let create = if migrated {
            format!("create database {name} template {}", migrated_template(&mut admin, &server).await)
        } else {
            format!("create database {name}")
        };
        sqlx::query(&create).execute(&mut admin).await.expect("create a test database");
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

/// Where test reports' local phones are read: a room at home in Egypt, no crisis known (the test
/// reports carry their numbers' country codes).
pub const PHONE_REGIONS: PhoneRegions = PhoneRegions { crisis: None, home: CountryCode::EGYPT };

/// Validate `input` and open a case from it with fresh ids and a random reference, as the app
/// would (reported at time 0, no idempotency key).
pub fn report_command(input: &ReportInput) -> ReportCase {
    let report = NewReport::parse(input, Channel::Web, &PHONE_REGIONS).expect("test reports are valid");
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

/// The migrated template for this binary's migrations, built if no test has built it yet.
async fn migrated_template(admin: &mut PgConnection, server: &str) -> String {
    /// The advisory lock key that makes one test build the template while the others wait.
    const TEMPLATE_LOCK: i64 = 0x6f70_7372_6f6f_6d54;
    let template = format!("opsroom_template_{}", crate::postgres::migrations_fingerprint());
    sqlx::query("select pg_advisory_lock($1)").bind(TEMPLATE_LOCK).execute(&mut *admin).await.expect("lock");
    let exists: bool = sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
        .bind(&template)
        .fetch_one(&mut *admin)
        .await
        .expect("look for the template");
    if !exists {
        // Built under another name and renamed when whole, so a half-built one is never copied.
        let building = format!("{template}_building");
        for statement in [format!("drop database if exists {building}"), format!("create database {building}")] {
            sqlx::query(&statement).execute(&mut *admin).await.expect("create the template");
        }
        let options = PgConnectOptions::from_str(server).expect("a PostgreSQL URL").database(&building);
        let mut conn = PgConnection::connect_with(&options).await.expect("connect to the template");
        crate::postgres::migrate(&mut conn).await.expect("migrate the template");
        let _ = conn.close().await;
        sqlx::query(&format!("alter database {building} rename to {template}"))
            .execute(&mut *admin)
            .await
            .expect("name the template");
    }
    sqlx::query("select pg_advisory_unlock($1)").bind(TEMPLATE_LOCK).execute(&mut *admin).await.expect("unlock");
    template
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
