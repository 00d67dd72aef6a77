//! The matcher's storage: blocking keys, candidates, suggestions and decisions; and what they
//! build: families of linked persons, and each person's tracing status.
//!
//! Owns the SQL of matching, both backends. The writes run inside the writer's transaction like
//! every other command; the reads run on the read pool. Scoring is not here: the app's matcher
//! task reads candidates, asks `opsroom_domain::matching`, and records what it found with
//! [`RecordMatches`], which moves the matcher's position in the same transaction.

use opsroom_domain::Rejected;
use opsroom_domain::case::CaseStatus;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::event::Event;
use opsroom_domain::matching::{Decision, MatchDecided, MatchKind, MatchReason};
use opsroom_domain::report::Relation;
use opsroom_domain::tracing::{self, TracingStatus};
use uuid::Uuid;

use crate::model::*;
use crate::reads::{cell_col, corrupt, optional_vocabulary, uuid_col, vocabulary, vocabulary_of};
use crate::rows::{insert_rows, record};
use crate::sql::{Conn, Pool, Row, placeholders};
use crate::write::{Positions, Write};
use crate::{Result, StoreError};

fn kind_name(kind: MatchKind) -> &'static str {
    match kind {
        MatchKind::Duplicate => "duplicate",
        MatchKind::Relative => "relative",
    }
}

fn relation_name(relation: Relation) -> String {
    opsroom_domain::wire_name(relation)
}

impl Write for RecordMatches {
    type Outcome = RecordOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<RecordOutcome> {
        record_matches(conn, self, positions).await
    }
}

impl Write for DecideMatch {
    type Outcome = DecideOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<DecideOutcome> {
        decide(conn, self, positions).await
    }
}

impl Write for SetTracing {
    /// `None` for no such person, `Some(Err)` for a refusal.
    type Outcome = Option<Result<(), Rejected>>;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<Self::Outcome> {
        set_tracing(conn, self, positions).await
    }
}

/// File new persons' keys and record suggestions, if the matcher's position is still `from_seq`.
async fn record_matches(
    conn: &mut Conn<'_>,
    matches: &RecordMatches,
    positions: &mut Positions,
) -> Result<RecordOutcome> {
    let sql = conn.locking("select seq from matcher_state");
    let statement = conn.statement(&sql);
    let cursor = conn.fetch_one(statement).await?.get::<i64>("seq")? as u64;
    if cursor != matches.from_seq {
        return Ok(RecordOutcome::Stale { cursor });
    }
    let keys: Vec<(&str, String, String, Option<i64>)> = matches
        .keys
        .iter()
        .map(|k| (k.key.as_str(), k.person_id.to_string(), k.case_id.to_string(), k.cell.map(|c| c.to_u64() as i64)))
        .collect();
    insert_rows(
        conn,
        "insert into person_key (key, person_id, case_id, cell)",
        4,
        &keys,
        |s, (key, person, case, cell)| s.bind(*key).bind(person.as_str()).bind(case.as_str()).bind(*cell),
    )
    .await?;
    let mut suggested = 0;
    for suggestion in &matches.suggestions {
        let known = conn
            .statement(
                "select count(*) as n from match_suggestion
                  where (person_id = $1 and other_person_id = $2) or (person_id = $2 and other_person_id = $1)",
            )
            .bind(suggestion.person_id.to_string())
            .bind(suggestion.other_person_id.to_string());
        if conn.fetch_one(known).await?.get::<i64>("n")? > 0 {
            continue;
        }
        let event = Event::MatchSuggested(Box::new(suggestion.clone()));
        let seq = record(conn, positions, &event, suggestion.at.millis()).await?;
        let insert = conn
            .statement(
                "insert into match_suggestion (suggestion_id, case_id, person_id, other_case_id, other_person_id, kind,
                                               score, reasons, status, created_seq, updated_seq)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $9)",
            )
            .bind(suggestion.suggestion_id.to_string())
            .bind(suggestion.case_id.to_string())
            .bind(suggestion.person_id.to_string())
            .bind(suggestion.other_case_id.to_string())
            .bind(suggestion.other_person_id.to_string())
            .bind(kind_name(suggestion.kind))
            .bind(suggestion.score)
            .bind(serde_json::to_string(&suggestion.reasons).expect("reasons serialize"))
            .bind(seq as i64);
        conn.execute(insert).await?;
        suggested += 1;
    }
    let update = conn.statement("update matcher_state set seq = $1").bind(matches.to_seq as i64);
    conn.execute(update).await?;
    Ok(RecordOutcome::Recorded { suggested })
}

