//! The operators' workflow on a case, inside the writer's transaction: an action checked
//! against the case's version and decided by `workflow::decide`, and the sweep that escalates
//! cases whose first-contact clock ran out.
//!
//! Must not decide anything the domain decides; it reads the case's state, checks the
//! references the pure rules cannot (a user, a duplicate's original), and writes what
//! `workflow::decide` returns.

use opsroom_domain::Rejected;
use opsroom_domain::case::CaseStatus;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;
use opsroom_domain::priority::{self, Priority, PriorityLevel};
use opsroom_domain::reference::Reference;
use opsroom_domain::workflow::{self, CaseChange, CaseCommand, CaseState};
use uuid::Uuid;

use crate::model::*;
use crate::rows::record;
use crate::sql::Conn;
use crate::write::{Positions, Write};
use crate::{Result, StoreError};

impl Write for CaseAction {
    type Outcome = ActionOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<ActionOutcome> {
        apply_to_case(conn, self, positions).await
    }
}

impl Write for EscalateOverdue {
    /// How many cases were escalated.
    type Outcome = usize;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<usize> {
        escalate_overdue(conn, self, positions).await
    }
}

const STATE_COLUMNS: &str =
    "case_id, cell, status, assigned_to, priority_level, reported_at, first_contact_at, escalated_at, version";

/// The workflow's view of a case row selected with [`STATE_COLUMNS`], and its version.
fn case_state(row: &crate::sql::Row) -> Result<(CaseState, u32)> {
    let status: String = row.get("status")?;
    let priority: String = row.get("priority_level")?;
    let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("{what}: {value}"));
    let state = CaseState {
        case_id: crate::reads::uuid_col(row, "case_id")?,
        cell: crate::reads::cell_col(row)?,
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        assigned_to: row
            .get::<Option<String>>("assigned_to")?
            .map(|id| Uuid::parse_str(&id).map_err(|_| corrupt("assigned_to", &id)))
            .transpose()?,
        priority: PriorityLevel::parse(&priority).ok_or_else(|| corrupt("priority_level", &priority))?,
        reported_at: Timestamp::from_millis(row.get("reported_at")?),
        first_contact_at: row.get::<Option<i64>>("first_contact_at")?.map(Timestamp::from_millis),
        escalated: row.get::<Option<i64>>("escalated_at")?.is_some(),
    };
    Ok((state, row.get::<i64>("version")? as u32))
}

async fn exists(conn: &mut Conn<'_>, sql: &str, id: Uuid) -> Result<bool> {
    let statement = conn.statement(sql).bind(id.to_string());
    Ok(conn.fetch_one(statement).await?.get::<i64>("n")? > 0)
}

