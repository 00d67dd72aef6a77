//! Evacuation logistics at scale (issue 9): declaring a danger zone over a district of the
//! million stored cases, and suggesting passengers for a movement among 100,000 people awaiting
//! evacuation, both timed through the real HTTP API of a child `opsroom serve`, each next to a
//! baseline measured in the same run on the same database: the least SQL that does the same work.
//!
//! Owns its setup on the million-case database the matching phase fills (the people nearest one
//! assembly point made to await evacuation, written straight into the file before the server
//! starts, and a copy of the file for the zones' baseline), the districts it declares, and the
//! baselines. It changes that database (statuses, flags, priorities), so it runs after every
//! phase that reads it.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context;
use opsroom_domain::advisory::Area;
use opsroom_domain::evacuation::allocation::{disk_ranges, distance_km};
use opsroom_domain::evacuation::zone::ZoneCover;
use opsroom_domain::location::{Cell, Coordinates, stored_ranges};
use opsroom_scenario::client::{Client, Reply};
use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row};

use crate::process::ChildServer;
use crate::synthetic::KHARTOUM_BOX;

/// The movement's origin: an assembly point in the middle of greater Khartoum.
const ORIGIN: (f64, f64) = (15.60, 32.55);
/// Its destination: the Wadi Halfa border crossing.
const CROSSING: (f64, f64) = (21.80, 31.35);
/// Seats on the movement the suggestions are for (a bus).
pub const SEATS: u32 = 50;
/// A district's side in degrees: about 5.6 km north to south and 5.4 km east to west here.
const DISTRICT_DEGREES: f64 = 0.05;
/// Districts sit on a grid of this step (in degrees) across greater Khartoum, so no two overlap.
const DISTRICT_STEP: f64 = 0.06;
/// Statuses a danger zone leaves alone (the store's `FINISHED`).
const FINISHED: &str = "('evacuated', 'resolved', 'closed', 'duplicate')";
/// What the store's `waiting_cases` runs once per index range (copied), `{from}` being
/// `case_file c`.
const WAITING_SQL: &str = "select c.case_id, c.cell, c.flags, c.needs, c.age_marks, c.reported_at, c.people_count
                             from {from}
                            where c.status = 'awaiting_evacuation' and c.cell between $1 and $2";

/// What the phase does; from the command line.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// People made to await evacuation around the origin.
    pub waiting: usize,
    /// Danger zones declared, each over another district.
    pub zones: usize,
    /// Seat suggestions timed.
    pub suggestions: usize,
}

/// The median and the slowest of a few timings, in milliseconds.
pub struct Spread {
    pub p50: f64,
    pub max: f64,
}

fn spread(samples: &[f64]) -> Spread {
    let p = crate::percentiles(samples.to_vec());
    Spread { p50: p.p50, max: samples.iter().copied().fold(f64::NAN, f64::max) }
}

pub struct ZoneFigures {
    /// Cases flagged by each declaration, as the answers' `flagged` said.
    pub flagged: Vec<u64>,
    /// One district's area, km².
    pub district_km2: f64,
    /// Index ranges per district (the store's range scans), fewest and most.
    pub ranges: (usize, usize),
    pub api: Spread,
    pub baseline: Spread,
    /// Of the baseline, the commit.
    pub baseline_commit: Spread,
}

pub struct AllocationFigures {
    /// People awaiting evacuation around the origin.
    pub waiting: usize,
    pub radius_km: f64,
    /// The answers' `considered` (the same on every call).
    pub considered: u64,
    /// Passengers suggested per call.
    pub suggested: usize,
    /// Index ranges of the grid disk.
    pub ranges: usize,
    /// Rows the baseline read per call.
    pub baseline_rows: usize,
    pub api_calls: usize,
    pub api: Spread,
    /// The store's query through the partial index of waiting cases (`indexed by`).
    pub baseline: Spread,
    /// The store's query alone, planned by SQLite as the store runs it.
    pub store_query: Spread,
}

