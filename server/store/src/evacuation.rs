//! Evacuation logistics in the database: places, zones (and the cases they flag), movements,
//! each person's evacuation status, and the reads the ops room, manifests and partners use.
//!
//! Writes run inside the writer's transaction at a given log position: one event per change,
//! then the rows it changes, and every movement event's position in `movement_log`. Must not
//! decide what the domain decides: transitions are `MovementStatus::may_become` and
//! `PassengerStatus::set_by_hand`, priorities `priority::raise_for_danger`, membership the
//! zone's compacted cells (as index ranges, never a table scan).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use opsroom_domain::case::CaseStatus;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::evacuation::allocation::{AgeMarks, class_of, class_of_marks};
use opsroom_domain::evacuation::movement::{
    Movement, MovementChanged, MovementPlanned, MovementStatus, PassengerChanged, PassengerStatus, check,
};
use opsroom_domain::evacuation::place::{Place, PlaceSaved};
use opsroom_domain::evacuation::zone::{
    CaseZone, DangerZoneFlagged, Zone, ZoneChanged, ZoneCover, ZoneKind, flag_on_arrival,
};
use opsroom_domain::event::{CaseReported, Event};
use opsroom_domain::location::{Cell, stored_ranges};
use opsroom_domain::priority::{self, Priority, PriorityLevel};
use opsroom_domain::workflow::{Actor, CaseCommand};
use opsroom_domain::{Rejected, wire_name};
use uuid::Uuid;

use crate::model::*;
use crate::reads::{FINISHED, cell_col, corrupt, stored_event, uuid_col, uuid_from};
use crate::rows::{VALUES, insert_rows, per_chunk, record};
use crate::sql::{Conn, Pool, Row};
use crate::workflow::apply_to_case;
use crate::write::{Positions, Write};
use crate::{Result, batch};

impl Write for EvacuationWrite {
    type Outcome = EvacuationOutcome;

    async fn write(&mut self, conn: &mut Conn<'_>, positions: &mut Positions) -> Result<EvacuationOutcome> {
        write(conn, self, positions).await
    }
}

async fn write(conn: &mut Conn<'_>, op: &EvacuationWrite, positions: &mut Positions) -> Result<EvacuationOutcome> {
    match op {
        EvacuationWrite::SavePlace { place, create, by, at } => {
            save_place(conn, place, *create, *by, *at, positions).await
        }
        EvacuationWrite::DeclareZone { zone, cover, by, at } => {
            declare_zone(conn, zone, cover, *by, *at, positions).await
        }
        EvacuationWrite::ChangeZone { zone, cover, by, at } => {
            change_zone(conn, zone, cover, *by, *at, positions).await
        }
        EvacuationWrite::LiftZone { zone_id, by, at } => lift_zone(conn, *zone_id, *by, *at, positions).await,
        EvacuationWrite::PlanMovement { movement, by, at } => plan_movement(conn, movement, *by, *at, positions).await,
        EvacuationWrite::ChangeMovement { movement_id, to, by, at } => {
            change_movement(conn, *movement_id, *to, *by, *at, positions).await
        }
        EvacuationWrite::AssignPassengers { movement_id, person_ids, by, at } => {
            assign(conn, *movement_id, person_ids, *by, *at, positions).await
        }
        EvacuationWrite::SetPassengers { movement_id, person_ids, to, by, at } => {
            set_passengers(conn, *movement_id, person_ids, *to, *by, *at, positions).await
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("evacuation records serialize")
}

fn parse<T: serde::de::DeserializeOwned>(row: &Row, column: &str) -> Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|e| corrupt(column, e))
}

/// The passenger statuses for which `rule` holds, as a list of SQL literals (the rule is the
/// domain's; the SQL only lists its outcome).
fn passenger_statuses(rule: fn(PassengerStatus) -> bool) -> String {
    let listed: Vec<String> =
        PassengerStatus::ALL.into_iter().filter(|s| rule(*s)).map(|s| format!("'{}'", wire_name(s))).collect();
    format!("({})", listed.join(", "))
}

fn vocabulary_of<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

fn vocabulary<T: serde::de::DeserializeOwned>(row: &Row, column: &str) -> Result<T> {
    let text: String = row.get(column)?;
    vocabulary_of(&text).ok_or_else(|| corrupt(column, text))
}

// ---- places

async fn save_place(
    conn: &mut Conn<'_>,
    place: &Place,
    create: bool,
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<EvacuationOutcome> {
    let mut place = place.clone();
    if !create {
        let current =
            conn.statement("select kind, version from place where place_id = $1").bind(place.place_id.to_string());
        let Some(row) = conn.fetch_optional(current).await? else { return Ok(EvacuationOutcome::NotFound) };
        // Movements start at assembly points and end at crossings, airports and ports: a place
        // that changed kind under them would break that.
        if row.get::<String>("kind")? != wire_name(place.kind) {
            return Ok(EvacuationOutcome::Refused(Rejected::conflict(
                "kind_fixed",
                "kind",
                "a place keeps its kind; register a new place instead",
            )));
        }
        place.version = row.get::<i64>("version")? as u32 + 1;
    }
    let event = Event::PlaceSaved(Box::new(PlaceSaved { place: place.clone(), by, at: Timestamp(at) }));
    let seq = record(conn, positions, &event, at).await?;
    let upsert = conn
        .statement(
            "insert into place (place_id, kind, data, version, created_seq, updated_seq) values ($1, $2, $3, $4, $5, $5)
             on conflict (place_id) do update set kind = excluded.kind, data = excluded.data,
                                                  version = excluded.version, updated_seq = excluded.updated_seq",
        )
        .bind(place.place_id.to_string())
        .bind(wire_name(place.kind))
        .bind(json(&place))
        .bind(i64::from(place.version))
        .bind(seq as i64);
    conn.execute(upsert).await?;
    Ok(EvacuationOutcome::Applied { seq })
}

pub(crate) async fn places(pool: &Pool) -> Result<Vec<Place>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select data from place order by created_seq");
    conn.fetch_all(statement).await?.iter().map(|row| parse(row, "data")).collect()
}

