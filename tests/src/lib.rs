//! Test harness: start the real server on port 0 with a fresh database, and talk to it over
//! HTTP and websocket like any client would.
//!
//! - [`TestServer`]: the server in this process, through the same [`opsroom::server::run`] as
//!   production, stopped by its shutdown token.
//! - [`ServerProcess`]: the real binary as a child process, for tests that kill it.
//! - [`Api`]: one typed helper per endpoint, with the session cookie kept after sign-in.
//! - [`LiveClient`]: a websocket client of `/api/v1/live`; every read has a timeout.
//! - [`resources`]: typed helpers per resource (accounts, cases, partners, places).
//! - [`eventually`]: the one way to wait for something the server does after it answered.
//! - [`on_both_backends!`]: a story run as two tests, on SQLite and on PostgreSQL.

pub mod pfif_check;
pub mod resources;

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

pub use opsroom::config::Config;
pub use opsroom_store::testing::TestDatabase;
pub use resources::{Reported, password_of};

/// Password of user `admin` in every test server.
pub const ADMIN_PASSWORD: &str = "test admin password 2023";
/// How long any single read from a server may take before a test fails.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A server running in this process on 127.0.0.1:0 with its own database.
pub struct TestServer {
    pub address: SocketAddr,
    pub database_url: String,
    shutdown: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
    database: Option<TestDatabase>,
}

impl TestServer {
    /// Start on a fresh SQLite database in a temporary directory.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Start on a fresh SQLite database, letting the test adjust the configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_owning(TestDatabase::sqlite(), adjust).await
    }

    /// Start on a fresh PostgreSQL database; `None` (with a message) when no server is
    /// configured outside CI (see `opsroom_store::testing`).
    pub async fn start_postgres() -> Option<Self> {
        Self::start_postgres_with(|_| {}).await
    }

    /// Start on a fresh PostgreSQL database, letting the test adjust the configuration.
    pub async fn start_postgres_with(adjust: impl FnOnce(&mut Config)) -> Option<Self> {
        Some(Self::start_owning(TestDatabase::postgres_migrated().await?, adjust).await)
    }

    async fn start_owning(database: TestDatabase, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut server = Self::start_on(&database.url, adjust).await;
        server.database = Some(database);
        server
    }

    /// Start on an existing database URL (the caller keeps it alive).
    pub async fn start_on(database_url: &str, adjust: impl FnOnce(&mut Config)) -> Self {
        log_when_asked();
        let mut config = Config::new(database_url);
        config.admin_password = Some(ADMIN_PASSWORD.to_owned());
        // Tests send bursts from one address; the rate limit's own test turns it back on.
        config.public_rate_limit = 0;
        // Webhook receivers in tests listen on loopback over plain HTTP.
        config.webhook_private_targets = true;
        adjust(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let address = listener.local_addr().expect("bound address");
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(opsroom::server::run(listener, config, shutdown.clone()));
        let server = Self { address, database_url: database_url.to_owned(), shutdown, task, database: None };
        server.wait_ready().await;
        server
    }

    /// Wait until the server says it is ready (the listener is bound before `run` opens the store).
    async fn wait_ready(&self) {
        let api = self.api();
        eventually("the server to become ready", async || {
            assert!(!self.task.is_finished(), "the server stopped while starting");
            api.http.get(api.url("/readyz")).send().await.is_ok_and(|r| r.status().is_success()).then_some(())
        })
        .await;
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn api(&self) -> Api {
        Api::new(&self.base_url())
    }

    /// An API client signed in as `admin`.
    pub async fn admin(&self) -> Api {
        let mut api = self.api();
        api.sign_in("admin", ADMIN_PASSWORD).await.expect("admin signs in");
        api
    }

    /// Stop gracefully, wait for the server to finish and remove its database.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let database = self.database.take();
        self.stop_keep_database().await?;
        if let Some(database) = database {
            database.remove().await;
        }
        Ok(())
    }

    /// Stop gracefully but keep the database for a restart (the caller removes it).
    pub async fn stop_keep_database(mut self) -> anyhow::Result<Option<TestDatabase>> {
        let database = self.database.take();
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(20), self.task).await.context("server did not stop in 20 s")???;
        Ok(database)
    }
}

/// How long [`eventually`] waits: far beyond what anything takes on a loaded machine, so a
/// failure means "never", not "slow".
pub const EVENTUALLY: Duration = Duration::from_secs(10);

/// Poll `probe` every 25 ms until it returns `Some`, and return that; fail the test, naming
/// `what` was awaited (formatted only then, so it may read a log), after [`EVENTUALLY`]. For
/// what the server does after it answered (the matcher, the hub, webhooks, expiry), never for
/// what an answer itself promises.
pub async fn eventually<T>(what: impl std::fmt::Display, probe: impl AsyncFnMut() -> Option<T>) -> T {
    eventually_within(EVENTUALLY, what, probe).await
}