pub struct EvacuationFigures {
    /// Cases stored in the database.
    pub cases: u64,
    pub zones: ZoneFigures,
    pub allocation: AllocationFigures,
}

/// On the SQLite database at `url` (the million stored cases, no server running on it): make
/// the people nearest the origin await evacuation, then start a server and time seat
/// suggestions and danger-zone declarations through its API, each next to its baseline.
pub async fn evacuation(url: &str, plan: Plan) -> anyhow::Result<EvacuationFigures> {
    let mut db = connect(url, true).await?;
    let index: i64 = sqlx::query_scalar(
        "select count(*) from sqlite_master where type = 'index' and name = 'case_file_awaiting_by_cell'",
    )
    .fetch_one(&mut db)
    .await?;
    anyhow::ensure!(index == 1, "the partial index case_file_awaiting_by_cell is missing (migration 0006)");
    let cases: i64 = sqlx::query_scalar("select count(*) from case_file").fetch_one(&mut db).await?;
    let already: i64 = sqlx::query_scalar("select count(*) from case_file where status = 'awaiting_evacuation'")
        .fetch_one(&mut db)
        .await?;
    anyhow::ensure!(already == 0, "the evacuation phase needs a database where nobody awaits evacuation yet");
    let origin = Coordinates::parse(ORIGIN.0, ORIGIN.1).map_err(rejected)?.cell();
    let (waiting, radius_km) = await_evacuation(&mut db, origin, plan.waiting).await?;
    sqlx::query("pragma wal_checkpoint(truncate)").execute(&mut db).await?;
    db.close().await?;
    // The zones' baseline writes the same cases in a copy of the file, page for page.
    let path = SqliteConnectOptions::from_str(url)?.get_filename().to_owned();
    let twin = path.with_file_name("evacuation-baseline.db");
    std::fs::copy(&path, &twin).context("copying the database for the zones' baseline")?;
    let twin_url = format!("sqlite://{}", twin.display());

    let server = ChildServer::start(url).await?;
    let admin = server.admin().await?;
    let allocation = allocation(&admin, url, origin, waiting, radius_km, plan.suggestions).await?;
    let zones = zones(&admin, url, &twin_url, plan.zones).await;
    server.stop().await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", twin.display()));
    }
    Ok(EvacuationFigures { cases: cases as u64, zones: zones?, allocation })
}

fn rejected(r: opsroom_domain::Rejected) -> anyhow::Error {
    anyhow::anyhow!("{r}")
}

/// A connection to the database file with the store's settings: a writer's (its larger page
/// cache, no checkpoint inside a commit) or a reader's (read only).
async fn connect(url: &str, writer: bool) -> anyhow::Result<SqliteConnection> {
    let options = SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    let options = if writer {
        options.pragma("cache_size", "-65536").pragma("wal_autocheckpoint", "0")
    } else {
        options.read_only(true)
    };
    Ok(options.connect().await?)
}

/// Make the `people` open cases nearest `origin` (one person each) await evacuation, written
/// straight into the file; returns how many it found and the radius that holds them all.
async fn await_evacuation(db: &mut SqliteConnection, origin: Cell, people: usize) -> anyhow::Result<(usize, f64)> {
    let sql = format!("select case_id, cell from case_file where cell between $1 and $2 and status not in {FINISHED}");
    let mut near: Vec<(f64, String)> = Vec::new();
    for search_km in [15.0, 30.0, 60.0] {
        near.clear();
        for (first, last) in disk_ranges(origin, search_km) {
            let rows = sqlx::query(&sql).bind(first as i64).bind(last as i64).fetch_all(&mut *db).await?;
            for row in rows {
                let cell = Cell::from_u64(row.get::<i64, _>("cell") as u64).context("a stored cell")?;
                near.push((distance_km(origin, cell), row.get("case_id")));
            }
        }
        if near.len() >= people {
            break;
        }
    }
    near.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    near.truncate(people);
    anyhow::ensure!(!near.is_empty(), "no stored case near the origin");
    // Distances are between cells' centres, as the server measures them.
    let radius_km = (near.last().map_or(1.0, |n| n.0) * 10.0).ceil() / 10.0;
    sqlx::query("begin immediate").execute(&mut *db).await?;
    for chunk in near.chunks(500) {
        let list = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!("update case_file set status = 'awaiting_evacuation' where case_id in ({list})");
        let update = chunk.iter().fold(sqlx::query(&sql), |q, (_, id)| q.bind(id.as_str()));
        update.execute(&mut *db).await?;
    }
    sqlx::query("commit").execute(&mut *db).await?;
    Ok((near.len(), radius_km.max(1.0)))
}

