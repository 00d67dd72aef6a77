//! The crises as this server places reports in them: the store's crises with their ground tiled
//! into one [`CrisisIndex`], swapped whole when a crisis changes — on the node that made the
//! change before it answers, on every other node when its hub passes the `crisis_*` event.
//!
//! Owns the in-memory index and the choice of a report's crisis (the one chosen, or the one
//! whose ground holds the report's cell). Must not decide what a crisis is (the domain's) nor
//! use the app state (a leaf the state holds).

use std::sync::{Arc, RwLock};

use opsroom_domain::Rejected;
use opsroom_domain::crisis::{Crisis, CrisisCover, CrisisIndex, UNPLACED};
use opsroom_domain::location::Cell;
use opsroom_store::{CrisisFilter, Store};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub struct Crises {
    store: Store,
    index: RwLock<Arc<CrisisIndex>>,
    /// Held for a whole reload (read, tile, swap), so reloads run one after another: a reload
    /// begun earlier, from an older state, can never swap its index in after a newer one.
    reloading: tokio::sync::Mutex<()>,
}

impl Crises {
    /// Read and tile the stored crises.
    pub async fn load(store: Store) -> opsroom_store::Result<Self> {
        let crises = Self { store, index: RwLock::new(Arc::default()), reloading: tokio::sync::Mutex::new(()) };
        crises.reload().await?;
        Ok(crises)
    }

    /// Read and tile the stored crises again, then swap the index. Tiling is CPU work (a
    /// country is thousands of cells): it runs off the async threads.
    pub async fn reload(&self) -> opsroom_store::Result<()> {
        let _one_at_a_time = self.reloading.lock().await;
        let stored = self.store.crises().await?;
        let tile = move || {
            CrisisIndex::new(stored.into_iter().map(|crisis| {
                let cover = cover(&crisis);
                (crisis, cover)
            }))
        };
        let index = tokio::task::spawn_blocking(tile).await.expect("tiling crises does not panic");
        *self.index.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(index);
        Ok(())
    }

    /// The index as it stands (cheap: an `Arc`).
    pub fn index(&self) -> Arc<CrisisIndex> {
        self.index.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The crisis a report goes to: the open crisis named by `chosen` (its slug), or else the
    /// one whose ground holds `cell`; `None` when no crisis holds it (unplaced). A chosen slug
    /// that names no open crisis is refused at `field`.
    pub fn place(&self, chosen: Option<&str>, cell: Option<Cell>, field: &str) -> Result<Option<Crisis>, Rejected> {
        let index = self.index();
        match chosen.map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => open_named(&index, slug, field).map(|c| Some(c.clone())),
            None => Ok(cell.and_then(|cell| index.place(cell)).cloned()),
        }
    }
}

/// The crisis `slug` names, open or closed; refused at `field` when none does.
pub fn named<'a>(index: &'a CrisisIndex, slug: &str, field: &str) -> Result<&'a Crisis, Rejected> {
    index.by_slug(slug).ok_or_else(|| Rejected::new("unknown_crisis", field, format!("no crisis is called {slug}")))
}

/// The open crisis `slug` names; refused at `field` when none does, as a conflict when it is
/// closed (a closed crisis takes no new report and no case).
pub fn open_named<'a>(index: &'a CrisisIndex, slug: &str, field: &str) -> Result<&'a Crisis, Rejected> {
    let crisis = named(index, slug, field)?;
    if !crisis.is_open() {
        return Err(Rejected::conflict("crisis_closed", field, format!("the crisis {slug} is closed")));
    }
    Ok(crisis)
}

/// A `crisis` filter's value (`?crisis=`, a stream's subscription): a slug, or `unplaced`;
/// `None` when it names no crisis.
pub fn filter(index: &CrisisIndex, raw: &str) -> Option<CrisisFilter> {
    match raw {
        UNPLACED => Some(CrisisFilter::Unplaced),
        slug => index.by_slug(slug).map(|c| CrisisFilter::Crisis(c.crisis_id)),
    }
}

/// The ground a crisis's reports are placed by (its drawn area, else its countries'
/// outlines), tiled.
fn cover(crisis: &Crisis) -> Option<CrisisCover> {
    let ground = crisis.ground()?;
    match CrisisCover::tile(&ground) {
        Ok(cover) => Some(cover),
        Err(refused) => {
            // Declared areas were tiled before they were stored; one that no longer tiles is
            // placed by choice only, and said so.
            tracing::warn!(slug = crisis.slug.as_str(), %refused.message, "crisis ground does not tile");
            None
        }
    }
}

/// Reload whenever the hub passes a crisis event (any node's change), until `shutdown`.
pub async fn follow(crises: Arc<Crises>, mut changes: watch::Receiver<u64>, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
                if let Err(error) = crises.reload().await {
                    tracing::warn!(%error, "reloading crises failed; the next change retries");
                }
            }
        }
    }
}
