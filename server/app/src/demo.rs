//! Scenarios from the `opsroom` binary: `opsroom scenario run` (against a server, or one started
//! here on a fresh database) and `opsroom serve --demo NAME` (the server plays a scenario against
//! itself at a watchable speed; with `--drill`, without operator bots, for people to work).
//!
//! Owns starting and stopping the embedded server for a run; the scenario itself only talks to
//! the server's public API (`opsroom_scenario`).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use opsroom_scenario::{RunOptions, Scenario, Speed, Summary};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::{secrets, server};

/// Wait until the server at `base_url` says it is ready (at most 30 s).
pub async fn wait_ready(base_url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{base_url}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server at {base_url} did not become ready within 30 s")
}

/// Run `scenario` against a server started here on a fresh SQLite database in a temporary
/// directory (removed afterwards).
pub async fn run_embedded(
    scenario: &Scenario,
    speed: Speed,
    seed: Option<u64>,
    progress: bool,
) -> anyhow::Result<Summary> {
    let directory = std::env::temp_dir().join(format!("opsroom-scenario-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&directory).with_context(|| format!("creating {}", directory.display()))?;
    let password = secrets::new_token();
    let mut config = Config::new(format!("sqlite://{}", directory.join("scenario.db").display()));
    config.admin_password = Some(password.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(server::run(listener, config, shutdown.clone()));
    let base_url = format!("http://{address}");
    let outcome = async {
        wait_ready(&base_url).await?;
        let options = RunOptions {
            base_url: base_url.clone(),
            admin_name: "admin".into(),
            admin_password: password,
            speed,
            seed,
            operator_bots: true,
            progress,
        };
        opsroom_scenario::run(scenario, &options).await
    }
    .await;
    shutdown.cancel();
    server.await??;
    let _ = std::fs::remove_dir_all(&directory);
    outcome
}

/// Play a scenario against this server once it is ready, then print its summary. Stops early
/// when the server shuts down.
pub fn spawn_demo(
    address: SocketAddr,
    admin_password: String,
    scenario: Scenario,
    drill: bool,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let base_url = format!("http://{address}");
        let speed = Speed::Times(scenario.demo_speed);
        let options = RunOptions {
            base_url: base_url.clone(),
            admin_name: "admin".into(),
            admin_password,
            speed,
            seed: None,
            operator_bots: !drill,
            progress: false,
        };
        let played = async {
            wait_ready(&base_url).await?;
            println!(
                "demo: playing {} at {}x ({}); open {base_url}/ops/",
                scenario.name,
                scenario.demo_speed,
                if drill {
                    "drill: citizens and partners are bots, the operators are you"
                } else {
                    "every actor is a bot"
                }
            );
            opsroom_scenario::run(&scenario, &options).await
        };
        tokio::select! {
            _ = shutdown.cancelled() => {}
            summary = played => match summary {
                Ok(summary) => summary.print(),
                Err(error) => eprintln!("demo: {error:#}"),
            },
        }
    });
}