/// [`eventually`] with another deadline, for waits that are long by nature (a load's hundreds of
/// acknowledged reports).
pub async fn eventually_within<T>(
    within: Duration,
    what: impl std::fmt::Display,
    mut probe: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "waited {within:?} for {what} in vain");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Run each named story — an `async fn(TestServer)` that stops its server — as a test on a
/// fresh SQLite database (`sqlite::story`) and one on a fresh PostgreSQL database
/// (`postgres::story`; skipped with a message when no PostgreSQL server is configured, except
/// under CI, where it fails: see `opsroom_store::testing`), as the store contract runs its
/// checks. `story with adjust` starts both servers with `fn adjust(&mut Config)`. Invoke it
/// once per test module, after the stories.
#[macro_export]
macro_rules! on_both_backends {
    ($($story:ident $(with $adjust:ident)?),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    let server = $crate::TestServer::start_with(|_config| { $(super::$adjust(_config);)? }).await;
                    super::$story(server).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    let adjust = |_config: &mut $crate::Config| { $(super::$adjust(_config);)? };
                    let Some(server) = $crate::TestServer::start_postgres_with(adjust).await else { return };
                    super::$story(server).await;
                }
            )*
        }
    };
}

/// Every `.rs` file under `dir`, sorted (for tests that read the source).
pub fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Server logs in tests only when asked: `OPSROOM_LOG=debug cargo test …`.
fn log_when_asked() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    if let Ok(filter) = std::env::var("OPSROOM_LOG") {
        ONCE.call_once(|| {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        });
    }
}

/// The real `opsroom` binary as a child process (so it can be SIGKILLed).
pub struct ServerProcess {
    pub child: tokio::process::Child,
    pub base_url: String,
}

impl ServerProcess {
    /// Run `binary serve --bind 127.0.0.1:0 --database-url URL` and wait for its
    /// `listening on http://…` line.
    pub async fn spawn(binary: &str, database_url: &str) -> anyhow::Result<Self> {
        Self::spawn_with(binary, database_url, &[]).await
    }

    /// The same with more `serve` arguments.
    pub async fn spawn_with(binary: &str, database_url: &str, more: &[&str]) -> anyhow::Result<Self> {
        let mut child = tokio::process::Command::new(binary)
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url", database_url])
            .args(more)
            .env("OPSROOM_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("OPSROOM_PUBLIC_RATE_LIMIT", "0")
            // Load and crash tests open hundreds of connections from this one address.
            .env("OPSROOM_MAX_CONNECTIONS_PER_CLIENT", "4096")
            .env("OPSROOM_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("spawning the server binary")?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let base_url = tokio::time::timeout(READ_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    return Ok(rest.trim().to_owned());
                }
            }
            bail!("the server exited before listening")
        })
        .await
        .context("no 'listening on' line within the timeout")??;
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, base_url })
    }

    pub fn api(&self) -> Api {
        Api::new(&self.base_url)
    }
}

