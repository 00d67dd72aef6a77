//! Accepting and serving connections: the guard between the network and the router.
//!
//! Owns what a client may hold open and for how long: connections per client address and in
//! total (a connection over either cap is closed as soon as it is accepted, before a byte is
//! read), how long a client may take to send a request's headers (the same clock ends an idle
//! keep-alive connection), the optional TLS handshake and its deadline, and the process's
//! open-file limit. Connections that never send a request are what this stops: the public rate
//! limit only sees requests. It must not look inside requests: routing, rate limits, origins
//! and body deadlines are the router's (`http::guard`).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::limiter::client_key;

/// How many connections a client may hold and how long it may keep one without finishing a
/// request.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Open connections from one client address (an IPv4 address or an IPv6 /64). Trusted
    /// proxies are not held to it: every client behind them shares their address.
    pub per_client: usize,
    /// Open connections in all; `None`: derived from the open-file limit at start.
    pub total: Option<usize>,
    /// Time to send a request's headers, and to start the next request on a kept-alive
    /// connection; also the TLS handshake's deadline.
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        // Many phones share one carrier address in a crisis, so the per-client cap is far above
        // what one browser opens (six at most) and well below what exhausts the process.
        Self { per_client: 256, total: None, header_timeout: Duration::from_secs(10) }
    }
}

/// File descriptors kept back from connections for the database, logs and webhooks.
const RESERVED_FILES: u64 = 256;

/// Raise the soft open-file limit to the hard one and say how many connections it allows.
/// Each connection holds one descriptor; [`RESERVED_FILES`] stay for everything else.
pub fn raise_file_limit() -> usize {
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((1024, 1024));
    let raised = if hard > soft {
        match rlimit::setrlimit(rlimit::Resource::NOFILE, hard, hard) {
            Ok(()) => hard,
            Err(error) => {
                tracing::warn!(%error, soft, hard, "raising the open-file limit");
                soft
            }
        }
    } else {
        soft
    };
    let connections = usize::try_from(raised.saturating_sub(RESERVED_FILES).max(64)).unwrap_or(usize::MAX);
    tracing::info!(open_file_limit = raised, max_connections = connections, "open-file limit");
    connections
}

/// TLS from a PEM certificate chain and private key (`--tls-cert`, `--tls-key`).
pub fn tls_acceptor(cert_path: &Path, key_path: &Path) -> anyhow::Result<TlsAcceptor> {
    use anyhow::Context as _;
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};

    let chain = CertificateDer::pem_file_iter(cert_path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("reading the TLS certificate chain {}", cert_path.display()))?;
    anyhow::ensure!(!chain.is_empty(), "{} holds no certificate", cert_path.display());
    let key = PrivateKeyDer::from_pem_file(key_path)
        .with_context(|| format!("reading the TLS private key {}", key_path.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the TLS certificate and key do not form a usable pair")?;
    // HTTP/1.1 only: websockets upgrade over it, and the header deadline above is HTTP/1's.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Open connections per client and in all. Admission and release are one short lock each.
#[derive(Debug)]
struct Census {
    per_client: HashMap<IpAddr, usize>,
    total: usize,
}

#[derive(Debug, Clone)]
struct Gate {
    census: Arc<Mutex<Census>>,
    per_client_cap: usize,
    total_cap: usize,
    trusted_proxies: Arc<[IpAddr]>,
}

impl Gate {
    /// A ticket for one more connection from `peer`, or `None` when a cap is reached.
    fn admit(&self, peer: IpAddr) -> Option<Ticket> {
        let key = client_key(peer);
        let capped = !self.trusted_proxies.contains(&peer.to_canonical());
        let mut census = self.census.lock().expect("the census lock is never poisoned");
        if census.total >= self.total_cap {
            return None;
        }
        let open = census.per_client.entry(key).or_default();
        if capped && *open >= self.per_client_cap {
            return None;
        }
        *open += 1;
        census.total += 1;
        Some(Ticket { gate: self.clone(), key })
    }
}

/// One admitted connection; dropping it frees its place. It travels with the socket, into an
/// upgraded websocket too, so a live stream counts as long as it is open.
#[derive(Debug)]
struct Ticket {
    gate: Gate,
    key: IpAddr,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut census = self.gate.census.lock().expect("the census lock is never poisoned");
        census.total -= 1;
        if let Some(open) = census.per_client.get_mut(&self.key) {
            *open -= 1;
            if *open == 0 {
                census.per_client.remove(&self.key);
            }
        }
    }
}

/// A socket (plain or TLS) together with its place in the census.
struct Admitted<S> {
    stream: S,
    _ticket: Ticket,
}

impl<S: AsyncRead + Unpin> AsyncRead for Admitted<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Admitted<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Everything [`serve`] needs besides the listener and the router.
pub struct Serving {
    pub limits: ConnectionLimits,
    pub tls: Option<TlsAcceptor>,
    pub trusted_proxies: Vec<IpAddr>,
    pub shutdown: CancellationToken,
}

/// Accept connections until `shutdown` fires, serve each with `router` (HTTP/1.1 with
/// upgrades), then let the open requests finish (at most `drain` long).
pub async fn serve(listener: TcpListener, router: Router, serving: Serving, drain: Duration) {
    let Serving { limits, tls, trusted_proxies, shutdown } = serving;
    let total_cap = limits.total.unwrap_or_else(raise_file_limit);
    let gate = Gate {
        census: Arc::new(Mutex::new(Census { per_client: HashMap::new(), total: 0 })),
        per_client_cap: limits.per_client.max(1),
        total_cap: total_cap.max(1),
        trusted_proxies: trusted_proxies.into(),
    };
    let connections = TaskTracker::new();
    let mut refusals = RefusalLog::default();
    loop {
        let (tcp, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or a connection reset before accept: wait a moment
                    // rather than spin; the caps above keep the first from happening.
                    tracing::debug!(%error, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(ticket) = gate.admit(peer.ip()) else {
            refusals.count(peer.ip());
            drop(tcp);
            continue;
        };
        // Without TCP_NODELAY a live event written while the previous one awaits its ACK waits
        // for the peer's delayed ACK (up to 40 ms): Nagle's algorithm is wrong for a live stream.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "setting TCP_NODELAY");
        }
        let connection = Connection { router: router.clone(), peer, header_timeout: limits.header_timeout };
        let shutdown = shutdown.clone();
        match tls.clone() {
            None => connections.spawn(connection.serve(Admitted { stream: tcp, _ticket: ticket }, shutdown)),
            Some(acceptor) => connections.spawn(connection.serve_tls(acceptor, tcp, ticket, shutdown)),
        };
    }
    drop(listener);
    connections.close();
    if tokio::time::timeout(drain, connections.wait()).await.is_err() {
        tracing::warn!("some HTTP connections were still open {drain:?} after shutdown");
    }
}

struct Connection {
    router: Router,
    peer: SocketAddr,
    header_timeout: Duration,
}

impl Connection {
    async fn serve_tls(self, acceptor: TlsAcceptor, tcp: TcpStream, ticket: Ticket, shutdown: CancellationToken) {
        match tokio::time::timeout(self.header_timeout, acceptor.accept(tcp)).await {
            Ok(Ok(stream)) => self.serve(Admitted { stream, _ticket: ticket }, shutdown).await,
            Ok(Err(error)) => tracing::debug!(%error, peer = %self.peer, "TLS handshake failed"),
            Err(_) => tracing::debug!(peer = %self.peer, "TLS handshake timed out"),
        }
    }

    async fn serve<S>(self, stream: S, shutdown: CancellationToken)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let peer = self.peer;
        let service = self.router.map_request(move |mut request: axum::extract::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.map(axum::body::Body::new)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(self.header_timeout).keep_alive(true);
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let mut connection = std::pin::pin!(connection.with_upgrades());
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, %peer, "connection ended");
                }
                return;
            }
            _ = shutdown.cancelled() => connection.as_mut().graceful_shutdown(),
        }
        if let Err(error) = connection.await {
            tracing::debug!(%error, %peer, "connection ended during shutdown");
        }
    }
}