/// Record an operator's decision on a suggestion (or undo one).
async fn decide(conn: &mut Conn<'_>, decision: &DecideMatch, positions: &mut Positions) -> Result<DecideOutcome> {
    let sql = format!("select {SUGGESTION_COLUMNS} from match_suggestion where suggestion_id = $1");
    let select = conn.statement(&sql).bind(decision.suggestion_id.to_string());
    let Some(row) = conn.fetch_optional(select).await? else { return Ok(DecideOutcome::NotFound) };
    let current = suggestion_row(&row)?;
    match (decision.decision, current.decision) {
        (Some(_), None) | (None, Some(_)) => {}
        (Some(_), _) => {
            return Ok(DecideOutcome::Refused(Rejected::conflict(
                "already_decided",
                "decision",
                "this suggestion was already decided; undo that first",
            )));
        }
        (None, _) => {
            return Ok(DecideOutcome::Refused(Rejected::conflict("not_decided", "decision", "nothing to undo")));
        }
    }
    if decision.decision == Some(Decision::Related) && decision.relation.is_none() {
        return Ok(DecideOutcome::Refused(Rejected::conflict("missing", "relation", "say how they are related")));
    }
    let relation = decision.relation.filter(|_| decision.decision == Some(Decision::Related));
    let event = MatchDecided {
        suggestion_id: current.suggestion_id,
        case_id: current.case_id,
        other_case_id: current.other_case_id,
        person_id: current.person_id,
        other_person_id: current.other_person_id,
        decision: decision.decision,
        relation,
        by: decision.by,
        at: Timestamp::from_millis(decision.at),
    };
    let seq = record(conn, positions, &Event::MatchDecided(event), decision.at).await?;
    let (status, by, at) = match decision.decision {
        Some(d) => (d.as_str(), Some(decision.by.to_string()), Some(decision.at)),
        None => ("open", None, None),
    };
    let update = conn
        .statement(
            "update match_suggestion set status = $1, relation = $2, decided_by = $3, decided_at = $4, updated_seq = $5
              where suggestion_id = $6",
        )
        .bind(status)
        .bind(relation.map(relation_name))
        .bind(by)
        .bind(at)
        .bind(seq as i64)
        .bind(decision.suggestion_id.to_string());
    conn.execute(update).await?;
    Ok(DecideOutcome::Applied { seq })
}

const SUGGESTION_COLUMNS: &str =
    "suggestion_id, case_id, person_id, other_case_id, other_person_id, kind, score, reasons,
     status, relation";

fn suggestion_row(row: &Row) -> Result<SuggestionRow> {
    let kind: String = row.get("kind")?;
    let reasons: String = row.get("reasons")?;
    Ok(SuggestionRow {
        suggestion_id: uuid_col(row, "suggestion_id")?,
        case_id: uuid_col(row, "case_id")?,
        person_id: uuid_col(row, "person_id")?,
        other_case_id: uuid_col(row, "other_case_id")?,
        other_person_id: uuid_col(row, "other_person_id")?,
        kind: match kind.as_str() {
            "duplicate" => MatchKind::Duplicate,
            "relative" => MatchKind::Relative,
            other => return Err(StoreError::Corrupt(format!("match kind {other}"))),
        },
        score: row.get("score")?,
        reasons: serde_json::from_str::<Vec<MatchReason>>(&reasons)
            .map_err(|e| StoreError::Corrupt(format!("match reasons: {e}")))?,
        // `open` is no decision yet.
        decision: match row.get::<String>("status")?.as_str() {
            "open" => None,
            decided => Some(vocabulary_of(decided).ok_or_else(|| corrupt("match_suggestion.status", decided))?),
        },
        relation: optional_vocabulary(row, "relation")?,
    })
}

pub(crate) async fn matcher_cursor(pool: &Pool) -> Result<u64> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select seq from matcher_state");
    Ok(conn.fetch_one(statement).await?.get::<i64>("seq")? as u64)
}

/// Persons filed under any of `keys`, each with the key it was found by and the case it is in,
/// outside `exclude_case` if given; at most `limit` rows. A reporter's place is not the case's
/// (they are often abroad): their cell is empty. One range of the key index and the person row
/// per candidate: the case and cell are filed with the key.
pub(crate) async fn candidates(
    pool: &Pool,
    keys: &[String],
    exclude_case: Option<Uuid>,
    limit: u32,
) -> Result<Vec<(String, CandidatePerson)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let backend = conn.backend();
    // One placeholder list for the keys, then the case and the limit, numbered after them.
    let one = |offset: usize| placeholders(backend, offset, 1).trim_matches(['(', ')']).to_owned();
    let mut sql = format!(
        "select k.key, k.person_id, k.case_id, k.cell, p.name, p.age, p.sex, p.phone, p.passport
           from person_key k
           join person p on p.person_id = k.person_id
          where k.key in {}",
        placeholders(backend, 0, keys.len()),
    );
    let mut next = keys.len();
    if exclude_case.is_some() {
        sql.push_str(&format!(" and k.case_id <> {}", one(next)));
        next += 1;
    }
    sql.push_str(&format!(" limit {}", one(next)));
    let mut statement = keys.iter().fold(conn.statement(&sql).persistent(false), |s, k| s.bind(k.as_str()));
    if let Some(case) = exclude_case {
        statement = statement.bind(case.to_string());
    }
    conn.fetch_all(statement.bind(i64::from(limit)))
        .await?
        .iter()
        .map(|row| {
            let candidate = CandidatePerson {
                person_id: uuid_col(row, "person_id")?,
                case_id: uuid_col(row, "case_id")?,
                name: row.get("name")?,
                age: row.get::<Option<i64>>("age")?.map(|a| a.clamp(0, 255) as u8),
                sex: optional_vocabulary(row, "sex")?,
                phone: row.get("phone")?,
                passport: row.get("passport")?,
                cell: cell_col(row)?,
            };
            Ok((row.get::<String>("key")?, candidate))
        })
        .collect()
}

