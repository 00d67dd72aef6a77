//! Intake: reports written into the log, the hot path of the writer.
//!
//! Owns what a batch does with reports: the reports of one batch are planned together
//! ([`crate::batch`]: idempotency, references, positions, rows) and written with a few
//! multi-row statements per table, after the danger zones flag those that arrive inside one.
//! An import ([`ImportReports`]) is the same for many reports, all or nothing. Must not decide
//! anything the domain decides (the priority, the reference, the cell come in the command).

use std::collections::{HashMap, HashSet};

use opsroom_domain::event::CaseReported;
use opsroom_domain::workflow::SlaPolicy;

use crate::batch::{self, KnownKey, ReportBatch};
use crate::model::*;
use crate::rows::{fetch_in, insert_rows};
use crate::sql::Conn;
use crate::write::{Positions, Write};
use crate::{Result, evacuation, search};

/// Write the reports of one batch, in their order: flag those that arrive in a danger zone,
/// plan them together, write their rows. Returns each report's outcome.
pub(crate) async fn write_reports(
    conn: &mut Conn<'_>,
    reports: Vec<&mut ReportCase>,
    positions: &mut Positions,
    policy: &SlaPolicy,
) -> Result<Vec<ReportOutcome>> {
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    let planned = flag_and_plan(conn, reports, positions, policy).await?;
    write_planned(conn, &planned, positions).await?;
    Ok(planned.outcomes)
}

/// Many reports written together or not at all, after the batch's own reports (so their
/// checks see those reports' references).
pub(crate) struct ImportReports {
    pub(crate) reports: Vec<ReportCase>,
    pub(crate) policy: SlaPolicy,
}

impl Write for ImportReports {
    type Outcome = ImportOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<ImportOutcome> {
        let policy = self.policy;
        let planned = flag_and_plan(conn, self.reports.iter_mut().collect(), positions, &policy).await?;
        if planned.outcomes.contains(&ReportOutcome::ReferenceTaken) {
            // Planned, not written: nothing of the import is in the database.
            return Ok(ImportOutcome::ReferenceTaken);
        }
        write_planned(conn, &planned, positions).await?;
        Ok(ImportOutcome::Committed(planned.outcomes))
    }
}

/// Flag the reports that arrive inside an active danger zone, then plan them from the next
/// position. Under the log-head lock, so a zone declared by any node is either committed (and
/// seen here) or not yet begun (and its declaration will see these reports).
async fn flag_and_plan<'a>(
    conn: &mut Conn<'_>,
    mut reports: Vec<&'a mut ReportCase>,
    positions: &Positions,
    policy: &SlaPolicy,
) -> Result<ReportBatch<'a>> {
    let mut events: Vec<&mut CaseReported> = reports.iter_mut().map(|r| &mut r.event).collect();
    evacuation::flag_arrivals(conn, &mut events).await?;
    let reports: Vec<&'a ReportCase> = reports.into_iter().map(|r| &*r).collect();
    plan_reports(conn, &reports, positions.peek(), policy).await
}

/// Take the planned events' positions and write the rows.
async fn write_planned(conn: &mut Conn<'_>, planned: &ReportBatch<'_>, positions: &mut Positions) -> Result<()> {
    let taken = positions.take_run(planned.events.len());
    debug_assert_eq!(planned.last_seq, (!taken.is_empty()).then(|| taken.end - 1));
    write_report_rows(conn, planned).await
}

/// Look up the batch's idempotency keys and references in one query each, then plan.
async fn plan_reports<'a>(
    conn: &mut Conn<'_>,
    reports: &[&'a ReportCase],
    first_seq: u64,
    policy: &SlaPolicy,
) -> Result<ReportBatch<'a>> {
    let keys: Vec<&str> = reports.iter().filter_map(|r| r.idempotency.as_ref().map(|c| c.key_hash.as_str())).collect();
    let sql = "select key_hash, request_hash, case_id, token_sealed from idempotency where key_hash in";
    let mut known_keys = HashMap::new();
    for row in fetch_in(conn, sql, &keys).await? {
        known_keys.insert(
            row.get::<String>("key_hash")?,
            KnownKey {
                request_hash: row.get("request_hash")?,
                case_id: crate::reads::uuid_col(&row, "case_id")?,
                token_sealed: row.get("token_sealed")?,
            },
        );
    }
    let references: Vec<&str> = reports.iter().map(|r| r.event.reference.as_str()).collect();
    let sql = "select reference from case_file where reference in";
    let taken: HashSet<String> =
        fetch_in(conn, sql, &references).await?.iter().map(|row| row.get("reference")).collect::<Result<_>>()?;
    Ok(batch::plan_reports(reports, &known_keys, &taken, first_seq, policy))
}

