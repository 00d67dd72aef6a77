//! The connection-flood phase: a slowloris attack from one address (thousands of connections,
//! each sending half a request and then nothing, reopened as the server closes them) while
//! another address asks `/healthz` and files reports. Its figures stand next to the same
//! requests with no flood, on the same server, so the ratio says what the flood costs others.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpSocket;

use crate::process::ChildServer;
use crate::{Percentiles, percentiles};

/// The attacker's address and the other client's (Linux answers on all of 127.0.0.0/8).
const ATTACKER: &str = "127.0.0.1";
const OTHER_CLIENT: &str = "127.0.0.2";

pub struct FloodFigures {
    pub connections: usize,
    pub quiet_healthz: Percentiles,
    pub quiet_report: Percentiles,
    pub flood_healthz: Percentiles,
    pub flood_report: Percentiles,
    /// Connections the attacker opened in all (the server closes them; it reopens).
    pub opened: usize,
    /// Most descriptors the server held during the flood.
    pub server_files_max: usize,
    /// Requests of the other client that failed during the flood.
    pub failed: usize,
    /// The server's CPU time per second of the flood's measurement (1.0: one core busy).
    pub server_cpu: f64,
    /// Connections the attacker opened per second during the measurement.
    pub opened_per_second: f64,
}

/// Measure `requests` health checks and as many reports from another address, first with no
/// flood and then while `connections` half-open connections from one address are held open.
pub async fn flood(database_url: &str, connections: usize, requests: usize) -> anyhow::Result<FloodFigures> {
    // The attacker needs a descriptor per connection too.
    opsroom::connections::raise_file_limit();
    // With its default connection caps: they are what is measured.
    let server = ChildServer::start_with(database_url, &[]).await?;
    let client = reqwest::Client::builder().local_address(OTHER_CLIENT.parse::<IpAddr>()?).build()?;
    let base = server.base_url();
    let (quiet_healthz, quiet_report, _) = other_client(&client, &base, requests).await;

    let stop = Arc::new(AtomicBool::new(false));
    let opened = Arc::new(AtomicUsize::new(0));
    let attack = tokio::spawn(slowloris(server.address, connections, stop.clone(), opened.clone()));
    // Let the flood reach its size before measuring.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let watch_stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (server_pid, stop) = (server.pid()?, watch_stop.clone());
        tokio::spawn(async move {
            let mut most = 0;
            while !stop.load(Ordering::Relaxed) {
                most = most.max(std::fs::read_dir(format!("/proc/{server_pid}/fd")).map_or(0, |d| d.count()));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            most
        })
    };
    let (cpu_before, opened_before, measuring) =
        (server.cpu_seconds()?, opened.load(Ordering::Relaxed), Instant::now());
    let (flood_healthz, flood_report, failed) = other_client(&client, &base, requests).await;
    let seconds = measuring.elapsed().as_secs_f64();
    let server_cpu = (server.cpu_seconds()? - cpu_before) / seconds;
    let opened_per_second = (opened.load(Ordering::Relaxed) - opened_before) as f64 / seconds;
    watch_stop.store(true, Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    let server_files_max = watcher.await?;
    attack.await?;
    server.stop().await?;
    Ok(FloodFigures {
        connections,
        quiet_healthz,
        quiet_report,
        flood_healthz,
        flood_report,
        opened: opened.load(Ordering::Relaxed),
        server_files_max,
        failed,
        server_cpu,
        opened_per_second,
    })
}

/// `requests` health checks, then `requests` reports, one at a time; latencies in ms and how
/// many failed (a failure counts a 10 s wait).
async fn other_client(client: &reqwest::Client, base: &str, requests: usize) -> (Percentiles, Percentiles, usize) {
    let mut failed = 0;
    let mut timed = |ok: bool, started: Instant| {
        if !ok {
            failed += 1;
        }
        started.elapsed().as_secs_f64() * 1e3
    };
    let mut healthz = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        let answer = tokio::time::timeout(Duration::from_secs(10), client.get(format!("{base}/healthz")).send()).await;
        healthz.push(timed(matches!(answer, Ok(Ok(r)) if r.status().is_success()), started));
    }
    let mut reports = Vec::with_capacity(requests);
    for index in 0..requests {
        let body = serde_json::json!({
            "people": [{"name": format!("Flood Check {index}")}],
            "location": {"lat": 15.59, "lon": 32.53},
            "message": "a report filed during a connection flood",
        });
        let started = Instant::now();
        let request = client.post(format!("{base}/api/v1/reports")).json(&body).send();
        let answer = tokio::time::timeout(Duration::from_secs(10), request).await;
        reports.push(timed(matches!(answer, Ok(Ok(r)) if r.status().as_u16() == 201), started));
    }
    (percentiles(healthz), percentiles(reports), failed)
}

/// Hold `connections` half-open connections from [`ATTACKER`] until `stop`, reopening each one
/// the server closes (as a real attacker would).
async fn slowloris(server: SocketAddr, connections: usize, stop: Arc<AtomicBool>, opened: Arc<AtomicUsize>) {
    let attacker: IpAddr = ATTACKER.parse().expect("a loopback address");
    let mut holders = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (stop, opened) = (stop.clone(), opened.clone());
        holders.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut stream) = half_open(server, attacker).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                opened.fetch_add(1, Ordering::Relaxed);
                // Wait until the server closes it (a read of 0) or the phase ends.
                let mut byte = [0u8; 1];
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let read = tokio::io::AsyncReadExt::read(&mut stream, &mut byte);
                    if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(250), read).await {
                        break;
                    }
                }
                // Reopen a second later, as slowloris tools do (slowhttptest opens 50 a second by
                // default; 5,000 holders reopening after a second is far more).
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }));
    }
    for holder in holders {
        let _ = holder.await;
    }
}

async fn half_open(server: SocketAddr, from: IpAddr) -> std::io::Result<tokio::net::TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    let mut stream = socket.connect(server).await?;
    stream.write_all(b"POST /api/v1/reports HTTP/1.1\r\nHost: opsroom\r\nContent-Ty").await?;
    Ok(stream)
}
