//! `opsroom-bench`: durable ingest and live delivery, each measured next to a baseline in the
//! same run on the same disk, so the ratios hold on a noisy shared machine.
//!
//! Run with `cargo run --release -p opsroom-bench` (see `--help`). Prints one table.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use futures_util::StreamExt;
use opsroom::http::reports::{TRACKING_HASH_DOMAIN, new_case_ids};
use opsroom::wire::ReportRequest;
use opsroom_domain::case::report_case;
use opsroom_domain::clock::Timestamp;
use opsroom_domain::report::{Channel, NewReport};
use opsroom_store::ReportCase;
use opsroom_tests::{Api, TestDatabase, TestServer, sample_report};
use tokio_tungstenite::tungstenite::Message;

mod matching;

#[derive(Debug, Parser)]
#[command(about = "Measure Opsroom's durable ingest and live delivery next to baselines")]
struct Args {
    /// Reports to submit in the ingest phase (and to insert in the baseline).
    #[arg(long, default_value_t = 30_000)]
    reports: usize,
    /// Concurrent HTTP clients in the ingest phase. Each waits for its answer before sending
    /// again, so this bounds how many reports can share one commit; public intake in a crisis is
    /// many independent senders, not a few fast ones.
    #[arg(long, default_value_t = 256)]
    clients: usize,
    /// Reports per transaction in the raw SQLite baseline.
    #[arg(long, default_value_t = 512)]
    baseline_batch: usize,
    /// Websocket subscribers in the delivery phase.
    #[arg(long, default_value_t = 200)]
    subscribers: usize,
    /// Of the subscribers, how many decode and time every message (the rest only count).
    #[arg(long, default_value_t = 10)]
    timed_subscribers: usize,
    /// Reports per second in the delivery phase.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Length of the delivery phase in seconds.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Stored persons in the matching phase (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    match_persons: usize,
    /// New persons matched (and timed) against them.
    #[arg(long, default_value_t = 1000)]
    match_probes: usize,
    /// Directory for the databases (default: ./target/bench-data).
    #[arg(long, default_value = "target/bench-data")]
    dir: std::path::PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.dir)?;
    let dir = tempfile::tempdir_in(&args.dir)?;
    println!("machine: {} ({} cores), build: {}", hostname(), num_cpus(), build_profile());

    let fsync = fsync_latency(dir.path(), 200)?;
    let baseline = raw_baseline(dir.path(), args.reports, args.baseline_batch).await?;
    let ingest_url = format!("sqlite://{}", dir.path().join("ingest.db").display());
    let ingest = http_ingest(&ingest_url, args.reports, args.clients).await?;
    let delivery = {
        let server = TestServer::start().await;
        let delivery = delivery_latency(&args, &server, &server).await?;
        server.stop().await?;
        delivery
    };
    let matching = if args.match_persons > 0 {
        Some(matching::matching_latency(dir.path(), args.match_persons, args.match_probes).await?)
    } else {
        None
    };
    let postgres = match TestDatabase::postgres().await {
        Some(database) => {
            let figures = postgres_figures(&args, &database.url).await;
            database.remove().await;
            Some(figures?)
        }
        None => None,
    };

    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!("| disk fsync (4 KiB write + fdatasync) | p50 {:.2} ms, p99 {:.2} ms |", fsync.p50, fsync.p99);
    println!(
        "| raw SQLite group-commit insert, {} reports in batches of {} | {:.0} reports/s |",
        args.reports, args.baseline_batch, baseline
    );
    println!(
        "| durable ingest over HTTP, {} reports, {} clients | {:.0} reports/s, p50 {:.2} ms, p99 {:.2} ms |",
        args.reports, args.clients, ingest.rate, ingest.latency.p50, ingest.latency.p99
    );
    println!("| ingest / raw baseline | {:.2} |", ingest.rate / baseline);
    println!(
        "| submit-to-websocket delivery, {} subscribers ({} timed), {} reports/s for {} s | p50 {:.2} ms, p99 {:.2} ms, {} of {} deliveries |",
        args.subscribers,
        args.timed_subscribers,
        args.rate,
        args.seconds,
        delivery.latency.p50,
        delivery.latency.p99,
        delivery.delivered,
        delivery.expected
    );
    if let Some(m) = matching {
        println!(
            "| matching one new person among {} stored persons ({} probes; stored and filed in {:.0} s) | p50 {:.2} ms, p99 {:.2} ms, {:.2} suggestions per person |",
            m.persons, args.match_probes, m.load_seconds, m.latency.p50, m.latency.p99, m.mean_suggestions
        );
    }
    match postgres {
        Some(pg) => {
            println!(
                "| PostgreSQL: pgbench single-row inserts ({} B rows, {} clients) | {:.0} rows/s |",
                pg.row_bytes,
                args.clients.min(PGBENCH_CLIENTS),
                pg.pgbench_tps
            );
            println!(
                "| PostgreSQL: durable ingest over HTTP, {} reports, {} clients | {:.0} reports/s, p50 {:.2} ms, p99 {:.2} ms |",
                args.reports, args.clients, pg.ingest.rate, pg.ingest.latency.p50, pg.ingest.latency.p99
            );
            println!("| PostgreSQL: ingest / pgbench single-row inserts | {:.2} |", pg.ingest.rate / pg.pgbench_tps);
            println!(
                "| PostgreSQL: cross-node delivery (submit to node A, {} subscribers on node B), {} reports/s for {} s | p50 {:.2} ms, p99 {:.2} ms, {} of {} deliveries |",
                args.subscribers,
                args.rate,
                args.seconds,
                pg.cross_node.latency.p50,
                pg.cross_node.latency.p99,
                pg.cross_node.delivered,
                pg.cross_node.expected
            );
        }
        None => println!("| PostgreSQL | not measured: set {} |", opsroom_store::testing::POSTGRES_URL_VAR),
    }
    Ok(())
}

