//! Rate limits per client address on the public endpoints (report intake, the form, tracking
//! links, advisories, sign-in): a middleware for the JSON API, and [`Admission`] for the pages,
//! which answer over-limit requests themselves in the page's language.
//!
//! Owns the client-address rule and the buckets. The client is the TCP peer, unless the peer is
//! one of the configured trusted proxies: then it is the right-most address in `X-Forwarded-For`
//! that is not itself a trusted proxy (the left-most entries are whatever the client wrote).
//! A token bucket per address refills at the configured requests per minute; `0` turns the limit
//! off. Must not keep unbounded state: idle buckets are dropped when the table grows.
//!
//! Mobile networks in a crisis put many people behind one carrier address (CGNAT), so the
//! default is generous; an ops room under a flood can lower it.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;
use crate::server::AppState;

/// Buckets kept before idle ones are swept.
const SWEEP_AT: usize = 100_000;

pub struct RateLimiter {
    per_minute: u32,
    trusted_proxies: Vec<IpAddr>,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32, trusted_proxies: Vec<IpAddr>) -> Self {
        Self { per_minute, trusted_proxies, buckets: Mutex::new(HashMap::new()) }
    }

    /// The client a request counts against.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|part| part.trim().parse().ok())
            .collect();
        Some(forwarded.into_iter().rev().find(|ip| !self.trusted_proxies.contains(ip)).unwrap_or(peer))
    }

    /// Take one request from `client`'s bucket at `now`; on refusal, how long until one is free.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().expect("rate limit table poisoned");
        if buckets.len() >= SWEEP_AT {
            // A bucket idle long enough to be full again holds no information.
            let full_after = Duration::from_secs(60);
            buckets.retain(|_, b| now.duration_since(b.last) < full_after);
        }
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: capacity, last: now });
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

/// Middleware for the public API routes: 429 (JSON) with `Retry-After` over the limit.
pub async fn limit(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if let Err(refusal) = admit(&app, request.extensions(), request.headers()) {
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
    }
}
