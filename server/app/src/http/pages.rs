//! The web pages: `/ops/` (the ops room). Their built assets (web/dist, made by `npm run build`
//! in web/) are embedded in the binary, so a fresh clone serves them with cargo alone and nothing
//! is fetched from the internet at run time.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::http::error::ApiError;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../web/dist/"]
struct Assets;

/// Pages may load only what this server serves: no CDN, no other site's script, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

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

fn asset(path: &str) -> Response {
    match Assets::get(path) {
        Some(file) => {
            let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
            response
        }
        None => ApiError::NotFound.into_response(),
    }
}

/// `/ops` → `/ops/`, so relative links resolve.
pub async fn ops_redirect() -> Redirect {
    Redirect::permanent("/ops/")
}

/// The ops room's page.
pub async fn ops_index() -> Response {
    asset("ops/index.html")
}

/// The ops room's scripts, styles and map data.
pub async fn ops_asset(Path(file): Path<String>) -> Response {
    asset(&format!("ops/{file}"))
}