/// The delivery phase's reports are other people than the ingest phase's (on PostgreSQL both
/// phases share a database, and the matcher would rightly link the same people).
const DELIVERY_FIRST: usize = 1_000_000;

/// Most `pgbench` clients: the server allows 100 connections and the nodes need some.
const PGBENCH_CLIENTS: usize = 64;

struct PostgresFigures {
    row_bytes: usize,
    pgbench_tps: f64,
    ingest: Ingest,
    cross_node: Delivery,
}

/// PostgreSQL: `pgbench` single-row inserts of an event-sized row as the baseline, durable ingest
/// over HTTP, and delivery from one node to subscribers of another on the same database.
async fn postgres_figures(args: &Args, url: &str) -> anyhow::Result<PostgresFigures> {
    let payload = serde_json::to_string(&report_commands(1)?[0].event)?;
    let pgbench_tps = pgbench_single_row_inserts(url, &payload, args.clients, args.reports).await?;
    let ingest = http_ingest(url, args.reports, args.clients).await?;
    let node_a = TestServer::start_on(url, |_| {}).await;
    let node_b = TestServer::start_on(url, |_| {}).await;
    // The ingest phase left the matcher a backlog; delivery is measured once it has caught up.
    matcher_caught_up(url).await?;
    let cross_node = delivery_latency(args, &node_a, &node_b).await?;
    node_a.stop_keep_database().await?;
    node_b.stop_keep_database().await?;
    Ok(PostgresFigures { row_bytes: payload.len(), pgbench_tps, ingest, cross_node })
}