/// Check the version, ask the workflow, and record what it decides.
pub(crate) async fn apply_to_case(
    conn: &mut Conn<'_>,
    action: &CaseAction,
    positions: &mut Positions,
) -> Result<ActionOutcome> {
    let case_id = action.case_id.to_string();
    let sql = format!("select {STATE_COLUMNS} from case_file where case_id = $1");
    let statement = conn.statement(&sql).bind(case_id.as_str());
    let Some(row) = conn.fetch_optional(statement).await? else { return Ok(ActionOutcome::NotFound) };
    let (state, version) = case_state(&row)?;
    if version != action.expected_version {
        return Ok(ActionOutcome::Conflict { current_version: version });
    }
    // References the pure rules cannot check.
    match &action.command {
        CaseCommand::Assign { to: Some(user) }
            if !exists(
                conn,
                "select count(*) as n from app_user where user_id = $1 and disabled_at is null",
                *user,
            )
            .await? =>
        {
            let refused = Rejected::new("unknown_user", "user_id", "no such user, or the account is disabled");
            return Ok(ActionOutcome::Refused(refused));
        }
        _ => {}
    }
    // The original of a duplicate must exist; its reference goes into the event for readers.
    let mut original_reference = None;
    if let CaseCommand::ChangeStatus { duplicate_of: Some(other), .. } = &action.command {
        let statement = conn.statement("select reference from case_file where case_id = $1").bind(other.to_string());
        let Some(row) = conn.fetch_optional(statement).await? else {
            return Ok(ActionOutcome::Refused(Rejected::new("unknown_case", "duplicate_of", "no such case")));
        };
        let reference: String = row.get("reference")?;
        original_reference = Some(Reference::parse(&reference).map_err(|_| StoreError::Corrupt(reference))?);
    }
    let now = Timestamp::from_millis(action.at);
    let mut change = match workflow::decide(&state, action.actor, action.command.clone(), now) {
        Ok(change) => change,
        Err(rejected) => return Ok(ActionOutcome::Refused(rejected)),
    };
    if let CaseChange::StatusChanged(changed) = &mut change {
        changed.duplicate_of_reference = original_reference;
    }

    // The event first: the rows below refer to its position.
    let event = Event::from(change.clone());
    let seq = record(conn, positions, &event, action.at).await?;
    let mut update = String::from("update case_file set version = version + 1, updated_seq = $1");
    let by = action.actor.user_id.to_string();
    let statement = match &change {
        CaseChange::StatusChanged(c) => {
            update.push_str(", status = $2 where case_id = $3");
            conn.statement(&update).bind(seq as i64).bind(c.to.as_str())
        }
        CaseChange::CaseAssigned(c) => {
            update.push_str(", assigned_to = $2 where case_id = $3");
            conn.statement(&update).bind(seq as i64).bind(c.to.map(|u| u.to_string()))
        }
        CaseChange::PriorityOverridden(c) => {
            update.push_str(", priority_level = $2, priority_override_reason = $3 where case_id = $4");
            conn.statement(&update).bind(seq as i64).bind(c.to.as_str()).bind(c.reason.as_str())
        }
        CaseChange::ContactRecorded(c) => {
            update.push_str(", first_contact_at = coalesce(first_contact_at, $2) where case_id = $3");
            conn.statement(&update).bind(seq as i64).bind(c.first_contact_after_ms.map(|_| c.at.millis()))
        }
        CaseChange::NoteAdded(_) => {
            update.push_str(" where case_id = $2");
            conn.statement(&update).bind(seq as i64)
        }
    };
    conn.execute(statement.bind(case_id.as_str())).await?;
    match &change {
        CaseChange::NoteAdded(n) => {
            let insert = conn
                .statement(
                    "insert into note (note_id, case_id, seq, author_id, text, created_at) values ($1, $2, $3, $4, $5, $6)",
                )
                .bind(n.note_id.to_string())
                .bind(case_id.as_str())
                .bind(seq as i64)
                .bind(by.as_str())
                .bind(n.text.as_str())
                .bind(n.at.millis());
            conn.execute(insert).await?;
        }
        CaseChange::ContactRecorded(c) => {
            let insert = conn
                .statement(
                    "insert into contact_attempt (contact_id, case_id, seq, author_id, channel, outcome, note, created_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(c.contact_id.to_string())
                .bind(case_id.as_str())
                .bind(seq as i64)
                .bind(by.as_str())
                .bind(opsroom_domain::wire_name(c.channel))
                .bind(opsroom_domain::wire_name(c.outcome))
                .bind(c.note.as_deref())
                .bind(c.at.millis());
            conn.execute(insert).await?;
        }
        _ => {}
    }
    Ok(ActionOutcome::Applied { seq, version: version + 1 })
}

/// Escalate open cases whose first-contact clock ran out; returns how many.
async fn escalate_overdue(conn: &mut Conn<'_>, sweep: &EscalateOverdue, positions: &mut Positions) -> Result<usize> {
    // The shortest clock bounds which cases can be overdue at all; the policy decides per case.
    let shortest = [PriorityLevel::Critical, PriorityLevel::High, PriorityLevel::Normal, PriorityLevel::Low]
        .into_iter()
        .map(|level| sweep.policy.minutes(level))
        .min()
        .unwrap_or(0);
    let sql = format!(
        "select {STATE_COLUMNS}, priority_score, priority_reasons, priority_override_reason from case_file
          where first_contact_at is null and escalated_at is null and reported_at <= $1
            and status not in {finished}
          order by reported_at limit $2",
        finished = crate::reads::finished()
    );
    let statement = conn.statement(&sql).bind(sweep.now - i64::from(shortest) * 60_000).bind(i64::from(sweep.limit));
    let rows = conn.fetch_all(statement).await?;
    let now = Timestamp::from_millis(sweep.now);
    let mut escalated = 0;
    for row in &rows {
        let (state, _) = case_state(row)?;
        let Some(mut breach) = sweep.policy.escalation(&state, now) else { continue };
        // Waiting raises the priority, unless a supervisor set it by hand.
        let overridden = row.get::<Option<String>>("priority_override_reason")?.is_some();
        let reasons: String = row.get("priority_reasons")?;
        let current = Priority {
            level: state.priority,
            score: row.get::<i64>("priority_score")? as u32,
            reasons: serde_json::from_str(&reasons)
                .map_err(|e| StoreError::Corrupt(format!("priority_reasons: {e}")))?,
        };
        let raised = if overridden { None } else { priority::raise_for_waiting(&current) };
        breach.raised_to = raised.as_ref().map(|p| p.level).filter(|level| *level != state.priority);
        let seq = record(conn, positions, &Event::SlaBreached(breach), sweep.now).await?;
        let priority = raised.unwrap_or(current);
        // Escalation is not an operator's edit: it does not bump the version, so nobody's
        // pending change gets a conflict because the clock ran out.
        let update = conn
            .statement(
                "update case_file set escalated_at = $1, updated_seq = $2, priority_level = $3, priority_score = $4,
                        priority_reasons = $5
                  where case_id = $6",
            )
            .bind(sweep.now)
            .bind(seq as i64)
            .bind(priority.level.as_str())
            .bind(i64::from(priority.score))
            .bind(serde_json::to_string(&priority.reasons).expect("reasons serialize"))
            .bind(state.case_id.to_string());
        conn.execute(update).await?;
        escalated += 1;
    }
    Ok(escalated)
}
