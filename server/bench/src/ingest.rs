//! What the intake and PostgreSQL phases measure with: the raw SQLite group-commit loop and
//! pgbench (the named baselines), durable HTTP intake from closed-loop keep-alive clients, fsync
//! latency and percentiles.

use super::*;

pub(crate) struct PostgresFigures {
    pub(crate) row_bytes: usize,
    pub(crate) pgbench_tps: f64,
    pub(crate) ingest: Ingest,
    pub(crate) cross_node: Delivery,
}

/// PostgreSQL: `pgbench` single-row inserts of an event-sized row as the baseline, durable ingest
/// over HTTP, and delivery from one node to subscribers of another on the same database.
pub(crate) async fn postgres_figures(args: &BenchArgs, shape: Shape, url: &str) -> anyhow::Result<PostgresFigures> {
    let payload = serde_json::to_string(&report_commands(1)?[0].event)?;
    let pgbench_tps = pgbench_single_row_inserts(url, &payload, args.clients, args.reports).await?;
    let ingest = http_ingest(url, args.reports, args.clients).await?;
    let node_a = ChildServer::start(url).await?;
    let node_b = ChildServer::start(url).await?;
    // The ingest phase left the matcher a backlog; delivery is measured once it has caught up.
    matcher_caught_up(url).await?;
    let cross_node = delivery::through_opsroom(&node_a, &node_b, shape).await?;
    node_a.stop().await?;
    node_b.stop().await?;
    Ok(PostgresFigures { row_bytes: payload.len(), pgbench_tps, ingest, cross_node })
}

/// Wait (up to two minutes) until the matcher has covered the whole log of the PostgreSQL
/// database at `url`, asking a store opened beside the nodes.
pub(crate) async fn matcher_caught_up(url: &str) -> anyhow::Result<()> {
    let store = Store::open(url, StoreOptions::default()).await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let caught_up = async {
        loop {
            let (matched, head) = (store.matcher_cursor().await?, store.database_head().await?);
            if matched >= head {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "the matcher did not catch up ({matched} of {head})");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    .await;
    store.close(Duration::from_secs(10)).await;
    caught_up
}

/// Run `pgbench` with a script of one autocommitted `insert` of `payload` per transaction.
pub(crate) async fn pgbench_single_row_inserts(
    url: &str,
    payload: &str,
    clients: usize,
    rows: usize,
) -> anyhow::Result<f64> {
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

pub struct Percentiles {
    pub p50: f64,
    pub p99: f64,
}

/// p50 and p99 of durations in milliseconds.
pub fn percentiles(mut samples: Vec<f64>) -> Percentiles {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples.get(((samples.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    Percentiles { p50: at(0.50), p99: at(0.99) }
}

pub(crate) fn fsync_latency(dir: &std::path::Path, rounds: usize) -> anyhow::Result<Percentiles> {
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
pub(crate) fn report_commands(count: usize) -> anyhow::Result<Vec<ReportCase>> {
    (0..count)
        .map(|n| {
            let request: ReportRequest = serde_json::from_value(sample_report(n))?;
            let report = NewReport::parse(&request.to_domain(), Channel::Web, &PHONE_REGIONS)
                .map_err(|r| anyhow::anyhow!("{r}"))?;
            let event = report_case(report.clone(), new_case_ids(&report), Timestamp::from_millis(0));
            Ok(ReportCase {
                event,
                tracking_token_hash: opsroom::secrets::token_hash(TRACKING_HASH_DOMAIN, &opsroom::secrets::new_token()),
                idempotency: None,
            })
        })
        .collect()
}

pub(crate) async fn raw_baseline(dir: &std::path::Path, reports: usize, batch: usize) -> anyhow::Result<f64> {
    let commands = report_commands(reports)?;
    let url = format!("sqlite://{}", dir.join("baseline.db").display());
    let elapsed = opsroom_store::sqlite_baseline_insert(&url, &commands, batch).await?;
    Ok(reports as f64 / elapsed.as_secs_f64())
}

pub(crate) struct Ingest {
    pub(crate) rate: f64,
    pub(crate) latency: Percentiles,
}

pub(crate) async fn http_ingest(url: &str, reports: usize, clients: usize) -> anyhow::Result<Ingest> {
    let server = ChildServer::start(url).await?;
    let bodies: Vec<String> = (0..reports).map(|n| sample_report(n).to_string()).collect();
    let started = Instant::now();
    let latencies = closed_loop_intake(server.address, clients, Arc::new(move |n| bodies.get(n).cloned())).await?;
    let elapsed = started.elapsed();
    server.stop().await?;
    Ok(Ingest { rate: reports as f64 / elapsed.as_secs_f64(), latency: percentiles(latencies) })
}

/// The body of the `n`th report to send, or `None` to stop.
type NextBody = Arc<dyn Fn(usize) -> Option<String> + Send + Sync>;

/// Closed-loop intake: `clients` keep-alive clients, each posting the next report and waiting for
/// its `201` before sending another, until `body` has no more. Each report's latency in ms.
pub(crate) async fn closed_loop_intake(
    address: std::net::SocketAddr,
    clients: usize,
    body: NextBody,
) -> anyhow::Result<Vec<f64>> {
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (body, next) = (body.clone(), next.clone());
            tokio::spawn(async move {
                let mut connection = KeepAlive::connect(address).await?;
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = body(n) else { return Ok::<_, anyhow::Error>(latencies) };
                    let sent = Instant::now();
                    let status = connection.post("/api/v1/reports", &body).await?;
                    anyhow::ensure!(status == 201, "report {n}: status {status}");
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    Ok(latencies)
}

/// A minimal HTTP/1.1 keep-alive client, so that the load generator (which shares the machine
/// with the server) spends as little CPU as `wrk` would, and the figure is the server's.
pub(crate) struct KeepAlive {
    pub(crate) stream: tokio::io::BufStream<tokio::net::TcpStream>,
    pub(crate) host: String,
}

impl KeepAlive {
    pub(crate) async fn connect(address: std::net::SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Self { stream: tokio::io::BufStream::new(stream), host: address.to_string() })
    }

    /// POST a JSON body; returns the status after reading the whole response.
    pub(crate) async fn post(&mut self, path: &str, body: &str) -> anyhow::Result<u16> {
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
