//! Places (assembly points, crossings, airports, ports): saving one, reading them.

use super::*;

pub(super) async fn save_place(
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
