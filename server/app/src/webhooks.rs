//! Webhooks to partner agencies: each partner's feed items POSTed to its URL, signed, in order,
//! at least once.
//!
//! Owns delivery: one task per partner that takes webhooks (so one partner's dead endpoint never
//! holds up another's), each item retried with backoff (`Config::webhook_retry`), then given up
//! on into the dead-letter list admins can see and replay; the partner's cursor moves in the
//! store after each item, so a restart resumes where delivery stopped. On several nodes each may
//! deliver the same item (the cursor's compare-and-set stops the rest at the next item): that is
//! at-least-once, and receivers deduplicate by `X-Opsroom-Delivery` (the item's position).
//!
//! Each request carries `X-Opsroom-Delivery` (the position), `X-Opsroom-Timestamp` (unix
//! seconds) and `X-Opsroom-Signature: sha256=HEX`, the HMAC-SHA256 under the partner's key of
//! `timestamp + "." + body` (see `secrets::webhook_signature`).

use std::collections::HashMap;
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

/// Keep one delivery task per partner that takes webhooks, until shutdown.
pub async fn run(app: AppState) {
    let client = match reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhooks disabled: no HTTP client");
            return;
        }
    };
    let mut running: HashMap<Uuid, JoinHandle<()>> = HashMap::new();
    let mut partner_changes = app.hub.partner_changes();
    loop {
        running.retain(|_, task| !task.is_finished());
        match app.store.webhook_targets().await {
            Ok(targets) => {
                for target in targets {
                    running.entry(target.partner_id).or_insert_with(|| {
                        tokio::spawn(deliver_partner(app.clone(), client.clone(), target.partner_id))
                    });
                }
            }
            Err(StoreError::Closed) => return,
            Err(error) => tracing::warn!(%error, "reading webhook targets"),
        }
        tokio::select! {
            _ = app.shutdown.cancelled() => break,
            _ = partner_changes.changed() => {}
            _ = tokio::time::sleep(REFRESH) => {}
        }
    }
    for task in running.into_values() {
        task.abort();
    }
}

/// Deliver one partner's items until it no longer takes webhooks or the server stops.
async fn deliver_partner(app: AppState, client: reqwest::Client, partner_id: Uuid) {
    let mut head = app.store.committed_head();
    loop {
        tokio::time::sleep(partner_feed::FEED_PACE).await;
        match deliver_pending(&app, &client, partner_id).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(StoreError::Closed) => return,
            Err(error) => {
                tracing::warn!(%error, %partner_id, "webhook delivery; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        tokio::select! {
            _ = app.shutdown.cancelled() => return,
            changed = head.changed() => if changed.is_err() { return },
            // A cursor moved by another node, or a URL changed, is picked up here too.
            _ = tokio::time::sleep(REFRESH) => {}
        }
    }
}

/// Deliver every item up to the head; `false` when the partner no longer takes webhooks.
async fn deliver_pending(app: &AppState, client: &reqwest::Client, partner_id: Uuid) -> Result<bool, StoreError> {
    loop {
        let Some(target) = app.store.webhook_targets().await?.into_iter().find(|t| t.partner_id == partner_id) else {
            return Ok(false);
        };
        let Some(record) = app.store.partner(partner_id).await? else { return Ok(false) };
        let upto = *app.store.committed_head().borrow();
        let (items, next) = partner_feed::items_after(&app.store, &record.partner, target.cursor, upto).await?;
        if items.is_empty() {
            // Nothing for this partner in a full page: move past it so the next read starts later.
            if next > target.cursor && next < upto {
                advance(app, &target, next, None).await?;
                continue;
            }
            return Ok(true);
        }
        let mut cursor = target.cursor;
        for item in &items {
            if app.shutdown.is_cancelled() {
                return Ok(true);
            }
            let dead = deliver_with_retries(app, client, &target, item).await;
            if !advance(app, &WebhookTarget { cursor, ..target.clone() }, item.seq, dead).await? {
                break; // another node moved the cursor: start again from where it is
            }
            cursor = item.seq;
        }
    }
}

/// Move the partner's cursor from `target.cursor` to `to`; `false` if another node moved it.
async fn advance(
    app: &AppState,
    target: &WebhookTarget,
    to: u64,
    dead: Option<DeadLetter>,
) -> Result<bool, StoreError> {
    let write = PartnerWrite::WebhookDelivered { partner_id: target.partner_id, from: target.cursor, to, dead };
    Ok(app.store.partner_write(write).await? == PartnerOutcome::Recorded)
}

/// Try an item until it is delivered or every retry failed; the dead letter in that case.
async fn deliver_with_retries(
    app: &AppState,
    client: &reqwest::Client,
    target: &WebhookTarget,
    item: &FeedItem,
) -> Option<DeadLetter> {
    let body = serde_json::to_string(item).expect("feed items serialize");
    let mut attempts = 0u32;
    let mut delays = app.config.webhook_retry.iter();
    loop {
        attempts += 1;
        let error = match post(app, client, &target.url, &target.secret, item.seq, &body, None).await {
            Ok(()) => return None,
            Err(error) => error,
        };
        match delays.next() {
            Some(delay) => {
                tracing::debug!(%error, partner_id = %target.partner_id, seq = item.seq, "webhook attempt failed");
                tokio::select! {
                    _ = app.shutdown.cancelled() => return None,
                    _ = tokio::time::sleep(*delay) => {}
                }
            }
            None => {
                tracing::warn!(%error, partner_id = %target.partner_id, seq = item.seq, "webhook given up; dead letter");
                return Some(DeadLetter {
                    dead_id: Uuid::now_v7(),
                    partner_id: target.partner_id,
                    seq: item.seq,
                    body,
                    attempts,
                    last_error: error,
                    dead_at: app.now_ms(),
                    replayed_at: None,
                });
            }
        }
    }
}

/// One signed POST; `Err` with a short reason unless the receiver answered 2xx.
async fn post(
    app: &AppState,
    client: &reqwest::Client,
    url: &str,
    key: &str,
    seq: u64,
    body: &str,
    replay_of: Option<Uuid>,
) -> Result<(), String> {
    let timestamp = app.now_ms() / 1000;
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-opsroom-delivery", seq.to_string())
        .header("x-opsroom-timestamp", timestamp.to_string())
        .header("x-opsroom-signature", secrets::webhook_signature(key, timestamp, body))
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

/// Deliver a dead letter once more, now (an admin's replay). `Err` with the reason if it fails.
pub async fn replay(app: &AppState, letter: &DeadLetter) -> Result<(), String> {
    let target = app
        .store
        .webhook_targets()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|t| t.partner_id == letter.partner_id)
        .ok_or("the partner no longer takes webhooks")?;
    let client = reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build().map_err(|e| e.to_string())?;
    post(app, &client, &target.url, &target.secret, letter.seq, &letter.body, Some(letter.dead_id)).await
}