/// A client of the HTTP API.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    /// The session cookie (`opsroom_session=…`) after [`Api::sign_in`].
    pub cookie: Option<String>,
    /// A partner token, sent as `Authorization: Bearer …` (see [`Api::as_partner`]).
    pub bearer: Option<String>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    async fn read(response: reqwest::Response) -> anyhow::Result<Self> {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Ok(Self { status, headers, body })
    }

    /// The `error.code` of an error answer.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl Api {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("an HTTP client");
        Self { http, base: base.trim_end_matches('/').to_owned(), cookie: None, bearer: None }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client of the same server that calls as a partner agency with `token`.
    pub fn as_partner(&self, token: &str) -> Self {
        Self { http: self.http.clone(), base: self.base.clone(), cookie: None, bearer: Some(token.to_owned()) }
    }

    fn with_cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let request = match &self.bearer {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        match &self.cookie {
            Some(cookie) => request.header(reqwest::header::COOKIE, cookie),
            None => request,
        }
    }

    /// `POST` a JSON body to `path`.
    pub async fn post_json(&self, path: &str, body: &Value) -> anyhow::Result<Reply> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    /// `PUT` a JSON body to `path`.
    pub async fn put_json(&self, path: &str, body: &Value) -> anyhow::Result<Reply> {
        self.send(self.http.put(self.url(path)).json(body)).await
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<Reply> {
        let response = tokio::time::timeout(READ_TIMEOUT, self.with_cookie(request).send()).await??;
        Reply::read(response).await
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Reply> {
        self.send(self.http.get(self.url(path))).await
    }

    /// `POST /api/v1/reports` with a JSON body and an optional `Idempotency-Key`.
    pub async fn post_report(&self, body: &Value, key: Option<&str>) -> anyhow::Result<Reply> {
        let mut request = self.http.post(self.url("/api/v1/reports")).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request).await
    }

    /// `POST /api/v1/reports` with raw bytes and a chosen content type.
    pub async fn post_report_raw(&self, body: impl Into<reqwest::Body>, content_type: &str) -> anyhow::Result<Reply> {
        self.send(self.http.post(self.url("/api/v1/reports")).header("content-type", content_type).body(body)).await
    }

    /// `POST /api/v1/session`; keeps the cookie on success.
    pub async fn sign_in(&mut self, name: &str, password: &str) -> anyhow::Result<Reply> {
        let reply = self
            .send(self.http.post(self.url("/api/v1/session")).json(&json!({"name": name, "password": password})))
            .await?;
        if reply.status == 201 {
            let set_cookie = reply.headers.get("set-cookie").context("no Set-Cookie on sign-in")?.to_str()?;
            self.cookie = Some(set_cookie.split(';').next().unwrap_or("").to_owned());
        }
        Ok(reply)
    }

    pub async fn sign_out(&self) -> anyhow::Result<Reply> {
        self.send(self.http.delete(self.url("/api/v1/session"))).await
    }

    pub async fn case(&self, case_id: &str) -> anyhow::Result<Reply> {
        self.get(&format!("/api/v1/cases/{case_id}")).await
    }

    /// Every case, following `next_cursor` to the end.
    pub async fn all_cases(&self, query: &str) -> anyhow::Result<Vec<Value>> {
        let mut cases = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/cases?limit=500{query}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let reply = self.get(&path).await?;
            if reply.status != 200 {
                bail!("listing cases: {} {}", reply.status, reply.body);
            }
            cases.extend(reply.body["cases"].as_array().cloned().unwrap_or_default());
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return Ok(cases),
            }
        }
    }

    /// Open `/api/v1/live` with this client's session cookie and an optional `Origin`.
    pub async fn live(&self, origin: Option<&str>) -> Result<LiveClient, WsError> {
        self.websocket("/api/v1/live", origin).await
    }

    /// Open a websocket at `path` with this client's cookie or bearer token and an optional
    /// `Origin`.
    pub async fn websocket(&self, path: &str, origin: Option<&str>) -> Result<LiveClient, WsError> {
        let url = format!("{}{path}", self.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request()?;
        if let Some(cookie) = &self.cookie {
            request.headers_mut().insert("cookie", HeaderValue::from_str(cookie).expect("cookie is ASCII"));
        }
        if let Some(token) = &self.bearer {
            let value = HeaderValue::from_str(&format!("Bearer {token}")).expect("tokens are ASCII");
            request.headers_mut().insert("authorization", value);
        }
        if let Some(origin) = origin {
            request.headers_mut().insert("origin", HeaderValue::from_str(origin).expect("origin is ASCII"));
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(LiveClient { socket })
    }
}

/// A connection to the live stream.
pub struct LiveClient {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl LiveClient {
    pub async fn subscribe(&mut self, since: Option<u64>) -> anyhow::Result<()> {
        self.socket.send(Message::text(json!({"type": "subscribe", "since": since}).to_string())).await?;
        Ok(())
    }

    /// The next JSON message, failing after [`READ_TIMEOUT`]. `None` when the server closed.
    pub async fn next_json(&mut self) -> anyhow::Result<Option<Value>> {
        self.next_json_within(READ_TIMEOUT).await
    }

    pub async fn next_json_within(&mut self, timeout: Duration) -> anyhow::Result<Option<Value>> {
        loop {
            let message = tokio::time::timeout(timeout, self.socket.next()).await.context("no live message in time")?;
            match message {
                None | Some(Ok(Message::Close(_))) => return Ok(None),
                Some(Ok(Message::Text(text))) => return Ok(Some(serde_json::from_str(&text)?)),
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(error.into()),
            }
        }
    }

    /// Read events until one with `seq >= until` arrives; returns every event read.
    pub async fn events_until(&mut self, until: u64) -> anyhow::Result<Vec<Value>> {
        let mut events = Vec::new();
        loop {
            let Some(message) = self.next_json().await? else { bail!("stream closed before seq {until}") };
            if message["type"] == "event" {
                let seq = message["seq"].as_u64().context("event without seq")?;
                events.push(message);
                if seq >= until {
                    return Ok(events);
                }
            }
        }
    }
}

/// The command line of an external validator named by the environment variable `var` (set by
/// `tests/run`, which installs it), or `None` after saying how to get it. Under CI a missing
/// validator fails the test: a skipped check there would pass silently. `venv_command` is the
/// command relative to the repository, for the message.
pub fn external_validator(var: &str, what: &str, venv_command: &str) -> Option<Vec<String>> {
    let Ok(command) = std::env::var(var) else {
        if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
            panic!("{var} must be set in CI: {what} may not be skipped there");
        }
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        eprintln!(
            "SKIPPED: {what}. Run tests/run (it installs the validator and sets {var}), or set {var}=\"{root}/{}\"",
            venv_command.replace(' ', &format!(" {root}/"))
        );
        return None;
    };
    let words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    assert!(!words.is_empty(), "{var} is set but empty");
    Some(words)
}

pub use opsroom_scenario::plan::sample_report;
