//! What a server holds and how fast it comes back: memory per idle live subscriber, memory per
//! stored case, time from start to ready with a million cases stored (and the SQLite WAL the
//! server finds at open: SQLite reads all of it back before the first query), and the map's
//! bounding-box aggregation over them. All measured on a child `opsroom serve` process (`/proc` figures).

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::process::ChildServer;
use crate::surge::{file_size, wal_path};
use crate::{Percentiles, percentiles};

/// Resident memory added by each idle, subscribed live connection, in bytes.
pub async fn memory_per_subscriber(database_url: &str, subscribers: usize) -> anyhow::Result<f64> {
    let server = ChildServer::start(database_url).await?;
    let admin = server.admin().await?;
    let cookie = admin.cookie().unwrap_or_default().to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.rss_bytes()?;
    let mut sockets = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let mut request = format!("ws://{}/api/v1/live", server.address).into_client_request()?;
        request.headers_mut().insert("cookie", HeaderValue::from_str(&cookie)?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
        socket.send(Message::text(json!({"type": "subscribe", "since": null}).to_string())).await?;
        sockets.push(socket);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = server.rss_bytes()?;
    drop(sockets);
    server.stop().await?;
    Ok(after.saturating_sub(before) as f64 / subscribers as f64)
}

pub struct Stored {
    pub cases: u64,
    pub ready_after: Duration,
    /// The sizes of the WAL and the database file when the server started, in bytes.
    pub wal_at_open: u64,
    pub database_bytes: u64,
    /// Resident memory added per stored case, in bytes (the server started on the full database
    /// against the same binary on an empty one).
    pub bytes_per_case: f64,
    pub rss_full: u64,
    pub rss_empty: u64,
    /// The map for Khartoum's bounding box at resolution 7; for all of Sudan at resolution 4 (what
    /// the ops map asks at country zoom, where hexagons must stay 24 px wide) and at 5.
    pub map_city: Percentiles,
    pub map_country: Percentiles,
    pub map_country_fine: Percentiles,
}

/// Start a server on `full_url` (holding `cases` cases) and on `empty_url`; time the start to
/// ready, compare their memory, and time `queries` map aggregations.
pub async fn stored(full_url: &str, empty_url: &str, cases: u64, queries: usize) -> anyhow::Result<Stored> {
    let empty = ChildServer::start(empty_url).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_empty = empty.rss_bytes()?;
    empty.stop().await?;

    let database = std::path::Path::new(full_url.strip_prefix("sqlite://").unwrap_or(full_url));
    let (wal_at_open, database_bytes) = (file_size(&wal_path(database)), file_size(database));
    let full = ChildServer::start(full_url).await?;
    let ready_after = full.ready_after;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_full = full.rss_bytes()?;
    let admin = full.admin().await?;
    let time = async |path: &str| -> anyhow::Result<Percentiles> {
        let mut samples = Vec::with_capacity(queries);
        for _ in 0..queries {
            let started = Instant::now();
            let reply = admin.get(path).await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(reply.status == 200, "map query: {}", reply.status);
        }
        Ok(percentiles(samples))
    };
    let map_city = time("/api/v1/map?bbox=32.3,15.3,32.8,15.9&resolution=7").await?;
    let map_country = time("/api/v1/map?bbox=21.8,8.7,38.6,22.2&resolution=4").await?;
    let map_country_fine = time("/api/v1/map?bbox=21.8,8.7,38.6,22.2&resolution=5").await?;
    full.stop().await?;
    Ok(Stored {
        cases,
        ready_after,
        wal_at_open,
        database_bytes,
        bytes_per_case: rss_full.saturating_sub(rss_empty) as f64 / cases.max(1) as f64,
        rss_full,
        rss_empty,
        map_city,
        map_country,
        map_country_fine,
    })
}