/// Write a planned batch's rows, a few multi-row statements per table.
pub(crate) async fn write_report_rows(conn: &mut Conn<'_>, planned: &ReportBatch<'_>) -> Result<()> {
    insert_rows(conn, "insert into event (seq, kind, case_id, recorded_at, data)", 5, &planned.events, |s, e| {
        s.bind(e.seq as i64).bind(e.kind).bind(e.case_id.as_deref()).bind(e.recorded_at).bind(e.data.as_str())
    })
    .await?;
    insert_rows(
        conn,
        "insert into case_file (case_id, reference, tracking_token_hash, status, priority_level, priority_score,
             priority_reasons, needs, flags, channel, language, lat, lon, accuracy_m, place, cell, message,
             people_count, reported_at, created_seq, updated_seq, version, danger_zone_id, age_marks, sla_due_at,
             urgency, crisis_id)",
        27,
        &planned.cases,
        |s, c| {
            s.bind(c.case_id.as_str())
                .bind(c.reference)
                .bind(c.tracking_token_hash)
                .bind(c.status)
                .bind(c.priority_level)
                .bind(i64::from(c.priority_score))
                .bind(c.priority_reasons.as_str())
                .bind(c.needs)
                .bind(c.flags)
                .bind(c.channel)
                .bind(c.language)
                .bind(c.lat)
                .bind(c.lon)
                .bind(c.accuracy_m)
                .bind(c.place)
                .bind(c.cell)
                .bind(c.message)
                .bind(c.people_count as i64)
                .bind(c.reported_at)
                .bind(c.seq as i64)
                .bind(c.seq as i64)
                .bind(1i64)
                .bind(c.danger_zone.as_deref())
                .bind(c.age_marks)
                .bind(c.sla_due_at)
                .bind(c.urgency)
                .bind(c.crisis_id.as_deref())
        },
    )
    .await?;
    insert_rows(
        conn,
        "insert into person (person_id, name, age, sex, passport, phone, created_seq)",
        7,
        &planned.persons,
        |s, p| {
            s.bind(p.person_id.as_str())
                .bind(p.name)
                .bind(p.age.map(i64::from))
                .bind(p.sex)
                .bind(p.passport)
                .bind(p.phone)
                .bind(p.seq as i64)
        },
    )
    .await?;
    insert_rows(
        conn,
        "insert into case_person (case_id, person_id, role, relation, position)",
        5,
        &planned.persons,
        |s, p| {
            s.bind(p.case_id.as_str()).bind(p.person_id.as_str()).bind(p.role).bind(p.relation).bind(p.position as i64)
        },
    )
    .await?;
    search::insert_terms(conn, &planned.terms).await?;
    insert_rows(
        conn,
        "insert into report (report_id, case_id, seq, channel, language, reporter_person_id, reporter_place,
             lat, lon, accuracy_m, place, cell, needs, flags, message, received_at, taken_by)",
        17,
        &planned.reports,
        |s, r| {
            s.bind(r.report_id.as_str())
                .bind(r.case_id.as_str())
                .bind(r.seq as i64)
                .bind(r.channel)
                .bind(r.language)
                .bind(r.reporter_person_id.as_deref())
                .bind(r.reporter_place)
                .bind(r.lat)
                .bind(r.lon)
                .bind(r.accuracy_m)
                .bind(r.place)
                .bind(r.cell)
                .bind(r.needs)
                .bind(r.flags)
                .bind(r.message)
                .bind(r.received_at)
                .bind(r.taken_by.as_deref())
        },
    )
    .await?;
    insert_rows(
        conn,
        "insert into idempotency (key_hash, request_hash, case_id, token_sealed, created_at)",
        5,
        &planned.idempotency,
        |s, i| s.bind(i.key_hash).bind(i.request_hash).bind(i.case_id.as_str()).bind(i.token_sealed).bind(i.created_at),
    )
    .await
}
