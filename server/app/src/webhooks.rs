//! Webhooks to partner agencies: each partner's feed items POSTed to its URL, signed, in order,
//! at least once.
//!
//! Owns delivery: one task per partner that takes webhooks (so one partner's dead endpoint never
//! holds up another's), on the one node that holds the partner's lease (so items go out in
//! order on any number of nodes); each item is retried with backoff (`Config::webhook_retry`),
//! then given up on into the dead-letter list admins can see and replay. The partner's cursor
//! moves in the store only after an item was delivered or dead-lettered, so a restart, a
//! shutdown mid-retry or a lost lease delivers it again rather than losing it: that is
//! at-least-once, and receivers deduplicate by `X-Opsroom-Delivery` (the item's position).
//! A change of the partner (URL, key, profile) restarts its task, so nothing more goes out under
//! the old ones.
//!
//! Owns the rule of where webhooks may go. Redirects are not followed and no proxy is taken from
//! the environment. Unless `Config::webhook_private_targets` allows it, only `https` URLs to
//! public addresses ([`public`]) are called, checked three times over so that a partner's
//! endpoint cannot turn the server against the ops room's own network: the URL as the WHATWG
//! parser reads it (the parser the HTTP client uses, so `https://2130706433/` is 127.0.0.1
//! here too), every address a name resolves to (the client connects only to those), and the
//! peer of the connected socket, before the request is written.
//!
//! Each request carries `X-Opsroom-Delivery` (the position), `X-Opsroom-Timestamp` (unix
//! seconds) and `X-Opsroom-Signature: sha256=HEX`, the HMAC-SHA256 under the partner's key (its
//! text as shown, as bytes) of `timestamp + "." + body` (see `secrets::webhook_signature`).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::BoxFuture;
use hyper_util::client::legacy::connect::{Connection, HttpInfo};
use opsroom_store::{DeadLetter, StoreError, WebhookOutcome, WebhookTarget, WebhookWrite};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::state::AppState;
use crate::wire::FeedItem;
use crate::{partner_feed, secrets};

/// How long one delivery attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the list of partners taking webhooks is re-read (also on every partner change).
const REFRESH: Duration = Duration::from_secs(5);
/// How long a node's lease on a partner's delivery lasts without renewal.
const LEASE: Duration = Duration::from_secs(30);

/// The HTTP client webhooks go through: no redirects, no proxy from the environment (a proxy
/// connects wherever it is told, past every check here), and, unless private targets are
/// allowed, a resolver that answers only public addresses and a connector that drops a
/// connection whose peer is not public.
pub fn client(private_targets: bool) -> reqwest::Result<reqwest::Client> {
    let builder =
        reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).redirect(reqwest::redirect::Policy::none()).no_proxy();
    if private_targets {
        builder.build()
    } else {
        builder.dns_resolver(Arc::new(PublicOnly)).connector_layer(PublicPeerLayer).build()
    }
}

/// Networks that are not the public internet, IPv4: this machine, private and shared networks,
/// link-local (cloud metadata services live there), documentation, benchmarking and reserved
/// space, multicast and broadcast.
const NOT_PUBLIC_V4: [(Ipv4Addr, u8); 14] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8), // "this network": 0.0.0.0 reaches this machine
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(100, 64, 0, 0), 10), // shared address space (carrier-grade NAT)
    (Ipv4Addr::new(127, 0, 0, 0), 8),
    (Ipv4Addr::new(169, 254, 0, 0), 16),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 0, 0, 0), 24), // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(198, 18, 0, 0), 15),
    (Ipv4Addr::new(198, 51, 100, 0), 24),
    (Ipv4Addr::new(203, 0, 113, 0), 24),
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    (Ipv4Addr::new(240, 0, 0, 0), 4), // reserved, up to the broadcast address
];

/// The same for IPv6. `::/96` holds the unspecified address, loopback and the deprecated
/// IPv4-compatible addresses; the forms that carry an IPv4 address to reach it (mapped, NAT64,
/// 6to4) are judged by that address instead (see [`public`]).
const NOT_PUBLIC_V6: [(Ipv6Addr, u8); 8] = [
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96),
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local-use NAT64
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),     // discard-only
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),     // unique local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),    // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),    // site-local (deprecated)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),     // multicast
];
const NAT64: Ipv6Addr = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0);
const SIX_TO_FOUR: Ipv6Addr = Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0);

