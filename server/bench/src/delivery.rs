//! Live delivery to many websocket subscribers: submit-to-delivery latency through Opsroom, and
//! next to it a bare broadcast of messages of the same size to the same number of sockets (a
//! minimal tokio-tungstenite server, `broadcaster`), each with the sender's CPU per delivery.
//!
//! A few subscribers decode and time every message; the rest only count them (a substring test),
//! so the load generator spends little of the shared CPU.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use opsroom_scenario::plan::sample_report;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::process::ChildServer;
use crate::{KeepAlive, Percentiles, percentiles};

/// The delivery phase's reports are other people than the ingest phase's.
const DELIVERY_FIRST: usize = 1_000_000;

/// Wall-clock nanoseconds: sender and receivers are different processes on one machine.
pub fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

pub struct Delivery {
    pub latency: Percentiles,
    pub delivered: u64,
    pub expected: u64,
    /// The sender's CPU time per delivered message, in microseconds.
    pub cpu_per_delivery_us: f64,
    /// Mean size of a delivered message, in bytes.
    pub message_bytes: usize,
}

/// How the phase is shaped.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub subscribers: usize,
    pub timed: usize,
    pub rate: u64,
    pub seconds: u64,
}

impl Shape {
    fn total(&self) -> usize {
        (self.rate * self.seconds) as usize
    }
}