/// A place as a supervisor registers it.
fn place_body(kind: &str, (lat, lon): (f64, f64), ar: &str, en: &str) -> Value {
    json!({"kind": kind, "name": {"ar": ar, "en": en}, "lat": lat, "lon": lon})
}

fn expect_status(reply: &Reply, status: u16, what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(reply.status == status, "{what}: {} {}", reply.status, reply.body);
    Ok(())
}

/// Register the origin and a crossing, plan a bus, then time `calls` suggestions for it, each
/// followed by the store's own query over the same ranges (rows read and decoded) as SQLite plans
/// it, and by the baseline: the same query made to read through the partial index of the cases
/// awaiting evacuation.
async fn allocation(
    admin: &Client,
    url: &str,
    origin: Cell,
    waiting: usize,
    radius_km: f64,
    calls: usize,
) -> anyhow::Result<AllocationFigures> {
    let assembly = admin
        .post("/api/v1/places", &place_body("assembly_point", ORIGIN, "نقطة تجمع الخرطوم", "Khartoum assembly point"))
        .await?;
    expect_status(&assembly, 201, "registering the assembly point")?;
    anyhow::ensure!(assembly.body["cell"] == origin.to_string(), "the assembly point's cell is the origin's");
    let crossing = admin
        .post("/api/v1/places", &place_body("border_crossing", CROSSING, "معبر وادي حلفا", "Wadi Halfa crossing"))
        .await?;
    expect_status(&crossing, 201, "registering the crossing")?;
    let movement = admin
        .post(
            "/api/v1/movements",
            &json!({
                "mode": "bus",
                "label": "Bus 1 Khartoum → Wadi Halfa",
                "origin_place_id": assembly.body["place_id"],
                "destination_place_id": crossing.body["place_id"],
                "departure_at": "2030-04-25T08:00:00+02:00",
                "seats": SEATS,
            }),
        )
        .await?;
    expect_status(&movement, 201, "planning the movement")?;
    let path = format!("/api/v1/movements/{}/suggestion", movement.body["movement_id"].as_str().unwrap_or_default());

    let ranges = disk_ranges(origin, radius_km);
    let mut reader = connect(url, false).await?;
    let as_planned = WAITING_SQL.replace("{from}", "case_file c");
    let by_partial_index = WAITING_SQL.replace("{from}", "case_file c indexed by case_file_awaiting_by_cell");
    let (mut api, mut store_query, mut baseline) = (Vec::new(), Vec::new(), Vec::new());
    let (mut considered, mut suggested, mut baseline_rows) = (0, 0, 0);
    for _ in 0..calls {
        let started = Instant::now();
        let reply = admin.post(&path, &json!({"radius_km": radius_km})).await?;
        api.push(started.elapsed().as_secs_f64() * 1000.0);
        expect_status(&reply, 200, "suggesting passengers")?;
        considered = reply.body["considered"].as_u64().context("considered")?;
        suggested = reply.body["passengers"].as_array().map_or(0, Vec::len);

        let (took, rows) = read_waiting(&mut reader, &as_planned, &ranges).await?;
        store_query.push(took);
        let (took, rows_by_index) = read_waiting(&mut reader, &by_partial_index, &ranges).await?;
        baseline.push(took);
        anyhow::ensure!(rows == rows_by_index, "{rows} waiting cases read, {rows_by_index} through the index");
        baseline_rows = rows;
    }
    reader.close().await?;
    Ok(AllocationFigures {
        waiting,
        radius_km,
        considered,
        suggested,
        ranges: ranges.len(),
        baseline_rows,
        api_calls: api.len(),
        api: spread(&api),
        baseline: spread(&baseline),
        store_query: spread(&store_query),
    })
}

