//! `opsroom bench`: the benchmark suite, one run, one table, each figure next to a baseline or
//! an aim, with the machine named. Run it from a release build:
//! `cargo run --release -- bench` (see `--help`).
//!
//! The server under measurement is this same binary started as a child process (`process`), so
//! its CPU time and memory come from `/proc` apart from the load generator's. Phases:
//! - ingest: durable ingest over HTTP next to the raw SQLite group-commit loop of the same rows;
//!   then a surge (`surge`): a minute of intake at full speed with live subscribers, the WAL's
//!   size through it, and start to ready after a SIGKILL at its end;
//! - delivery (`delivery`): submit-to-delivery latency to many websocket subscribers next to a
//!   bare broadcast of messages of the same size to the same sockets, CPU per delivery of each;
//! - capacity (`capacity`): memory per idle subscriber and per stored case, start-to-ready with a
//!   million cases (and the WAL found at open), and the map's bounding-box aggregation over them;
//! - matching (`matching`): one new person among a million stored ones (the same million cases
//!   serve the capacity phase);
//! - evacuation (`evacuation`): a danger zone declared over a district of that million, and seat
//!   allocation among 100,000 people awaiting evacuation, each next to the SQL doing the same
//!   work (it changes the million cases, so it runs after the phases that read them; `--only
//!   evacuation` runs it alone, on a million cases stored for it; so do `--only ingest` and
//!   `--only capacity` for theirs);
//! - flood (`flood`): health checks and reports from one address, with no flood and while
//!   another address holds thousands of half-open connections (slowloris);
//! - PostgreSQL, when a server is configured: ingest next to pgbench, and cross-node delivery.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use opsroom::http::reports::{TRACKING_HASH_DOMAIN, new_case_ids};
use opsroom::wire::ReportRequest;
use opsroom_domain::case::report_case;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::report::{Channel, NewReport};
use opsroom_scenario::plan::sample_report;
use opsroom_store::testing::{PHONE_REGIONS, TestDatabase};
use opsroom_store::{ReportCase, Store, StoreOptions};

mod capacity;
pub mod delivery;
mod evacuation;
mod flood;
mod ingest;
mod matching;
mod process;
mod search;
mod surge;
pub mod synthetic;

use ingest::*;
pub use ingest::{Percentiles, percentiles};

