//! The hub: reads the committed log as it grows and broadcasts each event once to all sockets.
//!
//! It also moves the map's counts ([`MapIndex`]) with every event, in order, before publishing,
//! and raises a notice when partners, staff accounts or crises change, so the sockets they may concern
//! re-check their credentials at once, on every node (each node's hub reads the same log).
//!
//! Owns the shared, bounded broadcast ring. A socket that falls more than a ring's worth behind
//! is told so by `broadcast` (Lagged) and catches up from the store itself; the hub never waits
//! for a slow socket and never buffers per socket.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use opsroom_store::{CrisisFilter, Store, StoredEvent};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::live::map::MapIndex;
use crate::wire::{CrisisOfEvent, EventBody};

/// Most events read from the log in one query.
const PAGE: u32 = 1000;

/// Events after which partner sockets re-check their token and profile, and webhook delivery
/// re-reads which partners take webhooks.
const PARTNER_CHANGES: [&str; 3] = ["partner_registered", "partner_updated", "partner_token_revoked"];

/// Events after which every node reloads its crises (where reports are placed).
const CRISIS_CHANGES: [&str; 4] = ["crisis_declared", "crisis_edited", "crisis_phase_changed", "crisis_closed"];

/// Events after which operators' sockets re-check their session: each may have ended it.
const STAFF_CHANGES: [&str; 3] = ["user_disabled", "user_password_reset", "user_sessions_ended"];

/// One event, serialised once as the live stream's JSON message, with the crisis it concerns.
#[derive(Debug)]
pub struct Frame {
    pub seq: u64,
    pub text: Utf8Bytes,
    pub scope: Scope,
}

/// Which crisis an event concerns, for streams narrowed to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// About no case and no crisis (accounts, partners, advisories, zones): every stream.
    Everyone,
    /// About a case placed in this crisis (`None`: unplaced).
    Case(Option<Uuid>),
    /// About a crisis itself (declared, edited, phase changed).
    Crisis(Uuid),
}

impl Scope {
    /// Whether a frame of this scope belongs on a stream narrowed to `stream`
    /// (`LiveRequest::Subscribe`'s `crisis`).
    pub fn on(self, stream: CrisisFilter) -> bool {
        match (stream, self) {
            (_, Scope::Everyone) => true,
            (CrisisFilter::Crisis(wanted), Scope::Case(crisis)) => crisis == Some(wanted),
            (CrisisFilter::Unplaced, Scope::Case(crisis)) => crisis.is_none(),
            (CrisisFilter::Crisis(wanted), Scope::Crisis(crisis)) => crisis == wanted,
            // The unplaced queue is sorted into crises: operators working it follow them all.
            (CrisisFilter::Unplaced, Scope::Crisis(_)) => true,
        }
    }
}

impl Frame {
    /// The frames of a page of events, each scoped by its case's crisis (`crises`, from
    /// [`Store::case_crises`]) or the crisis it is about.
    pub fn of_page(events: &[StoredEvent], crises: &HashMap<Uuid, Option<Uuid>>) -> Vec<Frame> {
        events
            .iter()
            .map(|event| {
                let scope = match event.case_id {
                    Some(case_id) => Scope::Case(crises.get(&case_id).copied().flatten()),
                    None if event.kind.starts_with("crisis_") => serde_json::from_str::<CrisisOfEvent>(&event.data)
                        .map_or(Scope::Everyone, |about| Scope::Crisis(about.crisis_id)),
                    None => Scope::Everyone,
                };
                let text = serde_json::to_string(&EventBody::from_stored(event)).expect("event messages serialize");
                Frame { seq: event.seq, text: text.into(), scope }
            })
            .collect()
    }

    /// Read the crises of a page's cases and scope its frames (see [`Frame::of_page`]).
    pub async fn read_page(store: &Store, events: &[StoredEvent]) -> opsroom_store::Result<Vec<Frame>> {
        let mut cases: Vec<Uuid> = events.iter().filter_map(|e| e.case_id).collect();
        cases.sort_unstable();
        cases.dedup();
        let crises = if cases.is_empty() { HashMap::new() } else { store.case_crises(&cases).await? };
        Ok(Self::of_page(events, &crises))
    }
}

#[derive(Clone)]
pub struct Hub {
    frames: broadcast::Sender<Arc<Frame>>,
    published: watch::Receiver<u64>,
    map: Arc<RwLock<MapIndex>>,
    partner_changes: watch::Receiver<u64>,
    staff_changes: watch::Receiver<u64>,
    crisis_changes: watch::Receiver<u64>,
}