/// Refused connections are logged at the first and then at most once a minute, with a count:
/// a flood must not also flood the log.
#[derive(Default)]
struct RefusalLog {
    last_logged: Option<std::time::Instant>,
    refused: u64,
}

impl RefusalLog {
    fn count(&mut self, peer: IpAddr) {
        self.refused += 1;
        let now = std::time::Instant::now();
        if self.last_logged.is_none_or(|at| now.duration_since(at) >= Duration::from_secs(60)) {
            tracing::warn!(
                refused = self.refused,
                last_peer = %peer,
                "refusing connections: a client or the server is at its connection cap"
            );
            self.last_logged = Some(now);
            self.refused = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(per_client: usize, total: usize, trusted: &[IpAddr]) -> Gate {
        Gate {
            census: Arc::new(Mutex::new(Census { per_client: HashMap::new(), total: 0 })),
            per_client_cap: per_client,
            total_cap: total,
            trusted_proxies: trusted.into(),
        }
    }

    #[test]
    fn a_client_holds_at_most_its_share_and_gets_it_back() {
        let gate = gate(2, 10, &[]);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = gate.admit(a).unwrap();
        let _second = gate.admit(a).unwrap();
        assert!(gate.admit(a).is_none(), "a third connection from one address is refused");
        assert!(gate.admit(b).is_some(), "another address is not affected");
        drop(first);
        assert!(gate.admit(a).is_some(), "a closed connection frees its place");
    }

    #[test]
    fn an_ipv6_client_is_its_64() {
        let gate = gate(1, 10, &[]);
        let _one = gate.admit("2001:db8:1:2::1".parse().unwrap()).unwrap();
        assert!(gate.admit("2001:db8:1:2::ffff".parse().unwrap()).is_none());
        assert!(gate.admit("2001:db8:1:3::1".parse().unwrap()).is_some());
    }

    #[test]
    fn the_total_cap_holds_for_everyone_and_proxies_skip_only_the_per_client_cap() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let gate = gate(1, 3, &[proxy]);
        let held: Vec<Ticket> = (0..3).map(|_| gate.admit(proxy).unwrap()).collect();
        assert!(gate.admit("192.0.2.9".parse().unwrap()).is_none(), "the total cap is reached");
        drop(held);
        assert_eq!(gate.census.lock().unwrap().total, 0);
        assert!(gate.census.lock().unwrap().per_client.is_empty());
    }
}