/// Suggestions that concern a case, on either side, best first.
pub(crate) async fn matches_for_case(pool: &Pool, case_id: Uuid) -> Result<Vec<SuggestionRow>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!(
        "select {SUGGESTION_COLUMNS} from match_suggestion where case_id = $1 or other_case_id = $1
          order by score desc, suggestion_id"
    );
    let statement = conn.statement(&sql).bind(case_id.to_string());
    conn.fetch_all(statement).await?.iter().map(suggestion_row).collect()
}

/// Set a person's tracing status; `None` when there is no such person.
async fn set_tracing(
    conn: &mut Conn<'_>,
    set: &SetTracing,
    positions: &mut Positions,
) -> Result<Option<Result<(), Rejected>>> {
    let select = conn
        .statement(
            "select p.tracing_status, cp.case_id from person p join case_person cp on cp.person_id = p.person_id
              where p.person_id = $1 order by cp.role desc, cp.position limit 1",
        )
        .bind(set.person_id.to_string());
    let Some(row) = conn.fetch_optional(select).await? else { return Ok(None) };
    let raw: String = row.get("tracing_status")?;
    let from = TracingStatus::parse(&raw).ok_or_else(|| StoreError::Corrupt(format!("tracing status {raw}")))?;
    let case_id = uuid_col(&row, "case_id")?;
    let change = match tracing::change(set.person_id, case_id, from, set.to, set.by, Timestamp::from_millis(set.at)) {
        Ok(change) => change,
        Err(rejected) => return Ok(Some(Err(rejected))),
    };
    record(conn, positions, &Event::TracingStatusChanged(change), set.at).await?;
    let update = conn
        .statement("update person set tracing_status = $1 where person_id = $2")
        .bind(set.to.as_str())
        .bind(set.person_id.to_string());
    conn.execute(update).await?;
    Ok(Some(Ok(())))
}

/// Most persons a family view gathers.
const FAMILY_LIMIT: usize = 100;

