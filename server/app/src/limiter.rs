//! Rate limits per client address, the rule and the buckets (`http::rate_limit` applies them to
//! the public endpoints: report intake, the form, tracking links, advisories, sign-in).
//!
//! Owns the client-address rule and the buckets. The client is the TCP peer, unless the peer is
//! one of the configured trusted proxies: then it is the right-most address in `X-Forwarded-For`
//! that is not itself a trusted proxy (the left-most entries are whatever the client wrote); an
//! entry that does not parse ends the walk at the last trusted hop. IPv6 clients count per /64
//! (one subscriber's allocation), IPv4-mapped addresses as IPv4. A token bucket per client refills
//! at the configured requests per minute; `0` turns the limit off. Must not keep unbounded state:
//! at most [`MAX_CLIENTS`] buckets, in order of when each client was last seen, so a newcomer to
//! a full table takes the place of the client seen longest ago — in constant time, however many
//! /64s an attacker rotates through — and is metered like everyone. A forgotten client starts
//! again with a full bucket, which only ever errs on its side. Knows nothing of requests, sessions
//! or the app's state (a leaf).
//!
//! Mobile networks in a crisis put many people behind one carrier address (CGNAT), so the
//! default is generous; an ops room under a flood can lower it.

use std::hash::RandomState;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use hashlink::LruCache;

/// Most buckets kept; a newcomer to a full table takes the place of the client seen longest ago.
pub const MAX_CLIENTS: usize = 100_000;

pub struct RateLimiter {
    per_minute: u32,
    trusted_proxies: Vec<IpAddr>,
    /// Buckets from the client seen longest ago to the latest. Keyed by addresses clients choose,
    /// so hashed with the standard library's keyed SipHash, not a fast unkeyed hash.
    buckets: Mutex<LruCache<IpAddr, Bucket, RandomState>>,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32, trusted_proxies: Vec<IpAddr>) -> Self {
        let trusted_proxies = trusted_proxies.into_iter().map(|ip| ip.to_canonical()).collect();
        let buckets = Mutex::new(LruCache::with_hasher(MAX_CLIENTS, RandomState::new()));
        Self { per_minute, trusted_proxies, buckets }
    }

    /// The client a request counts against.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        self.address(peer, headers).map(client_key)
    }

    /// The address a request comes from: the TCP peer, or what the trusted proxies say.
    pub fn address(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer?.to_canonical();
        if !self.trusted_proxies.contains(&client) {
            return Some(client);
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
        Some(client)
    }

    /// Take one request from `client`'s bucket at `now`; on refusal, how long until one is free.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().expect("rate limit table poisoned");
        // Seen: moved to the back. New: added at the back, and when the table is full the client
        // at the front, seen longest ago, is forgotten.
        if buckets.get_mut(&client).is_none() {
            buckets.insert(client, Bucket { tokens: capacity, last: now });
        }
        let bucket = buckets.peek_mut(&client).expect("the client was just seen or added");
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
    match ip.to_canonical() {
        ip @ IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
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

    /// The `n`th of many distinct clients.
    fn numbered(n: u32) -> IpAddr {
        IpAddr::from(n.to_be_bytes())
    }

    #[test]
    fn a_full_table_forgets_the_client_seen_longest_ago_and_meters_the_newcomer() {
        let limiter = RateLimiter::new(1, vec![]);
        let now = Instant::now();
        for n in 0..MAX_CLIENTS as u32 {
            assert!(limiter.check(numbered(n), now).is_ok());
        }
        // Client 0 comes back (its one request is spent): client 1 is now the one seen longest ago.
        assert!(limiter.check(numbered(0), now).is_err());
        let newcomer = ip("2001:db8:77::");
        assert!(limiter.check(newcomer, now).is_ok());
        assert!(limiter.check(newcomer, now).is_err(), "a newcomer to a full table is metered");
        assert!(limiter.check(numbered(0), now).is_err(), "a client seen lately keeps its bucket");
        assert!(limiter.check(numbered(1), now).is_ok(), "the client seen longest ago was forgotten");
    }

    #[test]
    fn clients_rotating_through_many_64s_are_each_metered() {
        // Two tables' worth of /64s, each one request over its allowance: every one is refused,
        // the second table's worth arriving at a full table (each costs one eviction, not a scan).
        let limiter = RateLimiter::new(1, vec![]);
        let now = Instant::now();
        for n in 0..2 * MAX_CLIENTS as u64 {
            let rotated = client_key(IpAddr::V6(Ipv6Addr::from((0x2001_0db8_u128 << 96) | (u128::from(n) << 64))));
            assert!(limiter.check(rotated, now).is_ok());
            assert!(limiter.check(rotated, now).is_err(), "client {n} is metered");
        }
    }
}
