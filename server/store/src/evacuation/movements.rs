//! Movements and their passengers: planning, status changes (what a departure does to each
//! passenger and case), seats, and reading them back.

use super::*;

async fn log_movement(conn: &mut Conn<'_>, movement_id: Uuid, positions: Range<u64>) -> Result<()> {
    let rows: Vec<(String, i64)> = positions.map(|n| (movement_id.to_string(), n as i64)).collect();
    insert_rows(conn, "insert into movement_log (movement_id, seq)", 2, &rows, |s, (id, seq)| {
        s.bind(id.as_str()).bind(*seq)
    })
    .await
}

pub(super) async fn plan_movement(
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

pub(super) async fn movement_in(conn: &mut Conn<'_>, movement_id: Uuid) -> Result<Option<(Movement, u32)>> {
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

pub(super) async fn change_movement(
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

pub(super) async fn assign(
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

pub(super) async fn set_passengers(
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

pub(super) async fn counts_by_movement(
    conn: &mut Conn<'_>,
    movement_id: Option<Uuid>,
) -> Result<HashMap<Uuid, PassengerCounts>> {
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
            let (flags, needs) = (masks::flags_from_mask(row.get("flags")?), masks::needs_from_mask(row.get("needs")?));
            Ok(PassengerRow {
                person_id: uuid_col(row, "person_id")?,
                case_id: uuid_col(row, "case_id")?,
                reference: row.get("reference")?,
                name: row.get("name")?,
                age: row.get::<Option<i64>>("age")?.map(|a| a as u8),
                sex: optional_vocabulary(row, "sex")?,
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