async fn place_in(conn: &mut Conn<'_>, place_id: Uuid) -> Result<Option<Place>> {
    let statement = conn.statement("select data from place where place_id = $1").bind(place_id.to_string());
    conn.fetch_optional(statement).await?.map(|row| parse(&row, "data")).transpose()
}

pub(crate) async fn place(pool: &Pool, place_id: Uuid) -> Result<Option<Place>> {
    let mut pooled = pool.acquire().await?;
    place_in(&mut pooled.conn(), place_id).await
}

// ---- zones

/// An open case found inside a zone, with what flagging it changes.
struct Found {
    case_id: String,
    cell: Option<Cell>,
    status: CaseStatus,
    priority: Priority,
    overridden: bool,
}

fn found(row: &Row) -> Result<Found> {
    let status: String = row.get("status")?;
    let level: String = row.get("priority_level")?;
    let reasons: String = row.get("priority_reasons")?;
    Ok(Found {
        case_id: row.get("case_id")?,
        cell: cell_col(row)?,
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        priority: Priority {
            level: PriorityLevel::parse(&level).ok_or_else(|| corrupt("priority_level", &level))?,
            score: row.get::<i64>("priority_score")? as u32,
            reasons: serde_json::from_str(&reasons).map_err(|e| corrupt("priority_reasons", e))?,
        },
        overridden: row.get::<Option<String>>("priority_override_reason")?.is_some(),
    })
}

/// The open, not yet flagged cases inside `cover`: index range scans of `case_file.cell`, a
/// chunk of ranges per statement.
async fn unflagged_inside(conn: &mut Conn<'_>, cover: &ZoneCover) -> Result<Vec<Found>> {
    let sql = format!(
        "select c.case_id, c.cell, c.status, c.priority_level, c.priority_score, c.priority_reasons,
                c.priority_override_reason
           from (values {VALUES}) as r join case_file c on c.cell between r.column1 and r.column2
          where c.danger_zone_id is null and c.status not in {FINISHED}"
    );
    let ranges: Vec<(i64, i64)> =
        stored_ranges(cover.cells()).into_iter().map(|(first, last)| (first as i64, last as i64)).collect();
    let rows = per_chunk(conn, &sql, 2, &ranges, |s, (first, last)| s.bind(*first).bind(*last)).await?;
    rows.iter().map(found).collect()
}

/// Flag `cases` as inside danger zone `zone_id`, raising each priority with the reason (unless
/// a supervisor set it by hand), one event each; events and rows are written a chunk at a time.
async fn flag(conn: &mut Conn<'_>, zone_id: Uuid, cases: Vec<Found>, at: i64, positions: &mut Positions) -> Result<()> {
    struct Flagged {
        seq: i64,
        case_id: String,
        data: String,
        zone_id: String,
        level: &'static str,
        score: i64,
        reasons: String,
        at: i64,
    }
    let mut flagged = Vec::with_capacity(cases.len());
    let run = positions.take_run(cases.len());
    for (case, seq) in cases.into_iter().zip(run) {
        let raised = if case.overridden { None } else { priority::raise_for_danger(&case.priority) };
        let event = Event::DangerZoneFlagged(DangerZoneFlagged {
            case_id: Uuid::parse_str(&case.case_id).map_err(|_| corrupt("case_id", &case.case_id))?,
            zone_id,
            cell: case.cell,
            status: case.status,
            priority: case.priority.level,
            raised_to: raised.as_ref().map(|p| p.level).filter(|level| *level != case.priority.level),
            at: Timestamp(at),
        });
        let priority = raised.unwrap_or(case.priority);
        flagged.push(Flagged {
            seq: seq as i64,
            case_id: case.case_id,
            data: event.data_json(),
            zone_id: zone_id.to_string(),
            level: priority.level.as_str(),
            score: i64::from(priority.score),
            reasons: json(&priority.reasons),
            at,
        });
    }
    insert_rows(conn, "insert into event (seq, kind, case_id, recorded_at, data)", 5, &flagged, |s, f| {
        s.bind(f.seq).bind("danger_zone_flagged").bind(f.case_id.as_str()).bind(f.at).bind(f.data.as_str())
    })
    .await?;
    // Like an SLA escalation, a flag is not an operator's edit: the version stays.
    let update = format!(
        "update case_file set danger_zone_id = v.column2, updated_seq = v.column3, priority_level = v.column4,
                priority_score = v.column5, priority_reasons = v.column6
           from (values {VALUES}) as v where case_file.case_id = v.column1"
    );
    per_chunk(conn, &update, 6, &flagged, |s, f| {
        s.bind(f.case_id.as_str())
            .bind(f.zone_id.as_str())
            .bind(f.seq)
            .bind(f.level)
            .bind(f.score)
            .bind(f.reasons.as_str())
    })
    .await?;
    Ok(())
}

/// Keep `zone_cell` to the compacted cells of the zone while it is an active danger zone.
async fn store_cells(conn: &mut Conn<'_>, zone: &Zone, cover: &ZoneCover) -> Result<()> {
    let delete = conn.statement("delete from zone_cell where zone_id = $1").bind(zone.zone_id.to_string());
    conn.execute(delete).await?;
    if zone.kind == ZoneKind::Danger && zone.active {
        let rows: Vec<(i64, String)> = cover.cells().map(|c| (c.to_u64() as i64, zone.zone_id.to_string())).collect();
        insert_rows(conn, "insert into zone_cell (cell, zone_id)", 2, &rows, |s, (cell, id)| {
            s.bind(*cell).bind(id.as_str())
        })
        .await?;
    }
    Ok(())
}

