//! Rate limits per client address on the public endpoints (report intake, the form, tracking
//! links, advisories, sign-in): a middleware for the JSON API, and [`Admission`] for the pages,
//! which answer over-limit requests themselves in the page's language.
//!
//! Owns the client-address rule and the buckets. The client is the TCP peer, unless the peer is
//! one of the configured trusted proxies: then it is the right-most address in `X-Forwarded-For`
//! that is not itself a trusted proxy (the left-most entries are whatever the client wrote); an
//! entry that does not parse ends the walk at the last trusted hop. IPv6 clients count per /64
//! (one subscriber's allocation), IPv4-mapped addresses as IPv4. A token bucket per client refills
//! at the configured requests per minute; `0` turns the limit off. Signed-in staff are not
//! limited. Must not keep unbounded state: at most [`MAX_CLIENTS`] buckets; when full of busy
//! clients, a new client is let through unmetered rather than refused (citizens first).
//!
//! Mobile networks in a crisis put many people behind one carrier address (CGNAT), so the
//! default is generous; an ops room under a flood can lower it.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{SESSION_HASH_DOMAIN, session_token};
use crate::http::error::ApiError;
use crate::secrets;
use crate::server::AppState;

/// Most buckets kept; idle ones are swept when the table is full.
pub const MAX_CLIENTS: usize = 100_000;
/// Least time between two sweeps, so a full table does not cost every request a scan.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

pub struct RateLimiter {
    per_minute: u32,
    trusted_proxies: Vec<IpAddr>,
    table: Mutex<Table>,
}

struct Table {
    buckets: HashMap<IpAddr, Bucket>,
    last_sweep: Option<Instant>,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32, trusted_proxies: Vec<IpAddr>) -> Self {
        let trusted_proxies = trusted_proxies.into_iter().map(|ip| ip.to_canonical()).collect();
        Self { per_minute, trusted_proxies, table: Mutex::new(Table { buckets: HashMap::new(), last_sweep: None }) }
    }

    /// The client a request counts against.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer?.to_canonical();
        if !self.trusted_proxies.contains(&client) {
            return Some(bucket_key(client));
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for entry in forwarded.into_iter().rev() {
            let Some(hop) = parse_hop(entry.trim()) else { break };
            client = hop;
            if !self.trusted_proxies.contains(&hop) {
                break;
            }
        }
        Some(bucket_key(client))
    }

    /// Take one request from `client`'s bucket at `now`; on refusal, how long until one is free.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut table = self.table.lock().expect("rate limit table poisoned");
        if !table.buckets.contains_key(&client) && table.buckets.len() >= MAX_CLIENTS {
            if table.last_sweep.is_none_or(|at| now.duration_since(at) >= SWEEP_EVERY) {
                // A bucket idle for a minute is full again: it holds no information.
                table.buckets.retain(|_, b| now.duration_since(b.last) < Duration::from_secs(60));
                table.last_sweep = Some(now);
            }
            if table.buckets.len() >= MAX_CLIENTS {
                return Ok(());
            }
        }
        let bucket = table.buckets.entry(client).or_insert(Bucket { tokens: capacity, last: now });
        let refill = now.duration_since(bucket.last).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

/// One `X-Forwarded-For` entry: an address, or an address with a port (`1.2.3.4:5678`, `[::1]:80`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let ip = entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))?;
    Some(ip.to_canonical())
}

/// What a client counts as, for rate limits and connection caps alike: its IPv4 address, or
/// the /64 its IPv6 address is in.
pub fn client_key(ip: IpAddr) -> IpAddr {
    bucket_key(ip.to_canonical())
}

fn bucket_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
    }
}

/// Take one request of this client's allowance; over it, the 429 to answer.
fn admit(app: &AppState, extensions: &Extensions, headers: &HeaderMap) -> Result<(), ApiError> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    match app.rate_limiter.client(peer, headers) {
        Some(client) => app
            .rate_limiter
            .check(client, Instant::now())
            .map_err(|wait| ApiError::TooManyRequests(wait.as_secs().max(1))),
        None => Ok(()),
    }
}

/// Middleware for the public API routes: 429 (JSON) with `Retry-After` over the limit. Requests
/// with a live staff session are not counted: an ops room behind one address reads advisories
/// and its session often, and a forged cookie costs one indexed lookup before being counted.
pub async fn limit(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let staff = match session_token(request.headers(), &app.config) {
        Some(token) => {
            let hash = secrets::token_hash(SESSION_HASH_DOMAIN, token);
            matches!(app.store.session_user(&hash, app.now_ms()).await, Ok(Some(_)))
        }
        None => false,
    };
    if !staff && let Err(refusal) = admit(&app, request.extensions(), request.headers()) {
        return refusal.into_response();
    }
    next.run(request).await
}

