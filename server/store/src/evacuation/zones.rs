//! Danger zones and safe corridors: declaring, changing and lifting one, the cases a danger
//! zone flags (on declaration and when a report arrives inside it) and lets go.

use super::*;

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
    let finished = crate::reads::finished();
    let sql = format!(
        "select c.case_id, c.cell, c.status, c.priority_level, c.priority_score, c.priority_reasons,
                c.priority_override_reason
           from (values {VALUES}) as r join case_file c on c.cell between r.column1 and r.column2
          where c.danger_zone_id is null and c.status not in {finished}"
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

pub(super) async fn declare_zone(
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

pub(super) async fn change_zone(
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

pub(super) async fn lift_zone(
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
