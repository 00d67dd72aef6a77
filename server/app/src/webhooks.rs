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
//! the old ones. Redirects are not followed, and unless `Config::webhook_private_targets`
//! allows it, only `https` URLs resolving to public addresses are called: a partner's endpoint
//! cannot turn the server against the ops room's own network.
//!
//! Each request carries `X-Opsroom-Delivery` (the position), `X-Opsroom-Timestamp` (unix
//! seconds) and `X-Opsroom-Signature: sha256=HEX`, the HMAC-SHA256 under the partner's key (its
//! text as shown, as bytes) of `timestamp + "." + body` (see `secrets::webhook_signature`).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use opsroom_store::{DeadLetter, PartnerOutcome, PartnerWrite, StoreError, WebhookTarget};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::partner_feed::{self, FeedItem};
use crate::secrets;
use crate::server::AppState;

/// How long one delivery attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the list of partners taking webhooks is re-read (also on every partner change).
const REFRESH: Duration = Duration::from_secs(5);
/// How long a node's lease on a partner's delivery lasts without renewal.
const LEASE: Duration = Duration::from_secs(30);

/// The HTTP client webhooks go through: no redirects, and (unless private targets are
/// allowed) a resolver that refuses names resolving to loopback, private or link-local
/// addresses.
pub fn client(private_targets: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).redirect(reqwest::redirect::Policy::none());
    if private_targets { builder.build() } else { builder.dns_resolver(Arc::new(PublicOnly)).build() }
}

/// Whether an address is one a partner's endpoint may be at (not this machine, not a private
/// network, not link-local or multicast).
fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| !public(IpAddr::V4(v4))))
        }
    }
}

/// A resolver that answers only public addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| public(a.ip())).collect();
            if allowed.is_empty() {
                return Err("the webhook host resolves to no public address".into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether a URL may be called: with private targets allowed, any http(s) URL; otherwise
/// `https` only, and not an address literal outside the public internet (names are checked by
/// the resolver when called).
pub fn url_allowed(url: &str, private_targets: bool) -> bool {
    if private_targets {
        return true;
    }
    let Some(rest) = url.strip_prefix("https://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    host.parse::<IpAddr>().map_or(true, public)
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
    let write = PartnerWrite::LeaseWebhooks { partner_id, node, until, now };
    Ok(app.store.partner_write(write).await? == PartnerOutcome::Recorded)
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
    let write = PartnerWrite::WebhookDelivered { partner_id: target.partner_id, node, from: target.cursor, to, dead };
    Ok(app.store.partner_write(write).await? == PartnerOutcome::Recorded)
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
        Err(error) if error.is_timeout() => Err("the endpoint did not answer in time".into()),
        Err(error) if error.is_connect() => Err("could not connect to the endpoint".into()),
        Err(error) => Err(format!("the request failed: {error}")),
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
    use super::*;

    #[test]
    fn only_public_https_targets_unless_private_ones_are_allowed() {
        assert!(url_allowed("https://erc.example/hook", false));
        assert!(url_allowed("https://8.8.8.8/hook", false));
        for refused in [
            "http://erc.example/hook",
            "https://127.0.0.1/hook",
            "https://10.1.2.3:8443/hook",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://100.64.0.1/",
        ] {
            assert!(!url_allowed(refused, false), "{refused}");
        }
        assert!(url_allowed("http://127.0.0.1:9000/hook", true));
    }
}