async fn declare_zone(
    conn: &mut Conn<'_>,
    zone: &Zone,
    cover: &ZoneCover,
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<EvacuationOutcome> {
    let inside = if zone.kind == ZoneKind::Danger { unflagged_inside(conn, cover).await? } else { Vec::new() };
    let flagged = inside.len() as u32;
    let event = Event::ZoneDeclared(Box::new(ZoneChanged {
        zone: zone.clone(),
        flagged,
        cleared: Vec::new(),
        moved: Vec::new(),
        by,
        at: Timestamp(at),
    }));
    let seq = record(conn, positions, &event, at).await?;
    let insert = conn
        .statement(
            "insert into zone (zone_id, kind, active, data, flagged, version, created_seq, updated_seq)
             values ($1, $2, 1, $3, $4, $5, $6, $6)",
        )
        .bind(zone.zone_id.to_string())
        .bind(wire_name(zone.kind))
        .bind(json(zone))
        .bind(i64::from(flagged))
        .bind(i64::from(zone.version))
        .bind(seq as i64);
    conn.execute(insert).await?;
    store_cells(conn, zone, cover).await?;
    flag(conn, zone.zone_id, inside, at, positions).await?;
    Ok(EvacuationOutcome::Applied { seq })
}

async fn current_zone(conn: &mut Conn<'_>, zone_id: Uuid) -> Result<Option<Zone>> {
    let statement = conn.statement("select data from zone where zone_id = $1").bind(zone_id.to_string());
    conn.fetch_optional(statement).await?.map(|row| parse(&row, "data")).transpose()
}

fn lifted(zone: &Zone) -> Rejected {
    Rejected::conflict("zone_lifted", "zone_id", format!("the zone {} was lifted; declare a new one", zone.name.en))
}

/// What becomes of the cases a zone let go (no longer inside it, or lifted): each keeps its flag
/// under another active danger zone that covers it, else loses it. Run after the zone's own
/// `zone_cell` rows changed. Returns (cleared, moved to another zone).
async fn release(conn: &mut Conn<'_>, let_go: Vec<(Uuid, Option<Cell>)>) -> Result<(Vec<Uuid>, Vec<CaseZone>)> {
    let cells: Vec<Cell> = let_go.iter().filter_map(|(_, cell)| *cell).collect();
    let zone_of = active_zone_of(conn, &cells).await?;
    let mut cleared = Vec::new();
    let mut moved = Vec::new();
    for (case_id, cell) in let_go {
        match cell.and_then(|cell| zone_of.get(&cell)) {
            Some(zone_id) => moved.push(CaseZone { case_id, zone_id: *zone_id }),
            None => cleared.push(case_id),
        }
    }
    Ok((cleared, moved))
}

/// Record a release at `seq`: the cleared cases lose their flag, the moved ones take the other
/// zone's (their priority stays as it was raised).
async fn apply_release(conn: &mut Conn<'_>, cleared: &[Uuid], moved: &[CaseZone], seq: u64) -> Result<()> {
    let rows: Vec<(String, Option<String>, i64)> = cleared
        .iter()
        .map(|case_id| (case_id.to_string(), None, seq as i64))
        .chain(moved.iter().map(|m| (m.case_id.to_string(), Some(m.zone_id.to_string()), seq as i64)))
        .collect();
    let update = format!(
        "update case_file set danger_zone_id = v.column2, updated_seq = v.column3
           from (values {VALUES}) as v where case_file.case_id = v.column1"
    );
    per_chunk(conn, &update, 3, &rows, |s, (case_id, zone, seq)| {
        s.bind(case_id.as_str()).bind(zone.as_deref()).bind(*seq)
    })
    .await
    .map(drop)
}

/// Record a zone's change or lifting: its event (`make` names the kind), the release
/// of the cases it let go (`cleared` and the change's `moved`), and its row.
async fn record_zone(
    conn: &mut Conn<'_>,
    make: fn(Box<ZoneChanged>) -> Event,
    change: ZoneChanged,
    cleared: &[Uuid],
    positions: &mut Positions,
) -> Result<u64> {
    let (zone, flagged, moved, at) = (change.zone.clone(), change.flagged, change.moved.clone(), change.at.millis());
    // The event first: the rows below refer to its position.
    let seq = record(conn, positions, &make(Box::new(change)), at).await?;
    apply_release(conn, cleared, &moved, seq).await?;
    let update = conn
        .statement(
            "update zone set kind = $1, active = $2, data = $3, flagged = $4, version = $5, updated_seq = $6
              where zone_id = $7",
        )
        .bind(wire_name(zone.kind))
        .bind(i64::from(zone.active))
        .bind(json(&zone))
        .bind(i64::from(flagged))
        .bind(i64::from(zone.version))
        .bind(seq as i64)
        .bind(zone.zone_id.to_string());
    conn.execute(update).await?;
    Ok(seq)
}

async fn change_zone(
    conn: &mut Conn<'_>,
    zone: &Zone,
    cover: &ZoneCover,
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<EvacuationOutcome> {
    let Some(current) = current_zone(conn, zone.zone_id).await? else { return Ok(EvacuationOutcome::NotFound) };
    if !current.active {
        return Ok(EvacuationOutcome::Refused(lifted(&current)));
    }
    let zone = Zone { version: current.version + 1, ..zone.clone() };
    store_cells(conn, &zone, cover).await?;
    // Cases this zone flagged that the new area (or kind) no longer covers are let go.
    let statement =
        conn.statement("select case_id, cell from case_file where danger_zone_id = $1").bind(zone.zone_id.to_string());
    let mut let_go = Vec::new();
    for row in conn.fetch_all(statement).await? {
        let cell = cell_col(&row)?;
        let still_inside = zone.kind == ZoneKind::Danger && cell.is_some_and(|cell| cover.contains(cell));
        if !still_inside {
            let_go.push((uuid_col(&row, "case_id")?, cell));
        }
    }
    let (cleared, moved) = release(conn, let_go).await?;
    let inside = if zone.kind == ZoneKind::Danger { unflagged_inside(conn, cover).await? } else { Vec::new() };
    let flagged = inside.len() as u32;
    let change = ZoneChanged { zone: zone.clone(), flagged, cleared: cleared.clone(), moved, by, at: Timestamp(at) };
    let seq = record_zone(conn, Event::ZoneChanged, change, &cleared, positions).await?;
    flag(conn, zone.zone_id, inside, at, positions).await?;
    Ok(EvacuationOutcome::Applied { seq })
}

async fn lift_zone(
    conn: &mut Conn<'_>,
    zone_id: Uuid,
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<EvacuationOutcome> {
    let Some(current) = current_zone(conn, zone_id).await? else { return Ok(EvacuationOutcome::NotFound) };
    if !current.active {
        return Ok(EvacuationOutcome::Refused(lifted(&current)));
    }
    let zone = Zone { version: current.version + 1, active: false, ..current };
    let id = zone_id.to_string();
    let clear = conn.statement("delete from zone_cell where zone_id = $1").bind(id.as_str());
    conn.execute(clear).await?;
    let statement = conn.statement("select case_id, cell from case_file where danger_zone_id = $1").bind(id.as_str());
    let let_go = conn
        .fetch_all(statement)
        .await?
        .iter()
        .map(|row| Ok((uuid_col(row, "case_id")?, cell_col(row)?)))
        .collect::<Result<Vec<_>>>()?;
    let (cleared, moved) = release(conn, let_go).await?;
    // Every case of a lifted zone is let go; the event lists only those another zone kept.
    let change = ZoneChanged { zone, flagged: 0, cleared: Vec::new(), moved, by, at: Timestamp(at) };
    let seq = record_zone(conn, Event::ZoneLifted, change, &cleared, positions).await?;
    Ok(EvacuationOutcome::Applied { seq })
}

pub(crate) async fn zones(pool: &Pool) -> Result<Vec<ZoneRecord>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn.statement("select data, flagged, updated_seq from zone order by created_seq desc");
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|row| {
            Ok(ZoneRecord {
                zone: parse(row, "data")?,
                flagged: row.get::<i64>("flagged")? as u32,
                updated_seq: row.get::<i64>("updated_seq")? as u64,
            })
        })
        .collect()
}

/// Flag the batch's new reports that arrive inside an active danger zone (before they are
/// planned): a cell and its ancestors looked up among the zones' compacted cells.
pub(crate) async fn flag_arrivals(conn: &mut Conn<'_>, reports: &mut [&mut CaseReported]) -> Result<()> {
    let cells: Vec<Cell> = reports.iter().filter_map(|r| r.cell).collect();
    let zone_of = active_zone_of(conn, &cells).await?;
    for report in reports.iter_mut() {
        if let Some(zone_id) = report.cell.and_then(|cell| zone_of.get(&cell)) {
            flag_on_arrival(report, *zone_id);
        }
    }
    Ok(())
}

/// The active danger zone each of `cells` (stored cells) lies in, if any: the cells and their
/// ancestors looked up among the zones' compacted cells. A cell in several zones gets the
/// first by id, whichever node looks.
async fn active_zone_of(conn: &mut Conn<'_>, cells: &[Cell]) -> Result<HashMap<Cell, Uuid>> {
    let mut found = HashMap::new();
    if cells.is_empty() {
        return Ok(found);
    }
    // No active danger zone (the usual case) costs one tiny read.
    let any = conn.statement("select count(*) as n from (select 1 from zone_cell limit 1) as any_zone");
    if conn.fetch_one(any).await?.get::<i64>("n")? == 0 {
        return Ok(found);
    }
    let ancestors_of = |cell: Cell| (0..=cell.resolution()).filter_map(move |r| cell.parent(r));
    let mut ancestors: Vec<i64> =
        cells.iter().flat_map(|cell| ancestors_of(*cell)).map(|cell| cell.to_u64() as i64).collect();
    ancestors.sort_unstable();
    ancestors.dedup();
    let mut zone_of: HashMap<u64, Uuid> = HashMap::new();
    let sql = format!("select cell, zone_id from zone_cell where cell in ({VALUES}) order by zone_id");
    for row in per_chunk(conn, &sql, 1, &ancestors, |s, cell| s.bind(*cell)).await? {
        let zone = uuid_col(&row, "zone_id")?;
        zone_of.entry(row.get::<i64>("cell")? as u64).and_modify(|known| *known = (*known).min(zone)).or_insert(zone);
    }
    for cell in cells {
        if let Some(zone) = ancestors_of(*cell).find_map(|ancestor| zone_of.get(&ancestor.to_u64())) {
            found.insert(*cell, *zone);
        }
    }
    Ok(found)
}

// ---- movements

async fn log_movement(conn: &mut Conn<'_>, movement_id: Uuid, positions: Range<u64>) -> Result<()> {
    let rows: Vec<(String, i64)> = positions.map(|n| (movement_id.to_string(), n as i64)).collect();
    insert_rows(conn, "insert into movement_log (movement_id, seq)", 2, &rows, |s, (id, seq)| {
        s.bind(id.as_str()).bind(*seq)
    })
    .await
}

async fn plan_movement(
    conn: &mut Conn<'_>,
    movement: &Movement,
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<EvacuationOutcome> {
    let event = Event::MovementPlanned(Box::new(MovementPlanned { movement: movement.clone(), by, at: Timestamp(at) }));
    let seq = record(conn, positions, &event, at).await?;
    let insert = conn
        .statement(
            "insert into movement (movement_id, status, departure_at, data, version, created_seq, updated_seq)
             values ($1, $2, $3, $4, 1, $5, $5)",
        )
        .bind(movement.movement_id.to_string())
        .bind(wire_name(movement.status))
        .bind(movement.departure_at.millis())
        .bind(json(movement))
        .bind(seq as i64);
    conn.execute(insert).await?;
    let shares: Vec<(String, String)> =
        movement.shared_with.iter().map(|partner| (partner.to_string(), movement.movement_id.to_string())).collect();
    insert_rows(conn, "insert into movement_share (partner_id, movement_id)", 2, &shares, |s, (partner, id)| {
        s.bind(partner.as_str()).bind(id.as_str())
    })
    .await?;
    log_movement(conn, movement.movement_id, seq..seq + 1).await?;
    Ok(EvacuationOutcome::Applied { seq })
}

async fn movement_in(conn: &mut Conn<'_>, movement_id: Uuid) -> Result<Option<(Movement, u32)>> {
    let statement =
        conn.statement("select data, version from movement where movement_id = $1").bind(movement_id.to_string());
    let Some(row) = conn.fetch_optional(statement).await? else { return Ok(None) };
    Ok(Some((parse(&row, "data")?, row.get::<i64>("version")? as u32)))
}

async fn store_movement(conn: &mut Conn<'_>, movement: &Movement, version: u32, seq: u64) -> Result<()> {
    let update = conn
        .statement("update movement set status = $1, data = $2, version = $3, updated_seq = $4 where movement_id = $5")
        .bind(wire_name(movement.status))
        .bind(json(movement))
        .bind(i64::from(version))
        .bind(seq as i64)
        .bind(movement.movement_id.to_string());
    conn.execute(update).await.map(drop)
}

/// A passenger's current row: (case, status, movement).
struct Seat {
    person_id: Uuid,
    case_id: Uuid,
    status: PassengerStatus,
    movement_id: Uuid,
}

fn seat(row: &Row) -> Result<Seat> {
    Ok(Seat {
        person_id: uuid_col(row, "person_id")?,
        case_id: uuid_col(row, "case_id")?,
        status: vocabulary(row, "status")?,
        movement_id: uuid_col(row, "movement_id")?,
    })
}

/// Write each passenger change: its event, its row, its movement log entry, a chunk of rows per
/// statement (a ship's departure moves thousands of people at once). Returns their positions.
async fn move_passengers(
    conn: &mut Conn<'_>,
    movement_id: Uuid,
    changes: &[(Uuid, Uuid, PassengerStatus, PassengerStatus)],
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<Range<u64>> {
    struct Moved {
        seq: i64,
        person_id: String,
        case_id: String,
        movement_id: String,
        status: String,
        data: String,
        at: i64,
    }
    let run = positions.take_run(changes.len());
    let moved: Vec<Moved> = changes
        .iter()
        .zip(run.clone())
        .map(|((person_id, case_id, from, to), seq)| {
            let event = Event::PassengerChanged(PassengerChanged {
                movement_id,
                case_id: *case_id,
                person_id: *person_id,
                from: *from,
                to: *to,
                by,
                at: Timestamp(at),
            });
            Moved {
                seq: seq as i64,
                person_id: person_id.to_string(),
                case_id: case_id.to_string(),
                movement_id: movement_id.to_string(),
                status: wire_name(*to),
                data: event.data_json(),
                at,
            }
        })
        .collect();
    insert_rows(conn, "insert into event (seq, kind, case_id, recorded_at, data)", 5, &moved, |s, m| {
        s.bind(m.seq).bind("passenger_changed").bind(m.case_id.as_str()).bind(m.at).bind(m.data.as_str())
    })
    .await?;
    let upsert = format!(
        "insert into passenger (person_id, case_id, movement_id, status, updated_seq) values {VALUES}
         on conflict (person_id) do update set case_id = excluded.case_id, movement_id = excluded.movement_id,
                                               status = excluded.status, updated_seq = excluded.updated_seq"
    );
    per_chunk(conn, &upsert, 5, &moved, |s, m| {
        s.bind(m.person_id.as_str())
            .bind(m.case_id.as_str())
            .bind(m.movement_id.as_str())
            .bind(m.status.as_str())
            .bind(m.seq)
    })
    .await?;
    log_movement(conn, movement_id, run.clone()).await?;
    Ok(run)
}

async fn change_movement(
    conn: &mut Conn<'_>,
    movement_id: Uuid,
    to: MovementStatus,
    actor: Actor,
    at: i64,
    positions: &mut Positions,
) -> Result<EvacuationOutcome> {
    let Some((mut movement, version)) = movement_in(conn, movement_id).await? else {
        return Ok(EvacuationOutcome::NotFound);
    };
    let from = movement.status;
    if let Err(refused) = check(from, to, from.may_become(to)) {
        return Ok(EvacuationOutcome::Refused(refused));
    }
    let by = actor.user_id;
    let event = Event::MovementChanged(MovementChanged { movement_id, from, to, by, at: Timestamp(at) });
    let seq = record(conn, positions, &event, at).await?;
    log_movement(conn, movement_id, seq..seq + 1).await?;
    movement.status = to;
    store_movement(conn, &movement, version + 1, seq).await?;
    let statement = conn
        .statement(
            "select person_id, case_id, status, movement_id from passenger where movement_id = $1 order by updated_seq",
        )
        .bind(movement_id.to_string());
    let mut changes = Vec::new();
    for row in conn.fetch_all(statement).await? {
        let seat = seat(&row)?;
        if let Some(next) = to.carries(seat.status) {
            changes.push((seat.person_id, seat.case_id, seat.status, next));
        }
    }
    move_passengers(conn, movement_id, &changes, by, at, positions).await?;
    if to == MovementStatus::Departed {
        let mut departed: Vec<Uuid> =
            changes.iter().filter(|c| c.3 == PassengerStatus::Departed).map(|c| c.1).collect();
        departed.sort_unstable();
        departed.dedup();
        for case_id in departed {
            evacuated_if_everyone_left(conn, case_id, &movement, actor, at, positions).await?;
        }
    }
    Ok(EvacuationOutcome::Applied { seq })
}

/// Once every person of a case awaiting evacuation has departed, the case is evacuated: the
/// workflow's own status change (an event, the case's version moves).
async fn evacuated_if_everyone_left(
    conn: &mut Conn<'_>,
    case_id: Uuid,
    movement: &Movement,
    actor: Actor,
    at: i64,
    positions: &mut Positions,
) -> Result<()> {
    let sql = format!(
        "select c.status, c.version,
                    (select count(*) from case_person cp left join passenger s on s.person_id = cp.person_id
                      where cp.case_id = c.case_id and cp.role = 'subject'
                        and (s.status is null or s.status not in {left})) as left_behind
               from case_file c where c.case_id = $1",
        left = passenger_statuses(PassengerStatus::has_left)
    );
    let statement = conn.statement(&sql).bind(case_id.to_string());
    let row = conn.fetch_one(statement).await?;
    let status: String = row.get("status")?;
    if status != CaseStatus::AwaitingEvacuation.as_str() || row.get::<i64>("left_behind")? > 0 {
        return Ok(());
    }
    let action = CaseAction {
        case_id,
        expected_version: row.get::<i64>("version")? as u32,
        actor,
        command: CaseCommand::ChangeStatus {
            to: CaseStatus::Evacuated,
            reason: Some(format!("departed on {}", movement.label)),
            duplicate_of: None,
        },
        at,
    };
    // The workflow may refuse (the case changed meanwhile); the departure stands either way.
    apply_to_case(conn, &action, positions).await.map(drop)
}

/// Seats taken on a movement now (assigned or boarded; departed people keep theirs too).
async fn seats_taken(conn: &mut Conn<'_>, movement_id: Uuid) -> Result<u32> {
    let sql = format!(
        "select count(*) as n from passenger where movement_id = $1 and status in {}",
        passenger_statuses(PassengerStatus::holds_seat)
    );
    let statement = conn.statement(&sql).bind(movement_id.to_string());
    Ok(conn.fetch_one(statement).await?.get::<i64>("n")? as u32)
}

async fn assign(
    conn: &mut Conn<'_>,
    movement_id: Uuid,
    person_ids: &[Uuid],
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<EvacuationOutcome> {
    let Some((movement, _)) = movement_in(conn, movement_id).await? else { return Ok(EvacuationOutcome::NotFound) };
    if !movement.status.takes_passengers() {
        return Ok(EvacuationOutcome::Refused(Rejected::conflict(
            "invalid_transition",
            "status",
            format!("a movement that is {} takes no more passengers", wire_name(movement.status)),
        )));
    }
    let free = movement.seats.saturating_sub(seats_taken(conn, movement_id).await?);
    if person_ids.len() as u32 > free {
        return Ok(EvacuationOutcome::Refused(Rejected::conflict(
            "no_seats",
            "person_ids",
            format!("{} people chosen, {free} seats left", person_ids.len()),
        )));
    }
    let mut changes = Vec::with_capacity(person_ids.len());
    for (i, person_id) in person_ids.iter().enumerate() {
        // A subject of a case awaiting evacuation, without a seat (waiting, or never seated).
        let statement = conn
            .statement(
                "select cp.case_id, c.status as case_status, s.status as seat_status
                   from case_person cp join case_file c on c.case_id = cp.case_id
                   left join passenger s on s.person_id = cp.person_id
                  where cp.person_id = $1 and cp.role = 'subject'",
            )
            .bind(person_id.to_string());
        let row = conn.fetch_optional(statement).await?;
        let field = format!("person_ids[{i}]");
        let Some(row) = row else {
            return Ok(EvacuationOutcome::Refused(Rejected::new("not_found", field, "no such person in any case")));
        };
        let case_status: String = row.get("case_status")?;
        let seat: Option<String> = row.get("seat_status")?;
        if case_status != CaseStatus::AwaitingEvacuation.as_str() {
            return Ok(EvacuationOutcome::Refused(Rejected::conflict(
                "not_waiting",
                field,
                "the person's case is not awaiting evacuation",
            )));
        }
        if seat.as_deref().is_some_and(|s| s != wire_name(PassengerStatus::Waiting))
            || changes.iter().any(|c: &(Uuid, Uuid, _, _)| c.0 == *person_id)
        {
            return Ok(EvacuationOutcome::Refused(Rejected::conflict(
                "not_waiting",
                field,
                "the person already holds a seat, or did not show up (set them waiting again first)",
            )));
        }
        changes.push((*person_id, uuid_col(&row, "case_id")?, PassengerStatus::Waiting, PassengerStatus::Assigned));
    }
    let run = move_passengers(conn, movement_id, &changes, by, at, positions).await?;
    Ok(EvacuationOutcome::Applied { seq: run.start })
}

async fn set_passengers(
    conn: &mut Conn<'_>,
    movement_id: Uuid,
    person_ids: &[Uuid],
    to: PassengerStatus,
    by: Uuid,
    at: i64,
    positions: &mut Positions,
) -> Result<EvacuationOutcome> {
    let Some((movement, _)) = movement_in(conn, movement_id).await? else { return Ok(EvacuationOutcome::NotFound) };
    let mut changes = Vec::with_capacity(person_ids.len());
    for (i, person_id) in person_ids.iter().enumerate() {
        let statement = conn
            .statement("select person_id, case_id, status, movement_id from passenger where person_id = $1")
            .bind(person_id.to_string());
        let field = format!("person_ids[{i}]");
        let seat = match conn.fetch_optional(statement).await? {
            Some(row) => seat(&row)?,
            None => return Ok(EvacuationOutcome::Refused(Rejected::new("not_found", field, "not on this movement"))),
        };
        if seat.movement_id != movement_id {
            return Ok(EvacuationOutcome::Refused(Rejected::new("not_found", field, "not on this movement")));
        }
        if !PassengerStatus::set_by_hand(seat.status, to, movement.status) {
            let refused = check(seat.status, to, false).unwrap_err();
            let message = format!("{} while the movement is {}", refused.message, wire_name(movement.status));
            return Ok(EvacuationOutcome::Refused(Rejected::conflict(refused.code, field, message)));
        }
        if changes.iter().any(|c: &(Uuid, Uuid, _, _)| c.0 == *person_id) {
            return Ok(EvacuationOutcome::Refused(Rejected::conflict("duplicate", field, "listed twice")));
        }
        changes.push((seat.person_id, seat.case_id, seat.status, to));
    }
    let run = move_passengers(conn, movement_id, &changes, by, at, positions).await?;
    Ok(EvacuationOutcome::Applied { seq: run.start })
}

async fn counts_by_movement(conn: &mut Conn<'_>, movement_id: Option<Uuid>) -> Result<HashMap<Uuid, PassengerCounts>> {
    let statement = match movement_id {
        Some(id) => conn
            .statement("select movement_id, status, count(*) as n from passenger where movement_id = $1 group by movement_id, status")
            .bind(id.to_string()),
        None => conn.statement("select movement_id, status, count(*) as n from passenger group by movement_id, status"),
    };
    let mut counts: HashMap<Uuid, PassengerCounts> = HashMap::new();
    for row in conn.fetch_all(statement).await? {
        let status: PassengerStatus = vocabulary(&row, "status")?;
        counts.entry(uuid_col(&row, "movement_id")?).or_default().add(status, row.get::<i64>("n")? as u32);
    }
    Ok(counts)
}

pub(crate) async fn movements(pool: &Pool) -> Result<Vec<MovementRecord>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let mut counts = counts_by_movement(&mut conn, None).await?;
    let statement = conn.statement("select data, version from movement order by departure_at, created_seq");
    conn.fetch_all(statement)
        .await?
        .iter()
        .map(|row| {
            let movement: Movement = parse(row, "data")?;
            let counts = counts.remove(&movement.movement_id).unwrap_or_default();
            Ok(MovementRecord { movement, version: row.get::<i64>("version")? as u32, counts })
        })
        .collect()
}

pub(crate) async fn movement(pool: &Pool, movement_id: Uuid) -> Result<Option<(MovementRecord, Vec<PassengerRow>)>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let Some((movement, version)) = movement_in(&mut conn, movement_id).await? else { return Ok(None) };
    let counts = counts_by_movement(&mut conn, Some(movement_id)).await?.remove(&movement_id).unwrap_or_default();
    let statement = conn
        .statement(
            "select s.person_id, s.case_id, s.status, c.reference, c.flags, c.needs, p.name, p.age, p.sex, p.passport,
                    p.phone
               from passenger s join case_file c on c.case_id = s.case_id join person p on p.person_id = s.person_id
              where s.movement_id = $1 order by c.reference, p.created_seq",
        )
        .bind(movement_id.to_string());
    let rows = conn.fetch_all(statement).await?;
    let mut ages_by_case: HashMap<String, Vec<u8>> = HashMap::new();
    for row in &rows {
        if let Some(age) = row.get::<Option<i64>>("age")? {
            ages_by_case.entry(row.get("case_id")?).or_default().push(age as u8);
        }
    }
    let passengers = rows
        .iter()
        .map(|row| {
            let case_id: String = row.get("case_id")?;
            let ages = ages_by_case.get(&case_id).map(Vec::as_slice).unwrap_or(&[]);
            let (flags, needs) = (batch::flags_from_mask(row.get("flags")?), batch::needs_from_mask(row.get("needs")?));
            Ok(PassengerRow {
                person_id: uuid_col(row, "person_id")?,
                case_id: uuid_col(row, "case_id")?,
                reference: row.get("reference")?,
                name: row.get("name")?,
                age: row.get::<Option<i64>>("age")?.map(|a| a as u8),
                sex: row.get("sex")?,
                passport: row.get("passport")?,
                phone: row.get("phone")?,
                class: class_of(&flags, &needs, ages),
                needs,
                flags,
                status: vocabulary(row, "status")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some((MovementRecord { movement, version, counts }, passengers)))
}

/// The cases awaiting evacuation in the cells of `ranges`, with how many of their people hold
/// no seat: index range scans that read nothing but the partial index of waiting cases.
pub(crate) async fn waiting_cases(pool: &Pool, ranges: &[(u64, u64)]) -> Result<Vec<WaitingCase>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let seated_sql = format!(
        "select case_id, count(*) as n from passenger where status in {} group by case_id",
        passenger_statuses(PassengerStatus::holds_seat)
    );
    let statement = conn.statement(&seated_sql);
    let mut seated: HashMap<String, i64> = HashMap::new();
    for row in conn.fetch_all(statement).await? {
        seated.insert(row.get("case_id")?, row.get("n")?);
    }
    let sql = "select case_id, cell, flags, needs, age_marks, reported_at, people_count from case_file
                where status = 'awaiting_evacuation' and cell between $1 and $2";
    let mut cases = Vec::new();
    for (first, last) in ranges {
        let statement = conn.statement(sql).bind(*first as i64).bind(*last as i64);
        for row in conn.fetch_all(statement).await? {
            let case_id: String = row.get("case_id")?;
            let waiting = row.get::<i64>("people_count")? - seated.get(&case_id).copied().unwrap_or(0);
            let Some(cell) = cell_col(&row)? else { continue };
            if waiting <= 0 {
                continue;
            }
            cases.push(WaitingCase {
                case_id: uuid_from(&case_id, "case_id")?,
                cell,
                class: class_of_marks(
                    &batch::flags_from_mask(row.get("flags")?),
                    &batch::needs_from_mask(row.get("needs")?),
                    AgeMarks::from_bits(row.get("age_marks")?),
                ),
                waiting_since: row.get("reported_at")?,
                waiting: waiting as u32,
            });
        }
    }
    Ok(cases)
}

/// The people of `case_ids` who hold no seat, each case's in the order its report named them.
pub(crate) async fn waiting_people(pool: &Pool, case_ids: &[Uuid]) -> Result<Vec<WaitingPerson>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let sql = format!(
        "select c.case_id, c.reference, p.person_id, p.name, p.age, s.status as seat
           from case_person cp join case_file c on c.case_id = cp.case_id join person p on p.person_id = cp.person_id
           left join passenger s on s.person_id = p.person_id
          where cp.role = 'subject' and cp.case_id in ({VALUES})
          order by cp.position"
    );
    let ids: Vec<String> = case_ids.iter().map(Uuid::to_string).collect();
    let rows = per_chunk(&mut conn, &sql, 1, &ids, |s, id| s.bind(id.as_str())).await?;
    let mut people = Vec::new();
    for row in &rows {
        let seat: Option<String> = row.get("seat")?;
        if seat.is_some_and(|s| vocabulary_of::<PassengerStatus>(&s).is_some_and(PassengerStatus::holds_seat)) {
            continue;
        }
        people.push(WaitingPerson {
            person_id: uuid_col(row, "person_id")?,
            case_id: uuid_col(row, "case_id")?,
            reference: row.get("reference")?,
            name: row.get("name")?,
            age: row.get::<Option<i64>>("age")?.map(|a| a as u8),
        });
    }
    Ok(people)
}

pub(crate) async fn summary(pool: &Pool) -> Result<EvacuationSummary> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let mut summary = EvacuationSummary::default();
    // People in waiting cases, less those of them holding a seat, per cell: two grouped reads
    // (the cases by the partial index of waiting cases, the seated by their case).
    let mut waiting: BTreeMap<i64, i64> = BTreeMap::new();
    let statement = conn.statement(
        // Cast back to bigint: PostgreSQL sums bigints as numeric.
        "select cell, cast(sum(people_count) as bigint) as n from case_file
          where status = 'awaiting_evacuation' and cell is not null group by cell",
    );
    for row in conn.fetch_all(statement).await? {
        waiting.insert(row.get("cell")?, row.get("n")?);
    }
    let seated = format!(
        "select c.cell, count(*) as n from passenger s join case_file c on c.case_id = s.case_id
          where s.status in {} and c.status = 'awaiting_evacuation' and c.cell is not null group by c.cell",
        passenger_statuses(PassengerStatus::holds_seat)
    );
    let statement = conn.statement(&seated);
    for row in conn.fetch_all(statement).await? {
        *waiting.entry(row.get("cell")?).or_default() -= row.get::<i64>("n")?;
    }
    for (cell, people) in waiting {
        if let (Some(cell), true) = (Cell::from_u64(cell as u64), people > 0) {
            summary.waiting_by_cell.push((cell, people as u32));
        }
    }
    let statement = conn.statement(
        "select m.data, count(s.person_id) as n from movement m
           left join passenger s on s.movement_id = m.movement_id and s.status in ('assigned', 'boarded')
          where m.status in ('planned', 'boarding') group by m.movement_id, m.data",
    );
    let mut by_origin: BTreeMap<Uuid, u32> = BTreeMap::new();
    for row in conn.fetch_all(statement).await? {
        let movement: Movement = parse(&row, "data")?;
        summary.seats_planned += movement.seats;
        *by_origin.entry(movement.origin_place_id).or_default() += row.get::<i64>("n")? as u32;
    }
    summary.assigned_by_origin = by_origin.into_iter().collect();
    let statement = conn.statement("select status, count(*) as n from passenger group by status");
    for row in conn.fetch_all(statement).await? {
        summary.counts.add(vocabulary(&row, "status")?, row.get::<i64>("n")? as u32);
    }
    Ok(summary)
}

/// A movement's passengers as the log recorded them: each person's last change on this
/// movement, with their details from the report that named them.
pub(crate) async fn manifest(pool: &Pool, movement_id: Uuid) -> Result<Option<(Movement, Vec<ManifestLine>)>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let Some((movement, _)) = movement_in(&mut conn, movement_id).await? else { return Ok(None) };
    let statement = conn
        .statement(
            "select e.seq, e.kind, e.case_id, e.recorded_at, e.data from movement_log m join event e on e.seq = m.seq
              where m.movement_id = $1 and e.kind = 'passenger_changed' order by m.seq",
        )
        .bind(movement_id.to_string());
    // Each person's last change on this movement. A line the log cannot account for is an
    // error, never a silently shorter list.
    let mut last: BTreeMap<Uuid, (u64, PassengerChanged)> = BTreeMap::new();
    for row in conn.fetch_all(statement).await? {
        let stored = stored_event(&row)?;
        let Ok(Event::PassengerChanged(change)) = Event::from_parts(&stored.kind, &stored.data) else {
            return Err(corrupt("passenger_changed", stored.seq));
        };
        last.insert(change.person_id, (stored.seq, change));
    }
    let mut case_ids: Vec<String> = last.values().map(|(_, change)| change.case_id.to_string()).collect();
    case_ids.sort_unstable();
    case_ids.dedup();
    let sql = format!(
        "select seq, kind, case_id, recorded_at, data from event where kind = 'case_reported' and case_id in ({VALUES})"
    );
    let mut reported: HashMap<Uuid, CaseReported> = HashMap::new();
    for row in per_chunk(&mut conn, &sql, 1, &case_ids, |s, id| s.bind(id.as_str())).await? {
        let stored = stored_event(&row)?;
        let Ok(Event::CaseReported(case)) = Event::from_parts(&stored.kind, &stored.data) else {
            return Err(corrupt("case_reported", stored.seq));
        };
        reported.insert(case.case_id, *case);
    }
    let mut lines = Vec::new();
    for (person_id, (seq, change)) in last {
        let case = reported.get(&change.case_id).ok_or_else(|| corrupt("case_reported for", change.case_id))?;
        let person = case.people.iter().find(|p| p.person_id == person_id);
        let person = person.ok_or_else(|| corrupt("passenger not in the report", person_id))?;
        lines.push(ManifestLine {
            person: person.clone(),
            case_id: change.case_id,
            reference: case.reference.as_str().to_owned(),
            status: change.to,
            seq,
            needs: case.needs.clone(),
            flags: case.flags.clone(),
        });
    }
    lines.sort_by(|a, b| a.reference.cmp(&b.reference).then(a.seq.cmp(&b.seq)));
    Ok(Some((movement, lines)))
}

pub(crate) async fn movement_shared(pool: &Pool, partner_id: Uuid, movement_id: Uuid) -> Result<bool> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement("select count(*) as n from movement_share where partner_id = $1 and movement_id = $2")
        .bind(partner_id.to_string())
        .bind(movement_id.to_string());
    Ok(conn.fetch_one(statement).await?.get::<i64>("n")? > 0)
}

/// The movements shared with a partner, by departure.
pub(crate) async fn shared_movement_ids(pool: &Pool, partner_id: Uuid) -> Result<Vec<Uuid>> {
    let mut pooled = pool.acquire().await?;
    let mut conn = pooled.conn();
    let statement = conn
        .statement(
            "select m.movement_id from movement_share s join movement m on m.movement_id = s.movement_id
              where s.partner_id = $1 order by m.departure_at, m.created_seq",
        )
        .bind(partner_id.to_string());
    conn.fetch_all(statement).await?.iter().map(|row| uuid_col(row, "movement_id")).collect()
}