impl Hub {
    /// Start following the log from a snapshot of the map's counts, keeping the last `ring`
    /// frames for sockets that are briefly behind.
    pub async fn start(
        store: Store,
        ring: usize,
        shutdown: CancellationToken,
        tasks: &TaskTracker,
    ) -> opsroom_store::Result<Self> {
        let (frames, _) = broadcast::channel(ring.max(1));
        let snapshot = store.map_snapshot().await?;
        let (published_tx, published) = watch::channel(snapshot.seq);
        let map = Arc::new(RwLock::new(MapIndex::from_snapshot(&snapshot)));
        let head = store.committed_head();
        let (partner_changes_tx, partner_changes) = watch::channel(0);
        let (staff_changes_tx, staff_changes) = watch::channel(0);
        let (crisis_changes_tx, crisis_changes) = watch::channel(0);
        let notices = Notices { partners: partner_changes_tx, staff: staff_changes_tx, crises: crisis_changes_tx };
        let follow = follow_log(store, head, frames.clone(), published_tx, map.clone(), notices, shutdown);
        tasks.spawn(follow);
        Ok(Self { frames, published, map, partner_changes, staff_changes, crisis_changes })
    }

    /// Read the map's counts (as of the position they report).
    pub fn map<T>(&self, read: impl FnOnce(&MapIndex) -> T) -> T {
        read(&self.map.read().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Receive every frame broadcast from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.frames.subscribe()
    }

    /// Moves whenever a partner is registered or changed or a partner token revoked, on any
    /// node: partner sockets re-check their token and profile, webhook delivery its targets.
    pub fn partner_changes(&self) -> watch::Receiver<u64> {
        self.partner_changes.clone()
    }

    /// Moves whenever an account is disabled, has its password reset or its sessions ended, on
    /// any node: operators' sockets re-check their session at once.
    pub fn staff_changes(&self) -> watch::Receiver<u64> {
        self.staff_changes.clone()
    }

    /// Moves whenever a crisis is declared, edited or changes phase, on any node: each node
    /// reloads where it places reports.
    pub fn crisis_changes(&self) -> watch::Receiver<u64> {
        self.crisis_changes.clone()
    }

    /// Position of the last event broadcast.
    pub fn published(&self) -> u64 {
        *self.published.borrow()
    }
}

/// The notices the hub raises when events of certain kinds pass.
struct Notices {
    partners: watch::Sender<u64>,
    staff: watch::Sender<u64>,
    crises: watch::Sender<u64>,
}

impl Notices {
    fn raise(&self, events: &[StoredEvent]) {
        let notices: [(&[&str], _); 3] =
            [(&PARTNER_CHANGES, &self.partners), (&STAFF_CHANGES, &self.staff), (&CRISIS_CHANGES, &self.crises)];
        for (kinds, notice) in notices {
            if events.iter().any(|e| kinds.contains(&e.kind.as_str())) {
                notice.send_modify(|n| *n += 1);
            }
        }
    }
}

async fn follow_log(
    store: Store,
    mut head: watch::Receiver<u64>,
    frames: broadcast::Sender<Arc<Frame>>,
    published: watch::Sender<u64>,
    map: Arc<RwLock<MapIndex>>,
    notices: Notices,
    shutdown: CancellationToken,
) {
    let mut last = *published.borrow();
    loop {
        let target = *head.borrow_and_update();
        while last < target {
            // Serialise frames only when someone is watching (a socket that subscribes later
            // replays from the store whatever came before it). A page is published whole or not
            // at all: if its frames cannot be scoped, it is read again, so no socket waits on a
            // frame that was never sent.
            let read = async {
                let events = store.events_after(last, PAGE).await?;
                let page =
                    if frames.receiver_count() > 0 { Frame::read_page(&store, &events).await? } else { Vec::new() };
                Ok::<_, opsroom_store::StoreError>((events, page))
            };
            match read.await {
                Ok((events, _)) if events.is_empty() => break,
                Ok((events, page)) => {
                    {
                        let mut map = map.write().unwrap_or_else(|poisoned| poisoned.into_inner());
                        for event in &events {
                            map.apply(event);
                        }
                    }
                    notices.raise(&events);
                    for frame in page {
                        let _ = frames.send(Arc::new(frame));
                    }
                    last = events.last().map_or(last, |e| e.seq);
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
        tokio::select! {
            _ = shutdown.cancelled() => return,
            changed = head.changed() => if changed.is_err() { return },
        }
    }
}
