//! Reads, written once for both backends: the board, one case, the log, users and sessions.
//!
//! Owns the read SQL and the decoding of rows into the model. Reads go through the read pool and
//! see only committed data; nothing here writes.

use std::sync::LazyLock;

use opsroom_domain::advisory::Advisory;
use opsroom_domain::case::{CaseStatus, PersonRole};
use opsroom_domain::location::Cell;
use opsroom_domain::priority::PriorityLevel;
use opsroom_domain::report::Channel;
use opsroom_domain::user::Role;
use opsroom_domain::workflow::{self, SlaPolicy};
use uuid::Uuid;

use crate::advisories::parse_advisory;
use crate::masks;
use crate::model::*;
use crate::sql::{Pool, Row, Statement, listed};
use crate::{Result, StoreError};

pub(crate) const CASE_COLUMNS: &str =
    "case_id, reference, status, priority_level, priority_score, priority_reasons, needs, flags,
    channel, language, lat, lon, place, cell, people_count, reported_at, created_seq, updated_seq, version,
    assigned_to, first_contact_at, escalated_at, priority_override_reason, danger_zone_id, sla_due_at, urgency, crisis_id";

/// A position as the databases store it. Positions above `i64::MAX` cannot exist, so a cursor
/// beyond it means "after everything".
fn position(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

pub(crate) async fn log_head(pool: &Pool) -> Result<u64> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select seq from log_head");
    Ok(conn.fetch_one(statement).await?.get::<i64>("seq")? as u64)
}

/// How many migrations the database has applied successfully.
pub(crate) async fn applied_migrations(pool: &Pool) -> Result<i64> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select count(*) as n from _sqlx_migrations where success");
    conn.fetch_one(statement).await?.get("n")
}

pub(crate) async fn users(pool: &Pool) -> Result<Vec<UserSummary>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select user_id, name, role, disabled_at from app_user order by name");
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(UserSummary {
                user_id: uuid_col(r, "user_id")?,
                name: r.get("name")?,
                role: role_col(r)?,
                disabled: r.get::<Option<i64>>("disabled_at")?.is_some(),
            })
        })
        .collect()
}

pub(crate) async fn case_id_by_reference(
    pool: &Pool,
    reference: &opsroom_domain::reference::Reference,
) -> Result<Option<Uuid>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select case_id from case_file where reference = $1").bind(reference.as_str());
    conn.fetch_optional(statement).await?.map(|r| uuid_col(&r, "case_id")).transpose()
}

pub(crate) async fn user_count(pool: &Pool) -> Result<i64> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select count(*) as n from app_user");
    conn.fetch_one(statement).await?.get("n")
}

pub(crate) async fn user_by_name(pool: &Pool, name: &str) -> Result<Option<UserRecord>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement("select user_id, name, role, password_hash, disabled_at from app_user where name = $1")
        .bind(name);
    conn.fetch_optional(statement)
        .await?
        .map(|r| {
            Ok(UserRecord {
                user_id: uuid_col(&r, "user_id")?,
                name: r.get("name")?,
                role: role_col(&r)?,
                password_hash: r.get("password_hash")?,
                disabled: r.get::<Option<i64>>("disabled_at")?.is_some(),
            })
        })
        .transpose()
}

pub(crate) async fn events_after(pool: &Pool, after: u64, limit: u32) -> Result<Vec<StoredEvent>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement("select seq, kind, case_id, recorded_at, data from event where seq > $1 order by seq limit $2")
        .bind(position(after))
        .bind(i64::from(limit));
    conn.fetch_all(statement).await?.iter().map(stored_event).collect()
}

pub(crate) fn cell_count(row: &Row) -> Result<CellCount> {
    let status: String = row.get("status")?;
    let priority: String = row.get("priority_level")?;
    Ok(CellCount {
        cell: cell_col(row)?,
        priority: PriorityLevel::parse(&priority).ok_or_else(|| corrupt("priority_level", &priority))?,
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        count: row.get::<i64>("n")? as u64,
    })
}

