//! Evacuation logistics at scale (issue 9): declaring a danger zone over a district of the
//! million stored cases, and suggesting passengers for a movement among 100,000 people awaiting
//! evacuation, both timed through the real HTTP API of a child `opsroom serve`, each next to a
//! baseline measured in the same run on the same database: the least SQL that does the same
//! work. The store's own read of the waiting cases is timed through `Store::waiting_cases`.
//!
//! Owns its setup on the million-case database the matching phase fills (the open cases nearest
//! one assembly point, found by a read of the file, moved to awaiting evacuation by the admin
//! through the store's workflow, and a copy of the file for the zones' baseline), the districts
//! it declares, and the baselines — the only SQL here, each named `baseline`, plus the set-up's
//! one read. It changes that database (statuses, flags, priorities), so it runs after every
//! phase that reads it. It must not measure the store with SQL of its own.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context;
use opsroom_domain::advisory::Area;
use opsroom_domain::case::CaseStatus;
use opsroom_domain::evacuation::allocation::{disk_ranges, distance_km};
use opsroom_domain::evacuation::zone::ZoneCover;
use opsroom_domain::location::{Cell, Coordinates, stored_ranges};
use opsroom_domain::user::Role;
use opsroom_domain::workflow::{CaseCommand, is_finished};
use opsroom_scenario::client::{Client, Reply};
use opsroom_store::{ActionOutcome, CaseAction, CaseFilter, Store, StoreOptions};
use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row};
use uuid::Uuid;

use crate::process::{ChildServer, PASSWORD};
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
/// The baseline's read of the waiting cases in one index range: the index entries
/// `Store::waiting_cases` reads, through the partial index of the cases awaiting evacuation.
const BASELINE_WAITING_SQL: &str = "select c.case_id, c.cell, c.flags, c.needs, c.age_marks, c.reported_at,
                                           c.people_count
                                      from case_file c indexed by case_file_awaiting_by_cell
                                     where c.status = 'awaiting_evacuation' and c.cell between $1 and $2";

/// The statuses a danger zone leaves alone, as an SQL list, from the domain's rule.
fn finished_statuses() -> String {
    let finished: Vec<String> =
        CaseStatus::ALL.into_iter().filter(|s| is_finished(*s)).map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", finished.join(", "))
}

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
    /// The store's index entries read through the partial index of waiting cases (`indexed by`).
    pub baseline: Spread,
    /// `Store::waiting_cases` over the same ranges, timed before the server starts.
    pub store_query: Spread,
}

/// The reads of the waiting cases, timed on the file before the server starts.
struct WaitingReads {
    store: Spread,
    baseline: Spread,
    rows: usize,
}

pub struct EvacuationFigures {
    /// Cases stored in the database.
    pub cases: u64,
    pub zones: ZoneFigures,
    pub allocation: AllocationFigures,
}

/// On the SQLite database at `url` (the million stored cases, no server running on it): make
/// the people nearest the origin await evacuation and time the store's read of them, then start
/// a server and time seat suggestions and danger-zone declarations through its API, each next to
/// its baseline.
pub async fn evacuation(url: &str, plan: Plan) -> anyhow::Result<EvacuationFigures> {
    let origin = Coordinates::parse(ORIGIN.0, ORIGIN.1).map_err(rejected)?.cell();
    let store = Store::open(url, StoreOptions::default()).await?;
    let prepared = async {
        let counts = store.case_counts(&CaseFilter { now_ms: opsroom::server::now_ms(), ..Default::default() }).await?;
        let cases: u64 = counts.by_status.iter().map(|(_, n)| n).sum();
        let already = counts.by_status.iter().find(|(s, _)| *s == CaseStatus::AwaitingEvacuation).map_or(0, |c| c.1);
        anyhow::ensure!(already == 0, "the evacuation phase needs a database where nobody awaits evacuation yet");
        let (near, radius_km) = nearest_open_cases(url, origin, plan.waiting).await?;
        await_evacuation(&store, &near).await?;
        // Status changes are nothing to match: the server starts with no backlog.
        crate::matching::file_without_matching(&store).await?;
        let ranges = disk_ranges(origin, radius_km);
        let reads = read_waiting(&store, url, &ranges, plan.suggestions).await?;
        Ok((cases, near.len(), radius_km, ranges.len(), reads))
    }
    .await;
    // Closing truncates the WAL, so the copy below is the whole database.
    store.close(Duration::from_secs(10)).await;
    let (cases, waiting, radius_km, ranges, reads) = prepared?;
    // The zones' baseline writes the same cases in a copy of the file, page for page.
    let path = SqliteConnectOptions::from_str(url)?.get_filename().to_owned();
    let twin = path.with_file_name("evacuation-baseline.db");
    std::fs::copy(&path, &twin).context("copying the database for the zones' baseline")?;
    let twin_url = format!("sqlite://{}", twin.display());

    let server = ChildServer::start(url).await?;
    let admin = server.admin().await?;
    let suggested = suggestions(&admin, origin, radius_km, plan.suggestions).await;
    let zones = match &suggested {
        Ok(_) => Some(zones(&admin, &twin_url, plan.zones).await),
        Err(_) => None,
    };
    server.stop().await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", twin.display()));
    }
    let (api, considered, suggested) = suggested?;
    let allocation = AllocationFigures {
        waiting,
        radius_km,
        considered,
        suggested,
        ranges,
        baseline_rows: reads.rows,
        api_calls: plan.suggestions,
        api,
        baseline: reads.baseline,
        store_query: reads.store,
    };
    Ok(EvacuationFigures { cases, zones: zones.context("no zones declared")??, allocation })
}