/// A waiting case's index entry as the store reads it: case, cell, flags, needs, age marks,
/// reported at, people.
type WaitingRow = (String, i64, i64, i64, i64, i64, i64);

/// Run `sql` (the waiting cases in one index range) over `ranges`, reading and decoding every
/// row; the milliseconds it took and the rows.
async fn read_waiting(reader: &mut SqliteConnection, sql: &str, ranges: &[(u64, u64)]) -> anyhow::Result<(f64, usize)> {
    let started = Instant::now();
    let mut rows = 0;
    for (first, last) in ranges {
        for row in sqlx::query(sql).bind(*first as i64).bind(*last as i64).fetch_all(&mut *reader).await? {
            let decoded: WaitingRow = (
                row.get("case_id"),
                row.get("cell"),
                row.get("flags"),
                row.get("needs"),
                row.get("age_marks"),
                row.get("reported_at"),
                row.get("people_count"),
            );
            std::hint::black_box(decoded);
            rows += 1;
        }
    }
    Ok((started.elapsed().as_secs_f64() * 1000.0, rows))
}

/// District `n`: a square of greater Khartoum as a GeoJSON polygon (`[lon, lat]`), and its area
/// in km². Districts fill a grid inside the box the stored cases are spread over, row by row from
/// the south-west, so no two overlap.
fn district(n: usize) -> (Value, f64) {
    let [box_south, box_west, box_north, box_east] = KHARTOUM_BOX;
    let margin = 0.01;
    let fit = |span: f64| ((span - 2.0 * margin - DISTRICT_DEGREES) / DISTRICT_STEP) as usize + 1;
    let (rows, columns) = (fit(box_north - box_south), fit(box_east - box_west));
    let n = n % (rows * columns);
    let south = box_south + margin + (n / columns) as f64 * DISTRICT_STEP;
    let west = box_west + margin + (n % columns) as f64 * DISTRICT_STEP;
    let (north, east) = (south + DISTRICT_DEGREES, west + DISTRICT_DEGREES);
    let ring = json!([[west, south], [east, south], [east, north], [west, north], [west, south]]);
    let km_per_degree = 111.32;
    let km2 = (DISTRICT_DEGREES * km_per_degree).powi(2) * ((south + north) / 2.0).to_radians().cos();
    (json!({"type": "Polygon", "coordinates": [ring]}), km2)
}

