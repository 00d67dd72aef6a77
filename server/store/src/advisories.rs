//! Advisories in the database, inside the writer's transaction: publishing, updating and
//! withdrawing one (each a new version, never an edit), and reading the stored JSON back.
//!
//! Must not decide anything the domain decides: the rules are `Advisory::update` and
//! `Advisory::withdraw`.

use opsroom_domain::advisory::Advisory;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;

use crate::model::*;
use crate::rows::record;
use crate::sql::Conn;
use crate::write::{Positions, Write};
use crate::{Result, StoreError};

impl Write for AdvisoryCommand {
    type Outcome = AdvisoryOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<AdvisoryOutcome> {
        advisory(conn, self, positions).await
    }
}

/// Publish, update or withdraw an advisory.
async fn advisory(
    conn: &mut Conn<'_>,
    command: &AdvisoryCommand,
    positions: &mut Positions,
) -> Result<AdvisoryOutcome> {
    let current = match command {
        AdvisoryCommand::Publish(_) => None,
        AdvisoryCommand::Update { advisory_id, .. } | AdvisoryCommand::Withdraw { advisory_id, .. } => {
            let select =
                conn.statement("select data from advisory where advisory_id = $1").bind(advisory_id.to_string());
            let Some(row) = conn.fetch_optional(select).await? else { return Ok(AdvisoryOutcome::NotFound) };
            Some(parse_advisory(&row.get::<String>("data")?)?)
        }
    };
    let decided = match (command, &current) {
        (AdvisoryCommand::Publish(advisory), _) => Ok(Event::AdvisoryPublished(Box::new(advisory.clone()))),
        (AdvisoryCommand::Update { content, by, at, .. }, Some(current)) => current
            .update(content.clone(), *by, Timestamp::from_millis(*at))
            .map(|a| Event::AdvisoryUpdated(Box::new(a))),
        (AdvisoryCommand::Withdraw { by, at, .. }, Some(current)) => {
            current.withdraw(*by, Timestamp::from_millis(*at)).map(|a| Event::AdvisoryWithdrawn(Box::new(a)))
        }
        (_, None) => unreachable!("updates and withdrawals returned NotFound above"),
    };
    let event = match decided {
        Ok(event) => event,
        Err(rejected) => return Ok(AdvisoryOutcome::Refused(rejected)),
    };
    let (Event::AdvisoryPublished(advisory) | Event::AdvisoryUpdated(advisory) | Event::AdvisoryWithdrawn(advisory)) =
        &event
    else {
        unreachable!("built above as an advisory event")
    };
    let advisory = advisory.as_ref().clone();
    let seq = record(conn, positions, &event, advisory.updated_at.millis()).await?;
    let data = serde_json::to_string(&advisory).expect("advisories serialize");
    let id = advisory.advisory_id.to_string();
    let upsert = if current.is_some() {
        "update advisory set version = $2, withdrawn = $3, expires_at = $4, published_at = $5, updated_at = $6,
                data = $7, seq = $8 where advisory_id = $1"
    } else {
        "insert into advisory (advisory_id, version, withdrawn, expires_at, published_at, updated_at, data, seq)
         values ($1, $2, $3, $4, $5, $6, $7, $8)"
    };
    let statement = conn
        .statement(upsert)
        .bind(id.as_str())
        .bind(i64::from(advisory.version))
        .bind(i64::from(advisory.withdrawn))
        .bind(advisory.content.expires_at.map(Timestamp::millis))
        .bind(advisory.published_at.millis())
        .bind(advisory.updated_at.millis())
        .bind(data.as_str())
        .bind(seq as i64);
    conn.execute(statement).await?;
    let history = conn
        .statement("insert into advisory_version (advisory_id, version, seq, data) values ($1, $2, $3, $4)")
        .bind(id.as_str())
        .bind(i64::from(advisory.version))
        .bind(seq as i64)
        .bind(data.as_str());
    conn.execute(history).await?;
    Ok(AdvisoryOutcome::Applied { seq, advisory: Box::new(advisory) })
}

pub(crate) fn parse_advisory(data: &str) -> Result<Advisory> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("advisory: {e}")))
}
