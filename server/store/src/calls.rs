//! The hotline's call log: a `call_logged` event and its `call_log` row, written in one
//! transaction, and the earlier calls of a number.
//!
//! Owns the call log's SQL. The domain (`opsroom_domain::call`) has validated the call before
//! it gets here; this module only checks what needs the database (the case exists) and must
//! not decide anything else about a call.

use opsroom_domain::call::{CallDirection, CallLogged, CallOutcome};
use opsroom_domain::event::Event;
use opsroom_domain::search::{PhoneQuery, split_e164};
use uuid::Uuid;

use crate::Result;
use crate::reads::{corrupt, uuid_col};
use crate::rows::record;
use crate::sql::{Conn, Pool, Row};
use crate::write::{Positions, Write};

/// Log a call (validated by `opsroom_domain::call::log_call`) on its case.
#[derive(Debug, Clone)]
pub struct LogCall {
    pub event: CallLogged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogCallOutcome {
    /// Recorded at this log position.
    Logged { seq: u64 },
    /// There is no such case: nothing was written.
    UnknownCase,
}

/// Where a page of calls ends: the next page holds the calls before it (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallCursor {
    pub started_at: i64,
    pub seq: u64,
}

/// Earlier calls of a number, newest first.
#[derive(Debug, Clone)]
pub struct CallQuery {
    pub phone: PhoneQuery,
    pub before: Option<CallCursor>,
    pub limit: u32,
}

/// A logged call as the desk shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRow {
    pub call_id: Uuid,
    pub case_id: Uuid,
    /// The case's reference, as read out on the phone.
    pub reference: String,
    pub seq: u64,
    pub phone: String,
    pub direction: CallDirection,
    pub outcome: CallOutcome,
    pub started_at: i64,
    pub ended_at: i64,
    pub note: Option<String>,
    /// The login name of the operator who took or made the call.
    pub operator: String,
    pub logged_at: i64,
}

impl CallRow {
    /// The cursor of the page that ends with this call.
    pub fn cursor(&self) -> CallCursor {
        CallCursor { started_at: self.started_at, seq: self.seq }
    }
}

/// The digits a number is filed under for lookups in national form: its national significant
/// number (all its digits when its country code is not one the ITU assigned).
fn national_number(e164: &str) -> &str {
    split_e164(e164).map_or_else(|| e164.trim_start_matches('+'), |(_, national)| national)
}

impl Write for LogCall {
    type Outcome = LogCallOutcome;

    /// The call's event and its row, if its case exists.
    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<LogCallOutcome> {
        log_call(conn, self, positions).await
    }
}

async fn log_call(conn: &mut Conn<'_>, call: &LogCall, positions: &mut Positions) -> Result<LogCallOutcome> {
    let e = &call.event;
    let case_id = e.case_id.to_string();
    let exists = conn.statement("select count(*) as n from case_file where case_id = $1").bind(case_id.as_str());
    if conn.fetch_one(exists).await?.get::<i64>("n")? == 0 {
        return Ok(LogCallOutcome::UnknownCase);
    }
    let seq = record(conn, positions, &Event::CallLogged(e.clone()), e.at.millis()).await?;
    let insert = conn
        .statement(
            "insert into call_log (call_id, case_id, seq, phone, phone_national, direction, outcome, started_at,
                                   ended_at, note, operator_id, logged_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(e.call_id.to_string())
        .bind(case_id.as_str())
        .bind(seq as i64)
        .bind(e.phone.as_str())
        .bind(national_number(e.phone.as_str()))
        .bind(opsroom_domain::wire_name(e.direction))
        .bind(opsroom_domain::wire_name(e.outcome))
        .bind(e.started_at.millis())
        .bind(e.ended_at.millis())
        .bind(e.note.as_deref())
        .bind(e.by.to_string())
        .bind(e.at.millis());
    conn.execute(insert).await?;
    // A call is news on the case (boards sorting by last update see it) but not an edit of it:
    // the version stays, so nobody's pending change conflicts because a call was logged.
    let touch =
        conn.statement("update case_file set updated_seq = $1 where case_id = $2").bind(seq as i64).bind(case_id);
    conn.execute(touch).await?;
    Ok(LogCallOutcome::Logged { seq })
}

/// Earlier calls of a number, newest first (by start, then by position), one page.
pub(crate) async fn calls(pool: &Pool, query: &CallQuery) -> Result<Vec<CallRow>> {
    let (national, exact) = match &query.phone {
        PhoneQuery::International(digits) => {
            let e164 = format!("+{digits}");
            (national_number(&e164).to_owned(), Some(e164))
        }
        PhoneQuery::National(digits) => (digits.clone(), None),
    };
    let mut sql = String::from(
        "select c.call_id, c.case_id, f.reference, c.seq, c.phone, c.direction, c.outcome, c.started_at, c.ended_at,
                c.note, u.name as operator, c.logged_at
           from call_log c
           join case_file f on f.case_id = c.case_id
           join app_user u on u.user_id = c.operator_id
          where c.phone_national = $1 and ($2 is null or c.phone = $2)",
    );
    if query.before.is_some() {
        sql.push_str(" and (c.started_at < $3 or (c.started_at = $3 and c.seq < $4))");
    }
    sql.push_str(if query.before.is_some() {
        " order by c.started_at desc, c.seq desc limit $5"
    } else {
        " order by c.started_at desc, c.seq desc limit $3"
    });
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let mut statement = conn.statement(&sql).bind(national).bind(exact);
    if let Some(before) = query.before {
        statement = statement.bind(before.started_at).bind(i64::try_from(before.seq).unwrap_or(i64::MAX));
    }
    let statement = statement.bind(i64::from(query.limit));
    conn.fetch_all(statement).await?.iter().map(call_row).collect()
}

fn call_row(row: &Row) -> Result<CallRow> {
    let direction: String = row.get("direction")?;
    let outcome: String = row.get("outcome")?;
    let word = |text: &str| serde_json::Value::String(text.to_owned());
    Ok(CallRow {
        call_id: uuid_col(row, "call_id")?,
        case_id: uuid_col(row, "case_id")?,
        reference: row.get("reference")?,
        seq: row.get::<i64>("seq")? as u64,
        phone: row.get("phone")?,
        direction: serde_json::from_value(word(&direction)).map_err(|_| corrupt("call_log.direction", &direction))?,
        outcome: serde_json::from_value(word(&outcome)).map_err(|_| corrupt("call_log.outcome", &outcome))?,
        started_at: row.get("started_at")?,
        ended_at: row.get("ended_at")?,
        note: row.get("note")?,
        operator: row.get("operator")?,
        logged_at: row.get("logged_at")?,
    })
}