fn rejected(r: opsroom_domain::Rejected) -> anyhow::Error {
    anyhow::anyhow!("{r}")
}

/// A connection to the database file with the store's settings: a writer's (its larger page
/// cache, no checkpoint inside a commit) or a reader's (read only), for the baselines and the
/// set-up's read.
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

/// An open case near the origin: its id and version.
struct Near {
    case_id: Uuid,
    version: u32,
}

/// The `people` open cases (one person each) nearest `origin`, nearest first, and the radius
/// that holds them all. The set-up's one read of the file (the store has no "open cases near a
/// point"; it only ever asks for waiting ones): index range scans of the grid disk around it.
async fn nearest_open_cases(url: &str, origin: Cell, people: usize) -> anyhow::Result<(Vec<Near>, f64)> {
    let mut db = connect(url, false).await?;
    let sql = format!(
        "select case_id, cell, version from case_file where cell between $1 and $2 and status not in {}",
        finished_statuses()
    );
    let mut near: Vec<(f64, Uuid, u32)> = Vec::new();
    for search_km in [15.0, 30.0, 60.0] {
        near.clear();
        for (first, last) in disk_ranges(origin, search_km) {
            let rows = sqlx::query(&sql).bind(first as i64).bind(last as i64).fetch_all(&mut db).await?;
            for row in rows {
                let cell = Cell::from_u64(row.get::<i64, _>("cell") as u64).context("a stored cell")?;
                let case_id = Uuid::parse_str(row.get("case_id"))?;
                near.push((distance_km(origin, cell), case_id, row.get::<i64, _>("version") as u32));
            }
        }
        if near.len() >= people {
            break;
        }
    }
    db.close().await?;
    near.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    near.truncate(people);
    anyhow::ensure!(!near.is_empty(), "no stored case near the origin");
    // Distances are between cells' centres, as the server measures them.
    let radius_km = (near.last().map_or(1.0, |n| n.0) * 10.0).ceil() / 10.0;
    Ok((near.into_iter().map(|(_, case_id, version)| Near { case_id, version }).collect(), radius_km.max(1.0)))
}

/// Move `cases` to awaiting evacuation as an admin would, through the store's workflow:
/// triaged, then awaiting evacuation, a batch of cases side by side.
async fn await_evacuation(store: &Store, cases: &[Near]) -> anyhow::Result<()> {
    // The account the child server is driven with: a server finding any account makes none.
    let actor = crate::synthetic::account(store, "admin", Role::Admin, PASSWORD.to_owned()).await?;
    let at = opsroom::server::now_ms();
    for chunk in cases.chunks(512) {
        let mut versions: Vec<u32> = chunk.iter().map(|c| c.version).collect();
        for to in [CaseStatus::Triaged, CaseStatus::AwaitingEvacuation] {
            let actions = chunk.iter().zip(&versions).map(|(case, version)| CaseAction {
                case_id: case.case_id,
                expected_version: *version,
                actor,
                command: CaseCommand::ChangeStatus { to, reason: None, duplicate_of: None },
                at,
            });
            let outcomes = futures_util::future::join_all(actions.map(|a| store.apply_to_case(a))).await;
            for (version, outcome) in versions.iter_mut().zip(outcomes) {
                match outcome? {
                    ActionOutcome::Applied { version: now, .. } => *version = now,
                    other => anyhow::bail!("a case could not be moved to {}: {other:?}", to.as_str()),
                }
            }
        }
    }
    Ok(())
}

