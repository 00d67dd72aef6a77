//! Citizens' writes, inside the writer's transaction: an update through a tracking link, and
//! operators revoking or reissuing that link.
//!
//! Each writes one event plus the rows it changes. Must not decide anything the domain
//! decides: what an update does to a case is `citizen::apply`.

use opsroom_domain::case::CaseStatus;
use opsroom_domain::citizen::{self, TrackedCase};
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::{Event, TrackingLinkChanged};
use opsroom_domain::priority::PriorityLevel;

use crate::masks::{flags_mask, needs_mask};
use crate::model::*;
use crate::reads::{cell_col, uuid_col};
use crate::rows::record;
use crate::sql::Conn;
use crate::write::{Positions, Write};
use crate::{Result, StoreError};

impl Write for CitizenUpdateCommand {
    type Outcome = CitizenOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<CitizenOutcome> {
        citizen_update(conn, self, positions).await
    }
}

impl Write for TrackingLinkChange {
    /// `false` when there is no such case.
    type Outcome = bool;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<bool> {
        change_tracking_link(conn, self, positions).await
    }
}

/// Record a citizen's update on the case whose tracking token hashes to `token_hash`.
async fn citizen_update(
    conn: &mut Conn<'_>,
    command: &CitizenUpdateCommand,
    positions: &mut Positions,
) -> Result<CitizenOutcome> {
    let statement = conn
        .statement(
            "select case_id, cell, status, priority_level, priority_score, priority_override_reason
               from case_file where tracking_token_hash = $1",
        )
        .bind(command.token_hash.as_str());
    let Some(row) = conn.fetch_optional(statement).await? else { return Ok(CitizenOutcome::NotFound) };
    let case_id = uuid_col(&row, "case_id")?;
    let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("{what}: {value}"));
    let status: String = row.get("status")?;
    let priority: String = row.get("priority_level")?;
    let ages = conn
        .statement(
            "select p.age from case_person cp join person p on p.person_id = cp.person_id
              where cp.case_id = $1 and cp.role = 'subject' and p.age is not null",
        )
        .bind(case_id.to_string());
    let ages = conn
        .fetch_all(ages)
        .await?
        .iter()
        .map(|r| Ok(r.get::<i64>("age")?.clamp(0, 255) as u8))
        .collect::<Result<Vec<_>>>()?;
    let case = TrackedCase {
        case_id,
        cell: cell_col(&row)?,
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        priority: PriorityLevel::parse(&priority).ok_or_else(|| corrupt("priority_level", &priority))?,
        priority_score: row.get::<i64>("priority_score")? as u32,
        priority_overridden: row.get::<Option<String>>("priority_override_reason")?.is_some(),
        ages,
    };
    let event = citizen::apply(&case, command.update.clone(), command.report_id, Timestamp::from_millis(command.at));
    let seq = record(conn, positions, &Event::CitizenUpdated(Box::new(event.clone())), command.at).await?;

    let location = event.location.clone().unwrap_or_default();
    let coordinates = location.coordinates;
    let insert = conn
        .statement(
            "insert into report (report_id, case_id, seq, channel, language, reporter_person_id, reporter_place,
                                 lat, lon, accuracy_m, place, cell, needs, flags, message, received_at, update_kind)
             select $1, case_id, $2, 'web', language, null, null, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
               from case_file where case_id = $13",
        )
        .bind(event.report_id.to_string())
        .bind(seq as i64)
        .bind(coordinates.map(|c| c.lat()))
        .bind(coordinates.map(|c| c.lon()))
        .bind(location.accuracy_m)
        .bind(location.place.as_ref().map(|p| p.as_str().to_owned()))
        .bind(location.cell().map(|c| c.to_u64() as i64))
        .bind(event.needs.as_deref().map_or(0, needs_mask))
        .bind(event.flags.as_deref().map_or(0, flags_mask))
        .bind(event.message.as_ref().map(|m| m.as_str().to_owned()))
        .bind(command.at)
        .bind(event.update.as_str())
        .bind(case_id.to_string());
    conn.execute(insert).await?;

    // The case row follows what changed. Its version moves only when fields an operator works
    // from changed, so a citizen's message does not turn an operator's next action into a 409.
    let mut sql = String::from("update case_file set updated_seq = $1");
    let mut statement_binds: Vec<Bind> = vec![Bind::Int(seq as i64)];
    let mut changed = false;
    if event.location.is_some() {
        let n = statement_binds.len();
        sql.push_str(&format!(
            ", lat = ${}, lon = ${}, accuracy_m = ${}, place = ${}, cell = ${}",
            n + 1,
            n + 2,
            n + 3,
            n + 4,
            n + 5
        ));
        statement_binds.extend([
            Bind::Real(coordinates.map(|c| c.lat())),
            Bind::Real(coordinates.map(|c| c.lon())),
            Bind::Real(location.accuracy_m),
            Bind::Text(location.place.as_ref().map(|p| p.as_str().to_owned())),
            Bind::OptInt(event.cell.map(|c| c.to_u64() as i64)),
        ]);
        changed = true;
    }
    if let (Some(needs), Some(flags)) = (&event.needs, &event.flags) {
        let n = statement_binds.len();
        sql.push_str(&format!(", needs = ${}, flags = ${}", n + 1, n + 2));
        statement_binds.extend([Bind::Int(needs_mask(needs)), Bind::Int(flags_mask(flags))]);
        changed = true;
    }
    if let Some(raised) = &event.raised {
        let n = statement_binds.len();
        sql.push_str(&format!(
            ", priority_level = ${}, priority_score = ${}, priority_reasons = ${}",
            n + 1,
            n + 2,
            n + 3
        ));
        statement_binds.extend([
            Bind::Text(Some(raised.level.as_str().to_owned())),
            Bind::Int(i64::from(raised.score)),
            Bind::Text(Some(serde_json::to_string(&raised.reasons).expect("reasons serialize"))),
        ]);
    }
    if event.status != event.status_from {
        let n = statement_binds.len();
        sql.push_str(&format!(", status = ${}", n + 1));
        statement_binds.push(Bind::Text(Some(event.status.as_str().to_owned())));
        changed = true;
    }
    if changed {
        sql.push_str(", version = version + 1");
    }
    sql.push_str(&format!(" where case_id = ${}", statement_binds.len() + 1));
    let mut update = conn.statement(&sql);
    for bind in statement_binds {
        update = match bind {
            Bind::Int(v) => update.bind(v),
            Bind::OptInt(v) => update.bind(v),
            Bind::Real(v) => update.bind(v),
            Bind::Text(v) => update.bind(v),
        };
    }
    conn.execute(update.bind(case_id.to_string())).await?;
    Ok(CitizenOutcome::Applied { seq, case_id })
}

/// A value for a statement assembled piece by piece.
enum Bind {
    Int(i64),
    OptInt(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

/// Point a case's tracking link at a new token hash (revoking the old token).
async fn change_tracking_link(
    conn: &mut Conn<'_>,
    change: &TrackingLinkChange,
    positions: &mut Positions,
) -> Result<bool> {
    let exists =
        conn.statement("select count(*) as n from case_file where case_id = $1").bind(change.case_id.to_string());
    if conn.fetch_one(exists).await?.get::<i64>("n")? == 0 {
        return Ok(false);
    }
    let data = TrackingLinkChanged { case_id: change.case_id, by: change.by, at: Timestamp::from_millis(change.at) };
    let event = if change.reissued { Event::TrackingLinkReissued(data) } else { Event::TrackingLinkRevoked(data) };
    let seq = record(conn, positions, &event, change.at).await?;
    let update = conn
        .statement("update case_file set tracking_token_hash = $1, updated_seq = $2 where case_id = $3")
        .bind(change.new_token_hash.as_str())
        .bind(seq as i64)
        .bind(change.case_id.to_string());
    conn.execute(update).await?;
    Ok(true)
}
