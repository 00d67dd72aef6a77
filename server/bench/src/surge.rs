//! A surge: intake at full speed for a minute (by default) while live subscribers follow every
//! event, and what it leaves on disk: the SQLite WAL's size through the minute and at its end,
//! next to the database's. Then the server is killed (SIGKILL, as a crash would) and started
//! again on what it left, timing start to ready and the WAL it found at open.
//!
//! A WAL that never restarts grows by every page every commit writes, so a surge of a day would
//! fill the disk, and opening the database after a crash would read all of it back.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use opsroom_scenario::plan::sample_report;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::process::ChildServer;
use crate::{Percentiles, closed_loop_intake, delivery};

/// The surge's reports are other people than the other phases'.
const SURGE_FIRST: usize = 2_000_000;

/// How often the WAL's size is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

pub struct Surge {
    pub seconds: f64,
    pub reports: usize,
    pub rate: f64,
    pub latency: Percentiles,
    pub subscribers: usize,
    /// Events delivered to the subscribers, all of them together.
    pub delivered: u64,
    /// The WAL's largest size sampled during the surge, and its size at the end, in bytes.
    pub wal_max: u64,
    pub wal_end: u64,
    pub database_end: u64,
    /// After a SIGKILL at the end of the surge: the WAL found at open, and start to ready.
    pub wal_at_restart: u64,
    pub ready_after_crash: Duration,
}

/// Run the surge against a server on the SQLite database `url` (a file at `database`).
pub async fn surge(
    url: &str,
    database: &Path,
    clients: usize,
    subscribers: usize,
    length: Duration,
) -> anyhow::Result<Surge> {
    let wal = wal_path(database);
    let server = ChildServer::start(url).await?;
    let admin = server.admin().await?;
    let cookie = admin.cookie().context("a session cookie")?.to_owned();
    let live = format!("ws://{}/api/v1/live", server.address);
    let stop = Arc::new(AtomicBool::new(false));
    let delivered = Arc::new(AtomicU64::new(0));
    let mut followers = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let mut socket = delivery::connect(&live, Some(&cookie)).await?;
        socket.send(Message::text(json!({"type": "subscribe", "since": null}).to_string())).await?;
        let (stop, delivered) = (stop.clone(), delivered.clone());
        followers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match tokio::time::timeout(Duration::from_millis(500), socket.next()).await {
                    Ok(Some(Ok(Message::Text(text)))) if text.contains("\"type\":\"event\"") => {
                        delivered.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Some(Ok(_))) | Err(_) => {}
                    Ok(None | Some(Err(_))) => break,
                }
            }
        }));
    }
    let sampler = {
        let (stop, wal) = (stop.clone(), wal.clone());
        tokio::spawn(async move {
            let mut largest = 0;
            while !stop.load(Ordering::Relaxed) {
                largest = largest.max(file_size(&wal));
                tokio::time::sleep(SAMPLE_EVERY).await;
            }
            largest
        })
    };

    let started = Instant::now();
    let deadline = started + length;
    let body =
        Arc::new(move |n: usize| (Instant::now() < deadline).then(|| sample_report(SURGE_FIRST + n).to_string()));
    let latencies = closed_loop_intake(server.address, clients, body).await?;
    let seconds = started.elapsed().as_secs_f64();
    let (wal_end, database_end) = (file_size(&wal), file_size(database));
    stop.store(true, Ordering::Relaxed);
    let wal_max = sampler.await?.max(wal_end);
    for follower in followers {
        follower.await?;
    }

    server.kill().await?;
    let wal_at_restart = file_size(&wal);
    let restarted = ChildServer::start(url).await?;
    let ready_after_crash = restarted.ready_after;
    restarted.stop().await?;
    Ok(Surge {
        seconds,
        reports: latencies.len(),
        rate: latencies.len() as f64 / seconds,
        latency: crate::percentiles(latencies),
        subscribers,
        delivered: delivered.load(Ordering::Relaxed),
        wal_max,
        wal_end,
        database_end,
        wal_at_restart,
        ready_after_crash,
    })
}

/// SQLite's write-ahead log beside the database file.
pub fn wal_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// A file's size in bytes; 0 when it does not exist (a WAL removed at a clean close).
pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
