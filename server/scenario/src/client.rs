//! A client of Opsroom's public interfaces, as each actor of a scenario uses them: HTTP with a
//! session cookie (staff) or a bearer token (partners), and the live websockets through
//! tokio-tungstenite.
//!
//! Owns the wire details and the stream check: a [`Stream`] remembers every position it saw and
//! counts gaps (operators' stream: positions must follow each other) and repeats.

use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest any one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
    bearer: Option<String>,
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Client {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).pool_max_idle_per_host(64).build()?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned(), cookie: None, bearer: None })
    }

    /// The session cookie (`name=value`) after [`Client::sign_in`].
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// The same server, as a partner with `token`.
    pub fn as_partner(&self, token: &str) -> Self {
        Self { bearer: Some(token.to_owned()), cookie: None, ..self.clone() }
    }

    /// Sign in as staff; the session cookie is kept.
    pub async fn sign_in(&mut self, name: &str, password: &str) -> anyhow::Result<()> {
        let response = self
            .http
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"name": name, "password": password}))
            .send()
            .await?;
        if response.status().as_u16() != 201 {
            bail!("signing in as {name}: {}", response.status());
        }
        let cookie = response.headers().get("set-cookie").context("no session cookie")?.to_str()?;
        self.cookie = Some(cookie.split(';').next().unwrap_or("").to_owned());
        Ok(())
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> anyhow::Result<Reply> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply { status, body })
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Reply> {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Reply> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// A web report with its idempotency key. It carries the runner's staff session, if any,
    /// only so that the per-address rate limit (meant for many phones behind one carrier
    /// address) does not throttle one machine playing thousands of citizens; the report itself
    /// goes through the public intake like any other.
    pub async fn post_report(&self, body: &Value, key: &str) -> anyhow::Result<Reply> {
        let mut request =
            self.http.post(format!("{}/api/v1/reports", self.base)).header("Idempotency-Key", key).json(body);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Ok(Reply { status, body })
    }

    /// Open a live websocket at `path` and subscribe from the snapshot.
    pub async fn stream(&self, path: &str) -> anyhow::Result<Stream> {
        let url = format!("{}{path}", self.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request()?;
        if let Some(cookie) = &self.cookie {
            request.headers_mut().insert("cookie", HeaderValue::from_str(cookie)?);
        }
        if let Some(token) = &self.bearer {
            request.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {token}"))?);
        }
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
        socket.send(Message::text(json!({"type": "subscribe", "since": null}).to_string())).await?;
        Ok(Stream { socket, last: None, gaps: 0, repeats: 0, events: 0 })
    }
}

/// A live stream being watched.
pub struct Stream {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub last: Option<u64>,
    /// Positions that did not follow the previous one (operators' stream only: a partner's
    /// positions skip what is not for it).
    pub gaps: u64,
    /// Positions seen again or going back.
    pub repeats: u64,
    pub events: u64,
}

impl Stream {
    /// The next event, checked; `None` when the server closed the stream.
    pub async fn next_event(&mut self, dense: bool) -> anyhow::Result<Option<Value>> {
        loop {
            let Some(message) = self.socket.next().await else { return Ok(None) };
            let text = match message? {
                Message::Text(text) => text,
                Message::Close(_) => return Ok(None),
                _ => continue,
            };
            let value: Value = serde_json::from_str(&text)?;
            match value["type"].as_str() {
                Some("snapshot") => self.last = value["seq"].as_u64(),
                Some("event") => {
                    let seq = value["seq"].as_u64().context("an event without a position")?;
                    match self.last {
                        Some(last) if seq <= last => self.repeats += 1,
                        Some(last) if dense && seq != last + 1 => self.gaps += 1,
                        _ => {}
                    }
                    self.last = Some(self.last.map_or(seq, |last| last.max(seq)));
                    self.events += 1;
                    return Ok(Some(value));
                }
                _ => bail!("the stream said: {value}"),
            }
        }
    }
}