pub(crate) async fn case_detail(pool: &Pool, case_id: Uuid) -> Result<Option<CaseDetail>> {
    let id = case_id.to_string();
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!("select {CASE_COLUMNS}, message from case_file where case_id = $1");
    let statement = conn.statement(&sql).bind(id.as_str());
    let Some(row) = conn.fetch_optional(statement).await? else { return Ok(None) };
    let mut summary = case_summary(&row)?;
    let message: Option<String> = row.get("message")?;

    let persons = case_persons(&mut conn, &id).await?;
    let subjects_first = persons
        .iter()
        .filter(|p| p.role == PersonRole::Subject)
        .chain(persons.iter().filter(|p| p.role != PersonRole::Subject));
    summary.lead_name = subjects_first.clone().find_map(|p| p.name.clone());
    summary.people_preview =
        subjects_first.take(3).map(|p| PersonPreview { name: p.name.clone(), age: p.age, role: p.role }).collect();

    let statement = conn
        .statement(
            "select report_id, seq, channel, language, message, place, reporter_place, lat, lon, accuracy_m, received_at,
                    update_kind
               from report where case_id = $1 order by seq",
        )
        .bind(id.as_str());
    let reports = conn
        .fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(ReportRow {
                report_id: uuid_col(r, "report_id")?,
                seq: r.get::<i64>("seq")? as u64,
                channel: channel_col(r)?,
                language: vocabulary(r, "language")?,
                message: r.get("message")?,
                place: r.get("place")?,
                reporter_place: r.get("reporter_place")?,
                lat: r.get("lat")?,
                lon: r.get("lon")?,
                accuracy_m: r.get("accuracy_m")?,
                received_at: r.get("received_at")?,
                update_kind: optional_vocabulary(r, "update_kind")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let statement = conn
        .statement(
            "select n.note_id, n.seq, u.name as author, n.text, n.created_at
               from note n join app_user u on u.user_id = n.author_id where n.case_id = $1 order by n.seq",
        )
        .bind(id.as_str());
    let notes = conn
        .fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(NoteRow {
                note_id: uuid_col(r, "note_id")?,
                seq: r.get::<i64>("seq")? as u64,
                author: r.get("author")?,
                text: r.get("text")?,
                created_at: r.get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let statement = conn
        .statement(
            "select c.contact_id, c.seq, u.name as author, c.channel, c.outcome, c.note, c.created_at
               from contact_attempt c join app_user u on u.user_id = c.author_id where c.case_id = $1 order by c.seq",
        )
        .bind(id.as_str());
    let contacts = conn
        .fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(ContactRow {
                contact_id: uuid_col(r, "contact_id")?,
                seq: r.get::<i64>("seq")? as u64,
                author: r.get("author")?,
                channel: vocabulary(r, "channel")?,
                outcome: vocabulary(r, "outcome")?,
                note: r.get("note")?,
                created_at: r.get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let statement = conn
        .statement("select seq, kind, case_id, recorded_at, data from event where case_id = $1 order by seq")
        .bind(id.as_str());
    let events = conn.fetch_all(statement).await?.iter().map(stored_event).collect::<Result<Vec<_>>>()?;

    Ok(Some(CaseDetail { summary, message, persons, reports, notes, contacts, events }))
}

/// The persons of a case (subjects and the reporter), in the order they were reported.
pub(crate) async fn case_persons(conn: &mut crate::sql::Conn<'_>, case_id: &str) -> Result<Vec<PersonRow>> {
    let statement = conn
        .statement(
            "select p.person_id, cp.role, cp.relation, p.name, p.age, p.sex, p.passport, p.phone
               from case_person cp join person p on p.person_id = cp.person_id
              where cp.case_id = $1 order by p.created_seq, cp.position",
        )
        .bind(case_id);
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(PersonRow {
                person_id: uuid_col(r, "person_id")?,
                role: vocabulary(r, "role")?,
                relation: optional_vocabulary(r, "relation")?,
                name: r.get("name")?,
                age: r.get::<Option<i64>>("age")?.map(|a| a.clamp(0, 255) as u8),
                sex: optional_vocabulary(r, "sex")?,
                passport: r.get("passport")?,
                phone: r.get("phone")?,
            })
        })
        .collect()
}

pub(crate) fn corrupt(what: &str, value: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value}"))
}

pub(crate) fn uuid_col(row: &Row, column: &str) -> Result<Uuid> {
    uuid_from(&row.get::<String>(column)?, column)
}

pub(crate) fn uuid_from(text: &str, column: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| corrupt(column, text))
}

pub(crate) fn role_col(row: &Row) -> Result<Role> {
    let text: String = row.get("role")?;
    Role::parse(&text).ok_or_else(|| corrupt("role", text))
}

fn channel_col(row: &Row) -> Result<Channel> {
    let text: String = row.get("channel")?;
    serde_json::from_value(serde_json::Value::String(text.clone())).map_err(|_| corrupt("channel", text))
}

pub(crate) fn stored_event(row: &Row) -> Result<StoredEvent> {
    let case_id: Option<String> = row.get("case_id")?;
    Ok(StoredEvent {
        seq: row.get::<i64>("seq")? as u64,
        kind: row.get("kind")?,
        case_id: case_id.map(|id| Uuid::parse_str(&id).map_err(|_| corrupt("event.case_id", id))).transpose()?,
        recorded_at: row.get("recorded_at")?,
        data: row.get("data")?,
    })
}

pub(crate) fn cell_col(row: &Row) -> Result<Option<Cell>> {
    let cell: Option<i64> = row.get("cell")?;
    cell.map(|c| Cell::from_u64(c as u64).ok_or_else(|| corrupt("cell", c))).transpose()
}

pub(crate) fn case_summary(row: &Row) -> Result<CaseSummary> {
    let status: String = row.get("status")?;
    let priority: String = row.get("priority_level")?;
    let reasons: String = row.get("priority_reasons")?;
    Ok(CaseSummary {
        case_id: uuid_col(row, "case_id")?,
        reference: row.get("reference")?,
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        priority: PriorityLevel::parse(&priority).ok_or_else(|| corrupt("priority_level", &priority))?,
        priority_score: row.get::<i64>("priority_score")? as u32,
        priority_reasons: serde_json::from_str(&reasons).map_err(|e| corrupt("priority_reasons", e))?,
        needs: masks::needs_from_mask(row.get("needs")?),
        flags: masks::flags_from_mask(row.get("flags")?),
        channel: channel_col(row)?,
        language: vocabulary(row, "language")?,
        lat: row.get("lat")?,
        lon: row.get("lon")?,
        place: row.get("place")?,
        cell: cell_col(row)?,
        people_count: row.get::<i64>("people_count")? as u32,
        reported_at: row.get("reported_at")?,
        created_seq: row.get::<i64>("created_seq")? as u64,
        updated_seq: row.get::<i64>("updated_seq")? as u64,
        version: row.get::<i64>("version")? as u32,
        assigned_to: row
            .get::<Option<String>>("assigned_to")?
            .map(|id| Uuid::parse_str(&id).map_err(|_| corrupt("assigned_to", id)))
            .transpose()?,
        first_contact_at: row.get("first_contact_at")?,
        escalated_at: row.get("escalated_at")?,
        priority_override_reason: row.get("priority_override_reason")?,
        danger_zone: row
            .get::<Option<String>>("danger_zone_id")?
            .map(|id| uuid_from(&id, "danger_zone_id"))
            .transpose()?,
        crisis_id: row.get::<Option<String>>("crisis_id")?.map(|id| uuid_from(&id, "crisis_id")).transpose()?,
        sla_due_at: row.get("sla_due_at")?,
        // Null only before the backfill at open has reached the case: least urgent until then.
        urgency: row.get::<Option<i64>>("urgency")?.unwrap_or(i64::MAX),
        lead_name: None,
        people_preview: Vec::new(),
        assignee_name: None,
        matched: None,
    })
}

/// A word of the domain's vocabulary (a status, a role, a sex …) as stored: its serde name.
pub(crate) fn vocabulary_of<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

/// The vocabulary word in `column`; a word the domain does not know is a corrupt row.
pub(crate) fn vocabulary<T: serde::de::DeserializeOwned>(row: &Row, column: &str) -> Result<T> {
    let text: String = row.get(column)?;
    vocabulary_of(&text).ok_or_else(|| corrupt(column, text))
}

/// The vocabulary word in `column`, if any.
pub(crate) fn optional_vocabulary<T: serde::de::DeserializeOwned>(row: &Row, column: &str) -> Result<Option<T>> {
    match row.get::<Option<String>>(column)? {
        Some(text) => vocabulary_of(&text).map(Some).ok_or_else(|| corrupt(column, text)),
        None => Ok(None),
    }
}

/// The statuses of finished cases, as SQL.
/// The statuses of finished cases (the domain's `workflow::is_finished`), as an SQL list.
pub(crate) fn finished() -> &'static str {
    static LIST: LazyLock<String> =
        LazyLock::new(|| listed(CaseStatus::ALL, workflow::is_finished, |s| s.as_str().to_owned()));
    &LIST
}

/// Counts by cell, priority and status with the log position they reflect, read in one snapshot.
pub(crate) async fn map_snapshot(pool: &Pool) -> Result<MapSnapshot> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    // One snapshot for both reads, so the counts are exactly those as of `seq`.
    conn.begin_snapshot().await?;
    let read = async {
        let statement = conn.statement("select seq from log_head");
        let seq = conn.fetch_one(statement).await?.get::<i64>("seq")? as u64;
        let statement = conn.statement(
            "select cell, priority_level, status, count(*) as n from case_file group by cell, priority_level, status",
        );
        let counts = conn.fetch_all(statement).await?.iter().map(cell_count).collect::<Result<_>>()?;
        Ok(MapSnapshot { seq, counts })
    }
    .await;
    conn.run("commit").await?;
    read
}

