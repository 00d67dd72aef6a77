//! Whether a request comes from this site: its own pages (or a configured origin), or a program
//! that is no browser. `http::guard` applies it to cookie-authenticated writes and form posts,
//! `auth` to the partner page's cookie, `http::live` to websocket handshakes. Reads headers and
//! the configuration only.

use axum::http::HeaderMap;
use axum::http::HeaderValue;
use axum::http::header::{HOST, ORIGIN};

use crate::config::Config;

/// Whether a browser sent this request from one of our own pages (or a configured origin).
/// Requests without `Sec-Fetch-Site` and `Origin` are not a browser's and pass.
pub fn from_this_site(headers: &HeaderMap, config: &Config) -> bool {
    let origin_listed = || headers.get(ORIGIN).and_then(|o| o.to_str().ok()).is_some_and(|o| listed_origin(o, config));
    match headers.get("sec-fetch-site").map(HeaderValue::as_bytes) {
        Some(b"same-origin" | b"none") => true,
        Some(_) => origin_listed(),
        None => origin_allowed(headers, config),
    }
}

/// Browsers always send `Origin` on a websocket handshake and on cross-origin posts; programs
/// may omit it (they still need their credentials). The server's own origin is the `Host` the
/// request was sent to (or the public URL's), unless an allowlist of origins replaces it.
pub fn origin_allowed(headers: &HeaderMap, config: &Config) -> bool {
    let Some(origin) = headers.get(ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    if listed_origin(origin, config) {
        return true;
    }
    if !config.allowed_origins.is_empty() {
        return false;
    }
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}

/// An origin named by configuration: the allowlist or the public URL.
fn listed_origin(origin: &str, config: &Config) -> bool {
    let same = |allowed: &str| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin);
    config.allowed_origins.iter().any(|a| same(a)) || config.public_origin().is_some_and(|o| same(&o))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn same_origin_by_default() {
        let config = Config::new("sqlite://x");
        let allowed = |pairs: &[(&str, &str)]| origin_allowed(&headers(pairs), &config);
        assert!(allowed(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]));
        assert!(!allowed(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")]));
        assert!(!allowed(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:9999")]));
        assert!(!allowed(&[("host", "127.0.0.1:8080"), ("origin", "null")]));
        assert!(allowed(&[("host", "127.0.0.1:8080")]));
    }

    #[test]
    fn an_allowlist_replaces_same_origin_and_the_public_url_always_counts() {
        let mut config = Config::new("sqlite://x");
        config.allowed_origins = vec!["https://ops.example.org".to_owned()];
        config.public_url = Some("https://opsroom.example.org".to_owned());
        let allowed = |pairs: &[(&str, &str)]| origin_allowed(&headers(pairs), &config);
        assert!(allowed(&[("host", "10.0.0.1"), ("origin", "https://ops.example.org")]));
        assert!(allowed(&[("host", "10.0.0.1"), ("origin", "https://opsroom.example.org")]));
        assert!(!allowed(&[("host", "10.0.0.1"), ("origin", "http://10.0.0.1")]));
    }

    #[test]
    fn fetch_metadata_decides_before_origin() {
        let config = Config::new("sqlite://x");
        let site = |pairs: &[(&str, &str)]| from_this_site(&headers(pairs), &config);
        assert!(site(&[("host", "a.example"), ("sec-fetch-site", "same-origin"), ("origin", "https://a.example")]));
        assert!(site(&[("host", "a.example"), ("sec-fetch-site", "none")]));
        // A sibling subdomain is "same-site" for SameSite cookies, but not this site.
        assert!(!site(&[("host", "a.example"), ("sec-fetch-site", "same-site"), ("origin", "https://b.a.example")]));
        assert!(!site(&[("host", "a.example"), ("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")]));
        // Browsers without fetch metadata: the Origin decides; programs send neither.
        assert!(!site(&[("host", "a.example"), ("origin", "https://evil.example")]));
        assert!(site(&[("host", "a.example")]));
    }
}