use delivery::{Delivery, Shape};
use process::ChildServer;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Reports to submit in the ingest phase (and to insert in the baseline).
    #[arg(long, default_value_t = 30_000)]
    reports: usize,
    /// Concurrent HTTP clients in the ingest phase. Each waits for its answer before sending
    /// again, so this bounds how many reports can share one commit; public intake in a crisis is
    /// many independent senders, not a few fast ones.
    #[arg(long, default_value_t = 256)]
    clients: usize,
    /// Length of the surge in seconds: intake at full speed from `--clients` clients while live
    /// subscribers follow, the WAL's size sampled throughout.
    #[arg(long, default_value_t = 60)]
    surge_seconds: u64,
    /// Live subscribers following every event during the surge.
    #[arg(long, default_value_t = 10)]
    surge_subscribers: usize,
    /// Reports per transaction in the raw SQLite baseline.
    #[arg(long, default_value_t = 512)]
    baseline_batch: usize,
    /// Websocket subscribers in the delivery phase (and idle ones in the memory phase).
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Of the subscribers, how many decode and time every message (the rest only count).
    #[arg(long, default_value_t = 10)]
    timed_subscribers: usize,
    /// Reports per second in the delivery phase.
    #[arg(long, default_value_t = 50)]
    rate: u64,
    /// Length of the delivery phase in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Stored cases (one person each) for the matching, capacity and evacuation phases (0 skips
    /// them).
    #[arg(long, default_value_t = 1_000_000)]
    cases: usize,
    /// New persons matched (and timed) against them.
    #[arg(long, default_value_t = 1000)]
    match_probes: usize,
    /// Map queries timed per bounding box.
    #[arg(long, default_value_t = 200)]
    map_queries: usize,
    /// Searches of each kind (reference, phone, Arabic name, Latin name), board pages and
    /// counts timed over the stored cases.
    #[arg(long, default_value_t = 200)]
    search_probes: usize,
    /// Run the search phase (`--only search`) on this database instead of storing `--cases`
    /// of its own: one filled by `opsroom seed` (cases in every status, some assigned, some not
    /// yet due), holding `--cases` cases. The phase adds its account and moves the matcher past
    /// the cases (see `search::prepare_seeded`); the cases themselves are only read.
    #[arg(long)]
    search_database: Option<String>,
    /// People awaiting evacuation around the movement's origin in the evacuation phase (the
    /// stored cases nearest it).
    #[arg(long, default_value_t = 100_000)]
    waiting: usize,
    /// Seat suggestions for that movement timed in the evacuation phase.
    #[arg(long, default_value_t = 10)]
    suggestions: usize,
    /// Danger zones declared (and timed) in the evacuation phase, each over another district of
    /// about 30 km² in greater Khartoum.
    #[arg(long, default_value_t = 5)]
    zones: usize,
    /// Half-open connections from one address in the flood phase.
    #[arg(long, default_value_t = 5000)]
    flood_connections: usize,
    /// Health checks, and as many reports, timed from another address with and without the
    /// flood.
    #[arg(long, default_value_t = 300)]
    flood_requests: usize,
    /// Run only this phase and the setup it needs (each starts with the disk's fsync latency;
    /// capacity and evacuation store `--cases` cases first). Without it, every phase runs.
    #[arg(long, value_enum)]
    only: Option<Phase>,
    /// Directory for the databases (default: ./target/bench-data).
    #[arg(long, default_value = "target/bench-data")]
    dir: std::path::PathBuf,
}

/// A phase that can run alone (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Phase {
    /// The raw baseline, durable ingest over HTTP and the surge (the WAL under intake).
    Ingest,
    /// Memory per stored case, start to ready and the map over the stored cases.
    Capacity,
    /// Danger-zone declaration and seat allocation over the stored cases.
    Evacuation,
    /// A slowloris flood from one address while another is served.
    Flood,
    /// Search, a filtered board page and the counts over the stored cases.
    Search,
}

impl BenchArgs {
    fn evacuation_plan(&self) -> evacuation::Plan {
        evacuation::Plan { waiting: self.waiting, zones: self.zones, suggestions: self.suggestions }
    }
}