/// Whether `address` lies in the network `prefix`/`length` (addresses as integers of `BITS` bits).
fn in_network<const BITS: u32>(address: u128, prefix: u128, length: u8) -> bool {
    let length = u32::from(length);
    length == 0 || address >> (BITS - length) == prefix >> (BITS - length)
}

/// Whether an address is one a partner's endpoint may be at: on the public internet. An IPv6
/// address that carries an IPv4 one (IPv4-mapped, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is
/// public only if that IPv4 address is.
pub fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u128::from(u32::from(v4));
            !NOT_PUBLIC_V4.iter().any(|(net, len)| in_network::<32>(bits, u128::from(u32::from(*net)), *len))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let carried = if let Some(v4) = v6.to_ipv4_mapped() {
                Some(v4)
            } else if in_network::<128>(bits, u128::from(NAT64), 96) {
                Some(Ipv4Addr::from(bits as u32))
            } else if in_network::<128>(bits, u128::from(SIX_TO_FOUR), 16) {
                Some(Ipv4Addr::from((bits >> 80) as u32))
            } else {
                None
            };
            match carried {
                Some(v4) => public(IpAddr::V4(v4)),
                None => !NOT_PUBLIC_V6.iter().any(|(net, len)| in_network::<128>(bits, u128::from(*net), *len)),
            }
        }
    }
}

/// A webhook connection refused because the host is, or resolved to, or connected to an address
/// outside the public internet.
#[derive(Debug, thiserror::Error)]
#[error("{0} is not on the public internet")]
struct NotPublic(String);

/// Why a webhook request failed, in a few words for the log and the dead letter.
fn failure(error: &reqwest::Error) -> String {
    let chain = std::iter::successors(Some(error as &(dyn std::error::Error + 'static)), |e| e.source());
    if let Some(refused) = chain.filter_map(|e| e.downcast_ref::<NotPublic>()).next() {
        return format!("refused: {refused}");
    }
    if error.is_timeout() {
        "the endpoint did not answer in time".into()
    } else if error.is_connect() {
        "could not connect to the endpoint".into()
    } else {
        format!("the request failed: {error}")
    }
}

/// A resolver that answers only public addresses: the client connects to what it answers, so a
/// name that resolves to a public and a private address (DNS rebinding) reaches the public one.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| public(a.ip())).collect();
            if allowed.is_empty() {
                return Err(Box::new(NotPublic(format!("{} (every address it resolves to)", name.as_str()))) as _);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A layer over the client's connector that checks the connected socket's peer before the
/// request is written: an address literal in the URL never goes through the resolver, and
/// whatever else reaches a socket is judged by where the socket really is.
#[derive(Clone)]
struct PublicPeerLayer;

impl<S> tower::Layer<S> for PublicPeerLayer {
    type Service = PublicPeer<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PublicPeer(inner)
    }
}

#[derive(Clone)]
struct PublicPeer<S>(S);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<S, R> tower::Service<R> for PublicPeer<S>
where
    S: tower::Service<R, Error = BoxError>,
    S::Response: Connection + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<S::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, destination: R) -> Self::Future {
        let connecting = self.0.call(destination);
        Box::pin(async move {
            let connection = connecting.await?;
            let mut extras = axum::http::Extensions::new();
            connection.connected().get_extras(&mut extras);
            match extras.get::<HttpInfo>().map(HttpInfo::remote_addr) {
                Some(peer) if public(peer.ip()) => Ok(connection),
                // Dropping the connection closes it: not a byte of the request was written.
                Some(peer) => Err(Box::new(NotPublic(peer.ip().to_string())) as BoxError),
                None => Err(Box::new(NotPublic("a peer of unknown address".into())) as BoxError),
            }
        })
    }
}

/// Whether a URL may be called, read as the HTTP client reads it (WHATWG rules): with private
/// targets allowed, any http(s) URL; otherwise `https` only, to a host that is neither an
/// address outside the public internet nor a `localhost` name (other names are checked when
/// called, by the resolver and the connected peer).
pub fn url_allowed(url: &str, private_targets: bool) -> bool {
    let Ok(url) = url::Url::parse(url) else { return false };
    if private_targets {
        return matches!(url.scheme(), "https" | "http");
    }
    if url.scheme() != "https" {
        return false;
    }
    match url.host() {
        Some(url::Host::Ipv4(v4)) => public(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => public(IpAddr::V6(v6)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            name != "localhost" && !name.ends_with(".localhost")
        }
        None => false,
    }
}

/// Keep one delivery task per partner that takes webhooks, until shutdown. A task is restarted
/// when its partner changes.
pub async fn run(app: AppState) {
    let client = match client(app.config.webhook_private_targets) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhooks disabled: no HTTP client");
            return;
        }
    };
    let node = Uuid::new_v4();
    let mut running: HashMap<Uuid, (u64, JoinHandle<()>)> = HashMap::new();
    let mut partner_changes = app.hub.partner_changes();
    loop {
        match app.store.webhook_targets().await {
            Ok(targets) => {
                let current: HashMap<Uuid, u64> = targets.iter().map(|t| (t.partner_id, t.partner_seq)).collect();
                running.retain(|partner_id, (seq, task)| {
                    let keep = !task.is_finished() && current.get(partner_id) == Some(seq);
                    if !keep {
                        task.abort();
                    }
                    keep
                });
                for (partner_id, seq) in current {
                    running.entry(partner_id).or_insert_with(|| {
                        let task = deliver_partner(app.clone(), client.clone(), node, partner_id, seq);
                        (seq, tokio::spawn(task))
                    });
                }
            }
            Err(StoreError::Closed) => break,
            Err(error) => tracing::warn!(%error, "reading webhook targets"),
        }
        tokio::select! {
            _ = app.shutdown.cancelled() => break,
            _ = partner_changes.changed() => {}
            _ = tokio::time::sleep(REFRESH) => {}
        }
    }
    // An item being retried is simply not recorded as delivered: it goes out again later.
    for (_, task) in running.into_values() {
        task.abort();
    }
}

