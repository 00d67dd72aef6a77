//! The server under measurement as a child process of this very binary (`opsroom serve`), so
//! that its CPU time and memory can be read from `/proc` apart from the load generator's.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use opsroom_scenario::client::Client;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The admin password of every server the benchmark starts.
pub const PASSWORD: &str = "benchmark admin password";

/// Where the servers' logs go.
static SERVER_LOG: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Send every server's log to `path` (set once, before the first server starts).
pub fn log_to(path: std::path::PathBuf) {
    let _ = SERVER_LOG.set(path);
}

pub struct ChildServer {
    child: Child,
    pub address: SocketAddr,
    /// From spawning the process to its first ready answer.
    pub ready_after: Duration,
}

impl ChildServer {
    /// Start `opsroom serve` on `database_url` (port 0, no rate limit) and wait until it is
    /// ready. Its log (warnings and errors) goes to the file set by [`log_to`], so the table
    /// stays readable.
    pub async fn start(database_url: &str) -> anyhow::Result<Self> {
        // The load generator is one address with up to thousands of connections (subscribers,
        // clients): the per-client connection cap is lifted, except where it is measured.
        Self::start_with(database_url, &["--max-connections-per-client", "100000"]).await
    }

    /// Start it with these extra `serve` arguments (none: the server's defaults).
    pub async fn start_with(database_url: &str, extra: &[&str]) -> anyhow::Result<Self> {
        let started = Instant::now();
        let binary = std::env::current_exe().context("the benchmark starts its own binary as the server")?;
        let log = SERVER_LOG.get().context("the servers' log file is set first")?;
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
        let mut child = Command::new(binary)
            .args(["serve", "--bind", "127.0.0.1:0", "--public-rate-limit", "0", "--database-url", database_url])
            .args(extra)
            .env("OPSROOM_ADMIN_PASSWORD", PASSWORD)
            .env("OPSROOM_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let Some(line) = tokio::time::timeout(Duration::from_secs(120), lines.next_line()).await?? else {
                bail!("the server exited before listening");
            };
            if let Some(address) = line.strip_prefix("listening on http://") {
                break address.parse()?;
            }
        };
        // Keep draining its stdout so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let http = reqwest::Client::new();
        loop {
            let ready = http.get(format!("http://{address}/readyz")).send().await;
            let answer = match ready {
                Ok(response) if response.status().is_success() => break,
                Ok(response) => response.text().await.unwrap_or_default(),
                Err(error) => error.to_string(),
            };
            if started.elapsed() > Duration::from_secs(300) {
                bail!("the server was not ready within 5 minutes: {answer}");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(Self { child, address, ready_after: started.elapsed() })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A client signed in as the server's admin.
    pub async fn admin(&self) -> anyhow::Result<Client> {
        let mut client = Client::new(&self.base_url())?;
        client.sign_in("admin", PASSWORD).await?;
        Ok(client)
    }

    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child.id().context("the server has exited")
    }

    /// CPU time (user + system) the server has used so far, in seconds.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        cpu_seconds_of(self.pid()?)
    }

    /// The server's resident memory, in bytes.
    pub fn rss_bytes(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?))?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("VmRSS in /proc status")?;
        let kib: u64 = line.split_whitespace().nth(1).context("a VmRSS figure")?.parse()?;
        Ok(kib * 1024)
    }

    /// Kill it as a crash would (SIGKILL) and wait until it is gone.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// Stop it as an operator would (SIGTERM) and wait for it to finish.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.pid()?;
        Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
        tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await??;
        Ok(())
    }
}

/// CPU time (user + system) process `pid` has used so far, in seconds.
pub fn cpu_seconds_of(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis start
    // with field 3, so utime and stime (14 and 15) are the 12th and 13th there.
    let after = stat.rsplit_once(')').context("a /proc stat line")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / clock_ticks_per_second())
}

/// `getconf CLK_TCK` (100 on Linux everywhere this runs).
fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