/// Time `calls` reads of the waiting cases in `ranges`: the store's (`Store::waiting_cases`)
/// and the baseline's (its index entries through the partial index, read and decoded), each
/// alternately on the same warm file.
async fn read_waiting(store: &Store, url: &str, ranges: &[(u64, u64)], calls: usize) -> anyhow::Result<WaitingReads> {
    let mut reader = connect(url, false).await?;
    let (mut timed_store, mut timed_baseline, mut rows) = (Vec::new(), Vec::new(), 0);
    for _ in 0..calls.max(1) {
        let started = Instant::now();
        let waiting = store.waiting_cases(ranges).await?;
        timed_store.push(started.elapsed().as_secs_f64() * 1000.0);
        let (took, read) = baseline_read_waiting(&mut reader, ranges).await?;
        timed_baseline.push(took);
        anyhow::ensure!(waiting.len() == read, "the store read {} waiting cases, the baseline {read}", waiting.len());
        rows = read;
    }
    reader.close().await?;
    Ok(WaitingReads { store: spread(&timed_store), baseline: spread(&timed_baseline), rows })
}

/// A place as a supervisor registers it.
fn place_body(kind: &str, (lat, lon): (f64, f64), ar: &str, en: &str) -> Value {
    json!({"kind": kind, "name": {"ar": ar, "en": en}, "lat": lat, "lon": lon})
}

fn expect_status(reply: &Reply, status: u16, what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(reply.status == status, "{what}: {} {}", reply.status, reply.body);
    Ok(())
}

/// Register the origin and a crossing, plan a bus, then time `calls` suggestions for it: the
/// timings, and the answers' `considered` and passengers suggested.
async fn suggestions(
    admin: &Client,
    origin: Cell,
    radius_km: f64,
    calls: usize,
) -> anyhow::Result<(Spread, u64, usize)> {
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

    let (mut api, mut considered, mut suggested) = (Vec::new(), 0, 0);
    for _ in 0..calls {
        let started = Instant::now();
        let reply = admin.post(&path, &json!({"radius_km": radius_km})).await?;
        api.push(started.elapsed().as_secs_f64() * 1000.0);
        expect_status(&reply, 200, "suggesting passengers")?;
        considered = reply.body["considered"].as_u64().context("considered")?;
        suggested = reply.body["passengers"].as_array().map_or(0, Vec::len);
    }
    Ok((spread(&api), considered, suggested))
}

/// A waiting case's index entry as the store reads it: case, cell, flags, needs, age marks,
/// reported at, people.
type WaitingRow = (String, i64, i64, i64, i64, i64, i64);

/// The baseline: [`BASELINE_WAITING_SQL`] over `ranges`, reading and decoding every row; the
/// milliseconds it took and the rows.
async fn baseline_read_waiting(reader: &mut SqliteConnection, ranges: &[(u64, u64)]) -> anyhow::Result<(f64, usize)> {
    let started = Instant::now();
    let mut rows = 0;
    for (first, last) in ranges {
        for row in
            sqlx::query(BASELINE_WAITING_SQL).bind(*first as i64).bind(*last as i64).fetch_all(&mut *reader).await?
        {
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
async fn zones(admin: &Client, twin_url: &str, count: usize) -> anyhow::Result<ZoneFigures> {
    let mut twin = connect(twin_url, true).await?;
    let (mut api, mut baseline, mut commits, mut flagged) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut fewest, mut most, mut district_km2) = (usize::MAX, 0, 0.0);
    for n in 0..count {
        let (area, km2) = district(n);
        district_km2 = km2;
        let cover = ZoneCover::tile(&Area::from_geojson(&area).map_err(rejected)?).map_err(rejected)?;
        let ranges = stored_ranges(cover.cells());
        (fewest, most) = (fewest.min(ranges.len()), most.max(ranges.len()));
        let (took, commit, inside) = baseline_flag(&mut twin, &ranges).await?;
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
        anyhow::ensure!(answered == inside, "the zone flagged {answered} cases; the baseline {inside} in the copy");
        flagged.push(answered);
        // The hub and the matcher read the flags from the log after the answer; a supervisor
        // does not declare districts back to back.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
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

/// The baseline of a declaration: the least SQL that flags the open cases in `ranges` as a
/// declaration does: per range one `insert … select` of a `danger_zone_flagged` event per case
/// and one `update` raising them, then the log's head, inside `begin immediate` … `commit`.
/// Milliseconds from the lock taken to the commit done, of them the commit's (the WAL's fsync,
/// and a checkpoint when due), and the cases flagged.
async fn baseline_flag(db: &mut SqliteConnection, ranges: &[(u64, u64)]) -> anyhow::Result<(f64, f64, u64)> {
    let inside = format!("cell between $1 and $2 and danger_zone_id is null and status not in {}", finished_statuses());
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
    let zone_id = Uuid::now_v7().to_string();
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
    Ok((started.elapsed().as_secs_f64() * 1000.0, commit, written as u64))
}