/// Deliver one partner's items (as registered at `partner_seq`) while this node holds its lease.
async fn deliver_partner(app: AppState, client: reqwest::Client, node: Uuid, partner_id: Uuid, partner_seq: u64) {
    let mut head = app.store.committed_head();
    loop {
        tokio::time::sleep(partner_feed::FEED_PACE).await;
        match deliver_pending(&app, &client, node, partner_id, partner_seq).await {
            Ok(()) => {}
            Err(StoreError::Closed) => return,
            Err(error) => {
                tracing::warn!(%error, %partner_id, "webhook delivery; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        tokio::select! {
            _ = app.shutdown.cancelled() => return,
            changed = head.changed() => if changed.is_err() { return },
            // Lease renewal, and a cursor moved by another node, are picked up here too.
            _ = tokio::time::sleep(REFRESH) => {}
        }
    }
}

/// Take or renew the lease; `false` while another node holds it.
async fn lease(app: &AppState, node: Uuid, partner_id: Uuid) -> Result<bool, StoreError> {
    let now = app.now_ms();
    let until = now + LEASE.as_millis() as i64;
    let write = WebhookWrite::Lease { partner_id, node, until, now };
    Ok(app.store.webhook_write(write).await? == WebhookOutcome::Recorded)
}

/// Deliver every item up to the head, while holding the lease.
async fn deliver_pending(
    app: &AppState,
    client: &reqwest::Client,
    node: Uuid,
    partner_id: Uuid,
    partner_seq: u64,
) -> Result<(), StoreError> {
    loop {
        let target = app.store.webhook_target(partner_id).await?;
        // Gone or changed: the supervisor starts a task for the new registration.
        let Some(target) = target.filter(|t| t.partner_seq == partner_seq) else { return Ok(()) };
        let Some(record) = app.store.partner(partner_id).await? else { return Ok(()) };
        let upto = *app.store.committed_head().borrow();
        if target.cursor >= upto || !lease(app, node, partner_id).await? {
            return Ok(());
        }
        let (items, next) = partner_feed::items_after(&app.store, &record.partner, target.cursor, upto).await?;
        if items.is_empty() {
            // Nothing for this partner up to `next`: move past it.
            if next > target.cursor && !advance(app, node, &target, next, None).await? {
                return Ok(());
            }
            if next >= upto {
                return Ok(());
            }
            continue;
        }
        let mut cursor = target.cursor;
        for item in &items {
            let dead = match deliver_with_retries(app, client, &target, item).await {
                Attempt::Delivered => None,
                Attempt::Dead(letter) => Some(letter),
                Attempt::Interrupted => return Ok(()),
            };
            if !advance(app, node, &WebhookTarget { cursor, ..target.clone() }, item.seq, dead).await? {
                return Ok(()); // the lease or the cursor moved: start again from the store
            }
            cursor = item.seq;
        }
    }
}

/// Move the partner's cursor from `target.cursor` to `to` (renewing nothing: the lease is
/// renewed per page); `false` if this node lost the lease or another moved the cursor.
async fn advance(
    app: &AppState,
    node: Uuid,
    target: &WebhookTarget,
    to: u64,
    dead: Option<DeadLetter>,
) -> Result<bool, StoreError> {
    let write = WebhookWrite::Delivered { partner_id: target.partner_id, node, from: target.cursor, to, dead };
    Ok(app.store.webhook_write(write).await? == WebhookOutcome::Recorded)
}

/// How trying an item ended.
enum Attempt {
    Delivered,
    /// Every retry failed.
    Dead(DeadLetter),
    /// The server is stopping: the item stays undelivered (it goes out again later).
    Interrupted,
}

/// Try an item until it is delivered, every retry failed, or the server stops.
async fn deliver_with_retries(
    app: &AppState,
    client: &reqwest::Client,
    target: &WebhookTarget,
    item: &FeedItem,
) -> Attempt {
    let body = serde_json::to_string(item).expect("feed items serialize");
    let mut attempts = 0u32;
    let mut delays = app.config.webhook_retry.iter();
    loop {
        attempts += 1;
        let error = match post(app, client, target, item.seq, &body, None).await {
            Ok(()) => return Attempt::Delivered,
            Err(error) => error,
        };
        let Some(delay) = delays.next() else {
            tracing::warn!(%error, partner_id = %target.partner_id, seq = item.seq, "webhook given up; dead letter");
            return Attempt::Dead(DeadLetter {
                dead_id: Uuid::now_v7(),
                partner_id: target.partner_id,
                seq: item.seq,
                attempts,
                last_error: error,
                dead_at: app.now_ms(),
                replayed_at: None,
            });
        };
        tracing::debug!(%error, partner_id = %target.partner_id, seq = item.seq, "webhook attempt failed");
        tokio::select! {
            _ = app.shutdown.cancelled() => return Attempt::Interrupted,
            _ = tokio::time::sleep(*delay) => {}
        }
    }
}

/// One signed POST; `Err` with a short reason unless the receiver answered 2xx.
async fn post(
    app: &AppState,
    client: &reqwest::Client,
    target: &WebhookTarget,
    seq: u64,
    body: &str,
    replay_of: Option<Uuid>,
) -> Result<(), String> {
    if !url_allowed(&target.url, app.config.webhook_private_targets) {
        return Err("the URL is not https or names an address outside the public internet".into());
    }
    let timestamp = app.now_ms() / 1000;
    let mut request = client
        .post(&target.url)
        .header("content-type", "application/json")
        .header("x-opsroom-delivery", seq.to_string())
        .header("x-opsroom-timestamp", timestamp.to_string())
        .header("x-opsroom-signature", secrets::webhook_signature(&target.secret, timestamp, body))
        .body(body.to_owned());
    if let Some(dead_id) = replay_of {
        request = request.header("x-opsroom-replay", dead_id.to_string());
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("the endpoint answered {}", response.status())),
        Err(error) => Err(failure(&error)),
    }
}

/// Why a replay did not go out.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The partner may no longer see what the item was about, or no longer takes webhooks.
    #[error("{0}")]
    Gone(&'static str),
    /// The partner's endpoint did not take it.
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Deliver a dead letter once more, now (an admin's replay), rebuilt from the log under the
/// partner's current profile and access.
pub async fn replay(app: &AppState, letter: &DeadLetter) -> Result<(), ReplayError> {
    let target = app.store.webhook_target(letter.partner_id).await?;
    let target = target.ok_or(ReplayError::Gone("the partner no longer takes webhooks"))?;
    let record = app.store.partner(letter.partner_id).await?.ok_or(ReplayError::Gone("no such partner"))?;
    let event = app.store.events_after(letter.seq.saturating_sub(1), 1).await?;
    let items = partner_feed::items_from(&app.store, &record.partner, &event).await?;
    let item = items.into_iter().find(|i| i.seq == letter.seq);
    let item = item.ok_or(ReplayError::Gone("the partner may no longer see what this item was about"))?;
    let body = serde_json::to_string(&item).expect("feed items serialize");
    let client = client(app.config.webhook_private_targets).map_err(|e| ReplayError::Failed(e.to_string()))?;
    post(app, &client, &target, letter.seq, &body, Some(letter.dead_id)).await.map_err(ReplayError::Failed)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[test]
    fn only_public_https_targets_unless_private_ones_are_allowed() {
        for allowed in [
            "https://erc.example/hook",
            "https://8.8.8.8/hook",
            "https://134744072/hook", // 8.8.8.8 written as one number
            "https://[2001:4860:4860::8888]/hook",
            "https://[::ffff:8.8.8.8]/hook",
            "https://[2002:808:808::1]/hook", // 6to4 of 8.8.8.8
        ] {
            assert!(url_allowed(allowed, false), "{allowed}");
        }
        for refused in [
            "http://erc.example/hook",
            "ftp://erc.example/hook",
            "https://localhost/hook",
            "https://api.localhost./hook",
            "https://127.0.0.1/hook",
            "https://10.1.2.3:8443/hook",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://224.0.0.1/",
            "https://255.255.255.255/",
            // The same addresses as the WHATWG parser (and so the HTTP client) reads them.
            "https://2130706433/hook",
            "https://127.1/hook",
            "https://0x7f000001/hook",
            "https://0177.0.0.1/hook",
            "https://127.0.0.1./hook",
            "https://%31%32%37.0.0.1/hook",
            "https://0/hook",
            "https://0xa9fea9fe/latest", // 169.254.169.254
            "https://[::1]/hook",
            "https://[::]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::ffff:7f00:1]/hook",
            "https://[::127.0.0.1]/hook",
            "https://[64:ff9b::a00:1]/hook", // NAT64 of 10.0.0.1
            "https://[2002:7f00:1::1]/hook", // 6to4 of 127.0.0.1
            "https://[fe80::1]/hook",
            "https://[fd00::1]/hook",
            "https://[fec0::1]/hook",
            "https://[ff02::1]/hook",
            "not a url",
        ] {
            assert!(!url_allowed(refused, false), "{refused}");
        }
        assert!(url_allowed("http://127.0.0.1:9000/hook", true));
        assert!(!url_allowed("ftp://127.0.0.1:9000/hook", true));
    }

    /// A local endpoint that answers 204 to every request and counts the requests it read.
    async fn endpoint() -> (u16, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let counted = counted.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    counted.fetch_add(1, Ordering::SeqCst);
                    let _ = socket.write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await;
                });
            }
        });
        (port, requests)
    }

    #[tokio::test]
    async fn a_target_stored_past_the_registration_check_is_refused_when_connecting() {
        let (port, requests) = endpoint().await;
        let guarded = client(false).unwrap();
        // Whatever the stored URL says, the connection to this machine is refused before a byte
        // of the request is written: a name resolving to loopback, an address literal in any
        // spelling (the client skips the resolver for those), IPv4 or IPv6.
        for url in [
            format!("http://localhost:{port}/hook"),
            format!("http://127.0.0.1:{port}/hook"),
            format!("http://2130706433:{port}/hook"),
            format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        ] {
            let error = guarded.post(&url).body("{}").send().await.expect_err(&url);
            assert!(failure(&error).starts_with("refused: "), "{url}: {error:?}");
        }
        assert_eq!(requests.load(Ordering::SeqCst), 0, "no request reached the endpoint");
        // The endpoint itself answers: with private targets allowed the same request arrives.
        let open = client(true).unwrap();
        let answer = open.post(format!("http://127.0.0.1:{port}/hook")).body("{}").send().await.unwrap();
        assert_eq!(answer.status(), 204);
        assert_eq!(requests.load(Ordering::SeqCst), 1);
    }
}
