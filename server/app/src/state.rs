//! The state every request handler shares: [`App`] behind [`AppState`], and the clock.
//!
//! A leaf of the module graph: it names the parts it holds (the store, the live hub, the
//! configuration, the rate limiter, the partner streams' seats, the crises) and uses nothing that uses it,
//! so handlers, extractors and tasks can all depend on it without a cycle. Must not start
//! anything (that is `server`'s).

use std::sync::Arc;

use opsroom_domain::country::{CountryCode, PhoneRegions};
use opsroom_store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::crises::Crises;
use crate::limiter::RateLimiter;
use crate::live::Hub;
use crate::live::seats::PartnerSockets;

/// Everything a request handler may use.
pub struct App {
    pub store: Store,
    pub hub: Hub,
    pub config: Config,
    /// Fires when the server is stopping; websockets close on it.
    pub shutdown: CancellationToken,
    /// Tasks that must finish before the store closes (websocket connections).
    pub tasks: TaskTracker,
    /// A real argon2 hash of a random password, verified when a login names an unknown user,
    /// so that the answer takes as long as for a known one.
    pub decoy_password_hash: String,
    /// Requests per client on the public endpoints.
    pub rate_limiter: RateLimiter,
    /// Open partner streams per partner (bounded).
    pub partner_sockets: PartnerSockets,
    /// The crises, where reports are placed.
    pub crises: Arc<Crises>,
}

pub type AppState = Arc<App>;

impl App {
    /// The wall clock, in ms since the epoch. The only clock read in request handling.
    pub fn now_ms(&self) -> i64 {
        now_ms()
    }

    /// Where phones typed without their country code are read, for a report or call about a
    /// crisis in `crisis_country` (`None` when it is not known): the one place the app decides
    /// it.
    pub fn phone_regions(&self, crisis_country: Option<CountryCode>) -> PhoneRegions {
        PhoneRegions { crisis: crisis_country, home: self.config.home_country }
    }
}

/// The wall clock, in ms since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
