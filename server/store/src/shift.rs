//! The shift's own records: handover notes (written by the writer, an event each, listed newest
//! first) and the reads behind the situation report (cases and workflow events of a window of
//! time, each by an index on its time column, never a scan of the log).

use opsroom_domain::case::CaseStatus;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;
use opsroom_domain::handover::{HandoverFigures, HandoverWritten};
use opsroom_domain::sitrep::{NewCaseFact, Window, WorkflowFact};
use opsroom_domain::workflow::SlaPolicy;
use uuid::Uuid;

use crate::Result;
use crate::model::{HandoverRow, WriteHandover};
use crate::reads::{PAST_SLA, bind_sla_due, cell_col, corrupt, uuid_col};
use crate::rows::record;
use crate::sql::{Conn, Pool};
use crate::write::{Positions, Write};

/// What is open now, as a handover note records it for `author`.
pub(crate) async fn figures(pool: &Pool, author: Uuid, now_ms: i64, policy: &SlaPolicy) -> Result<HandoverFigures> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let finished = crate::reads::finished();
    let sql = format!(
        "select count(*) as open,
                sum(case when first_contact_at is null and {PAST_SLA} then 1 else 0 end) as overdue,
                sum(case when assigned_to is null and priority_level = 'critical' then 1 else 0 end) as unassigned_critical,
                sum(case when assigned_to = $5 then 1 else 0 end) as mine
           from case_file where status not in {finished}"
    );
    let statement = bind_sla_due(conn.statement(&sql), now_ms, policy).bind(author.to_string());
    let row = conn.fetch_one(statement).await?;
    let count = |column: &str| -> Result<u64> { Ok(row.get::<Option<i64>>(column)?.unwrap_or(0) as u64) };
    Ok(HandoverFigures {
        open_cases: count("open")?,
        overdue: count("overdue")?,
        unassigned_critical: count("unassigned_critical")?,
        assigned_to_author: count("mine")?,
    })
}

impl Write for WriteHandover {
    /// The note's log position.
    type Outcome = u64;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<u64> {
        write(conn, self, positions).await
    }
}

/// Record a handover note: its event, then its row.
async fn write(conn: &mut Conn<'_>, note: &WriteHandover, positions: &mut Positions) -> Result<u64> {
    let event = Event::HandoverWritten(Box::new(HandoverWritten {
        handover_id: note.handover_id,
        figures: note.figures,
        promised: note.note.promised.as_str().to_owned(),
        open_note: note.note.open_note.as_ref().map(|m| m.as_str().to_owned()),
        by: note.author,
        at: Timestamp::from_millis(note.at),
    }));
    let seq = record(conn, positions, &event, note.at).await?;
    let insert = conn
        .statement(
            "insert into handover (handover_id, seq, author_id, written_at, open_cases, overdue, unassigned_critical,
                                   assigned_to_author, promised, open_note)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(note.handover_id.to_string())
        .bind(seq as i64)
        .bind(note.author.to_string())
        .bind(note.at)
        .bind(note.figures.open_cases as i64)
        .bind(note.figures.overdue as i64)
        .bind(note.figures.unassigned_critical as i64)
        .bind(note.figures.assigned_to_author as i64)
        .bind(note.note.promised.as_str())
        .bind(note.note.open_note.as_ref().map(|m| m.as_str()));
    conn.execute(insert).await?;
    Ok(seq)
}

/// Handover notes written before `before_seq` (all when `None`), newest first; at most `limit`.
pub(crate) async fn handovers(pool: &Pool, before_seq: Option<u64>, limit: u32) -> Result<Vec<HandoverRow>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select h.handover_id, h.seq, h.author_id, u.name as author, h.written_at, h.open_cases, h.overdue,
                    h.unassigned_critical, h.assigned_to_author, h.promised, h.open_note
               from handover h join app_user u on u.user_id = h.author_id
              where h.seq < $1 order by h.seq desc limit $2",
        )
        .bind(before_seq.map_or(i64::MAX, |s| s as i64))
        .bind(i64::from(limit));
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            let count = |column: &str| -> Result<u64> { Ok(r.get::<i64>(column)? as u64) };
            Ok(HandoverRow {
                handover_id: uuid_col(r, "handover_id")?,
                seq: r.get::<i64>("seq")? as u64,
                author_id: uuid_col(r, "author_id")?,
                author: r.get("author")?,
                written_at: r.get("written_at")?,
                figures: HandoverFigures {
                    open_cases: count("open_cases")?,
                    overdue: count("overdue")?,
                    unassigned_critical: count("unassigned_critical")?,
                    assigned_to_author: count("assigned_to_author")?,
                },
                promised: r.get("promised")?,
                open_note: r.get("open_note")?,
            })
        })
        .collect()
}

/// The cases reported in `window` (the `case_file_by_reported_at` index).
pub(crate) async fn new_cases(pool: &Pool, window: Window) -> Result<Vec<NewCaseFact>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select reported_at, channel, cell, place from case_file
              where reported_at >= $1 and reported_at < $2 order by reported_at",
        )
        .bind(window.from.millis())
        .bind(window.to.millis());
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(NewCaseFact {
                reported_at: Timestamp::from_millis(r.get("reported_at")?),
                channel: r.get("channel")?,
                cell: cell_col(r)?,
                place: r.get("place")?,
            })
        })
        .collect()
}

/// The fields of `contact_recorded`, `status_changed` and `sla_breached` events the situation
/// report counts (`ContactRecorded`, `StatusChanged`, `SlaBreached` in the domain's `event`;
/// events only ever grow optional fields, so these stay).
#[derive(serde::Deserialize)]
struct FactFields {
    case_id: Uuid,
    at: Timestamp,
    /// `status_changed`: the status reached.
    #[serde(default)]
    to: Option<CaseStatus>,
    /// `contact_recorded`: set on the first that reached someone.
    #[serde(default)]
    first_contact_after_ms: Option<i64>,
}

/// The first contacts, status changes and SLA breaches recorded in `window` (the partial index
/// `event_workflow_by_time`, whose `where` this query repeats word for word).
pub(crate) async fn workflow_facts(pool: &Pool, window: Window) -> Result<Vec<WorkflowFact>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select kind, data from event
              where kind in ('contact_recorded', 'status_changed', 'sla_breached')
                and recorded_at >= $1 and recorded_at < $2 order by recorded_at, seq",
        )
        .bind(window.from.millis())
        .bind(window.to.millis());
    let mut facts = Vec::new();
    for row in conn.fetch_all(statement).await? {
        let (kind, data): (String, String) = (row.get("kind")?, row.get("data")?);
        // Only the fields counted, straight from the text: a month holds hundreds of thousands
        // of these, and building each whole event first cost several times more.
        let fields: FactFields = serde_json::from_str(&data).map_err(|e| corrupt("event", e))?;
        let fact = match (kind.as_str(), fields.to, fields.first_contact_after_ms) {
            ("contact_recorded", _, Some(after_ms)) => {
                Some(WorkflowFact::FirstContact { case_id: fields.case_id, at: fields.at, after_ms })
            }
            ("status_changed", Some(to), _) => {
                Some(WorkflowFact::StatusReached { case_id: fields.case_id, to, at: fields.at })
            }
            ("sla_breached", _, _) => Some(WorkflowFact::Breached { case_id: fields.case_id, at: fields.at }),
            _ => None,
        };
        facts.extend(fact);
    }
    Ok(facts)
}