/// Run every phase and print the table.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)?;
    let dir = tempfile::tempdir_in(&args.dir)?;
    let machine = machine();
    println!("machine: {machine}");
    let log = args.dir.join("servers.log");
    println!("servers' logs: {}", log.display());
    process::log_to(log);
    let sqlite = |name: &str| format!("sqlite://{}", dir.path().join(name).display());

    let fsync = fsync_latency(dir.path(), 200)?;
    let stored_alone = async |phase: &str| -> anyhow::Result<(String, f64)> {
        anyhow::ensure!(args.cases > 0, "the {phase} phase needs stored cases (--cases)");
        let full = sqlite("million.db");
        let load_seconds = matching::store_cases(&full, args.cases).await?;
        Ok((full, load_seconds))
    };
    match args.only {
        Some(Phase::Evacuation) => {
            let (full, load_seconds) = stored_alone("evacuation").await?;
            let figures = evacuation::evacuation(&full, args.evacuation_plan()).await?;
            print_table_head(&machine, &fsync);
            println!(
                "| {} stored cases for the evacuation phase (stored and filed in {load_seconds:.0} s) | | |",
                args.cases
            );
            print_evacuation(&figures);
            return Ok(());
        }
        Some(Phase::Capacity) => {
            let (full, load_seconds) = stored_alone("capacity").await?;
            let stored = capacity::stored(&full, &sqlite("empty.db"), args.cases as u64, args.map_queries).await?;
            print_table_head(&machine, &fsync);
            println!("| {} stored cases (stored and filed in {load_seconds:.0} s) | | |", args.cases);
            print_stored(&args, &stored);
            return Ok(());
        }
        Some(Phase::Search) => {
            let (full, stored) = match &args.search_database {
                Some(url) => {
                    search::prepare_seeded(url).await?;
                    (url.clone(), "seeded by `opsroom seed`".to_owned())
                }
                None => {
                    let (full, load_seconds) = stored_alone("search").await?;
                    (full, format!("stored and filed in {load_seconds:.0} s"))
                }
            };
            let figures = search::search(&full, args.cases, args.search_probes).await?;
            print_table_head(&machine, &fsync);
            println!("| {} stored cases ({stored}) | | |", args.cases);
            print_search(args.cases, &figures);
            return Ok(());
        }
        Some(Phase::Ingest) => {
            let intake = intake_figures(&args, dir.path()).await?;
            print_table_head(&machine, &fsync);
            print_intake(&args, &intake);
            return Ok(());
        }
        Some(Phase::Flood) => {
            let figures = flood::flood(&sqlite("flood.db"), args.flood_connections, args.flood_requests).await?;
            print_table_head(&machine, &fsync);
            print_flood(&figures);
            return Ok(());
        }
        None => {}
    }
    let intake = intake_figures(&args, dir.path()).await?;
    let shape =
        Shape { subscribers: args.subscribers, timed: args.timed_subscribers, rate: args.rate, seconds: args.seconds };
    let delivery = {
        let server = ChildServer::start(&sqlite("delivery.db")).await?;
        let delivery = delivery::through_opsroom(&server, &server, shape).await?;
        server.stop().await?;
        delivery
    };
    let bare = delivery::bare_broadcast(shape, delivery.message_bytes).await?;
    let per_subscriber = capacity::memory_per_subscriber(&sqlite("idle.db"), args.subscribers).await?;
    let flood = flood::flood(&sqlite("flood.db"), args.flood_connections, args.flood_requests).await?;
    let (matching, stored, searched, evacuation) = if args.cases > 0 {
        let full = sqlite("million.db");
        let matching = matching::matching_latency(&full, args.cases, args.match_probes).await?;
        let stored = capacity::stored(&full, &sqlite("empty.db"), args.cases as u64, args.map_queries).await?;
        let searched = search::search(&full, args.cases, args.search_probes).await?;
        // Last on the million cases: it changes them.
        let evacuation = evacuation::evacuation(&full, args.evacuation_plan()).await?;
        (Some(matching), Some(stored), Some(searched), Some(evacuation))
    } else {
        (None, None, None, None)
    };
    let postgres = match TestDatabase::postgres().await {
        Some(database) => {
            let figures = postgres_figures(&args, shape, &database.url).await;
            database.remove().await;
            Some(figures?)
        }
        None => None,
    };

    print_table_head(&machine, &fsync);
    print_intake(&args, &intake);
    let shape_text = format!(
        "{} subscribers ({} timed), {} reports/s for {} s",
        args.subscribers, args.timed_subscribers, args.rate, args.seconds
    );
    println!(
        "| **2. submit-to-delivery through Opsroom**, {shape_text} (includes the durable commit) | **p50 {:.2} ms, p99 {:.2} ms**, {} of {} delivered | p99 ≤ 50 ms |",
        delivery.latency.p50, delivery.latency.p99, delivery.delivered, delivery.expected
    );
    println!(
        "| bare broadcast of {}-byte messages to the same number of sockets, same rate | p50 {:.2} ms, p99 {:.2} ms, {} of {} delivered | |",
        delivery.message_bytes, bare.latency.p50, bare.latency.p99, bare.delivered, bare.expected
    );
    println!("| delivery p99 / bare broadcast p99 | {:.1} | |", delivery.latency.p99 / bare.latency.p99);
    println!(
        "| server CPU per delivery: Opsroom / bare broadcast | {:.1} µs / {:.1} µs | |",
        delivery.cpu_per_delivery_us, bare.cpu_per_delivery_us
    );
    println!(
        "| **3. memory per idle subscriber** ({} subscribed websockets) | **{:.1} KB** | ≤ 16 KB |",
        args.subscribers,
        per_subscriber / 1024.0
    );
    print_flood(&flood);
    if let Some(stored) = &stored {
        print_stored(&args, stored);
    }
    if let Some(m) = matching {
        println!(
            "| matching one new person among {} stored persons ({} probes; stored and filed in {:.0} s) | p50 {:.2} ms, p99 {:.2} ms, {:.2} suggestions per person | p99 ≤ 5 ms |",
            m.persons, args.match_probes, m.load_seconds, m.latency.p50, m.latency.p99, m.mean_suggestions
        );
    }
    if let Some(figures) = &searched {
        print_search(args.cases, figures);
    }
    if let Some(figures) = &evacuation {
        print_evacuation(figures);
    }
    match postgres {
        Some(pg) => {
            println!(
                "| PostgreSQL: pgbench single-row inserts ({} B rows, {} clients) | {:.0} rows/s | |",
                pg.row_bytes,
                args.clients.min(PGBENCH_CLIENTS),
                pg.pgbench_tps
            );
            println!(
                "| PostgreSQL: durable ingest over HTTP, {} reports, {} clients | {:.0} reports/s, p50 {:.2} ms, p99 {:.2} ms | |",
                args.reports, args.clients, pg.ingest.rate, pg.ingest.latency.p50, pg.ingest.latency.p99
            );
            println!("| PostgreSQL: ingest / pgbench single-row inserts | {:.2} | |", pg.ingest.rate / pg.pgbench_tps);
            println!(
                "| PostgreSQL: cross-node delivery (submit to node A, subscribers on node B), {shape_text} | p50 {:.2} ms, p99 {:.2} ms, {} of {} delivered | p99 ≤ 50 ms |",
                pg.cross_node.latency.p50, pg.cross_node.latency.p99, pg.cross_node.delivered, pg.cross_node.expected
            );
        }
        None => println!("| PostgreSQL | not measured: set {} | |", opsroom_store::testing::POSTGRES_URL_VAR),
    }
    Ok(())
}

