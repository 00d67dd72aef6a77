//! The reads behind allocation (waiting cases and people, by index ranges), the day's
//! figures, manifests, and what a partner may see of movements.

use super::movements::movement_in;
use super::*;
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
                    &masks::flags_from_mask(row.get("flags")?),
                    &masks::needs_from_mask(row.get("needs")?),
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