/// Wait (up to two minutes) until the matcher has covered the whole log of the PostgreSQL
/// database at `url`.
async fn matcher_caught_up(url: &str) -> anyhow::Result<()> {
    let pool = sqlx::PgPool::connect(url).await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (matched, head): (i64, i64) =
            sqlx::query_as("select (select seq from matcher_state), (select seq from log_head)")
                .fetch_one(&pool)
                .await?;
        if matched >= head {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "the matcher did not catch up ({matched} of {head})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pool.close().await;
    Ok(())
}

/// Run `pgbench` with a script of one autocommitted `insert` of `payload` per transaction.
async fn pgbench_single_row_inserts(url: &str, payload: &str, clients: usize, rows: usize) -> anyhow::Result<f64> {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await?;
    sqlx::query("create table if not exists pgbench_event (seq bigserial primary key, data text not null)")
        .execute(&mut conn)
        .await?;
    let script = tempfile::NamedTempFile::new()?;
    std::fs::write(
        script.path(),
        format!("insert into pgbench_event (data) values ('{}');\n", payload.replace('\'', "''")),
    )?;
    // PostgreSQL allows 100 connections here; leave room for the nodes'.
    let clients = clients.min(PGBENCH_CLIENTS);
    let output = tokio::process::Command::new("pgbench")
        .args(["-n", "-c", &clients.to_string(), "-j", "2", "-t", &(rows / clients).max(1).to_string(), "-f"])
        .arg(script.path())
        .arg(url)
        .output()
        .await
        .context("running pgbench (Debian package postgresql-contrib or postgresql)")?;
    anyhow::ensure!(output.status.success(), "pgbench failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tps = stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .context("pgbench printed no tps")?
        .parse()?;
    sqlx::query("drop table pgbench_event").execute(&mut conn).await?;
    Ok(tps)
}

struct Percentiles {
    p50: f64,
    p99: f64,
}

/// p50 and p99 of durations in milliseconds.
fn percentiles(mut samples: Vec<f64>) -> Percentiles {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples.get(((samples.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    Percentiles { p50: at(0.50), p99: at(0.99) }
}

fn fsync_latency(dir: &std::path::Path, rounds: usize) -> anyhow::Result<Percentiles> {
    use std::io::Write;
    let mut file = std::fs::File::create(dir.join("fsync-probe"))?;
    let block = [0u8; 4096];
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(percentiles(samples))
}

/// The same rows the HTTP phase stores, built the way the intake handler builds them.
fn report_commands(count: usize) -> anyhow::Result<Vec<ReportCase>> {
    (0..count)
        .map(|n| {
            let request: ReportRequest = serde_json::from_value(sample_report(n))?;
            let report = NewReport::parse(&request.to_domain(), Channel::Web).map_err(|r| anyhow::anyhow!("{r}"))?;
            let event = report_case(report.clone(), new_case_ids(&report), Timestamp::from_millis(0));
            Ok(ReportCase {
                event,
                tracking_token_hash: opsroom::secrets::token_hash(TRACKING_HASH_DOMAIN, &opsroom::secrets::new_token()),
                idempotency: None,
            })
        })
        .collect()
}

async fn raw_baseline(dir: &std::path::Path, reports: usize, batch: usize) -> anyhow::Result<f64> {
    let commands = report_commands(reports)?;
    let url = format!("sqlite://{}", dir.join("baseline.db").display());
    let elapsed = opsroom_store::sqlite_baseline_insert(&url, &commands, batch).await?;
    Ok(reports as f64 / elapsed.as_secs_f64())
}

struct Ingest {
    rate: f64,
    latency: Percentiles,
}

async fn http_ingest(url: &str, reports: usize, clients: usize) -> anyhow::Result<Ingest> {
    let server = TestServer::start_on(url, |_| {}).await;
    let bodies: Arc<Vec<String>> = Arc::new((0..reports).map(|n| sample_report(n).to_string()).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (address, bodies, next) = (server.address, bodies.clone(), next.clone());
            tokio::spawn(async move {
                let mut connection = KeepAlive::connect(address).await?;
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(n) else { return Ok::<_, anyhow::Error>(latencies) };
                    let sent = Instant::now();
                    let status = connection.post("/api/v1/reports", body).await?;
                    anyhow::ensure!(status == 201, "report {n}: status {status}");
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(reports);
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    server.stop().await?;
    Ok(Ingest { rate: reports as f64 / elapsed.as_secs_f64(), latency: percentiles(latencies) })
}

/// A minimal HTTP/1.1 keep-alive client, so that the load generator (which shares the machine
/// with the server) spends as little CPU as `wrk` would, and the figure is the server's.
struct KeepAlive {
    stream: tokio::io::BufStream<tokio::net::TcpStream>,
    host: String,
}

impl KeepAlive {
    async fn connect(address: std::net::SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Self { stream: tokio::io::BufStream::new(stream), host: address.to_string() })
    }

    /// POST a JSON body; returns the status after reading the whole response.
    async fn post(&mut self, path: &str, body: &str) -> anyhow::Result<u16> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        self.stream.write_all(head.as_bytes()).await?;
        self.stream.write_all(body.as_bytes()).await?;
        self.stream.flush().await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line.split(' ').nth(1).context("status line")?.parse()?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse()?;
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok(status)
    }
}

struct Delivery {
    latency: Percentiles,
    delivered: u64,
    expected: u64,
}

/// Submit-to-websocket latency: reports go to `submit_to`, subscribers listen on `listen_on`
/// (the same server, or another node on the same database).
async fn delivery_latency(args: &Args, submit_to: &TestServer, listen_on: &TestServer) -> anyhow::Result<Delivery> {
    let admin = listen_on.admin().await;
    let total = (args.rate * args.seconds) as usize;
    let submitted: Arc<Vec<AtomicU64>> = Arc::new((0..total).map(|_| AtomicU64::new(0)).collect());
    let epoch = Instant::now();
    let delivered = Arc::new(AtomicU64::new(0));
    let first_seq = {
        let mut probe = admin.live(None).await?;
        probe.subscribe(None).await?;
        probe.next_json().await?.context("snapshot")?["seq"].as_u64().context("snapshot seq")?
    };

    let mut subscribers = Vec::new();
    for index in 0..args.subscribers {
        let mut live = admin.live(None).await?;
        live.subscribe(Some(first_seq)).await?;
        let timed = index < args.timed_subscribers;
        let (submitted, delivered) = (submitted.clone(), delivered.clone());
        subscribers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut seen = 0u64;
            while seen < total as u64 {
                let next = tokio::time::timeout(Duration::from_secs(30), live.socket.next()).await;
                let Ok(Some(Ok(Message::Text(text)))) = next else { break };
                let received = epoch.elapsed().as_nanos() as u64;
                // The stream also carries what the matcher suggests about the reports, between
                // them: only the reports themselves are deliveries.
                if !text.contains("\"kind\":\"case_reported\"") {
                    continue;
                }
                seen += 1;
                delivered.fetch_add(1, Ordering::Relaxed);
                if timed {
                    let event: serde_json::Value = serde_json::from_str(&text)?;
                    let n: usize = event["data"]["message"]
                        .as_str()
                        .and_then(|m| m.strip_prefix("report "))
                        .context("marker")?
                        .parse::<usize>()?
                        - DELIVERY_FIRST;
                    let sent = submitted[n].load(Ordering::Acquire);
                    latencies.push((received.saturating_sub(sent)) as f64 / 1e6);
                }
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }

    let api: Api = submit_to.api();
    let mut posts = Vec::with_capacity(total);
    let started = tokio::time::Instant::now();
    for n in 0..total {
        tokio::time::sleep_until(started + Duration::from_nanos(n as u64 * 1_000_000_000 / args.rate)).await;
        let (api, submitted) = (api.clone(), submitted.clone());
        posts.push(tokio::spawn(async move {
            submitted[n].store(epoch.elapsed().as_nanos() as u64, Ordering::Release);
            api.post_report(&sample_report(DELIVERY_FIRST + n), None).await
        }));
    }
    for post in posts {
        let reply = post.await??;
        anyhow::ensure!(reply.status == 201, "{}", reply.body);
    }
    let mut latencies = Vec::new();
    for subscriber in subscribers {
        latencies.extend(subscriber.await??);
    }
    Ok(Delivery {
        latency: percentiles(latencies),
        delivered: delivered.load(Ordering::Relaxed),
        expected: total as u64 * args.subscribers as u64,
    })
}

/// Whether a counting subscriber has reached the last event (cheap substring test, no JSON parse).
fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "unknown".into())
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}

fn build_profile() -> &'static str {
    if cfg!(debug_assertions) { "debug (use --release for figures)" } else { "release" }
}