/// The flood phase's lines: the other client's latencies with the flood next to without.
fn print_flood(f: &flood::FloodFigures) {
    let line = |what: &str, quiet: &Percentiles, flood: &Percentiles| {
        println!(
            "| **{what} from another address during a slowloris flood** ({} half-open connections held from one address, each reopened a second after the server closes it: {} opened in all, {:.0}/s while measuring; the server held at most {} descriptors and used {:.2} of a core; the attacker runs on the same two cores; {} of the other client's requests failed) | **p50 {:.2} ms, p99 {:.2} ms** (no flood: p50 {:.2} ms, p99 {:.2} ms; p99 ratio {:.2}) | about the usual p99 |",
            f.connections,
            f.opened,
            f.opened_per_second,
            f.server_files_max,
            f.server_cpu,
            f.failed,
            flood.p50,
            flood.p99,
            quiet.p50,
            quiet.p99,
            flood.p99 / quiet.p99
        );
    };
    line("`/healthz`", &f.quiet_healthz, &f.flood_healthz);
    line("report intake (durable)", &f.quiet_report, &f.flood_report);
}

/// The search phase's lines.
fn print_search(cases: usize, f: &search::SearchFigures) {
    let line = |what: &str, p: &Percentiles, note: &str| {
        println!(
            "| **{what}** over {cases} stored cases{note} | **p50 {:.2} ms, p99 {:.2} ms** | p99 ≤ 50 ms |",
            p.p50, p.p99
        );
    };
    line("search by reference (typed in lower case, no dash)", &f.reference, "");
    line("search by phone in national format (`0…`)", &f.phone, "");
    let found = |n: usize| format!("; found its case on the first page {n} of {} times", f.probes);
    line("search by an Arabic name as stored", &f.arabic, &found(f.arabic_found));
    line("search by that name in Latin letters", &f.latin, &found(f.latin_found));
    println!("| name searches marked incomplete (`total_capped`) | {} of {} | |", f.names_capped, 2 * f.probes);
    line(
        "board page: `status=new&sort=urgency&need=medical&limit=50`",
        &f.board,
        &format!(" (total {})", f.board_total),
    );
    line(
        "overdue queue page: `sla=red&sort=sla_due&limit=50`",
        &f.overdue_queue,
        &format!(" (total {})", f.overdue_total),
    );
    line("counts per status (`/cases/counts`)", &f.counts, "");
    line("counts per status with `need=medical`", &f.counts_filtered, "");
}

