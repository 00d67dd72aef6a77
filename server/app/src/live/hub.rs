//! The hub: reads the committed log as it grows and broadcasts each event once to all sockets.
//!
//! Owns the shared, bounded broadcast ring. A socket that falls more than a ring's worth behind
//! is told so by `broadcast` (Lagged) and catches up from the store itself; the hub never waits
//! for a slow socket and never buffers per socket.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use opsroom_store::{Store, StoredEvent};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::wire::EventBody;

/// Most events read from the log in one query.
const PAGE: u32 = 1000;

/// One event, serialised once as the live stream's JSON message.
#[derive(Debug)]
pub struct Frame {
    pub seq: u64,
    pub text: Utf8Bytes,
}

impl Frame {
    pub fn from_stored(event: &StoredEvent) -> Self {
        let text = serde_json::to_string(&EventBody::from_stored(event)).expect("event messages serialize");
        Self { seq: event.seq, text: text.into() }
    }
}

#[derive(Clone)]
pub struct Hub {
    frames: broadcast::Sender<Arc<Frame>>,
    published: watch::Receiver<u64>,
}

impl Hub {
    /// Start following the store's committed head from its current position, keeping the last
    /// `ring` frames for sockets that are briefly behind.
    pub fn start(store: Store, ring: usize, shutdown: CancellationToken, tasks: &TaskTracker) -> Self {
        let (frames, _) = broadcast::channel(ring.max(1));
        let head = store.committed_head();
        let start = *head.borrow();
        let (published_tx, published) = watch::channel(start);
        tasks.spawn(follow_log(store, head, frames.clone(), published_tx, shutdown));
        Self { frames, published }
    }

    /// Receive every frame broadcast from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.frames.subscribe()
    }

    /// Position of the last event broadcast.
    pub fn published(&self) -> u64 {
        *self.published.borrow()
    }
}

async fn follow_log(
    store: Store,
    mut head: watch::Receiver<u64>,
    frames: broadcast::Sender<Arc<Frame>>,
    published: watch::Sender<u64>,
    shutdown: CancellationToken,
) {
    let mut last = *published.borrow();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            changed = head.changed() => if changed.is_err() { return },
        }
        let target = *head.borrow_and_update();
        if frames.receiver_count() == 0 {
            // Nobody is watching: skip reading. A socket that subscribes later replays from the
            // store anything before the position it starts at.
            last = target;
            published.send_replace(last);
            continue;
        }
        while last < target {
            match store.events_after(last, PAGE).await {
                Ok(events) if events.is_empty() => break,
                Ok(events) => {
                    for event in &events {
                        // No receivers is fine: nobody is watching right now.
                        let _ = frames.send(Arc::new(Frame::from_stored(event)));
                        last = event.seq;
                    }
                    published.send_replace(last);
                }
                Err(error) => {
                    tracing::error!(%error, "reading the log for live streams; retrying");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                    }
                }
            }
        }
    }
}