/// Declare `count` danger zones, each over another district, each preceded by its baseline on
/// `twin_url` (a copy of the file made before the server started, so the same cases lie in the
/// same pages): the same flagging as set-based SQL, committed as the store's writer commits.
async fn zones(admin: &Client, url: &str, twin_url: &str, count: usize) -> anyhow::Result<ZoneFigures> {
    let mut db = connect(url, false).await?;
    let mut twin = connect(twin_url, true).await?;
    let (mut api, mut baseline, mut commits, mut flagged) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut fewest, mut most, mut district_km2) = (usize::MAX, 0, 0.0);
    for n in 0..count {
        let (area, km2) = district(n);
        district_km2 = km2;
        let cover = ZoneCover::tile(&Area::from_geojson(&area).map_err(rejected)?).map_err(rejected)?;
        let ranges = stored_ranges(cover.cells());
        (fewest, most) = (fewest.min(ranges.len()), most.max(ranges.len()));
        let inside = format!("cell between $1 and $2 and danger_zone_id is null and status not in {FINISHED}");
        let mut expected = 0i64;
        for (first, last) in &ranges {
            let sql = format!("select count(*) from case_file where {inside}");
            expected +=
                sqlx::query_scalar::<_, i64>(&sql).bind(*first as i64).bind(*last as i64).fetch_one(&mut db).await?;
        }

        let (took, commit) = flag_in_sql(&mut twin, &ranges, &inside, expected).await?;
        baseline.push(took);
        commits.push(commit);

        let body = json!({
            "kind": "danger",
            "name": {"ar": format!("منطقة خطر {}", n + 1), "en": format!("Danger zone {}", n + 1)},
            "area": area,
        });
        let started = Instant::now();
        let reply = admin.post("/api/v1/zones", &body).await?;
        api.push(started.elapsed().as_secs_f64() * 1000.0);
        expect_status(&reply, 201, "declaring a danger zone")?;
        let answered = reply.body["flagged"].as_u64().context("flagged")?;
        anyhow::ensure!(answered as i64 == expected, "the zone flagged {answered} cases; {expected} are inside");
        flagged.push(answered);
        // The hub and the matcher read the flags from the log after the answer; a supervisor
        // does not declare districts back to back.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    db.close().await?;
    twin.close().await?;
    Ok(ZoneFigures {
        flagged,
        district_km2,
        ranges: (fewest, most),
        api: spread(&api),
        baseline: spread(&baseline),
        baseline_commit: spread(&commits),
    })
}

/// The least SQL that flags the open cases in `ranges` as a declaration does: per range one
/// `insert … select` of a `danger_zone_flagged` event per case and one `update` raising them,
/// then the log's head, inside `begin immediate` … `commit`. Milliseconds from the lock taken to
/// the commit done, and of them the commit's (the WAL's fsync, and a checkpoint when due).
async fn flag_in_sql(
    db: &mut SqliteConnection,
    ranges: &[(u64, u64)],
    inside: &str,
    expected: i64,
) -> anyhow::Result<(f64, f64)> {
    let events = format!(
        "insert into event (seq, kind, case_id, recorded_at, data)
         select $3 + row_number() over (order by cell, case_id), 'danger_zone_flagged', case_id, $4,
                json_object('case_id', case_id, 'zone_id', $5, 'cell', printf('%x', cell), 'status', status,
                            'priority', priority_level, 'raised_to', 'high', 'at', $6)
           from case_file where {inside}"
    );
    // One position for all of a range's cases (the store gives each its event's): the same rows
    // and pages written.
    let update = format!(
        "update case_file set danger_zone_id = $4, updated_seq = $3 + 1, priority_level = 'high',
                priority_score = priority_score + 25,
                priority_reasons = json_insert(priority_reasons, '$[#]', json_object('code', 'danger_zone', 'points', 25))
          where {inside}"
    );
    let zone_id = uuid::Uuid::now_v7().to_string();
    sqlx::query("begin immediate").execute(&mut *db).await?;
    let started = Instant::now();
    let head: i64 = sqlx::query_scalar("select seq from log_head").fetch_one(&mut *db).await?;
    let mut written = 0i64;
    for (first, last) in ranges {
        let done = sqlx::query(&events)
            .bind(*first as i64)
            .bind(*last as i64)
            .bind(head + written)
            .bind(1_700_000_000_000i64)
            .bind(zone_id.as_str())
            .bind("2023-11-14T22:13:20Z")
            .execute(&mut *db)
            .await?;
        sqlx::query(&update)
            .bind(*first as i64)
            .bind(*last as i64)
            .bind(head + written)
            .bind(zone_id.as_str())
            .execute(&mut *db)
            .await?;
        written += done.rows_affected() as i64;
    }
    sqlx::query("update log_head set seq = $1").bind(head + written).execute(&mut *db).await?;
    let committing = Instant::now();
    sqlx::query("commit").execute(&mut *db).await?;
    let commit = committing.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(written == expected, "the baseline flagged {written} cases; {expected} are inside");
    Ok((started.elapsed().as_secs_f64() * 1000.0, commit))
}