/// The table's head: the machine, the columns, and the disk's fsync latency.
fn print_table_head(machine: &str, fsync: &Percentiles) {
    println!();
    println!("Machine: {machine}");
    println!();
    println!("| measurement | result | aim |");
    println!("|---|---|---|");
    println!("| disk fsync (4 KiB write + fdatasync) | p50 {:.2} ms, p99 {:.2} ms | |", fsync.p50, fsync.p99);
}

/// The ingest phase's figures: the raw baseline, durable ingest, and the surge.
struct Intake {
    baseline: f64,
    ingest: Ingest,
    surge: surge::Surge,
}

async fn intake_figures(args: &BenchArgs, dir: &std::path::Path) -> anyhow::Result<Intake> {
    let baseline = raw_baseline(dir, args.reports, args.baseline_batch).await?;
    let ingest =
        http_ingest(&format!("sqlite://{}", dir.join("ingest.db").display()), args.reports, args.clients).await?;
    let database = dir.join("surge.db");
    let surge = surge::surge(
        &format!("sqlite://{}", database.display()),
        &database,
        args.clients,
        args.surge_subscribers,
        Duration::from_secs(args.surge_seconds),
    )
    .await?;
    Ok(Intake { baseline, ingest, surge })
}

fn print_intake(args: &BenchArgs, intake: &Intake) {
    let Intake { baseline, ingest, surge } = intake;
    println!(
        "| raw SQLite group-commit insert, {} reports in batches of {} | {:.0} reports/s | |",
        args.reports, args.baseline_batch, baseline
    );
    println!(
        "| durable ingest over HTTP, {} reports, {} clients | {:.0} reports/s, p50 {:.2} ms, p99 {:.2} ms | |",
        args.reports, args.clients, ingest.rate, ingest.latency.p50, ingest.latency.p99
    );
    println!("| **1. ingest / raw baseline** | **{:.2}** | ≥ 0.5 |", ingest.rate / baseline);
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "| surge: durable ingest over HTTP for {:.0} s, {} clients, {} live subscribers ({} events delivered) | {:.0} reports/s ({} reports), p50 {:.2} ms, p99 {:.2} ms | |",
        surge.seconds,
        args.clients,
        surge.subscribers,
        surge.delivered,
        surge.rate,
        surge.reports,
        surge.latency.p50,
        surge.latency.p99
    );
    println!(
        "| **SQLite WAL after the surge** (largest sampled every 0.1 s during it; the database beside it) | **{:.1} MiB** (largest {:.1} MiB; database {:.0} MiB) | ≤ 64 MiB |",
        mib(surge.wal_end),
        mib(surge.wal_max),
        mib(surge.database_end)
    );
    println!(
        "| start to ready after a SIGKILL at the surge's end (WAL at open {:.1} MiB) | {:.2} s | |",
        mib(surge.wal_at_restart),
        surge.ready_after_crash.as_secs_f64()
    );
}