/// Reads a delivered message's sending time (wall-clock ns), if it carries one.
type SentAt = Arc<dyn Fn(&str) -> Option<u64> + Send + Sync>;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn connect(url: &str, cookie: Option<&str>) -> anyhow::Result<Socket> {
    let mut request = url.into_client_request()?;
    if let Some(cookie) = cookie {
        request.headers_mut().insert("cookie", HeaderValue::from_str(cookie)?);
    }
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

/// Read `total` deliveries (messages containing `marker`) on each socket; timed sockets return
/// each one's latency in ms by `sent_at(text)`, the sending time in wall-clock ns.
fn subscribe_all(
    sockets: Vec<Socket>,
    shape: Shape,
    marker: &'static str,
    sent_at: SentAt,
    delivered: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
) -> Vec<tokio::task::JoinHandle<Vec<f64>>> {
    sockets
        .into_iter()
        .enumerate()
        .map(|(index, mut socket)| {
            let (sent_at, delivered, bytes) = (sent_at.clone(), delivered.clone(), bytes.clone());
            tokio::spawn(async move {
                let timed = index < shape.timed;
                let mut latencies = Vec::new();
                let mut seen = 0;
                while seen < shape.total() {
                    let next = tokio::time::timeout(Duration::from_secs(30), socket.next()).await;
                    let Ok(Some(Ok(Message::Text(text)))) = next else { break };
                    let received = now_ns();
                    if !text.contains(marker) {
                        continue;
                    }
                    seen += 1;
                    delivered.fetch_add(1, Ordering::Relaxed);
                    if timed {
                        bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                        if let Some(sent) = sent_at(&text) {
                            latencies.push(received.saturating_sub(sent) as f64 / 1e6);
                        }
                    }
                }
                latencies
            })
        })
        .collect()
}

/// Wait for the subscribers; the CPU figure is filled in by the caller.
async fn collect(
    tasks: Vec<tokio::task::JoinHandle<Vec<f64>>>,
    shape: Shape,
    delivered: &AtomicU64,
    bytes: &AtomicU64,
) -> anyhow::Result<Delivery> {
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let delivered = delivered.load(Ordering::Relaxed);
    let timed_messages = (shape.timed.min(shape.subscribers) * shape.total()).max(1);
    Ok(Delivery {
        latency: percentiles(latencies),
        delivered,
        expected: (shape.total() * shape.subscribers) as u64,
        cpu_per_delivery_us: 0.0,
        message_bytes: (bytes.load(Ordering::Relaxed) / timed_messages as u64) as usize,
    })
}

/// Submit reports to `submit_to` at the shape's rate while its subscribers listen on `listen_on`
/// (the same server, or another node on the same database); the CPU counted is `listen_on`'s.
pub async fn through_opsroom(
    submit_to: &ChildServer,
    listen_on: &ChildServer,
    shape: Shape,
) -> anyhow::Result<Delivery> {
    let admin = listen_on.admin().await?;
    let cookie = admin.cookie().context("a session cookie")?.to_owned();
    let url = format!("ws://{}/api/v1/live", listen_on.address);
    let first_seq = {
        let mut probe = connect(&url, Some(&cookie)).await?;
        probe.send(Message::text(json!({"type": "subscribe", "since": null}).to_string())).await?;
        let Some(Ok(Message::Text(text))) = probe.next().await else { anyhow::bail!("no snapshot") };
        serde_json::from_str::<serde_json::Value>(&text)?["seq"].as_u64().context("snapshot seq")?
    };
    let mut sockets = Vec::with_capacity(shape.subscribers);
    for _ in 0..shape.subscribers {
        let mut socket = connect(&url, Some(&cookie)).await?;
        socket.send(Message::text(json!({"type": "subscribe", "since": first_seq}).to_string())).await?;
        sockets.push(socket);
    }
    let submitted: Arc<Vec<AtomicU64>> = Arc::new((0..shape.total()).map(|_| AtomicU64::new(0)).collect());
    let sent_at = {
        let submitted = submitted.clone();
        Arc::new(move |text: &str| {
            let event: serde_json::Value = serde_json::from_str(text).ok()?;
            let n: usize = event["data"]["message"].as_str()?.strip_prefix("report ")?.parse().ok()?;
            Some(submitted.get(n.checked_sub(DELIVERY_FIRST)?)?.load(Ordering::Acquire))
        })
    };
    let (delivered, bytes) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    // The stream also carries what the matcher says about the reports: only the reports
    // themselves are deliveries.
    let tasks = subscribe_all(sockets, shape, "\"kind\":\"case_reported\"", sent_at, delivered.clone(), bytes.clone());

    let cpu_before = listen_on.cpu_seconds()?;
    let started = tokio::time::Instant::now();
    let mut posts = Vec::with_capacity(shape.total());
    for n in 0..shape.total() {
        tokio::time::sleep_until(started + Duration::from_nanos(n as u64 * 1_000_000_000 / shape.rate)).await;
        let (address, submitted) = (submit_to.address, submitted.clone());
        posts.push(tokio::spawn(async move {
            let body = sample_report(DELIVERY_FIRST + n).to_string();
            let mut connection = KeepAlive::connect(address).await?;
            submitted[n].store(now_ns(), Ordering::Release);
            connection.post("/api/v1/reports", &body).await
        }));
    }
    for post in posts {
        let status = post.await??;
        anyhow::ensure!(status == 201, "a delivery-phase report was answered {status}");
    }
    let result = collect(tasks, shape, &delivered, &bytes).await?;
    let cpu = listen_on.cpu_seconds()? - cpu_before;
    Ok(Delivery { cpu_per_delivery_us: cpu * 1e6 / result.delivered.max(1) as f64, ..result })
}

/// The same shape through the bare broadcaster (a child process of this binary), with messages
/// of `message_bytes`.
pub async fn bare_broadcast(shape: Shape, message_bytes: usize) -> anyhow::Result<Delivery> {
    let binary = std::env::current_exe()?;
    let mut child = tokio::process::Command::new(binary)
        .args(["bench-broadcaster", "--subscribers", &shape.subscribers.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().context("the broadcaster's stdin")?;
    let mut lines = BufReader::new(child.stdout.take().context("the broadcaster's stdout")?).lines();
    let address = lines.next_line().await?.context("the broadcaster's address")?;
    let url = format!("ws://{address}");
    let mut sockets = Vec::with_capacity(shape.subscribers);
    for _ in 0..shape.subscribers {
        sockets.push(connect(&url, None).await?);
    }
    let sent_at = Arc::new(|text: &str| {
        let message: serde_json::Value = serde_json::from_str(text).ok()?;
        message["sent_ns"].as_u64()
    });
    let (delivered, bytes) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let tasks = subscribe_all(sockets, shape, "\"type\":\"event\"", sent_at, delivered.clone(), bytes.clone());
    let pid = child.id().context("the broadcaster's pid")?;
    let cpu_before = crate::process::cpu_seconds_of(pid)?;
    stdin.write_all(format!("{} {} {}\n", shape.rate, shape.total(), message_bytes).as_bytes()).await?;
    stdin.flush().await?;
    let result = collect(tasks, shape, &delivered, &bytes).await?;
    let cpu = crate::process::cpu_seconds_of(pid)? - cpu_before;
    drop(stdin);
    let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
    Ok(Delivery { cpu_per_delivery_us: cpu * 1e6 / result.delivered.max(1) as f64, ..result })
}

/// The baseline server: accept `subscribers` websockets, print the address first, then on a line
/// `RATE COUNT BYTES` on stdin send COUNT messages of about BYTES to every socket at RATE a second,
/// each carrying its sending time. Runs as `opsroom bench-broadcaster` (a process of its own, so
/// its CPU is counted apart).
pub async fn broadcaster(subscribers: usize) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?);
    let (frames, _) = tokio::sync::broadcast::channel::<Arc<str>>(65_536);
    let mut connections = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let socket = tokio_tungstenite::accept_async(stream).await?;
        let mut receiver = frames.subscribe();
        connections.push(tokio::spawn(async move {
            let (mut sink, _) = socket.split();
            while let Ok(frame) = receiver.recv().await {
                if sink.send(Message::text(frame.to_string())).await.is_err() {
                    break;
                }
            }
        }));
    }
    let mut line = String::new();
    BufReader::new(tokio::io::stdin()).read_line(&mut line).await?;
    let numbers: Vec<u64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let [rate, count, size] = numbers[..] else { anyhow::bail!("expected RATE COUNT BYTES") };
    let started = tokio::time::Instant::now();
    for n in 0..count {
        tokio::time::sleep_until(started + Duration::from_nanos(n * 1_000_000_000 / rate.max(1))).await;
        let head = format!("{{\"type\":\"event\",\"seq\":{n},\"sent_ns\":{},\"pad\":\"", now_ns());
        let pad = "x".repeat((size as usize).saturating_sub(head.len() + 2));
        let _ = frames.send(format!("{head}{pad}\"}}").into());
    }
    drop(frames);
    for connection in connections {
        let _ = connection.await;
    }
    Ok(())
}
