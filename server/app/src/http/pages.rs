//! The web pages' files: `/ops/` (the ops room), `/partner/` (a partner agency's page) and
//! `/static/` (the public form's script, style and gazetteer; the public pages themselves are
//! rendered by `citizen`). The built assets
//! (web/dist, made by `npm run build` in web/) are embedded in the binary, so a fresh clone
//! serves them with cargo alone and nothing is fetched from the internet at run time.
//!
//! Caching: every static asset has a content-hashed name (`app.<hash>.js`, given by the build),
//! so it is served `immutable` for a year; the pages (`index.html`, and every page rendered by
//! the server) stay `no-store` (the router's default). `asset_url` is the one way server code
//! names an asset: it reads the build's map (dist/assets.json) from logical to hashed URL.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::http::error::ApiError;
use crate::state::AppState;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../web/dist/"]
struct Assets;

/// A year, and never revalidated: the name changes whenever the content does.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The build's map from an asset's logical URL (`/static/form.js`) to its hashed one.
static ASSET_URLS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Assets::get("assets.json").and_then(|file| serde_json::from_slice(&file.data).ok()).unwrap_or_default()
});

/// The URL a page should load an asset from: its content-hashed name. A logical URL the build
/// does not know is given back as it is (and answers 404); a unit test checks every one the
/// server's pages use.
pub fn asset_url(logical: &'static str) -> &'static str {
    ASSET_URLS.get(logical).map_or(logical, String::as_str)
}

/// The public pages' service worker (web/public/src/sw.js), at the top of dist/ so that it is
/// served only at `/sw.js`, whose scope is the whole site, and never under `/static/`.
const SERVICE_WORKER: &str = "sw.js";

/// Pages may load only what this server serves (plus, for map images, the configured tile
/// server's origin): no CDN, no other site's script, no framing.
fn content_security_policy(tile_origin: Option<&str>) -> String {
    format!(
        "default-src 'self'; connect-src 'self'; img-src 'self' data:{}; style-src 'self'; script-src 'self'; worker-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        tile_origin.map(|o| format!(" {o}")).unwrap_or_default()
    )
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i);
    Some(&url[..end])
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn asset(app: &AppState, path: &str) -> Response {
    match Assets::get(path) {
        Some(file) => {
            let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
            // Only a page and the service worker keep their names when their content changes
            // (the browser checks the worker at its one URL); everything else is hashed.
            if !(path.ends_with("index.html") || path == SERVICE_WORKER) {
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
            }
            with_csp(app, response)
        }
        None => ApiError::NotFound.into_response(),
    }
}

/// Add the pages' Content-Security-Policy to a response.
pub fn with_csp(app: &AppState, mut response: Response) -> Response {
    let csp = content_security_policy(app.config.tile_url.as_deref().and_then(origin_of));
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// `/ops` → `/ops/`, so relative links resolve.
pub async fn ops_redirect() -> Redirect {
    Redirect::permanent("/ops/")
}

/// The ops room's page.
pub async fn ops_index(State(app): State<AppState>) -> Response {
    asset(&app, "ops/index.html")
}

/// The ops room's scripts, styles and map data.
pub async fn ops_asset(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    asset(&app, &format!("ops/{file}"))
}

/// `/partner` → `/partner/`.
pub async fn partner_redirect() -> Redirect {
    Redirect::permanent("/partner/")
}

/// A partner agency's page (it signs in with its token).
pub async fn partner_index(State(app): State<AppState>) -> Response {
    asset(&app, "partner/index.html")
}

/// The partner page's scripts, styles and map data.
pub async fn partner_asset(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    asset(&app, &format!("partner/{file}"))
}

/// The public pages' scripts, styles and gazetteer.
pub async fn public_asset(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    asset(&app, &format!("public/{file}"))
}

/// `GET /sw.js`: the service worker that keeps the report form working with no network. It
/// answers only the public pages' requests (see its header) and stays `no-store`.
pub async fn service_worker(State(app): State<AppState>) -> Response {
    asset(&app, SERVICE_WORKER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_the_server_pages_name_has_a_hashed_url_that_is_embedded() {
        for logical in ["/static/form.js", "/static/form.css", "/ops/manifest.css"] {
            let hashed = asset_url(logical);
            assert_ne!(hashed, logical, "{logical} is in dist/assets.json");
            let (prefix, file) = hashed.trim_start_matches('/').split_once('/').unwrap();
            let folder = if prefix == "static" { "public" } else { prefix };
            assert!(Assets::get(&format!("{folder}/{file}")).is_some(), "{hashed} is embedded");
        }
    }

    #[test]
    fn the_tile_server_is_the_only_other_origin_allowed() {
        assert_eq!(origin_of("http://tiles.lan:8088/{z}/{x}/{y}.png"), Some("http://tiles.lan:8088"));
        assert!(content_security_policy(None).contains("img-src 'self' data:;"));
        assert!(
            content_security_policy(Some("http://tiles.lan:8088"))
                .contains("img-src 'self' data: http://tiles.lan:8088;")
        );
    }
}