fn print_stored(args: &BenchArgs, stored: &capacity::Stored) {
    println!(
        "| **3. memory per stored case** (resident, {} cases against an empty database: {:.0} MB vs {:.0} MB) | **{:.0} bytes** | ≤ 1 KB |",
        stored.cases,
        stored.rss_full as f64 / 1e6,
        stored.rss_empty as f64 / 1e6,
        stored.bytes_per_case
    );
    println!(
        "| **4. start to ready with {} cases stored** (SQLite WAL at open {:.1} MiB, database {:.0} MiB) | **{:.2} s** | ≤ 3 s |",
        stored.cases,
        stored.wal_at_open as f64 / (1024.0 * 1024.0),
        stored.database_bytes as f64 / (1024.0 * 1024.0),
        stored.ready_after.as_secs_f64()
    );
    let map = |what: &str, p: &Percentiles| {
        println!(
            "| **5. map aggregation**, {} cases, {what} ({} queries, over HTTP) | **p50 {:.2} ms, p99 {:.2} ms** | ≤ 20 ms |",
            stored.cases, args.map_queries, p.p50, p.p99
        );
    };
    map("Khartoum's box at resolution 7", &stored.map_city);
    map("all Sudan at resolution 4 (the ops map's country view)", &stored.map_country);
    map("all Sudan at resolution 5", &stored.map_country_fine);
}

/// The evacuation phase's lines: each figure through the API next to its SQL baseline.
fn print_evacuation(e: &evacuation::EvacuationFigures) {
    let z = &e.zones;
    let (fewest, most) = (z.flagged.iter().min().copied().unwrap_or(0), z.flagged.iter().max().copied().unwrap_or(0));
    let total: u64 = z.flagged.iter().sum();
    println!(
        "| **danger zone declared over {} stored cases** ({} declaration{}, each a different {:.0} km² district of greater Khartoum flagging {fewest}–{most} open cases, {:.2}% of those stored; `POST /api/v1/zones` to its answer) | **p50 {:.0} ms, max {:.0} ms** | well under 1 s |",
        e.cases,
        z.flagged.len(),
        if z.flagged.len() == 1 { "" } else { "s" },
        z.district_km2,
        100.0 * total as f64 / z.flagged.len().max(1) as f64 / e.cases.max(1) as f64,
        z.api.p50,
        z.api.max
    );
    println!(
        "| baseline: the same flagging as set-based SQL in a copy of the file made before the server started (per index range of the zone's cells, {}–{} ranges: one `insert … select` of an event row per case and one `update` of the cases; then the log's head), committed as the store's writer commits (WAL, synchronous=FULL, no checkpoint inside the commit) | p50 {:.0} ms (commit {:.0} ms), max {:.0} ms | |",
        z.ranges.0, z.ranges.1, z.baseline.p50, z.baseline_commit.p50, z.baseline.max
    );
    let a = &e.allocation;
    println!(
        "| **seat allocation among {} people awaiting evacuation** ({} seats, radius {:.1} km: {} considered, {} suggested; `POST /api/v1/movements/{{id}}/suggestion` to its answer, {} calls) | **p50 {:.0} ms, max {:.0} ms** | well under 1 s |",
        a.waiting,
        evacuation::SEATS,
        a.radius_km,
        a.considered,
        a.suggested,
        a.api_calls,
        a.api.p50,
        a.api.max
    );
    println!(
        "| baseline: the index entries the store reads for the waiting cases over the same {} grid-disk index ranges, through the partial index of cases awaiting evacuation (SQLite `indexed by case_file_awaiting_by_cell`), {} entries read and decoded (no allocation, no people, no HTTP) | p50 {:.0} ms, max {:.0} ms | |",
        a.ranges, a.baseline_rows, a.baseline.p50, a.baseline.max
    );
    println!(
        "| the store's read of them (`Store::waiting_cases`, as the suggestion calls it; timed before the server started) | p50 {:.0} ms, max {:.0} ms | |",
        a.store_query.p50, a.store_query.max
    );
}

/// Most `pgbench` clients: the server allows 100 connections and the nodes need some.
const PGBENCH_CLIENTS: usize = 64;

/// The machine, named: host, CPU model and cores, memory, and the build.
fn machine() -> String {
    let hostname =
        std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "unknown".into());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, m)| m.trim()))
        .unwrap_or("unknown CPU")
        .to_owned();
    let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let build = if cfg!(debug_assertions) { "debug build (use --release for figures)" } else { "release build" };
    format!("{hostname}: {model}, {cores} cores, {memory_gib:.0} GiB; {build}")
}
