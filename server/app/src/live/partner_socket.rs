//! One partner agency's live connection: wait for `subscribe`, then send the partner's feed
//! items in log order, each once, reading them from the store whenever the committed head moves.
//!
//! Owns the partner stream's guarantees: only items of `partner_feed` (cases referred to this
//! partner, cut to its profile) ever go out; positions only grow, so nothing is sent twice; the
//! token is re-checked as soon as the hub sees any token revoked or partner changed (and every
//! [`RECHECK`] for expiry), so a revoked token ends the stream within a second; a new profile
//! applies to the next item. Partners are few, so reading the store when the head moves (at
//! most every `FEED_PACE`) is affordable and keeps this free of the hub's per-frame bookkeeping.

use std::time::Duration;

use axum::extract::ws::WebSocket;
use futures_util::StreamExt;

use super::socket::{Connection, End, handle_incoming, wait_for_subscribe};
use crate::auth::PartnerCaller;
use crate::partner_feed;
use crate::state::AppState;
use crate::wire::LiveNotice;

/// How often a token is re-checked when nothing else prompts it (expiry).
const RECHECK: Duration = Duration::from_secs(30);

/// Run one partner connection to its end.
pub async fn serve(socket: WebSocket, app: AppState, caller: PartnerCaller) {
    let (sink, mut stream) = socket.split();
    let mut connection = Connection { sink, app: app.clone() };
    let end = match stream_items(&mut connection, &mut stream, caller).await {
        Ok(never) => match never {},
        Err(end) => end,
    };
    match &end {
        End::Store(error) => tracing::warn!(%error, "partner live connection ended: store unavailable"),
        other => tracing::debug!(end = ?other, "partner live connection ended"),
    }
    connection.close(&end).await;
}

enum Never {}

async fn stream_items(
    connection: &mut Connection,
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    mut caller: PartnerCaller,
) -> Result<Never, End> {
    let app = connection.app.clone();
    let store_error = |e: opsroom_store::StoreError| End::Store(e.to_string());
    // Watch for changes before the first read, so none slips between the two.
    let mut head = app.store.committed_head();
    let mut partner_changes = app.hub.partner_changes();
    // A partner's stream is its feed, already cut to what was referred to it.
    let since = wait_for_subscribe(connection, stream).await?.since;
    let mut last = match since {
        Some(since) => since,
        None => {
            let position = *head.borrow();
            connection.send_notice(&LiveNotice::Snapshot { seq: position }).await?;
            position
        }
    };
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.reset();
    let mut last_read = tokio::time::Instant::now();
    loop {
        // Send everything up to the head this node has seen.
        let target = *head.borrow_and_update();
        if last < target {
            tokio::time::sleep_until(last_read + partner_feed::FEED_PACE).await;
            last_read = tokio::time::Instant::now();
        }
        while last < target {
            // A long catch-up still stops for a shutdown and re-checks a revoked token at once.
            if app.shutdown.is_cancelled() {
                return Err(End::ShuttingDown);
            }
            if partner_changes.has_changed().unwrap_or(false) {
                partner_changes.borrow_and_update();
                caller = recheck_token(&app, caller).await?;
            }
            let partner = &caller.session.partner;
            let (items, next) =
                partner_feed::items_after(&app.store, partner, last, target).await.map_err(store_error)?;
            let texts = items.iter().map(|item| serde_json::to_string(item).expect("feed items serialize").into());
            connection.send_burst(texts).await?;
            last = next;
        }
        tokio::select! {
            biased;
            _ = app.shutdown.cancelled() => return Err(End::ShuttingDown),
            incoming = stream.next() => handle_incoming(connection, incoming).await?,
            changed = partner_changes.changed() => {
                if changed.is_err() {
                    return Err(End::ShuttingDown);
                }
                caller = recheck_token(&app, caller).await?;
            }
            _ = recheck.tick() => caller = recheck_token(&app, caller).await?,
            changed = head.changed() => if changed.is_err() { return Err(End::ShuttingDown) },
        }
    }
}

/// The caller with its partner as registered now; the stream ends if the token (or the page
/// session) is no longer live.
async fn recheck_token(app: &AppState, caller: PartnerCaller) -> Result<PartnerCaller, End> {
    let session =
        caller.credential.session(app).await.map_err(|e| End::Store(e.to_string()))?.ok_or(End::SessionEnded)?;
    Ok(PartnerCaller { session, ..caller })
}
