//! The embedded SQLite backend: one file, one writer, many readers.
//!
//! Owns the connection settings that make a commit durable (`journal_mode=WAL`,
//! `synchronous=FULL`, checked at start, not just requested), the group-commit writer task and
//! the read-only pool. Another process may write the same file (`opsroom user add` beside a
//! running server): each batch reads the log's head under the write lock rather than trusting
//! memory, so positions stay gap-free whoever writes.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use opsroom_domain::case::CaseStatus;
use opsroom_domain::event::Event;
use opsroom_domain::location::Cell;
use opsroom_domain::priority::PriorityLevel;
use opsroom_domain::report::Channel;
use opsroom_domain::user::Role;
use sqlx::query_builder::Separated;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, QueryBuilder, Row, Sqlite};
use tokio::sync::{Mutex, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::batch::{self, KnownKey};
use crate::model::*;
use crate::{Result, StoreError, StoreOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Commands waiting for the writer. Bounded so that a flood of requests waits in HTTP handlers
/// (where timeouts and limits apply) rather than growing this queue without bound.
const QUEUE_DEPTH: usize = 8192;

enum Command {
    ReportCase(Box<ReportCase>, oneshot::Sender<Result<ReportOutcome>>),
    CreateUser(NewUser, oneshot::Sender<Result<UserOutcome>>),
    OpenSession(NewSession, oneshot::Sender<Result<()>>),
    CloseSession(String, oneshot::Sender<Result<()>>),
    /// Commit everything queued before this, then stop.
    Shutdown(oneshot::Sender<()>),
}

#[derive(Clone)]
pub(crate) struct SqliteStore {
    commands: mpsc::Sender<Command>,
    reads: SqlitePool,
    head: watch::Receiver<u64>,
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl SqliteStore {
    pub(crate) async fn open(url: &str, options: StoreOptions) -> Result<Self> {
        let base = connect_options(url)?;
        if let Some(parent) = base.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }

        let mut writer = base
            .clone()
            .create_if_missing(true)
            // A larger page cache and fewer, larger checkpoints: the writer rewrites the same
            // index pages batch after batch, and each checkpoint costs an fsync of the database.
            .pragma("cache_size", "-65536")
            .pragma("wal_autocheckpoint", "8192")
            .connect()
            .await?;
        MIGRATOR.run_direct(&mut writer).await?;
        check_durability(&mut writer).await?;

        let reads = SqlitePoolOptions::new()
            .max_connections(options.read_connections)
            .connect_with(base.read_only(true))
            .await?;
        let head = log_head(&mut writer).await?;

        let (head_tx, head_rx) = watch::channel(head);
        let (commands, queue) = mpsc::channel(QUEUE_DEPTH);
        let task = tokio::spawn(run_writer(writer, queue, head_tx, options.max_batch));
        Ok(Self { commands, reads, head: head_rx, writer: Arc::new(Mutex::new(Some(task))) })
    }

    async fn send<T>(&self, make: impl FnOnce(oneshot::Sender<Result<T>>) -> Command) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(make(reply)).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    pub(crate) async fn report_case(&self, command: ReportCase) -> Result<ReportOutcome> {
        self.send(|reply| Command::ReportCase(Box::new(command), reply)).await
    }

    pub(crate) async fn create_user(&self, user: NewUser) -> Result<UserOutcome> {
        self.send(|reply| Command::CreateUser(user, reply)).await
    }

    pub(crate) async fn open_session(&self, session: NewSession) -> Result<()> {
        self.send(|reply| Command::OpenSession(session, reply)).await
    }

    pub(crate) async fn close_session(&self, token_hash: String) -> Result<()> {
        self.send(|reply| Command::CloseSession(token_hash, reply)).await
    }

    pub(crate) fn committed_head(&self) -> watch::Receiver<u64> {
        self.head.clone()
    }

    pub(crate) async fn close(&self, timeout: Duration) {
        let (done, finished) = oneshot::channel();
        if self.commands.send(Command::Shutdown(done)).await.is_ok() {
            let _ = tokio::time::timeout(timeout, finished).await;
        }
        if let Some(task) = self.writer.lock().await.take() {
            let _ = tokio::time::timeout(timeout, task).await;
        }
        self.reads.close().await;
    }

    pub(crate) async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("select count(*) from app_user").fetch_one(&self.reads).await?)
    }

    pub(crate) async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query("select user_id, name, role, password_hash from app_user where name = ?1")
            .bind(name)
            .fetch_optional(&self.reads)
            .await?;
        row.map(|r| {
            Ok(UserRecord {
                user_id: uuid_col(&r, "user_id")?,
                name: r.try_get("name")?,
                role: role_col(&r)?,
                password_hash: r.try_get("password_hash")?,
            })
        })
        .transpose()
    }

    pub(crate) async fn session_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<SessionUser>> {
        let row = sqlx::query(
            "select u.user_id, u.name, u.role, s.expires_at
               from session s join app_user u on u.user_id = s.user_id
              where s.token_hash = ?1 and s.expires_at > ?2",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.reads)
        .await?;
        row.map(|r| {
            Ok(SessionUser {
                user_id: uuid_col(&r, "user_id")?,
                name: r.try_get("name")?,
                role: role_col(&r)?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub(crate) async fn events_after(&self, after: u64, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows =
            sqlx::query("select seq, kind, case_id, recorded_at, data from event where seq > ?1 order by seq limit ?2")
                .bind(i64::try_from(after).unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(&self.reads)
                .await?;
        rows.iter().map(stored_event).collect()
    }

    pub(crate) async fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>> {
        let mut query = QueryBuilder::<Sqlite>::new(format!("select {CASE_COLUMNS} from case_file where 1 = 1"));
        if let Some(status) = filter.status {
            query.push(" and status = ").push_bind(status.as_str());
        }
        if let Some(priority) = filter.priority {
            query.push(" and priority_level = ").push_bind(priority.as_str());
        }
        if let Some(need) = filter.need {
            query.push(" and (needs & ").push_bind(batch::needs_mask(&[need])).push(") != 0");
        }
        if let Some(flag) = filter.flag {
            query.push(" and (flags & ").push_bind(batch::flags_mask(&[flag])).push(") != 0");
        }
        if let Some(channel) = filter.channel {
            query.push(" and channel = ").push_bind(channel.as_str());
        }
        if let Some(cell) = filter.cell {
            match cell.stored_descendant_range() {
                Some((first, last)) => {
                    query.push(" and cell between ").push_bind(first as i64).push(" and ").push_bind(last as i64);
                }
                // Finer than stored: no case can be placed that precisely.
                None => {
                    query.push(" and 0 = 1");
                }
            }
        }
        if let Some(before) = filter.before_seq {
            query.push(" and created_seq < ").push_bind(i64::try_from(before).unwrap_or(i64::MAX));
        }
        query.push(" order by created_seq desc limit ").push_bind(i64::from(filter.limit));
        let rows = query.build().fetch_all(&self.reads).await?;
        rows.iter().map(case_summary).collect()
    }

    pub(crate) async fn case_detail(&self, case_id: Uuid) -> Result<Option<CaseDetail>> {
        let id = case_id.to_string();
        let mut conn = self.reads.acquire().await?;
        let Some(row) = sqlx::query(&format!("select {CASE_COLUMNS}, message from case_file where case_id = ?1"))
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let summary = case_summary(&row)?;
        let message: Option<String> = row.try_get("message")?;

        let persons = sqlx::query(
            "select p.person_id, cp.role, cp.relation, p.name, p.age, p.sex, p.passport, p.phone
               from case_person cp join person p on p.person_id = cp.person_id
              where cp.case_id = ?1 order by p.created_seq, cp.role desc, p.rowid",
        )
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(PersonRow {
                person_id: uuid_col(r, "person_id")?,
                role: r.try_get("role")?,
                relation: r.try_get("relation")?,
                name: r.try_get("name")?,
                age: r.try_get::<Option<i64>, _>("age")?.map(|a| a.clamp(0, 255) as u8),
                sex: r.try_get("sex")?,
                passport: r.try_get("passport")?,
                phone: r.try_get("phone")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        let reports = sqlx::query(
            "select report_id, seq, channel, language, message, place, reporter_place, lat, lon, accuracy_m, received_at
               from report where case_id = ?1 order by seq",
        )
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ReportRow {
                report_id: uuid_col(r, "report_id")?,
                seq: r.try_get::<i64, _>("seq")? as u64,
                channel: channel_col(r)?,
                language: r.try_get("language")?,
                message: r.try_get("message")?,
                place: r.try_get("place")?,
                reporter_place: r.try_get("reporter_place")?,
                lat: r.try_get("lat")?,
                lon: r.try_get("lon")?,
                accuracy_m: r.try_get("accuracy_m")?,
                received_at: r.try_get("received_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        let events =
            sqlx::query("select seq, kind, case_id, recorded_at, data from event where case_id = ?1 order by seq")
                .bind(&id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(stored_event)
                .collect::<Result<Vec<_>>>()?;

        Ok(Some(CaseDetail { summary, message, persons, reports, events }))
    }
}

/// Settings every connection gets. Durability settings are set explicitly, never inherited.
fn connect_options(url: &str) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5)))
}

/// Position of the last event in the log (0 when empty). An index lookup, not a scan.
async fn log_head(conn: &mut SqliteConnection) -> Result<u64> {
    let head: i64 = sqlx::query_scalar("select coalesce(max(seq), 0) from event").fetch_one(&mut *conn).await?;
    Ok(head as u64)
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

/// The writer task: takes whatever commands are waiting (up to `max_batch`), commits them in one
/// transaction, answers each, then moves the committed head. While it waits on one commit's
/// fsync the next batch queues up, so batches grow with load and no timer is needed.
async fn run_writer(
    mut conn: SqliteConnection,
    mut queue: mpsc::Receiver<Command>,
    head_tx: watch::Sender<u64>,
    max_batch: usize,
) {
    let mut batch = Vec::with_capacity(max_batch);
    let mut shutdown = None;
    while shutdown.is_none() {
        let Some(first) = queue.recv().await else { break };
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
                refuse(late);
            }
        }
        if batch.is_empty() {
            continue;
        }
        match commit(&mut conn, &mut batch, &head_tx).await {
            Ok(()) => {}
            Err(error) => {
                tracing::error!(%error, "group commit failed; the batch was rolled back");
                for command in batch.drain(..) {
                    fail(command, &error);
                }
            }
        }
    }
    queue.close();
    while let Ok(late) = queue.try_recv() {
        refuse(late);
    }
    if let Err(error) = conn.close().await {
        tracing::warn!(%error, "closing the writer connection");
    }
    if let Some(done) = shutdown {
        let _ = done.send(());
    }
}

fn refuse(command: Command) {
    fail(command, &StoreError::Closed);
}

fn fail(command: Command, error: &StoreError) {
    let error = || match error {
        StoreError::Closed => StoreError::Closed,
        other => StoreError::Corrupt(format!("commit failed: {other}")),
    };
    match command {
        Command::ReportCase(_, reply) => drop(reply.send(Err(error()))),
        Command::CreateUser(_, reply) => drop(reply.send(Err(error()))),
        Command::OpenSession(_, reply) => drop(reply.send(Err(error()))),
        Command::CloseSession(_, reply) => drop(reply.send(Err(error()))),
        Command::Shutdown(done) => drop(done.send(())),
    }
}

/// Commit one batch; on success move the committed head, then answer every command (in that
/// order, so no caller can see its own position above the head).
async fn commit(conn: &mut SqliteConnection, batch: &mut Vec<Command>, head_tx: &watch::Sender<u64>) -> Result<()> {
    // `begin immediate` takes the write lock now, so the head read below cannot move under us.
    let mut tx = conn.begin_with("begin immediate").await?;
    let mut next_seq = log_head(&mut tx).await? + 1;

    let reports: Vec<&ReportCase> =
        batch.iter().filter_map(|c| if let Command::ReportCase(r, _) = c { Some(r.as_ref()) } else { None }).collect();
    let mut report_outcomes = Vec::new().into_iter();
    if !reports.is_empty() {
        let planned = plan_and_write_reports(&mut tx, &reports, next_seq).await?;
        if let Some(last) = planned.1 {
            next_seq = last + 1;
        }
        report_outcomes = planned.0.into_iter();
    }

    let mut other_outcomes = Vec::new();
    for command in batch.iter() {
        match command {
            Command::CreateUser(user, _) => {
                let taken: Option<i64> = sqlx::query_scalar("select 1 from app_user where name = ?1")
                    .bind(user.name.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    other_outcomes.push(Some(UserOutcome::NameTaken));
                    continue;
                }
                let seq = next_seq;
                next_seq += 1;
                let event = Event::UserCreated(opsroom_domain::event::UserCreated {
                    user_id: user.user_id,
                    name: user.name.as_str().to_owned(),
                    role: user.role,
                });
                sqlx::query("insert into event (seq, kind, case_id, recorded_at, data) values (?1, ?2, null, ?3, ?4)")
                    .bind(seq as i64)
                    .bind(event.kind())
                    .bind(user.created_at)
                    .bind(event.data_json())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "insert into app_user (user_id, name, role, password_hash, created_at, created_seq)
                     values (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .bind(user.user_id.to_string())
                .bind(user.name.as_str())
                .bind(user.role.as_str())
                .bind(&user.password_hash)
                .bind(user.created_at)
                .bind(seq as i64)
                .execute(&mut *tx)
                .await?;
                other_outcomes.push(Some(UserOutcome::Created { seq }));
            }
            Command::OpenSession(session, _) => {
                sqlx::query("delete from session where expires_at <= ?1")
                    .bind(session.created_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "insert into session (token_hash, user_id, created_at, expires_at) values (?1, ?2, ?3, ?4)",
                )
                .bind(&session.token_hash)
                .bind(session.user_id.to_string())
                .bind(session.created_at)
                .bind(session.expires_at)
                .execute(&mut *tx)
                .await?;
            }
            Command::CloseSession(token_hash, _) => {
                sqlx::query("delete from session where token_hash = ?1").bind(token_hash).execute(&mut *tx).await?;
            }
            Command::ReportCase(..) | Command::Shutdown(_) => {}
        }
    }

    tx.commit().await?;
    // Only now, after COMMIT returned, may anyone see these positions.
    head_tx.send_replace(next_seq - 1);

    let mut user_outcomes = other_outcomes.into_iter().flatten();
    for command in batch.drain(..) {
        match command {
            Command::ReportCase(_, reply) => {
                let outcome = report_outcomes.next().expect("one outcome per report");
                let _ = reply.send(Ok(outcome));
            }
            Command::CreateUser(_, reply) => {
                let outcome = user_outcomes.next().expect("one outcome per user");
                let _ = reply.send(Ok(outcome));
            }
            Command::OpenSession(_, reply) | Command::CloseSession(_, reply) => {
                let _ = reply.send(Ok(()));
            }
            Command::Shutdown(done) => drop(done.send(())),
        }
    }
    Ok(())
}

/// Check idempotency keys and references for all reports at once, then write each table's rows
/// with a few multi-row statements. Returns each report's outcome and the last position used.
async fn plan_and_write_reports(
    tx: &mut SqliteConnection,
    reports: &[&ReportCase],
    first_seq: u64,
) -> Result<(Vec<ReportOutcome>, Option<u64>)> {
    let keys: Vec<&str> = reports.iter().filter_map(|r| r.idempotency.as_ref().map(|c| c.key_hash.as_str())).collect();
    let mut known_keys = HashMap::new();
    if !keys.is_empty() {
        let rows = sqlx::query(
            "select key_hash, request_hash, case_id, token_sealed from idempotency
              where key_hash in (select value from json_each(?1))",
        )
        .bind(serde_json::to_string(&keys).expect("strings serialize"))
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            known_keys.insert(
                row.try_get::<String, _>("key_hash")?,
                KnownKey {
                    request_hash: row.try_get("request_hash")?,
                    case_id: uuid_col(&row, "case_id")?,
                    token_sealed: row.try_get("token_sealed")?,
                },
            );
        }
    }
    let references: Vec<&str> = reports.iter().map(|r| r.event.reference.as_str()).collect();
    let taken: HashSet<String> =
        sqlx::query_scalar("select reference from case_file where reference in (select value from json_each(?1))")
            .bind(serde_json::to_string(&references).expect("strings serialize"))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();

    let planned = batch::plan_reports(reports, &known_keys, &taken, first_seq);
    write_report_rows(tx, &planned).await?;
    Ok((planned.outcomes, planned.last_seq))
}

/// Rows per multi-row insert. A batch is cut into chunks of 64, 32, …, 1 rows, so each table
/// needs at most seven distinct statements and all of them stay in the statement cache.
const CHUNK: usize = 64;

/// Insert `rows` with multi-row `insert … values (…), (…)` statements, `bind` pushing one
/// row's values in column order.
async fn insert_rows<'q, T>(
    conn: &mut SqliteConnection,
    head: &str,
    rows: &'q [T],
    bind: impl Fn(&mut Separated<'_, 'q, Sqlite, &'static str>, &'q T),
) -> Result<()> {
    let mut rest = rows;
    while !rest.is_empty() {
        let size = if rest.len() >= CHUNK { CHUNK } else { 1 << rest.len().ilog2() };
        let (chunk, tail) = rest.split_at(size);
        let mut query = QueryBuilder::<Sqlite>::new(head);
        query.push_values(chunk, |mut values, row| bind(&mut values, row));
        query.build().persistent(true).execute(&mut *conn).await?;
        rest = tail;
    }
    Ok(())
}

/// Write a planned batch's rows, a few multi-row statements per table.
async fn write_report_rows(tx: &mut SqliteConnection, planned: &batch::ReportBatch<'_>) -> Result<()> {
    insert_rows(tx, "insert into event (seq, kind, case_id, recorded_at, data) ", &planned.events, |v, e| {
        v.push_bind(e.seq as i64).push_bind(e.kind).push_bind(e.case_id.as_deref()).push_bind(e.recorded_at);
        v.push_bind(e.data.get());
    })
    .await?;
    insert_rows(
        tx,
        "insert into case_file (case_id, reference, tracking_token_hash, status, priority_level, priority_score,
             priority_reasons, needs, flags, channel, language, lat, lon, accuracy_m, place, cell, message,
             people_count, reported_at, created_seq, updated_seq, version) ",
        &planned.cases,
        |v, c| {
            v.push_bind(c.case_id.as_str()).push_bind(c.reference).push_bind(c.tracking_token_hash);
            v.push_bind(c.status).push_bind(c.priority_level).push_bind(i64::from(c.priority_score));
            v.push_bind(c.priority_reasons.as_str()).push_bind(c.needs).push_bind(c.flags);
            v.push_bind(c.channel).push_bind(c.language).push_bind(c.lat).push_bind(c.lon).push_bind(c.accuracy_m);
            v.push_bind(c.place).push_bind(c.cell).push_bind(c.message).push_bind(c.people_count as i64);
            v.push_bind(c.reported_at).push_bind(c.seq as i64).push_bind(c.seq as i64).push_bind(1i64);
        },
    )
    .await?;
    insert_rows(
        tx,
        "insert into person (person_id, name, age, sex, passport, phone, created_seq) ",
        &planned.persons,
        |v, p| {
            v.push_bind(p.person_id.as_str()).push_bind(p.name).push_bind(p.age.map(i64::from)).push_bind(p.sex);
            v.push_bind(p.passport).push_bind(p.phone).push_bind(p.seq as i64);
        },
    )
    .await?;
    insert_rows(tx, "insert into case_person (case_id, person_id, role, relation) ", &planned.persons, |v, p| {
        v.push_bind(p.case_id.as_str()).push_bind(p.person_id.as_str()).push_bind(p.role).push_bind(p.relation);
    })
    .await?;
    insert_rows(
        tx,
        "insert into report (report_id, case_id, seq, channel, language, reporter_person_id, reporter_place,
             lat, lon, accuracy_m, place, cell, needs, flags, message, received_at) ",
        &planned.reports,
        |v, r| {
            v.push_bind(r.report_id.as_str()).push_bind(r.case_id.as_str()).push_bind(r.seq as i64);
            v.push_bind(r.channel).push_bind(r.language).push_bind(r.reporter_person_id.as_deref());
            v.push_bind(r.reporter_place).push_bind(r.lat).push_bind(r.lon).push_bind(r.accuracy_m);
            v.push_bind(r.place).push_bind(r.cell).push_bind(r.needs).push_bind(r.flags).push_bind(r.message);
            v.push_bind(r.received_at);
        },
    )
    .await?;
    insert_rows(
        tx,
        "insert into idempotency (key_hash, request_hash, case_id, token_sealed, created_at) ",
        &planned.idempotency,
        |v, i| {
            v.push_bind(i.key_hash).push_bind(i.request_hash).push_bind(i.case_id.as_str());
            v.push_bind(i.token_sealed).push_bind(i.created_at);
        },
    )
    .await
}

/// The benchmark's baseline: insert `commands` into a fresh database at `url` straight from a
/// loop, `batch_size` reports per durable transaction, with the same rows and statements as the
/// writer but no queue, no lookups and no HTTP. Returns the time spent in the loop.
pub async fn insert_directly(url: &str, commands: &[ReportCase], batch_size: usize) -> Result<Duration> {
    let mut conn = connect_options(url)?
        .create_if_missing(true)
        .pragma("cache_size", "-65536")
        .pragma("wal_autocheckpoint", "8192")
        .connect()
        .await?;
    MIGRATOR.run_direct(&mut conn).await?;
    check_durability(&mut conn).await?;
    let started = std::time::Instant::now();
    let mut next_seq = log_head(&mut conn).await? + 1;
    for chunk in commands.chunks(batch_size.max(1)) {
        let refs: Vec<&ReportCase> = chunk.iter().collect();
        let planned = batch::plan_reports(&refs, &HashMap::new(), &HashSet::new(), next_seq);
        let mut tx = conn.begin_with("begin immediate").await?;
        write_report_rows(&mut tx, &planned).await?;
        tx.commit().await?;
        next_seq = planned.last_seq.map_or(next_seq, |last| last + 1);
    }
    let elapsed = started.elapsed();
    conn.close().await?;
    Ok(elapsed)
}

const CASE_COLUMNS: &str = "case_id, reference, status, priority_level, priority_score, priority_reasons, needs, flags,
    channel, language, lat, lon, place, cell, people_count, reported_at, created_seq, updated_seq, version";

fn corrupt(what: &str, value: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value}"))
}

fn uuid_col(row: &SqliteRow, column: &str) -> Result<Uuid> {
    let text: String = row.try_get(column)?;
    Uuid::parse_str(&text).map_err(|_| corrupt(column, text))
}

fn role_col(row: &SqliteRow) -> Result<Role> {
    let text: String = row.try_get("role")?;
    Role::parse(&text).ok_or_else(|| corrupt("role", text))
}

fn channel_col(row: &SqliteRow) -> Result<Channel> {
    let text: String = row.try_get("channel")?;
    serde_json::from_value(serde_json::Value::String(text.clone())).map_err(|_| corrupt("channel", text))
}

fn stored_event(row: &SqliteRow) -> Result<StoredEvent> {
    let case_id: Option<String> = row.try_get("case_id")?;
    Ok(StoredEvent {
        seq: row.try_get::<i64, _>("seq")? as u64,
        kind: row.try_get("kind")?,
        case_id: case_id.map(|id| Uuid::parse_str(&id).map_err(|_| corrupt("event.case_id", id))).transpose()?,
        recorded_at: row.try_get("recorded_at")?,
        data: row.try_get("data")?,
    })
}

fn case_summary(row: &SqliteRow) -> Result<CaseSummary> {
    let status: String = row.try_get("status")?;
    let priority: String = row.try_get("priority_level")?;
    let reasons: String = row.try_get("priority_reasons")?;
    let cell: Option<i64> = row.try_get("cell")?;
    Ok(CaseSummary {
        case_id: uuid_col(row, "case_id")?,
        reference: row.try_get("reference")?,
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        priority: PriorityLevel::parse(&priority).ok_or_else(|| corrupt("priority_level", &priority))?,
        priority_score: row.try_get::<i64, _>("priority_score")? as u32,
        priority_reasons: serde_json::from_str(&reasons).map_err(|e| corrupt("priority_reasons", e))?,
        needs: batch::needs_from_mask(row.try_get("needs")?),
        flags: batch::flags_from_mask(row.try_get("flags")?),
        channel: channel_col(row)?,
        language: row.try_get("language")?,
        lat: row.try_get("lat")?,
        lon: row.try_get("lon")?,
        place: row.try_get("place")?,
        cell: cell.map(|c| Cell::from_u64(c as u64).ok_or_else(|| corrupt("cell", c))).transpose()?,
        people_count: row.try_get::<i64, _>("people_count")? as u32,
        reported_at: row.try_get("reported_at")?,
        created_seq: row.try_get::<i64, _>("created_seq")? as u64,
        updated_seq: row.try_get::<i64, _>("updated_seq")? as u64,
        version: row.try_get::<i64, _>("version")? as u32,
    })
}