/// An open case nobody has reached that is past its first-contact time (`$1`…`$4`: the report
/// times due by now per priority, bound by [`bind_sla_due`]) or was escalated. With
/// `first_contact_at is null` this is the KPIs' "past SLA" and the handover's "overdue".
pub(crate) const PAST_SLA: &str = "(escalated_at is not null
    or (priority_level = 'critical' and reported_at <= $1) or (priority_level = 'high' and reported_at <= $2)
    or (priority_level = 'normal' and reported_at <= $3) or (priority_level = 'low' and reported_at <= $4))";

/// Bind [`PAST_SLA`]'s four due times at `now_ms`.
pub(crate) fn bind_sla_due<'q>(statement: Statement<'q>, now_ms: i64, policy: &SlaPolicy) -> Statement<'q> {
    let due = |level: PriorityLevel| now_ms - i64::from(policy.minutes(level)) * 60_000;
    statement
        .bind(due(PriorityLevel::Critical))
        .bind(due(PriorityLevel::High))
        .bind(due(PriorityLevel::Normal))
        .bind(due(PriorityLevel::Low))
}

pub(crate) async fn kpis(pool: &Pool, now_ms: i64, policy: &SlaPolicy, crisis: Option<CrisisFilter>) -> Result<Kpis> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let finished = crate::reads::finished();
    // The crisis's cases only. Its id is a parsed UUID (hex and dashes), safe to write in.
    let scope = |column: &str| match crisis {
        Some(CrisisFilter::Crisis(id)) => format!(" and {column} = '{id}'"),
        Some(CrisisFilter::Unplaced) => format!(" and {column} is null"),
        None => String::new(),
    };
    let in_crisis = scope("crisis_id");
    let sql = format!(
        "select
            sum(case when {PAST_SLA} then 1 else 0 end) as red,
            sum(case when escalated_at is not null then 1 else 0 end) as escalated
           from case_file where first_contact_at is null and status not in {finished}{in_crisis}"
    );
    let statement = bind_sla_due(conn.statement(&sql), now_ms, policy);
    let row = conn.fetch_one(statement).await?;
    let sla_red = row.get::<Option<i64>>("red")?.unwrap_or(0) as u64;
    let sla_escalated = row.get::<Option<i64>>("escalated")?.unwrap_or(0) as u64;

    let sql = format!("select count(*) as n from case_file where first_contact_at is not null{in_crisis}");
    let statement = conn.statement(&sql);
    let contacted = conn.fetch_one(statement).await?.get::<i64>("n")? as u64;
    let mut percentile = async |q: f64| -> Result<Option<i64>> {
        if contacted == 0 {
            return Ok(None);
        }
        let offset = ((contacted - 1) as f64 * q).round() as i64;
        let sql = format!(
            "select first_contact_at - reported_at as waited from case_file where first_contact_at is not null{in_crisis}
              order by waited limit 1 offset $1"
        );
        let statement = conn.statement(&sql).bind(offset);
        Ok(Some(conn.fetch_one(statement).await?.get::<i64>("waited")?))
    };
    let first_contact_p50_ms = percentile(0.5).await?;
    let first_contact_p90_ms = percentile(0.9).await?;

    let sql = format!(
        "select channel, count(*) as total,
                sum(case when status in ('resolved', 'evacuated') then 1 else 0 end) as resolved
           from case_file where 1 = 1{in_crisis} group by channel order by channel"
    );
    let statement = conn.statement(&sql);
    let by_channel = conn
        .fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.get("channel")?,
                r.get::<i64>("total")? as u64,
                r.get::<Option<i64>>("resolved")?.unwrap_or(0) as u64,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let finished = crate::reads::finished();
    let sql = format!(
        "select u.name, count(*) as n from case_file c join app_user u on u.user_id = c.assigned_to
          where c.status not in {finished}{} group by u.name order by u.name",
        scope("c.crisis_id")
    );
    let statement = conn.statement(&sql);
    let per_operator = conn
        .fetch_all(statement)
        .await?
        .iter()
        .map(|r| Ok((r.get("name")?, r.get::<i64>("n")? as u64)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Kpis { sla_red, sla_escalated, contacted, first_contact_p50_ms, first_contact_p90_ms, by_channel, per_operator })
}

/// The case a tracking token (by its hash) belongs to.
pub(crate) async fn case_by_tracking_hash(pool: &Pool, token_hash: &str) -> Result<Option<Uuid>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select case_id from case_file where tracking_token_hash = $1").bind(token_hash);
    conn.fetch_optional(statement).await?.map(|row| uuid_col(&row, "case_id")).transpose()
}

/// Advisories not withdrawn, in their current version, newest first.
pub(crate) async fn advisories(pool: &Pool) -> Result<Vec<Advisory>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement =
        conn.statement("select data from advisory where withdrawn = 0 order by updated_at desc, advisory_id");
    conn.fetch_all(statement).await?.iter().map(|row| parse_advisory(&row.get::<String>("data")?)).collect()
}

/// Every version of one advisory, oldest first (empty if there is no such advisory).
pub(crate) async fn advisory_versions(pool: &Pool, advisory_id: Uuid) -> Result<Vec<Advisory>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement("select data from advisory_version where advisory_id = $1 order by version")
        .bind(advisory_id.to_string());
    conn.fetch_all(statement).await?.iter().map(|row| parse_advisory(&row.get::<String>("data")?)).collect()
}