/// Everyone linked to a case's persons: its people in danger and reporters, and, through
/// operators' confirmed decisions (same person, relatives), their other cases and relatives.
pub(crate) async fn family(pool: &Pool, case_id: Uuid) -> Result<Option<Vec<FamilyMember>>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let start = conn.statement("select person_id from case_person where case_id = $1").bind(case_id.to_string());
    let start: Vec<Uuid> =
        conn.fetch_all(start).await?.iter().map(|r| uuid_col(r, "person_id")).collect::<Result<_>>()?;
    if start.is_empty() {
        return Ok(None);
    }
    // Breadth first over confirmed links, bounded.
    let mut seen: Vec<Uuid> = start.clone();
    let mut links: Vec<(Uuid, FamilyLink)> = Vec::new();
    let mut frontier = start;
    while !frontier.is_empty() && seen.len() < FAMILY_LIMIT {
        let mut next = Vec::new();
        for person in frontier {
            let statement = conn
                .statement(
                    "select person_id, other_person_id, status, relation from match_suggestion
                      where (person_id = $1 or other_person_id = $1) and status in ('same', 'related')",
                )
                .bind(person.to_string());
            for row in conn.fetch_all(statement).await? {
                let (a, b) = (uuid_col(&row, "person_id")?, uuid_col(&row, "other_person_id")?);
                if a != person {
                    continue; // each link is taken once, from its first person
                }
                let decision: Decision = vocabulary(&row, "status")?;
                let relation: Option<Relation> = optional_vocabulary(&row, "relation")?;
                links.push((a, FamilyLink { other_person_id: b, decision, relation }));
                links.push((b, FamilyLink { other_person_id: a, decision, relation: None }));
                for linked in [a, b] {
                    if !seen.contains(&linked) && seen.len() < FAMILY_LIMIT {
                        seen.push(linked);
                        next.push(linked);
                    }
                }
            }
            // The other direction: links whose first person is someone else.
            let statement = conn
                .statement(
                    "select person_id from match_suggestion where other_person_id = $1 and status in ('same', 'related')",
                )
                .bind(person.to_string());
            for row in conn.fetch_all(statement).await? {
                let first = uuid_col(&row, "person_id")?;
                if !seen.contains(&first) && seen.len() < FAMILY_LIMIT {
                    seen.push(first);
                    next.push(first);
                }
            }
        }
        frontier = next;
    }
    links.sort_by_key(|(p, l)| (*p, l.other_person_id));
    links.dedup_by(|x, y| x.0 == y.0 && x.1.other_person_id == y.1.other_person_id);

    let mut members = Vec::with_capacity(seen.len());
    for person_id in seen {
        let statement = conn
            .statement("select name, age, sex, tracing_status from person where person_id = $1")
            .bind(person_id.to_string());
        let Some(row) = conn.fetch_optional(statement).await? else { continue };
        let cases = conn
            .statement(
                "select cf.case_id, cf.reference, cf.status, cp.role, cp.relation, cf.place, cf.cell
                   from case_person cp join case_file cf on cf.case_id = cp.case_id
                  where cp.person_id = $1 order by cf.created_seq",
            )
            .bind(person_id.to_string());
        let cases = conn
            .fetch_all(cases)
            .await?
            .iter()
            .map(|r| {
                let status: String = r.get("status")?;
                Ok(FamilyCase {
                    case_id: uuid_col(r, "case_id")?,
                    reference: r.get("reference")?,
                    status: CaseStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
                    role: vocabulary(r, "role")?,
                    relation: optional_vocabulary(r, "relation")?,
                    place: r.get("place")?,
                    cell: cell_col(r)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        members.push(FamilyMember {
            person_id,
            name: row.get("name")?,
            age: row.get::<Option<i64>>("age")?.map(|a| a.clamp(0, 255) as u8),
            sex: optional_vocabulary(&row, "sex")?,
            tracing_status: vocabulary(&row, "tracing_status")?,
            cases,
            links: links.iter().filter(|(p, _)| *p == person_id).map(|(_, l)| l.clone()).collect(),
        });
    }
    Ok(Some(members))
}

/// Persons in danger, in person-id order after `after`, with what a PFIF export carries.
pub(crate) async fn pfif_persons(pool: &Pool, after: Option<Uuid>, limit: u32) -> Result<Vec<PfifPerson>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select p.person_id, p.name, p.age, p.sex, p.tracing_status, cf.case_id, cf.reference, cf.place,
                    cf.reported_at, cf.message
               from person p
               join case_person cp on cp.person_id = p.person_id and cp.role = 'subject'
               join case_file cf on cf.case_id = cp.case_id
              where p.person_id > $1
              order by p.person_id
              limit $2",
        )
        .bind(after.map_or_else(String::new, |a| a.to_string()))
        .bind(i64::from(limit));
    let mut persons: Vec<PfifPerson> = conn
        .fetch_all(statement)
        .await?
        .iter()
        .map(|r| {
            Ok(PfifPerson {
                person_id: uuid_col(r, "person_id")?,
                name: r.get("name")?,
                age: r.get::<Option<i64>>("age")?.map(|a| a.clamp(0, 255) as u8),
                sex: optional_vocabulary(r, "sex")?,
                tracing_status: vocabulary(r, "tracing_status")?,
                case_id: uuid_col(r, "case_id")?,
                reference: r.get("reference")?,
                place: r.get("place")?,
                reported_at: r.get("reported_at")?,
                message: r.get("message")?,
                same_as: Vec::new(),
            })
        })
        .collect::<Result<_>>()?;
    for person in &mut persons {
        let statement = conn
            .statement(
                "select person_id, other_person_id from match_suggestion
                  where status = 'same' and (person_id = $1 or other_person_id = $1)",
            )
            .bind(person.person_id.to_string());
        for row in conn.fetch_all(statement).await? {
            let (a, b) = (uuid_col(&row, "person_id")?, uuid_col(&row, "other_person_id")?);
            person.same_as.push(if a == person.person_id { b } else { a });
        }
    }
    Ok(persons)
}

/// How many open suggestions each case has, on either side (cases without any are left out).
pub(crate) async fn open_match_counts(pool: &Pool) -> Result<Vec<(Uuid, u32)>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement(
        "select case_id, count(*) as n from (
             select case_id from match_suggestion where status = 'open'
             union all
             select other_case_id as case_id from match_suggestion where status = 'open'
         ) sides group by case_id",
    );
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|row| Ok((uuid_col(row, "case_id")?, row.get::<i64>("n")? as u32)))
        .collect()
}