/// The same limit for handlers that answer a refusal themselves (the public pages, which say it
/// in the page's language and keep what was typed): `Err` holds the 429 to render.
pub struct Admission(pub Result<(), ApiError>);

impl FromRequestParts<AppState> for Admission {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Admission(admit(app, &parts.extensions, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_up_to_the_limit_passes_then_waits_for_refill() {
        let limiter = RateLimiter::new(3, vec![]);
        let start = Instant::now();
        let client = ip("203.0.113.5");
        for _ in 0..3 {
            assert!(limiter.check(client, start).is_ok());
        }
        let wait = limiter.check(client, start).unwrap_err();
        assert!(wait > Duration::from_secs(15) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(limiter.check(ip("203.0.113.6"), start).is_ok(), "another client has its own bucket");
        assert!(limiter.check(client, start + Duration::from_secs(20)).is_ok());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = RateLimiter::new(0, vec![]);
        for _ in 0..1000 {
            assert!(limiter.check(ip("203.0.113.5"), Instant::now()).is_ok());
        }
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let limiter = RateLimiter::new(10, vec![ip("10.0.0.1"), ip("10.0.0.2")]);
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "198.51.100.7, 203.0.113.9, 10.0.0.2".parse().unwrap());
        // From a stranger the header is ignored: anyone can write it.
        assert_eq!(limiter.client(Some(ip("192.0.2.1")), &headers), Some(ip("192.0.2.1")));
        // Behind the proxies: the right-most address no proxy of ours added.
        assert_eq!(limiter.client(Some(ip("10.0.0.1")), &headers), Some(ip("203.0.113.9")));
        assert_eq!(limiter.client(Some(ip("10.0.0.1")), &HeaderMap::new()), Some(ip("10.0.0.1")));
        // A port on an entry is not a way around the walk; an entry that does not parse ends it
        // at the last trusted hop rather than letting the client's own entries through.
        let mut ported = HeaderMap::new();
        ported.insert("x-forwarded-for", "10.9.9.9, 203.0.113.7:5555".parse().unwrap());
        assert_eq!(limiter.client(Some(ip("10.0.0.1")), &ported), Some(ip("203.0.113.7")));
        let mut garbage = HeaderMap::new();
        garbage.insert("x-forwarded-for", "10.9.9.9, not-an-address".parse().unwrap());
        assert_eq!(limiter.client(Some(ip("10.0.0.1")), &garbage), Some(ip("10.0.0.1")));
        // The proxy as an IPv4-mapped IPv6 peer is still the proxy.
        assert_eq!(limiter.client(Some(ip("::ffff:10.0.0.1")), &headers), Some(ip("203.0.113.9")));
    }

    #[test]
    fn an_ipv6_client_counts_per_64() {
        let limiter = RateLimiter::new(1, vec![]);
        let now = Instant::now();
        let first = limiter.client(Some(ip("2001:db8:1:2::1")), &HeaderMap::new()).unwrap();
        let rotated = limiter.client(Some(ip("2001:db8:1:2:ffff::9")), &HeaderMap::new()).unwrap();
        assert_eq!(first, rotated);
        assert!(limiter.check(first, now).is_ok());
        assert!(limiter.check(rotated, now).is_err(), "a new address in the same /64 is the same client");
        let neighbour = limiter.client(Some(ip("2001:db8:1:3::1")), &HeaderMap::new()).unwrap();
        assert!(limiter.check(neighbour, now).is_ok());
    }

    #[test]
    fn a_full_table_lets_new_clients_through_unmetered() {
        let limiter = RateLimiter::new(1, vec![]);
        let now = Instant::now();
        for n in 0..MAX_CLIENTS as u32 {
            assert!(limiter.check(IpAddr::from(n.to_be_bytes()), now).is_ok());
        }
        let newcomer = ip("203.0.113.200");
        assert!(limiter.check(newcomer, now).is_ok());
        assert!(limiter.check(newcomer, now).is_ok(), "not tracked while the table is full of busy clients");
        // A minute later the idle buckets are swept and the newcomer is metered again.
        let later = now + Duration::from_secs(61);
        assert!(limiter.check(newcomer, later).is_ok());
        assert!(limiter.check(newcomer, later).is_err());
    }
}
